//! Rate limits (DIGEST §17): sliding windows of 1 s, 60 s and 60 min per (context,
//! client IP, group), all three at once; public endpoints are limited per IP at 60 req/s.
//! Exceeding a limit → 429 with `Retry-After`. Off by default; switched on with
//! [`SimConfig::rate_limits`](crate::SimConfig), `PUT /_sim/rate-limits`, or by the
//! test-data endpoints (`POST /testdata/rate-limits[/production]`).

use std::collections::{HashMap, VecDeque};

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

/// Limits of one group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Limit {
    /// Requests per second.
    pub per_second: u32,
    /// Requests per minute.
    pub per_minute: u32,
    /// Requests per hour.
    pub per_hour: u32,
}

const fn l(per_second: u32, per_minute: u32, per_hour: u32) -> Limit {
    Limit {
        per_second,
        per_minute,
        per_hour,
    }
}

/// The rate-limit groups of `GET /rate-limits` (OAS `EffectiveApiRateLimits`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct Table {
    pub online_session: Limit,
    pub batch_session: Limit,
    pub invoice_send: Limit,
    pub invoice_status: Limit,
    pub session_list: Limit,
    pub session_invoice_list: Limit,
    pub session_misc: Limit,
    pub invoice_metadata: Limit,
    pub invoice_export: Limit,
    pub invoice_export_status: Limit,
    pub invoice_download: Limit,
    pub other: Limit,
}

/// The published PROD (= TEST since 2.5.0) table.
pub const PRODUCTION: Table = Table {
    online_session: l(10, 30, 120),
    batch_session: l(10, 20, 60),
    invoice_send: l(10, 30, 180),
    invoice_status: l(30, 120, 1200),
    session_list: l(5, 10, 60),
    session_invoice_list: l(10, 20, 200),
    session_misc: l(10, 120, 1200),
    invoice_metadata: l(8, 16, 20),
    invoice_export: l(8, 16, 20),
    invoice_export_status: l(10, 60, 600),
    invoice_download: l(8, 16, 64),
    other: l(10, 30, 120),
};

/// Per-IP limit of the public endpoints.
pub const PUBLIC: Limit = l(60, 3600, 216_000);

/// The group of a request, or `None` if it is not limited.
pub fn group(method: &str, path: &str) -> Option<&'static str> {
    let p = path.strip_prefix("/v2")?;
    let segs: Vec<&str> = p.trim_start_matches('/').split('/').collect();
    let get = method == "GET";
    Some(match (method, segs.as_slice()) {
        (_, ["auth", "challenge" | "xades-signature" | "ksef-token"])
        | (_, ["security", "public-key-certificates"])
        | (_, ["peppol", "query"]) => "public",
        (_, ["testdata", "context", _]) => "other",
        (_, ["testdata", ..]) => "public",
        ("POST", ["sessions", "online"]) | ("POST", ["sessions", "online", _, "close"]) => {
            "onlineSession"
        }
        ("POST", ["sessions", "batch"]) | ("POST", ["sessions", "batch", _, "close"]) => {
            "batchSession"
        }
        ("POST", ["sessions", "online", _, "invoices"]) => "invoiceSend",
        ("GET", ["sessions"]) => "sessionList",
        ("GET", ["sessions", _, "invoices"]) | ("GET", ["sessions", _, "invoices", "failed"]) => {
            "sessionInvoiceList"
        }
        ("GET", ["sessions", _, "invoices", _]) => "invoiceStatus",
        (_, ["sessions", ..]) if get => "sessionMisc",
        ("POST", ["invoices", "query", "metadata"]) => "invoiceMetadata",
        ("POST", ["invoices", "exports"]) => "invoiceExport",
        ("GET", ["invoices", "exports", _]) => "invoiceExportStatus",
        ("GET", ["invoices", "ksef", _]) => "invoiceDownload",
        _ => "other",
    })
}

