//! The arithmetic of an invoice: line values, per-rate totals, header buckets, advance
//! splits and correction differences. Pure functions over exact decimals.
//!
//! Spec: `shared/ksef/FA3.md` §9 (rounding half-up to the grosz, tax per rate bucket on the
//! bucket's net sum, as in MF01), §8 (buckets), §10 (`P_14_xW` in PLN), §7 (ZAL advance
//! split `A × rate / (100 + rate)`, MF10; ROZ remainder, MF14).

use rust_decimal::{Decimal, RoundingStrategy};

use super::rate::{Bucket, VatRate};

/// A computation left the range that FA(3) amounts (`TKwotowy`, 16 integer digits) allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("amount out of range")]
pub struct Overflow;

/// Largest magnitude an FA(3) amount may have (`TKwotowy`: at most 16 integer digits).
const AMOUNT_LIMIT: Decimal = Decimal::from_parts(1_874_919_424, 2_328_306, 0, false, 0); // 10^16

/// Rounds to the grosz, half away from zero: 0.005 → 0.01 and −0.005 → −0.01.
/// A zero is always written without a sign (`0.00`, never `-0.00`).
pub fn round_grosz(d: Decimal) -> Decimal {
    plain_zero(d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero))
}

/// Drops the sign of a negative zero (rounding −0.001 or negating 0 gives one).
fn plain_zero(d: Decimal) -> Decimal {
    if d.is_zero() { d.abs() } else { d }
}

/// `Ok(d)` when `d` fits an FA(3) amount (`TKwotowy`, < 10^16 in magnitude).
pub fn in_range(d: Decimal) -> Result<Decimal, Overflow> {
    if d.abs() < AMOUNT_LIMIT {
        Ok(d)
    } else {
        Err(Overflow)
    }
}

/// Whether unit prices are net (`P_9A`, `P_11`) or gross (`P_9B`, `P_11A`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pricing {
    /// Unit net prices; tax = round(bucket net × rate / 100).
    Net,
    /// Unit gross prices; tax = round(bucket gross × rate / (100 + rate)).
    Gross,
}

/// A line's value: `round_grosz(quantity × unit price − discount)`, in the pricing mode's terms.
pub fn line_value(
    quantity: Decimal,
    unit_price: Decimal,
    discount: Decimal,
) -> Result<Decimal, Overflow> {
    let v = quantity
        .checked_mul(unit_price)
        .and_then(|v| v.checked_sub(discount))
        .ok_or(Overflow)?;
    in_range(round_grosz(v))
}

/// `round_grosz(net × rate / 100)`.
pub fn tax_from_net(net: Decimal, percent: Decimal) -> Decimal {
    round_grosz(net * percent / Decimal::ONE_HUNDRED)
}

/// `round_grosz(gross × rate / (100 + rate))` (art. 106e ust. 8 / art. 106f ust. 1 pkt 3).
pub fn tax_from_gross(gross: Decimal, percent: Decimal) -> Decimal {
    round_grosz(gross * percent / (Decimal::ONE_HUNDRED + percent))
}

/// The totals of one VAT rate code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateTotal {
    /// The rate code.
    pub rate: VatRate,
    /// Net amount.
    pub net: Decimal,
    /// Tax amount (zero for untaxed codes).
    pub tax: Decimal,
}

impl RateTotal {
    /// Net + tax.
    pub fn gross(&self) -> Decimal {
        self.net + self.tax
    }

    /// Totals for a rate from its gross amount: tax = gross × rate / (100 + rate), net = gross − tax.
    pub fn from_gross(rate: VatRate, gross: Decimal) -> Self {
        let tax = rate
            .percent()
            .map_or(Decimal::ZERO, |p| tax_from_gross(gross, p));
        Self {
            rate,
            net: gross - tax,
            tax,
        }
    }

    /// Totals for a rate from its net amount: tax = net × rate / 100.
    pub fn from_net(rate: VatRate, net: Decimal) -> Self {
        let tax = rate
            .percent()
            .map_or(Decimal::ZERO, |p| tax_from_net(net, p));
        Self { rate, net, tax }
    }
}

