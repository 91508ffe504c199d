//! Role-typed signing keys (CONVENTIONS §8): one type per KSeF use of a certificate.
//!
//! Spec: DIGEST §13 (an `Authentication` certificate logs in with XAdES; an `Offline`
//! certificate signs KOD II only, and an Authentication certificate must not be used for
//! KOD II), §5.2 (XAdES `rsa-sha256` / `ecdsa-sha256` with raw `R||S`), §14 (KOD II:
//! RSASSA-PSS SHA-256 MGF1-SHA-256 salt 32, or ECDSA P-256 P1363).
//!
//! Every signer works in two steps ([`SignRequest`], then `sign`), so the browser can do the
//! second step with WebCrypto on a non-extractable key.

use rand_core::CryptoRng;
use sha2::Sha256;
use time::OffsetDateTime;
use zeroize::Zeroizing;

use super::cert::{Certificate, KsefCertificateType};
use super::error::{CredentialError, CryptoError};
use super::key::PrivateKey;
use super::{SignRequest, SignatureAlgorithm};

/// A certificate together with its private key, checked to match.
#[derive(Clone, Debug)]
pub struct Credential {
    cert: Certificate,
    key: PrivateKey,
}

impl Credential {
    /// Pairs `cert` with `key`.
    ///
    /// # Errors
    /// [`CredentialError::KeyMismatch`] if the certificate is not for this key, or
    /// [`CredentialError::UnsupportedAlgorithm`] if the certificate's key is unsupported.
    pub fn new(cert: Certificate, key: PrivateKey) -> Result<Self, CredentialError> {
        let cert_key = cert.public_key()?;
        if cert_key != key.public_key() {
            return Err(CredentialError::KeyMismatch);
        }
        Ok(Self { cert, key })
    }

    /// Loads a certificate (PEM or DER) and a private key (PEM or DER, optionally
    /// encrypted) and pairs them.
    ///
    /// # Errors
    /// Any [`CredentialError`] of [`Certificate::from_pem_or_der`],
    /// [`PrivateKey::from_pem_or_der`] or [`Credential::new`].
    pub fn load(cert: &[u8], key: &[u8], password: Option<&str>) -> Result<Self, CredentialError> {
        let cert = Certificate::from_pem_or_der(cert)?;
        let key = PrivateKey::from_pem_or_der(key, password)?;
        Self::new(cert, key)
    }

    /// The certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.cert
    }

    /// The private key.
    pub fn private_key(&self) -> &PrivateKey {
        &self.key
    }
}

/// Signs `req.message` with `key` using `req.algorithm` (SHA-256 is applied by the
/// algorithm). `rng` supplies the PSS salt and RSA blinding; ECDSA is deterministic
/// (RFC 6979).
pub(crate) fn sign_with(
    key: &PrivateKey,
    req: &SignRequest,
    rng: &mut impl CryptoRng,
) -> Result<Vec<u8>, CryptoError> {
    use SignatureAlgorithm as A;
    use p256::ecdsa::signature::Signer;
    match (key, req.algorithm) {
        (PrivateKey::Rsa(k), A::RsaPkcs1v15Sha256) => k
            .pkcs1v15_sign_with_rng::<Sha256, _>(rng, &req.message)
            .map_err(|_| CryptoError::Signing),
        (PrivateKey::Rsa(k), A::RsaPssSha256) => k
            .pss_sign_with_rng::<Sha256, _>(rng, &req.message)
            .map_err(|_| CryptoError::Signing),
        (PrivateKey::EcP256(k), A::EcdsaP256Sha256P1363) => {
            let sig: p256::ecdsa::Signature = k.sign(&req.message);
            Ok(sig.to_bytes().to_vec())
        }
        (PrivateKey::EcP256(k), A::EcdsaP256Sha256Der) => {
            let sig: p256::ecdsa::Signature = k.sign(&req.message);
            Ok(sig.to_der().as_bytes().to_vec())
        }
        (k, algorithm) => Err(CryptoError::AlgorithmMismatch {
            algorithm,
            key: k.public_key().kind(),
        }),
    }
}

