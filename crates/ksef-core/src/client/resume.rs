//! Resumable online sending (issue 5 item 7): no lost and no duplicated invoices.
//!
//! The caller persists an [`OnlineSendState`] (a plain serde value, no secrets: the
//! session key is never stored) after every change. After an interruption (timeout,
//! crash, 5xx after the request may have arrived) the send resumes by *looking up what
//! KSeF already has*: every session used so far is listed (`GET
//! /sessions/{ref}/invoices`, DIGEST §10) and invoices are matched by `invoiceHash`;
//! only invoices KSeF never received go out again, in a fresh session with a fresh key.
//! A 440 duplicate whose original KSeF invoice has the same bytes (same SHA-256) is
//! recognised as already accepted.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::hash::Sha256Hash;

use super::archive::ArchiveFormat;
use super::online::{InvoiceOutcome, ProductStatus};

/// One invoice of a resumable send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendItem {
    /// The caller's name for it (file name).
    pub name: String,
    /// Base64 SHA-256 of the XML (`invoiceHash`), the key for lookups.
    pub invoice_hash: String,
    /// The session it was (possibly) sent in.
    pub session_reference_number: Option<String>,
    /// The invoice reference, once known.
    pub reference_number: Option<String>,
    /// The final outcome, once known.
    pub outcome: Option<InvoiceOutcome>,
    /// `hashOfCorrectedInvoice`: this invoice is a technical correction of the rejected
    /// offline invoice with that Base64 SHA-256 (DIGEST §15).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corrected_hash: Option<String>,
}

impl SendItem {
    /// Whether the invoice has a final outcome.
    pub fn is_done(&self) -> bool {
        self.outcome.as_ref().is_some_and(InvoiceOutcome::is_final)
    }
}

/// Everything needed to resume a send; persist it after every change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OnlineSendState {
    /// Every session opened for this send, oldest first.
    pub sessions: Vec<String>,
    /// The invoices, in the caller's order.
    pub items: Vec<SendItem>,
}

impl OnlineSendState {
    /// A new send of `invoices` (name, XML).
    pub fn new(invoices: &[(String, Vec<u8>)]) -> Self {
        Self {
            sessions: Vec::new(),
            items: invoices
                .iter()
                .map(|(name, xml)| SendItem {
                    name: name.clone(),
                    invoice_hash: Sha256Hash::of(xml).to_base64(),
                    session_reference_number: None,
                    reference_number: None,
                    outcome: None,
                    corrected_hash: None,
                })
                .collect(),
        }
    }

    /// Marks invoice `index` as a technical correction of the rejected offline invoice
    /// whose Base64 SHA-256 is `hash` (checked with
    /// [`super::online::parse_corrected_hash`]).
    ///
    /// # Errors
    /// A message if `index` is out of range or `hash` is not a Base64 SHA-256.
    pub fn set_corrected_hash(&mut self, index: usize, hash: &str) -> Result<(), String> {
        let hash = super::online::parse_corrected_hash(hash)?;
        let n = self.items.len();
        let item = self
            .items
            .get_mut(index)
            .ok_or_else(|| format!("no invoice {index} in a send of {n}"))?;
        item.corrected_hash = Some(hash);
        Ok(())
    }

    /// Whether every invoice has a final outcome.
    pub fn is_done(&self) -> bool {
        self.items.iter().all(SendItem::is_done)
    }

    /// Adopts what a session listing shows: items without a reference whose hash KSeF
    /// has in `session` get that reference (and the outcome, if final). A hash KSeF has
    /// twice (a 440 duplicate of our own earlier send) keeps the accepted one.
    pub fn adopt_listing(&mut self, session: &str, listed: &[InvoiceOutcome]) {
        for item in self
            .items
            .iter_mut()
            .filter(|i| i.reference_number.is_none())
        {
            let mut found: Option<&InvoiceOutcome> = None;
            for o in listed {
                if o.invoice_hash == item.invoice_hash
                    && found.is_none_or(|f| f.status != ProductStatus::Accepted)
                {
                    found = Some(o);
                }
            }
            if let Some(o) = found {
                item.session_reference_number = Some(session.to_owned());
                item.reference_number = Some(o.reference_number.clone());
                if o.is_final() {
                    item.outcome = Some(o.clone());
                }
            }
        }
    }
}

