//! KOD II, the issuer certificate verification link (DIGEST §14):
//! `{QRBASE}/certificate/{ctxType}/{ctxValue}/{sellerNip}/{certSerialHex}/{invoiceHashB64url}/{signatureB64url}`.
//!
//! **Signed data** = the UTF-8 bytes of the link without `https://`, without a trailing
//! `/` and without the signature segment. RSA keys sign it with RSASSA-PSS (SHA-256,
//! MGF1-SHA-256, salt 32); EC P-256 keys with ECDSA SHA-256, encoded as P1363 `R || S`.

use std::fmt;
use std::str::FromStr;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use rand_core::CryptoRng;
use time::OffsetDateTime;

use super::cert::QrCertificate;
use super::kod1::check_seller_nip;
use super::{Environment, QrError, Result, strip_scheme};
use crate::crypto::{Credential, OfflineSigningKey, SignRequest, SignatureAlgorithm};
use crate::hash::Sha256Hash;
use crate::ident::{check_internal_id, check_nip_pattern};

/// The type of the context identifier (DIGEST §14; exact casing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ContextType {
    /// `Nip`: a NIP.
    Nip,
    /// `InternalId`: `NIP-NNNNN` with checksum.
    InternalId,
    /// `NipVatUe`: `NIP-` followed by an EU VAT number.
    NipVatUe,
    /// `PeppolId`: `P` + 2 letters + 6 digits.
    PeppolId,
}

impl ContextType {
    /// The segment as written in the link.
    pub fn as_str(self) -> &'static str {
        match self {
            ContextType::Nip => "Nip",
            ContextType::InternalId => "InternalId",
            ContextType::NipVatUe => "NipVatUe",
            ContextType::PeppolId => "PeppolId",
        }
    }
}

impl FromStr for ContextType {
    type Err = QrError;

    /// Exact casing only: `nip` or `NIP` are refused, KSeF would not recognise them.
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "Nip" => Ok(ContextType::Nip),
            "InternalId" => Ok(ContextType::InternalId),
            "NipVatUe" => Ok(ContextType::NipVatUe),
            "PeppolId" => Ok(ContextType::PeppolId),
            other => Err(QrError::UnknownContextType(other.to_owned())),
        }
    }
}

impl fmt::Display for ContextType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A context identifier (`ContextIdentifier`), checked against its type's pattern.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ContextIdentifier {
    context_type: ContextType,
    value: String,
}

impl ContextIdentifier {
    /// Checks `value` against the pattern of `context_type` (DIGEST §3).
    pub fn new(context_type: ContextType, value: &str) -> Result<Self> {
        let bad = |reason: String| QrError::InvalidContext {
            context_type: context_type.as_str(),
            value: value.to_owned(),
            reason,
        };
        match context_type {
            ContextType::Nip => check_nip_pattern(value).map_err(|e| bad(e.to_string()))?,
            ContextType::InternalId => check_internal_id(value).map_err(|e| bad(e.to_string()))?,
            ContextType::NipVatUe => check_nip_vat_ue(value).map_err(bad)?,
            ContextType::PeppolId => {
                let b = value.as_bytes();
                let ok = b.len() == 9
                    && b[0] == b'P'
                    && b[1..3].iter().all(u8::is_ascii_uppercase)
                    && b[3..].iter().all(u8::is_ascii_digit);
                if !ok {
                    return Err(bad("expected P, 2 upper-case letters and 6 digits".into()));
                }
            }
        }
        Ok(Self {
            context_type,
            value: value.to_owned(),
        })
    }

    /// The type.
    pub fn context_type(&self) -> ContextType {
        self.context_type
    }

    /// The value.
    pub fn value(&self) -> &str {
        &self.value
    }
}

/// `NIP-` + EU VAT number: NIP pattern, `-`, 2 upper-case letters, 2–12 of `[0-9A-Z+*]`.
fn check_nip_vat_ue(value: &str) -> std::result::Result<(), String> {
    let (nip, vat) = value
        .split_once('-')
        .ok_or_else(|| "expected NIP-VATNUMBER (e.g. 5265877635-ATU12345678)".to_owned())?;
    check_nip_pattern(nip).map_err(|e| e.to_string())?;
    let b = vat.as_bytes();
    let ok = (4..=14).contains(&b.len())
        && b[..2].iter().all(u8::is_ascii_uppercase)
        && b[2..]
            .iter()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase() || matches!(c, b'+' | b'*'));
    if ok {
        Ok(())
    } else {
        Err("the EU VAT number must be a 2-letter country code and 2-12 of [0-9A-Z+*]".into())
    }
}

