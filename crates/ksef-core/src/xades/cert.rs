//! The signing certificate: its key (RSA ≥ 2048 bits or EC P-256, DIGEST §5.2),
//! `IssuerSerial` values (RFC 4514 issuer, decimal serial) and the signature
//! algorithms of `podpis-xades.md` that this module verifies.

use super::{Result, XadesError, uri};
use crate::crypto::Certificate;
use crate::crypto::SignatureAlgorithm;
use der::Encode;
use rsa::traits::PublicKeyParts;
use sha2::Digest;
use x509_cert::name::Name;

/// A digest algorithm used for references and for `CertDigest`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hash {
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    pub(crate) fn from_uri(u: &str) -> Option<Self> {
        match u {
            uri::SHA256 => Some(Hash::Sha256),
            uri::SHA384 => Some(Hash::Sha384),
            uri::SHA512 => Some(Hash::Sha512),
            _ => None,
        }
    }

    pub(crate) fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Hash::Sha256 => sha2::Sha256::digest(data).to_vec(),
            Hash::Sha384 => sha2::Sha384::digest(data).to_vec(),
            Hash::Sha512 => sha2::Sha512::digest(data).to_vec(),
        }
    }
}

/// A `SignatureMethod` this module verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SigMethod {
    RsaPkcs1(Hash),
    RsaPss(Hash),
    Ecdsa(Hash),
}

impl SigMethod {
    pub(crate) fn from_uri(u: &str) -> Option<Self> {
        Some(match u {
            uri::RSA_SHA256 => SigMethod::RsaPkcs1(Hash::Sha256),
            uri::RSA_SHA384 => SigMethod::RsaPkcs1(Hash::Sha384),
            uri::RSA_SHA512 => SigMethod::RsaPkcs1(Hash::Sha512),
            uri::RSA_PSS_SHA256 => SigMethod::RsaPss(Hash::Sha256),
            uri::RSA_PSS_SHA384 => SigMethod::RsaPss(Hash::Sha384),
            uri::RSA_PSS_SHA512 => SigMethod::RsaPss(Hash::Sha512),
            uri::ECDSA_SHA256 => SigMethod::Ecdsa(Hash::Sha256),
            uri::ECDSA_SHA384 => SigMethod::Ecdsa(Hash::Sha384),
            uri::ECDSA_SHA512 => SigMethod::Ecdsa(Hash::Sha512),
            _ => return None,
        })
    }

    /// The method producing a signature of the shared two-step algorithm.
    pub(crate) fn from_algorithm(alg: SignatureAlgorithm) -> Result<(Self, &'static str)> {
        match alg {
            SignatureAlgorithm::RsaPkcs1v15Sha256 => {
                Ok((SigMethod::RsaPkcs1(Hash::Sha256), uri::RSA_SHA256))
            }
            SignatureAlgorithm::RsaPssSha256 => {
                Ok((SigMethod::RsaPss(Hash::Sha256), uri::RSA_PSS_SHA256))
            }
            SignatureAlgorithm::EcdsaP256Sha256P1363 => {
                Ok((SigMethod::Ecdsa(Hash::Sha256), uri::ECDSA_SHA256))
            }
            other => Err(XadesError::UnsupportedAlgorithm(other)),
        }
    }
}

/// The public key of a certificate, checked against KSeF's minimums.
#[derive(Debug, Clone)]
pub(crate) enum Key {
    Rsa(rsa::PublicKey),
    P256(p256::ecdsa::VerifyingKey),
}

const RSA_OID: &str = "1.2.840.113549.1.1.1";
const EC_OID: &str = "1.2.840.10045.2.1";
const P256_OID: &str = "1.2.840.10045.3.1.7";

