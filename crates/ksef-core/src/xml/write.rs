//! Writer: the model → deterministic FA(3) XML bytes.
//!
//! Output shape (fixed): `<?xml version="1.0" encoding="UTF-8"?>`, a line
//! feed, then one element per line indented by two spaces per level; text-only
//! elements on one line; no trailing whitespace; a final line feed. Text is
//! escaped (`&`, `<`, `>`; `"` in attributes; CR, and in attributes TAB/LF,
//! as character references so they survive parsing).

use rust_decimal::Decimal;

use super::error::WriteError;
use super::read::XmlText;

struct Frame {
    name: &'static str,
    index: Option<usize>,
    has_children: bool,
}

/// Accumulates the output document.
pub(crate) struct Writer {
    out: Vec<u8>,
    stack: Vec<Frame>,
    pending_index: Option<usize>,
}

/// Whether KSeF accepts code point `c` in a document (XML 1.0 `Char` minus the
/// discouraged ranges listed in the KSeF verification rules).
pub(crate) fn is_allowed_char(c: char) -> bool {
    let u = c as u32;
    let xml = matches!(u, 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF);
    let discouraged =
        matches!(u, 0x7F..=0x84 | 0x86..=0x9F | 0xFDD0..=0xFDEF) || (u & 0xFFFE) == 0xFFFE;
    xml && !discouraged
}

