//! XSD facet checks on one lexical value: whitespace handling (`preserve` / `replace` /
//! `collapse`, so `xsd:token` lengths count collapsed text), the built-in lexical spaces of
//! `xsd:decimal` / `xsd:integer` / `xsd:date` / `xsd:dateTime`, enumerations, patterns,
//! `minLength` / `maxLength` / `length`, `totalDigits` / `fractionDigits` and ranges.
//!
//! The facets themselves come from the generated [`super::schema::TYPES`] table.

use std::cmp::Ordering;
use std::str::FromStr;

use rust_decimal::Decimal;

use super::Problem;
use super::regex::Pattern;
use super::rules::{
    IDWEW_PATTERN, KSEFNR_PATTERN, NIP_PATTERN, Rule, XSD_DATE, XSD_DECIMAL, XSD_ENUM, XSD_INTEGER,
    XSD_LENGTH, XSD_PATTERN, XSD_RANGE,
};
use super::schema::TYPES;
use std::sync::OnceLock;

/// The built-in type a simple type restricts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Base {
    /// `xsd:decimal`.
    Decimal,
    /// `xsd:integer` and its derivations (`byte`, `int`, `nonNegativeInteger`, `gYear`).
    Integer,
    /// `xsd:string`, `normalizedString`, `token`.
    Str,
    /// `xsd:date`.
    Date,
    /// `xsd:dateTime`.
    DateTime,
}

/// The `whiteSpace` facet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ws {
    /// Keep as is.
    Preserve,
    /// Tab, LF, CR become spaces.
    Replace,
    /// Replace, then squeeze runs of spaces and trim.
    Collapse,
}

/// A simple type with its facets resolved through the derivation chain.
#[derive(Debug)]
pub(crate) struct SimpleType {
    /// XSD type name (`TKwotowy`, `TNrNIP`, … or `anonymous`).
    pub(crate) name: &'static str,
    /// Built-in base.
    pub(crate) base: Base,
    /// Whitespace handling.
    pub(crate) ws: Ws,
    /// `minLength`.
    pub(crate) min_len: Option<usize>,
    /// `maxLength`.
    pub(crate) max_len: Option<usize>,
    /// `length`.
    pub(crate) length: Option<usize>,
    /// `totalDigits`.
    pub(crate) total_digits: Option<usize>,
    /// `fractionDigits`.
    pub(crate) fraction_digits: Option<usize>,
    /// `minInclusive`.
    pub(crate) min_incl: Option<&'static str>,
    /// `maxInclusive`.
    pub(crate) max_incl: Option<&'static str>,
    /// `minExclusive`.
    pub(crate) min_excl: Option<&'static str>,
    /// Allowed values (empty = any).
    pub(crate) enums: &'static [&'static str],
    /// Pattern steps: each step (one derivation level) must match one of its patterns.
    pub(crate) patterns: &'static [&'static [&'static str]],
}

/// Applies the whitespace facet.
pub(crate) fn normalize(value: &str, ws: Ws) -> std::borrow::Cow<'_, str> {
    match ws {
        Ws::Preserve => value.into(),
        Ws::Replace if !value.contains(['\t', '\n', '\r']) => value.into(),
        Ws::Replace => value.replace(['\t', '\n', '\r'], " ").into(),
        Ws::Collapse => {
            let needs = value.starts_with(' ')
                || value.ends_with(' ')
                || value.contains(['\t', '\n', '\r'])
                || value.contains("  ");
            if needs {
                value
                    .split([' ', '\t', '\n', '\r'])
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ")
                    .into()
            } else {
                value.into()
            }
        }
    }
}

/// Digits before and after the point of an `xsd:decimal` lexical value, or `None`.
fn decimal_parts(v: &str) -> Option<(&str, &str)> {
    let unsigned = v.strip_prefix(['+', '-']).unwrap_or(v);
    let (int, frac) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let ok = (!int.is_empty() || !frac.is_empty())
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit());
    ok.then_some((int, frac))
}

