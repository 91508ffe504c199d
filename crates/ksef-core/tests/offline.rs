//! Offline-mode calendar, Europe/Warsaw time and deadlines (`ksef_core::offline`).
//!
//! Oracles, independent of the implementation:
//! - [`HOLIDAYS_2025_2035`]: written by hand from art. 1 of the Act of 18 January 1951 on
//!   non-working days (as amended; 24 December from 2025), with Easter dates checked by
//!   Python's `dateutil.easter` and, in-test, by Gauss's Easter algorithm;
//! - [`SUMMER_TIME_2025_2035`]: the Europe/Warsaw transitions printed by Python's
//!   `zoneinfo` (IANA tzdata) on the development machine;
//! - deadlines worked out by hand with a calendar, each case commented with the count.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ksef_core::offline::calendar::easter_sunday;
use ksef_core::offline::warsaw::{self, CEST, CET, summer_time_end, summer_time_start};
use ksef_core::offline::{
    AnnouncedPeriod, Deadline, DeadlineStatus, Holiday, LocalResult, OfflineError, OfflineMode,
    PeriodKind, add_business_days, deadline, deadline_from_dates, deadline_status, from_warsaw,
    holidays, is_business_day, is_public_holiday, next_business_day, parse_date, to_warsaw,
    warsaw_date,
};
use time::macros::{date, datetime};
use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime, Weekday};

