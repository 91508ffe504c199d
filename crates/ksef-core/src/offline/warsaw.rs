//! Europe/Warsaw civil time without a tz database.
//!
//! Poland keeps CET (UTC+1) in winter and CEST (UTC+2) in summer. Since 1996 the change
//! follows the EU rule (Directive 2000/84/EC, art. 2 and 3; in Poland the regulation of
//! the Prime Minister on the introduction and cancellation of summer time): summer time
//! starts on the **last Sunday of March at 01:00 UTC** (02:00 CET becomes 03:00 CEST) and
//! ends on the **last Sunday of October at 01:00 UTC** (03:00 CEST becomes 02:00 CET).
//! The transition instants are the same in UTC across the EU, so no local rule is needed.
//!
//! Two local-time oddities follow and are reported explicitly by [`from_warsaw`]:
//! - the **spring gap**: local 02:00–02:59:59 on the last Sunday of March never happens
//!   ([`LocalResult::Gap`]);
//! - the **autumn overlap**: local 02:00–02:59:59 on the last Sunday of October happens
//!   twice, first in CEST then in CET ([`LocalResult::Ambiguous`]).
//!
//! Only years in [`SUPPORTED_YEARS`](super::SUPPORTED_YEARS) are answered; a future
//! abolition of seasonal clock changes would need a new rule here.

use time::macros::{offset, time};
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use super::{OfflineError, Result, check_year};

/// Central European Time, UTC+1 (winter).
pub const CET: UtcOffset = offset!(+1);
/// Central European Summer Time, UTC+2 (summer).
pub const CEST: UtcOffset = offset!(+2);

/// What a Warsaw wall-clock time corresponds to in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LocalResult {
    /// Exactly one instant (every time of year outside the two transition hours).
    Single(OffsetDateTime),
    /// The autumn overlap: the wall-clock time happened twice.
    Ambiguous {
        /// The first occurrence, still in summer time (CEST).
        earlier: OffsetDateTime,
        /// The second occurrence, after the clocks went back (CET).
        later: OffsetDateTime,
    },
    /// The spring gap: the wall-clock time never happened.
    Gap {
        /// The instant at which the clocks jumped from 02:00 CET to 03:00 CEST
        /// (01:00 UTC), i.e. the first instant after the gap.
        transition: OffsetDateTime,
    },
}

impl LocalResult {
    /// The instant if the local time is unambiguous, else `None`.
    pub fn single(self) -> Option<OffsetDateTime> {
        match self {
            LocalResult::Single(t) => Some(t),
            _ => None,
        }
    }

    /// The earliest matching instant; for a gap, the transition instant (the first
    /// instant whose wall clock is later than the requested time).
    pub fn earliest(self) -> OffsetDateTime {
        match self {
            LocalResult::Single(t) => t,
            LocalResult::Ambiguous { earlier, .. } => earlier,
            LocalResult::Gap { transition } => transition,
        }
    }
}

fn out_of_range(year: i32) -> OfflineError {
    OfflineError::YearOutOfRange { year }
}

/// 01:00 UTC on the last Sunday of `month` (March or October, both 31 days long).
fn transition(year: i32, month: Month) -> Result<OffsetDateTime> {
    let last = Date::from_calendar_date(year, month, 31).map_err(|_| out_of_range(year))?;
    let back = i64::from(last.weekday().number_days_from_sunday());
    let sunday = last
        .checked_sub(time::Duration::days(back))
        .ok_or_else(|| out_of_range(year))?;
    Ok(PrimitiveDateTime::new(sunday, Time::MIDNIGHT)
        .assume_utc()
        .saturating_add(time::Duration::HOUR))
}

/// The instant summer time starts in `year`: last Sunday of March, 01:00 UTC.
pub fn summer_time_start(year: i32) -> Result<OffsetDateTime> {
    check_year(year)?;
    transition(year, Month::March)
}

/// The instant summer time ends in `year`: last Sunday of October, 01:00 UTC.
pub fn summer_time_end(year: i32) -> Result<OffsetDateTime> {
    check_year(year)?;
    transition(year, Month::October)
}

