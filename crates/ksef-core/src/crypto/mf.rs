//! The MF public keys for client-side encryption, and choosing one.
//!
//! Spec: DIGEST §4 (`GET /security/public-key-certificates`: usage
//! `SymmetricKeyEncryption` / `KsefTokenEncryption`, choose the certificates valid now and
//! prefer the latest `validFrom`; `publicKeyId` = Base64(SHA-256(SPKI DER))), §5.3
//! (`encryptedToken` = RSA-OAEP-SHA256 over UTF-8 `"{token}|{timestampMs}"`), §7 step 2
//! (RSAES-OAEP, SHA-256, MGF1-SHA-256, empty label).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand_core::CryptoRng;
use sha2::Sha256;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::cert::{Certificate, rfc3339};
use super::error::{CredentialError, CryptoError};
use super::public::PublicKey;

/// What an MF key may be used for (the `usage` array of the list).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum MfKeyUsage {
    /// Wrapping the per-session AES key (DIGEST §7).
    SymmetricKeyEncryption,
    /// Encrypting a KSeF token for `POST /auth/ksef-token` (DIGEST §5.3).
    KsefTokenEncryption,
}

impl MfKeyUsage {
    /// The API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SymmetricKeyEncryption => "SymmetricKeyEncryption",
            Self::KsefTokenEncryption => "KsefTokenEncryption",
        }
    }
}

/// One item of the `/security/public-key-certificates` response (OAS `PublicKeyCertificate`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicKeyCertificate {
    /// Base64 of the certificate DER (no PEM armour).
    pub certificate: String,
    /// Base64(SHA-256(certificate DER)).
    #[serde(default)]
    pub certificate_id: Option<String>,
    /// Base64(SHA-256(SubjectPublicKeyInfo DER)).
    #[serde(default)]
    pub public_key_id: Option<String>,
    /// Start of validity (RFC 3339).
    pub valid_from: String,
    /// End of validity (RFC 3339).
    pub valid_to: String,
    /// Usages, e.g. `["SymmetricKeyEncryption"]`. Unknown values are kept.
    pub usage: Vec<String>,
}

/// An MF RSA public key for RSA-OAEP (SHA-256, MGF1-SHA-256, empty label).
#[derive(Clone, Debug)]
pub struct MfPublicKey {
    cert: Certificate,
    key: rsa::PublicKey,
    public_key_id: String,
}

impl MfPublicKey {
    /// Uses `cert` as an MF encryption key.
    ///
    /// # Errors
    /// [`CredentialError::UnsupportedAlgorithm`] unless the key is RSA ≥ 2048.
    pub fn from_certificate(cert: Certificate) -> Result<Self, CredentialError> {
        let key = match cert.public_key()? {
            PublicKey::Rsa(k) => k,
            other => {
                return Err(CredentialError::UnsupportedAlgorithm {
                    algorithm: format!("{} (MF encryption keys are RSA)", other.kind()),
                });
            }
        };
        let public_key_id = cert.public_key_id();
        Ok(Self {
            cert,
            key,
            public_key_id,
        })
    }

    /// Parses the JSON body of `GET /security/public-key-certificates` and chooses the key
    /// for `usage` valid at `now` (see [`MfPublicKey::select_from`]).
    ///
    /// # Errors
    /// [`CryptoError::InvalidKeyList`] if the JSON is not the expected array, otherwise as
    /// [`MfPublicKey::select_from`].
    pub fn select(
        list_json: &[u8],
        usage: MfKeyUsage,
        now: OffsetDateTime,
    ) -> Result<Self, CryptoError> {
        let list: Vec<PublicKeyCertificate> = serde_json::from_slice(list_json)
            .map_err(|e| CryptoError::InvalidKeyList(e.to_string()))?;
        Self::select_from(&list, usage, now)
    }

