//! VAT rate codes (`P_12`, `TStawkaPodatku`) and the header buckets they feed.
//!
//! Spec: `shared/ksef/FA3.md` §8 (rate code → `P_13_x` / `P_14_x` table).

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;

/// A VAT rate code exactly as written in FA(3) `P_12`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum VatRate {
    /// `23` — basic rate.
    R23,
    /// `22` — basic rate (historic / temporary).
    R22,
    /// `8` — first reduced rate.
    R8,
    /// `7` — first reduced rate (historic).
    R7,
    /// `5` — second reduced rate.
    R5,
    /// `4` — taxi flat rate.
    R4,
    /// `3` — flat rate.
    R3,
    /// `0 KR` — 0 % domestic supply.
    ZeroKr,
    /// `0 WDT` — 0 % intra-EU supply of goods.
    ZeroWdt,
    /// `0 EX` — 0 % export of goods.
    ZeroEx,
    /// `zw` — exempt.
    Exempt,
    /// `oo` — domestic reverse charge.
    ReverseCharge,
    /// `np I` — not taxable in Poland (supply outside PL).
    NpI,
    /// `np II` — not taxable in Poland (art. 100 ust. 1 pkt 4 services).
    NpII,
}

/// Every code, in the order used by error messages and docs.
pub const ALL_RATES: [VatRate; 14] = [
    VatRate::R23,
    VatRate::R22,
    VatRate::R8,
    VatRate::R7,
    VatRate::R5,
    VatRate::R4,
    VatRate::R3,
    VatRate::ZeroKr,
    VatRate::ZeroWdt,
    VatRate::ZeroEx,
    VatRate::Exempt,
    VatRate::ReverseCharge,
    VatRate::NpI,
    VatRate::NpII,
];

/// The accepted codes as one human-readable list.
pub const RATE_LIST: &str = "one of 23, 22, 8, 7, 5, 4, 3, 0 KR, 0 WDT, 0 EX, zw, oo, np I, np II";

impl VatRate {
    /// The FA(3) `P_12` code.
    pub fn code(self) -> &'static str {
        match self {
            VatRate::R23 => "23",
            VatRate::R22 => "22",
            VatRate::R8 => "8",
            VatRate::R7 => "7",
            VatRate::R5 => "5",
            VatRate::R4 => "4",
            VatRate::R3 => "3",
            VatRate::ZeroKr => "0 KR",
            VatRate::ZeroWdt => "0 WDT",
            VatRate::ZeroEx => "0 EX",
            VatRate::Exempt => "zw",
            VatRate::ReverseCharge => "oo",
            VatRate::NpI => "np I",
            VatRate::NpII => "np II",
        }
    }

    /// The percentage for taxed rates (`23` → 23), `None` for codes without tax.
    pub fn percent(self) -> Option<Decimal> {
        let p = match self {
            VatRate::R23 => 23,
            VatRate::R22 => 22,
            VatRate::R8 => 8,
            VatRate::R7 => 7,
            VatRate::R5 => 5,
            VatRate::R4 => 4,
            VatRate::R3 => 3,
            _ => return None,
        };
        Some(Decimal::from(p))
    }

    /// The header bucket that sums this rate's lines.
    pub fn bucket(self) -> Bucket {
        match self {
            VatRate::R23 | VatRate::R22 => Bucket::Basic,
            VatRate::R8 | VatRate::R7 => Bucket::Reduced1,
            VatRate::R5 => Bucket::Reduced2,
            VatRate::R4 | VatRate::R3 => Bucket::FlatRate,
            VatRate::ZeroKr => Bucket::ZeroDomestic,
            VatRate::ZeroWdt => Bucket::ZeroWdt,
            VatRate::ZeroEx => Bucket::ZeroExport,
            VatRate::Exempt => Bucket::Exempt,
            VatRate::NpI => Bucket::NotTaxableI,
            VatRate::NpII => Bucket::NotTaxableII,
            VatRate::ReverseCharge => Bucket::ReverseCharge,
        }
    }
}

impl fmt::Display for VatRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The code is not one of the FA(3) `P_12` codes this engine supports.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown VAT rate code '{0}'; expected {RATE_LIST}")]
pub struct UnknownRate(pub String);

impl FromStr for VatRate {
    type Err = UnknownRate;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ALL_RATES
            .into_iter()
            .find(|r| r.code() == s)
            .ok_or_else(|| UnknownRate(s.to_owned()))
    }
}