/// The Warsaw UTC offset in force at `instant` (any offset; compared as an instant).
fn offset_at(instant: OffsetDateTime) -> Result<UtcOffset> {
    let utc = instant
        .checked_to_offset(UtcOffset::UTC)
        .ok_or_else(|| out_of_range(instant.year()))?;
    let year = utc.year();
    let summer = transition(year, Month::March)? <= utc && utc < transition(year, Month::October)?;
    Ok(if summer { CEST } else { CET })
}

/// The same instant expressed in Warsaw civil time (offset +01:00 or +02:00).
///
/// Fails if the Warsaw date is outside [`SUPPORTED_YEARS`](super::SUPPORTED_YEARS).
pub fn to_warsaw(instant: OffsetDateTime) -> Result<OffsetDateTime> {
    let off = offset_at(instant)?;
    let local = instant
        .checked_to_offset(off)
        .ok_or_else(|| out_of_range(instant.year()))?;
    check_year(local.year())?;
    Ok(local)
}

/// [`to_warsaw`] for an instant given as Unix seconds.
pub fn unix_to_warsaw(seconds: i64) -> Result<OffsetDateTime> {
    let instant = OffsetDateTime::from_unix_timestamp(seconds)
        .map_err(|_| out_of_range(if seconds < 0 { i32::MIN } else { i32::MAX }))?;
    to_warsaw(instant)
}

/// The Warsaw calendar date of `instant`.
pub fn warsaw_date(instant: OffsetDateTime) -> Result<Date> {
    Ok(to_warsaw(instant)?.date())
}

/// The UTC instant(s) of a Warsaw wall-clock time, with the DST gap and overlap made
/// explicit. Returned instants carry the UTC offset.
pub fn from_warsaw(local: PrimitiveDateTime) -> Result<LocalResult> {
    check_year(local.year())?;
    let candidate = |off: UtcOffset| -> Result<Option<OffsetDateTime>> {
        let utc = local
            .assume_offset(off)
            .checked_to_offset(UtcOffset::UTC)
            .ok_or_else(|| out_of_range(local.year()))?;
        Ok((offset_at(utc)? == off).then_some(utc))
    };
    Ok(match (candidate(CEST)?, candidate(CET)?) {
        (Some(earlier), Some(later)) => LocalResult::Ambiguous { earlier, later },
        (Some(t), None) | (None, Some(t)) => LocalResult::Single(t),
        (None, None) => LocalResult::Gap {
            transition: transition(local.year(), Month::March)?,
        },
    })
}

/// The last second of the Warsaw day `date` (23:59:59 local) as a UTC instant.
///
/// Clock changes happen at 02:00/03:00 local, so 23:59:59 is never ambiguous.
pub fn end_of_day(date: Date) -> Result<OffsetDateTime> {
    let local = PrimitiveDateTime::new(date, time!(23:59:59));
    Ok(from_warsaw(local)?.earliest())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn winter_and_summer_offsets() {
        let w = to_warsaw(datetime!(2025-01-15 12:00 UTC)).unwrap();
        assert_eq!(w.offset(), CET);
        assert_eq!(w.hour(), 13);
        let s = to_warsaw(datetime!(2025-07-15 12:00 UTC)).unwrap();
        assert_eq!(s.offset(), CEST);
        assert_eq!(s.hour(), 14);
    }

    #[test]
    fn year_boundary_and_range() {
        // 2010-12-31 23:30 UTC is already 2011 in Warsaw.
        assert_eq!(
            warsaw_date(datetime!(2010-12-31 23:30 UTC)).unwrap(),
            date!(2011 - 01 - 01)
        );
        assert!(warsaw_date(datetime!(2010-12-31 22:30 UTC)).is_err());
        assert!(warsaw_date(datetime!(2199-12-31 23:30 UTC)).is_err());
    }

    #[test]
    fn end_of_day_is_local_2359() {
        assert_eq!(
            end_of_day(date!(2025 - 07 - 22)).unwrap(),
            datetime!(2025-07-22 21:59:59 UTC)
        );
        assert_eq!(
            end_of_day(date!(2025 - 12 - 31)).unwrap(),
            datetime!(2025-12-31 22:59:59 UTC)
        );
    }
}
