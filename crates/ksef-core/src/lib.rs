#![doc = include_str!("../README.md")]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod api;
pub mod client;
pub mod crypto;
pub mod csr;
pub mod draft;
pub mod fa3;
pub mod hash;
pub mod ident;
pub mod offline;
pub mod qr;
pub mod validate;
pub mod xades;
pub mod xml;
