//! The `AuthTokenRequest` document (DIGEST §5.2, `schemas/auth/AuthTokenRequest.xsd`
//! for 2.0 and `schemat_auth_v2-1.xsd` for 2.1).
//!
//! Values are checked against the XSD patterns when the request is built, so a
//! document we sign never fails KSeF's schema check (21401). The one exception is
//! `NipVatUe`: its XSD pattern ends with a literal `$` and can never match (schemas
//! README, "Problems" 2), so it is checked against the intended pattern instead.

use crate::ident::check_nip_pattern;

/// The namespace version of an `AuthTokenRequest`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum AuthTokenVersion {
    /// `http://ksef.mf.gov.pl/auth/token/2.0` (what the official client sends).
    #[default]
    V2_0,
    /// `http://ksef.mf.gov.pl/auth/token/2.1` (same structure, fixed IP patterns).
    V2_1,
}

impl AuthTokenVersion {
    /// The XML namespace of this version.
    pub fn namespace(self) -> &'static str {
        match self {
            AuthTokenVersion::V2_0 => "http://ksef.mf.gov.pl/auth/token/2.0",
            AuthTokenVersion::V2_1 => "http://ksef.mf.gov.pl/auth/token/2.1",
        }
    }

    /// The version whose namespace is `ns`.
    pub fn from_namespace(ns: &str) -> Option<Self> {
        match ns {
            "http://ksef.mf.gov.pl/auth/token/2.0" => Some(AuthTokenVersion::V2_0),
            "http://ksef.mf.gov.pl/auth/token/2.1" => Some(AuthTokenVersion::V2_1),
            _ => None,
        }
    }
}

/// Why `AuthTokenRequest` fields were refused. Messages name what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// The challenge does not match `\d{8}-CR-[A-F0-9]{10}-[A-F0-9]{10}-[A-F0-9]{2}`.
    #[error(
        "invalid challenge {0:?}: expected YYYYMMDD-CR-XXXXXXXXXX-XXXXXXXXXX-XX with uppercase hex digits"
    )]
    Challenge(String),
    /// The context identifier value does not match its type's pattern (KSeF 21117).
    #[error("invalid {kind} context identifier {value:?}: {reason}")]
    Context {
        /// `Nip`, `InternalId`, `NipVatUe` or `PeppolId`.
        kind: &'static str,
        /// The value given.
        value: String,
        /// What is wrong.
        reason: String,
    },
    /// The context type is not one of `Nip`, `InternalId`, `NipVatUe`, `PeppolId`.
    #[error(
        "unknown context identifier type {0:?} (expected Nip, InternalId, NipVatUe or PeppolId)"
    )]
    UnknownContextType(String),
    /// The subject identifier type is not `certificateSubject` / `certificateFingerprint`.
    #[error(
        "unknown subject identifier type {0:?} (expected certificateSubject or certificateFingerprint)"
    )]
    UnknownSubjectType(String),
    /// An `AllowedIps` entry does not match its pattern.
    #[error("invalid {kind} {value:?}")]
    Ip {
        /// `Ip4Address`, `Ip4Range` or `Ip4Mask`.
        kind: &'static str,
        /// The value given.
        value: String,
    },
    /// More than 10 entries of one kind in `AllowedIps`.
    #[error("{count} {kind} entries, at most 10 are allowed")]
    TooManyIps {
        /// `Ip4Address`, `Ip4Range` or `Ip4Mask`.
        kind: &'static str,
        /// How many were given.
        count: usize,
    },
    /// A required element of the document is missing or out of order.
    #[error("expected element {expected}, found {found}")]
    Structure {
        /// The element expected at this position.
        expected: &'static str,
        /// What was found instead (an element name or "end of document").
        found: String,
    },
}

/// Who the session acts for: `ContextIdentifier` (XSD `TContextIdentifier`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ContextIdentifier {
    /// A NIP (10 digits, XSD `TNIP`).
    Nip(String),
    /// An internal identifier `NIP-NNNNN` (XSD `TIID`).
    InternalId(String),
    /// A NIP joined with an EU VAT number, `NIP-CCxxxx` (XSD `TNipVatUE`).
    NipVatUe(String),
    /// A Peppol service provider id `PXXnnnnnn` (XSD `TPeppolId`).
    PeppolId(String),
}

impl ContextIdentifier {
    /// Builds an identifier from its XML element name (`Nip`, `InternalId`, `NipVatUe`,
    /// `PeppolId`) and value, checking the value's pattern.
    pub fn parse(kind: &str, value: &str) -> Result<Self, RequestError> {
        let id = match kind {
            "Nip" => ContextIdentifier::Nip(value.to_owned()),
            "InternalId" => ContextIdentifier::InternalId(value.to_owned()),
            "NipVatUe" => ContextIdentifier::NipVatUe(value.to_owned()),
            "PeppolId" => ContextIdentifier::PeppolId(value.to_owned()),
            other => return Err(RequestError::UnknownContextType(other.to_owned())),
        };
        id.check()?;
        Ok(id)
    }

