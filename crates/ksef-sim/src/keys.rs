//! The simulator's MF encryption keys (DIGEST §4, "Simulator notes" → Keys).
//!
//! Two RSA-2048 key pairs, one per usage (`SymmetricKeyEncryption`,
//! `KsefTokenEncryption`), with self-signed `CN=Ministerstwo Finansów` certificates,
//! published at `GET /security/public-key-certificates`. Keys can be added and revoked
//! at runtime through the control API (rotation tests); a revoked `publicKeyId` is
//! answered with 21470.

use ksef_core::crypto::{Certificate, MfKeyUsage, MfPrivateKey, PrivateKey};
use time::OffsetDateTime;

use crate::certs::{CertError, Usage, self_signed};
use crate::rng::SimRng;

/// Subject of the MF certificates.
pub const MF_SUBJECT: &str = "CN=Ministerstwo Finansów,O=Ministerstwo Finansów,C=PL";

/// One MF key pair and its certificate.
#[derive(Debug, Clone)]
pub struct MfKey {
    /// The certificate (published).
    pub certificate: Certificate,
    /// The private key (unwraps session keys and tokens).
    pub private: MfPrivateKey,
    /// What the key is for.
    pub usage: MfKeyUsage,
    /// Revoked keys are no longer published; their id gives 21470.
    pub revoked: bool,
}

impl MfKey {
    /// Generates an RSA key of `bits` for `usage` with a certificate valid for two years
    /// from `now`.
    ///
    /// # Errors
    /// [`CertError`] if key generation or certificate building fails.
    pub fn generate(
        usage: MfKeyUsage,
        bits: usize,
        now: OffsetDateTime,
        rng: &mut SimRng,
    ) -> Result<Self, CertError> {
        let rsa = rsa::PrivateKey::new(rng, bits).map_err(|e| CertError::msg(e.to_string()))?;
        Self::from_rsa(rsa, usage, now, rng)
    }

    /// Uses an existing RSA key (e.g. one generated once for a test suite).
    ///
    /// # Errors
    /// [`CertError`] if certificate building fails.
    pub fn from_rsa(
        rsa: rsa::PrivateKey,
        usage: MfKeyUsage,
        now: OffsetDateTime,
        rng: &mut SimRng,
    ) -> Result<Self, CertError> {
        let key = PrivateKey::Rsa(Box::new(rsa));
        let not_before = now - time::Duration::days(1);
        let certificate = self_signed(
            &key,
            MF_SUBJECT,
            Usage::KeyEncipherment,
            not_before,
            730,
            rng,
        )?;
        let private = MfPrivateKey::new(key).map_err(|e| CertError::msg(e.to_string()))?;
        Ok(MfKey {
            certificate,
            private,
            usage,
            revoked: false,
        })
    }

    /// `publicKeyId` = Base64(SHA-256(SPKI DER)).
    pub fn public_key_id(&self) -> String {
        self.certificate.public_key_id()
    }
}