/// A KSeF certificate serial: 8 bytes, written as 16 upper-case hex characters (the .NET
/// `X509Certificate2.SerialNumber` form, DIGEST §14).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CertSerial([u8; 8]);

impl CertSerial {
    /// Parses exactly 16 upper-case hex characters.
    pub fn parse(s: &str) -> Result<Self> {
        let bad = |reason: &str| QrError::InvalidSerial {
            value: s.to_owned(),
            reason: reason.to_owned(),
        };
        if s.len() != 16 {
            return Err(bad(&format!("expected 16 hex characters, got {}", s.len())));
        }
        if !s
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
        {
            return Err(bad("expected upper-case hex [0-9A-F]"));
        }
        let mut out = [0u8; 8];
        hex::decode_to_slice(s, &mut out).map_err(|e| bad(&e.to_string()))?;
        Ok(Self(out))
    }

    /// From the content bytes of the certificate's DER `INTEGER` serial: the sign byte is
    /// dropped and a shorter serial is left-padded to 8 bytes.
    pub fn from_der_integer(bytes: &[u8]) -> Result<Self> {
        let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
        let significant = &bytes[start..];
        if significant.len() > 8 {
            return Err(QrError::InvalidSerial {
                value: hex::encode_upper(bytes),
                reason: "a KSeF certificate serial has at most 8 bytes".into(),
            });
        }
        let mut out = [0u8; 8];
        out[8 - significant.len()..].copy_from_slice(significant);
        Ok(Self(out))
    }

    /// The 8 bytes.
    pub fn as_bytes(&self) -> &[u8; 8] {
        &self.0
    }
}

impl fmt::Display for CertSerial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode_upper(self.0))
    }
}

/// A KOD II link before signing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateLink {
    env: Environment,
    context: ContextIdentifier,
    seller_nip: String,
    serial: CertSerial,
    invoice_hash: Sha256Hash,
}

impl CertificateLink {
    /// Checks the seller NIP pattern; the context and serial are checked by their types.
    pub fn new(
        env: Environment,
        context: ContextIdentifier,
        seller_nip: &str,
        serial: CertSerial,
        invoice_hash: Sha256Hash,
    ) -> Result<Self> {
        check_seller_nip(seller_nip)?;
        Ok(Self {
            env,
            context,
            seller_nip: seller_nip.to_owned(),
            serial,
            invoice_hash,
        })
    }

    /// The environment.
    pub fn environment(&self) -> &Environment {
        &self.env
    }

    /// The context identifier.
    pub fn context(&self) -> &ContextIdentifier {
        &self.context
    }

    /// The seller NIP.
    pub fn seller_nip(&self) -> &str {
        &self.seller_nip
    }

    /// The certificate serial.
    pub fn serial(&self) -> &CertSerial {
        &self.serial
    }

    /// The SHA-256 of the invoice.
    pub fn invoice_hash(&self) -> &Sha256Hash {
        &self.invoice_hash
    }

    /// The string whose UTF-8 bytes are signed: the link without `https://` and without
    /// the signature segment, e.g.
    /// `qr-test.ksef.mf.gov.pl/certificate/Nip/1111111111/1111111111/01F20A5D352AE590/UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE`.
    pub fn signed_data(&self) -> String {
        let base = self.env.base();
        format!(
            "{}/certificate/{}/{}/{}/{}/{}",
            strip_scheme(base).unwrap_or(base),
            self.context.context_type,
            self.context.value,
            self.seller_nip,
            self.serial,
            self.invoice_hash.to_base64url()
        )
    }

