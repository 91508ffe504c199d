//! PEM / DER auto-detection for credential files (RFC 7468 textual encoding, X.690 DER).
//!
//! Deliberately forgiving about surroundings (text before a block, several blocks in one
//! file, CRLF) and strict about the block itself, so that errors say exactly what is wrong.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use zeroize::Zeroizing;

use super::error::CredentialError;

/// One decoded PEM block (the body is zeroized on drop: it may be a private key).
pub(crate) struct PemBlock {
    pub(crate) label: String,
    pub(crate) der: Zeroizing<Vec<u8>>,
}

/// The decoded content of a credential file.
pub(crate) enum Input {
    /// PEM: every block, in file order.
    Pem(Vec<PemBlock>),
    /// Raw DER (one top-level SEQUENCE, length-checked).
    Der(Zeroizing<Vec<u8>>),
}

const BEGIN: &str = "-----BEGIN ";
const DASHES: &str = "-----";

/// Decodes `bytes` as PEM (if it starts with a `-----BEGIN ` line, possibly after some
/// text such as `openssl x509 -text` output or a BOM) or else as DER.
pub(crate) fn decode(bytes: &[u8]) -> Result<Input, CredentialError> {
    if bytes.first() != Some(&0x30)
        && let Some(start) = bytes
            .windows(BEGIN.len())
            .position(|w| w == BEGIN.as_bytes())
    {
        // Everything from the first marker on; the preamble may be in any encoding. The
        // blocks themselves are ASCII, so a lossy conversion changes nothing that matters.
        let text = Zeroizing::new(String::from_utf8_lossy(&bytes[start..]).into_owned());
        return decode_pem(&text).map(Input::Pem);
    }
    check_der_envelope(bytes)?;
    Ok(Input::Der(Zeroizing::new(bytes.to_vec())))
}

fn decode_pem(text: &str) -> Result<Vec<PemBlock>, CredentialError> {
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(BEGIN) {
        let after = &rest[start + BEGIN.len()..];
        let label_end = after.find(DASHES).ok_or(CredentialError::Truncated)?;
        let label = after[..label_end].trim().to_owned();
        let body_start = &after[label_end + DASHES.len()..];
        let end_marker = format!("-----END {label}-----");
        let body_len = body_start
            .find(&end_marker)
            .ok_or(CredentialError::Truncated)?;
        let body = &body_start[..body_len];
        let mut b64 = Zeroizing::new(String::with_capacity(body.len()));
        for line in body.lines() {
            let line = line.trim();
            if line.contains(':') {
                // RFC 1421 headers: only the legacy OpenSSL encryption uses them for keys.
                if line.starts_with("Proc-Type") || line.starts_with("DEK-Info") {
                    return Err(CredentialError::LegacyPemEncryption);
                }
                continue;
            }
            b64.push_str(line);
        }
        let der = STANDARD
            .decode(b64.as_bytes())
            .map_err(|_| CredentialError::BadBase64 {
                label: label.clone(),
            })?;
        blocks.push(PemBlock {
            label,
            der: Zeroizing::new(der),
        });
        rest = &body_start[body_len + end_marker.len()..];
    }
    Ok(blocks)
}

/// Checks that `der` is exactly one complete top-level SEQUENCE: distinguishes "not DER",
/// "truncated" and "trailing data" before any structural parse.
pub(crate) fn check_der_envelope(der: &[u8]) -> Result<(), CredentialError> {
    let Some(&first) = der.first() else {
        return Err(CredentialError::NotPemOrDer);
    };
    if first != 0x30 {
        return Err(CredentialError::NotPemOrDer);
    }
    let Some(&len0) = der.get(1) else {
        return Err(CredentialError::Truncated);
    };
    let (header, content_len) = if len0 < 0x80 {
        (2usize, usize::from(len0))
    } else {
        let n = usize::from(len0 & 0x7f);
        if n == 0 || n > 4 {
            return Err(CredentialError::NotPemOrDer);
        }
        let Some(len_bytes) = der.get(2..2 + n) else {
            return Err(CredentialError::Truncated);
        };
        let len = len_bytes
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        (2 + n, len)
    };
    let total = header.saturating_add(content_len);
    match der.len().cmp(&total) {
        core::cmp::Ordering::Less => Err(CredentialError::Truncated),
        core::cmp::Ordering::Greater => Err(CredentialError::DerParse {
            what: "DER envelope",
            detail: format!("{} bytes of trailing data", der.len() - total),
        }),
        core::cmp::Ordering::Equal => Ok(()),
    }
}

/// Lists PEM labels for error messages.
pub(crate) fn labels(blocks: &[PemBlock]) -> String {
    if blocks.is_empty() {
        return "none".to_owned();
    }
    blocks
        .iter()
        .map(|b| b.label.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_envelope_errors() {
        assert_eq!(check_der_envelope(b""), Err(CredentialError::NotPemOrDer));
        assert_eq!(
            check_der_envelope(b"hello"),
            Err(CredentialError::NotPemOrDer)
        );
        assert_eq!(
            check_der_envelope(&[0x30, 0x05, 1, 2]),
            Err(CredentialError::Truncated)
        );
        assert_eq!(
            check_der_envelope(&[0x30, 0x82, 0x01]),
            Err(CredentialError::Truncated)
        );
        assert!(check_der_envelope(&[0x30, 0x02, 1, 2]).is_ok());
        assert!(matches!(
            check_der_envelope(&[0x30, 0x01, 1, 2]),
            Err(CredentialError::DerParse { .. })
        ));
    }

    #[test]
    fn pem_errors() {
        assert!(matches!(
            decode(b"-----BEGIN PRIVATE KEY-----\nMIIB\n"),
            Err(CredentialError::Truncated)
        ));
        assert!(matches!(
            decode(b"-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n"),
            Err(CredentialError::BadBase64 { .. })
        ));
        let Ok(Input::Pem(blocks)) =
            decode(b"junk\n-----BEGIN A-----\nAAEC\n-----END A-----\n-----BEGIN B-----\r\nAw==\r\n-----END B-----\r\n")
        else {
            panic!("expected PEM");
        };
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[0].label, "A");
        assert_eq!(&blocks[0].der[..], &[0, 1, 2]);
        assert_eq!(&blocks[1].der[..], &[3]);
        // A non-UTF-8 preamble (Latin-2 "ó") before the block.
        let Ok(Input::Pem(blocks)) =
            decode(b"Ministerstwo Finans\xf3w\n-----BEGIN A-----\nAAEC\n-----END A-----\n")
        else {
            panic!("expected PEM");
        };
        assert_eq!(&blocks[0].der[..], &[0, 1, 2]);
    }
}
