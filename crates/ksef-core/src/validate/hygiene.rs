//! Byte-level file hygiene, before any XML parsing (`spec/faktury/weryfikacja-faktury.md`,
//! "Weryfikacja XML" and "Rozmiar pliku"): no UTF-8 BOM, valid UTF-8, only XML 1.0
//! characters, none of the discouraged code points, at most 1 MB (3 MB with `Zalacznik`).

use super::rules::{XML_BOM, XML_CHAR_DISCOURAGED, XML_CHAR_FORBIDDEN, XML_SIZE, XML_UTF8};
use super::{Problem, Report};

/// Size limit without an attachment (bytes).
pub(crate) const MAX_SIZE: usize = 1_000_000;
/// Size limit with `Zalacznik` (bytes).
pub(crate) const MAX_SIZE_ATTACHMENT: usize = 3_000_000;

/// A character problem found in the raw bytes; the XML scan attributes it to an element.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CharIssue {
    /// Byte offset.
    pub(crate) offset: usize,
    /// The code point.
    pub(crate) ch: char,
    /// Discouraged (true) or forbidden (false).
    pub(crate) discouraged: bool,
}

impl CharIssue {
    /// The problem, at `path`, with a line/column position.
    pub(crate) fn problem(&self, path: &str, bytes: &[u8]) -> Problem {
        let (line, col) = line_col(bytes, self.offset);
        let cp = self.ch as u32;
        if self.discouraged {
            Problem::new(
                &XML_CHAR_DISCOURAGED,
                path,
                format!(
                    "niezalecany znak Unicode U+{cp:04X} (wiersz {line}, kolumna {col}); KSeF odrzuca znaki #x7F-#x84, #x86-#x9F, #xFDD0-#xFDEF i #xnFFFE-#xnFFFF"
                ),
                format!(
                    "discouraged Unicode character U+{cp:04X} (line {line}, column {col}); KSeF rejects #x7F-#x84, #x86-#x9F, #xFDD0-#xFDEF and #xnFFFE-#xnFFFF"
                ),
            )
        } else {
            Problem::new(
                &XML_CHAR_FORBIDDEN,
                path,
                format!(
                    "znak U+{cp:04X} (wiersz {line}, kolumna {col}) jest niedozwolony w XML 1.0; dozwolone są tab, LF, CR i znaki od U+0020 (bez U+FFFE, U+FFFF i surogatów)"
                ),
                format!(
                    "character U+{cp:04X} (line {line}, column {col}) is not allowed in XML 1.0; expected tab, LF, CR or U+0020 and above (not U+FFFE, U+FFFF or surrogates)"
                ),
            )
        }
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_col(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let col = String::from_utf8_lossy(&before[start..]).chars().count() + 1;
    (line, col)
}

/// The 1-based column in characters of the 1-based `line` and byte `column` (the reader's
/// positions count bytes).
pub(crate) fn char_column(bytes: &[u8], line: u32, column: u32) -> usize {
    let skip = usize::try_from(line.saturating_sub(1)).unwrap_or(usize::MAX);
    let start = if skip == 0 {
        0
    } else {
        bytes
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .nth(skip - 1)
            .map_or(bytes.len(), |(i, _)| i + 1)
    };
    let line_end = bytes[start..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |n| start + n);
    let len = usize::try_from(column.saturating_sub(1)).unwrap_or(usize::MAX);
    let end = start.saturating_add(len).min(line_end);
    String::from_utf8_lossy(&bytes[start..end]).chars().count() + 1
}

/// XML 1.0 `Char`: `#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]`.
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// The code points KSeF lists as discouraged (XML 1.0 §2.2 note).
pub(crate) fn is_discouraged(c: char) -> bool {
    let cp = c as u32;
    matches!(cp, 0x7F..=0x84 | 0x86..=0x9F | 0xFDD0..=0xFDEF)
        || (cp >= 0x1_0000 && (cp & 0xFFFE) == 0xFFFE)
}

/// Checks BOM, UTF-8 validity and characters. Returns the character issues for the
/// XML scan to place; BOM and UTF-8 problems go to the report directly.
pub(crate) fn check_bytes(bytes: &[u8], report: &mut Report) -> Vec<CharIssue> {
    let mut body = bytes;
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        report.push(Problem::new(
            &XML_BOM,
            "",
            "plik zaczyna się od znacznika BOM (EF BB BF); KSeF wymaga UTF-8 bez BOM",
            "the file starts with a byte order mark (EF BB BF); KSeF requires UTF-8 without BOM",
        ));
        body = rest;
    }
    let base = bytes.len() - body.len();
    let mut issues = Vec::new();
    let mut pos = 0;
    let mut utf8_reported = false;
    while pos < body.len() {
        let (valid, bad) = match std::str::from_utf8(&body[pos..]) {
            Ok(s) => (s, None),
            Err(e) => {
                let (v, _) = body[pos..].split_at(e.valid_up_to());
                // Safe: `valid_up_to` bytes are valid UTF-8.
                (
                    std::str::from_utf8(v).unwrap_or_default(),
                    Some(e.error_len().unwrap_or(body.len() - pos - e.valid_up_to())),
                )
            }
        };
        // Fast path: pure ASCII text with no control characters needs no per-char work.
        for (i, c) in valid.char_indices() {
            if c.is_ascii() && (c >= ' ' || matches!(c, '\t' | '\n' | '\r')) && c != '\u{7F}' {
                continue;
            }
            if !is_xml_char(c) {
                issues.push(CharIssue {
                    offset: base + pos + i,
                    ch: c,
                    discouraged: false,
                });
            } else if is_discouraged(c) {
                issues.push(CharIssue {
                    offset: base + pos + i,
                    ch: c,
                    discouraged: true,
                });
            }
        }
        pos += valid.len();
        if let Some(n) = bad {
            if !utf8_reported {
                let at = base + pos;
                let (line, col) = line_col(bytes, at);
                let shown: Vec<String> = body[pos..(pos + n.max(1)).min(body.len())]
                    .iter()
                    .map(|b| format!("{b:02X}"))
                    .collect();
                let shown = shown.join(" ");
                report.push(Problem::new(
                    &XML_UTF8,
                    "",
                    format!(
                        "niepoprawna sekwencja UTF-8 [{shown}] na bajcie {at} (wiersz {line}, kolumna {col}); KSeF wymaga kodowania UTF-8"
                    ),
                    format!(
                        "invalid UTF-8 sequence [{shown}] at byte {at} (line {line}, column {col}); KSeF requires UTF-8"
                    ),
                ));
                utf8_reported = true;
            }
            pos += n.max(1);
        }
    }
    issues
}

/// Checks the size limit, which depends on whether the invoice has a `Zalacznik`.
pub(crate) fn check_size(len: usize, has_attachment: bool, report: &mut Report) {
    let limit = if has_attachment {
        MAX_SIZE_ATTACHMENT
    } else {
        MAX_SIZE
    };
    if len > limit {
        let (pl, en) = if has_attachment {
            ("z załącznikiem", "with an attachment")
        } else {
            ("bez załącznika", "without an attachment")
        };
        report.push(Problem::new(
            &XML_SIZE,
            "",
            format!("plik ma {len} bajtów; limit dla faktury {pl} to {limit} bajtów"),
            format!("the file has {len} bytes; the limit for an invoice {en} is {limit} bytes"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discouraged_ranges() {
        for c in [
            '\u{7F}',
            '\u{84}',
            '\u{86}',
            '\u{9F}',
            '\u{FDD0}',
            '\u{1FFFE}',
            '\u{10FFFF}',
        ] {
            assert!(is_discouraged(c), "{c:?}");
        }
        for c in ['\u{85}', '\u{A0}', 'ą', '\u{FDF0}', '\u{1FFFD}'] {
            assert!(!is_discouraged(c), "{c:?}");
        }
        assert!(!is_xml_char('\u{1}'));
        assert!(!is_xml_char('\u{FFFE}'));
        assert!(is_xml_char('\u{10000}'));
    }

    #[test]
    fn utf8_and_bom() {
        let mut r = Report::default();
        let issues = check_bytes(b"\xEF\xBB\xBF<a>\xC3\x28\x01\xC2\x80</a>", &mut r);
        let rules: Vec<_> = r.problems.iter().map(|p| p.rule).collect();
        assert_eq!(rules, ["FA3-XML-BOM", "FA3-XML-UTF8"]);
        assert_eq!(issues.len(), 2);
        assert!(!issues[0].discouraged && issues[0].ch == '\u{1}');
        assert!(issues[1].discouraged && issues[1].ch == '\u{80}');
        assert_eq!(line_col(b"ab\ncd", 4), (2, 2));
    }

    #[test]
    fn char_column_from_byte_column() {
        let doc = "<a>\nżółw<b\n€x".as_bytes();
        // Line 2, byte column 8 is `<` after four letters (two bytes each but `w`).
        assert_eq!(char_column(doc, 2, 8), 5);
        assert_eq!(char_column(doc, 1, 2), 2);
        assert_eq!(char_column(doc, 3, 4), 2);
        // Past the end of the line or the document: clamped, never a panic.
        assert_eq!(char_column(doc, 2, 99), 7);
        assert_eq!(char_column(doc, 3, 99), 3);
        assert_eq!(char_column(doc, 9, 5), 1);
        assert_eq!(char_column(b"", 0, 0), 1);
    }
}