/// Per-rate totals of lines given as `(rate, line value)`: values are summed per rate code,
/// then the tax is computed once per rate on that sum (MF01: 1666.66 × 23 % = 383.3318 →
/// 383.33). Ordered by rate code (`23, 22, 8, …`); rates without lines are absent.
pub fn rate_totals(
    pricing: Pricing,
    lines: impl IntoIterator<Item = (VatRate, Decimal)>,
) -> Result<Vec<RateTotal>, Overflow> {
    let mut sums: Vec<(VatRate, Decimal)> = Vec::new();
    for (rate, value) in lines {
        match sums.iter_mut().find(|(r, _)| *r == rate) {
            Some((_, s)) => *s = in_range(s.checked_add(value).ok_or(Overflow)?)?,
            None => sums.push((rate, value)),
        }
    }
    sums.sort_by_key(|(r, _)| *r);
    Ok(sums
        .into_iter()
        .map(|(rate, v)| match pricing {
            Pricing::Net => RateTotal::from_net(rate, v),
            Pricing::Gross => RateTotal::from_gross(rate, v),
        })
        .collect())
}

/// Splits `amount` in proportion to `weights`, each share rounded to the grosz; the share of the
/// largest weight takes the rounding remainder so the shares add up to `amount` exactly.
/// All-zero weights put everything on the first share. Empty weights give an empty split.
pub fn allocate(amount: Decimal, weights: &[Decimal]) -> Vec<Decimal> {
    let total: Decimal = weights.iter().copied().sum();
    let Some(largest) = (0..weights.len()).max_by(|&a, &b| {
        weights[a]
            .abs()
            .cmp(&weights[b].abs())
            .then_with(|| b.cmp(&a))
    }) else {
        return Vec::new();
    };
    if total.is_zero() {
        return (0..weights.len())
            .map(|i| if i == 0 { amount } else { Decimal::ZERO })
            .collect();
    }
    let mut shares: Vec<Decimal> = weights.iter().map(|w| share(amount, *w, total)).collect();
    let others: Decimal = shares
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != largest)
        .map(|(_, s)| *s)
        .sum();
    shares[largest] = amount - others;
    shares
}

/// `round_grosz(amount × weight / total)`, exact where the product fits a `Decimal`, else via
/// the ratio; a share that cannot be represented at all is zero (the largest share then takes
/// the whole remainder in [`allocate`]).
fn share(amount: Decimal, weight: Decimal, total: Decimal) -> Decimal {
    amount
        .checked_mul(weight)
        .and_then(|x| x.checked_div(total))
        .or_else(|| {
            weight
                .checked_div(total)
                .and_then(|r| amount.checked_mul(r))
        })
        .map_or(Decimal::ZERO, round_grosz)
}

/// Splits a gross amount (an advance received, or the amount still due) over the rates of
/// `order` in proportion to each rate's gross, then derives each part's tax as
/// `part × rate / (100 + rate)` (MF10: 20 000 at 23 % → 16 260.16 + 3 739.84; MF12/MF14).
pub fn split_gross(amount: Decimal, order: &[RateTotal]) -> Vec<RateTotal> {
    let weights: Vec<Decimal> = order.iter().map(RateTotal::gross).collect();
    allocate(amount, &weights)
        .into_iter()
        .zip(order)
        .map(|(part, t)| RateTotal::from_gross(t.rate, part))
        .collect()
}

/// `after − before` per rate code (net and tax separately), for corrections (MF02: −162.60 /
/// −37.40). Rates present on either side appear; rates whose difference is zero are kept.
pub fn difference(after: &[RateTotal], before: &[RateTotal]) -> Vec<RateTotal> {
    let mut out: Vec<RateTotal> = after.to_vec();
    for b in before {
        match out.iter_mut().find(|t| t.rate == b.rate) {
            Some(t) => {
                t.net -= b.net;
                t.tax -= b.tax;
            }
            None => out.push(RateTotal {
                rate: b.rate,
                net: -b.net,
                tax: -b.tax,
            }),
        }
    }
    for t in &mut out {
        t.net = plain_zero(t.net);
        t.tax = plain_zero(t.tax);
    }
    out.sort_by_key(|t| t.rate);
    out
}

