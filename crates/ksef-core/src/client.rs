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

/// Above this many invoices a send goes through a batch session: production allows
/// only 30 online sends a minute and 180 an hour per context (DIGEST §17).
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