    /// The XML element name of this identifier type.
    pub fn kind(&self) -> &'static str {
        match self {
            ContextIdentifier::Nip(_) => "Nip",
            ContextIdentifier::InternalId(_) => "InternalId",
            ContextIdentifier::NipVatUe(_) => "NipVatUe",
            ContextIdentifier::PeppolId(_) => "PeppolId",
        }
    }

    /// The identifier value.
    pub fn value(&self) -> &str {
        match self {
            ContextIdentifier::Nip(v)
            | ContextIdentifier::InternalId(v)
            | ContextIdentifier::NipVatUe(v)
            | ContextIdentifier::PeppolId(v) => v,
        }
    }

    /// Checks the value against the XSD pattern of its type.
    pub fn check(&self) -> Result<(), RequestError> {
        let kind = self.kind();
        let value = self.value();
        let fail = |reason: String| RequestError::Context {
            kind,
            value: value.to_owned(),
            reason,
        };
        match self {
            ContextIdentifier::Nip(v) => check_nip_pattern(v).map_err(|e| fail(e.to_string())),
            ContextIdentifier::InternalId(v) => {
                let (nip, suffix) = split_once_at(v, 10).ok_or_else(|| {
                    fail("expected a 10-digit NIP, '-' and 5 digits (NIP-NNNNN)".into())
                })?;
                check_nip_pattern(nip).map_err(|e| fail(e.to_string()))?;
                match suffix.strip_prefix('-') {
                    Some(d) if d.len() == 5 && d.bytes().all(|b| b.is_ascii_digit()) => Ok(()),
                    _ => Err(fail("expected '-' and 5 digits after the NIP".into())),
                }
            }
            ContextIdentifier::NipVatUe(v) => {
                let (nip, rest) = split_once_at(v, 10)
                    .ok_or_else(|| fail("expected NIP-<EU VAT number>".into()))?;
                check_nip_pattern(nip).map_err(|e| fail(e.to_string()))?;
                let vat = rest
                    .strip_prefix('-')
                    .ok_or_else(|| fail("expected '-' after the NIP".into()))?;
                check_vat_ue(vat).map_err(fail)
            }
            ContextIdentifier::PeppolId(v) => {
                let b = v.as_bytes();
                let ok = b.len() == 9
                    && b[0] == b'P'
                    && b[1..3].iter().all(u8::is_ascii_uppercase)
                    && b[3..].iter().all(u8::is_ascii_digit);
                if ok {
                    Ok(())
                } else {
                    Err(fail(
                        "expected P, two uppercase letters and six digits".into(),
                    ))
                }
            }
        }
    }
}

/// Splits `s` after `n` bytes if that is a char boundary.
fn split_once_at(s: &str, n: usize) -> Option<(&str, &str)> {
    if s.len() > n && s.is_char_boundary(n) {
        Some(s.split_at(n))
    } else {
        None
    }
}

/// EU VAT number shapes from the VIES FAQ (the intent of XSD `TNipVatUE`).
fn check_vat_ue(vat: &str) -> Result<(), String> {
    const CODES: [&str; 27] = [
        "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU", "IE",
        "IT", "LT", "LU", "LV", "MT", "NL", "PT", "RO", "SE", "SI", "SK", "XI",
    ];
    let (cc, number) = split_once_at(vat, 2).ok_or("expected a country code and a number")?;
    if !CODES.contains(&cc) {
        return Err(format!("{cc:?} is not an EU VAT country code"));
    }
    let ok = (2..=12).contains(&number.len())
        && number
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'+' || b == b'*');
    if ok {
        Ok(())
    } else {
        Err("the VAT number must be 2 to 12 characters A-Z, 0-9, + or *".into())
    }
}

/// How KSeF identifies the signer: `SubjectIdentifierType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum SubjectIdentifierType {
    /// By the certificate subject (NIP/PESEL in `serialNumber`, or `organizationIdentifier`).
    #[default]
    CertificateSubject,
    /// By the SHA-256 fingerprint of the certificate.
    CertificateFingerprint,
}

impl SubjectIdentifierType {
    /// The XML value.
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectIdentifierType::CertificateSubject => "certificateSubject",
            SubjectIdentifierType::CertificateFingerprint => "certificateFingerprint",
        }
    }
}

impl std::str::FromStr for SubjectIdentifierType {
    type Err = RequestError;