/// One header group: `P_13_x` net, `P_14_x` tax and `P_14_xW` tax in PLN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BucketTotal {
    /// Which group.
    pub bucket: Bucket,
    /// `P_13_x`.
    pub net: Decimal,
    /// `P_14_x` (always zero for untaxed buckets, which have no such element).
    pub tax: Decimal,
    /// `P_14_xW`: the tax converted to PLN (foreign-currency invoices, taxed buckets only).
    pub tax_pln: Option<Decimal>,
}

/// Sums rate totals into header buckets (23 % and 22 % share `P_13_1`, …), converting each
/// taxed bucket's tax to PLN at `exchange_rate` when given (MF20: 3118.80 × 4.5005 =
/// 14 036.1594 → 14 036.16). Buckets whose net and tax are both zero are omitted, as MF does.
pub fn buckets(
    totals: &[RateTotal],
    exchange_rate: Option<Decimal>,
) -> Result<Vec<BucketTotal>, Overflow> {
    let mut out: Vec<BucketTotal> = Vec::new();
    for t in totals {
        let b = t.rate.bucket();
        match out.iter_mut().find(|o| o.bucket == b) {
            Some(o) => {
                o.net += t.net;
                o.tax += t.tax;
            }
            None => out.push(BucketTotal {
                bucket: b,
                net: t.net,
                tax: t.tax,
                tax_pln: None,
            }),
        }
    }
    out.retain(|o| !(o.net.is_zero() && o.tax.is_zero()));
    out.sort_by_key(|o| o.bucket);
    for o in &mut out {
        in_range(o.net)?;
        in_range(o.tax)?;
        if let (Some(rate), true) = (exchange_rate, o.bucket.is_taxed()) {
            let w = o.tax.checked_mul(rate).ok_or(Overflow)?;
            o.tax_pln = Some(in_range(round_grosz(w))?);
        }
    }
    Ok(out)
}

