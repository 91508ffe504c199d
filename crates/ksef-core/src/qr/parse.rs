//! Parsing and structural checks of KOD I / KOD II links (DIGEST §14, hosts §1).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::kod1::{InvoiceLink, check_seller_nip, parse_link_date};
use super::kod2::{CertSerial, CertificateLink, ContextIdentifier, SignedCertificateLink};
use super::{Environment, QrError, Result};
use crate::hash::Sha256Hash;

/// A parsed verification link.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum QrLink {
    /// KOD I (`/invoice/...`).
    Invoice(InvoiceLink),
    /// KOD II (`/certificate/...`), signature not yet verified.
    Certificate(SignedCertificateLink),
}

impl QrLink {
    /// Parses a link on one of the official QR hosts (TEST, DEMO, PROD) and checks its
    /// structure: segment count, NIP patterns, date, hash (43 characters of Base64url),
    /// context type and value, serial (16 upper-case hex) and signature encoding.
    pub fn parse(url: &str) -> Result<Self> {
        Self::parse_with(url, &[])
    }

    /// Like [`QrLink::parse`], also accepting the given extra bases (e.g. a simulator).
    pub fn parse_with(url: &str, extra: &[Environment]) -> Result<Self> {
        let (env, rest) = Environment::OFFICIAL
            .iter()
            .chain(extra)
            .find_map(|e| {
                url.strip_prefix(e.base())
                    .and_then(|r| r.strip_prefix('/'))
                    .map(|r| (e.clone(), r))
            })
            .ok_or_else(|| QrError::UnknownHost {
                url: url.to_owned(),
                expected: Environment::OFFICIAL
                    .iter()
                    .chain(extra)
                    .map(Environment::base)
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
        if let Some(c) = rest
            .chars()
            .find(|c| matches!(c, '?' | '#') || c.is_whitespace())
        {
            return Err(QrError::Malformed {
                kind: "QR",
                reason: format!("unexpected {c:?} in the path"),
            });
        }
        let segments: Vec<&str> = rest.split('/').collect();
        match segments.split_first() {
            Some((&"invoice", s)) => parse_invoice(env, s).map(QrLink::Invoice),
            Some((&"certificate", s)) => parse_certificate(env, s).map(QrLink::Certificate),
            Some((other, _)) => Err(QrError::Malformed {
                kind: "QR",
                reason: format!("expected /invoice/ or /certificate/, got /{other}/"),
            }),
            None => Err(QrError::Malformed {
                kind: "QR",
                reason: "empty path".into(),
            }),
        }
    }

    /// The link as a string.
    pub fn url(&self) -> String {
        match self {
            QrLink::Invoice(l) => l.url(),
            QrLink::Certificate(l) => l.url(),
        }
    }
}

fn segment_count(kind: &'static str, s: &[&str], names: &str, expected: usize) -> Result<()> {
    if s.len() != expected {
        let trailing = if s.last() == Some(&"") {
            " (trailing '/' is not allowed)"
        } else {
            ""
        };
        return Err(QrError::Malformed {
            kind,
            reason: format!(
                "expected {expected} segments after the type ({names}), got {}{trailing}",
                s.len()
            ),
        });
    }
    if let Some(i) = s.iter().position(|x| x.is_empty()) {
        return Err(QrError::Malformed {
            kind,
            reason: format!("segment {} is empty", i + 1),
        });
    }
    Ok(())
}

fn parse_invoice(env: Environment, s: &[&str]) -> Result<InvoiceLink> {
    segment_count("KOD I", s, "sellerNip/DD-MM-YYYY/hash", 3)?;
    check_seller_nip(s[0])?;
    let date = parse_link_date(s[1])?;
    let hash = parse_hash(s[2])?;
    Ok(InvoiceLink::from_parts(env, s[0].to_owned(), date, hash))
}

fn parse_certificate(env: Environment, s: &[&str]) -> Result<SignedCertificateLink> {
    segment_count(
        "KOD II",
        s,
        "ctxType/ctxValue/sellerNip/serial/hash/signature",
        6,
    )?;
    let context = ContextIdentifier::new(s[0].parse()?, s[1])?;
    let serial = CertSerial::parse(s[3])?;
    let hash = parse_hash(s[4])?;
    let link = CertificateLink::new(env, context, s[2], serial, hash)?;
    let signature = URL_SAFE_NO_PAD
        .decode(s[5])
        .map_err(|e| QrError::InvalidSignatureEncoding(format!("not unpadded Base64url: {e}")))?;
    Ok(SignedCertificateLink::from_parts(link, signature))
}

fn parse_hash(s: &str) -> Result<Sha256Hash> {
    let bad = |reason: String| QrError::InvalidHash {
        value: s.to_owned(),
        reason,
    };
    if s.len() != 43 {
        return Err(bad(format!(
            "expected 43 characters (SHA-256, Base64url without padding), got {}",
            s.len()
        )));
    }
    let bytes = URL_SAFE_NO_PAD
        .decode(s)
        .map_err(|e| bad(format!("not Base64url ({e})")))?;
    let arr: [u8; 32] = bytes
        .try_into()
        .map_err(|_| bad("does not decode to 32 bytes".into()))?;
    Ok(Sha256Hash(arr))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KOD1: &str = "https://qr-test.ksef.mf.gov.pl/invoice/1111111111/01-02-2026/UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE";

    #[test]
    fn kod1_round_trip() {
        let QrLink::Invoice(l) = QrLink::parse(KOD1).unwrap() else {
            panic!("not KOD I")
        };
        assert_eq!(l.url(), KOD1);
    }

    #[test]
    fn structural_errors() {
        type Check = fn(&QrError) -> bool;
        let cases: &[(&str, Check)] = &[
            (
                "https://example.com/invoice/1111111111/01-02-2026/UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE",
                |e| matches!(e, QrError::UnknownHost { .. }),
            ),
            (
                "https://qr-test.ksef.mf.gov.pl/invoice/1111111111/01-02-2026/UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE/",
                |e| matches!(e, QrError::Malformed { .. }),
            ),
            (
                "https://qr-test.ksef.mf.gov.pl/invoice/0111111111/01-02-2026/UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE",
                |e| matches!(e, QrError::InvalidNip { .. }),
            ),
            (
                "https://qr-test.ksef.mf.gov.pl/invoice/1111111111/2026-02-01/UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE",
                |e| matches!(e, QrError::InvalidDate { .. }),
            ),
            (
                "https://qr-test.ksef.mf.gov.pl/invoice/1111111111/01-02-2026/UtQp9Gpc51y+u3xApZjIjgkpZ01js+J8KflSPW8WzIE=",
                |e| matches!(e, QrError::InvalidHash { .. }),
            ),
            (
                "https://qr-test.ksef.mf.gov.pl/invoice/1111111111/01-02-2026/UtQp9Gpc51y+u3xApZjIjgkpZ01js+J8KflSPW8WzI",
                |e| matches!(e, QrError::InvalidHash { .. }),
            ),
            (
                "https://qr-test.ksef.mf.gov.pl/certificate/NIP/1111111111/1111111111/01F20A5D352AE590/UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE/AAAA",
                |e| matches!(e, QrError::UnknownContextType(_)),
            ),
            (
                "https://qr-test.ksef.mf.gov.pl/certificate/Nip/1111111111/1111111111/01f20a5d352ae590/UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE/AAAA",
                |e| matches!(e, QrError::InvalidSerial { .. }),
            ),
            (
                "https://qr-test.ksef.mf.gov.pl/certificate/Nip/1111111111/1111111111/01F20A5D352AE590/UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE/AA+A",
                |e| matches!(e, QrError::InvalidSignatureEncoding(_)),
            ),
            (
                "https://qr-test.ksef.mf.gov.pl/certificate/Nip/1111111111/1111111111/01F20A5D352AE590/UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE",
                |e| matches!(e, QrError::Malformed { .. }),
            ),
        ];
        for (url, want) in cases {
            let e = QrLink::parse(url).unwrap_err();
            assert!(want(&e), "{url}: {e}");
        }
    }
}