impl Writer {
    /// An empty document with the XML declaration already written.
    pub(crate) fn new(capacity: usize) -> Self {
        let mut out = Vec::with_capacity(capacity);
        out.extend_from_slice(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
        Writer {
            out,
            stack: Vec::with_capacity(16),
            pending_index: None,
        }
    }

    /// The finished document.
    pub(crate) fn finish(mut self) -> Vec<u8> {
        self.out.push(b'\n');
        self.out
    }

    /// Marks the next element as repetition number `i` (1-based) for error paths.
    pub(crate) fn set_index(&mut self, i: usize) {
        self.pending_index = Some(i);
    }

    /// Path of the innermost open element (`Faktura/Fa/FaWiersz[2]`).
    fn stack_path(&self) -> String {
        let mut s = String::new();
        for (n, f) in self.stack.iter().enumerate() {
            if n > 0 {
                s.push('/');
            }
            s.push_str(f.name);
            if let Some(i) = f.index {
                s.push_str(&format!("[{i}]"));
            }
        }
        s
    }

    /// Path of a child `name` of the innermost open element.
    fn path_to(&self, name: &str, index: Option<usize>) -> String {
        let mut s = self.stack_path();
        if !s.is_empty() {
            s.push('/');
        }
        s.push_str(name);
        if let Some(i) = index {
            s.push_str(&format!("[{i}]"));
        }
        s
    }

    fn open_line(&mut self) {
        if let Some(parent) = self.stack.last_mut() {
            parent.has_children = true;
        }
        self.out.push(b'\n');
        for _ in 0..self.stack.len() {
            self.out.extend_from_slice(b"  ");
        }
    }

    /// Writes a start tag with attributes (already checked by the caller).
    pub(crate) fn start_with_attrs(
        &mut self,
        name: &'static str,
        attrs: &[(&'static str, &str)],
    ) -> Result<(), WriteError> {
        let index = self.pending_index.take();
        self.open_line();
        self.out.push(b'<');
        self.out.extend_from_slice(name.as_bytes());
        for (k, v) in attrs {
            self.out.push(b' ');
            self.out.extend_from_slice(k.as_bytes());
            self.out.extend_from_slice(b"=\"");
            if let Err(c) = escape_checked(&mut self.out, v, true) {
                return Err(WriteError::ForbiddenChar {
                    path: format!("{}/@{k}", self.path_to(name, index)),
                    code: c as u32,
                });
            }
            self.out.push(b'"');
        }
        self.out.push(b'>');
        self.stack.push(Frame {
            name,
            index,
            has_children: false,
        });
        Ok(())
    }

    /// Writes a start tag.
    pub(crate) fn start(&mut self, name: &'static str) {
        let index = self.pending_index.take();
        self.open_line();
        self.out.push(b'<');
        self.out.extend_from_slice(name.as_bytes());
        self.out.push(b'>');
        self.stack.push(Frame {
            name,
            index,
            has_children: false,
        });
    }

    /// Writes the end tag of the innermost open element.
    pub(crate) fn end(&mut self, name: &'static str) {
        if let Some(f) = self.stack.pop()
            && f.has_children
        {
            self.out.push(b'\n');
            for _ in 0..self.stack.len() {
                self.out.extend_from_slice(b"  ");
            }
        }
        self.out.extend_from_slice(b"</");
        self.out.extend_from_slice(name.as_bytes());
        self.out.push(b'>');
    }

    /// Writes `text` as the content of the innermost open element (no line break).
    pub(crate) fn text(&mut self, text: &str) -> Result<(), WriteError> {
        if let Err(c) = escape_checked(&mut self.out, text, false) {
            return Err(WriteError::ForbiddenChar {
                path: self.stack_path(),
                code: c as u32,
            });
        }
        Ok(())
    }

    /// Writes `<name>text</name>` on its own line.
    pub(crate) fn text_elem(&mut self, name: &'static str, text: &str) -> Result<(), WriteError> {
        let index = self.pending_index.take();
        self.open_line();
        self.out.push(b'<');
        self.out.extend_from_slice(name.as_bytes());
        self.out.push(b'>');
        // Checked while escaping (one pass); on an error the document is abandoned.
        if let Err(c) = escape_checked(&mut self.out, text, false) {
            return Err(WriteError::ForbiddenChar {
                path: self.path_to(name, index),
                code: c as u32,
            });
        }
        self.end_text(name);
        Ok(())
    }

    /// Writes `<name>decimal</name>` on its own line, formatted in place (no string
    /// per amount; digits, `-` and `.` need neither checking nor escaping). A negative
    /// zero keeps its sign (`-0.00` is a valid TKwotowy lexical).
    pub(crate) fn decimal_elem(&mut self, name: &'static str, d: &Decimal) {
        self.pending_index = None;
        self.open_line();
        self.out.push(b'<');
        self.out.extend_from_slice(name.as_bytes());
        self.out.push(b'>');
        push_decimal(&mut self.out, d);
        self.end_text(name);
    }

    fn end_text(&mut self, name: &'static str) {
        self.out.extend_from_slice(b"</");
        self.out.extend_from_slice(name.as_bytes());
        self.out.push(b'>');
    }
}

/// Appends the lexical form of `d` with all its scale digits (`2051.00`), as
/// `Decimal`'s `Display` does, and the sign of a negative zero (`-0.00`), without the
/// formatting machinery (a fifth of the emit time went there).
fn push_decimal(out: &mut Vec<u8>, d: &Decimal) {
    let scale = usize::try_from(d.scale()).unwrap_or(0);
    // At most 29 digits (a 96-bit mantissa), plus zeros up to the scale (at most 28).
    let mut digits = [b'0'; 40];
    let mut n = 0;
    let mantissa = d.mantissa().unsigned_abs();
    // Invoice values fit 64 bits, where division is cheap (wasm has no 128-bit one).
    if let Ok(mut u) = u64::try_from(mantissa) {
        loop {
            digits[n] = b'0' + (u % 10) as u8;
            n += 1;
            u /= 10;
            if u == 0 {
                break;
            }
        }
    } else {
        let mut u = mantissa;
        while u > 0 {
            digits[n] = b'0' + (u % 10) as u8;
            n += 1;
            u /= 10;
        }
    }
    n = n.max(scale + 1);
    if d.is_sign_negative() {
        out.push(b'-');
    }
    out.extend(digits[scale..n].iter().rev());
    if scale > 0 {
        out.push(b'.');
        out.extend(digits[..scale].iter().rev());
    }
}

/// Appends `s` escaped (`&`, `<`, `>`, `\r`; in attributes also `"`, `\t`, `\n`), or
/// stops at the first character KSeF does not accept ([`is_allowed_char`]). Printable
/// ASCII, nearly every byte of an invoice, is settled by one comparison.
fn escape_checked(out: &mut Vec<u8>, s: &str, attr: bool) -> Result<(), char> {
    let bytes = s.as_bytes();
    let mut last = 0;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let rep: &[u8] = match b {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'\r' => b"&#13;",
            b'"' if attr => b"&quot;",
            b'\t' if attr => b"&#9;",
            b'\n' if attr => b"&#10;",
            0x20..=0x7E | b'\t' | b'\n' => {
                i += 1;
                continue;
            }
            0x80.. => {
                let Some(c) = s.get(i..).and_then(|t| t.chars().next()) else {
                    break;
                };
                if !is_allowed_char(c) {
                    return Err(c);
                }
                i += c.len_utf8();
                continue;
            }
            _ => return Err(char::from(b)),
        };
        out.extend_from_slice(&bytes[last..i]);
        out.extend_from_slice(rep);
        i += 1;
        last = i;
    }
    out.extend_from_slice(&bytes[last..]);
    Ok(())
}

/// Writes a simple-typed value as element `name`.
pub(crate) fn write_text_value<T: XmlText>(
    v: &T,
    name: &'static str,
    w: &mut Writer,
) -> Result<(), WriteError> {
    v.write_text_elem(name, w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_written_in_place_with_scale_and_sign() {
        use crate::xml::read::XmlText;
        for text in [
            "2051.00",
            "0.5",
            "-12.3400",
            "-0.00",
            "0",
            "123456789012345678.1234",
        ] {
            let d = Decimal::parse_text(text).expect(text);
            let mut w = Writer::new(64);
            w.decimal_elem("P_11", &d);
            let out = String::from_utf8(w.finish()).expect("utf-8");
            assert!(out.ends_with(&format!("\n<P_11>{text}</P_11>\n")), "{out}");
            // The same text as the generic path.
            assert_eq!(d.to_text(), text);
        }
    }

    #[test]
    fn decimal_digits_match_display_for_every_scale() {
        let max = (1i128 << 96) - 1;
        for scale in 0..=28 {
            for m in [
                1,
                7,
                10,
                99,
                12_345,
                1_000_000,
                i128::from(u64::MAX),
                i128::from(u64::MAX) + 1,
                max,
            ] {
                for m in [m, -m] {
                    let d = Decimal::from_i128_with_scale(m, scale);
                    let mut out = Vec::new();
                    push_decimal(&mut out, &d);
                    assert_eq!(
                        String::from_utf8(out).expect("ascii"),
                        d.to_string(),
                        "{m} scale {scale}"
                    );
                }
            }
        }
    }

    #[test]
    fn escape_stops_at_a_rejected_character() {
        let mut out = Vec::new();
        assert_eq!(escape_checked(&mut out, "ok\u{1}", false), Err('\u{1}'));
        assert_eq!(escape_checked(&mut out, "x\u{7F}", true), Err('\u{7F}'));
        assert_eq!(
            escape_checked(&mut out, "zażółć\u{FFFE}", false),
            Err('\u{FFFE}')
        );
        let mut out = Vec::new();
        escape_checked(&mut out, "zażółć \u{85}", false).expect("allowed");
        assert_eq!(out, "zażółć \u{85}".as_bytes());
    }

    #[test]
    fn escapes_text_and_attributes() {
        let mut out = Vec::new();
        escape_checked(&mut out, "a&b<c>d\"e\r\nf\t", false).expect("allowed");
        assert_eq!(out, b"a&amp;b&lt;c&gt;d\"e&#13;\nf\t");
        let mut out = Vec::new();
        escape_checked(&mut out, "a\"b\n\t", true).expect("allowed");
        assert_eq!(out, b"a&quot;b&#10;&#9;");
    }

    #[test]
    fn allowed_characters() {
        for c in [
            '\t',
            '\n',
            '\r',
            ' ',
            'ż',
            '\u{85}',
            '\u{A0}',
            '\u{FDCF}',
            '\u{FDF0}',
            '\u{FFFD}',
            '\u{10000}',
        ] {
            assert!(is_allowed_char(c), "{c:?}");
        }
        for c in [
            '\0',
            '\u{8}',
            '\u{1F}',
            '\u{7F}',
            '\u{84}',
            '\u{86}',
            '\u{9F}',
            '\u{FDD0}',
            '\u{FDEF}',
            '\u{FFFE}',
            '\u{FFFF}',
            '\u{2FFFE}',
            '\u{10FFFF}',
        ] {
            assert!(!is_allowed_char(c), "{c:?}");
        }
    }

    #[test]
    fn layout_is_fixed() {
        let mut w = Writer::new(64);
        w.start("A");
        w.text_elem("B", "x").unwrap();
        w.start("C");
        w.end("C");
        w.end("A");
        assert_eq!(
            String::from_utf8(w.finish()).unwrap(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<A>\n  <B>x</B>\n  <C></C>\n</A>\n"
        );
    }
}