    /// Chooses among `list` the certificates with `usage` that are valid at `now` (by the
    /// list's `validFrom`/`validTo`, inclusive), preferring the latest `validFrom`; then
    /// checks the declared `publicKeyId` against the certificate.
    ///
    /// # Errors
    /// [`CryptoError::NoMfKey`] if none fits, [`CryptoError::InvalidKeyList`] if a date or
    /// certificate does not parse, [`CryptoError::PublicKeyIdMismatch`] if the chosen
    /// entry's `publicKeyId` is not the certificate's.
    pub fn select_from(
        list: &[PublicKeyCertificate],
        usage: MfKeyUsage,
        now: OffsetDateTime,
    ) -> Result<Self, CryptoError> {
        let mut best: Option<(OffsetDateTime, &PublicKeyCertificate)> = None;
        for item in list
            .iter()
            .filter(|i| i.usage.iter().any(|u| u == usage.as_str()))
        {
            let from = parse_time(&item.valid_from)?;
            let to = parse_time(&item.valid_to)?;
            if now < from || now > to {
                continue;
            }
            if best.is_none_or(|(b, _)| from > b) {
                best = Some((from, item));
            }
        }
        let (_, item) = best.ok_or_else(|| CryptoError::NoMfKey {
            usage: usage.as_str(),
            now: rfc3339(now),
        })?;
        let cert = Certificate::from_base64_der(&item.certificate)?;
        let key = Self::from_certificate(cert)?;
        if let Some(declared) = &item.public_key_id
            && declared != &key.public_key_id
        {
            return Err(CryptoError::PublicKeyIdMismatch {
                declared: declared.clone(),
                computed: key.public_key_id.clone(),
            });
        }
        Ok(key)
    }

    /// Base64(SHA-256(SPKI DER)), the `publicKeyId` to send (44 characters).
    pub fn public_key_id(&self) -> &str {
        &self.public_key_id
    }

    /// The MF certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.cert
    }

    /// RSAES-OAEP (SHA-256, MGF1-SHA-256, empty label) of `plaintext`.
    ///
    /// # Errors
    /// [`CryptoError::Encryption`] if the plaintext is too long for the key or the RNG fails.
    pub fn oaep_encrypt(
        &self,
        plaintext: &[u8],
        rng: &mut impl CryptoRng,
    ) -> Result<Vec<u8>, CryptoError> {
        self.key
            .oaep_encrypt_with_rng::<Sha256, _>(rng, plaintext)
            .map_err(|_| CryptoError::Encryption)
    }

    /// `encryptedToken` for `POST /auth/ksef-token` (DIGEST §5.3): Base64 of RSA-OAEP over
    /// UTF-8 `"{token}|{timestamp_ms}"`, where `timestamp_ms` is the challenge's
    /// `timestampMs`. Use the key with usage `KsefTokenEncryption`.
    ///
    /// # Errors
    /// [`CryptoError::Encryption`] (e.g. a token too long for OAEP with RSA-2048: > 190 bytes
    /// including the timestamp).
    pub fn encrypt_ksef_token(
        &self,
        token: &str,
        timestamp_ms: i64,
        rng: &mut impl CryptoRng,
    ) -> Result<String, CryptoError> {
        let msg = zeroize::Zeroizing::new(format!("{token}|{timestamp_ms}"));
        Ok(STANDARD.encode(self.oaep_encrypt(msg.as_bytes(), rng)?))
    }
}

fn parse_time(s: &str) -> Result<OffsetDateTime, CryptoError> {
    OffsetDateTime::parse(s, &Rfc3339)
        .map_err(|e| CryptoError::InvalidKeyList(format!("bad date {s:?}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_timestamps_parse() {
        // KSeF sends .NET-style 7-digit fractions (DIGEST §5.1 example).
        let t = parse_time("2025-07-11T12:23:56.0154302+00:00");
        assert_eq!(t.map(OffsetDateTime::unix_timestamp), Ok(1_752_236_636));
        assert!(parse_time("2025-07-11").is_err());
    }
}
