//! Errors of the crypto module.
//!
//! Two kinds, on purpose (CONVENTIONS §8, §9):
//! - [`CredentialError`] is **precise**: loading a certificate or a key is where users get
//!   stuck (PEERS §4 item 3: "password may be incorrect", corrupted downloads, the wrong
//!   KSeF certificate type), so every failure names its cause.
//! - [`CryptoError`] covers operations. Decryption and signature-verification failures are
//!   **opaque** (no padding-oracle or "which check failed" detail).

use super::cert::KsefCertificateType;

/// Why a certificate or a private key could not be loaded, or does not fit its role.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CredentialError {
    /// The input is neither PEM (`-----BEGIN …-----`) nor DER (an ASN.1 SEQUENCE).
    #[error("not a PEM or DER file")]
    NotPemOrDer,
    /// A PEM block was found, but its Base64 body does not decode.
    #[error("PEM block `{label}` has invalid base64")]
    BadBase64 {
        /// The PEM label, e.g. `PRIVATE KEY`.
        label: String,
    },
    /// The file ends early: a PEM block without its `-----END` line, or DER whose
    /// declared length exceeds the bytes present.
    #[error("file is truncated")]
    Truncated,
    /// The DER does not parse as the expected structure.
    #[error("DER parse error in {what}: {detail}")]
    DerParse {
        /// What was being parsed (e.g. `certificate`, `PKCS#8 private key`).
        what: &'static str,
        /// The parser's message.
        detail: String,
    },
    /// The PEM file holds no block of the expected kind (e.g. a key file given as certificate).
    #[error("no {expected} found (PEM labels present: {found})")]
    WrongPemLabel {
        /// What was expected (`certificate` or `private key`).
        expected: &'static str,
        /// The labels that were present, comma-separated.
        found: String,
    },
    /// Legacy OpenSSL PEM encryption (`Proc-Type: 4,ENCRYPTED`, `DEK-Info`) is not supported;
    /// convert with `openssl pkcs8 -topk8 -v2 aes-256-cbc`.
    #[error(
        "legacy PEM encryption (Proc-Type/DEK-Info) is not supported; convert to encrypted PKCS#8"
    )]
    LegacyPemEncryption,
    /// The key is encrypted (encrypted PKCS#8) and no password was given.
    #[error("the private key is encrypted: a password is required")]
    PasswordRequired,
    /// A password was given, but the key is not encrypted.
    #[error("a password was given but the private key is not encrypted")]
    PasswordNotExpected,
    /// The password does not decrypt the key (or the encrypted data is corrupt; the two
    /// cannot be told apart).
    #[error("wrong password for the encrypted private key")]
    WrongPassword,
    /// The key is encrypted with a scheme we do not implement (e.g. PBES1, 3DES).
    #[error("unsupported private-key encryption scheme {oid}")]
    UnsupportedEncryption {
        /// The encryption algorithm OID (dotted).
        oid: String,
    },
    /// The key or certificate uses an algorithm KSeF does not accept here (only RSA ≥ 2048
    /// and EC P-256 are supported).
    #[error("unsupported key algorithm: {algorithm}")]
    UnsupportedAlgorithm {
        /// Human-readable name and OID, e.g. `Ed25519 (1.3.101.112)` or `RSA-1024`.
        algorithm: String,
    },
    /// The certificate's public key does not belong to the private key.
    #[error("the certificate and the private key do not match")]
    KeyMismatch,
    /// The certificate is not valid yet at the given time.
    #[error("certificate is not valid before {not_before} (now {now})")]
    NotYetValid {
        /// Start of validity (RFC 3339).
        not_before: String,
        /// The time checked against (RFC 3339).
        now: String,
    },
    /// The certificate has expired at the given time.
    #[error("certificate expired at {not_after} (now {now})")]
    Expired {
        /// End of validity (RFC 3339).
        not_after: String,
        /// The time checked against (RFC 3339).
        now: String,
    },
    /// The certificate's KSeF type (from keyUsage, DIGEST §13) does not fit the role.
    #[error("wrong KSeF certificate type for {role}: expected {expected}, found {found}")]
    WrongCertificateType {
        /// The role the key was to be used for.
        role: &'static str,
        /// The type that role needs.
        expected: KsefCertificateType,
        /// The type the certificate has.
        found: KsefCertificateType,
    },
}

/// Failures of crypto operations: encryption, decryption, signing, verification and
/// choosing the MF key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CryptoError {
    /// Loading or role-checking a credential failed.
    #[error(transparent)]
    Credential(#[from] CredentialError),
    /// Decryption failed. Deliberately opaque: wrong key, bad padding and corrupt data look
    /// the same.
    #[error("decryption failed")]
    Decryption,
    /// The signature does not verify. Deliberately opaque.
    #[error("invalid signature")]
    InvalidSignature,
    /// The signature algorithm cannot be used with this key (e.g. ECDSA with an RSA key).
    #[error("signature algorithm {algorithm:?} does not fit a {key} key")]
    AlgorithmMismatch {
        /// The requested algorithm.
        algorithm: super::SignatureAlgorithm,
        /// The key kind (`RSA` or `EC P-256`).
        key: &'static str,
    },
    /// The private-key operation failed (e.g. RNG failure inside the RSA crate).
    #[error("signing failed")]
    Signing,
    /// RSA-OAEP encryption failed (message too long for the key, RNG failure).
    #[error("encryption failed")]
    Encryption,
    /// A ciphertext or key field has the wrong length or encoding (e.g. an IV that is not
    /// 16 bytes, a symmetric key that is not 32 bytes, bad Base64).
    #[error("malformed {field}")]
    Malformed {
        /// Which field.
        field: &'static str,
    },
    /// The `/security/public-key-certificates` list could not be parsed.
    #[error("invalid public-key certificate list: {0}")]
    InvalidKeyList(String),
    /// No MF certificate with the needed usage is valid at the given time.
    #[error("no MF public key with usage {usage} is valid at {now}")]
    NoMfKey {
        /// The usage that was looked for.
        usage: &'static str,
        /// The time checked against (RFC 3339).
        now: String,
    },
    /// The list's `publicKeyId` is not Base64(SHA-256(SPKI DER)) of its certificate.
    #[error("publicKeyId {declared} does not match the certificate (computed {computed})")]
    PublicKeyIdMismatch {
        /// The id in the list.
        declared: String,
        /// The id computed from the certificate.
        computed: String,
    },
}

/// Result alias of the crypto module.
pub type Result<T, E = CryptoError> = core::result::Result<T, E>;
