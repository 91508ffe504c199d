//! Reference numbers and KSeF numbers (DIGEST §3).
//!
//! Reference numbers are `YYYYMMDD-TT-HHHHHHHHHH-HHHHHHHHHH-CC` with the type codes
//! observed on KSeF; KSeF numbers are `NIP-YYYYMMDD-<12 hex>-CC`. Both CRCs are computed
//! by `ksef_core::ident`.

use ksef_core::ident::{KsefNumber, ReferenceNumber};
use time::OffsetDateTime;

use crate::rng::SimRng;
use crate::util::{warsaw_date, yyyymmdd};

/// Type code `TT` of a reference number (DIGEST §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RefType {
    /// `CR` authentication challenge.
    Challenge,
    /// `AU` authentication operation.
    Auth,
    /// `SO` online session.
    OnlineSession,
    /// `SB` batch session.
    BatchSession,
    /// `EE` invoice in a session.
    Invoice,
    /// `EU` UPO page.
    Upo,
    /// `EC` KSeF token.
    KsefToken,
    /// `EH` certificate enrollment (and export).
    Enrollment,
}

impl RefType {
    /// The two-letter code.
    pub fn code(self) -> &'static str {
        match self {
            RefType::Challenge => "CR",
            RefType::Auth => "AU",
            RefType::OnlineSession => "SO",
            RefType::BatchSession => "SB",
            RefType::Invoice => "EE",
            RefType::Upo => "EU",
            RefType::KsefToken => "EC",
            RefType::Enrollment => "EH",
        }
    }
}

/// A new reference number dated `now` (Warsaw day).
pub fn reference(kind: RefType, now: OffsetDateTime, rng: &mut SimRng) -> String {
    let date = yyyymmdd(warsaw_date(now));
    let hex = rng.hex_upper(20);
    match ReferenceNumber::new(&date, kind.code(), &hex) {
        Ok(r) => r.as_str().to_owned(),
        // Unreachable with a valid date and 20 uppercase hex characters; keep a
        // well-shaped answer rather than panic.
        Err(_) => format!("{date}-{}-{}-{}-00", kind.code(), &hex[..10], &hex[10..]),
    }
}

/// A new KSeF number for `seller_nip`, dated `accepted` (Warsaw day).
pub fn ksef_number(seller_nip: &str, accepted: OffsetDateTime, rng: &mut SimRng) -> Option<String> {
    let date = yyyymmdd(warsaw_date(accepted));
    KsefNumber::new(seller_nip, &date, &rng.hex_upper(12))
        .ok()
        .map(|k| k.as_str().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn references_pass_crc() {
        let mut rng = SimRng::seeded(1);
        let now = OffsetDateTime::from_unix_timestamp(1_752_236_636).unwrap();
        for kind in [RefType::Challenge, RefType::Auth, RefType::Invoice] {
            let r = reference(kind, now, &mut rng);
            assert_eq!(r.len(), 36);
            let parsed = ReferenceNumber::from_str(&r).unwrap();
            assert_eq!(parsed.type_code(), kind.code());
            assert!(r.starts_with("20250711-"));
        }
        let k = ksef_number("5265877635", now, &mut rng).unwrap();
        assert!(KsefNumber::from_str(&k).is_ok());
    }
}
