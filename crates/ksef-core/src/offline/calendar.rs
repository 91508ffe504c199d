//! The Polish business-day calendar.
//!
//! Public holidays are the days listed in art. 1 of the Act of 18 January 1951 on
//! non-working days (ustawa z dnia 18 stycznia 1951 r. o dniach wolnych od pracy,
//! Dz.U. 1951 nr 4 poz. 28, as amended):
//!
//! | date | Polish name (statute) | since |
//! |---|---|---|
//! | 1 January | Nowy Rok | |
//! | 6 January | Święto Trzech Króli | 2011 (restored by the 2010 amendment) |
//! | Easter Sunday | pierwszy dzień Wielkiej Nocy | |
//! | Easter Monday | drugi dzień Wielkiej Nocy | |
//! | 1 May | Święto Państwowe | |
//! | 3 May | Święto Narodowe Trzeciego Maja | |
//! | Easter + 49 | pierwszy dzień Zielonych Świątek | |
//! | Easter + 60 | dzień Bożego Ciała | |
//! | 15 August | Wniebowzięcie Najświętszej Maryi Panny | |
//! | 1 November | Wszystkich Świętych | |
//! | 11 November | Narodowe Święto Niepodległości | |
//! | 24 December | Wigilia Bożego Narodzenia | 2025 (act of 6 December 2024) |
//! | 25 December | pierwszy dzień Bożego Narodzenia | |
//! | 26 December | drugi dzień Bożego Narodzenia | |
//!
//! Easter is the Gregorian Easter Sunday computed with the anonymous Gregorian algorithm
//! (Meeus, *Astronomical Algorithms*, ch. 8; also known as Meeus–Jones–Butcher).
//!
//! A **business day** (dzień roboczy) is a day that is not a Saturday, not a Sunday and
//! not a public holiday. A holiday that falls on a Saturday or Sunday does not move: the
//! labour-code rule that gives employees another day off for a Saturday holiday
//! (Kodeks pracy art. 130 §2) concerns working time, not the calendar, so the Monday
//! after stays a business day.

use time::{Date, Month, Weekday};

use super::{OfflineError, Result, check_year};

/// A statutory public holiday in Poland.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Holiday {
    /// 1 January.
    NewYear,
    /// 6 January (since 2011).
    Epiphany,
    /// Easter Sunday.
    EasterSunday,
    /// Easter Monday (Easter + 1).
    EasterMonday,
    /// 1 May.
    LabourDay,
    /// 3 May.
    ConstitutionDay,
    /// Pentecost Sunday (Easter + 49).
    Pentecost,
    /// Corpus Christi (Easter + 60, a Thursday).
    CorpusChristi,
    /// 15 August.
    Assumption,
    /// 1 November.
    AllSaints,
    /// 11 November.
    IndependenceDay,
    /// 24 December (since 2025).
    ChristmasEve,
    /// 25 December.
    ChristmasDay,
    /// 26 December.
    SecondDayOfChristmas,
}

impl Holiday {
    /// The name used in the Act on non-working days.
    pub fn polish_name(self) -> &'static str {
        match self {
            Holiday::NewYear => "Nowy Rok",
            Holiday::Epiphany => "Święto Trzech Króli",
            Holiday::EasterSunday => "pierwszy dzień Wielkiej Nocy",
            Holiday::EasterMonday => "drugi dzień Wielkiej Nocy",
            Holiday::LabourDay => "Święto Państwowe",
            Holiday::ConstitutionDay => "Święto Narodowe Trzeciego Maja",
            Holiday::Pentecost => "pierwszy dzień Zielonych Świątek",
            Holiday::CorpusChristi => "dzień Bożego Ciała",
            Holiday::Assumption => "Wniebowzięcie Najświętszej Maryi Panny",
            Holiday::AllSaints => "Wszystkich Świętych",
            Holiday::IndependenceDay => "Narodowe Święto Niepodległości",
            Holiday::ChristmasEve => "Wigilia Bożego Narodzenia",
            Holiday::ChristmasDay => "pierwszy dzień Bożego Narodzenia",
            Holiday::SecondDayOfChristmas => "drugi dzień Bożego Narodzenia",
        }
    }

    /// The usual English name.
    pub fn english_name(self) -> &'static str {
        match self {
            Holiday::NewYear => "New Year's Day",
            Holiday::Epiphany => "Epiphany",
            Holiday::EasterSunday => "Easter Sunday",
            Holiday::EasterMonday => "Easter Monday",
            Holiday::LabourDay => "Labour Day",
            Holiday::ConstitutionDay => "Constitution Day",
            Holiday::Pentecost => "Pentecost Sunday",
            Holiday::CorpusChristi => "Corpus Christi",
            Holiday::Assumption => "Assumption of Mary",
            Holiday::AllSaints => "All Saints' Day",
            Holiday::IndependenceDay => "National Independence Day",
            Holiday::ChristmasEve => "Christmas Eve",
            Holiday::ChristmasDay => "Christmas Day",
            Holiday::SecondDayOfChristmas => "Second Day of Christmas",
        }
    }
}

