//! The sans-IO KSeF client: state machines that build [`HttpRequest`]s and interpret
//! [`HttpResponse`]s, plus a rate [`governor`]. A [`Transport`] (native reqwest in
//! `ksef-client-native`, WebAssembly `fetch` later) moves the bytes and sleeps; [`driver`] runs the
//! state machines over one.
//!
//! Spec: `shared/ksef/DIGEST.md` §5 (auth), §7–§10 (encryption, sessions, statuses,
//! UPO), §17 (rate limits); `shared/DESIGN.md` ("The client is sans-IO").

pub mod archive;
pub mod auth;
pub mod batch;
pub mod certificates;
pub mod driver;
pub mod governor;
pub mod online;
pub mod resume;

pub use crate::api::{HttpRequest, HttpResponse};
pub use driver::{BatchReport, CallError, Client, Signer, Transport, TransportError};

/// Online or batch session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SendMode {
    /// One request per invoice (`POST /sessions/online/{ref}/invoices`).
    Online,
    /// One archive (`POST /sessions/batch`).
    Batch,
}

/// Above this many invoices a send goes through a batch session.
///
/// Why 20: production (and TEST since 2.5.0) allows `invoiceSend` 10/s, **30/min** and
/// 180/h per context and IP (DIGEST §17), and each online invoice also costs status
/// polls (`invoiceStatus` 120/min). Up to 20 invoices fit in one minute's online budget
/// with room for other sends of the same context, and online gives each invoice its
/// result within seconds. Beyond that the minute and hour windows would stretch an
/// online send to minutes or hours (1 000 invoices ≥ 5.5 h at 180/h), while a batch is
/// one open, the part uploads (not rate-limited), one close and a few status calls
/// (`batchSession` 20/min), whatever the count (up to 10 000 invoices per session).
pub const AUTO_BATCH_THRESHOLD: usize = 20;

impl SendMode {
    /// The automatic choice for `count` invoices.
    pub fn for_count(count: usize) -> Self {
        if count > AUTO_BATCH_THRESHOLD {
            SendMode::Batch
        } else {
            SendMode::Online
        }
    }
}
