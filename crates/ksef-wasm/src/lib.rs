//! Thin wasm-bindgen layer over `ksef-core` (issue 6, DESIGN "Parts"): each export
//! converts its input, calls the core, converts the output. Errors leave through one
//! conversion point ([`error`]) as `Error`s named `KsefError` with a stable `code`;
//! validation results are data. Bytes cross as `Uint8Array`. The npm package
//! (`web/ksef`) wraps these exports in a typed API, adds WebCrypto and IndexedDB.

#[cfg(feature = "client")]
pub mod client;
#[cfg(feature = "client")]
pub mod credential;
pub mod error;
#[cfg(feature = "invoice")]
pub mod invoice;
#[cfg(feature = "invoice")]
pub mod offline;
#[cfg(feature = "client")]
mod transport;

#[cfg(feature = "client")]
pub use client::KsefClient;
#[cfg(feature = "client")]
pub use credential::{Kod2Certificate, LoadedCredential, PendingKod2, SoftKey};

use error::{Failure, Result};
use ksef_core::qr::Environment;
use serde::Serialize;
use time::OffsetDateTime;
use wasm_bindgen::JsValue;

/// A JavaScript value from a serializable Rust value (plain objects, not `Map`s).
pub(crate) fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue> {
    value
        .serialize(
            &serde_wasm_bindgen::Serializer::json_compatible().serialize_bytes_as_arrays(false),
        )
        .map_err(|e| Failure::new("INTERNAL", format!("cannot convert the result: {e}")))
}

/// A UTC time from JavaScript milliseconds since the epoch (`Date.now()`).
pub(crate) fn utc(ms: f64) -> Result<OffsetDateTime> {
    if !ms.is_finite() {
        return Err(Failure::input(format!(
            "time: expected milliseconds since 1970, got {ms}"
        )));
    }
    OffsetDateTime::from_unix_timestamp_nanos((ms as i128) * 1_000_000)
        .map_err(|e| Failure::input(format!("time: {e}")))
}

/// The QR environment of a proxy environment name (`sim` mirrors TEST).
pub(crate) fn environment(env: &str) -> Result<Environment> {
    match env {
        "test" | "sim" => Ok(Environment::Test),
        "demo" => Ok(Environment::Demo),
        "prod" => Ok(Environment::Prod),
        other => Err(Failure::input(format!(
            "env: expected sim, test, demo or prod, got {other:?}"
        ))),
    }
}

#[cfg(feature = "client")]
/// The system random number generator (`crypto.getRandomValues` in JavaScript).
pub(crate) fn system_rng() -> rand_core::UnwrapErr<getrandom::SysRng> {
    rand_core::UnwrapErr(getrandom::SysRng)
}