impl Table {
    /// The limit of a group.
    pub fn get(&self, group: &str) -> Limit {
        match group {
            "public" => PUBLIC,
            "onlineSession" => self.online_session,
            "batchSession" => self.batch_session,
            "invoiceSend" => self.invoice_send,
            "invoiceStatus" => self.invoice_status,
            "sessionList" => self.session_list,
            "sessionInvoiceList" => self.session_invoice_list,
            "sessionMisc" => self.session_misc,
            "invoiceMetadata" => self.invoice_metadata,
            "invoiceExport" => self.invoice_export,
            "invoiceExportStatus" => self.invoice_export_status,
            "invoiceDownload" => self.invoice_download,
            _ => self.other,
        }
    }
}

/// Sliding-window counters.
#[derive(Debug, Default)]
pub struct Limiter {
    hits: HashMap<(String, String, &'static str), VecDeque<OffsetDateTime>>,
}

impl Limiter {
    /// Records a request at `now`; `Err((retry_after_secs, text))` if it exceeds a window
    /// (a refused request is not counted).
    pub fn hit(
        &mut self,
        table: &Table,
        context: &str,
        ip: &str,
        group: &'static str,
        now: OffsetDateTime,
    ) -> Result<(), (u64, String)> {
        let limit = table.get(group);
        let key = (
            if group == "public" {
                String::new()
            } else {
                context.to_owned()
            },
            ip.to_owned(),
            group,
        );
        let q = self.hits.entry(key).or_default();
        while q.front().is_some_and(|t| now - *t >= Duration::HOUR) {
            q.pop_front();
        }
        for (window, max, name) in [
            (Duration::SECOND, limit.per_second, "sekundę"),
            (Duration::MINUTE, limit.per_minute, "minutę"),
            (Duration::HOUR, limit.per_hour, "godzinę"),
        ] {
            let inside: Vec<&OffsetDateTime> = q.iter().filter(|t| now - **t < window).collect();
            if inside.len() >= max as usize {
                let oldest = inside.first().map_or(now, |t| **t);
                let wait = (oldest + window - now).whole_milliseconds();
                let secs = u64::try_from((wait + 999) / 1000).unwrap_or(1).max(1);
                return Err((
                    secs,
                    format!(
                        "Przekroczono limit {max} żądań na {name}. Spróbuj ponownie po {secs} sekundach."
                    ),
                ));
            }
        }
        q.push_back(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups() {
        assert_eq!(group("POST", "/v2/sessions/online"), Some("onlineSession"));
        assert_eq!(
            group("POST", "/v2/sessions/online/X/invoices"),
            Some("invoiceSend")
        );
        assert_eq!(
            group("GET", "/v2/sessions/X/invoices/failed"),
            Some("sessionInvoiceList")
        );
        assert_eq!(
            group("GET", "/v2/sessions/X/invoices/Y"),
            Some("invoiceStatus")
        );
        assert_eq!(group("GET", "/v2/sessions/X/upo/Y"), Some("sessionMisc"));
        assert_eq!(group("POST", "/v2/auth/challenge"), Some("public"));
        assert_eq!(group("GET", "/storage/upo/X/Y"), None);
    }

    #[test]
    fn windows_and_retry_after() {
        let mut l = Limiter::default();
        let t0 = OffsetDateTime::from_unix_timestamp(1_750_000_000).unwrap();
        let mut t = t0;
        // 10/s for onlineSession: the 11th within a second is refused.
        for _ in 0..10 {
            assert!(l.hit(&PRODUCTION, "c", "ip", "onlineSession", t).is_ok());
            t += Duration::milliseconds(10);
        }
        let (secs, _) = l
            .hit(&PRODUCTION, "c", "ip", "onlineSession", t)
            .unwrap_err();
        assert_eq!(secs, 1);
        // Another IP or context is counted separately.
        assert!(l.hit(&PRODUCTION, "c", "ip2", "onlineSession", t).is_ok());
        // After the second, the minute window (30) still allows more.
        t = t0 + Duration::seconds(2);
        assert!(l.hit(&PRODUCTION, "c", "ip", "onlineSession", t).is_ok());
    }
}
