//! The invoice kind (`RodzajFaktury`, FA3.md §7): which sections a draft needs.

use super::check::Ctx;
use super::error::FieldError;

/// The invoice kind (`RodzajFaktury`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Kind {
    /// `VAT`: a basic invoice.
    Vat,
    /// `KOR`: a correction.
    Kor,
    /// `ZAL`: an advance invoice.
    Zal,
    /// `ROZ`: a settlement (final) invoice after advances.
    Roz,
    /// `UPR`: a simplified invoice (≤ 450 PLN / 100 EUR).
    Upr,
    /// `KOR_ZAL`: a correction of an advance invoice.
    KorZal,
    /// `KOR_ROZ`: a correction of a settlement invoice.
    KorRoz,
}

impl Kind {
    /// The `RodzajFaktury` code.
    pub fn code(self) -> &'static str {
        match self {
            Kind::Vat => "VAT",
            Kind::Kor => "KOR",
            Kind::Zal => "ZAL",
            Kind::Roz => "ROZ",
            Kind::Upr => "UPR",
            Kind::KorZal => "KOR_ZAL",
            Kind::KorRoz => "KOR_ROZ",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [
            Kind::Vat,
            Kind::Kor,
            Kind::Zal,
            Kind::Roz,
            Kind::Upr,
            Kind::KorZal,
            Kind::KorRoz,
        ]
        .into_iter()
        .find(|k| k.code() == s)
    }

    /// Whether this is one of the three correction kinds.
    pub fn is_correction(self) -> bool {
        matches!(self, Kind::Kor | Kind::KorZal | Kind::KorRoz)
    }
}

/// Parses the kind (default `VAT`).
pub(crate) fn parse(ctx: &mut Ctx, k: Option<&str>) -> Option<Kind> {
    match k {
        None => Some(Kind::Vat),
        Some(s) => Kind::parse(s).or_else(|| {
            ctx.errors.push(FieldError::invalid(
                "kind",
                s,
                "one of VAT, KOR, ZAL, ROZ, UPR, KOR_ZAL, KOR_ROZ",
            ));
            None
        }),
    }
}
