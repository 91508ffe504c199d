//! X.509 certificates: loading (PEM or DER) and what KSeF reads from them.
//!
//! Spec: DIGEST §13 (KSeF certificate type from keyUsage: `Authentication` =
//! digitalSignature, `Offline` = nonRepudiation), §5.2 (who is authenticated: the subject's
//! `serialNumber` / `organizationIdentifier`, or the SHA-256 fingerprint), §14 (KOD II uses
//! the serial as uppercase hex), §5.2 XAdES `IssuerSerial` (decimal serial). Names and
//! subject identifiers are in `name.rs`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use der::{Decode, Encode};
use sha2::{Digest, Sha256};
use spki::ObjectIdentifier;
use time::OffsetDateTime;
use x509_cert::ext::pkix::KeyUsage;

use super::error::CredentialError;
use super::input::{self, Input};
use super::name::{NameAttribute, attr_string, find_id, name_attributes, rfc4514};
use super::public::{PublicKey, rsa_spki_bits};

/// The KSeF type of a certificate, read from its keyUsage extension (DIGEST §13).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum KsefCertificateType {
    /// keyUsage digitalSignature without nonRepudiation: XAdES login.
    Authentication,
    /// keyUsage nonRepudiation without digitalSignature: KOD II signing only.
    Offline,
    /// Both bits set: not a KSeF certificate (KSeF issues exactly one type).
    Both,
    /// No keyUsage extension, or neither bit set.
    Unknown,
}

impl core::fmt::Display for KsefCertificateType {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::Authentication => "Authentication",
            Self::Offline => "Offline",
            Self::Both => "Both (digitalSignature + nonRepudiation)",
            Self::Unknown => "Unknown (no digitalSignature / nonRepudiation keyUsage)",
        })
    }
}

/// An identifier of the certificate's subject, as KSeF reads it (DIGEST §5.2).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(tag = "type", content = "value")]
#[non_exhaustive]
pub enum SubjectIdentifier {
    /// A NIP (10 digits), from `serialNumber` `(TINPL|NIP).*?(\d{10})` or
    /// `organizationIdentifier` `(VATPL).*?(\d{10})`.
    Nip(String),
    /// A PESEL (11 digits), from `serialNumber` `(PNOPL|PESEL).*?(\d{11})`.
    Pesel(String),
}

/// The public-key algorithm of a certificate or key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum KeyAlgorithm {
    /// RSA with the given modulus size in bits.
    Rsa {
        /// Modulus size in bits.
        bits: usize,
    },
    /// ECDSA on NIST P-256 (secp256r1).
    EcP256,
    /// Anything else (unsupported here, still reported).
    Other {
        /// Name and OID, e.g. `EC P-384 (1.3.132.0.34)`.
        name: String,
    },
}

impl core::fmt::Display for KeyAlgorithm {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Rsa { bits } => write!(f, "RSA-{bits}"),
            Self::EcP256 => f.write_str("EC P-256"),
            Self::Other { name } => f.write_str(name),
        }
    }
}

/// A parsed X.509 certificate and the facts KSeF needs from it.
#[derive(Clone)]
pub struct Certificate {
    der: Vec<u8>,
    inner: x509_cert::Certificate,
}

impl core::fmt::Debug for Certificate {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Certificate")
            .field("subject", &self.subject())
            .field("serial", &self.serial_hex())
            .finish()
    }
}

pub(crate) const OID_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
pub(crate) const OID_EC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
pub(crate) const OID_P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const OID_SERIAL_NUMBER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.5");
const OID_ORG_IDENTIFIER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.97");

/// Names of algorithms we recognise but do not support, for precise errors.
pub(crate) fn algorithm_name(oid: &ObjectIdentifier, curve: Option<&ObjectIdentifier>) -> String {
    let name = match oid.to_string().as_str() {
        "1.2.840.113549.1.1.1" => "RSA",
        "1.2.840.113549.1.1.10" => "RSASSA-PSS key",
        "1.2.840.10040.4.1" => "DSA",
        "1.3.101.112" => "Ed25519",
        "1.3.101.113" => "Ed448",
        "1.3.101.110" => "X25519",
        "1.3.101.111" => "X448",
        "1.2.840.10046.2.1" => "DH",
        "1.2.840.10045.2.1" => {
            let c = curve.map(ToString::to_string).unwrap_or_default();
            let cname = match c.as_str() {
                "1.2.840.10045.3.1.7" => "P-256",
                "1.3.132.0.34" => "P-384",
                "1.3.132.0.35" => "P-521",
                "1.3.132.0.10" => "secp256k1",
                "1.3.36.3.3.2.8.1.1.7" => "brainpoolP256r1",
                _ => "unknown curve",
            };
            return format!("EC {cname} ({c})");
        }
        _ => "unknown algorithm",
    };
    format!("{name} ({oid})")
}

