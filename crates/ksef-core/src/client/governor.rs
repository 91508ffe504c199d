//! Client-side rate governor (DIGEST §17): sliding windows of 1 s, 1 min and 1 h per
//! endpoint group, all three at once, so the client never sends a request that would
//! exceed a published limit; `Retry-After` blocks; bounded retries with exponential
//! backoff and caller-supplied jitter for 5xx and network errors.
//!
//! Pure: time is a monotonic millisecond counter ([`Millis`]) passed in by the caller,
//! randomness a `u64` the caller draws.

use std::collections::{BTreeMap, VecDeque};

use crate::api::Method;

/// A monotonic time in milliseconds (any fixed origin chosen by the caller).
pub type Millis = u64;

const SECOND: Millis = 1_000;
const MINUTE: Millis = 60_000;
const HOUR: Millis = 3_600_000;

/// A rate-limit group of the published table (DIGEST §17; OAS `x-rate-limits`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Group {
    /// Unauthenticated endpoints limited per IP (challenge, xades-signature, keys…).
    Public,
    /// `POST /sessions/online`, `…/close`.
    OnlineSession,
    /// `POST /sessions/online/{ref}/invoices`.
    InvoiceSend,
    /// `POST /sessions/batch`, `…/close`.
    BatchSession,
    /// `GET /sessions/{ref}/invoices/{invRef}`.
    InvoiceStatus,
    /// `GET /sessions`.
    SessionList,
    /// `GET /sessions/{ref}/invoices[/failed]`.
    SessionInvoiceList,
    /// Other `GET /sessions/*` (status, UPO).
    SessionMisc,
    /// `POST /invoices/query/metadata`.
    InvoiceMetadata,
    /// `POST /invoices/exports`.
    InvoiceExport,
    /// `GET /invoices/exports/{ref}`.
    InvoiceExportStatus,
    /// `GET /invoices/ksef/{ksefNumber}`.
    InvoiceDownload,
    /// Everything else under the API.
    Other,
}

impl Group {
    /// The group of an API request; `path` is relative to the API base (no `/v2`),
    /// with or without a query string.
    pub fn classify(method: Method, path: &str) -> Group {
        let path = path.split('?').next().unwrap_or_default();
        let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
        let get = method == Method::Get;
        let post = method == Method::Post;
        match segs.as_slice() {
            ["auth", "challenge" | "xades-signature" | "ksef-token"]
            | ["security", "public-key-certificates"]
            | ["peppol", "query"] => Group::Public,
            ["testdata", "context", _] => Group::Other,
            ["testdata", ..] => Group::Public,
            ["sessions", "online"] | ["sessions", "online", _, "close"] if post => {
                Group::OnlineSession
            }
            ["sessions", "batch"] | ["sessions", "batch", _, "close"] if post => {
                Group::BatchSession
            }
            ["sessions", "online", _, "invoices"] if post => Group::InvoiceSend,
            ["sessions"] if get => Group::SessionList,
            ["sessions", _, "invoices"] | ["sessions", _, "invoices", "failed"] if get => {
                Group::SessionInvoiceList
            }
            ["sessions", _, "invoices", _] if get => Group::InvoiceStatus,
            ["sessions", ..] if get => Group::SessionMisc,
            ["invoices", "query", "metadata"] if post => Group::InvoiceMetadata,
            ["invoices", "exports"] if post => Group::InvoiceExport,
            ["invoices", "exports", _] if get => Group::InvoiceExportStatus,
            ["invoices", "ksef", _] if get => Group::InvoiceDownload,
            _ => Group::Other,
        }
    }
}

/// The limits of one group: requests per second, minute and hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Per 1 s.
    pub per_second: u32,
    /// Per 60 s.
    pub per_minute: u32,
    /// Per 60 min.
    pub per_hour: u32,
}

const fn l(per_second: u32, per_minute: u32, per_hour: u32) -> Limit {
    Limit {
        per_second,
        per_minute,
        per_hour,
    }
}

/// A limits table (DIGEST §17).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    limits: BTreeMap<Group, Limit>,
    default: Limit,
}

impl Profile {
    /// The published PROD table, equal to TEST since API 2.5.0 (DEMO replicates PROD);
    /// public endpoints 60 req/s per IP.
    pub fn production() -> Self {
        let limits = BTreeMap::from([
            (Group::Public, l(60, 3_600, 216_000)),
            (Group::OnlineSession, l(10, 30, 120)),
            (Group::InvoiceSend, l(10, 30, 180)),
            (Group::BatchSession, l(10, 20, 60)),
            (Group::InvoiceStatus, l(30, 120, 1_200)),
            (Group::SessionList, l(5, 10, 60)),
            (Group::SessionInvoiceList, l(10, 20, 200)),
            (Group::SessionMisc, l(10, 120, 1_200)),
            (Group::InvoiceMetadata, l(8, 16, 20)),
            (Group::InvoiceExport, l(8, 16, 20)),
            (Group::InvoiceExportStatus, l(10, 60, 600)),
            (Group::InvoiceDownload, l(8, 16, 64)),
            (Group::Other, l(10, 30, 120)),
        ]);
        Self {
            limits,
            default: l(10, 30, 120),
        }
    }

