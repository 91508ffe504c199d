//! KOD I, the invoice verification link (DIGEST §14):
//! `{QRBASE}/invoice/{sellerNip}/{DD-MM-YYYY of P_1}/{base64url SHA-256, no padding}`.

use std::fmt;

use time::Date;

use super::{Environment, QrError, Result};
use crate::fa3::calendar_date;
use crate::hash::Sha256Hash;
use crate::ident::check_nip_pattern;

/// A KOD I link: seller NIP, issue date (P_1) and the SHA-256 of the exact invoice bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceLink {
    env: Environment,
    seller_nip: String,
    issue_date: Date,
    invoice_hash: Sha256Hash,
}

impl InvoiceLink {
    /// Checks the inputs: `seller_nip` must match the NIP pattern (KSeF TEST checks only
    /// the pattern, DIGEST §3), `issue_date` is P_1 as `YYYY-MM-DD`.
    pub fn new(
        env: Environment,
        seller_nip: &str,
        issue_date: &str,
        invoice_hash: Sha256Hash,
    ) -> Result<Self> {
        check_seller_nip(seller_nip)?;
        Ok(Self {
            env,
            seller_nip: seller_nip.to_owned(),
            issue_date: parse_iso_date(issue_date)?,
            invoice_hash,
        })
    }

    /// Like [`InvoiceLink::new`], hashing the exact invoice bytes (no normalisation).
    pub fn for_invoice(
        env: Environment,
        seller_nip: &str,
        issue_date: &str,
        invoice_bytes: &[u8],
    ) -> Result<Self> {
        Self::new(env, seller_nip, issue_date, Sha256Hash::of(invoice_bytes))
    }

    pub(super) fn from_parts(
        env: Environment,
        seller_nip: String,
        issue_date: Date,
        invoice_hash: Sha256Hash,
    ) -> Self {
        Self {
            env,
            seller_nip,
            issue_date,
            invoice_hash,
        }
    }

    /// The environment the link points to.
    pub fn environment(&self) -> &Environment {
        &self.env
    }

    /// The seller NIP.
    pub fn seller_nip(&self) -> &str {
        &self.seller_nip
    }

    /// The issue date (P_1).
    pub fn issue_date(&self) -> Date {
        self.issue_date
    }

    /// The SHA-256 of the invoice.
    pub fn invoice_hash(&self) -> &Sha256Hash {
        &self.invoice_hash
    }

    /// The link, e.g.
    /// `https://qr-test.ksef.mf.gov.pl/invoice/1111111111/01-02-2026/UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE`.
    pub fn url(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for InvoiceLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/invoice/{}/{}/{}",
            self.env.base(),
            self.seller_nip,
            link_date(self.issue_date),
            self.invoice_hash.to_base64url()
        )
    }
}

pub(super) fn check_seller_nip(nip: &str) -> Result<()> {
    check_nip_pattern(nip).map_err(|source| QrError::InvalidNip {
        field: "seller NIP",
        source,
    })
}

/// `DD-MM-YYYY`, as in the link.
pub(super) fn link_date(d: Date) -> String {
    format!("{:02}-{:02}-{:04}", d.day(), u8::from(d.month()), d.year())
}

/// Parses P_1 (`YYYY-MM-DD`).
pub(super) fn parse_iso_date(s: &str) -> Result<Date> {
    let shape_ok = s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !shape_ok {
        return Err(QrError::InvalidDate {
            value: s.to_owned(),
            reason: "expected YYYY-MM-DD".into(),
        });
    }
    calendar_date(s, false).ok_or_else(|| QrError::InvalidDate {
        value: s.to_owned(),
        reason: "not a calendar date".into(),
    })
}

/// Parses the link's date segment (`DD-MM-YYYY`).
pub(super) fn parse_link_date(s: &str) -> Result<Date> {
    let shape_ok = s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| {
            if i == 2 || i == 5 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !shape_ok {
        return Err(QrError::InvalidDate {
            value: s.to_owned(),
            reason: "expected DD-MM-YYYY".into(),
        });
    }
    calendar_date(s, true).ok_or_else(|| QrError::InvalidDate {
        value: s.to_owned(),
        reason: "not a calendar date".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        let d = parse_iso_date("2026-02-01").unwrap();
        assert_eq!(link_date(d), "01-02-2026");
        assert_eq!(parse_link_date("01-02-2026").unwrap(), d);
        for bad in ["2026-2-01", "2026-02-30", "01-02-2026", "2026-02-01 "] {
            assert!(
                matches!(parse_iso_date(bad), Err(QrError::InvalidDate { .. })),
                "{bad}"
            );
        }
        assert!(parse_link_date("2026-02-01").is_err());
        assert!(parse_link_date("31-04-2026").is_err());
    }
}