impl Certificate {
    /// Loads a certificate from PEM (the first `CERTIFICATE` block) or DER, auto-detected.
    ///
    /// # Errors
    /// [`CredentialError::NotPemOrDer`], [`CredentialError::BadBase64`],
    /// [`CredentialError::Truncated`], [`CredentialError::WrongPemLabel`] or
    /// [`CredentialError::DerParse`].
    pub fn from_pem_or_der(bytes: &[u8]) -> Result<Self, CredentialError> {
        match input::decode(bytes)? {
            Input::Der(der) => Self::from_der(&der),
            Input::Pem(blocks) => {
                let block = blocks
                    .iter()
                    .find(|b| b.label == "CERTIFICATE" || b.label == "X509 CERTIFICATE")
                    .ok_or_else(|| CredentialError::WrongPemLabel {
                        expected: "certificate",
                        found: input::labels(&blocks),
                    })?;
                Self::from_der(&block.der)
            }
        }
    }

    /// Parses a DER certificate.
    ///
    /// # Errors
    /// [`CredentialError::Truncated`], [`CredentialError::NotPemOrDer`] or
    /// [`CredentialError::DerParse`].
    pub fn from_der(der: &[u8]) -> Result<Self, CredentialError> {
        input::check_der_envelope(der)?;
        let inner =
            x509_cert::Certificate::from_der(der).map_err(|e| CredentialError::DerParse {
                what: "certificate",
                detail: e.to_string(),
            })?;
        Ok(Self {
            der: der.to_vec(),
            inner,
        })
    }

    /// Loads a certificate from standard Base64 of its DER (as in KSeF JSON responses).
    ///
    /// # Errors
    /// [`CredentialError::BadBase64`] or any error of [`Certificate::from_der`].
    pub fn from_base64_der(b64: &str) -> Result<Self, CredentialError> {
        let der = STANDARD
            .decode(b64.trim())
            .map_err(|_| CredentialError::BadBase64 {
                label: "certificate (Base64 DER)".to_owned(),
            })?;
        Self::from_der(&der)
    }

    /// The DER encoding, exactly as loaded.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The subject as an RFC 4514 string, most specific attribute first, exactly as Python
    /// `cryptography`'s `Name.rfc4514_string()` prints it (the form of the KSeF test
    /// vectors: `CN=5265877635,O=Beta,2.5.4.97=VATPL-5265877635,C=PL`).
    pub fn subject(&self) -> String {
        rfc4514(self.inner.tbs_certificate().subject())
    }

    /// The issuer, formatted like [`Certificate::subject`].
    pub fn issuer(&self) -> String {
        rfc4514(self.inner.tbs_certificate().issuer())
    }

    /// The subject's attributes in certificate (X.501) order.
    pub fn subject_attributes(&self) -> Vec<NameAttribute> {
        name_attributes(self.inner.tbs_certificate().subject())
    }

    /// The issuer's attributes in certificate (X.501) order.
    pub fn issuer_attributes(&self) -> Vec<NameAttribute> {
        name_attributes(self.inner.tbs_certificate().issuer())
    }

    /// The serial number's bytes as in the DER INTEGER.
    pub fn serial_bytes(&self) -> &[u8] {
        self.inner.tbs_certificate().serial_number().as_bytes()
    }

    /// The serial as uppercase hex of the DER INTEGER bytes, like .NET
    /// `X509Certificate2.SerialNumber` (KOD II, DIGEST §14: `01F20A5D352AE590`).
    pub fn serial_hex(&self) -> String {
        hex::encode_upper(self.serial_bytes())
    }

    /// The serial in decimal, for XAdES `X509SerialNumber` (DIGEST §5.2).
    pub fn serial_decimal(&self) -> String {
        bytes_to_decimal(self.serial_bytes())
    }

    /// Start of validity.
    pub fn not_before(&self) -> OffsetDateTime {
        to_offset(self.inner.tbs_certificate().validity().not_before)
    }

    /// End of validity.
    pub fn not_after(&self) -> OffsetDateTime {
        to_offset(self.inner.tbs_certificate().validity().not_after)
    }

    /// Checks validity at `now` (inclusive bounds, RFC 5280 §4.1.2.5).
    ///
    /// # Errors
    /// [`CredentialError::NotYetValid`] or [`CredentialError::Expired`].
    pub fn check_validity(&self, now: OffsetDateTime) -> Result<(), CredentialError> {
        let (nb, na) = (self.not_before(), self.not_after());
        if now < nb {
            return Err(CredentialError::NotYetValid {
                not_before: rfc3339(nb),
                now: rfc3339(now),
            });
        }
        if now > na {
            return Err(CredentialError::Expired {
                not_after: rfc3339(na),
                now: rfc3339(now),
            });
        }
        Ok(())
    }

    /// The subject public key's algorithm (and RSA size).
    pub fn key_algorithm(&self) -> KeyAlgorithm {
        let spki = self.inner.tbs_certificate().subject_public_key_info();
        let oid = spki.algorithm.oid;
        let curve = spki
            .algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
        if oid == OID_RSA {
            // From the modulus itself, so that RSA-1024 is reported as such.
            return KeyAlgorithm::Rsa {
                bits: rsa_spki_bits(spki.subject_public_key.raw_bytes()),
            };
        }
        if oid == OID_EC && curve == Some(OID_P256) {
            return KeyAlgorithm::EcP256;
        }
        KeyAlgorithm::Other {
            name: algorithm_name(&oid, curve.as_ref()),
        }
    }

