//! The key pair behind a KSeF certificate request: EC P-256 (recommended) or RSA-2048
//! (DIGEST §13, error 25010 for anything else), and its PKCS#8 export.
//!
//! Encrypted PKCS#8 uses PBES2 with PBKDF2-HMAC-SHA256 ([`PBKDF2_ITERATIONS`] rounds,
//! 16-byte salt) and AES-256-CBC: what openssl, .NET (`ImportFromEncryptedPem`), Java
//! and Python `cryptography` all read (scrypt, the RustCrypto default, is not read by
//! .NET or Java).

use der::pem::LineEnding;
use pkcs8::pkcs5::pbes2;
use pkcs8::{EncodePrivateKey, EncodePublicKey, PrivateKeyInfoRef};
use rand_core::CryptoRng;
use rsa::Generate;
use rsa::signature::Signer;
use zeroize::Zeroizing;

use super::builder::{Csr, CsrBuilder};
use super::{CsrError, EnrollmentSubject, Result, encoding};
use crate::crypto::{SignRequest, SignatureAlgorithm};

/// PBKDF2-HMAC-SHA256 iterations for encrypted keys (OWASP 2023 recommendation).
pub const PBKDF2_ITERATIONS: u32 = 600_000;

/// The key type of a new KSeF certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum CsrKeyType {
    /// EC on NIST P-256 (secp256r1): recommended by KSeF; CSR signed with ECDSA-SHA256.
    #[default]
    EcP256,
    /// RSA, 2048 bits; CSR signed with RSA PKCS#1 v1.5 SHA-256.
    Rsa2048,
}

impl CsrKeyType {
    /// The algorithm the CSR is signed with.
    pub fn csr_algorithm(self) -> SignatureAlgorithm {
        match self {
            CsrKeyType::EcP256 => SignatureAlgorithm::EcdsaP256Sha256Der,
            CsrKeyType::Rsa2048 => SignatureAlgorithm::RsaPkcs1v15Sha256,
        }
    }
}

enum Inner {
    Ec(p256::ecdsa::SigningKey),
    Rsa(rsa::PrivateKey),
}

/// A freshly generated private key for a KSeF certificate (zeroized on drop by the
/// underlying crates).
pub struct CsrPrivateKey(Inner);

impl std::fmt::Debug for CsrPrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CsrPrivateKey({:?}, ..)", self.key_type())
    }
}

impl CsrPrivateKey {
    /// Generates a new key with the caller's cryptographic RNG.
    pub fn generate<R: CryptoRng + ?Sized>(key_type: CsrKeyType, rng: &mut R) -> Result<Self> {
        Ok(Self(match key_type {
            CsrKeyType::EcP256 => Inner::Ec(p256::ecdsa::SigningKey::generate_from_rng(rng)),
            CsrKeyType::Rsa2048 => Inner::Rsa(
                rsa::PrivateKey::new(rng, 2048)
                    .map_err(|e| CsrError::KeyGeneration(e.to_string()))?,
            ),
        }))
    }

    /// The key type.
    pub fn key_type(&self) -> CsrKeyType {
        match self.0 {
            Inner::Ec(_) => CsrKeyType::EcP256,
            Inner::Rsa(_) => CsrKeyType::Rsa2048,
        }
    }

    /// The public key as DER `SubjectPublicKeyInfo`.
    pub fn public_key_der(&self) -> Result<Vec<u8>> {
        let doc = match &self.0 {
            Inner::Ec(k) => k.verifying_key().to_public_key_der(),
            Inner::Rsa(k) => k.to_public_key().to_public_key_der(),
        }
        .map_err(encoding)?;
        Ok(doc.into_vec())
    }

    /// Unencrypted PKCS#8 DER (`PrivateKeyInfo`).
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>> {
        let doc = match &self.0 {
            Inner::Ec(k) => k.to_pkcs8_der(),
            Inner::Rsa(k) => k.to_pkcs8_der(),
        }
        .map_err(encoding)?;
        Ok(Zeroizing::new(doc.as_bytes().to_vec()))
    }

    /// Unencrypted PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
    pub fn to_pkcs8_pem(&self) -> Result<Zeroizing<String>> {
        match &self.0 {
            Inner::Ec(k) => k.to_pkcs8_pem(LineEnding::LF),
            Inner::Rsa(k) => k.to_pkcs8_pem(LineEnding::LF),
        }
        .map_err(encoding)
    }

    /// Encrypted PKCS#8 PEM (`-----BEGIN ENCRYPTED PRIVATE KEY-----`): PBES2,
    /// PBKDF2-HMAC-SHA256 with [`PBKDF2_ITERATIONS`], AES-256-CBC; salt and IV from `rng`.
    pub fn to_encrypted_pkcs8_pem<R: CryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        password: &[u8],
    ) -> Result<Zeroizing<String>> {
        self.encrypted_pem(rng, password, PBKDF2_ITERATIONS)
    }

    pub(crate) fn encrypted_pem<R: CryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        password: &[u8],
        iterations: u32,
    ) -> Result<Zeroizing<String>> {
        if password.is_empty() {
            return Err(CsrError::Encoding("the password is empty".into()));
        }
        let mut salt = [0u8; 16];
        let mut iv = [0u8; 16];
        rng.fill_bytes(&mut salt);
        rng.fill_bytes(&mut iv);
        let params = pbes2::Parameters::generate_pbkdf2_sha256_aes256cbc(iterations, &salt, iv)
            .map_err(encoding)?;
        let plain = self.to_pkcs8_der()?;
        let info = PrivateKeyInfoRef::try_from(plain.as_slice()).map_err(encoding)?;
        let encrypted = info
            .encrypt_with_params(params, password)
            .map_err(encoding)?;
        encrypted
            .to_pem("ENCRYPTED PRIVATE KEY", LineEnding::LF)
            .map_err(encoding)
    }

    /// Signs a [`SignRequest`] from [`CsrBuilder::csr_sign_request`] (deterministic: RFC
    /// 6979 ECDSA, PKCS#1 v1.5).
    pub fn sign(&self, request: &SignRequest) -> Result<Vec<u8>> {
        match (&self.0, request.algorithm) {
            (Inner::Ec(k), SignatureAlgorithm::EcdsaP256Sha256Der) => {
                let sig: p256::ecdsa::DerSignature = k.sign(&request.message);
                Ok(sig.to_bytes().to_vec())
            }
            (Inner::Ec(k), SignatureAlgorithm::EcdsaP256Sha256P1363) => {
                let sig: p256::ecdsa::Signature = k.sign(&request.message);
                Ok(sig.to_vec())
            }
            (Inner::Rsa(k), SignatureAlgorithm::RsaPkcs1v15Sha256) => {
                let signer = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(k.clone());
                let sig: rsa::pkcs1v15::Signature = signer.sign(&request.message);
                Ok(Box::<[u8]>::from(sig).into_vec())
            }
            (_, alg) => Err(CsrError::UnsupportedKey(format!(
                "{alg:?} cannot be made with a {:?} key",
                self.key_type()
            ))),
        }
    }

    /// Builds and signs the CSR for `subject` in one call.
    pub fn create_csr(&self, subject: &EnrollmentSubject) -> Result<Csr> {
        let builder = CsrBuilder::new(subject, &self.public_key_der()?)?;
        let signature = self.sign(&builder.csr_sign_request())?;
        builder.assemble(&signature)
    }
}