impl Key {
    fn kind(&self) -> &'static str {
        match self {
            Key::Rsa(_) => "rsa",
            Key::P256(_) => "ec p-256",
        }
    }

    /// Verifies `sig` over `msg` (the canonical `SignedInfo`) with `method`.
    pub(crate) fn verify(
        &self,
        method: SigMethod,
        method_uri: &str,
        msg: &[u8],
        sig: &[u8],
    ) -> Result<()> {
        let mismatch = || XadesError::KeyAlgorithmMismatch {
            method: method_uri.to_owned(),
            key: self.kind(),
        };
        match (self, method) {
            (Key::Rsa(k), SigMethod::RsaPkcs1(h) | SigMethod::RsaPss(h)) => {
                if sig.len() != k.size() {
                    return Err(XadesError::MalformedSignatureValue(format!(
                        "{} bytes, an rsa signature with this key has {}",
                        sig.len(),
                        k.size()
                    )));
                }
                let pss = matches!(method, SigMethod::RsaPss(_));
                let r = match (h, pss) {
                    (Hash::Sha256, false) => k.pkcs1v15_verify::<sha2::Sha256>(msg, sig),
                    (Hash::Sha384, false) => k.pkcs1v15_verify::<sha2::Sha384>(msg, sig),
                    (Hash::Sha512, false) => k.pkcs1v15_verify::<sha2::Sha512>(msg, sig),
                    (Hash::Sha256, true) => k.pss_verify::<sha2::Sha256>(msg, sig),
                    (Hash::Sha384, true) => k.pss_verify::<sha2::Sha384>(msg, sig),
                    (Hash::Sha512, true) => k.pss_verify::<sha2::Sha512>(msg, sig),
                };
                r.map_err(|_| XadesError::BadSignature)
            }
            (Key::P256(k), SigMethod::Ecdsa(h)) => {
                use p256::ecdsa::signature::hazmat::PrehashVerifier;
                let s = ecdsa_signature(sig)?;
                let s = s.normalize_s();
                k.verify_prehash(&h.digest(msg), &s)
                    .map_err(|_| XadesError::BadSignature)
            }
            _ => Err(mismatch()),
        }
    }
}

/// Reads an ECDSA P-256 signature: raw `R || S` (64 bytes, RFC 4050) or, tolerated,
/// ASN.1 DER.
pub(crate) fn ecdsa_signature(sig: &[u8]) -> Result<p256::ecdsa::Signature> {
    if sig.len() == 64 {
        p256::ecdsa::Signature::from_slice(sig)
            .map_err(|_| XadesError::MalformedSignatureValue("r or s is out of range".into()))
    } else {
        p256::ecdsa::Signature::from_der(sig).map_err(|_| {
            XadesError::MalformedSignatureValue(format!(
                "{} bytes, expected 64-byte raw R || S for ecdsa p-256",
                sig.len()
            ))
        })
    }
}

/// A decoded signing certificate (the shared [`Certificate`]) and its checked key.
#[derive(Debug, Clone)]
pub(crate) struct CertInfo {
    pub(crate) cert: Certificate,
    pub(crate) key: Key,
}

impl CertInfo {
    /// Decodes a DER certificate and its key; refuses RSA below 2048 bits and EC
    /// curves other than P-256.
    pub(crate) fn from_der(der: &[u8]) -> Result<Self> {
        let cert =
            Certificate::from_der(der).map_err(|e| XadesError::Certificate(e.to_string()))?;
        let spki = cert.x509().tbs_certificate().subject_public_key_info();
        let spki_der = spki
            .to_der()
            .map_err(|e| XadesError::Certificate(e.to_string()))?;
        let oid = spki.algorithm.oid.to_string();
        let key = match oid.as_str() {
            RSA_OID => {
                use rsa::pkcs8::DecodePublicKey;
                let k = rsa::PublicKey::from_public_key_der(&spki_der)
                    .map_err(|e| XadesError::UnsupportedKey(format!("rsa key: {e}")))?;
                let n = k.n_bytes();
                let bits = n.len() * 8 - n.first().map_or(0, |b| b.leading_zeros() as usize);
                if bits < 2048 {
                    return Err(XadesError::WeakKey(bits));
                }
                Key::Rsa(k)
            }
            EC_OID => {
                let curve = spki
                    .algorithm
                    .parameters
                    .as_ref()
                    .and_then(|p| p.decode_as::<der::asn1::ObjectIdentifier>().ok())
                    .map(|o| o.to_string())
                    .unwrap_or_default();
                if curve != P256_OID {
                    return Err(XadesError::UnsupportedKey(format!(
                        "ec curve {curve}, only p-256 ({P256_OID}) is supported"
                    )));
                }
                use p256::pkcs8::DecodePublicKey;
                let k = p256::ecdsa::VerifyingKey::from_public_key_der(&spki_der)
                    .map_err(|e| XadesError::UnsupportedKey(format!("ec p-256 key: {e}")))?;
                Key::P256(k)
            }
            other => {
                return Err(XadesError::UnsupportedKey(format!(
                    "key algorithm {other}, expected rsa or ec p-256"
                )));
            }
        };
        Ok(CertInfo { cert, key })
    }

