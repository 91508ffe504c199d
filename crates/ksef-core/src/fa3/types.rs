//! Simple value types shared by the FA(3) model: dates (`etd:TData` and its
//! `TDataT`/`TDataU` restrictions), date-times (`etd:TDataCzas`) and the
//! error of enumeration parsing. FA3.md §9.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use crate::xml::read::XmlText;
use crate::xml::text::text_value;

/// A value is not a literal of an XSD enumeration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {type_name} value {value:?}")]
pub struct ParseEnumError {
    /// The XSD type (e.g. `TKodWaluty`).
    pub type_name: &'static str,
    /// The rejected text.
    pub value: String,
}

impl ParseEnumError {
    pub(crate) fn new(type_name: &'static str, value: &str) -> Self {
        ParseEnumError {
            type_name,
            value: value.to_owned(),
        }
    }
}

/// A text is not an acceptable date or date-time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {kind} {value:?}: expected {expected}")]
pub struct ParseDateError {
    /// `date` or `date-time`.
    pub kind: &'static str,
    /// The rejected text.
    pub value: String,
    /// The accepted form.
    pub expected: &'static str,
}

/// The optional timezone of an `xsd:date` (`Z` or `±hh:mm`), kept so that any
/// schema-valid date round-trips; FA(3) documents normally carry none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Timezone {
    /// `Z`.
    Utc,
    /// `+hh:mm` / `-hh:mm`, as signed minutes (−840..=840).
    Offset(i16),
}

/// A calendar date `YYYY-MM-DD` (`etd:TData`, used by `P_1`, `P_6`, `Termin`, ...).
///
/// Strict four-digit year; the rare `xsd:date` timezone suffix is preserved in
/// [`Date::timezone`]. Range facets (e.g. `TDataT` 2006-01-01..2050-01-01)
/// are not checked here; the validator reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
    timezone: Option<Timezone>,
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        _ => 0,
    }
}

impl Date {
    /// A date without timezone; `None` if it is not a calendar date (year 0000–9999).
    pub fn new(year: u16, month: u8, day: u8) -> Option<Self> {
        (year <= 9999 && (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month))
            .then_some(Date {
                year,
                month,
                day,
                timezone: None,
            })
    }

    /// The same date with timezone `tz`.
    pub fn with_timezone(self, tz: Option<Timezone>) -> Self {
        Date {
            timezone: tz,
            ..self
        }
    }

    /// Year.
    pub fn year(&self) -> u16 {
        self.year
    }

    /// Month (1–12).
    pub fn month(&self) -> u8 {
        self.month
    }

    /// Day of month (1–31).
    pub fn day(&self) -> u8 {
        self.day
    }

    /// The timezone suffix, if the document had one.
    pub fn timezone(&self) -> Option<Timezone> {
        self.timezone
    }
}

impl From<time::Date> for Date {
    fn from(d: time::Date) -> Self {
        Date {
            year: u16::try_from(d.year()).unwrap_or(0),
            month: u8::from(d.month()),
            day: d.day(),
            timezone: None,
        }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)?;
        match self.timezone {
            None => Ok(()),
            Some(Timezone::Utc) => f.write_str("Z"),
            Some(Timezone::Offset(m)) => {
                let sign = if m < 0 { '-' } else { '+' };
                let m = m.unsigned_abs();
                write!(f, "{sign}{:02}:{:02}", m / 60, m % 60)
            }
        }
    }
}

/// A calendar date from exactly `YYYY-MM-DD` (`day_first`: `DD-MM-YYYY`, as in KOD I
/// links), years 0001–9999; `None` for any other shape or a day the calendar lacks.
/// Hand-written: `time`'s format-description parser cost the browser module ~20 KB.
pub(crate) fn calendar_date(s: &str, day_first: bool) -> Option<time::Date> {
    let b = s.as_bytes();
    let (y, m, d) = match (b.len(), day_first) {
        (10, false) if b[4] == b'-' && b[7] == b'-' => (&b[0..4], &b[5..7], &b[8..10]),
        (10, true) if b[2] == b'-' && b[5] == b'-' => (&b[6..10], &b[3..5], &b[0..2]),
        _ => return None,
    };
    let month = time::Month::try_from(u8::try_from(digits(m)?).ok()?).ok()?;
    let year = digits(y).filter(|y| *y > 0)?;
    time::Date::from_calendar_date(i32::from(year), month, u8::try_from(digits(d)?).ok()?).ok()
}

