//! PKCS#10 certificate signing requests (RFC 2986) for KSeF certificate enrollment.
//!
//! Spec: `shared/ksef/DIGEST.md` §13 (enrollment data, key types, CSR rules, errors
//! 25003 "subject differs", 25004 "format/signature", 25010 "key type/length", 25011
//! "signature algorithm"); DOCS `certyfikaty-KSeF.md` §2–3.
//!
//! - [`EnrollmentSubject`] is the JSON of `GET /certificates/enrollments/data`, turned into
//!   the subject DN **unchanged** (else 25003), with the official client's string types
//!   and order.
//! - [`CsrPrivateKey`] is a new EC P-256 (recommended) or RSA-2048 key, generated from the
//!   caller's RNG, exported as PKCS#8 (plain or password-encrypted PBES2).
//! - [`CsrBuilder`] makes the request in two steps ([`CsrBuilder::csr_sign_request`], then
//!   [`CsrBuilder::assemble`]), so a browser can sign with a WebCrypto key;
//!   [`CsrPrivateKey::create_csr`] does both with a key held here. Signatures:
//!   ECDSA-SHA256 (DER, RFC 3279) or RSA PKCS#1 v1.5 SHA-256.
//!
//! ```
//! use ksef_core::csr::{CsrKeyType, CsrPrivateKey, EnrollmentSubject};
//! # fn rng() -> impl rand_core::CryptoRng { rand_core::UnwrapErr(getrandom::SysRng) }
//!
//! let subject = EnrollmentSubject::from_json(
//!     br#"{"commonName":"Beta","countryName":"PL","organizationIdentifier":"VATPL-5265877635"}"#,
//! )?;
//! let key = CsrPrivateKey::generate(CsrKeyType::EcP256, &mut rng())?;
//! let csr = key.create_csr(&subject)?;
//! assert!(csr.to_pem()?.starts_with("-----BEGIN CERTIFICATE REQUEST-----"));
//! let _for_the_api = csr.to_base64(); // `csr` of POST /certificates/enrollments
//! # Ok::<(), ksef_core::csr::CsrError>(())
//! ```

mod builder;
mod key;
mod subject;

pub use builder::{Csr, CsrBuilder};
pub use key::{CsrKeyType, CsrPrivateKey, PBKDF2_ITERATIONS};
pub use subject::EnrollmentSubject;

/// Why a CSR or its key could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CsrError {
    /// The enrollment data is not valid JSON of the expected shape.
    #[error("invalid enrollment data: {0}")]
    InvalidJson(String),
    /// A required subject attribute is missing or empty.
    #[error("missing subject attribute {0}")]
    MissingField(&'static str),
    /// A subject attribute cannot be encoded with its string type.
    #[error("invalid subject attribute {field} {value:?}: {reason}")]
    InvalidField {
        /// The attribute (JSON name).
        field: &'static str,
        /// The value given.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The public key is neither EC P-256 nor RSA-2048 (KSeF error 25010).
    #[error("unsupported key for a KSeF CSR: {0} (use EC P-256 or RSA-2048)")]
    UnsupportedKey(String),
    /// The signature does not verify over the CertificationRequestInfo with the request's
    /// public key (KSeF would answer 25004).
    #[error("the CSR signature does not verify: {0}")]
    BadSignature(String),
    /// Key generation failed.
    #[error("key generation failed: {0}")]
    KeyGeneration(String),
    /// DER, PEM or PKCS#8 encoding failed.
    #[error("encoding failed: {0}")]
    Encoding(String),
}

/// Result alias for the CSR module.
pub type Result<T> = std::result::Result<T, CsrError>;

fn encoding(e: impl std::fmt::Display) -> CsrError {
    CsrError::Encoding(e.to_string())
}
