//! FA(3) XML infrastructure: a lossless reader (its own XML 1.0 + Namespaces
//! tokenizer building a borrowed element tree, `tree`) and a deterministic writer (no
//! serde-for-XML), driven by the declarative macros in `macros` that mirror the XSD
//! (`schemat_FA(3)_v1-0E.xsd`, FA3.md §1–2).
//!
//! Entry points are [`Faktura::from_xml`](crate::fa3::Faktura::from_xml) and
//! [`Faktura::to_xml`](crate::fa3::Faktura::to_xml).

mod error;
pub(crate) mod macros;
pub(crate) mod read;
pub(crate) mod text;
mod tree;
pub(crate) mod write;

pub use error::{ReadError, WriteError};

/// The FA(3) target namespace (`xmlns` of `Faktura`).
pub const NS: &str = "http://crd.gov.pl/wzor/2025/06/25/13775/";