/// Polish statutory public holidays 2025–2035, by hand from the Act on non-working days
/// (Dz.U. 1951 nr 4 poz. 28 as amended). Movable feasts: Easter Sunday E (computus),
/// Easter Monday E+1, Pentecost E+49, Corpus Christi E+60. 24 December is a holiday from
/// 2025 (act of 6 December 2024 amending the Act on non-working days).
const HOLIDAYS_2025_2035: &[(&str, &str)] = &[
    // 2025: Easter 2025-04-20
    ("2025-01-01", "Nowy Rok"),
    ("2025-01-06", "Święto Trzech Króli"),
    ("2025-04-20", "pierwszy dzień Wielkiej Nocy"),
    ("2025-04-21", "drugi dzień Wielkiej Nocy"),
    ("2025-05-01", "Święto Państwowe"),
    ("2025-05-03", "Święto Narodowe Trzeciego Maja"),
    ("2025-06-08", "pierwszy dzień Zielonych Świątek"),
    ("2025-06-19", "dzień Bożego Ciała"),
    ("2025-08-15", "Wniebowzięcie Najświętszej Maryi Panny"),
    ("2025-11-01", "Wszystkich Świętych"),
    ("2025-11-11", "Narodowe Święto Niepodległości"),
    ("2025-12-24", "Wigilia Bożego Narodzenia"),
    ("2025-12-25", "pierwszy dzień Bożego Narodzenia"),
    ("2025-12-26", "drugi dzień Bożego Narodzenia"),
    // 2026: Easter 2026-04-05
    ("2026-01-01", "Nowy Rok"),
    ("2026-01-06", "Święto Trzech Króli"),
    ("2026-04-05", "pierwszy dzień Wielkiej Nocy"),
    ("2026-04-06", "drugi dzień Wielkiej Nocy"),
    ("2026-05-01", "Święto Państwowe"),
    ("2026-05-03", "Święto Narodowe Trzeciego Maja"),
    ("2026-05-24", "pierwszy dzień Zielonych Świątek"),
    ("2026-06-04", "dzień Bożego Ciała"),
    ("2026-08-15", "Wniebowzięcie Najświętszej Maryi Panny"),
    ("2026-11-01", "Wszystkich Świętych"),
    ("2026-11-11", "Narodowe Święto Niepodległości"),
    ("2026-12-24", "Wigilia Bożego Narodzenia"),
    ("2026-12-25", "pierwszy dzień Bożego Narodzenia"),
    ("2026-12-26", "drugi dzień Bożego Narodzenia"),
    // 2027: Easter 2027-03-28
    ("2027-01-01", "Nowy Rok"),
    ("2027-01-06", "Święto Trzech Króli"),
    ("2027-03-28", "pierwszy dzień Wielkiej Nocy"),
    ("2027-03-29", "drugi dzień Wielkiej Nocy"),
    ("2027-05-01", "Święto Państwowe"),
    ("2027-05-03", "Święto Narodowe Trzeciego Maja"),
    ("2027-05-16", "pierwszy dzień Zielonych Świątek"),
    ("2027-05-27", "dzień Bożego Ciała"),
    ("2027-08-15", "Wniebowzięcie Najświętszej Maryi Panny"),
    ("2027-11-01", "Wszystkich Świętych"),
    ("2027-11-11", "Narodowe Święto Niepodległości"),
    ("2027-12-24", "Wigilia Bożego Narodzenia"),
    ("2027-12-25", "pierwszy dzień Bożego Narodzenia"),
    ("2027-12-26", "drugi dzień Bożego Narodzenia"),
    // 2028: Easter 2028-04-16
    ("2028-01-01", "Nowy Rok"),
    ("2028-01-06", "Święto Trzech Króli"),
    ("2028-04-16", "pierwszy dzień Wielkiej Nocy"),
    ("2028-04-17", "drugi dzień Wielkiej Nocy"),
    ("2028-05-01", "Święto Państwowe"),
    ("2028-05-03", "Święto Narodowe Trzeciego Maja"),
    ("2028-06-04", "pierwszy dzień Zielonych Świątek"),
    ("2028-06-15", "dzień Bożego Ciała"),
    ("2028-08-15", "Wniebowzięcie Najświętszej Maryi Panny"),
    ("2028-11-01", "Wszystkich Świętych"),
    ("2028-11-11", "Narodowe Święto Niepodległości"),
    ("2028-12-24", "Wigilia Bożego Narodzenia"),
    ("2028-12-25", "pierwszy dzień Bożego Narodzenia"),
    ("2028-12-26", "drugi dzień Bożego Narodzenia"),
    // 2029: Easter 2029-04-01
    ("2029-01-01", "Nowy Rok"),
    ("2029-01-06", "Święto Trzech Króli"),
    ("2029-04-01", "pierwszy dzień Wielkiej Nocy"),
    ("2029-04-02", "drugi dzień Wielkiej Nocy"),
    ("2029-05-01", "Święto Państwowe"),
    ("2029-05-03", "Święto Narodowe Trzeciego Maja"),
    ("2029-05-20", "pierwszy dzień Zielonych Świątek"),
    ("2029-05-31", "dzień Bożego Ciała"),
    ("2029-08-15", "Wniebowzięcie Najświętszej Maryi Panny"),
    ("2029-11-01", "Wszystkich Świętych"),
    ("2029-11-11", "Narodowe Święto Niepodległości"),
    ("2029-12-24", "Wigilia Bożego Narodzenia"),
    ("2029-12-25", "pierwszy dzień Bożego Narodzenia"),
    ("2029-12-26", "drugi dzień Bożego Narodzenia"),
    // 2030: Easter 2030-04-21
    ("2030-01-01", "Nowy Rok"),
    ("2030-01-06", "Święto Trzech Króli"),
    ("2030-04-21", "pierwszy dzień Wielkiej Nocy"),
    ("2030-04-22", "drugi dzień Wielkiej Nocy"),
    ("2030-05-01", "Święto Państwowe"),
    ("2030-05-03", "Święto Narodowe Trzeciego Maja"),
    ("2030-06-09", "pierwszy dzień Zielonych Świątek"),
    ("2030-06-20", "dzień Bożego Ciała"),
    ("2030-08-15", "Wniebowzięcie Najświętszej Maryi Panny"),
    ("2030-11-01", "Wszystkich Świętych"),
    ("2030-11-11", "Narodowe Święto Niepodległości"),
    ("2030-12-24", "Wigilia Bożego Narodzenia"),
    ("2030-12-25", "pierwszy dzień Bożego Narodzenia"),
    ("2030-12-26", "drugi dzień Bożego Narodzenia"),
    // 2031: Easter 2031-04-13
    ("2031-01-01", "Nowy Rok"),
    ("2031-01-06", "Święto Trzech Króli"),
    ("2031-04-13", "pierwszy dzień Wielkiej Nocy"),
    ("2031-04-14", "drugi dzień Wielkiej Nocy"),
    ("2031-05-01", "Święto Państwowe"),
    ("2031-05-03", "Święto Narodowe Trzeciego Maja"),
    ("2031-06-01", "pierwszy dzień Zielonych Świątek"),
    ("2031-06-12", "dzień Bożego Ciała"),
    ("2031-08-15", "Wniebowzięcie Najświętszej Maryi Panny"),
    ("2031-11-01", "Wszystkich Świętych"),
    ("2031-11-11", "Narodowe Święto Niepodległości"),
    ("2031-12-24", "Wigilia Bożego Narodzenia"),
    ("2031-12-25", "pierwszy dzień Bożego Narodzenia"),
    ("2031-12-26", "drugi dzień Bożego Narodzenia"),
    // 2032: Easter 2032-03-28
    ("2032-01-01", "Nowy Rok"),
    ("2032-01-06", "Święto Trzech Króli"),
    ("2032-03-28", "pierwszy dzień Wielkiej Nocy"),
    ("2032-03-29", "drugi dzień Wielkiej Nocy"),
    ("2032-05-01", "Święto Państwowe"),
    ("2032-05-03", "Święto Narodowe Trzeciego Maja"),
    ("2032-05-16", "pierwszy dzień Zielonych Świątek"),
    ("2032-05-27", "dzień Bożego Ciała"),
    ("2032-08-15", "Wniebowzięcie Najświętszej Maryi Panny"),
    ("2032-11-01", "Wszystkich Świętych"),
    ("2032-11-11", "Narodowe Święto Niepodległości"),
    ("2032-12-24", "Wigilia Bożego Narodzenia"),
    ("2032-12-25", "pierwszy dzień Bożego Narodzenia"),
    ("2032-12-26", "drugi dzień Bożego Narodzenia"),
    // 2033: Easter 2033-04-17
    ("2033-01-01", "Nowy Rok"),
    ("2033-01-06", "Święto Trzech Króli"),
    ("2033-04-17", "pierwszy dzień Wielkiej Nocy"),
    ("2033-04-18", "drugi dzień Wielkiej Nocy"),
    ("2033-05-01", "Święto Państwowe"),
    ("2033-05-03", "Święto Narodowe Trzeciego Maja"),
    ("2033-06-05", "pierwszy dzień Zielonych Świątek"),
    ("2033-06-16", "dzień Bożego Ciała"),
    ("2033-08-15", "Wniebowzięcie Najświętszej Maryi Panny"),
    ("2033-11-01", "Wszystkich Świętych"),
    ("2033-11-11", "Narodowe Święto Niepodległości"),
    ("2033-12-24", "Wigilia Bożego Narodzenia"),
    ("2033-12-25", "pierwszy dzień Bożego Narodzenia"),
    ("2033-12-26", "drugi dzień Bożego Narodzenia"),
    // 2034: Easter 2034-04-09
    ("2034-01-01", "Nowy Rok"),
    ("2034-01-06", "Święto Trzech Króli"),
    ("2034-04-09", "pierwszy dzień Wielkiej Nocy"),
    ("2034-04-10", "drugi dzień Wielkiej Nocy"),
    ("2034-05-01", "Święto Państwowe"),
    ("2034-05-03", "Święto Narodowe Trzeciego Maja"),
    ("2034-05-28", "pierwszy dzień Zielonych Świątek"),
    ("2034-06-08", "dzień Bożego Ciała"),
    ("2034-08-15", "Wniebowzięcie Najświętszej Maryi Panny"),
    ("2034-11-01", "Wszystkich Świętych"),
    ("2034-11-11", "Narodowe Święto Niepodległości"),
    ("2034-12-24", "Wigilia Bożego Narodzenia"),
    ("2034-12-25", "pierwszy dzień Bożego Narodzenia"),
    ("2034-12-26", "drugi dzień Bożego Narodzenia"),
    // 2035: Easter 2035-03-25
    ("2035-01-01", "Nowy Rok"),
    ("2035-01-06", "Święto Trzech Króli"),
    ("2035-03-25", "pierwszy dzień Wielkiej Nocy"),
    ("2035-03-26", "drugi dzień Wielkiej Nocy"),
    ("2035-05-01", "Święto Państwowe"),
    ("2035-05-03", "Święto Narodowe Trzeciego Maja"),
    ("2035-05-13", "pierwszy dzień Zielonych Świątek"),
    ("2035-05-24", "dzień Bożego Ciała"),
    ("2035-08-15", "Wniebowzięcie Najświętszej Maryi Panny"),
    ("2035-11-01", "Wszystkich Świętych"),
    ("2035-11-11", "Narodowe Święto Niepodległości"),
    ("2035-12-24", "Wigilia Bożego Narodzenia"),
    ("2035-12-25", "pierwszy dzień Bożego Narodzenia"),
    ("2035-12-26", "drugi dzień Bożego Narodzenia"),
];