    /// The TEST table: the same values as PROD since API 2.5.0 (DIGEST §17). TEST can be
    /// raised with `POST /testdata/rate-limits`; use [`Profile::with`] for that.
    pub fn test() -> Self {
        Self::production()
    }

    /// No limits (a simulator with rate limits off).
    pub fn unlimited() -> Self {
        let big = l(u32::MAX, u32::MAX, u32::MAX);
        Self {
            limits: BTreeMap::new(),
            default: big,
        }
    }

    /// Overrides one group (e.g. from `GET /rate-limits`).
    pub fn with(mut self, group: Group, limit: Limit) -> Self {
        self.limits.insert(group, limit);
        self
    }

    /// The limit of `group`.
    pub fn limit(&self, group: Group) -> Limit {
        self.limits.get(&group).copied().unwrap_or(self.default)
    }
}

/// Not now: the earliest time the request may be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitUntil(pub Millis);

/// Sliding-window bookkeeping per group, plus `Retry-After` blocks.
#[derive(Debug, Clone)]
pub struct Governor {
    profile: Profile,
    history: BTreeMap<Group, VecDeque<Millis>>,
    blocked_until: BTreeMap<Group, Millis>,
    margin: Millis,
}

impl Governor {
    /// A governor for `profile`, with a 50 ms safety margin on every window (client and
    /// server clocks start counting at slightly different instants).
    pub fn new(profile: Profile) -> Self {
        Self {
            profile,
            history: BTreeMap::new(),
            blocked_until: BTreeMap::new(),
            margin: 50,
        }
    }

    /// Sets the safety margin added to each window.
    pub fn with_margin(mut self, margin: Millis) -> Self {
        self.margin = margin;
        self
    }

    /// The profile in use.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// Takes a slot for one request in `group` at `now` and records it, or says when the
    /// earliest slot is (nothing is recorded then). The wait is minimal: at the returned
    /// time every window has room.
    ///
    /// # Errors
    /// [`WaitUntil`] with the earliest allowed time.
    pub fn acquire(&mut self, group: Group, now: Millis) -> Result<(), WaitUntil> {
        let earliest = self.earliest(group, now);
        if earliest > now {
            return Err(WaitUntil(earliest));
        }
        self.history.entry(group).or_default().push_back(now);
        Ok(())
    }

    /// The earliest time ≥ `now` at which a request in `group` fits every window.
    pub fn earliest(&mut self, group: Group, now: Millis) -> Millis {
        let limit = self.profile.limit(group);
        let margin = self.margin;
        let q = self.history.entry(group).or_default();
        while q
            .front()
            .is_some_and(|t| now.saturating_sub(*t) >= HOUR + margin)
        {
            q.pop_front();
        }
        let mut at = self
            .blocked_until
            .get(&group)
            .copied()
            .unwrap_or(0)
            .max(now);
        for (window, max) in [
            (SECOND, limit.per_second),
            (MINUTE, limit.per_minute),
            (HOUR, limit.per_hour),
        ] {
            let max = max as usize;
            if max == 0 {
                continue;
            }
            // The request fits once the max-th most recent hit has left the window.
            if q.len() >= max
                && let Some(t) = q.get(q.len() - max)
            {
                at = at.max(t + window + margin);
            }
        }
        at
    }

    /// Moves the slot taken at `sent` for `group` to `done`, when the answer arrived.
    ///
    /// KSeF counts a request when it arrives, somewhere between the two instants; counting
    /// it at the later one keeps the client's windows behind the server's however long the
    /// request was in flight (a slow network or a busy machine), instead of relying on the
    /// safety margin alone.
    pub fn settle(&mut self, group: Group, sent: Millis, done: Millis) {
        let Some(q) = self.history.get_mut(&group) else {
            return;
        };
        if let Some(slot) = q.iter_mut().rev().find(|t| **t == sent) {
            *slot = done.max(sent);
            q.make_contiguous().sort_unstable();
        }
    }

    /// Records a 429 with `Retry-After: seconds` for `group` received at `now`: nothing
    /// in the group is sent before it has passed.
    pub fn retry_after(&mut self, group: Group, now: Millis, seconds: u64) {
        let until = now + seconds.saturating_mul(SECOND);
        let e = self.blocked_until.entry(group).or_insert(0);
        *e = (*e).max(until);
    }
}

/// Bounded retries with exponential backoff and jitter for 5xx and network errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// Delay before the first retry.
    pub base_delay: Millis,
    /// Upper bound of any delay.
    pub max_delay: Millis,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 5,
            base_delay: 200,
            max_delay: 30_000,
        }
    }
}

impl RetryPolicy {
    /// The delay before retry number `attempt` (1-based), or `None` when the retries are
    /// used up. "Equal jitter": half of `base · 2^(attempt-1)` (capped) plus a uniform
    /// share of the other half drawn from `random`.
    pub fn backoff(&self, attempt: u32, random: u64) -> Option<Millis> {
        if attempt == 0 || attempt > self.max_retries {
            return None;
        }
        let exp = self
            .base_delay
            .saturating_mul(1u64 << (attempt - 1).min(32))
            .min(self.max_delay);
        let half = exp / 2;
        Some(half + random % (exp - half + 1))
    }
}

#[cfg(test)]
mod tests;
