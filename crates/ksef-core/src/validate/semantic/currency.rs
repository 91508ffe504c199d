//! Currency coherence: `P_14_xW` (tax in PLN) and exchange rates only on foreign-currency
//! invoices, `P_14_xW` required there when tax is due (VAT Act art. 106e ust. 11), and
//! consistent with the lines' single exchange rate (art. 31a).

use rust_decimal::Decimal;

use crate::validate::rules::{CUR_P14W_MISSING, CUR_P14W_PLN, CUR_P14W_VALUE, CUR_RATE_PLN};
use crate::validate::tree::El;
use crate::validate::{Problem, Report};

use super::amounts::{BUCKETS, bucket_of, dec};
use super::{Ctx, amt};

pub(super) fn check(ctx: &Ctx<'_>, report: &mut Report) {
    let fa = ctx.fa;
    let cur = ctx.currency;
    if cur == "PLN" {
        for b in &BUCKETS {
            if let Some(el) = b.tax_pln.and_then(|w| fa.child(w)) {
                report.push(Problem::new(
                    &CUR_P14W_PLN,
                    el.path.clone(),
                    format!("{} (podatek przeliczony na złote) podaje się tylko na fakturze w walucie obcej, a KodWaluty to PLN", el.name),
                    format!("{} (tax converted to PLN) belongs on foreign-currency invoices only, but KodWaluty is PLN", el.name),
                ));
            }
        }
        let mut rates: Vec<&El> = ["KursWalutyZ", "KursWalutyZK"]
            .iter()
            .filter_map(|n| fa.child(n))
            .collect();
        rates.extend(
            fa.all("ZaliczkaCzesciowa")
                .filter_map(|z| z.child("KursWalutyZW")),
        );
        rates.extend(ctx.lines().filter_map(|l| l.child("KursWaluty")));
        for el in rates {
            report.push(Problem::new(
                &CUR_RATE_PLN,
                el.path.clone(),
                format!("kurs waluty {} ({}) na fakturze w PLN; kurs podaje się tylko dla waluty obcej", el.name, el.value()),
                format!("exchange rate {} ({}) on a PLN invoice; rates belong on foreign-currency invoices only", el.name, el.value()),
            ));
        }
    } else if !cur.is_empty() {
        p14w_value(ctx, report);
        for b in &BUCKETS {
            let (Some(tax), Some(w)) = (b.tax, b.tax_pln) else {
                continue;
            };
            if fa.dec_at(tax).is_some_and(|t| !t.is_zero()) && fa.child(w).is_none() {
                report.push(Problem::new(
                    &CUR_P14W_MISSING,
                    fa.path_of(w),
                    format!("faktura w walucie {cur} z podatkiem {tax}, ale bez {w} (podatek przeliczony na złote, art. 106e ust. 11)"),
                    format!("a {cur} invoice with tax in {tax} but without {w} (the tax converted to PLN, VAT Act art. 106e ust. 11)"),
                ));
            }
        }
    }
}

/// `P_14_xW` = `P_14_x` × rate, when every line of the bucket carries the same
/// `KursWaluty` (or the advance rate `KursWalutyZ` applies); per-line rates differ (MF21).
fn p14w_value(ctx: &Ctx<'_>, report: &mut Report) {
    let fa = ctx.fa;
    let margin = fa.flag("Adnotacje/PMarzy/P_PMarzy");
    for (i, b) in BUCKETS.iter().enumerate().take(4) {
        let (Some(tax), Some(w)) = (b.tax.and_then(|t| fa.dec_at(t)), b.tax_pln) else {
            continue;
        };
        let Some(pln) = fa.dec_at(w) else {
            continue;
        };
        let rows: Vec<&El> = ctx
            .lines()
            .filter(|l| bucket_of(l, margin) == Some(i))
            .collect();
        let mut rates: Vec<Decimal> = rows.iter().filter_map(|l| l.dec_at("KursWaluty")).collect();
        rates.dedup();
        let rate = match (rates.as_slice(), fa.dec_at("KursWalutyZ")) {
            ([r], _) if rows.iter().all(|l| l.child("KursWaluty").is_some()) => *r,
            ([], Some(z)) => z,
            _ => continue,
        };
        let expected = (tax * rate).round_dp(2);
        if (expected - pln).abs() > dec(1, 2) {
            report.push(Problem::new(
                &CUR_P14W_VALUE,
                fa.path_of(w),
                format!(
                    "{w} = {} zł, a {} × kurs {} = {} zł",
                    amt(pln),
                    b.tax.unwrap_or_default(),
                    amt(rate),
                    amt(expected)
                ),
                format!(
                    "{w} = {} PLN, but {} × rate {} = {} PLN",
                    amt(pln),
                    b.tax.unwrap_or_default(),
                    amt(rate),
                    amt(expected)
                ),
            ));
        }
    }
}
