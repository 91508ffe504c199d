//! Lexical mapping of the simple XSD types used by FA(3) (`xsd:string`/`token`
//! texts, `xsd:decimal`, `xsd:integer`, enumerations).
//!
//! Texts are kept exactly as written (so any schema-valid value round-trips).
//! Numbers and enumeration literals are read after XSD whitespace collapsing;
//! decimals keep their scale and sign (`2051.00`, `-0.00`), while a leading
//! `+`, leading zeros of integers and surrounding whitespace are not kept
//! (same value, canonical text).

use std::borrow::Cow;
use std::str::FromStr;

use rust_decimal::Decimal;

use super::read::XmlText;

/// Implements [`XmlValue`](super::read::XmlValue) for a simple type.
macro_rules! text_value {
    ($($t:ty),* $(,)?) => {$(
        impl $crate::xml::read::XmlValue for $t {
            fn read_elem(
                e: &$crate::xml::read::Elem<'_>,
                path: &$crate::xml::read::Path<'_>,
            ) -> Result<Self, $crate::xml::ReadError> {
                $crate::xml::read::read_text_value(e, path)
            }
            fn write_elem(
                &self,
                name: &'static str,
                w: &mut $crate::xml::write::Writer,
            ) -> Result<(), $crate::xml::WriteError> {
                $crate::xml::write::write_text_value(self, name, w)
            }
        }
    )*};
}
pub(crate) use text_value;

/// XSD whitespace `collapse`: trims and folds internal runs to one space.
pub(crate) fn collapse(s: &str) -> Cow<'_, str> {
    let trimmed = s.trim_matches([' ', '\t', '\r', '\n']);
    let needs = trimmed
        .as_bytes()
        .windows(2)
        .any(|w| w[0].is_ascii_whitespace() && w[1].is_ascii_whitespace())
        || trimmed.bytes().any(|b| matches!(b, b'\t' | b'\r' | b'\n'));
    if needs {
        Cow::Owned(
            trimmed
                .split_ascii_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
        )
    } else {
        Cow::Borrowed(trimmed)
    }
}

/// Maps an enumeration's lexical form to a value: whitespace-collapsed exact
/// literal, or for integer-based enumerations any integer lexical (`+1`, `01`).
pub(crate) fn parse_enum_lexical<T>(s: &str, lookup: impl Fn(&str) -> Option<T>) -> Option<T> {
    let c = collapse(s);
    if let Some(v) = lookup(&c) {
        return Some(v);
    }
    let digits = c.strip_prefix('+').unwrap_or(&c);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        let canonical = digits.trim_start_matches('0');
        return lookup(if canonical.is_empty() { "0" } else { canonical });
    }
    None
}

impl XmlText for String {
    fn parse_text(s: &str) -> Result<Self, String> {
        Ok(s.to_owned())
    }
    fn to_text(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}

/// Whether `s` is an `xsd:decimal` lexical: `[+-]?(\d+(\.\d*)?|\.\d+)`.
fn is_decimal_lexical(s: &str) -> bool {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
    digits(int) && frac.is_none_or(digits) && !(int.is_empty() && frac.is_none_or(str::is_empty))
}

impl XmlText for Decimal {
    fn parse_text(s: &str) -> Result<Self, String> {
        let t = s.trim_matches([' ', '\t', '\r', '\n']);
        if !is_decimal_lexical(t) {
            return Err("not an xsd:decimal".into());
        }
        let t = t.strip_prefix('+').unwrap_or(t);
        let t = t.strip_suffix('.').unwrap_or(t);
        let mut d = Decimal::from_str(t).map_err(|e| e.to_string())?;
        if d.is_zero() && t.starts_with('-') {
            d.set_sign_negative(true);
        }
        Ok(d)
    }
    fn to_text(&self) -> Cow<'_, str> {
        let text = self.to_string();
        if self.is_zero() && self.is_sign_negative() && !text.starts_with('-') {
            // `-0.00` is a valid TKwotowy lexical; keep its sign.
            Cow::Owned(format!("-{text}"))
        } else {
            Cow::Owned(text)
        }
    }
    fn write_text_elem(
        &self,
        name: &'static str,
        w: &mut super::write::Writer,
    ) -> Result<(), super::error::WriteError> {
        w.decimal_elem(name, self);
        Ok(())
    }
}

impl XmlText for u64 {
    fn parse_text(s: &str) -> Result<Self, String> {
        let t = s.trim_matches([' ', '\t', '\r', '\n']);
        if t.starts_with('-') {
            return Err("not a non-negative integer".into());
        }
        t.parse()
            .map_err(|_| "not a non-negative integer".to_string())
    }
    fn to_text(&self) -> Cow<'_, str> {
        Cow::Owned(self.to_string())
    }
}

impl XmlText for i64 {
    fn parse_text(s: &str) -> Result<Self, String> {
        s.trim_matches([' ', '\t', '\r', '\n'])
            .parse()
            .map_err(|_| "not an integer".to_string())
    }
    fn to_text(&self) -> Cow<'_, str> {
        Cow::Owned(self.to_string())
    }
}

text_value!(String, Decimal, u64, i64);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_follow_the_xsd_lexical_space_and_keep_their_scale() {
        for (input, out) in [
            ("2051", "2051"),
            ("2051.00", "2051.00"),
            ("-0.05", "-0.05"),
            ("+5", "5"),
            (".5", "0.5"),
            ("5.", "5"),
            (" 12.3400\n", "12.3400"),
            ("0.00000001", "0.00000001"),
            ("-0.00", "-0.00"),
            ("123456789012345678.1234", "123456789012345678.1234"),
        ] {
            assert_eq!(
                Decimal::parse_text(input).unwrap().to_text(),
                out,
                "{input}"
            );
        }
        for bad in [
            "1e5", "1_000", "1,5", "", ".", "--1", "0x10", "NaN", "1 000",
        ] {
            assert!(Decimal::parse_text(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn collapse_folds_whitespace() {
        assert_eq!(collapse("  a \t b\n"), "a b");
        assert!(matches!(collapse("a b"), Cow::Borrowed("a b")));
    }

    #[test]
    fn integers() {
        assert_eq!(u64::parse_text(" 7 ").unwrap(), 7);
        assert!(u64::parse_text("-1").is_err());
        assert_eq!(i64::parse_text("-30").unwrap(), -30);
    }
}
