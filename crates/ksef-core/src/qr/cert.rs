//! The parts of a KSeF certificate that KOD II needs: serial, type (keyUsage) and public
//! key, plus KOD II signature verification (DIGEST §13, §14).
//!
//! Types (DIGEST §13): `Offline` = keyUsage nonRepudiation (0x40) and not
//! digitalSignature; `Authentication` = digitalSignature (0x80). Only `Offline` may sign
//! KOD II.

use der::{Decode, DecodePem, Encode};
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::Verifier;
use rsa::traits::PublicKeyParts;
use sha2::Sha256;
use x509_cert::Certificate;
use x509_cert::ext::pkix::{KeyUsage, KeyUsages};

use super::kod2::CertSerial;
use super::{QrError, Result};
use crate::crypto::SignatureAlgorithm;

/// The OID of rsaEncryption.
const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";
/// The OID of id-ecPublicKey.
const EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
/// The RSA-PSS salt length KSeF requires for KOD II (DIGEST §14).
pub(crate) const PSS_SALT_LEN: usize = 32;

/// The kind of key behind a certificate, which decides the KOD II algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyKind {
    /// RSA with this modulus size in bits (≥ 2048): RSASSA-PSS SHA-256, salt 32.
    Rsa {
        /// Modulus size in bits.
        bits: usize,
    },
    /// EC P-256: ECDSA SHA-256, IEEE P1363 `R || S`.
    EcP256,
}

impl KeyKind {
    /// The KOD II signature algorithm for this key (DIGEST §14).
    pub fn kod2_algorithm(self) -> SignatureAlgorithm {
        match self {
            KeyKind::Rsa { .. } => SignatureAlgorithm::RsaPssSha256,
            KeyKind::EcP256 => SignatureAlgorithm::EcdsaP256Sha256P1363,
        }
    }
}

#[derive(Debug, Clone)]
enum PublicKey {
    Rsa(rsa::PublicKey),
    Ec(p256::ecdsa::VerifyingKey),
}

/// A certificate read for KOD II: serial, key usage and public key.
#[derive(Debug, Clone)]
pub struct QrCertificate {
    serial: CertSerial,
    digital_signature: bool,
    non_repudiation: bool,
    key_usage: String,
    key: PublicKey,
}

impl QrCertificate {
    /// Reads a certificate from DER or PEM (`-----BEGIN CERTIFICATE-----`).
    pub fn from_der_or_pem(bytes: &[u8]) -> Result<Self> {
        let trimmed = bytes.trim_ascii_start();
        let cert = if trimmed.starts_with(b"-----BEGIN") {
            Certificate::from_pem(trimmed).map_err(|e| QrError::Certificate(format!("PEM: {e}")))?
        } else {
            Certificate::from_der(bytes).map_err(|e| QrError::Certificate(format!("DER: {e}")))?
        };
        Self::from_x509(&cert)
    }

    /// From a certificate loaded by [`crate::crypto::Certificate`].
    pub fn from_ksef_certificate(cert: &crate::crypto::Certificate) -> Result<Self> {
        Self::from_x509(cert.x509())
    }

    fn from_x509(cert: &Certificate) -> Result<Self> {
        let tbs = cert.tbs_certificate();
        let serial = CertSerial::from_der_integer(tbs.serial_number().as_bytes())?;
        let ku = tbs
            .get_extension::<KeyUsage>()
            .map_err(|e| QrError::Certificate(format!("keyUsage extension: {e}")))?
            .map(|(_, ku)| ku);
        let (digital_signature, non_repudiation, key_usage) = match ku {
            None => (false, false, "none (no keyUsage extension)".to_owned()),
            Some(ku) => (
                ku.digital_signature(),
                ku.non_repudiation(),
                describe_key_usage(&ku),
            ),
        };
        let spki = tbs
            .subject_public_key_info()
            .to_der()
            .map_err(|e| QrError::Certificate(format!("public key: {e}")))?;
        let oid = tbs.subject_public_key_info().algorithm.oid.to_string();
        let key = match oid.as_str() {
            RSA_ENCRYPTION => {
                let k = rsa::PublicKey::from_public_key_der(&spki)
                    .map_err(|e| QrError::Certificate(format!("RSA public key: {e}")))?;
                let bits = k.size() * 8;
                if bits < 2048 {
                    return Err(QrError::UnsupportedKey(format!(
                        "RSA-{bits} (KSeF requires at least 2048 bits)"
                    )));
                }
                PublicKey::Rsa(k)
            }
            EC_PUBLIC_KEY => PublicKey::Ec(
                p256::ecdsa::VerifyingKey::from_public_key_der(&spki).map_err(|_| {
                    QrError::UnsupportedKey("EC key on a curve other than P-256".into())
                })?,
            ),
            other => return Err(QrError::UnsupportedKey(format!("algorithm {other}"))),
        };
        Ok(Self {
            serial,
            digital_signature,
            non_repudiation,
            key_usage,
            key,
        })
    }

    /// The serial, as it appears in KOD II.
    pub fn serial(&self) -> &CertSerial {
        &self.serial
    }

