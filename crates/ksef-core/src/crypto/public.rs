//! Public keys (RSA ≥ 2048, EC P-256) from SubjectPublicKeyInfo, and signature
//! verification for every [`SignatureAlgorithm`].
//!
//! Spec: DIGEST §5.2 (XAdES: RSA PKCS#1 v1.5 / PSS ≥ 2048, ECDSA raw `R||S`), §14 (KOD II:
//! PSS salt 32; ECDSA P1363 or DER, "a verifier must accept both").

use p256::ecdsa::signature::Verifier;
use rsa::pkcs8::DecodePublicKey;
use sha2::Sha256;
use spki::ObjectIdentifier;

use super::SignatureAlgorithm;
use super::cert::{OID_EC, OID_P256, OID_RSA, algorithm_name};
use super::error::{CredentialError, CryptoError};

/// Smallest RSA modulus KSeF accepts (DIGEST §5.2, §13, §14).
pub const MIN_RSA_BITS: usize = 2048;

/// A public key of a supported kind.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PublicKey {
    /// RSA, at least 2048 bits.
    Rsa(rsa::PublicKey),
    /// ECDSA on P-256.
    EcP256(p256::ecdsa::VerifyingKey),
}

impl PublicKey {
    /// Parses a DER SubjectPublicKeyInfo.
    ///
    /// # Errors
    /// [`CredentialError::UnsupportedAlgorithm`] for anything but RSA ≥ 2048 and EC P-256,
    /// [`CredentialError::DerParse`] for malformed input.
    pub fn from_spki_der(der: &[u8]) -> Result<Self, CredentialError> {
        let spki = spki::SubjectPublicKeyInfoRef::try_from(der).map_err(|e| {
            CredentialError::DerParse {
                what: "SubjectPublicKeyInfo",
                detail: e.to_string(),
            }
        })?;
        let oid = spki.algorithm.oid;
        let curve = spki
            .algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
        let parse_err = |e: spki::Error| CredentialError::DerParse {
            what: "public key",
            detail: e.to_string(),
        };
        if oid == OID_RSA {
            let bits = rsa_spki_bits(spki.subject_public_key.raw_bytes());
            if bits < MIN_RSA_BITS {
                return Err(CredentialError::UnsupportedAlgorithm {
                    algorithm: format!("RSA-{bits} (KSeF requires at least {MIN_RSA_BITS} bits)"),
                });
            }
            let key = rsa::PublicKey::from_public_key_der(der).map_err(|e| {
                CredentialError::UnsupportedAlgorithm {
                    algorithm: format!("RSA-{bits} ({e})"),
                }
            })?;
            return Ok(Self::Rsa(key));
        }
        if oid == OID_EC && curve == Some(OID_P256) {
            let key = p256::PublicKey::from_public_key_der(der).map_err(parse_err)?;
            return Ok(Self::EcP256(key.into()));
        }
        Err(CredentialError::UnsupportedAlgorithm {
            algorithm: algorithm_name(&oid, curve.as_ref()),
        })
    }

    /// `RSA` or `EC P-256`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Rsa(_) => "RSA",
            Self::EcP256(_) => "EC P-256",
        }
    }

    /// Verifies `signature` over `message` with `algorithm`.
    ///
    /// For both ECDSA algorithms either encoding is accepted (IEEE P1363 `R||S` or DER),
    /// as DIGEST §14 requires of KOD II verifiers. RSA-PSS requires salt length 32.
    ///
    /// # Errors
    /// [`CryptoError::AlgorithmMismatch`] if the algorithm does not fit the key, otherwise
    /// the opaque [`CryptoError::InvalidSignature`].
    pub fn verify(
        &self,
        algorithm: SignatureAlgorithm,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), CryptoError> {
        use SignatureAlgorithm as A;
        let bad = |_| CryptoError::InvalidSignature;
        match (self, algorithm) {
            (Self::Rsa(k), A::RsaPkcs1v15Sha256) => {
                k.pkcs1v15_verify::<Sha256>(message, signature).map_err(bad)
            }
            (Self::Rsa(k), A::RsaPssSha256) => {
                k.pss_verify::<Sha256>(message, signature).map_err(bad)
            }
            (Self::EcP256(k), A::EcdsaP256Sha256P1363 | A::EcdsaP256Sha256Der) => {
                verify_ecdsa_any(k, message, signature)
            }
            (k, algorithm) => Err(CryptoError::AlgorithmMismatch {
                algorithm,
                key: k.kind(),
            }),
        }
    }
}

fn verify_ecdsa_any(
    key: &p256::ecdsa::VerifyingKey,
    message: &[u8],
    signature: &[u8],
) -> Result<(), CryptoError> {
    if signature.len() == 64
        && let Ok(sig) = p256::ecdsa::Signature::from_slice(signature)
        && key.verify(message, &sig).is_ok()
    {
        return Ok(());
    }
    let sig = p256::ecdsa::DerSignature::from_bytes(signature)
        .map_err(|_| CryptoError::InvalidSignature)?;
    key.verify(message, &sig)
        .map_err(|_| CryptoError::InvalidSignature)
}

/// Modulus size in bits from the RSAPublicKey inside an SPKI bit string (0 if unparsable).
pub(crate) fn rsa_spki_bits(rsa_public_key_der: &[u8]) -> usize {
    rsa::pkcs1::RsaPublicKeyRef::try_from(rsa_public_key_der)
        .map(|k| uint_bits(k.modulus.as_bytes()))
        .unwrap_or(0)
}

/// Bit length of a big-endian unsigned integer.
pub(crate) fn uint_bits(be: &[u8]) -> usize {
    let trimmed: &[u8] = {
        let first = be.iter().position(|b| *b != 0).unwrap_or(be.len());
        &be[first..]
    };
    match trimmed.first() {
        None => 0,
        Some(top) => (trimmed.len() - 1) * 8 + (8 - top.leading_zeros() as usize),
    }
}
