//! Semantic rules beyond the XSD: identifier checksums KSeF enforces on PROD, party roles,
//! correction and advance invoices, currency, totals and dates (`docs/validation-rules.md`).
//! They read the XSD-named element tree ([`super::tree::El`]), so they run on the raw XML
//! and on the model alike.

mod amounts;
mod annotations;
mod correction;
mod currency;
mod dates;
mod parties;
mod payment;

use rust_decimal::Decimal;

use super::tree::El;
use super::{Options, Report};

/// What every rule needs to know about the invoice.
pub(crate) struct Ctx<'a> {
    /// `Faktura`.
    pub(crate) root: &'a El,
    /// `Faktura/Fa`.
    pub(crate) fa: &'a El,
    /// `RodzajFaktury` (VAT, KOR, ZAL, ROZ, UPR, KOR_ZAL, KOR_ROZ).
    pub(crate) kind: &'a str,
    /// `KodWaluty`.
    pub(crate) currency: &'a str,
}

impl Ctx<'_> {
    /// KOR, KOR_ZAL or KOR_ROZ.
    pub(crate) fn is_correction(&self) -> bool {
        matches!(self.kind, "KOR" | "KOR_ZAL" | "KOR_ROZ")
    }

    /// The invoice lines.
    pub(crate) fn lines(&self) -> impl Iterator<Item = &El> {
        self.fa.all("FaWiersz")
    }
}

/// Runs every semantic rule. Without `Fa` the structural pass has already failed the
/// document and there is nothing meaningful to check.
pub(crate) fn check(root: &El, opts: &Options, report: &mut Report) {
    let Some(fa) = root.child("Fa") else {
        return;
    };
    let ctx = Ctx {
        root,
        fa,
        kind: fa.text_at("RodzajFaktury").unwrap_or(""),
        currency: fa.text_at("KodWaluty").unwrap_or(""),
    };
    parties::check(&ctx, opts, report);
    correction::check(&ctx, report);
    amounts::check(&ctx, report);
    dates::check(&ctx, opts, report);
    payment::check(&ctx, report);
}

/// Formats an amount for messages (plain, dot separator).
pub(crate) fn amt(d: Decimal) -> String {
    d.normalize().to_string()
}
