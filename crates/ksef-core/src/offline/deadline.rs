//! Deadlines for sending offline invoices to KSeF (DIGEST §15, `spec/tryby-offline.md`).
//!
//! | mode | deadline (end of the Warsaw day) | legal basis |
//! |---|---|---|
//! | offline24 | the next business day after the issue date | VAT Act art. 106nda |
//! | unavailability (maintenance) | the next business day after the unavailability ends | art. 106nh |
//! | emergency (failure) | 7 business days after the failure ends; restarts on a new failure | art. 106nf |
//! | total failure | no obligation to send | — |
//!
//! Failures announced while any of these deadlines is running push it to 7 business
//! days after the end of the last announced failure (`tryby-offline.md`, "Termin
//! przesłania faktury do KSeF przy kolejnych zdarzeniach"); a total failure announced
//! meanwhile lifts the obligation. See `docs/offline-deadlines.md` for the reading of
//! each rule, including the edge cases (midnight ends, overlapping announcements).

use time::{Date, OffsetDateTime, Time};

use super::calendar::add_business_days;
use super::warsaw::to_warsaw;
use super::{OfflineError, Result, check_year, warsaw_date};

/// How an offline invoice was issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OfflineMode {
    /// `offline24`: the taxpayer's choice (art. 106nda).
    Offline24,
    /// `offline`: KSeF unavailability, e.g. announced maintenance (art. 106nh).
    Unavailability,
    /// `awaryjny`: an announced KSeF failure (art. 106nf).
    Emergency,
    /// `awaria całkowita`: an announced total failure; nothing has to be sent.
    TotalFailure,
}

impl OfflineMode {
    /// The mode's short name as used by the CLI (`offline24`, `unavailability`,
    /// `emergency`, `total-failure`).
    pub fn name(self) -> &'static str {
        match self {
            OfflineMode::Offline24 => "offline24",
            OfflineMode::Unavailability => "unavailability",
            OfflineMode::Emergency => "emergency",
            OfflineMode::TotalFailure => "total-failure",
        }
    }
}

/// The kind of an announced period, as the status service "Latarnia" categorises its
/// messages (`MAINTENANCE`, `FAILURE`, `TOTAL_FAILURE`; DIGEST §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PeriodKind {
    /// Announced unavailability (planned maintenance).
    Maintenance,
    /// Announced failure (awaria).
    Failure,
    /// Announced total failure (awaria całkowita).
    TotalFailure,
}

/// A period announced by the status service, with instants in UTC (any offset is
/// accepted; they are compared as instants and converted to Warsaw dates).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnnouncedPeriod {
    /// What was announced.
    pub kind: PeriodKind,
    /// When the period started.
    pub start: OffsetDateTime,
    /// When it ended, or `None` while it is still going on.
    pub end: Option<OffsetDateTime>,
}

/// The answer to "by when must this invoice be sent?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Deadline {
    /// Send by the end of this Warsaw day (23:59:59 Europe/Warsaw; see
    /// [`warsaw::end_of_day`](super::warsaw::end_of_day) for the UTC instant).
    By(Date),
    /// Nothing has to be sent (total failure).
    NoObligation,
    /// Not computable yet: a period the deadline is counted from has not ended.
    Pending {
        /// The kind of the period still going on.
        kind: PeriodKind,
        /// The Warsaw date it started on.
        since: Date,
    },
}

impl Deadline {
    /// The deadline date, if there is one.
    pub fn date(self) -> Option<Date> {
        match self {
            Deadline::By(d) => Some(d),
            _ => None,
        }
    }
}

/// Where "now" stands against a deadline date (calendar days, Warsaw dates).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeadlineStatus {
    /// The deadline day is still ahead.
    InTime {
        /// Calendar days from today (Warsaw) to the deadline day, at least 1.
        days_left: u32,
    },
    /// Today (Warsaw) is the deadline day: send before 23:59:59 local time.
    DueToday,
    /// The deadline day has passed.
    Overdue {
        /// Calendar days since the deadline day, at least 1.
        days_late: u32,
    },
}

/// A period reduced to Warsaw dates.
#[derive(Debug, Clone, Copy)]
struct DayPeriod {
    kind: PeriodKind,
    start: Date,
    end: Option<Date>,
}

impl DayPeriod {
    fn from_announced(p: &AnnouncedPeriod) -> Result<Self> {
        let start = warsaw_date(p.start)?;
        let end = match p.end {
            None => None,
            Some(end) if end < p.start => {
                return Err(OfflineError::PeriodEndsBeforeStart {
                    start: p.start,
                    end,
                });
            }
            Some(end) => Some(end_day(end)?.max(start)),
        };
        Ok(DayPeriod {
            kind: p.kind,
            start,
            end,
        })
    }

    /// Whether the period has at least one day in `from..=to` (`to = None`: open-ended).
    fn overlaps(&self, from: Date, to: Option<Date>) -> bool {
        to.is_none_or(|to| self.start <= to) && self.end.is_none_or(|end| end >= from)
    }
}