    /// Step 1 of 2: checks that `cert` is a KSeF `Offline` certificate whose serial is in
    /// the link and returns what to sign (RSA → [`SignatureAlgorithm::RsaPssSha256`],
    /// EC P-256 → [`SignatureAlgorithm::EcdsaP256Sha256P1363`]). The message is the signed
    /// data itself, never its hash.
    pub fn prepare(self, cert: &QrCertificate) -> Result<(SignRequest, PendingCertificateLink)> {
        cert.require_offline()?;
        if cert.serial() != &self.serial {
            return Err(QrError::SerialMismatch {
                link: self.serial.to_string(),
                certificate: cert.serial().to_string(),
            });
        }
        let algorithm = cert.key_kind().kod2_algorithm();
        let request = SignRequest {
            algorithm,
            message: self.signed_data().into_bytes(),
        };
        Ok((
            request,
            PendingCertificateLink {
                link: self,
                cert: cert.clone(),
            },
        ))
    }

    /// One call: signs with the Offline key (whose type guarantees an `Offline`
    /// certificate, see [`offline_key`]) after checking that its serial is the link's.
    /// `rng` gives the RSA-PSS salt (ECDSA is deterministic, RFC 6979). The algorithm is
    /// the key's KOD II algorithm: RSASSA-PSS SHA-256 salt 32, or ECDSA P-256 P1363.
    pub fn sign<R: CryptoRng + ?Sized>(
        self,
        key: &OfflineSigningKey,
        rng: &mut R,
    ) -> Result<SignedCertificateLink> {
        let serial = CertSerial::from_der_integer(key.certificate().serial_bytes())?;
        if serial != self.serial {
            return Err(QrError::SerialMismatch {
                link: self.serial.to_string(),
                certificate: serial.to_string(),
            });
        }
        let request = SignRequest {
            algorithm: key.algorithm(),
            message: self.signed_data().into_bytes(),
        };
        let signature = key
            .sign(&request, &mut &mut *rng)
            .map_err(QrError::Signing)?;
        Ok(SignedCertificateLink {
            link: self,
            signature,
        })
    }
}

/// Loads a certificate and its private key (PEM or DER, optionally encrypted) as a KOD II
/// signing key, valid at `now`. An `Authentication` certificate (keyUsage
/// digitalSignature) is refused with [`QrError::Credential`]
/// ([`crate::crypto::CredentialError::WrongCertificateType`]), as are expired ones.
pub fn offline_key(
    cert: &[u8],
    key: &[u8],
    password: Option<&str>,
    now: OffsetDateTime,
) -> Result<OfflineSigningKey> {
    Ok(OfflineSigningKey::new(
        Credential::load(cert, key, password)?,
        now,
    )?)
}

/// A KOD II link waiting for its signature (from [`CertificateLink::prepare`]).
#[derive(Debug, Clone)]
pub struct PendingCertificateLink {
    link: CertificateLink,
    cert: QrCertificate,
}

impl PendingCertificateLink {
    /// Step 2 of 2: checks `signature` with the certificate's public key and returns the
    /// signed link. An ECDSA signature may be given as P1363 (WebCrypto) or ASN.1 DER
    /// (Java, openssl); the link always carries P1363, the recommended form.
    pub fn finish(self, signature: &[u8]) -> Result<SignedCertificateLink> {
        let message = self.link.signed_data();
        let used = self
            .cert
            .verify_kod2_signature(message.as_bytes(), signature)?;
        let signature = if used == SignatureAlgorithm::EcdsaP256Sha256Der {
            p256::ecdsa::Signature::from_der(signature)
                .map_err(|e| QrError::BadSignature {
                    detail: format!("ECDSA DER: {e}"),
                })?
                .to_vec()
        } else {
            signature.to_vec()
        };
        Ok(SignedCertificateLink {
            link: self.link,
            signature,
        })
    }
}