/// A header total group of `Fa` (`P_13_x` net, and `P_14_x` tax where the rate is taxed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Bucket {
    /// `P_13_1` / `P_14_1` (`P_14_1W`): 23 % and 22 %.
    Basic,
    /// `P_13_2` / `P_14_2` (`P_14_2W`): 8 % and 7 %.
    Reduced1,
    /// `P_13_3` / `P_14_3` (`P_14_3W`): 5 %.
    Reduced2,
    /// `P_13_4` / `P_14_4` (`P_14_4W`): 4 % and 3 % (flat rate).
    FlatRate,
    /// `P_13_6_1`: 0 % domestic.
    ZeroDomestic,
    /// `P_13_6_2`: 0 % intra-EU supply.
    ZeroWdt,
    /// `P_13_6_3`: 0 % export.
    ZeroExport,
    /// `P_13_7`: exempt.
    Exempt,
    /// `P_13_8`: not taxable in Poland (np I).
    NotTaxableI,
    /// `P_13_9`: art. 100 ust. 1 pkt 4 services (np II).
    NotTaxableII,
    /// `P_13_10`: reverse charge (oo).
    ReverseCharge,
}

impl Bucket {
    /// Name of the net element (`P_13_1`, `P_13_6_2`, …).
    pub fn net_element(self) -> &'static str {
        match self {
            Bucket::Basic => "P_13_1",
            Bucket::Reduced1 => "P_13_2",
            Bucket::Reduced2 => "P_13_3",
            Bucket::FlatRate => "P_13_4",
            Bucket::ZeroDomestic => "P_13_6_1",
            Bucket::ZeroWdt => "P_13_6_2",
            Bucket::ZeroExport => "P_13_6_3",
            Bucket::Exempt => "P_13_7",
            Bucket::NotTaxableI => "P_13_8",
            Bucket::NotTaxableII => "P_13_9",
            Bucket::ReverseCharge => "P_13_10",
        }
    }

    /// Name of the tax element (`P_14_1` …) for taxed buckets.
    pub fn tax_element(self) -> Option<&'static str> {
        Some(match self {
            Bucket::Basic => "P_14_1",
            Bucket::Reduced1 => "P_14_2",
            Bucket::Reduced2 => "P_14_3",
            Bucket::FlatRate => "P_14_4",
            _ => return None,
        })
    }

    /// Name of the tax-in-PLN element (`P_14_1W` …) for taxed buckets.
    pub fn tax_pln_element(self) -> Option<&'static str> {
        Some(match self {
            Bucket::Basic => "P_14_1W",
            Bucket::Reduced1 => "P_14_2W",
            Bucket::Reduced2 => "P_14_3W",
            Bucket::FlatRate => "P_14_4W",
            _ => return None,
        })
    }

    /// Whether the bucket has a tax element (`P_14_x`).
    pub fn is_taxed(self) -> bool {
        matches!(
            self,
            Bucket::Basic | Bucket::Reduced1 | Bucket::Reduced2 | Bucket::FlatRate
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for r in ALL_RATES {
            assert_eq!(r.code().parse::<VatRate>(), Ok(r));
        }
        let e = "24".parse::<VatRate>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown VAT rate code '24'; expected one of 23, 22, 8, 7, 5, 4, 3, 0 KR, 0 WDT, 0 EX, zw, oo, np I, np II"
        );
        assert!(
            "0".parse::<VatRate>().is_err(),
            "FA(2) code `0` is gone in FA(3)"
        );
        assert!("np".parse::<VatRate>().is_err());
    }

    #[test]
    fn buckets_follow_fa3_table() {
        assert_eq!(VatRate::R22.bucket().net_element(), "P_13_1");
        assert_eq!(VatRate::R7.bucket().net_element(), "P_13_2");
        assert_eq!(VatRate::R3.bucket().net_element(), "P_13_4");
        assert_eq!(VatRate::ZeroWdt.bucket().net_element(), "P_13_6_2");
        assert_eq!(VatRate::ReverseCharge.bucket().net_element(), "P_13_10");
        assert_eq!(VatRate::NpII.bucket().net_element(), "P_13_9");
        assert!(VatRate::R4.bucket().is_taxed());
        assert!(!VatRate::Exempt.bucket().is_taxed());
        assert_eq!(VatRate::R8.percent(), Some(Decimal::from(8)));
        assert_eq!(VatRate::ZeroKr.percent(), None);
    }
}
