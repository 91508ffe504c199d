//! Amounts: rate buckets (`P_13_x` / `P_14_x` / `P_14_xW`, FA3.md §8), line and total
//! arithmetic (warnings: MF01 is off by one grosz, corrections and advances legitimately
//! differ), UPR limits (VAT Act art. 106e ust. 5 pkt 3) and line numbering.

use rust_decimal::Decimal;

use crate::validate::rules::{
    LINE_DUPLICATE, LINE_VALUE, RATE_BUCKET, TOTAL_DUE, TOTAL_NEGATIVE, TOTAL_NET,
    TOTAL_SETTLEMENT, TOTAL_TAX, UPR_LIMIT,
};
use crate::validate::tree::El;
use crate::validate::{Problem, Report};

use super::{Ctx, amt};

/// One rate bucket of `Fa`.
pub(super) struct Bucket {
    pub(super) net: &'static str,
    pub(super) tax: Option<&'static str>,
    pub(super) tax_pln: Option<&'static str>,
    /// `P_12` codes that land here.
    pub(super) codes: &'static [&'static str],
}

pub(super) const BUCKETS: [Bucket; 13] = [
    Bucket {
        net: "P_13_1",
        tax: Some("P_14_1"),
        tax_pln: Some("P_14_1W"),
        codes: &["23", "22"],
    },
    Bucket {
        net: "P_13_2",
        tax: Some("P_14_2"),
        tax_pln: Some("P_14_2W"),
        codes: &["8", "7"],
    },
    Bucket {
        net: "P_13_3",
        tax: Some("P_14_3"),
        tax_pln: Some("P_14_3W"),
        codes: &["5"],
    },
    Bucket {
        net: "P_13_4",
        tax: Some("P_14_4"),
        tax_pln: Some("P_14_4W"),
        codes: &["4", "3"],
    },
    Bucket {
        net: "P_13_5",
        tax: Some("P_14_5"),
        tax_pln: None,
        codes: &[],
    },
    Bucket {
        net: "P_13_6_1",
        tax: None,
        tax_pln: None,
        codes: &["0 KR"],
    },
    Bucket {
        net: "P_13_6_2",
        tax: None,
        tax_pln: None,
        codes: &["0 WDT"],
    },
    Bucket {
        net: "P_13_6_3",
        tax: None,
        tax_pln: None,
        codes: &["0 EX"],
    },
    Bucket {
        net: "P_13_7",
        tax: None,
        tax_pln: None,
        codes: &["zw"],
    },
    Bucket {
        net: "P_13_8",
        tax: None,
        tax_pln: None,
        codes: &["np I"],
    },
    Bucket {
        net: "P_13_9",
        tax: None,
        tax_pln: None,
        codes: &["np II"],
    },
    Bucket {
        net: "P_13_10",
        tax: None,
        tax_pln: None,
        codes: &["oo"],
    },
    Bucket {
        net: "P_13_11",
        tax: None,
        tax_pln: None,
        codes: &[],
    },
];

/// The bucket a line belongs to: by `P_12`, else OSS (`P_12_XII`), else margin (no rate).
pub(super) fn bucket_of(line: &El, margin: bool) -> Option<usize> {
    match line.text_at("P_12") {
        Some(code) => BUCKETS.iter().position(|b| b.codes.contains(&code)),
        None if line.child("P_12_XII").is_some() => Some(4),
        None if margin => Some(12),
        None => None,
    }
}

pub(super) fn dec(n: i64, scale: u32) -> Decimal {
    Decimal::new(n, scale)
}

pub(super) fn check(ctx: &Ctx<'_>, report: &mut Report) {
    super::currency::check(ctx, report);
    super::annotations::check(ctx, report);
    totals(ctx, report);
    lines(ctx, report);
    limits(ctx, report);
}