fn digits(s: &[u8]) -> Option<u16> {
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    s.iter().try_fold(0u16, |acc, d| {
        acc.checked_mul(10)?.checked_add(u16::from(d - b'0'))
    })
}

fn parse_timezone(tz: &[u8]) -> Option<Option<Timezone>> {
    match tz {
        [] => Some(None),
        [b'Z'] => Some(Some(Timezone::Utc)),
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let h = digits(&[*h1, *h2])?;
            let m = digits(&[*m1, *m2])?;
            if m > 59 || h > 14 || (h == 14 && m != 0) {
                return None;
            }
            let total = i16::try_from(h * 60 + m).ok()?;
            Some(Some(Timezone::Offset(if *sign == b'-' {
                -total
            } else {
                total
            })))
        }
        _ => None,
    }
}

impl FromStr for Date {
    type Err = ParseDateError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ParseDateError {
            kind: "date",
            value: s.to_owned(),
            expected: "YYYY-MM-DD (optionally followed by Z or ±hh:mm)",
        };
        let b = s.as_bytes();
        if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(err());
        }
        let year = digits(&b[0..4]).ok_or_else(err)?;
        let month = u8::try_from(digits(&b[5..7]).ok_or_else(err)?).map_err(|_| err())?;
        let day = u8::try_from(digits(&b[8..10]).ok_or_else(err)?).map_err(|_| err())?;
        let tz = parse_timezone(&b[10..]).ok_or_else(err)?;
        Date::new(year, month, day)
            .map(|d| d.with_timezone(tz))
            .ok_or_else(err)
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl XmlText for Date {
    fn parse_text(s: &str) -> Result<Self, String> {
        s.trim_matches([' ', '\t', '\r', '\n'])
            .parse()
            .map_err(|e: ParseDateError| e.to_string())
    }
    fn to_text(&self) -> Cow<'_, str> {
        Cow::Owned(self.to_string())
    }
}

/// An `xsd:dateTime` (`etd:TDataCzas`, e.g. `DataWytworzeniaFa`) kept as its
/// exact lexical form so documents round-trip byte for byte.
///
/// The form `YYYY-MM-DDThh:mm:ss[.s+][Z|±hh:mm]` is checked; range facets are not.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DateTime(String);

impl DateTime {
    /// The lexical value.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Formats an instant as RFC 3339 (e.g. `2026-02-01T10:15:00Z`).
    pub fn from_offset_date_time(t: time::OffsetDateTime) -> Option<Self> {
        t.format(&time::format_description::well_known::Rfc3339)
            .ok()
            .map(DateTime)
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for DateTime {
    type Err = ParseDateError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ParseDateError {
            kind: "date-time",
            value: s.to_owned(),
            expected: "YYYY-MM-DDThh:mm:ss[.s][Z|±hh:mm]",
        };
        let b = s.as_bytes();
        if b.len() < 19 || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
            return Err(err());
        }
        Date::from_str(&s[..10]).map_err(|_| err())?;
        let h = digits(&b[11..13]).ok_or_else(err)?;
        let mi = digits(&b[14..16]).ok_or_else(err)?;
        let sec = digits(&b[17..19]).ok_or_else(err)?;
        let mut rest = &b[19..];
        if let [b'.', tail @ ..] = rest {
            let n = tail.iter().take_while(|c| c.is_ascii_digit()).count();
            if n == 0 {
                return Err(err());
            }
            rest = &tail[n..];
        }
        parse_timezone(rest).ok_or_else(err)?;
        if mi > 59 || sec > 59 || h > 24 || (h == 24 && (mi != 0 || sec != 0)) {
            return Err(err());
        }
        Ok(DateTime(s.to_owned()))
    }
}

