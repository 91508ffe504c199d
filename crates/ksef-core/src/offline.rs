//! Offline modes: the Polish business-day calendar, Europe/Warsaw civil time and the
//! deadlines for sending offline invoices to KSeF.
//!
//! Spec: `shared/ksef/DIGEST.md` §15, `spec/tryby-offline.md` (table "Zestawienie trybów"
//! and "Termin przesłania faktury do KSeF przy kolejnych zdarzeniach"), VAT Act
//! art. 106nda (offline24), art. 106nh (KSeF unavailability), art. 106nf (failure).
//! The rules, their sources and the interpretation choices are written down in
//! `docs/offline-deadlines.md`.
//!
//! The module is pure: it never reads the clock. Callers pass the issue date, the
//! announced periods (from the status service "Latarnia") and "now".
//!
//! - [`calendar`]: statutory public holidays (Act of 18 January 1951 on non-working
//!   days, as amended) and business-day arithmetic;
//! - [`warsaw`]: UTC ⇄ Europe/Warsaw (CET/CEST, EU summer-time rule) without a tz database;
//! - [`deadline`](mod@deadline): the per-mode deadline, the failure restarts and the status against "now".
//!
//! Every function refuses dates outside [`SUPPORTED_YEARS`] with
//! [`OfflineError::YearOutOfRange`] instead of guessing.

pub mod calendar;
pub mod deadline;
pub mod warsaw;

use std::ops::RangeInclusive;

use time::{Date, OffsetDateTime};

pub use calendar::{
    DayOff, Holiday, add_business_days, day_off, holidays, is_business_day, is_public_holiday,
    next_business_day, parse_date,
};
pub use deadline::{
    AnnouncedPeriod, Deadline, DeadlineStatus, OfflineMode, PeriodKind, deadline,
    deadline_from_dates, deadline_status,
};
pub use warsaw::{LocalResult, end_of_day, from_warsaw, to_warsaw, unix_to_warsaw, warsaw_date};

/// Calendar years this module answers for.
///
/// The lower bound is 2011, the first year in which today's list of public holidays
/// (with Epiphany, restored from 2011) was in force; earlier years had other lists
/// (22 July until 1989, no 6 January from 1960 to 2010), which this module does not
/// model. The upper bound is arbitrary but far beyond any invoice's lifetime; years
/// after today assume the statute and the EU summer-time rule stay as they are now.
pub const SUPPORTED_YEARS: RangeInclusive<i32> = 2011..=2199;

/// Why a calendar, time-zone or deadline computation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OfflineError {
    /// The year is outside [`SUPPORTED_YEARS`].
    #[error("year {year} is outside the supported range 2011..=2199")]
    YearOutOfRange {
        /// The refused year.
        year: i32,
    },
    /// The text is not shaped like `YYYY-MM-DD`.
    #[error("{input:?} is not a date in YYYY-MM-DD format")]
    DateFormat {
        /// The refused text.
        input: String,
    },
    /// The text is shaped like a date but names no calendar day (e.g. `2025-02-30`).
    #[error("{input} is not a valid date")]
    InvalidDate {
        /// The refused text.
        input: String,
    },
    /// An announced period ends before it starts.
    #[error("period ends ({end}) before it starts ({start})")]
    PeriodEndsBeforeStart {
        /// Start of the period (UTC).
        start: OffsetDateTime,
        /// End of the period (UTC).
        end: OffsetDateTime,
    },
    /// The mode needs the end of the unavailability or failure, and none was given.
    #[error("mode {mode} needs the date on which the unavailability or failure ended")]
    MissingEnd {
        /// The mode's name (`unavailability`, `emergency`).
        mode: &'static str,
    },
    /// The unavailability or failure ended before the invoice was issued, so the invoice
    /// cannot have been issued in that mode.
    #[error("the {mode} period ended on {ended}, before the invoice was issued on {issued}")]
    EndedBeforeIssue {
        /// The mode's name.
        mode: &'static str,
        /// The end date given.
        ended: Date,
        /// The issue date given.
        issued: Date,
    },
    /// No announced period of the kind the mode needs covers the issue date.
    #[error("no announced {kind} period covers the issue date {issued}")]
    NoCoveringPeriod {
        /// `maintenance` or `failure`.
        kind: &'static str,
        /// The issue date.
        issued: Date,
    },
}

/// Result alias for this module.
pub type Result<T> = std::result::Result<T, OfflineError>;

/// Checks that `year` is in [`SUPPORTED_YEARS`].
pub(crate) fn check_year(year: i32) -> Result<()> {
    if SUPPORTED_YEARS.contains(&year) {
        Ok(())
    } else {
        Err(OfflineError::YearOutOfRange { year })
    }
}