macro_rules! signer_common {
    () => {
        /// The certificate.
        pub fn certificate(&self) -> &Certificate {
            self.0.certificate()
        }

        /// Step 1 of signing: the exact bytes to sign and the algorithm for this role and key.
        pub fn sign_request(&self, message: &[u8]) -> SignRequest {
            SignRequest {
                algorithm: self.algorithm(),
                message: message.to_vec(),
            }
        }

        /// Step 2, in pure Rust: signs the request. Any algorithm that fits the key is
        /// honoured (the request says which); `rng` gives the PSS salt and RSA blinding.
        ///
        /// # Errors
        /// [`CryptoError::AlgorithmMismatch`] if the request's algorithm does not fit the
        /// key, [`CryptoError::Signing`] if the RSA operation fails.
        pub fn sign(
            &self,
            request: &SignRequest,
            rng: &mut impl CryptoRng,
        ) -> Result<Vec<u8>, CryptoError> {
            sign_with(self.0.private_key(), request, rng)
        }

        /// The private key as unencrypted PKCS#8 DER, zeroized on drop (for WebCrypto
        /// `importKey("pkcs8", …)`).
        ///
        /// # Errors
        /// [`CredentialError::DerParse`] if encoding fails.
        pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, CredentialError> {
            self.0.private_key().to_pkcs8_der()
        }
    };
}

/// The key of an `Authentication` certificate: signs the XAdES `AuthTokenRequest`
/// (DIGEST §5.2). RSA → `rsa-sha256` (PKCS#1 v1.5); EC → `ecdsa-sha256` raw `R||S`.
#[derive(Clone, Debug)]
pub struct AuthSigningKey(Credential);

impl AuthSigningKey {
    /// Checks `credential` for XAdES login at `now`: the certificate must be valid and must
    /// not be a KSeF `Offline` certificate (DIGEST §13: those cannot log in).
    /// `Authentication`, `Both` and `Unknown` (no keyUsage, e.g. TEST self-signed) pass.
    ///
    /// # Errors
    /// [`CredentialError::NotYetValid`], [`CredentialError::Expired`],
    /// [`CredentialError::WrongCertificateType`].
    pub fn new(credential: Credential, now: OffsetDateTime) -> Result<Self, CredentialError> {
        credential.certificate().check_validity(now)?;
        let found = credential.certificate().ksef_type();
        if found == KsefCertificateType::Offline {
            return Err(CredentialError::WrongCertificateType {
                role: "XAdES authentication",
                expected: KsefCertificateType::Authentication,
                found,
            });
        }
        Ok(Self(credential))
    }

    /// For qualified signature/seal certificates, which usually carry keyUsage
    /// nonRepudiation only and are still accepted for login (DIGEST §5.2): checks validity
    /// but not the KSeF type.
    ///
    /// # Errors
    /// [`CredentialError::NotYetValid`], [`CredentialError::Expired`].
    pub fn new_qualified(
        credential: Credential,
        now: OffsetDateTime,
    ) -> Result<Self, CredentialError> {
        credential.certificate().check_validity(now)?;
        Ok(Self(credential))
    }

    /// `RsaPkcs1v15Sha256` for RSA keys, `EcdsaP256Sha256P1363` for EC keys.
    pub fn algorithm(&self) -> SignatureAlgorithm {
        match self.0.private_key() {
            PrivateKey::Rsa(_) => SignatureAlgorithm::RsaPkcs1v15Sha256,
            PrivateKey::EcP256(_) => SignatureAlgorithm::EcdsaP256Sha256P1363,
        }
    }

    signer_common!();
}

/// The key of an `Offline` certificate: signs KOD II (DIGEST §14). RSA → RSASSA-PSS
/// (SHA-256, MGF1-SHA-256, salt 32); EC → ECDSA P-256 raw `R||S`.
#[derive(Clone, Debug)]
pub struct OfflineSigningKey(Credential);

impl OfflineSigningKey {
    /// Checks `credential` for KOD II at `now`: the certificate must be valid and of KSeF
    /// type `Offline` (keyUsage nonRepudiation only). An `Authentication` certificate is
    /// refused (DIGEST §13), as are `Both` and `Unknown`.
    ///
    /// # Errors
    /// [`CredentialError::NotYetValid`], [`CredentialError::Expired`],
    /// [`CredentialError::WrongCertificateType`].
    pub fn new(credential: Credential, now: OffsetDateTime) -> Result<Self, CredentialError> {
        credential.certificate().check_validity(now)?;
        let found = credential.certificate().ksef_type();
        if found != KsefCertificateType::Offline {
            return Err(CredentialError::WrongCertificateType {
                role: "KOD II (offline) signing",
                expected: KsefCertificateType::Offline,
                found,
            });
        }
        Ok(Self(credential))
    }

    /// `RsaPssSha256` for RSA keys, `EcdsaP256Sha256P1363` for EC keys.
    pub fn algorithm(&self) -> SignatureAlgorithm {
        match self.0.private_key() {
            PrivateKey::Rsa(_) => SignatureAlgorithm::RsaPssSha256,
            PrivateKey::EcP256(_) => SignatureAlgorithm::EcdsaP256Sha256P1363,
        }
    }

    signer_common!();
}
