//! Thin wasm-bindgen layer over `ksef-core` (issue 6, DESIGN "Parts"): each export
//! converts its input, calls the core, converts the output. Errors leave through one
//! conversion point ([`error`]) as `Error`s named `KsefError` with a stable `code`;
//! validation results are data. Bytes cross as `Uint8Array`. The npm package
//! (`web/ksef`) wraps these exports in a typed API, adds WebCrypto and IndexedDB.

#[cfg(feature = "client")]
pub mod client;
#[cfg(feature = "keys")]
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
#[cfg(feature = "keys")]
pub use credential::{Kod2Certificate, LoadedCredential, PendingKod2, SoftKey};

use error::{Failure, Result};
#[cfg(any(feature = "client", feature = "keys"))]
use ksef_core::crypto::SignatureAlgorithm;
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

#[cfg(any(feature = "invoice", feature = "keys"))]
/// The QR environment of a proxy environment name (`sim` mirrors TEST).
pub(crate) fn environment(env: &str) -> Result<ksef_core::qr::Environment> {
    match env {
        "test" | "sim" => Ok(ksef_core::qr::Environment::Test),
        "demo" => Ok(ksef_core::qr::Environment::Demo),
        "prod" => Ok(ksef_core::qr::Environment::Prod),
        other => Err(Failure::input(format!(
            "env: expected sim, test, demo or prod, got {other:?}"
        ))),
    }
}

#[cfg(any(feature = "client", feature = "keys"))]
/// The system random number generator (`crypto.getRandomValues` in JavaScript).
pub(crate) fn system_rng() -> rand_core::UnwrapErr<getrandom::SysRng> {
    rand_core::UnwrapErr(getrandom::SysRng)
}

/// The wire name of a signature algorithm (`EcdsaP256Sha256P1363`, …).
#[cfg(any(feature = "client", feature = "keys"))]
pub(crate) fn algorithm_name(a: SignatureAlgorithm) -> String {
    serde_json::to_value(a)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

#[cfg(any(feature = "client", feature = "keys"))]
/// A signature algorithm from its wire name, or an input error naming the four.
pub(crate) fn parse_algorithm(name: &str) -> Result<SignatureAlgorithm> {
    serde_json::from_value(serde_json::Value::String(name.to_owned())).map_err(|_| {
        Failure::input(format!(
            "algorithm: expected RsaPkcs1v15Sha256, RsaPssSha256, EcdsaP256Sha256P1363 or \
             EcdsaP256Sha256Der, got {name:?}"
        ))
    })
}