    fn from_str(s: &str) -> Result<Self, RequestError> {
        match s {
            "certificateSubject" => Ok(SubjectIdentifierType::CertificateSubject),
            "certificateFingerprint" => Ok(SubjectIdentifierType::CertificateFingerprint),
            other => Err(RequestError::UnknownSubjectType(other.to_owned())),
        }
    }
}

/// `AuthorizationPolicy/AllowedIps`: up to 10 entries of each kind.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AllowedIps {
    /// `Ip4Address` entries, e.g. `192.168.0.1`.
    pub ip4_addresses: Vec<String>,
    /// `Ip4Range` entries, e.g. `10.0.0.1-10.0.0.20`.
    pub ip4_ranges: Vec<String>,
    /// `Ip4Mask` entries, e.g. `10.0.0.0/8`.
    pub ip4_masks: Vec<String>,
}

impl AllowedIps {
    /// Checks every entry (the 2.1 patterns, which also satisfy 2.0) and the counts.
    pub fn check(&self) -> Result<(), RequestError> {
        type Check = fn(&str) -> bool;
        let lists: [(&'static str, &Vec<String>, Check); 3] = [
            ("Ip4Address", &self.ip4_addresses, is_ip4),
            ("Ip4Range", &self.ip4_ranges, |v| {
                v.split_once('-')
                    .is_some_and(|(a, b)| is_ip4(a) && is_ip4(b))
            }),
            ("Ip4Mask", &self.ip4_masks, |v| {
                v.split_once('/').is_some_and(|(a, m)| {
                    is_ip4(a) && is_decimal(m) && m.parse::<u8>().is_ok_and(|m| m <= 32)
                })
            }),
        ];
        for (kind, list, ok) in lists {
            if list.len() > 10 {
                return Err(RequestError::TooManyIps {
                    kind,
                    count: list.len(),
                });
            }
            if let Some(bad) = list.iter().find(|v| !ok(v)) {
                return Err(RequestError::Ip {
                    kind,
                    value: bad.clone(),
                });
            }
        }
        Ok(())
    }
}

/// A decimal without leading zeros (`0` itself is fine), 1 to 3 digits.
fn is_decimal(s: &str) -> bool {
    (1..=3).contains(&s.len())
        && s.bytes().all(|b| b.is_ascii_digit())
        && !(s.len() > 1 && s.starts_with('0'))
}

fn is_ip4(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() == 4
        && parts
            .iter()
            .all(|p| is_decimal(p) && p.parse::<u16>().is_ok_and(|n| n <= 255))
}

fn is_challenge(s: &str) -> bool {
    let b = s.as_bytes();
    let hex = |r: &[u8]| {
        r.iter()
            .all(|c| c.is_ascii_digit() || (b'A'..=b'F').contains(c))
    };
    b.len() == 36
        && b[..8].iter().all(u8::is_ascii_digit)
        && &b[8..12] == b"-CR-"
        && hex(&b[12..22])
        && b[22] == b'-'
        && hex(&b[23..33])
        && b[33] == b'-'
        && hex(&b[34..36])
}

/// A validated `AuthTokenRequest`: the document signed for `POST /auth/xades-signature`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthTokenRequest {
    version: AuthTokenVersion,
    challenge: String,
    context: ContextIdentifier,
    subject_type: SubjectIdentifierType,
    allowed_ips: Option<AllowedIps>,
}

impl AuthTokenRequest {
    /// Builds a 2.0 request, checking the challenge and the context identifier.
    pub fn new(
        challenge: &str,
        context: ContextIdentifier,
        subject_type: SubjectIdentifierType,
    ) -> Result<Self, RequestError> {
        if !is_challenge(challenge) {
            return Err(RequestError::Challenge(challenge.to_owned()));
        }
        context.check()?;
        Ok(AuthTokenRequest {
            version: AuthTokenVersion::V2_0,
            challenge: challenge.to_owned(),
            context,
            subject_type,
            allowed_ips: None,
        })
    }

    /// Uses another namespace version.
    pub fn with_version(mut self, version: AuthTokenVersion) -> Self {
        self.version = version;
        self
    }

    /// Adds `AuthorizationPolicy/AllowedIps`, checking every entry.
    pub fn with_allowed_ips(mut self, ips: AllowedIps) -> Result<Self, RequestError> {
        ips.check()?;
        self.allowed_ips = Some(ips);
        Ok(self)
    }

    /// The namespace version.
    pub fn version(&self) -> AuthTokenVersion {
        self.version
    }

    /// The challenge from `POST /auth/challenge`.
    pub fn challenge(&self) -> &str {
        &self.challenge
    }

    /// The context the session acts for.
    pub fn context(&self) -> &ContextIdentifier {
        &self.context
    }

    /// How the signer is identified.
    pub fn subject_type(&self) -> SubjectIdentifierType {
        self.subject_type
    }

