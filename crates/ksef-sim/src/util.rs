//! Small helpers: timestamps and Base64 as KSeF writes them (DIGEST §2).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use time::OffsetDateTime;
use time::macros::format_description;

/// ISO 8601 with 7 fractional digits and an explicit offset, e.g.
/// `2025-07-11T12:23:56.0154302+00:00` (DIGEST §2).
pub fn fmt_ts(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    t.format(format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:7]+00:00"
    ))
    .unwrap_or_default()
}

/// A date as `YYYYMMDD`.
pub fn yyyymmdd(d: time::Date) -> String {
    format!("{:04}{:02}{:02}", d.year(), u8::from(d.month()), d.day())
}

/// The calendar day in Europe/Warsaw of an instant (falls back to UTC outside the
/// calendar's range).
pub fn warsaw_date(t: OffsetDateTime) -> time::Date {
    ksef_core::offline::to_warsaw(t).map_or(t.date(), |w| w.date())
}

/// Standard Base64 with padding.
pub fn b64(bytes: impl AsRef<[u8]>) -> String {
    STANDARD.encode(bytes)
}

/// Decodes standard Base64.
pub fn unb64(s: &str) -> Option<Vec<u8>> {
    STANDARD.decode(s).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_format() {
        let t = OffsetDateTime::from_unix_timestamp_nanos(1_752_236_636_015_430_200).unwrap();
        assert_eq!(fmt_ts(t), "2025-07-11T12:23:56.0154302+00:00");
    }
}
