//! Keys, certificates, signatures and encryption.
//!
//! Spec: `shared/ksef/DIGEST.md` §4 (MF public keys), §5.2 (XAdES algorithms, subject
//! identifiers), §5.3 (KSeF token encryption), §7 (invoice encryption), §13 (KSeF
//! certificates), §14 (KOD II signatures).
//!
//! - Loading: [`Certificate`] and [`PrivateKey`] (PEM or DER, every common key container),
//!   with precise [`CredentialError`]s.
//! - Roles (CONVENTIONS §8): [`AuthSigningKey`] (XAdES login), [`OfflineSigningKey`]
//!   (KOD II), [`MfPublicKey`] (RSA-OAEP to MF), [`InvoiceEncryptionKey`] (AES-256-CBC
//!   session key), [`MfPrivateKey`] (the simulator's side).
//! - [`hazmat`]: verification with any certificate, signing with a bare key.
//!
//! ```no_run
//! use ksef_core::crypto::{Credential, InvoiceEncryptionKey, MfKeyUsage, MfPublicKey, OfflineSigningKey};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let (cert_pem, key_pem, list_json, invoice_xml) = (vec![], vec![], vec![], vec![]);
//! let now = time::OffsetDateTime::now_utc(); // the caller's clock
//! let mut rng = rand_core::UnwrapErr(getrandom::SysRng); // the caller's RNG
//!
//! // KOD II: Offline certificate + key, two steps (the second may run in WebCrypto).
//! let cred = Credential::load(&cert_pem, &key_pem, Some("password"))?;
//! let signer = OfflineSigningKey::new(cred, now)?;
//! let request = signer.sign_request(b"qr-test.ksef.mf.gov.pl/certificate/...");
//! let signature = signer.sign(&request, &mut rng)?;
//!
//! // Invoice encryption for an online session.
//! let mf = MfPublicKey::select(&list_json, MfKeyUsage::SymmetricKeyEncryption, now)?;
//! let session = InvoiceEncryptionKey::generate(&mut rng);
//! let encryption = session.encryption_info(&mf, &mut rng)?; // POST /sessions/online
//! let invoice = session.encrypt_invoice(&invoice_xml); // POST …/invoices
//! # let _ = (signature, encryption, invoice);
//! # Ok(())
//! # }
//! ```
//!
//! Every signature the product makes is available in two steps, so that a browser can
//! sign with a non-extractable WebCrypto key: first the exact bytes to sign and the
//! algorithm ([`SignRequest`]), then assembling the result from a signature produced
//! elsewhere. The pure-Rust signers in this module do both steps natively.

/// A signature algorithm, with the exact encoding of its output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum SignatureAlgorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256 (XAdES `rsa-sha256`, CSR).
    RsaPkcs1v15Sha256,
    /// RSASSA-PSS, SHA-256, MGF1-SHA-256, salt length 32 (KOD II with RSA).
    RsaPssSha256,
    /// ECDSA P-256 with SHA-256; the signature is raw `R || S` (IEEE P1363, 64 bytes).
    EcdsaP256Sha256P1363,
    /// ECDSA P-256 with SHA-256; the signature is ASN.1 DER `SEQUENCE { r, s }` (CSR).
    EcdsaP256Sha256Der,
}

/// The first step of a two-step signature: what to sign, and how.
///
/// The signer hashes `message` itself (SHA-256) as part of the algorithm; `message` is
/// never a pre-computed digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignRequest {
    /// The algorithm the signature must use.
    pub algorithm: SignatureAlgorithm,
    /// The exact bytes to sign.
    pub message: Vec<u8>,
}

mod cert;
mod encryption;
mod error;
pub mod hazmat;
mod input;
mod key;
mod mf;
mod name;
mod public;
mod signer;

pub use cert::{Certificate, KeyAlgorithm, KsefCertificateType, SubjectIdentifier};
pub use encryption::{
    EncryptedInvoice, EncryptedPart, EncryptionInfo, InvoiceEncryptionKey, MfPrivateKey,
};
pub use error::{CredentialError, CryptoError, Result};
pub use key::{KeyFormat, PrivateKey};
pub use mf::{MfKeyUsage, MfPublicKey, PublicKeyCertificate};
pub use name::NameAttribute;
pub use public::{MIN_RSA_BITS, PublicKey};
pub use signer::{AuthSigningKey, Credential, OfflineSigningKey};

impl SignatureAlgorithm {
    /// The algorithm's XML-DSig `SignatureMethod` URI (RFC 6931 / RFC 4051).
    pub fn xmldsig_uri(self) -> &'static str {
        match self {
            Self::RsaPkcs1v15Sha256 => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
            Self::RsaPssSha256 => "http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1",
            Self::EcdsaP256Sha256P1363 | Self::EcdsaP256Sha256Der => {
                "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
            }
        }
    }
}