/// How long before `validUntil` an online session stops taking new invoices: KSeF closes
/// it at `validUntil` (12 h after opening, DIGEST §8), and an invoice sent just before
/// that could land after the close. Ten minutes covers polling and clock skew.
pub const SESSION_EXPIRY_MARGIN: time::Duration = time::Duration::minutes(10);

/// The room left in one online session (DIGEST §8, §17): at most `max_invoices`
/// invoices (`maxInvoices` of `GET /limits/context`, 10 000 by default; more gives
/// 21155) and no new invoice after `validUntil` − [`SESSION_EXPIRY_MARGIN`]. The driver
/// opens a new session when [`SessionBudget::has_room`] says no.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionBudget {
    /// The session's invoice limit.
    pub max_invoices: usize,
    /// Invoices sent in it so far.
    pub sent: usize,
    /// Its `validUntil`, if KSeF gave a parsable one.
    pub valid_until: Option<OffsetDateTime>,
}

impl SessionBudget {
    /// A fresh session with `max_invoices` room and `validUntil` as KSeF returned it
    /// (RFC 3339; unparsable → only the count limits).
    pub fn new(max_invoices: usize, valid_until: &str) -> Self {
        Self {
            max_invoices: max_invoices.max(1),
            sent: 0,
            valid_until: OffsetDateTime::parse(
                valid_until,
                &time::format_description::well_known::Rfc3339,
            )
            .ok(),
        }
    }

    /// Whether one more invoice may go into this session at `now`.
    pub fn has_room(&self, now: OffsetDateTime) -> bool {
        self.sent < self.max_invoices
            && self
                .valid_until
                .is_none_or(|until| now < until - SESSION_EXPIRY_MARGIN)
    }

    /// Counts one invoice sent.
    pub fn record(&mut self) {
        self.sent += 1;
    }
}

/// How the invoices of `count` pending sends split into online sessions of at most
/// `max_per_session` (the session-count plan when time is not the limit).
pub fn session_sizes(count: usize, max_per_session: usize) -> Vec<usize> {
    let max = max_per_session.max(1);
    (0..count.div_ceil(max))
        .map(|i| (count - i * max).min(max))
        .collect()
}

/// One invoice of a resumable batch send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchItem {
    /// The caller's name for it (file name).
    pub name: String,
    /// The name inside the archive (`invoiceFileName` in KSeF's answers).
    pub file_name: String,
    /// Base64 SHA-256 of the XML.
    pub invoice_hash: String,
    /// The final outcome, once known.
    pub outcome: Option<InvoiceOutcome>,
}

/// One batch session opened for a send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchSessionRecord {
    /// The `…-SB-…` reference.
    pub reference_number: String,
    /// Base64 SHA-256 of the session's AES key and IV: tells whether the caller still
    /// holds the key the parts were encrypted with (the key itself is never stored).
    pub key_check: String,
    /// Base64 SHA-256 of the archive declared at open.
    pub archive_hash: String,
    /// How many parts were declared.
    pub parts: u32,
    /// KSeF's pre-signed upload requests from the open answer (write-only URLs of this
    /// session, valid parts × 20 min), so missing parts can still be uploaded.
    #[serde(default)]
    pub upload_requests: Vec<crate::api::PartUploadRequest>,
    /// The ordinal numbers uploaded (201) so far.
    pub uploaded: Vec<u32>,
    /// Set *before* the close request goes out: from then on the session may be
    /// processing, and the invoices must never be sent again; only looked up.
    pub close_requested: bool,
    /// The close was answered 204 (or the status shows processing).
    pub closed: bool,
    /// Given up before any close request (the key was lost, e.g. the process was
    /// killed mid-upload): KSeF never processes an unclosed session (§9: it is cancelled
    /// when the upload window ends), so the invoices go into a new session.
    pub abandoned: bool,
    /// The final session status code, once known.
    pub final_status: Option<i64>,
}

/// Everything needed to resume a batch send; persist it after every change (issue 5
/// item 7). Resuming never re-sends what KSeF may already process: a session whose close
/// was requested is only looked up (session status, then the invoice list by file
/// name); a session still open with the same key gets its missing parts and the close;
/// one whose key is gone is abandoned unclosed and the archive goes into a new session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchSendState {
    /// The archive format.
    pub format: ArchiveFormat,
    /// Part size before encryption (≤ 100 MB).
    pub part_size: usize,
    /// `offlineMode` of the open request.
    pub offline_mode: bool,
    /// The invoices, in the caller's order.
    pub items: Vec<BatchItem>,
    /// Every session opened for this send, oldest first.
    pub sessions: Vec<BatchSessionRecord>,
}