fn is_integer(v: &str) -> bool {
    let u = v.strip_prefix(['+', '-']).unwrap_or(v);
    !u.is_empty() && u.bytes().all(|b| b.is_ascii_digit())
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

/// `YYYY-MM-DD` with a real calendar day.
pub(crate) fn is_date(v: &str) -> bool {
    let b = v.as_bytes();
    if !v.is_ascii() {
        return false;
    }
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let (Ok(y), Ok(m), Ok(d)) = (
        v[0..4].parse::<i32>(),
        v[5..7].parse::<u32>(),
        v[8..10].parse::<u32>(),
    ) else {
        return false;
    };
    v[0..4].bytes().all(|c| c.is_ascii_digit()) && d >= 1 && d <= days_in_month(y, m)
}

/// `YYYY-MM-DDThh:mm:ss[.fff][Z|±hh:mm]`.
fn is_date_time(v: &str) -> bool {
    if !v.is_ascii() {
        return false;
    }
    let Some((date, time)) = v.split_once('T') else {
        return false;
    };
    if !is_date(date) || time.len() < 8 {
        return false;
    }
    let (hms, mut rest) = time.split_at(8);
    let t = hms.as_bytes();
    let num = |s: &str| s.bytes().all(|c| c.is_ascii_digit()) && !s.is_empty();
    if t[2] != b':' || t[5] != b':' || !num(&hms[0..2]) || !num(&hms[3..5]) || !num(&hms[6..8]) {
        return false;
    }
    let (h, mi, s) = (
        hms[0..2].parse::<u32>().unwrap_or(99),
        hms[3..5].parse::<u32>().unwrap_or(99),
        hms[6..8].parse::<u32>().unwrap_or(99),
    );
    if h > 24 || mi > 59 || s > 59 {
        return false;
    }
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    match rest {
        "" | "Z" => true,
        tz => {
            let b = tz.as_bytes();
            b.len() == 6
                && (b[0] == b'+' || b[0] == b'-')
                && b[3] == b':'
                && num(&tz[1..3])
                && num(&tz[4..6])
        }
    }
}

/// Compares two values of `base` (dates and date-times compare lexically on the
/// local part, which is exact for the schema's far-apart bounds).
fn compare(base: Base, a: &str, b: &str) -> Option<Ordering> {
    match base {
        Base::Decimal | Base::Integer => {
            let x = Decimal::from_str(a.strip_prefix('+').unwrap_or(a)).ok()?;
            let y = Decimal::from_str(b).ok()?;
            Some(x.cmp(&y))
        }
        Base::Date | Base::DateTime => Some(a.get(..19).unwrap_or(a).cmp(b.get(..19).unwrap_or(b))),
        Base::Str => None,
    }
}

/// Plain-language description of what a type accepts, for messages (PL, EN).
fn expected(t: &SimpleType) -> (String, String) {
    match t.name {
        "TKwotowy" => (
            "kwota: maks. 16 cyfr przed i 2 po kropce, bez zer wiodących (np. 1234.56)".into(),
            "an amount: up to 16 digits before and 2 after the dot, no leading zeros (e.g. 1234.56)".into(),
        ),
        "TKwotowy2" => (
            "kwota: maks. 14 cyfr przed i 8 po kropce, bez zer wiodących".into(),
            "an amount: up to 14 digits before and 8 after the dot, no leading zeros".into(),
        ),
        "TIlosci" => (
            "liczba: maks. 16 cyfr przed i 6 po kropce, bez zer wiodących".into(),
            "a number: up to 16 digits before and 6 after the dot, no leading zeros".into(),
        ),
        "TProcentowy" => (
            "procent od 0 do 100, maks. 6 miejsc po kropce".into(),
            "a percentage from 0 to 100 with up to 6 decimals".into(),
        ),
        "TNrNIP" => (
            "NIP: 10 cyfr bez prefiksu PL i myślników, pierwsza cyfra ≠ 0, cyfry 2–3 nie obie 0".into(),
            "a NIP: 10 digits without PL prefix or dashes, first digit not 0, digits 2-3 not both 0".into(),
        ),
        "TNIPIdWew" => (
            "identyfikator wewnętrzny NIP-NNNNN (np. 5265877635-00001)".into(),
            "an internal id NIP-NNNNN (e.g. 5265877635-00001)".into(),
        ),
        "TNumerKSeF" => (
            "numer KSeF NNNNNNNNNN-RRRRMMDD-XXXXXXXXXXXX-CC".into(),
            "a KSeF number NNNNNNNNNN-YYYYMMDD-XXXXXXXXXXXX-CC".into(),
        ),
        "TNrREGON" => ("REGON: 9 lub 14 cyfr".into(), "a REGON: 9 or 14 digits".into()),
        "TNrKRS" => ("numer KRS: 10 cyfr".into(), "a KRS number: 10 digits".into()),
        "TNrVatUE" => (
            "numer VAT UE bez prefiksu kraju: 1–12 cyfr, wielkich liter, + lub *".into(),
            "an EU VAT number without the country prefix: 1-12 digits, capitals, + or *".into(),
        ),
        "SWIFT_Type" => (
            "kod SWIFT/BIC: 8 lub 11 znaków (np. BPKOPLPW)".into(),
            "a SWIFT/BIC code: 8 or 11 characters (e.g. BPKOPLPW)".into(),
        ),
        "TAdresEmail" => ("adres e-mail z @".into(), "an e-mail address with @".into()),
        _ => {
            let p = t
                .patterns
                .iter()
                .map(|s| s.join(" | "))
                .collect::<Vec<_>>()
                .join(" & ");
            (format!("wzorzec {p}"), format!("pattern {p}"))
        }
    }
}

fn shown(v: &str) -> String {
    let mut s: String = v.chars().take(60).collect();
    if v.chars().count() > 60 {
        s.push('…');
    }
    format!("\"{s}\"")
}

fn pattern_rule(t: &SimpleType) -> &'static Rule {
    match (t.base, t.name) {
        (Base::Decimal, _) => &XSD_DECIMAL,
        (_, "TNrNIP") => &NIP_PATTERN,
        (_, "TNIPIdWew") => &IDWEW_PATTERN,
        (_, "TNumerKSeF") => &KSEFNR_PATTERN,
        (Base::Date, _) => &XSD_DATE,
        _ => &XSD_PATTERN,
    }
}

