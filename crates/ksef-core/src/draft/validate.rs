//! Whole-draft checks: which sections each invoice kind needs or forbids (FA3.md §7, §7.1,
//! §7.2), and the cross-field rules (one pricing mode, exchange rate iff foreign currency,
//! exemption basis iff a `zw` line, WDT only to an EU VAT id).

use time::Duration;

use super::check::{AMOUNT, BuyerId, CLine, Checked, Ctx, QUANTITY, TEXT, TEXT512, payment_method};
use super::error::{Errors, FieldError, Result};
use super::input::{InvoiceDraft, Line};
use super::kind::{self, Kind};
use super::rate::VatRate;

/// Checks `d` and returns its typed values, or every problem found.
pub(crate) fn validate(d: &InvoiceDraft) -> Result<Checked> {
    let mut c = Ctx {
        errors: Errors::default(),
    };
    let kind = kind::parse(&mut c, d.kind.as_deref());

    c.req_text(
        "invoiceNumber",
        &d.invoice_number,
        TEXT,
        "the invoice number",
    );
    let issue_date = if d.issue_date.is_empty() {
        c.errors.push(FieldError::missing(
            "issueDate",
            "the issue date as YYYY-MM-DD",
        ));
        None
    } else {
        c.date("issueDate", &d.issue_date)
    };
    c.opt_text("placeOfIssue", d.place_of_issue.as_deref(), TEXT);
    c.opt_text("systemInfo", d.system_info.as_deref(), TEXT);
    c.opt_text("footer", d.footer.as_deref(), 3500);
    let sale_date = c.opt_date("saleDate", d.sale_date.as_deref());
    let sale_period = d.sale_period.as_ref().and_then(|p| {
        if d.sale_date.is_some() {
            c.errors
                .push(FieldError::conflict("salePeriod", "saleDate"));
        }
        let from = c.date("salePeriod.from", &p.from);
        let to = c.date("salePeriod.to", &p.to);
        match (from, to) {
            (Some(f), Some(t)) if f > t => {
                c.errors.push(FieldError::invalid(
                    "salePeriod.to",
                    &p.to,
                    "a date not before salePeriod.from",
                ));
                None
            }
            (Some(f), Some(t)) => Some((f, t)),
            _ => None,
        }
    });

    // Currency and exchange rate (FA3.md §10).
    let currency = d.currency.as_deref().unwrap_or("PLN");
    if currency.parse::<crate::fa3::KodWaluty>().is_err() {
        c.errors.push(FieldError::invalid(
            "currency",
            currency,
            "an ISO 4217 currency code, e.g. PLN or EUR",
        ));
    }
    let exchange_rate = match (&d.exchange_rate, currency == "PLN") {
        (Some(_), true) => {
            c.errors.push(FieldError::not_allowed(
                "exchangeRate",
                "the currency is PLN",
            ));
            None
        }
        (Some(r), false) => c.dec("exchangeRate", r, QUANTITY).and_then(|r| {
            if r <= rust_decimal::Decimal::ZERO {
                c.errors.push(FieldError::invalid(
                    "exchangeRate",
                    r.to_string(),
                    "a positive rate (PLN per unit)",
                ));
                None
            } else {
                Some(r)
            }
        }),
        (None, false) => {
            c.errors.push(FieldError::missing(
                "exchangeRate",
                format!("the PLN exchange rate for {currency} (tax must also be shown in PLN)"),
            ));
            None
        }
        (None, true) => None,
    };
    let rate_date = c.opt_date("exchangeRateDate", d.exchange_rate_date.as_deref());
    if d.exchange_rate_date.is_some() && d.exchange_rate.is_none() && currency == "PLN" {
        c.errors.push(FieldError::not_allowed(
            "exchangeRateDate",
            "the currency is PLN",
        ));
    }

    // Parties (FA3.md §4, §5).
    c.nip("seller.nip", &d.seller.nip);
    c.req_text("seller.name", &d.seller.name, TEXT512, "the seller's name");
    c.address("seller.address", &d.seller.address);
    c.opt_text("seller.email", d.seller.email.as_deref(), 255);
    c.opt_text("seller.phone", d.seller.phone.as_deref(), 16);
    if let Some(b) = &d.seller.bank_account {
        c.bank_account("seller.bankAccount", b);
    }
    let buyer_id = c.buyer_id(&d.buyer);
    let simplified = kind == Some(Kind::Upr);
    match &d.buyer.name {
        Some(n) => c.req_text("buyer.name", n, TEXT512, "the buyer's name"),
        None if !simplified => c
            .errors
            .push(FieldError::missing("buyer.name", "the buyer's name")),
        None => {}
    }
    match &d.buyer.address {
        Some(a) => c.address("buyer.address", a),
        None if !simplified => c
            .errors
            .push(FieldError::missing("buyer.address", "the buyer's address")),
        None => {}
    }
    c.opt_text("buyer.email", d.buyer.email.as_deref(), 255);
    c.opt_text("buyer.phone", d.buyer.phone.as_deref(), 16);
    c.opt_text(
        "buyer.customerNumber",
        d.buyer.customer_number.as_deref(),
        TEXT,
    );

    // Lines, pairs and the kind-specific sections (FA3.md §7, §7.2, §7.3).
    let mut pricing = None;
    let correction = kind.is_some_and(Kind::is_correction);
    let mut lines = Vec::new();
    let mut pairs = Vec::new();
    let mut rates: Vec<(String, VatRate)> = Vec::new();
    // Only the rates that need a cross-field check are remembered (with their path).
    let mut note_rate = |path: &dyn Fn() -> String, l: &Option<CLine>| {
        if let Some(l) = l
            && matches!(l.rate, VatRate::Exempt | VatRate::ZeroWdt)
            && !rates.iter().any(|(_, r)| *r == l.rate)
        {
            rates.push((path(), l.rate));
        }
    };
    if correction {
        if !d.lines.is_empty() {
            c.errors.push(FieldError::not_allowed(
                "lines",
                "a correction lists its lines as before/after pairs in correction.lines",
            ));
        }
    } else {
        if d.lines.is_empty() {
            let what = if kind == Some(Kind::Zal) {
                "at least one order line"
            } else {
                "at least one line"
            };
            c.errors.push(FieldError::missing("lines", what));
        }
        for (i, l) in d.lines.iter().enumerate() {
            let path = format!("lines[{i}]");
            let cl = c.line(&path, l, &mut pricing);
            note_rate(&|| format!("{path}.vatRate"), &cl);
            lines.extend(cl);
        }
    }

    let mut corrected = Vec::new();
    let mut total_before = None;
    match (&d.correction, correction) {
        (Some(k), true) => {
            c.opt_text("correction.reason", k.reason.as_deref(), TEXT);
            if let Some(t) = k.r#type
                && !(1..=3).contains(&t)
            {
                c.errors.push(FieldError::invalid(
                    "correction.type",
                    t.to_string(),
                    "1, 2 or 3 (TypKorekty)",
                ));
            }
            if k.corrected.is_empty() {
                c.errors.push(FieldError::missing(
                    "correction.corrected",
                    "the corrected invoice (number, issue date, KSeF number or issuedOutsideKsef)",
                ));
            }
            for (i, r) in k.corrected.iter().enumerate() {
                corrected.extend(c.invoice_ref(
                    &format!("correction.corrected[{i}]"),
                    r,
                    true,
                    false,
                ));
            }
            for (i, p) in k.lines.iter().enumerate() {
                let path = format!("correction.lines[{i}]");
                let before = p.before.as_ref().and_then(|b: &Line| {
                    let cl = c.line(&format!("{path}.before"), b, &mut pricing);
                    note_rate(&|| format!("{path}.before.vatRate"), &cl);
                    cl
                });
                let failed_before = p.before.is_some() && before.is_none();
                let after = c.line(&format!("{path}.after"), &p.after, &mut pricing);
                note_rate(&|| format!("{path}.after.vatRate"), &after);
                if let (Some(a), false) = (after, failed_before) {
                    pairs.push((before, a));
                }
            }
            if k.lines.is_empty() && kind != Some(Kind::Kor) {
                c.errors.push(FieldError::missing(
                    "correction.lines",
                    "the order / invoice lines as before/after pairs (they split the amounts per rate)",
                ));
            }
            if let Some(t) = &k.total_before {
                if kind == Some(Kind::Kor) {
                    c.errors.push(FieldError::not_allowed(
                        "correction.totalBefore",
                        "P_15ZK is only for KOR_ZAL and KOR_ROZ",
                    ));
                } else {
                    total_before = c.dec("correction.totalBefore", t, AMOUNT);
                }
            }
        }
        (None, true) => c.errors.push(FieldError::missing(
            "correction",
            "the correction data: corrected invoice reference and before/after lines",
        )),
        (Some(_), false) => c.errors.push(FieldError::not_allowed(
            "correction",
            "only on KOR, KOR_ZAL and KOR_ROZ",
        )),
        (None, false) => {}
    }

    let wants_advance = matches!(kind, Some(Kind::Zal | Kind::KorZal));
    let advance_amount = match (&d.advance, wants_advance) {
        (Some(a), true) => c.req_dec(
            "advance.amount",
            a.amount.as_ref(),
            AMOUNT,
            "the gross advance received",
        ),
        (None, true) => {
            c.errors.push(FieldError::missing(
                "advance",
                "the advance received: { \"amount\": \"…\" }",
            ));
            None
        }
        (Some(_), false) => {
            c.errors.push(FieldError::not_allowed(
                "advance",
                "only on ZAL and KOR_ZAL",
            ));
            None
        }
        (None, false) => None,
    };

    let wants_settlement = matches!(kind, Some(Kind::Roz | Kind::KorRoz));
    let mut advances = Vec::new();
    match (&d.settlement, wants_settlement) {
        (Some(s), true) => {
            if s.advances.is_empty() {
                c.errors.push(FieldError::missing(
                    "settlement.advances",
                    "at least one advance invoice",
                ));
            }
            for (i, r) in s.advances.iter().enumerate() {
                advances.extend(c.invoice_ref(
                    &format!("settlement.advances[{i}]"),
                    r,
                    false,
                    true,
                ));
            }
        }
        (None, true) => c.errors.push(FieldError::missing(
            "settlement",
            "the advance invoices being settled",
        )),
        (Some(_), false) => c.errors.push(FieldError::not_allowed(
            "settlement",
            "only on ROZ and KOR_ROZ",
        )),
        (None, false) => {}
    }

    // Annotations (FA3.md §7.1) against the rates used.
    let first_zw = rates
        .iter()
        .find(|(_, r)| *r == VatRate::Exempt)
        .map(|(p, _)| p.clone());
    match (&d.annotations.exemption, &first_zw) {
        (None, Some(p)) => c.errors.push(FieldError::missing(
            "annotations.exemption",
            format!("the legal basis of the exemption ({p} is zw)"),
        )),
        (Some(_), None) => c.errors.push(FieldError::not_allowed(
            "annotations.exemption",
            "no line has vatRate zw",
        )),
        (Some(e), Some(_)) => {
            if !matches!(e.basis.as_str(), "statute" | "directive" | "other") {
                c.errors.push(FieldError::invalid(
                    "annotations.exemption.basis",
                    &e.basis,
                    "one of statute, directive, other",
                ));
            }
            c.req_text(
                "annotations.exemption.text",
                &e.text,
                TEXT,
                "the provision, e.g. art. 43 ust. 1 pkt 37 ustawy o VAT",
            );
        }
        (None, None) => {}
    }
    if let Some((p, _)) = rates.iter().find(|(_, r)| *r == VatRate::ZeroWdt)
        && !matches!(buyer_id, BuyerId::EuVat { .. })
    {
        c.errors.push(FieldError::not_allowed(
            p.clone(),
            "0 WDT (intra-EU supply) needs the buyer's buyer.euVatId",
        ));
    }

    // Payment (FA3.md §7.4).
    let mut due_date = None;
    let mut paid_date = None;
    let mut payment_method_code = None;
    if let Some(p) = &d.payment {
        if p.due_date.is_some() && p.due_days.is_some() {
            c.errors
                .push(FieldError::conflict("payment.dueDays", "payment.dueDate"));
        }
        due_date = c.opt_date("payment.dueDate", p.due_date.as_deref());
        if let (Some(days), Some(issue)) = (p.due_days, issue_date) {
            due_date = issue.checked_add(Duration::days(i64::from(days)));
        }
        payment_method_code = p.method.as_deref().and_then(|m| payment_method(&mut c, m));
        if let Some(b) = &p.bank_account {
            c.bank_account("payment.bankAccount", b);
        }
        match (p.paid, &p.paid_date) {
            (true, Some(pd)) => paid_date = c.date("payment.paidDate", pd),
            (true, None) => c.errors.push(FieldError::missing(
                "payment.paidDate",
                "the payment date (paid is true)",
            )),
            (false, Some(_)) => c
                .errors
                .push(FieldError::not_allowed("payment.paidDate", "paid is false")),
            (false, None) => {}
        }
    }
    for (i, n) in d.notes.iter().enumerate() {
        c.opt_text(&format!("notes[{i}].key"), n.key.as_deref(), TEXT);
        c.req_text(
            &format!("notes[{i}].value"),
            &n.value,
            TEXT,
            "the note's text",
        );
    }

    // Repetition limits of the XSD (`DodatkowyOpis` 10 000 incl. the exchange-rate note,
    // `FakturaZaliczkowa` 100, `DaneFaKorygowanej` 50 000).
    let limits = [
        ("notes", d.notes.len(), 9_999),
        (
            "settlement.advances",
            d.settlement.as_ref().map_or(0, |s| s.advances.len()),
            100,
        ),
        (
            "correction.corrected",
            d.correction.as_ref().map_or(0, |k| k.corrected.len()),
            50_000,
        ),
    ];
    for (path, n, max) in limits {
        if n > max {
            c.errors.push(FieldError::invalid(
                path,
                format!("{n} entries"),
                format!("at most {max} entries"),
            ));
        }
    }

    // FaWiersz / ZamowienieWiersz: at most 10 000 rows (a before/after pair takes two).
    let rows = d.lines.len()
        + d.correction.as_ref().map_or(0, |k| {
            k.lines
                .iter()
                .map(|p| 1 + usize::from(p.before.is_some()))
                .sum()
        });
    if rows > 10_000 {
        c.errors.push(FieldError::invalid(
            if correction {
                "correction.lines"
            } else {
                "lines"
            },
            format!("{rows} rows"),
            "at most 10000 rows (a before/after pair counts as two)",
        ));
    }

    let errors_so_far = !c.errors.is_empty();
    let checked = match (kind, issue_date) {
        (Some(kind), Some(issue_date)) if !errors_so_far => Some(Checked {
            kind,
            issue_date,
            sale_date,
            sale_period,
            exchange_rate,
            rate_date,
            pricing: pricing.map_or(super::calc::Pricing::Net, |(p, _)| p),
            lines,
            pairs,
            corrected,
            advances,
            advance_amount,
            total_before,
            buyer_id,
            due_date,
            paid_date,
            payment_method: payment_method_code,
        }),
        _ => None,
    };
    match checked {
        Some(ch) => c.errors.finish(ch),
        None => {
            if c.errors.is_empty() {
                c.errors.push(FieldError::missing("$", "a complete draft"));
            }
            Err(super::error::DraftError::Invalid(c.errors.0))
        }
    }
}