impl BatchSendState {
    /// A new batch send of `invoices` (caller's name, archive file name, XML).
    pub fn new(
        invoices: &[(String, String, Vec<u8>)],
        format: ArchiveFormat,
        part_size: usize,
        offline_mode: bool,
    ) -> Self {
        Self {
            format,
            part_size,
            offline_mode,
            items: invoices
                .iter()
                .map(|(name, file_name, xml)| BatchItem {
                    name: name.clone(),
                    file_name: file_name.clone(),
                    invoice_hash: Sha256Hash::of(xml).to_base64(),
                    outcome: None,
                })
                .collect(),
            sessions: Vec::new(),
        }
    }

    /// Whether the send has finished (a session reached its final status).
    pub fn is_done(&self) -> bool {
        self.sessions
            .iter()
            .any(|s| s.final_status.is_some_and(|c| c >= 200))
    }

    /// The session that is neither abandoned nor finished, if any.
    pub fn live_session(&self) -> Option<usize> {
        self.sessions
            .iter()
            .rposition(|s| !s.abandoned && s.final_status.is_none())
    }

    /// Adopts KSeF's per-invoice list of a finished batch session, by archive file name.
    pub fn adopt_listing(&mut self, listed: &[InvoiceOutcome]) {
        for item in &mut self.items {
            if let Some(o) = listed
                .iter()
                .find(|o| o.invoice_file_name.as_deref() == Some(item.file_name.as_str()))
            {
                item.outcome = Some(o.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> OffsetDateTime {
        OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).unwrap()
    }

    #[test]
    fn online_sends_split_at_the_session_invoice_limit() {
        assert_eq!(session_sizes(0, 10_000), Vec::<usize>::new());
        assert_eq!(session_sizes(10_000, 10_000), vec![10_000]);
        assert_eq!(session_sizes(25_001, 10_000), vec![10_000, 10_000, 5_001]);
        assert_eq!(session_sizes(7, 3), vec![3, 3, 1]);
        let mut b = SessionBudget::new(2, "2026-11-24T20:00:00Z");
        let now = at("2026-11-24T08:00:00Z");
        assert!(b.has_room(now));
        b.record();
        b.record();
        assert!(!b.has_room(now), "the third invoice needs a new session");
    }

    #[test]
    fn a_session_near_valid_until_takes_no_more_invoices() {
        let b = SessionBudget::new(10_000, "2026-11-24T20:00:00Z");
        assert!(b.has_room(at("2026-11-24T19:49:59Z")));
        assert!(!b.has_room(at("2026-11-24T19:50:00Z")));
        assert!(!b.has_room(at("2026-11-24T21:00:00Z")));
        // An unparsable validUntil leaves only the count limit.
        assert!(SessionBudget::new(1, "jutro").has_room(at("2030-01-01T00:00:00Z")));
    }

    #[test]
    fn corrected_hash_is_validated_and_kept_in_the_state() {
        let mut s = OnlineSendState::new(&[("a".into(), b"<a/>".to_vec())]);
        let h = Sha256Hash::of(b"rejected").to_base64();
        s.set_corrected_hash(0, &h).unwrap();
        assert_eq!(s.items[0].corrected_hash.as_deref(), Some(h.as_str()));
        assert!(
            s.set_corrected_hash(1, &h)
                .unwrap_err()
                .contains("no invoice 1")
        );
        assert!(s.set_corrected_hash(0, "xyz").is_err());
        let back: OnlineSendState =
            serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(back, s);
    }

    #[test]
    fn batch_state_round_trips_and_adopts_by_file_name() {
        let mut s = BatchSendState::new(
            &[("a.xml".into(), "00000-a.xml".into(), b"<a/>".to_vec())],
            ArchiveFormat::TarGz,
            1000,
            false,
        );
        assert!(!s.is_done());
        assert_eq!(s.live_session(), None);
        let json = serde_json::to_string(&s).unwrap();
        assert!(json.contains("\"format\":\"tar-gz\""), "{json}");
        let o = InvoiceOutcome {
            invoice_file_name: Some("00000-a.xml".into()),
            ..InvoiceOutcome::sent_offline("h", None, "")
        };
        s.adopt_listing(std::slice::from_ref(&o));
        assert_eq!(s.items[0].outcome, Some(o));
    }
}
