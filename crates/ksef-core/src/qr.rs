//! KSeF verification links and their QR codes: KOD I (invoice) and KOD II (issuer
//! certificate).
//!
//! Spec: `shared/ksef/DIGEST.md` §14 (byte-exact link formats, signed data, algorithms,
//! labels), §13 (the `Offline` certificate type, keyUsage nonRepudiation) and §1 (QR hosts);
//! DOCS `kody-qr.md`.
//!
//! - [`InvoiceLink`] builds and parses KOD I:
//!   `{QRBASE}/invoice/{sellerNip}/{DD-MM-YYYY}/{base64url(SHA-256(invoice bytes))}`.
//! - [`CertificateLink`] builds KOD II in two steps ([`CertificateLink::prepare`] gives the
//!   [`SignRequest`](crate::crypto::SignRequest) over the exact signed data,
//!   [`PendingCertificateLink::finish`] checks the signature and returns the URL), so a
//!   browser can sign with a non-extractable WebCrypto key.
//! - [`QrLink::parse`] and [`SignedCertificateLink::verify`] check links made by anyone.
//! - [`svg`] draws the QR symbol (ISO/IEC 18004, byte mode, quiet zone 4) with its label.
//!
//! ```
//! use ksef_core::hash::Sha256Hash;
//! use ksef_core::qr::{self, Environment, InvoiceLink, QrLink};
//!
//! // The official KOD I example (DOCS `kody-qr.md`).
//! let hash = Sha256Hash::from_base64_any("UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE").unwrap();
//! let link = InvoiceLink::new(Environment::Test, "1111111111", "2026-02-01", hash)?;
//! assert_eq!(
//!     link.url(),
//!     "https://qr-test.ksef.mf.gov.pl/invoice/1111111111/01-02-2026/UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE"
//! );
//! assert!(matches!(QrLink::parse(&link.url())?, QrLink::Invoice(_)));
//! let svg = qr::svg::render(&link.url(), qr::LABEL_OFFLINE, &Default::default())?;
//! assert!(svg.contains(">OFFLINE</text>"));
//! # Ok::<(), qr::QrError>(())
//! ```

mod cert;
mod error;
mod kod1;
mod kod2;
mod matrix;
mod parse;
pub mod svg;

pub use cert::{KeyKind, QrCertificate};
pub use error::{QrError, Result};
pub use kod1::InvoiceLink;
pub use kod2::{
    CertSerial, CertificateLink, ContextIdentifier, ContextType, PendingCertificateLink,
    SignedCertificateLink, offline_key,
};
pub use parse::QrLink;

/// The label under KOD II (DIGEST §14).
pub const LABEL_CERTIFICATE: &str = "CERTYFIKAT";
/// The label under KOD I while the KSeF number is not known yet (DIGEST §14).
pub const LABEL_OFFLINE: &str = "OFFLINE";

/// Where the verification links point (DIGEST §1, "QR verification host").
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Environment {
    /// TEST (TE): `https://qr-test.ksef.mf.gov.pl`.
    Test,
    /// DEMO (pre-production): `https://qr-demo.ksef.mf.gov.pl`.
    Demo,
    /// PROD: `https://qr.ksef.mf.gov.pl`.
    Prod,
    /// Another base, e.g. a local simulator (`http://localhost:8080/qr`); made with
    /// [`Environment::custom`].
    Custom(String),
}

impl Environment {
    /// The three official environments.
    pub const OFFICIAL: [Environment; 3] =
        [Environment::Test, Environment::Demo, Environment::Prod];

    /// A custom base URL: `http://` or `https://`, a host, an optional path, no trailing
    /// `/`, no query or fragment.
    pub fn custom(base: &str) -> Result<Self> {
        let bad = |reason: &str| QrError::InvalidBase {
            base: base.to_owned(),
            reason: reason.to_owned(),
        };
        let rest = strip_scheme(base).ok_or_else(|| bad("must start with https:// or http://"))?;
        if rest.is_empty() || rest.starts_with('/') {
            return Err(bad("missing host"));
        }
        if rest.ends_with('/') {
            return Err(bad("must not end with '/'"));
        }
        if let Some(c) = rest
            .chars()
            .find(|c| matches!(c, '?' | '#' | ' ') || c.is_control())
        {
            return Err(bad(&format!("must not contain {c:?}")));
        }
        Ok(Environment::Custom(base.to_owned()))
    }

    /// The base URL without a trailing `/`.
    pub fn base(&self) -> &str {
        match self {
            Environment::Test => "https://qr-test.ksef.mf.gov.pl",
            Environment::Demo => "https://qr-demo.ksef.mf.gov.pl",
            Environment::Prod => "https://qr.ksef.mf.gov.pl",
            Environment::Custom(base) => base,
        }
    }

    /// The official environment whose base is `base`, if any.
    pub fn from_base(base: &str) -> Option<Self> {
        Self::OFFICIAL.into_iter().find(|e| e.base() == base)
    }
}

/// The base without its `https://` (or `http://`) scheme, as it appears in the KOD II
/// signed data.
fn strip_scheme(url: &str) -> Option<&str> {
    url.strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bases() {
        assert_eq!(Environment::Test.base(), "https://qr-test.ksef.mf.gov.pl");
        assert_eq!(
            Environment::from_base("https://qr.ksef.mf.gov.pl"),
            Some(Environment::Prod)
        );
        assert!(Environment::custom("http://localhost:8080/qr").is_ok());
        for bad in [
            "localhost",
            "https://",
            "https://x/",
            "https://x?y",
            "ftp://x",
        ] {
            assert!(Environment::custom(bad).is_err(), "{bad}");
        }
    }
}