fn totals(ctx: &Ctx<'_>, report: &mut Report) {
    let fa = ctx.fa;
    let margin = ctx.fa.flag("Adnotacje/PMarzy/P_PMarzy");
    let lines: Vec<&El> = ctx.lines().collect();
    let per_bucket: Vec<Vec<&El>> = (0..BUCKETS.len())
        .map(|i| {
            lines
                .iter()
                .copied()
                .filter(|l| bucket_of(l, margin) == Some(i))
                .collect()
        })
        .collect();
    // Tax vs net × rate, within rounding (per line or per bucket). Not for P_13_4: the
    // taxi flat rate is a lump sum, not net × rate.
    for (i, b) in BUCKETS.iter().enumerate().take(3) {
        let (Some(net), Some(tax)) = (fa.dec_at(b.net), b.tax.and_then(|t| fa.dec_at(t))) else {
            continue;
        };
        let mut codes: Vec<&str> = per_bucket[i]
            .iter()
            .filter_map(|l| l.text_at("P_12"))
            .collect();
        codes.dedup();
        let code = if codes.len() == 1 {
            codes[0]
        } else {
            b.codes[0]
        };
        let Ok(rate) = code.parse::<i64>() else {
            continue;
        };
        let expected = net * Decimal::from(rate) / dec(100, 0);
        let n = i64::try_from(per_bucket[i].len().max(1)).unwrap_or(1);
        let tol = dec(65, 4) * Decimal::from(n);
        if (tax - expected).abs() > tol {
            let t = b.tax.unwrap_or_default();
            report.push(Problem::new(
                &TOTAL_TAX,
                fa.path_of(t),
                format!(
                    "{t} = {}, a {} × {rate}% = {} (różnica większa niż zaokrąglenie)",
                    amt(tax),
                    b.net,
                    amt(expected.round_dp(2))
                ),
                format!(
                    "{t} = {}, but {} × {rate}% = {} (more than rounding apart)",
                    amt(tax),
                    b.net,
                    amt(expected.round_dp(2))
                ),
            ));
        }
    }
    // P_15 vs the buckets.
    let mut sum = Decimal::ZERO;
    let mut any = false;
    for b in &BUCKETS {
        for n in std::iter::once(b.net).chain(b.tax) {
            if let Some(v) = fa.dec_at(n) {
                sum += v;
                any = true;
            }
        }
    }
    if any
        && let Some(p15) = fa.dec_at("P_15")
        && p15 != sum
    {
        report.push(Problem::new(
            &TOTAL_DUE,
            fa.path_of("P_15"),
            format!(
                "P_15 = {}, a suma P_13_x i P_14_x = {} (różnica {})",
                amt(p15),
                amt(sum),
                amt(p15 - sum)
            ),
            format!(
                "P_15 = {}, but the sum of P_13_x and P_14_x is {} (difference {})",
                amt(p15),
                amt(sum),
                amt(p15 - sum)
            ),
        ));
    }
    if !ctx.is_correction()
        && let Some(p15) = fa
            .dec_at("P_15")
            .filter(|v| v.is_sign_negative() && !v.is_zero())
    {
        report.push(Problem::new(
            &TOTAL_NEGATIVE,
            fa.path_of("P_15"),
            format!("ujemna kwota należności P_15 = {} na fakturze {}; zmniejszenie wystawia się jako korektę (KOR)", amt(p15), ctx.kind),
            format!("a negative amount due P_15 = {} on a {} invoice; reductions are issued as corrections (KOR)", amt(p15), ctx.kind),
        ));
    }
    // Lines vs buckets (VAT only: UPR may omit line rates or carry only P_15; corrections, advances and settlements differ by design).
    let plain = ctx.kind == "VAT" && !lines.iter().any(|l| l.flag("StanPrzed"));
    if plain && !lines.is_empty() {
        for (i, b) in BUCKETS.iter().enumerate() {
            let rows = &per_bucket[i];
            let total = fa.dec_at(b.net);
            if rows.is_empty() {
                if let Some(t) = total.filter(|t| !t.is_zero()) {
                    report.push(Problem::new(
                        &RATE_BUCKET,
                        fa.path_of(b.net),
                        format!("{} = {}, ale żaden wiersz nie ma tej stawki", b.net, amt(t)),
                        format!("{} = {}, but no line has this rate", b.net, amt(t)),
                    ));
                }
                continue;
            }
            let Some(total) = total else {
                let code = rows[0].text_at("P_12").unwrap_or("");
                report.push(Problem::new(
                    &RATE_BUCKET,
                    rows[0].path_of("P_12"),
                    format!(
                        "wiersz ze stawką {code}, ale brak sumy {} na fakturze",
                        b.net
                    ),
                    format!(
                        "a line at rate {code}, but the invoice has no {} total",
                        b.net
                    ),
                ));
                continue;
            };
            if rows.iter().all(|l| l.child("P_11").is_some()) {
                let s: Decimal = rows.iter().filter_map(|l| l.dec_at("P_11")).sum();
                if s != total {
                    report.push(Problem::new(
                        &TOTAL_NET,
                        fa.path_of(b.net),
                        format!(
                            "{} = {}, a suma P_11 wierszy z tą stawką = {}",
                            b.net,
                            amt(total),
                            amt(s)
                        ),
                        format!(
                            "{} = {}, but the lines at this rate sum to P_11 = {}",
                            b.net,
                            amt(total),
                            amt(s)
                        ),
                    ));
                }
            } else if rows.iter().all(|l| l.child("P_11A").is_some()) {
                let s: Decimal = rows.iter().filter_map(|l| l.dec_at("P_11A")).sum();
                let g = total + b.tax.and_then(|t| fa.dec_at(t)).unwrap_or_default();
                if s != g {
                    report.push(Problem::new(
                        &TOTAL_NET,
                        fa.path_of(b.net),
                        format!(
                            "{} z podatkiem = {}, a suma wartości brutto P_11A wierszy = {}",
                            b.net,
                            amt(g),
                            amt(s)
                        ),
                        format!(
                            "{} plus tax = {}, but the lines' gross values P_11A sum to {}",
                            b.net,
                            amt(g),
                            amt(s)
                        ),
                    ));
                }
            }
        }
    }
    settlement(ctx, report);
}