fn d(s: &str) -> Date {
    parse_date(s).unwrap()
}

fn is_weekend(day: Date) -> bool {
    matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// Business day by the test's own oracle (weekday + the hand-written table).
fn oracle_business_day(day: Date) -> bool {
    let s = day.to_string();
    !is_weekend(day) && !HOLIDAYS_2025_2035.iter().any(|(h, _)| *h == s)
}

// ---------------------------------------------------------------- calendar

#[test]
fn holidays_2025_2035_match_the_statute_year_by_year() {
    for year in 2025..=2035 {
        let expected: Vec<(String, String)> = HOLIDAYS_2025_2035
            .iter()
            .filter(|(day, _)| day.starts_with(&year.to_string()))
            .map(|(day, name)| (day.to_string(), name.to_string()))
            .collect();
        let got: Vec<(String, String)> = holidays(year)
            .unwrap()
            .into_iter()
            .map(|(day, h)| (day.to_string(), h.polish_name().to_string()))
            .collect();
        assert_eq!(got, expected, "year {year}");
        assert_eq!(got.len(), 14, "year {year}");
    }
}

#[test]
fn every_day_2025_2035_agrees_with_the_table() {
    let mut day = date!(2025 - 01 - 01);
    while day <= date!(2035 - 12 - 31) {
        let in_table = HOLIDAYS_2025_2035
            .iter()
            .find(|(h, _)| *h == day.to_string())
            .map(|(_, n)| *n);
        assert_eq!(
            is_public_holiday(day).unwrap().map(Holiday::polish_name),
            in_table,
            "{day}"
        );
        assert_eq!(
            is_business_day(day).unwrap(),
            oracle_business_day(day),
            "{day}"
        );
        day = day.next_day().unwrap();
    }
}

/// Gauss's Easter algorithm (with its two exceptions): a second, independent computus.
fn gauss_easter(year: i32) -> Date {
    let (a, b, c) = (year % 19, year % 4, year % 7);
    let k = year / 100;
    let p = (13 + 8 * k) / 25;
    let q = k / 4;
    let m = (15 - p + k - q) % 30;
    let n = (4 + k - q) % 7;
    let dd = (19 * a + m) % 30;
    let e = (2 * b + 4 * c + 6 * dd + n) % 7;
    let march22 = Date::from_calendar_date(year, time::Month::March, 22).unwrap();
    let mut easter = march22 + Duration::days(i64::from(dd + e));
    if dd == 29 && e == 6 {
        easter = Date::from_calendar_date(year, time::Month::April, 19).unwrap();
    } else if dd == 28 && e == 6 && (11 * m + 11) % 30 < 19 {
        easter = Date::from_calendar_date(year, time::Month::April, 18).unwrap();
    }
    easter
}

#[test]
fn easter_agrees_with_gauss_and_known_dates() {
    for year in 2011..=2199 {
        let easter = easter_sunday(year).unwrap();
        assert_eq!(easter, gauss_easter(year), "year {year}");
        assert_eq!(easter.weekday(), Weekday::Sunday, "year {year}");
    }
    let known = [
        "2025-04-20",
        "2026-04-05",
        "2027-03-28",
        "2028-04-16",
        "2029-04-01",
        "2030-04-21",
        "2031-04-13",
        "2032-03-28",
        "2033-04-17",
        "2034-04-09",
        "2035-03-25",
    ];
    for (i, k) in known.iter().enumerate() {
        assert_eq!(easter_sunday(2025 + i as i32).unwrap(), d(k));
    }
}

#[test]
fn christmas_eve_is_a_holiday_from_2025_only() {
    assert_eq!(is_public_holiday(date!(2024 - 12 - 24)).unwrap(), None);
    assert!(is_business_day(date!(2024 - 12 - 24)).unwrap()); // a Tuesday
    assert_eq!(
        is_public_holiday(date!(2025 - 12 - 24)).unwrap(),
        Some(Holiday::ChristmasEve)
    );
    assert!(!is_business_day(date!(2025 - 12 - 24)).unwrap());
    assert_eq!(holidays(2024).unwrap().len(), 13);
    assert_eq!(Holiday::ChristmasEve.english_name(), "Christmas Eve");
}

#[test]
fn epiphany_and_range_limits() {
    assert_eq!(
        is_public_holiday(date!(2011 - 01 - 06)).unwrap(),
        Some(Holiday::Epiphany)
    );
    assert_eq!(
        is_public_holiday(date!(2010 - 01 - 06)),
        Err(OfflineError::YearOutOfRange { year: 2010 })
    );
    assert!(is_business_day(date!(2200 - 01 - 02)).is_err());
    assert!(holidays(1951).is_err());
    assert!(holidays(2199).is_ok());
    assert!(next_business_day(date!(2199 - 12 - 31)).is_err());
    assert_eq!(
        OfflineError::YearOutOfRange { year: 2200 }.to_string(),
        "year 2200 is outside the supported range 2011..=2199"
    );
}

#[test]
fn a_saturday_holiday_does_not_move_to_monday() {
    // 2026-08-15 is a Saturday; Monday 17 August stays a business day.
    assert_eq!(date!(2026 - 08 - 15).weekday(), Weekday::Saturday);
    assert!(is_business_day(date!(2026 - 08 - 17)).unwrap());
    assert_eq!(
        next_business_day(date!(2026 - 08 - 14)).unwrap(),
        date!(2026 - 08 - 17)
    );
}

/// Deterministic pseudo-random numbers (SplitMix64), so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Property: `add_business_days(d, n)` lands on a business day after `d`, and exactly
/// `n` business days lie in `(d, result]`. Exhaustive for every day of 2025–2034 with
/// small `n` (counted with the hand-written oracle), sampled for 2011–2190 with large `n`.
#[test]
fn add_business_days_counts_exactly_n_business_days() {
    let check = |start: Date, n: u32, oracle: &dyn Fn(Date) -> bool| {
        let end = add_business_days(start, n).unwrap();
        if n == 0 {
            assert_eq!(end, start);
            return;
        }
        assert!(end > start, "{start} + {n}");
        assert!(oracle(end), "{start} + {n} = {end} is not a business day");
        let mut count = 0;
        let mut day = start;
        while day < end {
            day = day.next_day().unwrap();
            if oracle(day) {
                count += 1;
            }
        }
        assert_eq!(count, n, "{start} + {n} = {end}");
    };
    let mut day = date!(2025 - 01 - 01);
    while day <= date!(2034 - 12 - 31) {
        for n in [0, 1, 2, 3, 5, 7, 10, 15] {
            check(day, n, &oracle_business_day);
        }
        day = day.next_day().unwrap();
    }
    let mut rng = Rng(0x6b73_6566);
    let base = date!(2011 - 01 - 01);
    for _ in 0..2000 {
        let start = base + Duration::days(rng.below(180 * 365) as i64);
        let n = rng.below(300) as u32;
        check(start, n, &|x| is_business_day(x).unwrap());
    }
}

#[test]
fn parse_date_messages() {
    assert_eq!(
        parse_date("2025-02-30").unwrap_err().to_string(),
        "2025-02-30 is not a valid date"
    );
    assert_eq!(
        parse_date("2025-2-3").unwrap_err().to_string(),
        "\"2025-2-3\" is not a date in YYYY-MM-DD format"
    );
    assert!(parse_date("2024-02-29").is_ok());
    assert!(parse_date("2025-02-29").is_err());
}

// ---------------------------------------------------------------- Europe/Warsaw

/// Europe/Warsaw summer-time transitions (UTC) from IANA tzdata via Python `zoneinfo`.
const SUMMER_TIME_2025_2035: &[(i32, OffsetDateTime, OffsetDateTime)] = &[
    (
        2025,
        datetime!(2025-03-30 01:00 UTC),
        datetime!(2025-10-26 01:00 UTC),
    ),
    (
        2026,
        datetime!(2026-03-29 01:00 UTC),
        datetime!(2026-10-25 01:00 UTC),
    ),
    (
        2027,
        datetime!(2027-03-28 01:00 UTC),
        datetime!(2027-10-31 01:00 UTC),
    ),
    (
        2028,
        datetime!(2028-03-26 01:00 UTC),
        datetime!(2028-10-29 01:00 UTC),
    ),
    (
        2029,
        datetime!(2029-03-25 01:00 UTC),
        datetime!(2029-10-28 01:00 UTC),
    ),
    (
        2030,
        datetime!(2030-03-31 01:00 UTC),
        datetime!(2030-10-27 01:00 UTC),
    ),
    (
        2031,
        datetime!(2031-03-30 01:00 UTC),
        datetime!(2031-10-26 01:00 UTC),
    ),
    (
        2032,
        datetime!(2032-03-28 01:00 UTC),
        datetime!(2032-10-31 01:00 UTC),
    ),
    (
        2033,
        datetime!(2033-03-27 01:00 UTC),
        datetime!(2033-10-30 01:00 UTC),
    ),
    (
        2034,
        datetime!(2034-03-26 01:00 UTC),
        datetime!(2034-10-29 01:00 UTC),
    ),
    (
        2035,
        datetime!(2035-03-25 01:00 UTC),
        datetime!(2035-10-28 01:00 UTC),
    ),
];

fn local(date: Date, h: u8, m: u8, s: u8) -> PrimitiveDateTime {
    PrimitiveDateTime::new(date, time::Time::from_hms(h, m, s).unwrap())
}

#[test]
fn transitions_2025_2035_match_tzdata() {
    let second = Duration::SECOND;
    for &(year, start, end) in SUMMER_TIME_2025_2035 {
        assert_eq!(summer_time_start(year).unwrap(), start, "{year}");
        assert_eq!(summer_time_end(year).unwrap(), end, "{year}");

        // Offsets one second either side of each transition.
        assert_eq!(to_warsaw(start - second).unwrap().offset(), CET);
        assert_eq!(to_warsaw(start).unwrap().offset(), CEST);
        assert_eq!(to_warsaw(end - second).unwrap().offset(), CEST);
        assert_eq!(to_warsaw(end).unwrap().offset(), CET);
        // Wall clocks: 01:59:59 CET -> 03:00:00 CEST; 02:59:59 CEST -> 02:00:00 CET.
        let t = |i: OffsetDateTime| to_warsaw(i).unwrap().time();
        assert_eq!(t(start - second), time::macros::time!(01:59:59));
        assert_eq!(t(start), time::macros::time!(03:00));
        assert_eq!(t(end - second), time::macros::time!(02:59:59));
        assert_eq!(t(end), time::macros::time!(02:00));

        // Spring gap: 02:00..03:00 local does not exist.
        let spring = start.date();
        assert_eq!(spring.weekday(), Weekday::Sunday);
        for (h, m) in [(2, 0), (2, 30), (2, 59)] {
            assert_eq!(
                from_warsaw(local(spring, h, m, 0)).unwrap(),
                LocalResult::Gap { transition: start },
                "{year} {h}:{m}"
            );
        }
        assert_eq!(
            from_warsaw(local(spring, 1, 59, 59)).unwrap(),
            LocalResult::Single(start - second)
        );
        assert_eq!(
            from_warsaw(local(spring, 3, 0, 0)).unwrap(),
            LocalResult::Single(start)
        );

        // Autumn overlap: 02:00..03:00 local happens twice.
        let autumn = end.date();
        assert_eq!(
            from_warsaw(local(autumn, 2, 30, 0)).unwrap(),
            LocalResult::Ambiguous {
                earlier: end - Duration::minutes(30),
                later: end + Duration::minutes(30),
            }
        );
        assert_eq!(
            from_warsaw(local(autumn, 1, 59, 59)).unwrap(),
            LocalResult::Single(end - Duration::HOUR - second)
        );
        assert_eq!(
            from_warsaw(local(autumn, 3, 0, 0)).unwrap(),
            LocalResult::Single(end + Duration::HOUR)
        );
    }
}

/// Every hour and half hour of 2025–2035: local → UTC gives back the instant.
#[test]
fn warsaw_round_trip_every_half_hour() {
    let mut t = datetime!(2025-01-01 00:00 UTC);
    while t < datetime!(2036-01-01 00:00 UTC) {
        let w = to_warsaw(t).unwrap();
        let back = from_warsaw(PrimitiveDateTime::new(w.date(), w.time())).unwrap();
        match back {
            LocalResult::Single(u) => assert_eq!(u, t),
            LocalResult::Ambiguous { earlier, later } => {
                assert!(earlier == t || later == t, "{t}");
                assert_eq!(later - earlier, Duration::HOUR);
            }
            other => panic!("{t}: {other:?}"),
        }
        t += Duration::minutes(30);
    }
}

#[test]
fn unix_seconds_and_offsets_are_accepted() {
    // 2025-07-08T22:30:00Z = 2025-07-09 00:30 CEST.
    let t = OffsetDateTime::from_unix_timestamp(1_752_013_800).unwrap();
    assert_eq!(t, datetime!(2025-07-08 22:30 UTC));
    assert_eq!(warsaw_date(t).unwrap(), date!(2025 - 07 - 09));
    let w = ksef_core::offline::unix_to_warsaw(1_752_013_800).unwrap();
    assert_eq!(
        (w.date(), w.hour(), w.minute()),
        (date!(2025 - 07 - 09), 0, 30)
    );
    assert!(ksef_core::offline::unix_to_warsaw(i64::MAX).is_err());
    // An instant given with another offset is the same instant.
    assert_eq!(
        warsaw_date(datetime!(2025-07-09 07:30 +09:00)).unwrap(),
        date!(2025 - 07 - 09)
    );
    assert_eq!(
        warsaw::end_of_day(date!(2025 - 07 - 22)).unwrap(),
        datetime!(2025-07-22 21:59:59 UTC)
    );
}

// ---------------------------------------------------------------- deadlines

fn period(kind: PeriodKind, start: OffsetDateTime, end: Option<OffsetDateTime>) -> AnnouncedPeriod {
    AnnouncedPeriod { kind, start, end }
}

fn failure(start: OffsetDateTime, end: OffsetDateTime) -> AnnouncedPeriod {
    period(PeriodKind::Failure, start, Some(end))
}

fn maintenance(start: OffsetDateTime, end: OffsetDateTime) -> AnnouncedPeriod {
    period(PeriodKind::Maintenance, start, Some(end))
}

fn by(s: &str) -> Deadline {
    Deadline::By(d(s))
}

#[test]
fn digest_example_offline24_moved_by_a_failure() {
    // DIGEST §15 / tryby-offline.md: issued Wed 2025-07-08; failure Thu 07-09 to Sat 07-12;
    // 7 business days after Sat 07-12: Mon 14, 15, 16, 17, Fri 18, Mon 21, Tue 22.
    let issued = date!(2025 - 07 - 08);
    assert_eq!(
        deadline(OfflineMode::Offline24, issued, &[]).unwrap(),
        by("2025-07-09")
    );
    let f = failure(
        datetime!(2025-07-09 08:00 UTC),
        datetime!(2025-07-12 10:00 UTC),
    );
    assert_eq!(
        deadline(OfflineMode::Offline24, issued, &[f]).unwrap(),
        by("2025-07-22")
    );
    // The same failure seen from an invoice issued during it (emergency mode).
    assert_eq!(
        deadline(OfflineMode::Emergency, date!(2025 - 07 - 10), &[f]).unwrap(),
        by("2025-07-22")
    );
    // A failure announced after the offline24 deadline has passed changes nothing.
    let late = failure(
        datetime!(2025-07-10 08:00 UTC),
        datetime!(2025-07-11 10:00 UTC),
    );
    assert_eq!(
        deadline(OfflineMode::Offline24, issued, &[late]).unwrap(),
        by("2025-07-09")
    );
}

#[test]
fn offline24_across_weekends_holidays_and_year_ends() {
    let cases = [
        ("2025-07-11", "2025-07-14"), // Fri -> Mon
        ("2025-07-12", "2025-07-14"), // Sat -> Mon
        ("2025-07-13", "2025-07-14"), // Sun -> Mon
        ("2025-12-23", "2025-12-29"), // Tue; 24, 25, 26 holidays, 27-28 weekend
        ("2024-12-23", "2024-12-24"), // 24 Dec 2024 was still a business day
        ("2025-12-31", "2026-01-02"), // 1 Jan holiday -> Fri
        ("2026-12-31", "2027-01-04"), // Thu; Fri 1 Jan holiday, weekend -> Mon
        ("2027-01-05", "2027-01-07"), // Tue; Wed 6 Jan Epiphany -> Thu
        ("2026-04-02", "2026-04-03"), // Thu -> Good Friday (a business day)
        ("2026-04-03", "2026-04-07"), // Good Friday; weekend, Easter Monday -> Tue
        ("2026-06-03", "2026-06-05"), // Wed; Thu 4 Jun Corpus Christi -> Fri
        ("2025-11-10", "2025-11-12"), // Mon; Tue 11 Nov -> Wed
        ("2025-04-30", "2025-05-02"), // Wed; Thu 1 May -> Fri 2 May (a business day)
        ("2026-04-30", "2026-05-04"), // Thu; Fri 1 May, weekend (3 May on Sunday) -> Mon
    ];
    for (issued, due) in cases {
        assert_eq!(
            deadline(OfflineMode::Offline24, d(issued), &[]).unwrap(),
            by(due),
            "issued {issued}"
        );
        assert_eq!(
            deadline_from_dates(OfflineMode::Offline24, d(issued), None).unwrap(),
            by(due)
        );
    }
}

#[test]
fn issue_date_after_a_dst_change_comes_from_warsaw_time() {
    // Spring 2026: clocks go forward on Sun 29 March. 00:30 CEST on Mon 30 March is
    // 22:30 UTC on Sunday; the issue date is Monday, so the deadline is Tue 31 March
    // (a UTC-date reading would give Monday).
    let issued = warsaw_date(datetime!(2026-03-29 22:30 UTC)).unwrap();
    assert_eq!(issued, date!(2026 - 03 - 30));
    assert_eq!(
        deadline(OfflineMode::Offline24, issued, &[]).unwrap(),
        by("2026-03-31")
    );
    // Autumn 2026: clocks go back on Sun 25 October. 00:30 CET on Mon 26 October is
    // 23:30 UTC on Sunday.
    let issued = warsaw_date(datetime!(2026-10-25 23:30 UTC)).unwrap();
    assert_eq!(issued, date!(2026 - 10 - 26));
    assert_eq!(
        deadline(OfflineMode::Offline24, issued, &[]).unwrap(),
        by("2026-10-27")
    );
    // On the change day itself, 00:30 local is still the previous offset.
    assert_eq!(
        warsaw_date(datetime!(2026-03-28 23:30 UTC)).unwrap(),
        date!(2026 - 03 - 29)
    );
}

#[test]
fn unavailability_end_just_before_and_after_warsaw_midnight() {
    let issued = date!(2025 - 07 - 09); // Wed
    let start = datetime!(2025-07-09 06:00 UTC);
    let due = |end: OffsetDateTime| {
        deadline(
            OfflineMode::Unavailability,
            issued,
            &[maintenance(start, end)],
        )
        .unwrap()
    };
    // 23:59:59 CEST Wed -> ended Wed -> Thu.
    assert_eq!(due(datetime!(2025-07-09 21:59:59 UTC)), by("2025-07-10"));
    // exactly 00:00:00 CEST Thu = 24:00 Wed -> ended Wed -> Thu.
    assert_eq!(due(datetime!(2025-07-09 22:00 UTC)), by("2025-07-10"));
    // 00:00:01 CEST Thu -> ended Thu -> Fri.
    assert_eq!(due(datetime!(2025-07-09 22:00:01 UTC)), by("2025-07-11"));
    // In winter the same midnight is 23:00 UTC.
    let issued = date!(2025 - 01 - 08);
    let start = datetime!(2025-01-08 08:00 UTC);
    let due = |end| {
        deadline(
            OfflineMode::Unavailability,
            issued,
            &[maintenance(start, end)],
        )
        .unwrap()
    };
    assert_eq!(due(datetime!(2025-01-08 22:59:59 UTC)), by("2025-01-09"));
    assert_eq!(due(datetime!(2025-01-08 23:00:01 UTC)), by("2025-01-10"));
    // Ending on Friday evening vs. just after midnight (Saturday): both -> Monday.
    let issued = date!(2025 - 07 - 11);
    let start = datetime!(2025-07-11 06:00 UTC);
    for end in [
        datetime!(2025-07-11 21:59 UTC),
        datetime!(2025-07-11 22:01 UTC),
    ] {
        assert_eq!(
            deadline(
                OfflineMode::Unavailability,
                issued,
                &[maintenance(start, end)]
            )
            .unwrap(),
            by("2025-07-14")
        );
    }
}

#[test]
fn unavailability_needs_a_covering_maintenance_and_waits_for_its_end() {
    let issued = date!(2025 - 07 - 09);
    assert_eq!(
        deadline(OfflineMode::Unavailability, issued, &[]),
        Err(OfflineError::NoCoveringPeriod {
            kind: "maintenance",
            issued
        })
    );
    let open = period(
        PeriodKind::Maintenance,
        datetime!(2025-07-09 06:00 UTC),
        None,
    );
    assert_eq!(
        deadline(OfflineMode::Unavailability, issued, &[open]).unwrap(),
        Deadline::Pending {
            kind: PeriodKind::Maintenance,
            since: issued
        }
    );
    // A failure during the waiting period moves an unavailability deadline too.
    let m = maintenance(
        datetime!(2025-07-08 06:00 UTC),
        datetime!(2025-07-09 10:00 UTC),
    );
    let f = failure(
        datetime!(2025-07-10 06:00 UTC),
        datetime!(2025-07-10 12:00 UTC),
    );
    // Without the failure: Thu 10. With it: 7 business days after Thu 10 = Mon 21.
    assert_eq!(
        deadline(OfflineMode::Unavailability, issued, &[m]).unwrap(),
        by("2025-07-10")
    );
    assert_eq!(
        deadline(OfflineMode::Unavailability, issued, &[m, f]).unwrap(),
        by("2025-07-21")
    );
}

#[test]
fn emergency_seven_business_days_across_christmas_and_new_year() {
    // Failure Mon 22 Dec – Tue 23 Dec 2025. After 23 Dec: 24-26 holidays, weekend,
    // Mon 29 (1), 30 (2), 31 (3), 1 Jan holiday, Fri 2 (4), weekend, Mon 5 (5),
    // Tue 6 Epiphany, Wed 7 (6), Thu 8 (7).
    let f = failure(
        datetime!(2025-12-22 08:00 UTC),
        datetime!(2025-12-23 12:00 UTC),
    );
    assert_eq!(
        deadline(OfflineMode::Emergency, date!(2025 - 12 - 22), &[f]).unwrap(),
        by("2026-01-08")
    );
    assert_eq!(
        deadline_from_dates(
            OfflineMode::Emergency,
            date!(2025 - 12 - 22),
            Some(date!(2025 - 12 - 23))
        )
        .unwrap(),
        by("2026-01-08")
    );
}

#[test]
fn emergency_restarts_on_a_new_failure() {
    let issued = date!(2025 - 07 - 01); // Tue
    // A: Tue 1 – Wed 2 July. 7 business days after Wed 2: Thu 3 (1), Fri 4 (2),
    // Mon 7 .. Fri 11 (3..7) -> Fri 11.
    let a = failure(
        datetime!(2025-07-01 06:00 UTC),
        datetime!(2025-07-02 10:00 UTC),
    );
    assert_eq!(
        deadline(OfflineMode::Emergency, issued, &[a]).unwrap(),
        by("2025-07-11")
    );
    // B announced Wed 9 (inside the 7 days), ends Thu 10: restart, 7 business days
    // after Thu 10: Fri 11 (1), Mon 14 .. Fri 18 (2..6), Mon 21 (7).
    let b = failure(
        datetime!(2025-07-09 06:00 UTC),
        datetime!(2025-07-10 10:00 UTC),
    );
    assert_eq!(
        deadline(OfflineMode::Emergency, issued, &[a, b]).unwrap(),
        by("2025-07-21")
    );
    // C announced on the deadline day itself (Mon 21), ends the same day: restart again,
    // 7 business days after Mon 21: 22, 23, 24, 25, 28, 29, 30.
    let c = failure(
        datetime!(2025-07-21 09:00 UTC),
        datetime!(2025-07-21 15:00 UTC),
    );
    assert_eq!(
        deadline(OfflineMode::Emergency, issued, &[c, b, a]).unwrap(),
        by("2025-07-30")
    );
    // D announced after the deadline has passed changes nothing.
    let dd = failure(
        datetime!(2025-07-23 06:00 UTC),
        datetime!(2025-07-24 10:00 UTC),
    );
    assert_eq!(
        deadline(OfflineMode::Emergency, issued, &[a, b, dd]).unwrap(),
        by("2025-07-21")
    );
    // Consecutive: E starts right when A ends, ends Fri 4 -> Mon 7 .. Tue 15.
    let e = failure(
        datetime!(2025-07-02 10:00 UTC),
        datetime!(2025-07-04 10:00 UTC),
    );
    assert_eq!(
        deadline(OfflineMode::Emergency, issued, &[a, e]).unwrap(),
        by("2025-07-15")
    );
}

#[test]
fn a_nested_failure_never_shortens_the_deadline() {
    // A: Tue 1 – Fri 4 July; B announced during A, ends Thu 3. The deadline stays
    // 7 business days after Fri 4: Mon 7 .. Fri 11 (1..5), Mon 14 (6), Tue 15 (7).
    let issued = date!(2025 - 07 - 01);
    let a = failure(
        datetime!(2025-07-01 06:00 UTC),
        datetime!(2025-07-04 10:00 UTC),
    );
    let b = failure(
        datetime!(2025-07-02 06:00 UTC),
        datetime!(2025-07-03 10:00 UTC),
    );
    assert_eq!(
        deadline(OfflineMode::Emergency, issued, &[a, b]).unwrap(),
        by("2025-07-15")
    );
}

#[test]
fn pending_no_obligation_and_errors() {
    let issued = date!(2025 - 07 - 01);
    let open = period(PeriodKind::Failure, datetime!(2025-07-01 06:00 UTC), None);
    assert_eq!(
        deadline(OfflineMode::Emergency, issued, &[open]).unwrap(),
        Deadline::Pending {
            kind: PeriodKind::Failure,
            since: issued
        }
    );
    // An ongoing failure announced during an offline24 period: pending too.
    let open2 = period(PeriodKind::Failure, datetime!(2025-07-02 06:00 UTC), None);
    assert!(matches!(
        deadline(OfflineMode::Offline24, issued, &[open2]).unwrap(),
        Deadline::Pending { .. }
    ));
    // A total failure during the waiting period lifts the obligation.
    let total = period(
        PeriodKind::TotalFailure,
        datetime!(2025-07-02 06:00 UTC),
        Some(datetime!(2025-07-03 06:00 UTC)),
    );
    assert_eq!(
        deadline(OfflineMode::Offline24, issued, &[total]).unwrap(),
        Deadline::NoObligation
    );
    assert_eq!(
        deadline(OfflineMode::Emergency, issued, &[open, total]).unwrap(),
        Deadline::NoObligation
    );
    // ...but not after the deadline has passed.
    let late_total = period(
        PeriodKind::TotalFailure,
        datetime!(2025-07-03 06:00 UTC),
        None,
    );
    assert_eq!(
        deadline(OfflineMode::Offline24, issued, &[late_total]).unwrap(),
        by("2025-07-02")
    );
    assert_eq!(
        deadline(OfflineMode::TotalFailure, issued, &[]).unwrap(),
        Deadline::NoObligation
    );
    assert_eq!(
        deadline(OfflineMode::Emergency, issued, &[]),
        Err(OfflineError::NoCoveringPeriod {
            kind: "failure",
            issued
        })
    );
    let backwards = failure(
        datetime!(2025-07-02 06:00 UTC),
        datetime!(2025-07-01 06:00 UTC),
    );
    assert!(matches!(
        deadline(OfflineMode::Emergency, issued, &[backwards]),
        Err(OfflineError::PeriodEndsBeforeStart { .. })
    ));
    assert_eq!(
        deadline_from_dates(OfflineMode::Emergency, issued, None),
        Err(OfflineError::MissingEnd { mode: "emergency" })
    );
    assert_eq!(
        deadline_from_dates(
            OfflineMode::Unavailability,
            issued,
            Some(date!(2025 - 06 - 30))
        )
        .unwrap_err()
        .to_string(),
        "the unavailability period ended on 2025-06-30, before the invoice was issued on 2025-07-01"
    );
}

/// Ordynacja podatkowa art. 12 §5 (a deadline on a Saturday or holiday moves to the next
/// working day) never changes anything here: every computed deadline is a business day.
#[test]
fn deadlines_always_fall_on_business_days() {
    let mut day = date!(2025 - 01 - 01);
    while day <= date!(2035 - 12 - 20) {
        for (mode, ended) in [
            (OfflineMode::Offline24, None),
            (OfflineMode::Unavailability, Some(day)),
            (OfflineMode::Emergency, Some(day)),
        ] {
            let due = deadline_from_dates(mode, day, ended)
                .unwrap()
                .date()
                .unwrap();
            assert!(oracle_business_day(due), "{mode:?} {day} -> {due}");
        }
        day = day.next_day().unwrap();
    }
}

#[test]
fn status_against_now() {
    let due = date!(2025 - 07 - 22);
    // 21:59:59 UTC on the 22nd is 23:59:59 CEST: still due today.
    assert_eq!(
        deadline_status(due, datetime!(2025-07-22 21:59:59 UTC)).unwrap(),
        DeadlineStatus::DueToday
    );
    // One second later it is the 23rd in Warsaw (but still the 22nd in UTC).
    assert_eq!(
        deadline_status(due, datetime!(2025-07-22 22:00 UTC)).unwrap(),
        DeadlineStatus::Overdue { days_late: 1 }
    );
    assert_eq!(
        deadline_status(due, datetime!(2025-07-19 10:00 UTC)).unwrap(),
        DeadlineStatus::InTime { days_left: 3 }
    );
    // 23:30 UTC on the 21st is already the 22nd in Warsaw.
    assert_eq!(
        deadline_status(due, datetime!(2025-07-21 23:30 UTC)).unwrap(),
        DeadlineStatus::DueToday
    );
    assert_eq!(
        deadline_status(due, datetime!(2025-08-01 10:00 UTC)).unwrap(),
        DeadlineStatus::Overdue { days_late: 10 }
    );
}

#[test]
fn day_off_reasons() {
    use ksef_core::offline::{DayOff, day_off};
    assert_eq!(day_off(date!(2025 - 07 - 08)).unwrap(), None);
    assert_eq!(
        day_off(date!(2025 - 07 - 12)).unwrap(),
        Some(DayOff::Saturday)
    );
    assert_eq!(
        day_off(date!(2025 - 07 - 13)).unwrap(),
        Some(DayOff::Sunday)
    );
    // A holiday on a Sunday is reported as the holiday.
    assert_eq!(
        day_off(date!(2025 - 04 - 20)).unwrap(),
        Some(DayOff::Holiday(Holiday::EasterSunday))
    );
    assert_eq!(
        day_off(date!(2025 - 12 - 25)).unwrap().unwrap().to_string(),
        "public holiday pierwszy dzień Bożego Narodzenia (Christmas Day)"
    );
}