    /// The IP restriction, if any.
    pub fn allowed_ips(&self) -> Option<&AllowedIps> {
        self.allowed_ips.as_ref()
    }

    /// The unsigned document, UTF-8, in the layout of the official samples.
    pub fn to_xml(&self) -> String {
        let mut out = String::new();
        self.write_open(&mut out);
        out.push_str("</AuthTokenRequest>\n");
        out
    }

    /// Writes the declaration, the root start tag and the request elements, leaving
    /// the root open so that a signature can be appended.
    pub(crate) fn write_open(&self, out: &mut String) {
        use super::xml::text;
        out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<AuthTokenRequest xmlns=\"");
        out.push_str(self.version.namespace());
        out.push_str("\">\n  <Challenge>");
        text(out, &self.challenge);
        out.push_str("</Challenge>\n  <ContextIdentifier>\n    <");
        out.push_str(self.context.kind());
        out.push('>');
        text(out, self.context.value());
        out.push_str("</");
        out.push_str(self.context.kind());
        out.push_str(">\n  </ContextIdentifier>\n  <SubjectIdentifierType>");
        out.push_str(self.subject_type.as_str());
        out.push_str("</SubjectIdentifierType>\n");
        if let Some(ips) = &self.allowed_ips {
            out.push_str("  <AuthorizationPolicy>\n    <AllowedIps>\n");
            for (name, list) in [
                ("Ip4Address", &ips.ip4_addresses),
                ("Ip4Range", &ips.ip4_ranges),
                ("Ip4Mask", &ips.ip4_masks),
            ] {
                for v in list {
                    out.push_str("      <");
                    out.push_str(name);
                    out.push('>');
                    text(out, v);
                    out.push_str("</");
                    out.push_str(name);
                    out.push_str(">\n");
                }
            }
            out.push_str("    </AllowedIps>\n  </AuthorizationPolicy>\n");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenge_pattern() {
        assert!(is_challenge("20250604-CR-461EA5B000-537A6BA15D-D7"));
        for bad in [
            "20250604-CR-461ea5b000-537A6BA15D-D7",
            "20250604-CR-461EA5B000-537A6BA15D-D",
            "2025060A-CR-461EA5B000-537A6BA15D-D7",
            "20250604-XX-461EA5B000-537A6BA15D-D7",
            "20250604-CR-461EA5B000-537A6BA15DxD7",
            "",
        ] {
            assert!(!is_challenge(bad), "{bad}");
        }
    }

    #[test]
    fn context_patterns() {
        for (k, v) in [
            ("Nip", "5265877635"),
            ("InternalId", "5265877635-12345"),
            ("NipVatUe", "5265877635-ATU12345678"),
            ("PeppolId", "PPL123456"),
        ] {
            assert_eq!(ContextIdentifier::parse(k, v).map(|c| c.kind()), Ok(k));
        }
        for (k, v) in [
            ("Nip", "0265877635"),
            ("Nip", "526587763"),
            ("InternalId", "5265877635-1234"),
            ("InternalId", "5265877635_12345"),
            ("NipVatUe", "5265877635-PL1234567890"),
            ("NipVatUe", "5265877635-AT"),
            ("PeppolId", "PPL12345"),
        ] {
            assert!(
                matches!(
                    ContextIdentifier::parse(k, v),
                    Err(RequestError::Context { .. })
                ),
                "{k} {v}"
            );
        }
        assert!(matches!(
            ContextIdentifier::parse("Pesel", "1"),
            Err(RequestError::UnknownContextType(_))
        ));
    }

    #[test]
    fn ip_patterns() {
        let ok = AllowedIps {
            ip4_addresses: vec!["192.168.0.1".into(), "0.0.0.0".into()],
            ip4_ranges: vec!["10.0.0.1-10.0.0.20".into()],
            ip4_masks: vec!["10.0.0.0/8".into(), "1.2.3.4/32".into()],
        };
        assert_eq!(ok.check(), Ok(()));
        for bad in ["256.1.1.1", "01.1.1.1", "1.1.1", "1.1.1.1.1", "a.b.c.d"] {
            let ips = AllowedIps {
                ip4_addresses: vec![bad.into()],
                ..AllowedIps::default()
            };
            assert!(matches!(ips.check(), Err(RequestError::Ip { .. })), "{bad}");
        }
        let mask = AllowedIps {
            ip4_masks: vec!["10.0.0.0/33".into()],
            ..AllowedIps::default()
        };
        assert!(mask.check().is_err());
        let many = AllowedIps {
            ip4_addresses: vec!["1.1.1.1".into(); 11],
            ..AllowedIps::default()
        };
        assert!(matches!(
            many.check(),
            Err(RequestError::TooManyIps { count: 11, .. })
        ));
    }
}