/// The compiled patterns of `t` (compiled once per process; the XSD table is static).
/// A pattern outside the supported subset would be skipped, which a unit test rules out.
fn compiled(t: &SimpleType) -> &'static [Vec<Pattern>] {
    static CACHE: OnceLock<Vec<Vec<Vec<Pattern>>>> = OnceLock::new();
    let all = CACHE.get_or_init(|| {
        TYPES
            .iter()
            .map(|ty| {
                ty.patterns
                    .iter()
                    .map(|step| step.iter().filter_map(|p| Pattern::new(p)).collect())
                    .collect()
            })
            .collect()
    });
    TYPES
        .iter()
        .position(|ty| std::ptr::eq(ty, t))
        .and_then(|i| all.get(i))
        .map_or(&[], Vec::as_slice)
}

/// Checks `raw` against `t`; the first violated facet becomes the problem.
pub(crate) fn check(raw: &str, t: &SimpleType, path: &str) -> Option<Problem> {
    let v = normalize(raw, t.ws);
    let v = v.as_ref();
    let fail = |rule: &Rule, pl: String, en: String| Some(Problem::new(rule, path, pl, en));
    // Lexical space of the built-in base type.
    match t.base {
        Base::Decimal if decimal_parts(v).is_none() => {
            let (epl, een) = expected(t);
            return fail(
                &XSD_DECIMAL,
                format!("wartość {} nie jest liczbą; oczekiwano: {epl}", shown(v)),
                format!("value {} is not a number; expected {een}", shown(v)),
            );
        }
        Base::Integer if !is_integer(v) => {
            return fail(
                &XSD_INTEGER,
                format!("wartość {} nie jest liczbą całkowitą", shown(v)),
                format!("value {} is not an integer", shown(v)),
            );
        }
        Base::Date if !is_date(v) => {
            return fail(
                &XSD_DATE,
                format!("wartość {} nie jest datą w formacie RRRR-MM-DD", shown(v)),
                format!("value {} is not a date in the form YYYY-MM-DD", shown(v)),
            );
        }
        Base::DateTime if !is_date_time(v) => {
            return fail(
                &XSD_DATE,
                format!(
                    "wartość {} nie jest datą i czasem (np. 2026-02-01T10:15:00Z)",
                    shown(v)
                ),
                format!(
                    "value {} is not a date-time (e.g. 2026-02-01T10:15:00Z)",
                    shown(v)
                ),
            );
        }
        _ => {}
    }
    if !t.enums.is_empty() {
        let hit = if t.base == Base::Integer {
            t.enums
                .iter()
                .any(|e| compare(Base::Integer, v, e) == Some(Ordering::Equal))
        } else {
            t.enums.contains(&v)
        };
        if !hit {
            let list = if t.enums.len() <= 14 {
                t.enums.join(", ")
            } else {
                format!(
                    "{}, … ({} wartości / values)",
                    t.enums[..8].join(", "),
                    t.enums.len()
                )
            };
            return fail(
                &XSD_ENUM,
                format!(
                    "wartość {} spoza listy dozwolonych ({}): {list}",
                    shown(v),
                    t.name
                ),
                format!(
                    "value {} is not one of the allowed values ({}): {list}",
                    shown(v),
                    t.name
                ),
            );
        }
    }
    for step in compiled(t) {
        let ok = step.iter().any(|re| re.is_match(v));
        if !ok {
            let (epl, een) = expected(t);
            return fail(
                pattern_rule(t),
                format!(
                    "wartość {} ma niepoprawny format; oczekiwano: {epl}",
                    shown(v)
                ),
                format!("value {} has the wrong format; expected {een}", shown(v)),
            );
        }
    }
    let len = v.chars().count();
    let len_fail = |what_pl: String, what_en: String| {
        fail(
            &XSD_LENGTH,
            format!("tekst ma {len} znaków; dozwolone: {what_pl}"),
            format!("the text has {len} characters; allowed: {what_en}"),
        )
    };
    if let Some(n) = t.length.filter(|&n| n != len) {
        return len_fail(format!("dokładnie {n}"), format!("exactly {n}"));
    }
    match (t.min_len, t.max_len) {
        (Some(lo), Some(hi)) if len < lo || len > hi => {
            return len_fail(format!("{lo}–{hi}"), format!("{lo}-{hi}"));
        }
        (Some(lo), None) if len < lo => {
            return len_fail(format!("co najmniej {lo}"), format!("at least {lo}"));
        }
        (None, Some(hi)) if len > hi => {
            return len_fail(format!("co najwyżej {hi}"), format!("at most {hi}"));
        }
        _ => {}
    }
    if let (Base::Decimal, Some((int, frac))) = (t.base, decimal_parts(v)) {
        let frac_sig = frac.trim_end_matches('0');
        let int_sig = int.trim_start_matches('0');
        if let Some(fd) = t.fraction_digits.filter(|&fd| frac_sig.len() > fd) {
            let (epl, een) = expected(t);
            return fail(
                &XSD_DECIMAL,
                format!(
                    "wartość {} ma {} miejsc po przecinku, dozwolone {fd}; oczekiwano: {epl}",
                    shown(v),
                    frac_sig.len()
                ),
                format!(
                    "value {} has {} decimals, at most {fd} allowed; expected {een}",
                    shown(v),
                    frac_sig.len()
                ),
            );
        }
        if let Some(td) = t
            .total_digits
            .filter(|&td| int_sig.len() + frac_sig.len() > td)
        {
            return fail(
                &XSD_DECIMAL,
                format!("wartość {} ma więcej niż {td} cyfr znaczących", shown(v)),
                format!("value {} has more than {td} significant digits", shown(v)),
            );
        }
    }
    if t.base == Base::Integer
        && let Some(td) = t.total_digits
    {
        let digits = v
            .trim_start_matches(['+', '-'])
            .trim_start_matches('0')
            .len();
        if digits > td {
            return fail(
                &XSD_INTEGER,
                format!("wartość {} ma więcej niż {td} cyfr", shown(v)),
                format!("value {} has more than {td} digits", shown(v)),
            );
        }
    }
    let out_of_range = |bound_pl: String, bound_en: String| {
        fail(
            &XSD_RANGE,
            format!("wartość {} poza zakresem: {bound_pl}", shown(v)),
            format!("value {} is out of range: {bound_en}", shown(v)),
        )
    };
    if let Some(lo) = t.min_incl
        && compare(t.base, v, lo) == Some(Ordering::Less)
    {
        let hi = t.max_incl.unwrap_or("…");
        return out_of_range(format!("od {lo} do {hi}"), format!("from {lo} to {hi}"));
    }
    if let Some(hi) = t.max_incl
        && compare(t.base, v, hi) == Some(Ordering::Greater)
    {
        let lo = t.min_incl.unwrap_or("…");
        return out_of_range(format!("od {lo} do {hi}"), format!("from {lo} to {hi}"));
    }
    if let Some(lo) = t.min_excl
        && compare(t.base, v, lo) != Some(Ordering::Greater)
    {
        return out_of_range(format!("większa niż {lo}"), format!("greater than {lo}"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_schema_pattern_compiles() {
        for t in &TYPES {
            for p in t.patterns.iter().flat_map(|s| s.iter()) {
                assert!(Pattern::new(p).is_some(), "{}: {p}", t.name);
            }
        }
    }

    fn ty(name: &str) -> &'static SimpleType {
        TYPES.iter().find(|t| t.name == name).unwrap()
    }

    fn rule(v: &str, t: &str) -> Option<&'static str> {
        check(v, ty(t), "X").map(|p| p.rule)
    }

    #[test]
    fn amounts() {
        assert_eq!(rule("2051.00", "TKwotowy"), None);
        assert_eq!(rule(" 2051 ", "TKwotowy"), None);
        assert_eq!(rule("2051.005", "TKwotowy"), Some("FA3-XSD-DECIMAL"));
        assert_eq!(rule("02051", "TKwotowy"), Some("FA3-XSD-DECIMAL"));
        assert_eq!(rule("1,5", "TKwotowy"), Some("FA3-XSD-DECIMAL"));
        assert_eq!(rule("0.12345678", "TKwotowy2"), None);
        assert_eq!(rule("0.123456789", "TKwotowy2"), Some("FA3-XSD-DECIMAL"));
        assert_eq!(rule("4.123456", "TIlosci"), None);
        assert_eq!(rule("4.1234567", "TIlosci"), Some("FA3-XSD-DECIMAL"));
        assert_eq!(rule("100.5", "TProcentowy"), Some("FA3-XSD-RANGE"));
        assert_eq!(rule("0", "TNaturalny"), Some("FA3-XSD-RANGE"));
        assert_eq!(rule("1", "TNaturalny"), None);
    }

    #[test]
    fn texts_dates_codes() {
        assert_eq!(rule("  a   b ", "TZnakowy"), None);
        assert_eq!(rule("   ", "TZnakowy"), Some("FA3-XSD-LENGTH"));
        assert_eq!(rule(&"x".repeat(257), "TZnakowy"), Some("FA3-XSD-LENGTH"));
        assert_eq!(rule("2026-02-30", "TDataT"), Some("FA3-XSD-DATE"));
        assert_eq!(rule("2005-12-31", "TDataT"), Some("FA3-XSD-RANGE"));
        assert_eq!(rule("2050-01-01", "TDataT"), None);
        assert_eq!(rule("2050-01-02", "TDataT"), Some("FA3-XSD-RANGE"));
        assert_eq!(rule("2026-02-01T10:15:00Z", "TDataCzas"), None);
        assert_eq!(rule("2026-02-01 10:15", "TDataCzas"), Some("FA3-XSD-DATE"));
        assert_eq!(
            rule("2026-02-01T10:00:0ą", "TDataCzas"),
            Some("FA3-XSD-DATE")
        );
        assert_eq!(rule("2ą26-02-01", "TDataT"), Some("FA3-XSD-DATE"));
        assert_eq!(rule("PLN", "TKodWaluty"), None);
        assert_eq!(rule("XYZ", "TKodWaluty"), Some("FA3-XSD-ENUM"));
        assert_eq!(rule("0 KR", "TStawkaPodatku"), None);
        assert_eq!(rule("0", "TStawkaPodatku"), Some("FA3-XSD-ENUM"));
        assert_eq!(rule("5265877635", "TNrNIP"), None);
        assert_eq!(rule("PL5265877635", "TNrNIP"), Some("FA3-NIP-PATTERN"));
        assert_eq!(rule("5265877635-12345", "TNIPIdWew"), None);
        assert_eq!(rule("5265877635", "TNIPIdWew"), Some("FA3-IDWEW-PATTERN"));
    }
}
