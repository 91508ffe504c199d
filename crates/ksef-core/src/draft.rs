//! Invoice drafts: a small TMS-shaped JSON document → the FA(3) invoice, with every amount
//! computed here (line values, per-rate totals, `P_15`) under the statutory rounding.
//!
//! Spec sections implemented (all in `shared/ksef/FA3.md`):
//! - §7 `Fa` body order and what the header amounts mean per `RodzajFaktury`
//!   (VAT, KOR, ZAL, ROZ, UPR, KOR_ZAL, KOR_ROZ);
//! - §7.1 `Adnotacje` (split payment, reverse charge, cash accounting, self-billing, exemption);
//! - §7.2 corrections: `DaneFaKorygowanej`, before/after rows (`StanPrzed`), differences;
//! - §7.3 `FaWiersz` lines (net pricing `P_9A`/`P_11`, gross pricing `P_9B`/`P_11A`);
//! - §8 VAT rate codes → buckets ([`VatRate`], [`Bucket`]);
//! - §9 rounding half-up to the grosz, tax per rate on the rate's sum ([`calc`]);
//! - §10 foreign currency: `P_14_xW` = tax in PLN.
//!
//! The module is pure: no clock, no randomness, no I/O. The creation timestamp
//! (`DataWytworzeniaFa`) is an argument. The draft format is documented with complete
//! examples in `docs/draft-format.md`.
//!
//! ```
//! use ksef_core::draft::{compute, from_json};
//! let draft = from_json(r#"{
//!   "invoiceNumber": "FV/1/2026", "issueDate": "2026-02-15",
//!   "seller": {"nip": "5265877635", "name": "Seller", "address": {"lines": ["ul. Kwiatowa 1", "00-001 Warszawa"]}},
//!   "buyer": {"nip": "1111111111", "name": "Buyer", "address": {"lines": ["ul. Polna 1"]}},
//!   "lines": [{"name": "Transport", "unit": "usł.", "quantity": "1", "unitNetPrice": "1666.66", "vatRate": "23"}]
//! }"#.as_bytes()).unwrap();
//! let c = compute(&draft).unwrap();
//! assert_eq!(c.buckets[0].tax.to_string(), "383.33"); // 383.3318 rounded half-up
//! assert_eq!(c.total.to_string(), "2049.99");
//!
//! let created_at = time::macros::datetime!(2026-02-15 10:00 UTC); // the caller's clock
//! let xml = ksef_core::draft::build_xml(&draft, created_at).unwrap();
//! assert!(String::from_utf8(xml).unwrap().contains("<P_15>2049.99</P_15>"));
//! ```

pub mod calc;
mod check;
mod compute;
mod error;
mod input;
mod json;
mod kind;
mod map;
mod rate;
mod validate;

pub use calc::{BucketTotal, Pricing, RateTotal};
pub use compute::{Computation, LineValue};
pub use error::{DraftError, FieldError, Problem, Result};
pub use input::{
    Address, Advance, Annotations, BankAccount, Buyer, Correction, Dec, Exemption, InvoiceDraft,
    InvoiceRef, Line, LinePair, Note, Payment, Period, Seller, Settlement,
};
pub use json::from_json;
pub use kind::Kind;
pub use rate::{ALL_RATES, Bucket, RATE_LIST, UnknownRate, VatRate};

use rust_decimal::Decimal;
use time::OffsetDateTime;
use time::macros::datetime;

use crate::fa3::{DateTime, Faktura};

/// Checks a draft and computes its amounts (no FA(3) model involved): line values, per-rate
/// totals, header buckets and `P_15`. Returns every input problem at once.
pub fn compute(draft: &InvoiceDraft) -> Result<Computation> {
    let checked = validate::validate(draft)?;
    let c = compute::compute(&checked)?;
    check_simplified_limit(draft, &checked, &c)?;
    Ok(c)
}

/// UPR is allowed up to 450 PLN or 100 EUR gross (art. 106e ust. 5 pkt 3).
fn check_simplified_limit(
    draft: &InvoiceDraft,
    ch: &check::Checked,
    c: &Computation,
) -> Result<()> {
    if ch.kind != Kind::Upr {
        return Ok(());
    }
    let currency = draft.currency.as_deref().unwrap_or("PLN");
    let (limit, amount, unit) = match (currency, ch.exchange_rate) {
        ("EUR", _) => (Decimal::from(100), c.total, "EUR"),
        (_, Some(rate)) => (
            Decimal::from(450),
            calc::round_grosz(c.total.checked_mul(rate).unwrap_or(Decimal::MAX)),
            "PLN",
        ),
        _ => (Decimal::from(450), c.total, "PLN"),
    };
    if amount > limit {
        return Err(DraftError::Invalid(vec![FieldError::not_allowed(
            "kind",
            format!(
                "a simplified invoice (UPR) may total at most {limit} {unit}; this one is {amount} {unit}"
            ),
        )]));
    }
    Ok(())
}

/// Builds the FA(3) invoice from a draft.
///
/// `created_at` becomes `Naglowek/DataWytworzeniaFa` (2021-10-01 … 2050-01-01, written as
/// RFC 3339); the core never reads a clock. Returns every input problem at once.
pub fn build(draft: &InvoiceDraft, created_at: OffsetDateTime) -> Result<Faktura> {
    build_with_computation(draft, created_at).map(|(f, _)| f)
}

/// Like [`build`], also returning the computed amounts.
pub fn build_with_computation(
    draft: &InvoiceDraft,
    created_at: OffsetDateTime,
) -> Result<(Faktura, Computation)> {
    let created = created_at_value(created_at);
    let checked = validate::validate(draft);
    let (created, checked) = match (created, checked) {
        (Ok(c), Ok(ch)) => (c, ch),
        (Err(e), Ok(_)) => return Err(DraftError::Invalid(vec![e])),
        (Ok(_), Err(e)) => return Err(e),
        (Err(e), Err(DraftError::Invalid(mut v))) => {
            v.insert(0, e);
            return Err(DraftError::Invalid(v));
        }
        (Err(_), Err(e)) => return Err(e),
    };
    let c = compute::compute(&checked)?;
    check_simplified_limit(draft, &checked, &c)?;
    let currency = draft
        .currency
        .as_deref()
        .unwrap_or("PLN")
        .parse()
        .map_err(|_| {
            DraftError::Invalid(vec![FieldError::invalid(
                "currency",
                draft.currency.clone().unwrap_or_default(),
                "an ISO 4217 currency code",
            )])
        })?;
    let f = map::faktura(&map::Parts {
        draft,
        checked: &checked,
        computed: &c,
        created_at: created,
        currency,
    });
    Ok((f, c))
}

/// Builds the invoice and writes it as FA(3) XML bytes (UTF-8, no BOM, deterministic).
pub fn build_xml(draft: &InvoiceDraft, created_at: OffsetDateTime) -> Result<Vec<u8>> {
    Ok(build(draft, created_at)?.to_xml()?)
}

/// `DataWytworzeniaFa`: within the schema's range, as RFC 3339.
fn created_at_value(t: OffsetDateTime) -> std::result::Result<DateTime, FieldError> {
    let lo = datetime!(2021-10-01 00:00:00 UTC);
    let hi = datetime!(2050-01-01 23:59:59 UTC);
    let bad = || {
        FieldError::invalid(
            "createdAt",
            t.to_string(),
            "a creation time between 2021-10-01T00:00:00Z and 2050-01-01T23:59:59Z",
        )
    };
    if t < lo || t > hi {
        return Err(bad());
    }
    DateTime::from_offset_date_time(t).ok_or_else(bad)
}
