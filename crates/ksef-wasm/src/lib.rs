//! Thin wasm-bindgen layer over `ksef-core`.
//!
//! Placeholder until the browser-module issue: it only re-exports the core so the
//! crate builds (natively and for `wasm32-unknown-unknown`) and CI keeps it honest.

pub use ksef_core as core;
