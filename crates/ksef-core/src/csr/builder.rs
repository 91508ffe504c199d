//! The two-step PKCS#10 builder (RFC 2986 §4): the DER of `CertificationRequestInfo` is
//! signed elsewhere, then assembled and checked.

use der::asn1::{Any, BitString, SetOfVec};
use der::oid::ObjectIdentifier;
use der::pem::LineEnding;
use der::{Decode, Encode, EncodePem};
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::Verifier;
use rsa::traits::PublicKeyParts;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::request::{CertReq, CertReqInfo, Version};

use super::{CsrError, EnrollmentSubject, Result, encoding};
use crate::crypto::{SignRequest, SignatureAlgorithm};

const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const ECDSA_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");

#[derive(Debug, Clone)]
enum Key {
    Ec(p256::ecdsa::VerifyingKey),
    Rsa(rsa::PublicKey),
}

/// A CSR waiting for its signature.
#[derive(Debug, Clone)]
pub struct CsrBuilder {
    info: CertReqInfo,
    info_der: Vec<u8>,
    key: Key,
}

impl CsrBuilder {
    /// Prepares the request for `subject` and a public key (DER `SubjectPublicKeyInfo`),
    /// which must be EC P-256 or RSA-2048 (KSeF error 25010 otherwise).
    pub fn new(subject: &EnrollmentSubject, public_key_der: &[u8]) -> Result<Self> {
        let spki = SubjectPublicKeyInfoOwned::from_der(public_key_der).map_err(encoding)?;
        let key = if spki.algorithm.oid == EC_PUBLIC_KEY {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
            if curve != Some(SECP256R1) {
                return Err(CsrError::UnsupportedKey("EC key not on P-256".into()));
            }
            Key::Ec(
                p256::ecdsa::VerifyingKey::from_public_key_der(public_key_der)
                    .map_err(|e| CsrError::UnsupportedKey(format!("EC P-256: {e}")))?,
            )
        } else if spki.algorithm.oid == RSA_ENCRYPTION {
            let k = rsa::PublicKey::from_public_key_der(public_key_der)
                .map_err(|e| CsrError::UnsupportedKey(format!("RSA: {e}")))?;
            if k.size() != 256 {
                return Err(CsrError::UnsupportedKey(format!("RSA-{}", k.size() * 8)));
            }
            Key::Rsa(k)
        } else {
            return Err(CsrError::UnsupportedKey(format!(
                "algorithm {}",
                spki.algorithm.oid
            )));
        };
        let info = CertReqInfo {
            version: Version::V1,
            subject: subject.to_name()?,
            public_key: spki,
            attributes: SetOfVec::new(),
        };
        let info_der = info.to_der().map_err(encoding)?;
        Ok(Self {
            info,
            info_der,
            key,
        })
    }

    /// Step 1 of 2: the DER of `CertificationRequestInfo` and the algorithm to sign it
    /// with: ECDSA-SHA256 with a DER signature for EC keys, RSA PKCS#1 v1.5 SHA-256 for RSA.
    pub fn csr_sign_request(&self) -> SignRequest {
        SignRequest {
            algorithm: self.algorithm(),
            message: self.info_der.clone(),
        }
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        match self.key {
            Key::Ec(_) => SignatureAlgorithm::EcdsaP256Sha256Der,
            Key::Rsa(_) => SignatureAlgorithm::RsaPkcs1v15Sha256,
        }
    }

    /// Step 2 of 2: checks `signature` against the request's public key and assembles the
    /// CSR. An ECDSA signature may be DER or P1363 `R || S` (WebCrypto); the CSR always
    /// carries DER (RFC 3279).
    pub fn assemble(self, signature: &[u8]) -> Result<Csr> {
        let (oid, parameters, signature) = match &self.key {
            Key::Ec(k) => {
                let sig = if signature.len() == 64 {
                    p256::ecdsa::Signature::from_slice(signature)
                } else {
                    p256::ecdsa::Signature::from_der(signature)
                }
                .map_err(|_| {
                    CsrError::BadSignature(format!(
                        "{} bytes are neither an ECDSA DER nor a P1363 signature",
                        signature.len()
                    ))
                })?;
                k.verify(&self.info_der, &sig).map_err(|_| {
                    CsrError::BadSignature(
                        "ECDSA P-256 SHA-256 over CertificationRequestInfo".into(),
                    )
                })?;
                (ECDSA_WITH_SHA256, None, sig.to_der().as_bytes().to_vec())
            }
            Key::Rsa(k) => {
                let sig = rsa::pkcs1v15::Signature::try_from(signature)
                    .map_err(|e| CsrError::BadSignature(e.to_string()))?;
                rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(k.clone())
                    .verify(&self.info_der, &sig)
                    .map_err(|_| {
                        CsrError::BadSignature(
                            "RSA PKCS#1 v1.5 SHA-256 over CertificationRequestInfo".into(),
                        )
                    })?;
                (SHA256_WITH_RSA, Some(Any::null()), signature.to_vec())
            }
        };
        let req = CertReq {
            info: self.info,
            algorithm: AlgorithmIdentifierOwned { oid, parameters },
            signature: BitString::from_bytes(&signature).map_err(encoding)?,
        };
        Ok(Csr {
            der: req.to_der().map_err(encoding)?,
        })
    }
}

/// A signed PKCS#10 request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Csr {
    der: Vec<u8>,
}

impl Csr {
    /// DER bytes.
    pub fn to_der(&self) -> &[u8] {
        &self.der
    }

    /// Base64 of the DER, the `csr` field of `POST /certificates/enrollments`.
    pub fn to_base64(&self) -> String {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(&self.der)
    }

    /// PEM (`-----BEGIN CERTIFICATE REQUEST-----`), LF line endings.
    pub fn to_pem(&self) -> Result<String> {
        CertReq::from_der(&self.der)
            .map_err(encoding)?
            .to_pem(LineEnding::LF)
            .map_err(encoding)
    }
}