    /// The raw keyUsage bits that matter to KSeF: `(digitalSignature, nonRepudiation)`,
    /// or `None` without a keyUsage extension.
    pub fn key_usage_bits(&self) -> Option<(bool, bool)> {
        match self.inner.tbs_certificate().get_extension::<KeyUsage>() {
            Ok(Some((_, ku))) => Some((ku.digital_signature(), ku.non_repudiation())),
            _ => None,
        }
    }

    /// The KSeF certificate type from keyUsage (DIGEST §13).
    pub fn ksef_type(&self) -> KsefCertificateType {
        match self.key_usage_bits() {
            Some((true, false)) => KsefCertificateType::Authentication,
            Some((false, true)) => KsefCertificateType::Offline,
            Some((true, true)) => KsefCertificateType::Both,
            _ => KsefCertificateType::Unknown,
        }
    }

    /// Subject identifiers KSeF recognises (DIGEST §5.2), in certificate order.
    pub fn subject_identifiers(&self) -> Vec<SubjectIdentifier> {
        let mut ids = Vec::new();
        for atv in self.inner.tbs_certificate().subject().iter() {
            let Some(value) = attr_string(&atv.value) else {
                continue;
            };
            if atv.oid == OID_SERIAL_NUMBER {
                if let Some(p) = find_id(&value, &["PNOPL", "PESEL"], 11) {
                    ids.push(SubjectIdentifier::Pesel(p));
                } else if let Some(n) = find_id(&value, &["TINPL", "NIP"], 10) {
                    ids.push(SubjectIdentifier::Nip(n));
                }
            } else if atv.oid == OID_ORG_IDENTIFIER
                && let Some(n) = find_id(&value, &["VATPL"], 10)
            {
                ids.push(SubjectIdentifier::Nip(n));
            }
        }
        ids
    }

    /// SHA-256 of the certificate DER, uppercase hex (KSeF `certificateFingerprint`).
    pub fn fingerprint_sha256(&self) -> String {
        hex::encode_upper(Sha256::digest(&self.der))
    }

    /// Base64(SHA-256(certificate DER)): the MF list's `certificateId` (DIGEST §4).
    pub fn certificate_id(&self) -> String {
        STANDARD.encode(Sha256::digest(&self.der))
    }

    /// The SubjectPublicKeyInfo DER.
    pub fn spki_der(&self) -> Vec<u8> {
        self.inner
            .tbs_certificate()
            .subject_public_key_info()
            .to_der()
            .unwrap_or_default()
    }

    /// Base64(SHA-256(SubjectPublicKeyInfo DER)): the MF list's `publicKeyId` (DIGEST §4).
    pub fn public_key_id(&self) -> String {
        STANDARD.encode(Sha256::digest(self.spki_der()))
    }

    /// The subject public key, if it is RSA ≥ 2048 or EC P-256.
    ///
    /// # Errors
    /// [`CredentialError::UnsupportedAlgorithm`] (names the algorithm) or
    /// [`CredentialError::DerParse`].
    pub fn public_key(&self) -> Result<PublicKey, CredentialError> {
        PublicKey::from_spki_der(&self.spki_der())
    }

    /// The parsed x509-cert structure, for builders (XAdES, CSR) that need more.
    pub fn x509(&self) -> &x509_cert::Certificate {
        &self.inner
    }
}

fn to_offset(t: x509_cert::time::Time) -> OffsetDateTime {
    let secs = i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX);
    OffsetDateTime::from_unix_timestamp(secs).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}

fn bytes_to_decimal(bytes: &[u8]) -> String {
    let mut num: Vec<u8> = bytes.iter().copied().skip_while(|b| *b == 0).collect();
    if num.is_empty() {
        return "0".to_owned();
    }
    let mut digits = Vec::new();
    while !num.is_empty() {
        let mut rem: u32 = 0;
        let mut next = Vec::with_capacity(num.len());
        for &b in &num {
            let cur = (rem << 8) | u32::from(b);
            let q = cur / 10;
            rem = cur % 10;
            if !(next.is_empty() && q == 0) {
                next.push(u8::try_from(q).unwrap_or(0));
            }
        }
        digits.push(char::from(b'0' + u8::try_from(rem).unwrap_or(0)));
        num = next;
    }
    digits.iter().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_serial() {
        assert_eq!(bytes_to_decimal(&[0]), "0");
        assert_eq!(bytes_to_decimal(&[0x01, 0x00]), "256");
        // The KSeF TEST certificate (DIGEST §14): 0x01F20A5D352AE590.
        assert_eq!(
            bytes_to_decimal(&[0x01, 0xf2, 0x0a, 0x5d, 0x35, 0x2a, 0xe5, 0x90]),
            "140185933842146704"
        );
    }
}
