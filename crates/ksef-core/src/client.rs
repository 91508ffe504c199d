//! The sans-IO KSeF client: state machines that build [`HttpRequest`]s and interpret
//! [`HttpResponse`]s, plus a rate [`governor`]. A [`Transport`] (native reqwest in
//! `ksef-client-native`, WebAssembly `fetch` later) moves the bytes and sleeps; [`driver`] runs the
//! state machines over one.
//!
//! Spec: `shared/ksef/DIGEST.md` §5 (auth), §7–§10 (encryption, sessions, statuses,
//! UPO), §17 (rate limits); `shared/DESIGN.md` ("The client is sans-IO").

pub mod auth;
pub mod batch;
pub mod driver;
pub mod governor;
pub mod online;
pub mod resume;

pub use crate::api::{HttpRequest, HttpResponse};
pub use driver::{BatchReport, CallError, Client, Signer, Transport, TransportError};
