//! Errors of the QR module: each variant says exactly what is wrong with a link, a
//! certificate or a signature (DIGEST §14; PEERS §4 item 4 lists the mistakes they catch).
//!
//! Unlike decryption, verifying a public link has no oracle to protect, so a failed
//! signature says which check failed (salt length, encoding, key).

use crate::crypto::{CredentialError, CryptoError};
use crate::ident::IdentError;

/// Why a link could not be built, parsed, signed or verified.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QrError {
    /// A custom base URL is not usable.
    #[error("invalid QR base url {base:?}: {reason}")]
    InvalidBase {
        /// The base that was given.
        base: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A NIP does not match the NIP pattern.
    #[error("invalid {field}: {source}")]
    InvalidNip {
        /// Which NIP (`seller NIP`, `context NIP`).
        field: &'static str,
        /// The identifier check that failed.
        source: IdentError,
    },
    /// The issue date (P_1) is not a valid `YYYY-MM-DD` (or, in a link, `DD-MM-YYYY`) date.
    #[error("invalid issue date {value:?}: {reason}")]
    InvalidDate {
        /// The date that was given.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The context type is not one of `Nip`, `InternalId`, `NipVatUe`, `PeppolId`.
    #[error("unknown context type {0:?} (expected Nip, InternalId, NipVatUe or PeppolId)")]
    UnknownContextType(String),
    /// The context value does not fit its type.
    #[error("invalid {context_type} context value {value:?}: {reason}")]
    InvalidContext {
        /// The context type name.
        context_type: &'static str,
        /// The value that was given.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The certificate serial is not 16 upper-case hex characters (or does not fit 8 bytes).
    #[error("invalid certificate serial {value:?}: {reason}")]
    InvalidSerial {
        /// The serial that was given.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The invoice hash segment is not 43 characters of unpadded Base64url.
    #[error("invalid invoice hash {value:?}: {reason}")]
    InvalidHash {
        /// The segment that was given.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The signature segment is not unpadded Base64url.
    #[error("invalid signature encoding: {0}")]
    InvalidSignatureEncoding(String),
    /// The link does not start with a known QR base.
    #[error("unknown QR host in {url:?} (expected one of {expected})")]
    UnknownHost {
        /// The link.
        url: String,
        /// The accepted bases, comma-separated.
        expected: String,
    },
    /// The link's path does not have the KOD I or KOD II shape.
    #[error("malformed {kind} link: {reason}")]
    Malformed {
        /// `KOD I`, `KOD II` or `QR`.
        kind: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The certificate or key could not be loaded, or does not fit KOD II (e.g. an
    /// `Authentication` certificate: `wrong KSeF certificate type for KOD II (offline)
    /// signing: expected Offline, found Authentication`).
    #[error(transparent)]
    Credential(#[from] CredentialError),
    /// The signer failed (e.g. the RSA operation).
    #[error("signing the KOD II link failed: {0}")]
    Signing(CryptoError),
    /// The certificate could not be read.
    #[error("invalid certificate: {0}")]
    Certificate(String),
    /// The certificate's public key is neither RSA (≥ 2048 bits) nor EC P-256.
    #[error("unsupported certificate key: {0}")]
    UnsupportedKey(String),
    /// The certificate is not of the KSeF `Offline` type (keyUsage nonRepudiation only).
    #[error(
        "the certificate is not a KSeF Offline certificate (keyUsage: {key_usage}); \
         KOD II must be signed with an Offline certificate, never an Authentication one"
    )]
    NotOfflineCertificate {
        /// The key usages the certificate has, e.g. `digitalSignature`.
        key_usage: String,
    },
    /// The serial in the link is not the certificate's serial.
    #[error("certificate serial mismatch: link has {link}, certificate has {certificate}")]
    SerialMismatch {
        /// Serial in the link.
        link: String,
        /// Serial of the certificate.
        certificate: String,
    },
    /// The signature has the wrong length for the algorithm.
    #[error("{algorithm} signature must be {expected} bytes, got {got}")]
    SignatureLength {
        /// The algorithm.
        algorithm: &'static str,
        /// The required length.
        expected: usize,
        /// The length found.
        got: usize,
    },
    /// An RSA-PSS signature is valid but uses the wrong salt length.
    #[error("RSA-PSS signature uses salt length {found}, KSeF requires 32")]
    PssSaltLength {
        /// The salt length the signature uses.
        found: usize,
    },
    /// The signature does not verify with the certificate's public key over the signed
    /// data (the link without `https://` and without the signature segment).
    #[error("signature does not verify ({detail})")]
    BadSignature {
        /// Which algorithm and encodings were tried.
        detail: String,
    },
    /// The label is empty, too long or holds control characters.
    #[error("invalid QR label: {0}")]
    InvalidLabel(String),
    /// The data does not fit a QR symbol, or the rendering options are out of range.
    #[error("cannot draw the QR code: {0}")]
    Render(String),
}

/// Result alias for the QR module.
pub type Result<T> = std::result::Result<T, QrError>;