/// `P_15` of plain invoices: Σ net + Σ tax over all buckets.
pub fn total_due(buckets: &[BucketTotal]) -> Decimal {
    buckets.iter().map(|b| b.net + b.tax).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn half_up_symmetric() {
        assert_eq!(round_grosz(d("0.0475")), d("0.05"));
        assert_eq!(round_grosz(d("383.3318")), d("383.33"));
        assert_eq!(round_grosz(d("0.005")), d("0.01"));
        assert_eq!(round_grosz(d("-0.005")), d("-0.01"));
        assert_eq!(round_grosz(d("0.0049")), d("0.00"));
        assert_eq!(round_grosz(d("-37.398")), d("-37.40"));
    }

    #[test]
    fn no_negative_zero() {
        assert_eq!(round_grosz(d("-0.001")).to_string(), "0.00");
        let diff = difference(&[], &[RateTotal::from_net(VatRate::ZeroKr, d("0.00"))]);
        assert_eq!(diff[0].net.to_string(), "0.00");
        assert!(!diff[0].net.is_sign_negative());
    }

    #[test]
    fn limit_is_ten_to_sixteen() {
        assert_eq!(AMOUNT_LIMIT, d("10000000000000000"));
        assert!(line_value(d("1000000000000"), d("100000"), Decimal::ZERO).is_err());
        assert_eq!(
            line_value(d("3"), d("0.333"), d("0")),
            Ok(d("1.00")) // 0.999 → 1.00
        );
    }

    #[test]
    fn mf01_buckets() {
        let lines = [
            (VatRate::R23, d("1626.01")),
            (VatRate::R23, d("40.65")),
            (VatRate::R5, d("0.95")),
        ];
        let totals = rate_totals(Pricing::Net, lines).unwrap();
        let b = buckets(&totals, None).unwrap();
        assert_eq!((b[0].net, b[0].tax), (d("1666.66"), d("383.33")));
        assert_eq!((b[1].net, b[1].tax), (d("0.95"), d("0.05")));
        assert_eq!(total_due(&b), d("2050.99"));
    }

    #[test]
    fn gross_pricing() {
        let t = rate_totals(Pricing::Gross, [(VatRate::R23, d("123.00"))]).unwrap();
        assert_eq!((t[0].net, t[0].tax), (d("100.00"), d("23.00")));
        let t = rate_totals(Pricing::Gross, [(VatRate::R8, d("10.00"))]).unwrap();
        // 10 × 8 / 108 = 0.7407… → 0.74
        assert_eq!((t[0].net, t[0].tax), (d("9.26"), d("0.74")));
    }

    #[test]
    fn mixed_bucket_computes_tax_per_rate() {
        let t = rate_totals(
            Pricing::Net,
            [(VatRate::R23, d("0.10")), (VatRate::R22, d("0.10"))],
        )
        .unwrap();
        // 0.023 → 0.02 and 0.022 → 0.02; one bucket P_13_1.
        let b = buckets(&t, None).unwrap();
        assert_eq!(b.len(), 1);
        assert_eq!((b[0].net, b[0].tax), (d("0.20"), d("0.04")));
    }

    #[test]
    fn mf10_advance_split() {
        let order = [RateTotal::from_net(VatRate::R23, d("305000"))];
        let s = split_gross(d("20000"), &order);
        assert_eq!((s[0].net, s[0].tax), (d("16260.16"), d("3739.84")));
    }

    #[test]
    fn mf14_remainder_split() {
        let order = [
            RateTotal::from_net(VatRate::R8, d("307500")),
            RateTotal::from_net(VatRate::R23, d("4500")),
        ];
        let s = split_gross(d("307635"), &order);
        assert_eq!((s[0].net, s[0].tax), (d("280177.59"), d("22414.21")));
        assert_eq!((s[1].net, s[1].tax), (d("4100.16"), d("943.04")));
    }

    #[test]
    fn allocation_of_huge_amounts_does_not_overflow() {
        let big = d("9999999999999999.99");
        let s = allocate(big, &[d("99999999999999999999"), d("1")]);
        assert_eq!(s.iter().copied().sum::<Decimal>(), big);
    }

    #[test]
    fn allocation_adds_up() {
        let w = [d("1"), d("1"), d("1")];
        let s = allocate(d("100"), &w);
        assert_eq!(s.iter().copied().sum::<Decimal>(), d("100"));
        assert_eq!(s, vec![d("33.34"), d("33.33"), d("33.33")]);
        assert_eq!(allocate(d("5"), &[]), Vec::<Decimal>::new());
        assert_eq!(allocate(d("5"), &[d("0"), d("0")]), vec![d("5"), d("0")]);
    }

    #[test]
    fn mf02_difference() {
        let before = rate_totals(Pricing::Net, [(VatRate::R23, d("1626.01"))]).unwrap();
        let after = rate_totals(Pricing::Net, [(VatRate::R23, d("1463.41"))]).unwrap();
        let diff = difference(&after, &before);
        let b = buckets(&diff, None).unwrap();
        assert_eq!((b[0].net, b[0].tax), (d("-162.60"), d("-37.40")));
        assert_eq!(total_due(&b), d("-200.00"));
    }

    #[test]
    fn mf20_tax_in_pln() {
        let t = rate_totals(
            Pricing::Net,
            [
                (VatRate::R23, d("4060")),
                (VatRate::R23, d("5000")),
                (VatRate::R23, d("4500")),
            ],
        )
        .unwrap();
        let b = buckets(&t, Some(d("4.5005"))).unwrap();
        assert_eq!(b[0].tax, d("3118.80"));
        assert_eq!(b[0].tax_pln, Some(d("14036.16")));
        assert_eq!(total_due(&b), d("16678.80"));
    }

    #[test]
    fn zero_buckets_omitted() {
        let diff = difference(
            &[RateTotal::from_net(VatRate::R23, d("10"))],
            &[RateTotal::from_net(VatRate::R23, d("10"))],
        );
        assert!(buckets(&diff, None).unwrap().is_empty());
    }
}