/// The Warsaw day on which a period ending at `end` ended. An end at exactly 00:00:00
/// local time is the end (24:00) of the previous day: the last unavailable moment
/// belongs to that day. This is the earlier, safer reading.
fn end_day(end: OffsetDateTime) -> Result<Date> {
    let local = to_warsaw(end)?;
    let date = local.date();
    if local.time() == Time::MIDNIGHT {
        return date
            .previous_day()
            .ok_or(OfflineError::YearOutOfRange { year: date.year() });
    }
    Ok(date)
}

/// The deadline for an invoice issued on `issued` (the `P_1` date) in `mode`, given the
/// periods announced by the status service.
///
/// - `Unavailability` / `Emergency` count from the end of the maintenance / failure
///   periods that cover the issue date (the latest end if several do); it is an error
///   if none does.
/// - Any failure that overlaps the waiting period (issue date to the running deadline,
///   both included) moves the deadline to 7 business days after its end if that is
///   later; this repeats until no further failure reaches into the period (restarts).
/// - A total failure overlapping the waiting period lifts the obligation.
/// - A period still going on that the deadline depends on gives [`Deadline::Pending`].
pub fn deadline(mode: OfflineMode, issued: Date, periods: &[AnnouncedPeriod]) -> Result<Deadline> {
    check_year(issued.year())?;
    let periods = periods
        .iter()
        .map(DayPeriod::from_announced)
        .collect::<Result<Vec<_>>>()?;
    let of_kind = |kind: PeriodKind| periods.iter().filter(move |p| p.kind == kind);
    let total_failure_in =
        |to: Option<Date>| of_kind(PeriodKind::TotalFailure).any(|p| p.overlaps(issued, to));
    let pending = |p: &DayPeriod| {
        if total_failure_in(None) {
            Deadline::NoObligation
        } else {
            Deadline::Pending {
                kind: p.kind,
                since: p.start,
            }
        }
    };

    let (kind, days) = match mode {
        OfflineMode::TotalFailure => return Ok(Deadline::NoObligation),
        OfflineMode::Offline24 => (None, 1),
        OfflineMode::Unavailability => (Some(PeriodKind::Maintenance), 1),
        OfflineMode::Emergency => (Some(PeriodKind::Failure), 7),
    };
    let mut due = match kind {
        None => add_business_days(issued, days)?,
        Some(kind) => {
            let covering: Vec<&DayPeriod> = of_kind(kind)
                .filter(|p| p.overlaps(issued, Some(issued)))
                .collect();
            if let Some(open) = covering.iter().find(|p| p.end.is_none()) {
                return Ok(pending(open));
            }
            let Some(end) = covering.iter().filter_map(|p| p.end).max() else {
                return Err(OfflineError::NoCoveringPeriod {
                    kind: match kind {
                        PeriodKind::Maintenance => "maintenance",
                        _ => "failure",
                    },
                    issued,
                });
            };
            add_business_days(end, days)?
        }
    };

    loop {
        if total_failure_in(Some(due)) {
            return Ok(Deadline::NoObligation);
        }
        let window_end = due;
        let mut moved = false;
        for failure in of_kind(PeriodKind::Failure).filter(|p| p.overlaps(issued, Some(window_end)))
        {
            let Some(end) = failure.end else {
                return Ok(pending(failure));
            };
            let restarted = add_business_days(end, 7)?;
            if restarted > due {
                due = restarted;
                moved = true;
            }
        }
        if !moved {
            return Ok(Deadline::By(due));
        }
    }
}

/// The deadline from dates alone, without announced periods (the CLI's
/// `offline deadline`): `ended` is the Warsaw date the unavailability or failure ended.
///
/// `ended` is required for `Unavailability` and `Emergency`, and ignored for
/// `Offline24` and `TotalFailure`. Later failures (restarts) are not known here; use
/// [`deadline`] with the announced periods for those.
pub fn deadline_from_dates(
    mode: OfflineMode,
    issued: Date,
    ended: Option<Date>,
) -> Result<Deadline> {
    check_year(issued.year())?;
    let days = match mode {
        OfflineMode::TotalFailure => return Ok(Deadline::NoObligation),
        OfflineMode::Offline24 => return Ok(Deadline::By(add_business_days(issued, 1)?)),
        OfflineMode::Unavailability => 1,
        OfflineMode::Emergency => 7,
    };
    let ended = ended.ok_or(OfflineError::MissingEnd { mode: mode.name() })?;
    if ended < issued {
        return Err(OfflineError::EndedBeforeIssue {
            mode: mode.name(),
            ended,
            issued,
        });
    }
    Ok(Deadline::By(add_business_days(ended, days)?))
}

/// Where `now` stands against the deadline day `due`, comparing Warsaw dates.
pub fn deadline_status(due: Date, now: OffsetDateTime) -> Result<DeadlineStatus> {
    check_year(due.year())?;
    let today = warsaw_date(now)?;
    let diff = (due - today).whole_days();
    let days = u32::try_from(diff.unsigned_abs()).unwrap_or(u32::MAX);
    Ok(match diff {
        0 => DeadlineStatus::DueToday,
        d if d > 0 => DeadlineStatus::InTime { days_left: days },
        _ => DeadlineStatus::Overdue { days_late: days },
    })
}
