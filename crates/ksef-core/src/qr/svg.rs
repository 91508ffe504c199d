//! QR symbols as print-ready SVG with the label under the code (DIGEST §14; ISO/IEC 18004).
//!
//! Choices, all deterministic (same input → same bytes):
//! - **Encoding**: byte mode (ISO/IEC 18004 §7.4.5) for the whole link, the smallest
//!   version that fits, error correction M by default (Q on request), data mask chosen by
//!   the standard's penalty rules (§7.8.3, [`QrMatrix`]).
//! - **Quiet zone**: 4 modules on every side (ISO/IEC 18004 §6.3.8), never drawn on by
//!   the label.
//! - **Size**: the `viewBox` is in modules, `width`/`height` in millimetres. The module is
//!   0.5 mm by default and may not be smaller: KOD II with an RSA signature is a version
//!   17 symbol (85 modules), 46.5 mm wide with its quiet zone, which phone cameras read
//!   reliably from print; KOD I is about 25 mm wide.
//! - **Label** (`KSeF number`, `OFFLINE` or `CERTYFIKAT`): a centred SVG `<text>` under the
//!   quiet zone, XML-escaped, in a sans-serif font, 3 mm high by default; shrunk to the
//!   symbol's width but never below 2 mm (a 35-character KSeF number under a small KOD I
//!   widens the canvas instead, with the symbol centred).
//! - **Modules** are one `<path>` of horizontal runs, `M{x} {y}h{n}v1h-{n}z`, one per run of
//!   dark modules in a row, on a white background `<rect>`.

use std::fmt::Write;

pub use super::matrix::QrMatrix;
use super::{QrError, Result};

/// Quiet zone in modules (ISO/IEC 18004 §6.3.8).
pub const QUIET_ZONE: usize = 4;
/// Smallest module size accepted, in micrometres (0.5 mm).
pub const MIN_MODULE_UM: u32 = 500;
/// Smallest label font size in micrometres (2 mm, about 5.7 pt), unless
/// [`SvgOptions::font_um`] asks for smaller.
pub const MIN_FONT_UM: u64 = 2000;
/// Longest label accepted, in characters.
pub const MAX_LABEL_CHARS: usize = 64;

/// Error-correction level (ISO/IEC 18004 §6.5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum ErrorCorrection {
    /// M: about 15 % of codewords recoverable (default).
    #[default]
    M,
    /// Q: about 25 %.
    Q,
}

/// Rendering options.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SvgOptions {
    /// Module size in micrometres; at least [`MIN_MODULE_UM`] (0.5 mm).
    pub module_um: u32,
    /// Error-correction level.
    pub error_correction: ErrorCorrection,
    /// Label font size in micrometres (shrunk if the label would be wider than the
    /// symbol).
    pub font_um: u32,
}

impl Default for SvgOptions {
    fn default() -> Self {
        Self {
            module_um: MIN_MODULE_UM,
            error_correction: ErrorCorrection::M,
            font_um: 3000,
        }
    }
}

/// Draws `data` as a QR symbol with `label` under it.
pub fn render(data: &str, label: &str, options: &SvgOptions) -> Result<String> {
    check_label(label)?;
    if options.module_um < MIN_MODULE_UM {
        return Err(QrError::Render(format!(
            "module size {} µm is below the {MIN_MODULE_UM} µm minimum",
            options.module_um
        )));
    }
    if options.font_um == 0 {
        return Err(QrError::Render("font size must be positive".into()));
    }
    let m = QrMatrix::encode(data.as_bytes(), options.error_correction)?;
    Ok(render_matrix(&m, label, options))
}