impl PendingCertificateLink {
    /// Step 2 without the signature check, for a signer whose key was already matched
    /// to this certificate (the browser checks the key against the certificate when it
    /// is saved, and the first link of each key goes through [`Self::finish`]). Takes the
    /// signature as the link carries it: raw `R || S` for ECDSA, PSS bytes for RSA.
    ///
    /// # Errors
    /// [`QrError::BadSignature`] if the length does not fit the key (64 bytes for
    /// ECDSA P-256).
    pub fn finish_prechecked(self, signature: &[u8]) -> Result<SignedCertificateLink> {
        if self.cert.key_kind().kod2_algorithm() == SignatureAlgorithm::EcdsaP256Sha256P1363
            && signature.len() != 64
        {
            return Err(QrError::BadSignature {
                detail: format!("ECDSA P-256 P1363 is 64 bytes, got {}", signature.len()),
            });
        }
        Ok(SignedCertificateLink {
            link: self.link,
            signature: signature.to_vec(),
        })
    }
}

/// A complete KOD II link: the link data and the signature bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedCertificateLink {
    link: CertificateLink,
    signature: Vec<u8>,
}

impl SignedCertificateLink {
    pub(super) fn from_parts(link: CertificateLink, signature: Vec<u8>) -> Self {
        Self { link, signature }
    }

    /// The unsigned part.
    pub fn link(&self) -> &CertificateLink {
        &self.link
    }

    /// The signature bytes as carried in the link.
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// The full link.
    pub fn url(&self) -> String {
        self.to_string()
    }

    /// Checks that the link's serial is the certificate's and that the signature verifies
    /// with its public key. Does **not** check the certificate type; see [`Self::verify`].
    /// Returns the algorithm and encoding that verified.
    pub fn verify_signature(&self, cert: &QrCertificate) -> Result<SignatureAlgorithm> {
        if cert.serial() != &self.link.serial {
            return Err(QrError::SerialMismatch {
                link: self.link.serial.to_string(),
                certificate: cert.serial().to_string(),
            });
        }
        cert.verify_kod2_signature(self.link.signed_data().as_bytes(), &self.signature)
    }

    /// Everything [`Self::verify_signature`] checks, and that the certificate is of the
    /// KSeF `Offline` type (keyUsage nonRepudiation).
    pub fn verify(&self, cert: &QrCertificate) -> Result<SignatureAlgorithm> {
        let used = self.verify_signature(cert)?;
        cert.require_offline()?;
        Ok(used)
    }
}

impl fmt::Display for SignedCertificateLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let base = self.link.env.base();
        let signed = self.link.signed_data();
        let scheme_len = base.len() - strip_scheme(base).unwrap_or(base).len();
        write!(
            f,
            "{}{}/{}",
            &base[..scheme_len],
            signed,
            URL_SAFE_NO_PAD.encode(&self.signature)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials() {
        let s = CertSerial::parse("01F20A5D352AE590").unwrap();
        assert_eq!(s.to_string(), "01F20A5D352AE590");
        assert!(CertSerial::parse("01f20a5d352ae590").is_err());
        assert!(CertSerial::parse("01F20A5D352AE5").is_err());
        assert_eq!(
            CertSerial::from_der_integer(&[0x00, 0x81, 1, 2, 3, 4, 5, 6, 7]).unwrap(),
            CertSerial([0x81, 1, 2, 3, 4, 5, 6, 7])
        );
        assert_eq!(
            CertSerial::from_der_integer(&[0x12, 0x34])
                .unwrap()
                .to_string(),
            "0000000000001234"
        );
        assert!(CertSerial::from_der_integer(&[1; 9]).is_err());
    }

    #[test]
    fn contexts() {
        let ok = [
            (ContextType::Nip, "1111111111"),
            (ContextType::InternalId, "6824515772-12343"),
            (ContextType::NipVatUe, "5265877635-ATU12345678"),
            (ContextType::PeppolId, "PPL123456"),
        ];
        for (t, v) in ok {
            ContextIdentifier::new(t, v).unwrap();
        }
        let bad = [
            (ContextType::Nip, "0111111111"),
            (ContextType::InternalId, "6824515772-12345"),
            (ContextType::NipVatUe, "5265877635-at1"),
            (ContextType::PeppolId, "PPL12345"),
        ];
        for (t, v) in bad {
            assert!(matches!(
                ContextIdentifier::new(t, v),
                Err(QrError::InvalidContext { .. })
            ));
        }
        assert!("nip".parse::<ContextType>().is_err());
        assert_eq!(
            "NipVatUe".parse::<ContextType>().unwrap(),
            ContextType::NipVatUe
        );
    }
}