    /// Checks that `method` fits this certificate's key.
    pub(crate) fn check_method(&self, method: SigMethod, method_uri: &str) -> Result<()> {
        match (&self.key, method) {
            (Key::Rsa(_), SigMethod::RsaPkcs1(_) | SigMethod::RsaPss(_))
            | (Key::P256(_), SigMethod::Ecdsa(_)) => Ok(()),
            (k, _) => Err(XadesError::KeyAlgorithmMismatch {
                method: method_uri.to_owned(),
                key: k.kind(),
            }),
        }
    }
}

/// Normalizes a decimal string for comparison (trim, strip a leading `+` and zeros).
pub(crate) fn normalize_decimal(s: &str) -> Option<String> {
    let s = s.trim();
    let (neg, digits) = match s.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let d = digits.trim_start_matches('0');
    let d = if d.is_empty() { "0" } else { d };
    Some(if neg && d != "0" {
        format!("-{d}")
    } else {
        d.to_owned()
    })
}

/// One attribute of a distinguished name: (OID, normalized value).
type Ava = (String, String);

/// Attribute keywords accepted in `X509IssuerName` (RFC 4514 §3, RFC 2253 and the
/// names .NET, OpenSSL and xmlsec print), mapped to OIDs.
const KEYWORDS: [(&str, &str); 24] = [
    ("CN", "2.5.4.3"),
    ("C", "2.5.4.6"),
    ("L", "2.5.4.7"),
    ("ST", "2.5.4.8"),
    ("S", "2.5.4.8"),
    ("STREET", "2.5.4.9"),
    ("O", "2.5.4.10"),
    ("OU", "2.5.4.11"),
    ("T", "2.5.4.12"),
    ("TITLE", "2.5.4.12"),
    ("SN", "2.5.4.4"),
    ("SURNAME", "2.5.4.4"),
    ("SERIALNUMBER", "2.5.4.5"),
    ("G", "2.5.4.42"),
    ("GN", "2.5.4.42"),
    ("GIVENNAME", "2.5.4.42"),
    ("ORGANIZATIONIDENTIFIER", "2.5.4.97"),
    ("DC", "0.9.2342.19200300.100.1.25"),
    ("UID", "0.9.2342.19200300.100.1.1"),
    ("E", "1.2.840.113549.1.9.1"),
    ("EMAIL", "1.2.840.113549.1.9.1"),
    ("EMAILADDRESS", "1.2.840.113549.1.9.1"),
    ("INITIALS", "2.5.4.43"),
    ("PSEUDONYM", "2.5.4.65"),
];

/// Case-insensitive, whitespace-collapsed form of an attribute value.
fn normalize_value(v: &str) -> String {
    v.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Parses an RFC 4514 / RFC 2253 distinguished name into attributes.
fn parse_dn(s: &str) -> Option<Vec<Ava>> {
    let mut out = Vec::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        // attribute type
        while i < chars.len() && chars[i] == ' ' {
            i += 1;
        }
        let start = i;
        while i < chars.len() && chars[i] != '=' {
            i += 1;
        }
        if i >= chars.len() {
            return None;
        }
        let ty: String = chars[start..i].iter().collect::<String>().trim().to_owned();
        i += 1;
        let upper = ty.to_ascii_uppercase();
        let oid_str = upper.strip_prefix("OID.").unwrap_or(&upper);
        let oid = if oid_str.bytes().all(|b| b.is_ascii_digit() || b == b'.') && !oid_str.is_empty()
        {
            oid_str.to_owned()
        } else {
            KEYWORDS
                .iter()
                .find(|(k, _)| *k == upper)
                .map(|(_, o)| (*o).to_owned())?
        };
        // value
        while i < chars.len() && chars[i] == ' ' {
            i += 1;
        }
        let mut value = String::new();
        let mut bytes: Vec<u8> = Vec::new();
        if i < chars.len() && chars[i] == '#' {
            // hex-encoded BER value: keep as "#hex" for comparison
            i += 1;
            let start = i;
            while i < chars.len() && chars[i].is_ascii_hexdigit() {
                i += 1;
            }
            value = format!(
                "#{}",
                chars[start..i].iter().collect::<String>().to_lowercase()
            );
        } else if i < chars.len() && chars[i] == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' && i + 1 < chars.len() {
                    i += 1;
                }
                value.push(chars[i]);
                i += 1;
            }
            i += 1;
        } else {
            while i < chars.len() && !matches!(chars[i], ',' | '+' | ';') {
                if chars[i] == '\\' && i + 1 < chars.len() {
                    let a = chars[i + 1];
                    if a.is_ascii_hexdigit()
                        && i + 2 < chars.len()
                        && chars[i + 2].is_ascii_hexdigit()
                    {
                        let hex: String = [a, chars[i + 2]].iter().collect();
                        bytes.push(u8::from_str_radix(&hex, 16).ok()?);
                        i += 3;
                        continue;
                    }
                    flush(&mut bytes, &mut value)?;
                    value.push(a);
                    i += 2;
                    continue;
                }
                flush(&mut bytes, &mut value)?;
                value.push(chars[i]);
                i += 1;
            }
            flush(&mut bytes, &mut value)?;
        }
        out.push((oid, normalize_value(&value)));
        // separator
        while i < chars.len() && chars[i] == ' ' {
            i += 1;
        }
        if i < chars.len() {
            if matches!(chars[i], ',' | '+' | ';') {
                i += 1;
            } else {
                return None;
            }
        }
    }
    Some(out)
}

