//! Demo credentials: a TEST-style self-signed certificate and a password-encrypted
//! PKCS#8 key for a NIP, so a new user can try the whole flow in minutes (issue scope
//! "Demo credentials"; DIGEST §5.2 TEST self-signed subjects, §13 certificate types).
//!
//! - `Authentication`: keyUsage digitalSignature, for XAdES login;
//! - `Offline`: keyUsage nonRepudiation, for KOD II only (refused at login, status 460).
//!
//! The subject is a company seal: `CN`, `O`, `organizationIdentifier=VATPL-<nip>`, `C=PL`.
//! The key is EC P-256; the PKCS#8 is PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC).

use der::pem::LineEnding;
use ksef_core::crypto::PrivateKey;
use p256::elliptic_curve::Generate;
use pkcs8::PrivateKeyInfoRef;
use time::OffsetDateTime;

use crate::certs::{CertError, Usage, self_signed};
use crate::rng::SimRng;

/// PBKDF2 iterations of the demo key (demo secrets; kept low so debug builds stay quick).
pub const PBKDF2_ITERATIONS: u32 = 10_000;

/// A demo certificate type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[non_exhaustive]
pub enum DemoType {
    /// For XAdES login.
    Authentication,
    /// For KOD II signing.
    Offline,
}

/// Generated demo credentials.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoCredentials {
    /// Certificate, PEM.
    pub certificate_pem: String,
    /// Encrypted PKCS#8 private key, PEM (`ENCRYPTED PRIVATE KEY`).
    pub private_key_pem: String,
    /// SHA-256 fingerprint of the certificate (uppercase hex).
    pub fingerprint: String,
    /// Subject DN (RFC 4514).
    pub subject: String,
    /// Certificate type.
    pub certificate_type: DemoType,
}

/// Makes demo credentials for `nip`, valid from one day before `now` for two years.
///
/// # Errors
/// [`CertError`] if the NIP is malformed or building/encrypting fails.
pub fn demo_credentials(
    nip: &str,
    kind: DemoType,
    password: &str,
    now: OffsetDateTime,
    rng: &mut SimRng,
) -> Result<DemoCredentials, CertError> {
    ksef_core::ident::check_nip_pattern(nip).map_err(|e| CertError::msg(e.to_string()))?;
    let key = PrivateKey::EcP256(p256::ecdsa::SigningKey::generate_from_rng(rng));
    let usage = match kind {
        DemoType::Authentication => Usage::DigitalSignature,
        DemoType::Offline => Usage::NonRepudiation,
    };
    let subject = format!("CN=Demo {nip},O=Demo {nip},2.5.4.97=VATPL-{nip},C=PL");
    let cert = self_signed(
        &key,
        &subject,
        usage,
        now - time::Duration::days(1),
        730,
        rng,
    )?;
    let der = key
        .to_pkcs8_der()
        .map_err(|e| CertError::msg(e.to_string()))?;
    let info =
        PrivateKeyInfoRef::try_from(der.as_slice()).map_err(|e| CertError::msg(e.to_string()))?;
    let mut salt = [0u8; 16];
    salt.copy_from_slice(&rng.bytes(16));
    let mut iv = [0u8; 16];
    iv.copy_from_slice(&rng.bytes(16));
    let params =
        pkcs5::pbes2::Parameters::generate_pbkdf2_sha256_aes256cbc(PBKDF2_ITERATIONS, &salt, iv)
            .map_err(|e| CertError::msg(e.to_string()))?;
    let encrypted = info
        .encrypt_with_params(params, password)
        .map_err(|e| CertError::msg(e.to_string()))?;
    let private_key_pem = encrypted
        .to_pem("ENCRYPTED PRIVATE KEY", LineEnding::LF)
        .map_err(|e| CertError::msg(e.to_string()))?
        .to_string();
    let certificate_pem = der::pem::encode_string("CERTIFICATE", LineEnding::LF, cert.der())
        .map_err(|e| CertError::msg(e.to_string()))?;
    Ok(DemoCredentials {
        certificate_pem,
        private_key_pem,
        fingerprint: cert.fingerprint_sha256(),
        subject: cert.subject(),
        certificate_type: kind,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ksef_core::crypto::{Credential, KsefCertificateType};

    #[test]
    fn loads_back_with_the_crypto_loader() {
        let now = OffsetDateTime::now_utc();
        for (kind, expected) in [
            (
                DemoType::Authentication,
                KsefCertificateType::Authentication,
            ),
            (DemoType::Offline, KsefCertificateType::Offline),
        ] {
            let d =
                demo_credentials("5265877635", kind, "haslo", now, &mut SimRng::seeded(1)).unwrap();
            let c = Credential::load(
                d.certificate_pem.as_bytes(),
                d.private_key_pem.as_bytes(),
                Some("haslo"),
            )
            .unwrap();
            assert_eq!(c.certificate().ksef_type(), expected);
            assert!(
                Credential::load(
                    d.certificate_pem.as_bytes(),
                    d.private_key_pem.as_bytes(),
                    Some("zle")
                )
                .is_err()
            );
        }
    }
}