fn settlement(ctx: &Ctx<'_>, report: &mut Report) {
    let Some(r) = ctx.fa.child("Rozliczenie") else {
        return;
    };
    let mut parts = [Decimal::ZERO; 2];
    for (k, (items, sum_name)) in [
        ("Obciazenia", "SumaObciazen"),
        ("Odliczenia", "SumaOdliczen"),
    ]
    .into_iter()
    .enumerate()
    {
        let s: Decimal = r.all(items).filter_map(|o| o.dec_at("Kwota")).sum();
        parts[k] = s;
        if let Some(declared) = r.dec_at(sum_name) {
            parts[k] = declared;
            if r.child(items).is_some() && declared != s {
                report.push(Problem::new(
                    &TOTAL_SETTLEMENT,
                    r.path_of(sum_name),
                    format!(
                        "{sum_name} = {}, a suma pozycji {items} = {}",
                        amt(declared),
                        amt(s)
                    ),
                    format!(
                        "{sum_name} = {}, but the {items} items sum to {}",
                        amt(declared),
                        amt(s)
                    ),
                ));
            }
        }
    }
    if let (Some(due), Some(p15)) = (r.dec_at("DoZaplaty"), ctx.fa.dec_at("P_15")) {
        let expected = p15 + parts[0] - parts[1];
        if due != expected {
            report.push(Problem::new(
                &TOTAL_SETTLEMENT,
                r.path_of("DoZaplaty"),
                format!(
                    "DoZaplaty = {}, a P_15 + obciążenia − odliczenia = {}",
                    amt(due),
                    amt(expected)
                ),
                format!(
                    "DoZaplaty = {}, but P_15 + charges − deductions = {}",
                    amt(due),
                    amt(expected)
                ),
            ));
        }
    }
}

fn lines(ctx: &Ctx<'_>, report: &mut Report) {
    numbering(ctx.lines(), "NrWierszaFa", "StanPrzed", report);
    if let Some(z) = ctx.fa.child("Zamowienie") {
        numbering(
            z.all("ZamowienieWiersz"),
            "NrWierszaZam",
            "StanPrzedZ",
            report,
        );
    }
    // Net pricing (P_9A → P_11) and gross pricing (P_9B → P_11A, art. 106e ust. 7-8).
    let pairs = [
        ("P_9A", "P_11", "netto", "net"),
        ("P_9B", "P_11A", "brutto", "gross"),
    ];
    for l in ctx.lines() {
        let Some(qty) = l.dec_at("P_8B") else {
            continue;
        };
        let discount = l.dec_at("P_10").unwrap_or_default();
        for (price_el, value_el, pl, en) in pairs {
            let (Some(price), Some(value)) = (l.dec_at(price_el), l.dec_at(value_el)) else {
                continue;
            };
            let expected = qty * price - discount;
            if (expected - value).abs() > dec(1, 2) {
                let e = amt(expected.round_dp(2));
                report.push(Problem::new(
                    &LINE_VALUE,
                    l.path_of(value_el),
                    format!(
                        "{value_el} = {}, a ilość × cena {pl} − rabat = {e}",
                        amt(value)
                    ),
                    format!(
                        "{value_el} = {}, but quantity × {en} price − discount = {e}",
                        amt(value)
                    ),
                ));
            }
        }
    }
}

fn numbering<'a>(rows: impl Iterator<Item = &'a El>, nr: &str, before: &str, report: &mut Report) {
    let mut seen: Vec<(bool, &str)> = Vec::new();
    for row in rows {
        let Some(n) = row.child(nr) else {
            continue;
        };
        let key = (row.flag(before), n.value());
        if seen.contains(&key) {
            report.push(Problem::new(
                &LINE_DUPLICATE,
                n.path.clone(),
                format!("numer wiersza {nr} {} powtarza się", n.value()),
                format!("line number {nr} {} is repeated", n.value()),
            ));
        } else {
            seen.push(key);
        }
    }
}

fn limits(ctx: &Ctx<'_>, report: &mut Report) {
    if ctx.kind != "UPR" {
        return;
    }
    let limit = match ctx.currency {
        "PLN" => dec(450, 0),
        "EUR" => dec(100, 0),
        _ => return,
    };
    if let Some(p15) = ctx.fa.dec_at("P_15")
        && p15 > limit
    {
        let cur = ctx.currency;
        report.push(Problem::new(
            &UPR_LIMIT,
            ctx.fa.path_of("P_15"),
            format!("faktura uproszczona (UPR) na {} {cur}; limit to 450 zł lub 100 euro (art. 106e ust. 5 pkt 3)", amt(p15)),
            format!("a simplified invoice (UPR) for {} {cur}; the limit is 450 PLN or 100 EUR (VAT Act art. 106e ust. 5 pkt 3)", amt(p15)),
        ));
    }
}