/// Moves pending `\XX` UTF-8 bytes into `value`.
fn flush(bytes: &mut Vec<u8>, value: &mut String) -> Option<()> {
    if !bytes.is_empty() {
        value.push_str(std::str::from_utf8(bytes).ok()?);
        bytes.clear();
    }
    Some(())
}

/// The attributes of a certificate name as (OID, normalized value).
fn name_avas(name: &Name) -> Vec<Ava> {
    use der::asn1::{Ia5StringRef, PrintableStringRef, TeletexStringRef, Utf8StringRef};
    use der::{Tag, Tagged};
    name.iter()
        .map(|atv| {
            let v = &atv.value;
            let s = match v.tag() {
                Tag::PrintableString => PrintableStringRef::try_from(v)
                    .ok()
                    .map(|s| s.as_str().to_owned()),
                Tag::Utf8String => Utf8StringRef::try_from(v)
                    .ok()
                    .map(|s| s.as_str().to_owned()),
                Tag::Ia5String => Ia5StringRef::try_from(v)
                    .ok()
                    .map(|s| s.as_str().to_owned()),
                Tag::TeletexString => TeletexStringRef::try_from(v)
                    .ok()
                    .map(|s| s.as_str().to_owned()),
                _ => None,
            };
            let s = match s {
                Some(s) => normalize_value(&s),
                None => format!("#{}", hex::encode(v.to_der().unwrap_or_default())),
            };
            (atv.oid.to_string(), s)
        })
        .collect()
}

/// Whether `dn` (an `X509IssuerName`) names `name`: the same attributes with the same
/// values, compared case-insensitively with whitespace collapsed, in any RDN order
/// (RFC 4514 strings list the most specific RDN first, X.500 order is the reverse,
/// and signers differ).
pub(crate) fn dn_matches(name: &Name, dn: &str) -> bool {
    let Some(mut parsed) = parse_dn(dn) else {
        return false;
    };
    let mut actual = name_avas(name);
    parsed.sort();
    actual.sort();
    parsed == actual
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn decimal_normalization() {
        assert_eq!(normalize_decimal(" 007 ").as_deref(), Some("7"));
        assert_eq!(normalize_decimal("+0").as_deref(), Some("0"));
        assert_eq!(normalize_decimal("12a"), None);
    }

    #[test]
    fn dn_comparison() {
        let name = Name::from_str("CN=Jan Testowy,serialNumber=TINPL-5265877635,C=PL")
            .unwrap_or_else(|e| panic!("{e}"));
        let printed = name.to_string();
        assert!(dn_matches(&name, &printed), "{printed}");
        assert!(dn_matches(
            &name,
            "C=PL, SERIALNUMBER=TINPL-5265877635, CN=Jan  Testowy"
        ));
        assert!(dn_matches(
            &name,
            "OID.2.5.4.6=PL,2.5.4.5=TINPL-5265877635,cn=jan testowy"
        ));
        assert!(!dn_matches(&name, "C=PL, CN=Jan Testowy"));
        assert!(!dn_matches(
            &name,
            "C=DE, SERIALNUMBER=TINPL-5265877635, CN=Jan Testowy"
        ));
        assert!(!dn_matches(&name, "garbage"));
        let esc = Name::from_str("CN=a\\,b,O=x").unwrap_or_else(|e| panic!("{e}"));
        assert!(dn_matches(&esc, "CN=a\\,b, O=x"));
        assert!(dn_matches(&esc, "CN=\"a,b\", O=x"));
        assert!(dn_matches(&esc, "CN=a\\2cb, O=x"));
    }
}
