//! Corrections and advances: the correction group only on KOR / KOR_ZAL / KOR_ROZ (VAT Act
//! art. 106j, XSD annotation of `Fa`), KSeF numbers of referenced invoices (`numer-ksef.md`),
//! FakturaZaliczkowa on ROZ (art. 106f ust. 3), Zamowienie on ZAL (art. 106f ust. 1 pkt 4).

use rust_decimal::Decimal;

use crate::ident::{IdentError, KsefNumber};
use crate::validate::rules::{
    ADVANCES_UNEXPECTED, KOR_DATA_MISSING, KOR_DATA_UNEXPECTED, KOR_DATE, KOR_KSEFNR, KSEFNR_CRC,
    KSEFNR_SELLER, ROZ_ADVANCES, ZAL_ORDER, ZAMOWIENIE_TOTAL, ZAMOWIENIE_TYPE,
};
use crate::validate::tree::El;
use crate::validate::{Problem, Report};

use super::{Ctx, amt};

/// Elements of the correction group (`Fa`, between `RodzajFaktury` and `ZaliczkaCzesciowa`).
const CORRECTION_ONLY: [&str; 9] = [
    "PrzyczynaKorekty",
    "TypKorekty",
    "DaneFaKorygowanej",
    "OkresFaKorygowanej",
    "NrFaKorygowany",
    "Podmiot1K",
    "Podmiot2K",
    "P_15ZK",
    "KursWalutyZK",
];

pub(super) fn check(ctx: &Ctx<'_>, report: &mut Report) {
    let fa = ctx.fa;
    let kind = ctx.kind;
    if ctx.is_correction() {
        if fa.child("DaneFaKorygowanej").is_none() {
            report.push(Problem::new(
                &KOR_DATA_MISSING,
                fa.path_of("DaneFaKorygowanej"),
                format!("faktura korygująca ({kind}) bez DaneFaKorygowanej; podaj datę, numer i numer KSeF faktury korygowanej"),
                format!("a correction ({kind}) without DaneFaKorygowanej; give the date, number and KSeF number of the corrected invoice"),
            ));
        }
    } else {
        let before_rows = ctx.lines().filter_map(|l| l.child("StanPrzed")).chain(
            fa.all("Zamowienie")
                .flat_map(|z| z.all("ZamowienieWiersz"))
                .filter_map(|r| r.child("StanPrzedZ")),
        );
        for el in CORRECTION_ONLY
            .iter()
            .filter_map(|name| fa.child(name))
            .chain(before_rows)
        {
            let name = &el.name;
            report.push(Problem::new(
                &KOR_DATA_UNEXPECTED,
                el.path.clone(),
                format!("element {name} dotyczy tylko faktur korygujących (KOR, KOR_ZAL, KOR_ROZ), a RodzajFaktury to {kind}"),
                format!("{name} belongs to corrections only (KOR, KOR_ZAL, KOR_ROZ), but RodzajFaktury is {kind}"),
            ));
        }
    }
    let seller = ctx
        .root
        .text_at("Podmiot1/DaneIdentyfikacyjne/NIP")
        .unwrap_or("");
    let seller_k = fa
        .text_at("Podmiot1K/DaneIdentyfikacyjne/NIP")
        .unwrap_or(seller);
    let p1 = fa.text_at("P_1").unwrap_or("");
    for d in fa.all("DaneFaKorygowanej") {
        if d.flag("NrKSeF") && d.child("NrKSeFFaKorygowanej").is_none() {
            report.push(Problem::new(
                &KOR_KSEFNR,
                d.path_of("NrKSeFFaKorygowanej"),
                "NrKSeF=1 (faktura korygowana jest w KSeF), ale brak NrKSeFFaKorygowanej",
                "NrKSeF=1 (the corrected invoice is in KSeF) but NrKSeFFaKorygowanej is missing",
            ));
        }
        if let Some(n) = d.child("NrKSeFFaKorygowanej") {
            ksef_number(n, &[seller, seller_k], report);
        }
        if let Some(date) = d.child("DataWystFaKorygowanej")
            && super::dates::is_valid(date.value())
            && super::dates::is_valid(p1)
            && date.value() > p1
        {
            report.push(Problem::new(
                &KOR_DATE,
                date.path.clone(),
                format!(
                    "faktura korygowana wystawiona {} — po fakturze korygującej (P_1 {p1})",
                    date.value()
                ),
                format!(
                    "the corrected invoice is dated {}, after the correction itself (P_1 {p1})",
                    date.value()
                ),
            ));
        }
    }
    let advances: Vec<&El> = fa.all("FakturaZaliczkowa").collect();
    for a in &advances {
        if let Some(n) = a.child("NrKSeFFaZaliczkowej") {
            ksef_number(n, &[seller], report);
        }
    }
    if kind == "ROZ" && advances.is_empty() {
        report.push(Problem::new(
            &ROZ_ADVANCES,
            fa.path_of("FakturaZaliczkowa"),
            "faktura rozliczeniowa (ROZ) bez FakturaZaliczkowa; wskaż faktury zaliczkowe (numer KSeF lub numer faktury)",
            "a settlement invoice (ROZ) without FakturaZaliczkowa; reference the advance invoices (KSeF number or invoice number)",
        ));
    }
    if !matches!(kind, "ROZ" | "KOR_ROZ")
        && let Some(a) = advances.first()
    {
        report.push(Problem::new(
            &ADVANCES_UNEXPECTED,
            a.path.clone(),
            format!("FakturaZaliczkowa na fakturze {kind}; odwołania do zaliczek dotyczą faktur ROZ i KOR_ROZ"),
            format!("FakturaZaliczkowa on a {kind} invoice; advance references belong on ROZ and KOR_ROZ"),
        ));
    }
    if kind == "ZAL" && fa.child("Zamowienie").is_none() {
        report.push(Problem::new(
            &ZAL_ORDER,
            fa.path_of("Zamowienie"),
            "faktura zaliczkowa (ZAL) bez Zamowienie; podaj zamówienie lub umowę i ich wartość (art. 106f ust. 1 pkt 4)",
            "an advance invoice (ZAL) without Zamowienie; give the order or contract and its value (VAT Act art. 106f ust. 1 pkt 4)",
        ));
    }
    if let Some(z) = fa.child("Zamowienie") {
        if !matches!(kind, "ZAL" | "KOR_ZAL") {
            report.push(Problem::new(
                &ZAMOWIENIE_TYPE,
                z.path.clone(),
                format!("Zamowienie na fakturze {kind}; zamówienie podaje się tylko na fakturze zaliczkowej (ZAL, KOR_ZAL)"),
                format!("Zamowienie on a {kind} invoice; the order belongs on advance invoices only (ZAL, KOR_ZAL)"),
            ));
        }
        order_total(ctx, z, report);
    }
}