impl serde::Serialize for DateTime {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for DateTime {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl XmlText for DateTime {
    fn parse_text(s: &str) -> Result<Self, String> {
        s.trim_matches([' ', '\t', '\r', '\n'])
            .parse()
            .map_err(|e: ParseDateError| e.to_string())
    }
    fn to_text(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.0)
    }
}

text_value!(Date, DateTime);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_dates_are_strict() {
        use time::macros::date;
        assert_eq!(
            calendar_date("2026-02-28", false),
            Some(date!(2026 - 02 - 28))
        );
        assert_eq!(
            calendar_date("2024-02-29", false),
            Some(date!(2024 - 02 - 29))
        );
        assert_eq!(
            calendar_date("28-02-2026", true),
            Some(date!(2026 - 02 - 28))
        );
        assert_eq!(
            calendar_date("0001-01-01", false),
            Some(date!(0001 - 01 - 01))
        );
        for bad in [
            "2026-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-01-00",
            "2026-01-32",
            "0000-01-01",
            "2026-1-01",
            "2026/01/01",
            "+026-01-01",
            "2026-01-01Z",
            " 2026-01-01",
            "",
            "2026-0a-01",
            "28-02-2026",
        ] {
            assert_eq!(calendar_date(bad, false), None, "{bad}");
        }
        assert_eq!(calendar_date("2026-02-28", true), None);
        assert_eq!(calendar_date("29-02-2026", true), None);
    }

    #[test]
    fn dates_are_strict_and_keep_their_timezone() {
        for ok in [
            "2026-02-28",
            "2024-02-29",
            "2026-02-01Z",
            "2026-02-01+01:00",
            "2026-02-01-14:00",
        ] {
            assert_eq!(ok.parse::<Date>().unwrap().to_string(), ok);
        }
        for bad in [
            "2026-2-01",
            "2026-02-30",
            "2025-02-29",
            "26-02-01",
            "2026/02/01",
            "2026-02-01T00:00",
            "2026-02-01+15:00",
            "2026-13-01",
            "",
            "2026-02-01 ",
        ] {
            let e = bad.parse::<Date>().unwrap_err();
            assert_eq!(e.value, bad);
        }
        assert_eq!(
            Date::parse_text(" 2026-02-01\n").unwrap(),
            Date::new(2026, 2, 1).unwrap()
        );
        let d: Date = serde_json::from_str("\"2026-02-01\"").unwrap();
        assert_eq!(serde_json::to_string(&d).unwrap(), "\"2026-02-01\"");
    }

    #[test]
    fn date_times_keep_the_lexical_form() {
        for ok in [
            "2026-02-01T10:15:00Z",
            "2026-02-01T10:15:00.123456+01:00",
            "2026-02-01T10:15:00",
            "2026-02-01T24:00:00Z",
        ] {
            assert_eq!(ok.parse::<DateTime>().unwrap().as_str(), ok);
        }
        for bad in [
            "2026-02-01",
            "2026-02-01T10:15Z",
            "2026-02-01T10:60:00Z",
            "2026-02-01T10:15:00.Z",
        ] {
            assert!(bad.parse::<DateTime>().is_err(), "{bad}");
        }
        let t = time::macros::datetime!(2026-02-01 10:15:00 UTC);
        assert_eq!(
            DateTime::from_offset_date_time(t).unwrap().as_str(),
            "2026-02-01T10:15:00Z"
        );
    }

    #[test]
    fn enums_map_literals_both_ways() {
        use crate::fa3::{KodWaluty, StawkaPodatku, Wybor12};
        assert_eq!(
            "0 KR".parse::<StawkaPodatku>().unwrap(),
            StawkaPodatku::ZeroKr
        );
        assert_eq!(StawkaPodatku::NpII.as_str(), "np II");
        let e = "24".parse::<StawkaPodatku>().unwrap_err();
        assert_eq!(e.to_string(), "invalid TStawkaPodatku value \"24\"");
        // XML lexical forms: whitespace collapse and integer lexicals.
        assert_eq!(
            StawkaPodatku::parse_text(" 0  KR ").unwrap(),
            StawkaPodatku::ZeroKr
        );
        assert_eq!(Wybor12::parse_text("+02").unwrap(), Wybor12::Nie);
        assert!(Wybor12::parse_text("3").is_err());
        assert_eq!(KodWaluty::VALUES.len(), 182);
        assert_eq!(crate::fa3::KodKraju::VALUES.len(), 254);
        assert_eq!(crate::fa3::KodyKrajowUE::VALUES.len(), 28);
        assert_eq!(serde_json::to_string(&KodWaluty::EUR).unwrap(), "\"EUR\"");
        assert!(serde_json::from_str::<KodWaluty>("\"eur\"").is_err());
    }
}