impl std::fmt::Display for Holiday {
    /// Writes the Polish (statutory) name.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.polish_name())
    }
}

/// Gregorian Easter Sunday of `year` (anonymous Gregorian algorithm, Meeus ch. 8).
///
/// Refuses years outside [`SUPPORTED_YEARS`](super::SUPPORTED_YEARS).
pub fn easter_sunday(year: i32) -> Result<Date> {
    check_year(year)?;
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    let month = if month == 3 {
        Month::March
    } else {
        Month::April
    };
    ymd(year, month, day)
}

fn ymd(year: i32, month: Month, day: i32) -> Result<Date> {
    u8::try_from(day)
        .ok()
        .and_then(|day| Date::from_calendar_date(year, month, day).ok())
        .ok_or(OfflineError::YearOutOfRange { year })
}

fn plus_days(date: Date, days: i64) -> Result<Date> {
    date.checked_add(time::Duration::days(days))
        .ok_or(OfflineError::YearOutOfRange { year: date.year() })
}

/// The public holidays of `year`, in date order.
///
/// Easter Sunday and Pentecost Sunday are always Sundays; they are listed because the
/// statute lists them.
pub fn holidays(year: i32) -> Result<Vec<(Date, Holiday)>> {
    let easter = easter_sunday(year)?;
    let mut out = vec![
        (ymd(year, Month::January, 1)?, Holiday::NewYear),
        (ymd(year, Month::January, 6)?, Holiday::Epiphany),
        (easter, Holiday::EasterSunday),
        (plus_days(easter, 1)?, Holiday::EasterMonday),
        (ymd(year, Month::May, 1)?, Holiday::LabourDay),
        (ymd(year, Month::May, 3)?, Holiday::ConstitutionDay),
        (plus_days(easter, 49)?, Holiday::Pentecost),
        (plus_days(easter, 60)?, Holiday::CorpusChristi),
        (ymd(year, Month::August, 15)?, Holiday::Assumption),
        (ymd(year, Month::November, 1)?, Holiday::AllSaints),
        (ymd(year, Month::November, 11)?, Holiday::IndependenceDay),
    ];
    if year >= 2025 {
        out.push((ymd(year, Month::December, 24)?, Holiday::ChristmasEve));
    }
    out.push((ymd(year, Month::December, 25)?, Holiday::ChristmasDay));
    out.push((
        ymd(year, Month::December, 26)?,
        Holiday::SecondDayOfChristmas,
    ));
    // Easter falls between 22 March and 25 April, so Easter + 60 is at latest 24 June:
    // the fixed and movable days interleave only in spring; sort to be safe.
    out.sort_by_key(|(d, _)| *d);
    Ok(out)
}

/// The public holiday on `date`, if any.
pub fn is_public_holiday(date: Date) -> Result<Option<Holiday>> {
    Ok(holidays(date.year())?
        .into_iter()
        .find(|(d, _)| *d == date)
        .map(|(_, h)| h))
}

/// Why a day is not a business day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DayOff {
    /// A public holiday (reported even when it falls on a weekend).
    Holiday(Holiday),
    /// A Saturday that is not a public holiday.
    Saturday,
    /// A Sunday that is not a public holiday.
    Sunday,
}

