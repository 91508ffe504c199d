//! The annotations the rates imply (`zw` → `P_19` + basis, `oo` → `P_18`, margin →
//! `PMarzy`; VAT Act art. 106e ust. 1 pkt 18-19, ust. 2-3), the EU VAT number a 0 % WDT needs
//! (art. 42 ust. 1 pkt 1), and the split-payment annotation (art. 106e ust. 1 pkt 18a).

use crate::validate::rules::{MARGIN, OO_P18, SPLIT_PAYMENT, WDT_BUYER, ZW_BASIS};
use crate::validate::{Problem, Report, Severity};

use super::amounts::dec;
use super::{Ctx, amt};

pub(super) fn check(ctx: &Ctx<'_>, report: &mut Report) {
    let fa = ctx.fa;
    let Some(ad) = fa.child("Adnotacje") else {
        return;
    };
    let has_code = |code: &str| ctx.lines().any(|l| l.text_at("P_12") == Some(code));
    // zw → P_19 = 1 + basis
    let zw = has_code("zw") || fa.child("P_13_7").is_some();
    let p19 = ad.flag("Zwolnienie/P_19");
    let basis = ["P_19A", "P_19B", "P_19C"]
        .iter()
        .any(|b| ad.at(&format!("Zwolnienie/{b}")).is_some());
    if zw && !(p19 && basis) {
        report.push(Problem::new(
            &ZW_BASIS,
            ad.path_of("Zwolnienie"),
            "sprzedaż zwolniona (stawka zw / P_13_7) wymaga Zwolnienie/P_19=1 i podstawy zwolnienia w P_19A (ustawa), P_19B (dyrektywa) lub P_19C (inna)",
            "exempt supply (rate zw / P_13_7) requires Zwolnienie/P_19=1 and the legal basis in P_19A (Polish act), P_19B (directive) or P_19C (other)",
        ));
    } else if p19 && !zw && !ctx.is_correction() {
        report.push(
            Problem::new(
                &ZW_BASIS,
                ad.path_of("Zwolnienie/P_19"),
                "P_19=1 (zwolnienie), ale żaden wiersz nie ma stawki zw i brak P_13_7",
                "P_19=1 (exemption) but no line has rate zw and P_13_7 is absent",
            )
            .with_severity(Severity::Warning),
        );
    }
    // oo → P_18 = 1
    let oo = has_code("oo") || fa.child("P_13_10").is_some();
    let p18 = ad.flag("P_18");
    if oo && !p18 {
        report.push(Problem::new(
            &OO_P18,
            ad.path_of("P_18"),
            format!(
                "odwrotne obciążenie (stawka oo / P_13_10) wymaga P_18=1, a jest {}",
                ad.text_at("P_18").unwrap_or("(brak)")
            ),
            format!(
                "reverse charge (rate oo / P_13_10) requires P_18=1, found {}",
                ad.text_at("P_18").unwrap_or("(none)")
            ),
        ));
    } else if p18 && !oo && !ctx.is_correction() {
        report.push(
            Problem::new(
                &OO_P18,
                ad.path_of("P_18"),
                "P_18=1 (odwrotne obciążenie), ale żaden wiersz nie ma stawki oo i brak P_13_10",
                "P_18=1 (reverse charge) but no line has rate oo and P_13_10 is absent",
            )
            .with_severity(Severity::Warning),
        );
    }
    // margin
    let margin_total = fa.child("P_13_11").is_some();
    let margin_flag = ad.flag("PMarzy/P_PMarzy");
    if margin_total && !margin_flag {
        report.push(Problem::new(
            &MARGIN,
            ad.path_of("PMarzy"),
            "P_13_11 (procedura marży) wymaga PMarzy/P_PMarzy=1 i wskazania rodzaju procedury",
            "P_13_11 (margin scheme) requires PMarzy/P_PMarzy=1 and the kind of scheme",
        ));
    } else if margin_flag
        && !margin_total
        && !ctx.is_correction()
        && fa.child("P_15").is_some()
        && ctx.kind != "UPR"
    {
        report.push(
            Problem::new(
                &MARGIN,
                fa.path_of("P_13_11"),
                "P_PMarzy=1 (procedura marży), ale brak P_13_11",
                "P_PMarzy=1 (margin scheme) but P_13_11 is absent",
            )
            .with_severity(Severity::Warning),
        );
    }
    // WDT → buyer's EU VAT number
    if (has_code("0 WDT") || fa.child("P_13_6_2").is_some())
        && let Some(id) = ctx.root.at("Podmiot2/DaneIdentyfikacyjne")
        && (id.child("KodUE").is_none() || id.child("NrVatUE").is_none())
    {
        report.push(Problem::new(
            &WDT_BUYER,
            id.path.clone(),
            "stawka 0% WDT wymaga numeru VAT UE nabywcy (KodUE + NrVatUE, art. 42 ust. 1 pkt 1)",
            "the 0 % intra-EU rate (0 WDT) requires the buyer's EU VAT number (KodUE + NrVatUE, VAT Act art. 42 ust. 1 pkt 1)",
        ));
    }
    // split payment (not on corrections, whose P_15 is a difference)
    let annex15 = ctx.lines().any(|l| l.flag("P_12_Zal_15"));
    let p18a = ad.flag("P_18A");
    if ctx.currency == "PLN"
        && let Some(p15) = fa.dec_at("P_15")
    {
        let limit = dec(15_000, 0);
        if annex15 && p15 > limit && !p18a && !ctx.is_correction() {
            report.push(Problem::new(
                &SPLIT_PAYMENT,
                ad.path_of("P_18A"),
                format!("towary z zał. 15 (P_12_Zal_15) i kwota należności {} > 15 000 zł: faktura powinna mieć P_18A=1 (mechanizm podzielonej płatności)", amt(p15)),
                format!("Annex 15 goods (P_12_Zal_15) and an amount due of {} > 15 000 PLN: the invoice should carry P_18A=1 (split payment)", amt(p15)),
            ));
        }
        if p18a && (!annex15 || p15 <= limit) && !ctx.is_correction() {
            report.push(Problem::new(
                &SPLIT_PAYMENT,
                ad.path_of("P_18A"),
                format!(
                    "P_18A=1, ale {}",
                    if annex15 {
                        format!("kwota należności {} nie przekracza 15 000 zł", amt(p15))
                    } else {
                        "żaden wiersz nie ma P_12_Zal_15=1".into()
                    }
                ),
                format!(
                    "P_18A=1 but {}",
                    if annex15 {
                        format!("the amount due {} does not exceed 15 000 PLN", amt(p15))
                    } else {
                        "no line has P_12_Zal_15=1".into()
                    }
                ),
            ));
        }
    }
}