fn render_matrix(m: &QrMatrix, label: &str, o: &SvgOptions) -> String {
    let module = u64::from(o.module_um);
    let side = (m.width() + 2 * QUIET_ZONE) as u64;
    // A sans-serif face averages at most about 0.66 em per character. The label is shrunk to the
    // symbol's width, but not below MIN_FONT_UM; a longer label (a KSeF number under a
    // small KOD I) widens the canvas instead, the symbol staying centred.
    let chars = label.chars().count().max(1) as u64;
    let fit = (side - 2) * module * 100 / (66 * chars);
    let font = u64::from(o.font_um).min(fit.max(MIN_FONT_UM)).max(1);
    let label_modules = (font * 66 * chars).div_ceil(100 * module) + 2;
    let mut canvas = side.max(label_modules);
    if (canvas - side) % 2 == 1 {
        canvas += 1;
    }
    let offset = (canvas - side) / 2 + QUIET_ZONE as u64;
    // Label band: the text's line (1.2 em) plus 0.4 em below, in whole modules.
    let band = (font * 16).div_ceil(10 * module);
    let height = side + band;
    let baseline_um = side * module + font * 12 / 10;

    let mut s = String::with_capacity(m.width() * m.width() + 512);
    // `write!` to a String cannot fail.
    let _ = write!(
        s,
        concat!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{w}mm" height="{h}mm" viewBox="0 0 {vw} {vh}">"#,
            r##"<rect x="0" y="0" width="{vw}" height="{vh}" fill="#ffffff"/>"##,
            r##"<path fill="#000000" shape-rendering="crispEdges" d=""##
        ),
        w = micro_to_units(canvas * module, 1000),
        h = micro_to_units(height * module, 1000),
        vw = canvas,
        vh = height,
    );
    for y in 0..m.width() {
        let mut x = 0;
        while x < m.width() {
            if !m.is_dark(x, y) {
                x += 1;
                continue;
            }
            let start = x;
            while x < m.width() && m.is_dark(x, y) {
                x += 1;
            }
            let run = x - start;
            let _ = write!(
                s,
                "M{} {}h{run}v1h-{run}z",
                start as u64 + offset,
                y + QUIET_ZONE
            );
        }
    }
    let _ = write!(
        s,
        concat!(
            r#""/><text x="{x}" y="{y}" font-family="Arial, Helvetica, sans-serif" "#,
            r##"font-size="{fs}" text-anchor="middle" fill="#000000">{label}</text></svg>"##
        ),
        x = micro_to_units(canvas * module, 2 * module),
        y = micro_to_units(baseline_um, module),
        fs = micro_to_units(font, module),
        label = escape(label),
    );
    s.push('\n');
    s
}

/// `value / unit` with up to 3 decimals, trailing zeros trimmed (integer arithmetic).
fn micro_to_units(value: u64, unit: u64) -> String {
    let milli = (value * 1000 + unit / 2) / unit;
    let (int, frac) = (milli / 1000, milli % 1000);
    if frac == 0 {
        int.to_string()
    } else {
        let f = format!("{frac:03}");
        format!("{int}.{}", f.trim_end_matches('0'))
    }
}

fn check_label(label: &str) -> Result<()> {
    let n = label.chars().count();
    if label.trim().is_empty() {
        return Err(QrError::InvalidLabel("the label is empty".into()));
    }
    if n > MAX_LABEL_CHARS {
        return Err(QrError::InvalidLabel(format!(
            "{n} characters, at most {MAX_LABEL_CHARS}"
        )));
    }
    if let Some(c) = label.chars().find(|c| c.is_control()) {
        return Err(QrError::InvalidLabel(format!("control character {c:?}")));
    }
    Ok(())
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units() {
        assert_eq!(micro_to_units(24500, 1000), "24.5");
        assert_eq!(micro_to_units(3000, 500), "6");
        assert_eq!(micro_to_units(1000, 3), "333.333");
    }

    #[test]
    fn labels() {
        assert!(check_label("").is_err());
        assert!(check_label("a\nb").is_err());
        assert!(check_label(&"x".repeat(65)).is_err());
        assert_eq!(escape("<a&'\">"), "&lt;a&amp;&apos;&quot;&gt;");
    }
}