impl std::fmt::Display for DayOff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DayOff::Holiday(h) => write!(
                f,
                "public holiday {} ({})",
                h.polish_name(),
                h.english_name()
            ),
            DayOff::Saturday => f.write_str("Saturday"),
            DayOff::Sunday => f.write_str("Sunday"),
        }
    }
}

/// Why `date` is not a business day, or `None` if it is one.
pub fn day_off(date: Date) -> Result<Option<DayOff>> {
    if let Some(h) = is_public_holiday(date)? {
        return Ok(Some(DayOff::Holiday(h)));
    }
    Ok(match date.weekday() {
        Weekday::Saturday => Some(DayOff::Saturday),
        Weekday::Sunday => Some(DayOff::Sunday),
        _ => None,
    })
}

/// Whether `date` is a business day: not a Saturday, not a Sunday, not a public holiday.
pub fn is_business_day(date: Date) -> Result<bool> {
    Ok(day_off(date)?.is_none())
}

/// The first business day strictly after `date`.
pub fn next_business_day(date: Date) -> Result<Date> {
    add_business_days(date, 1)
}

/// The `n`-th business day strictly after `date` (`date` itself is never counted).
///
/// `n = 0` returns `date` unchanged. Deadlines "within n business days from day X" are
/// `add_business_days(X, n)`: the count starts on the day after X (Ordynacja podatkowa
/// art. 12 §1 — the day of the event is not counted).
pub fn add_business_days(date: Date, n: u32) -> Result<Date> {
    check_year(date.year())?;
    let mut day = date;
    let mut left = n;
    while left > 0 {
        day = day
            .next_day()
            .ok_or(OfflineError::YearOutOfRange { year: day.year() })?;
        if is_business_day(day)? {
            left -= 1;
        }
    }
    Ok(day)
}

/// Parses a `YYYY-MM-DD` date, telling a malformed string apart from an impossible day.
///
/// The year is not range-checked here; the calendar functions do that.
pub fn parse_date(input: &str) -> Result<Date> {
    let format_err = || OfflineError::DateFormat {
        input: input.to_owned(),
    };
    let bytes = input.as_bytes();
    let shaped = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shaped {
        return Err(format_err());
    }
    let num = |range: std::ops::Range<usize>| -> Result<u16> {
        input
            .get(range)
            .and_then(|s| s.parse().ok())
            .ok_or_else(format_err)
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let invalid = || OfflineError::InvalidDate {
        input: input.to_owned(),
    };
    let month = u8::try_from(month)
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .ok_or_else(invalid)?;
    let day = u8::try_from(day).map_err(|_| invalid())?;
    Date::from_calendar_date(i32::from(year), month, day).map_err(|_| invalid())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn easter_matches_known_dates() {
        assert_eq!(easter_sunday(2025).unwrap(), date!(2025 - 04 - 20));
        assert_eq!(easter_sunday(2011).unwrap(), date!(2011 - 04 - 24));
        assert_eq!(easter_sunday(2038).unwrap(), date!(2038 - 04 - 25)); // latest possible
        assert_eq!(easter_sunday(2160).unwrap(), date!(2160 - 03 - 23));
    }

    #[test]
    fn year_range_is_enforced() {
        assert_eq!(
            holidays(2010),
            Err(OfflineError::YearOutOfRange { year: 2010 })
        );
        assert!(holidays(2200).is_err());
        assert!(add_business_days(date!(2199 - 12 - 30), 2).is_err());
    }

    #[test]
    fn parse_date_errors() {
        assert_eq!(parse_date("2025-07-08").unwrap(), date!(2025 - 07 - 08));
        assert_eq!(
            parse_date("2025-02-30").unwrap_err().to_string(),
            "2025-02-30 is not a valid date"
        );
        assert!(matches!(
            parse_date("2025-13-01"),
            Err(OfflineError::InvalidDate { .. })
        ));
        for bad in [
            "2025-7-8",
            "20250708",
            "2025/07/08",
            "",
            "2025-07-0x",
            "+025-07-08",
        ] {
            assert!(
                matches!(parse_date(bad), Err(OfflineError::DateFormat { .. })),
                "{bad}"
            );
        }
    }
}