/// CRC-8 (warning) and seller prefix (warning) of a referenced KSeF number; the pattern
/// itself is an XSD facet.
fn ksef_number(n: &El, sellers: &[&str], report: &mut Report) {
    let v = n.value();
    match v.parse::<KsefNumber>() {
        Err(IdentError::Checksum { expected, found, .. }) => report.push(Problem::new(
            &KSEFNR_CRC,
            n.path.clone(),
            format!("numer KSeF {v}: suma kontrolna CRC-8 {found}, oczekiwano {expected}; sprawdź, czy numer przepisano poprawnie"),
            format!("KSeF number {v}: CRC-8 is {found}, expected {expected}; check that the number was copied correctly"),
        )),
        Err(_) => return,
        Ok(_) => {}
    }
    let prefix = v.get(..10).unwrap_or("");
    if !sellers.contains(&prefix) {
        report.push(Problem::new(
            &KSEFNR_SELLER,
            n.path.clone(),
            format!(
                "numer KSeF {v} zaczyna się od NIP {prefix}, a sprzedawcą jest {}",
                sellers.first().unwrap_or(&"")
            ),
            format!(
                "KSeF number {v} starts with NIP {prefix}, but the seller is {}",
                sellers.first().unwrap_or(&"")
            ),
        ));
    }
}

/// `WartoscZamowienia` against the order lines, and the advance against the order value.
fn order_total(ctx: &Ctx<'_>, z: &El, report: &mut Report) {
    let Some(total) = z.dec_at("WartoscZamowienia") else {
        return;
    };
    let rows: Vec<&El> = z.all("ZamowienieWiersz").collect();
    if !rows.is_empty() && !rows.iter().any(|r| r.flag("StanPrzedZ")) {
        let sum: Decimal = rows
            .iter()
            .map(|r| {
                r.dec_at("P_11NettoZ").unwrap_or_default()
                    + r.dec_at("P_11VatZ").unwrap_or_default()
            })
            .sum();
        if sum != total {
            report.push(Problem::new(
                &ZAMOWIENIE_TOTAL,
                z.path_of("WartoscZamowienia"),
                format!(
                    "WartoscZamowienia {} różni się od sumy wierszy zamówienia (netto + VAT) {}",
                    amt(total),
                    amt(sum)
                ),
                format!(
                    "WartoscZamowienia {} differs from the sum of the order lines (net + VAT) {}",
                    amt(total),
                    amt(sum)
                ),
            ));
        }
    }
    if ctx.kind == "ZAL"
        && let Some(p15) = ctx.fa.dec_at("P_15")
        && p15 > total
    {
        report.push(Problem::new(
            &ZAMOWIENIE_TOTAL,
            ctx.fa.path_of("P_15"),
            format!(
                "zaliczka P_15 {} przekracza wartość zamówienia {}",
                amt(p15),
                amt(total)
            ),
            format!(
                "the advance P_15 {} exceeds the order value {}",
                amt(p15),
                amt(total)
            ),
        ));
    }
}
