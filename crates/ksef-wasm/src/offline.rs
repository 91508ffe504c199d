//! Offline-mode exports: legal deadlines and the Polish business-day calendar (DIGEST
//! §15, `docs/offline-deadlines.md`).

use ksef_core::offline::{
    self, AnnouncedPeriod, Deadline, DeadlineStatus, OfflineMode, PeriodKind,
};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use crate::error::{Failure, Result};
use crate::{to_js, utc};

fn mode(name: &str) -> Result<OfflineMode> {
    Ok(match name {
        "offline24" => OfflineMode::Offline24,
        "unavailability" => OfflineMode::Unavailability,
        "emergency" => OfflineMode::Emergency,
        "total-failure" => OfflineMode::TotalFailure,
        other => {
            return Err(Failure::input(format!(
                "mode: expected offline24, unavailability, emergency or total-failure, got {other:?}"
            )));
        }
    })
}

fn date(field: &str, value: &str) -> Result<time::Date> {
    offline::parse_date(value).map_err(|e| Failure::input(format!("{field}: {e}")))
}

/// An announced period as the status service (Latarnia) gives it.
#[derive(Deserialize)]
struct PeriodIn {
    /// `MAINTENANCE`, `FAILURE` or `TOTAL_FAILURE`.
    category: String,
    /// RFC 3339.
    start: String,
    /// RFC 3339, absent while the period lasts.
    end: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DeadlineOut {
    /// `by`, `no_obligation` or `pending`.
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    deadline: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    days: Option<u32>,
}

fn out(d: Deadline, now_ms: f64) -> Result<DeadlineOut> {
    Ok(match d {
        Deadline::By(day) => {
            let (status, days) =
                match offline::deadline_status(day, utc(now_ms)?).map_err(Failure::input)? {
                    DeadlineStatus::InTime { days_left } => ("in_time", Some(days_left)),
                    DeadlineStatus::DueToday => ("due_today", None),
                    DeadlineStatus::Overdue { days_late } => ("overdue", Some(days_late)),
                    _ => ("in_time", None),
                };
            DeadlineOut {
                kind: "by",
                deadline: Some(day.to_string()),
                status: Some(status),
                days,
            }
        }
        Deadline::NoObligation => DeadlineOut {
            kind: "no_obligation",
            deadline: None,
            status: None,
            days: None,
        },
        _ => DeadlineOut {
            kind: "pending",
            deadline: None,
            status: None,
            days: None,
        },
    })
}

/// The deadline from dates alone: `ended` (`YYYY-MM-DD`) is required for
/// `unavailability` and `emergency`. Returns `{kind, deadline?, status?, days?}`.
#[wasm_bindgen(js_name = offlineDeadline)]
pub fn offline_deadline(
    mode_name: &str,
    issued: &str,
    ended: Option<String>,
    now_ms: f64,
) -> Result<JsValue> {
    let ended = ended.as_deref().map(|e| date("ended", e)).transpose()?;
    let d = offline::deadline_from_dates(mode(mode_name)?, date("issued", issued)?, ended)
        .map_err(Failure::input)?;
    to_js(&out(d, now_ms)?)
}

/// The deadline from the periods the status service announced (restarts of the
/// emergency period included): `periods` is Latarnia's messages reduced to
/// `{category, start, end?}`.
#[wasm_bindgen(js_name = offlineDeadlineFromPeriods)]
pub fn offline_deadline_from_periods(
    mode_name: &str,
    issued: &str,
    periods: JsValue,
    now_ms: f64,
) -> Result<JsValue> {
    let periods: Vec<PeriodIn> = serde_wasm_bindgen::from_value(periods)
        .map_err(|e| Failure::input(format!("periods: {e}")))?;
    let rfc = |field: &str, v: &str| {
        time::OffsetDateTime::parse(v, &time::format_description::well_known::Rfc3339)
            .map_err(|e| Failure::input(format!("{field}: expected RFC 3339, got {v:?}: {e}")))
    };
    let mut announced = Vec::new();
    for (i, p) in periods.iter().enumerate() {
        let kind = match p.category.as_str() {
            "MAINTENANCE" => PeriodKind::Maintenance,
            "FAILURE" => PeriodKind::Failure,
            "TOTAL_FAILURE" => PeriodKind::TotalFailure,
            other => {
                return Err(Failure::input(format!(
                    "periods[{i}].category: expected MAINTENANCE, FAILURE or TOTAL_FAILURE, got {other:?}"
                )));
            }
        };
        announced.push(AnnouncedPeriod {
            kind,
            start: rfc(&format!("periods[{i}].start"), &p.start)?,
            end: p
                .end
                .as_deref()
                .map(|e| rfc(&format!("periods[{i}].end"), e))
                .transpose()?,
        });
    }
    let d = offline::deadline(mode(mode_name)?, date("issued", issued)?, &announced)
        .map_err(Failure::input)?;
    to_js(&out(d, now_ms)?)
}

#[derive(Serialize)]
struct HolidayOut {
    date: String,
    name: &'static str,
}

/// The Polish public holidays of `year` (`{date, name}`, Polish names).
#[wasm_bindgen]
pub fn holidays(year: i32) -> Result<JsValue> {
    let list = offline::calendar::holidays(year).map_err(Failure::input)?;
    to_js(
        &list
            .into_iter()
            .map(|(d, h)| HolidayOut {
                date: d.to_string(),
                name: h.polish_name(),
            })
            .collect::<Vec<_>>(),
    )
}

/// Whether `date` (`YYYY-MM-DD`) is a business day in Poland.
#[wasm_bindgen(js_name = isBusinessDay)]
pub fn is_business_day(day: &str) -> Result<bool> {
    offline::is_business_day(date("date", day)?).map_err(Failure::input)
}
