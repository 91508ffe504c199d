//! From checked lines to the invoice's numbers, per invoice kind.
//!
//! Spec: `shared/ksef/FA3.md` §7 (what `P_13_x`/`P_14_x`/`P_15` mean on VAT, KOR, ZAL, ROZ),
//! §7.2 (corrections carry differences), §9 (rounding), §10 (`P_14_xW`).

use rust_decimal::Decimal;

use super::calc::{
    self, BucketTotal, Overflow, Pricing, RateTotal, buckets, difference, rate_totals, split_gross,
};
use super::check::{CLine, Checked};
use super::error::{FieldError, Result};
use super::kind::Kind;

/// The computed value of one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineValue {
    /// `P_11` (net pricing) or `P_11A` (gross pricing): `round(quantity × unit price − discount)`.
    pub value: Decimal,
    /// The line's own net (informational; order rows' `P_11NettoZ`).
    pub net: Decimal,
    /// The line's own tax (informational; order rows' `P_11VatZ`). Header tax is per rate, not
    /// the sum of these.
    pub tax: Decimal,
}

/// Every number the engine computes for a draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Computation {
    /// Net or gross unit prices.
    pub pricing: Pricing,
    /// Plain lines (VAT, UPR, ROZ; ZAL: order lines), in draft order.
    pub lines: Vec<LineValue>,
    /// Correction pairs: (before, after), in draft order.
    pub pairs: Vec<(Option<LineValue>, LineValue)>,
    /// Per-rate totals behind the buckets (for corrections: the differences after − before).
    pub rate_totals: Vec<RateTotal>,
    /// Header groups `P_13_x` / `P_14_x` / `P_14_xW`, zero groups omitted.
    pub buckets: Vec<BucketTotal>,
    /// `P_15`.
    pub total: Decimal,
    /// `Zamowienie/WartoscZamowienia`: gross order value (ZAL, KOR_ZAL).
    pub order_total: Option<Decimal>,
    /// `P_15ZK`: the corrected invoice's `P_15` (KOR_ZAL, KOR_ROZ).
    pub total_before: Option<Decimal>,
}

fn line_value(pricing: Pricing, l: &CLine) -> std::result::Result<LineValue, Overflow> {
    let value = calc::line_value(l.quantity, l.unit_price, l.discount)?;
    let t = match pricing {
        Pricing::Net => RateTotal::from_net(l.rate, value),
        Pricing::Gross => RateTotal::from_gross(l.rate, value),
    };
    Ok(LineValue {
        value,
        net: t.net,
        tax: t.tax,
    })
}

fn overflow(path: &str) -> super::error::DraftError {
    super::error::DraftError::Invalid(vec![FieldError {
        path: path.to_owned(),
        problem: super::error::Problem::Overflow,
    }])
}

fn values(
    pricing: Pricing,
    lines: &[CLine],
    path: impl Fn(usize) -> String,
) -> Result<Vec<LineValue>> {
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| line_value(pricing, l).map_err(|_| overflow(&path(i))))
        .collect()
}

fn totals(pricing: Pricing, lines: &[CLine], vals: &[LineValue]) -> Result<Vec<RateTotal>> {
    rate_totals(
        pricing,
        lines.iter().zip(vals).map(|(l, v)| (l.rate, v.value)),
    )
    .map_err(|_| overflow("lines"))
}

fn gross(t: &[RateTotal]) -> Decimal {
    t.iter().map(RateTotal::gross).sum()
}

/// Computes line values, per-rate totals, buckets and `P_15` for a checked draft.
pub(crate) fn compute(ch: &Checked) -> Result<Computation> {
    let p = ch.pricing;
    let lines = values(p, &ch.lines, |i| format!("lines[{i}]"))?;
    let (befores, afters): (Vec<_>, Vec<_>) = ch.pairs.iter().cloned().unzip();
    let before_lines: Vec<CLine> = befores.iter().flatten().cloned().collect();
    let before_vals = values(p, &before_lines, |_| "correction.lines".to_owned())?;
    let after_vals = values(p, &afters, |i| format!("correction.lines[{i}].after"))?;
    let mut bv = before_vals.iter();
    let pairs = befores
        .iter()
        .zip(&after_vals)
        .map(|(b, a)| (b.as_ref().and_then(|_| bv.next().copied()), *a))
        .collect();
    let before_totals = totals(p, &before_lines, &before_vals)?;
    let after_totals = totals(p, &afters, &after_vals)?;

    let mut order_total = None;
    let mut total_before = None;
    let fixed_total: Option<Decimal>;
    let rates: Vec<RateTotal> = match ch.kind {
        Kind::Vat | Kind::Upr => {
            fixed_total = None;
            totals(p, &ch.lines, &lines)?
        }
        Kind::Kor => {
            fixed_total = None;
            difference(&after_totals, &before_totals)
        }
        Kind::Zal => {
            let order = totals(p, &ch.lines, &lines)?;
            let amount = ch.advance_amount.unwrap_or_default();
            let value = gross(&order);
            if amount > value {
                return Err(super::error::DraftError::Invalid(vec![
                    FieldError::invalid(
                        "advance.amount",
                        amount.to_string(),
                        format!("at most the gross order value {value}"),
                    ),
                ]));
            }
            order_total = Some(value);
            fixed_total = Some(amount);
            split_gross(amount, &order)
        }
        Kind::KorZal => {
            let after = ch.advance_amount.unwrap_or_default();
            let before = ch.total_before.unwrap_or(after);
            order_total = Some(gross(&after_totals));
            total_before = Some(before);
            fixed_total = Some(after - before);
            difference(
                &split_gross(after, &after_totals),
                &split_gross(before, &before_totals),
            )
        }
        Kind::Roz => {
            let full = totals(p, &ch.lines, &lines)?;
            let due = remainder(gross(&full), ch)?;
            fixed_total = Some(due);
            split_gross(due, &full)
        }
        Kind::KorRoz => {
            let after = remainder(gross(&after_totals), ch)?;
            let before = match ch.total_before {
                Some(b) => b,
                None => remainder(gross(&before_totals), ch)?,
            };
            total_before = Some(before);
            fixed_total = Some(after - before);
            difference(
                &split_gross(after, &after_totals),
                &split_gross(before, &before_totals),
            )
        }
    };
    let buckets = buckets(&rates, ch.exchange_rate).map_err(|_| overflow("$"))?;
    let total = fixed_total.unwrap_or_else(|| calc::total_due(&buckets));
    for v in [Some(total), order_total, total_before]
        .into_iter()
        .flatten()
    {
        calc::in_range(v).map_err(|_| overflow("$"))?;
    }
    Ok(Computation {
        pricing: p,
        lines,
        pairs,
        rate_totals: rates,
        buckets,
        total,
        order_total,
        total_before,
    })
}

/// Amount still due on a settlement invoice: full gross − Σ advances (MF14).
fn remainder(full_gross: Decimal, ch: &Checked) -> Result<Decimal> {
    let paid: Decimal = ch.advances.iter().filter_map(|a| a.amount).sum();
    let due = full_gross - paid;
    if due < Decimal::ZERO {
        return Err(super::error::DraftError::Invalid(vec![
            FieldError::invalid(
                "settlement.advances",
                paid.to_string(),
                format!("advances of at most the invoice's gross total {full_gross}"),
            ),
        ]));
    }
    Ok(due)
}
