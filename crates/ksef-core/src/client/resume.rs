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

use crate::hash::Sha256Hash;

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
                })
                .collect(),
        }
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