    /// The key kind (and so the KOD II algorithm).
    pub fn key_kind(&self) -> KeyKind {
        match &self.key {
            PublicKey::Rsa(k) => KeyKind::Rsa { bits: k.size() * 8 },
            PublicKey::Ec(_) => KeyKind::EcP256,
        }
    }

    /// The key usages, e.g. `nonRepudiation`.
    pub fn key_usage(&self) -> &str {
        &self.key_usage
    }

    /// Whether this is a KSeF `Offline` certificate: keyUsage nonRepudiation without
    /// digitalSignature (an `Authentication` certificate has digitalSignature).
    pub fn is_offline(&self) -> bool {
        self.non_repudiation && !self.digital_signature
    }

    /// Fails with [`QrError::NotOfflineCertificate`] unless [`Self::is_offline`].
    pub fn require_offline(&self) -> Result<()> {
        if self.is_offline() {
            Ok(())
        } else {
            Err(QrError::NotOfflineCertificate {
                key_usage: self.key_usage.clone(),
            })
        }
    }

    /// Verifies a KOD II signature over `message` (the signed data, DIGEST §14): RSA-PSS
    /// with SHA-256, MGF1-SHA-256 and salt 32; ECDSA P-256 SHA-256 as P1363 `R || S`
    /// (64 bytes) or ASN.1 DER. Returns the encoding that verified.
    pub fn verify_kod2_signature(
        &self,
        message: &[u8],
        signature: &[u8],
    ) -> Result<SignatureAlgorithm> {
        match &self.key {
            PublicKey::Rsa(k) => verify_pss(k, message, signature),
            PublicKey::Ec(k) => verify_ecdsa(k, message, signature),
        }
    }
}

fn verify_pss(
    key: &rsa::PublicKey,
    message: &[u8],
    signature: &[u8],
) -> Result<SignatureAlgorithm> {
    if signature.len() != key.size() {
        return Err(QrError::SignatureLength {
            algorithm: "RSA-PSS",
            expected: key.size(),
            got: signature.len(),
        });
    }
    let sig = rsa::pss::Signature::try_from(signature).map_err(|_| QrError::BadSignature {
        detail: "RSA-PSS: not a signature for this key".into(),
    })?;
    let with_salt = |salt| {
        rsa::pss::VerifyingKey::<Sha256>::new_with_salt_len(key.clone(), salt)
            .verify(message, &sig)
            .is_ok()
    };
    if with_salt(PSS_SALT_LEN) {
        return Ok(SignatureAlgorithm::RsaPssSha256);
    }
    // Diagnose the most common mistake (PEERS §4 item 4): a valid PSS signature with
    // another salt length (e.g. 222 = "max", 20, 0).
    let auto = rsa::pss::VerifyingKey::<Sha256>::new_with_auto_salt_len(key.clone());
    if auto.verify(message, &sig).is_ok() {
        let max = key.size().saturating_sub(32 + 2);
        if let Some(found) = (0..=max).find(|&s| s != PSS_SALT_LEN && with_salt(s)) {
            return Err(QrError::PssSaltLength { found });
        }
    }
    Err(QrError::BadSignature {
        detail: "RSA-PSS SHA-256, MGF1-SHA-256, salt 32 over the link without https:// \
                 and without the signature segment"
            .into(),
    })
}

fn verify_ecdsa(
    key: &p256::ecdsa::VerifyingKey,
    message: &[u8],
    signature: &[u8],
) -> Result<SignatureAlgorithm> {
    let (sig, alg) = if signature.len() == 64 {
        (
            p256::ecdsa::Signature::from_slice(signature),
            SignatureAlgorithm::EcdsaP256Sha256P1363,
        )
    } else {
        (
            p256::ecdsa::Signature::from_der(signature),
            SignatureAlgorithm::EcdsaP256Sha256Der,
        )
    };
    let sig = sig.map_err(|_| QrError::BadSignature {
        detail: format!(
            "ECDSA: {} bytes are neither P1363 R||S (64 bytes) nor an ASN.1 DER signature",
            signature.len()
        ),
    })?;
    key.verify(message, &sig)
        .map(|()| alg)
        .map_err(|_| QrError::BadSignature {
            detail: "ECDSA P-256 SHA-256 over the link without https:// and without the \
                     signature segment"
                .into(),
        })
}

fn describe_key_usage(ku: &KeyUsage) -> String {
    const NAMES: [(KeyUsages, &str); 9] = [
        (KeyUsages::DigitalSignature, "digitalSignature"),
        (KeyUsages::NonRepudiation, "nonRepudiation"),
        (KeyUsages::KeyEncipherment, "keyEncipherment"),
        (KeyUsages::DataEncipherment, "dataEncipherment"),
        (KeyUsages::KeyAgreement, "keyAgreement"),
        (KeyUsages::KeyCertSign, "keyCertSign"),
        (KeyUsages::CRLSign, "cRLSign"),
        (KeyUsages::EncipherOnly, "encipherOnly"),
        (KeyUsages::DecipherOnly, "decipherOnly"),
    ];
    let names: Vec<&str> = NAMES
        .iter()
        .filter(|(flag, _)| ku.0.contains(*flag))
        .map(|(_, name)| *name)
        .collect();
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}
