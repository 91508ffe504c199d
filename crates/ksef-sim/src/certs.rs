//! Self-signed certificates made by the simulator: the MF-like encryption certificates
//! (DIGEST §4, subject `CN=Ministerstwo Finansów`) and TEST-style demo credentials
//! (DIGEST §5.2: `serialNumber=TINPL-<nip>` or `organizationIdentifier=VATPL-<nip>`).

use std::str::FromStr;
use std::time::{Duration, SystemTime};

use der::Encode;
use ksef_core::crypto::{Certificate, PrivateKey};
use spki::{EncodePublicKey, SubjectPublicKeyInfoOwned};
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::builder::{Builder, CertificateBuilder};
use x509_cert::certificate::TbsCertificate;
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::{KeyUsage, KeyUsages};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};

use crate::rng::SimRng;

/// What a certificate's key is for (the keyUsage extension).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Usage {
    /// keyEncipherment (MF encryption keys).
    KeyEncipherment,
    /// digitalSignature (KSeF `Authentication` type).
    DigitalSignature,
    /// nonRepudiation (KSeF `Offline` type).
    NonRepudiation,
}

/// Failure to build a certificate.
#[derive(Debug, thiserror::Error)]
#[error("certificate building failed: {0}")]
pub struct CertError(String);

impl CertError {
    /// An error with a message.
    pub fn msg(m: impl Into<String>) -> Self {
        CertError(m.into())
    }
}

fn err(e: impl std::fmt::Display) -> CertError {
    CertError(e.to_string())
}

struct SelfSigned {
    subject: Name,
    usage: Usage,
    issuer: Option<Name>,
}

impl BuilderProfile for SelfSigned {
    fn get_issuer(&self, subject: &Name) -> Name {
        self.issuer.clone().unwrap_or_else(|| subject.clone())
    }

    fn get_subject(&self) -> Name {
        self.subject.clone()
    }

    fn build_extensions(
        &self,
        _spk: spki::SubjectPublicKeyInfoRef<'_>,
        _issuer_spk: spki::SubjectPublicKeyInfoRef<'_>,
        tbs: &TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<Extension>> {
        use x509_cert::ext::ToExtension;
        let flags = match self.usage {
            Usage::KeyEncipherment => KeyUsages::KeyEncipherment.into(),
            Usage::DigitalSignature => KeyUsages::DigitalSignature.into(),
            Usage::NonRepudiation => KeyUsages::NonRepudiation.into(),
        };
        let ext = (&KeyUsage(flags)).to_extension(tbs.subject(), &[])?;
        Ok(vec![ext])
    }
}

/// Builds a self-signed certificate for `key` with the RFC 4514 `subject`, valid from
/// `not_before` for `days`, signed with RSA PKCS#1 v1.5 SHA-256 or ECDSA P-256 SHA-256.
///
/// # Errors
/// [`CertError`] if the subject does not parse or encoding fails.
pub fn self_signed(
    key: &PrivateKey,
    subject: &str,
    usage: Usage,
    not_before: time::OffsetDateTime,
    days: u64,
    rng: &mut SimRng,
) -> Result<Certificate, CertError> {
    let subject = Name::from_str(subject).map_err(err)?;
    let start = SystemTime::UNIX_EPOCH
        + Duration::from_secs(u64::try_from(not_before.unix_timestamp()).map_err(err)?);
    let validity = Validity::new(
        Time::try_from(start).map_err(err)?,
        Time::try_from(start + Duration::from_secs(days * 86_400)).map_err(err)?,
    );
    let mut serial = rng.bytes(8);
    serial[0] &= 0x7F;
    serial[0] |= 0x01;
    let serial = SerialNumber::new(&serial).map_err(err)?;
    let profile = SelfSigned {
        subject,
        usage,
        issuer: None,
    };
    let der = match key {
        PrivateKey::Rsa(k) => {
            let spki_der = k.to_public_key().to_public_key_der().map_err(err)?;
            let spki = SubjectPublicKeyInfoOwned::try_from(spki_der.as_bytes()).map_err(err)?;
            let signer = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new((**k).clone());
            let b = CertificateBuilder::new(profile, serial, validity, spki).map_err(err)?;
            b.build::<_, rsa::pkcs1v15::Signature>(&signer)
                .map_err(err)?
                .to_der()
                .map_err(err)?
        }
        PrivateKey::EcP256(k) => {
            let spki_der = k.verifying_key().to_public_key_der().map_err(err)?;
            let spki = SubjectPublicKeyInfoOwned::try_from(spki_der.as_bytes()).map_err(err)?;
            let b = CertificateBuilder::new(profile, serial, validity, spki).map_err(err)?;
            b.build::<_, p256::ecdsa::DerSignature>(k)
                .map_err(err)?
                .to_der()
                .map_err(err)?
        }
        _ => return Err(CertError("unsupported key kind".into())),
    };
    Certificate::from_der(&der).map_err(err)
}

/// Issues a certificate for `spki_der` with `subject`, signed by the CA key `ca_key`
/// (P-256) under `issuer`, with a 16-hex-digit serial.
///
/// # Errors
/// [`CertError`] if encoding or signing fails.
#[allow(clippy::too_many_arguments)]
pub fn issue(
    ca_key: &p256::ecdsa::SigningKey,
    issuer: &str,
    subject: Name,
    spki_der: &[u8],
    usage: Usage,
    not_before: time::OffsetDateTime,
    days: u64,
    rng: &mut SimRng,
) -> Result<Certificate, CertError> {
    let issuer = Name::from_str(issuer).map_err(err)?;
    let start = SystemTime::UNIX_EPOCH
        + Duration::from_secs(u64::try_from(not_before.unix_timestamp()).map_err(err)?);
    let validity = Validity::new(
        Time::try_from(start).map_err(err)?,
        Time::try_from(start + Duration::from_secs(days * 86_400)).map_err(err)?,
    );
    let mut serial = rng.bytes(8);
    serial[0] &= 0x7F;
    serial[0] |= 0x10;
    let serial = SerialNumber::new(&serial).map_err(err)?;
    let spki = SubjectPublicKeyInfoOwned::try_from(spki_der).map_err(err)?;
    let profile = SelfSigned {
        subject,
        usage,
        issuer: Some(issuer),
    };
    let b = CertificateBuilder::new(profile, serial, validity, spki).map_err(err)?;
    let der = b
        .build::<_, p256::ecdsa::DerSignature>(ca_key)
        .map_err(err)?
        .to_der()
        .map_err(err)?;
    Certificate::from_der(&der).map_err(err)
}
