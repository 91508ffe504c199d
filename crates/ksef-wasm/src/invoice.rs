//! Invoice exports: draft → FA(3) XML, draft check, validation, parsing, hashing, KOD I
//! and QR SVG. Each export converts its input, calls one core function, converts out.

use ksef_core::draft;
use ksef_core::hash::Sha256Hash;
use ksef_core::qr::{self, InvoiceLink};
use ksef_core::validate::{self, Options, Severity};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::error::{Failure, Result, qr_failure};
use crate::{environment, to_js, utc};

fn draft_failure(e: &draft::DraftError) -> Failure {
    let fields = e
        .field_errors()
        .iter()
        .map(|f| (f.path.clone(), f.problem.to_string()))
        .collect();
    Failure::new("DRAFT_INVALID", e).with_fields(fields)
}

/// Draft JSON (text, `docs/draft-format.md`) → FA(3) XML bytes; `created_at_ms` becomes
/// `DataWytworzeniaFa`.
#[wasm_bindgen(js_name = draftToXml)]
pub fn draft_to_xml(draft_json: &str, created_at_ms: f64) -> Result<Vec<u8>> {
    let d = draft::from_json(draft_json.as_bytes()).map_err(|e| draft_failure(&e))?;
    draft::build_xml(&d, utc(created_at_ms)?).map_err(|e| draft_failure(&e))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DraftCheck {
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    totals: Option<Totals>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<FieldOut>,
}

#[derive(Serialize)]
struct Totals {
    net: String,
    vat: String,
    gross: String,
    currency: String,
}

#[derive(Serialize)]
struct FieldOut {
    path: String,
    message: String,
}

/// Checks a draft without building it: `{ok: true, totals}` or `{ok: false, errors}`
/// with every problem at once (results are data, not exceptions).
#[wasm_bindgen(js_name = checkDraft)]
pub fn check_draft(draft_json: &str) -> Result<JsValue> {
    let out = match draft::from_json(draft_json.as_bytes()).and_then(|d| {
        let c = draft::compute(&d)?;
        Ok((d, c))
    }) {
        Ok((d, c)) => {
            let net: rust_decimal::Decimal = c.rate_totals.iter().map(|r| r.net).sum();
            let vat: rust_decimal::Decimal = c.rate_totals.iter().map(|r| r.tax).sum();
            DraftCheck {
                ok: true,
                totals: Some(Totals {
                    net: net.to_string(),
                    vat: vat.to_string(),
                    gross: c.total.to_string(),
                    currency: d.currency.unwrap_or_else(|| "PLN".into()),
                }),
                errors: Vec::new(),
            }
        }
        Err(e) => DraftCheck {
            ok: false,
            totals: None,
            errors: e
                .field_errors()
                .iter()
                .map(|f| FieldOut {
                    path: f.path.clone(),
                    message: f.problem.to_string(),
                })
                .collect(),
        },
    };
    to_js(&out)
}

#[derive(Serialize)]
struct ProblemOut {
    severity: &'static str,
    path: String,
    rule: &'static str,
    message: String,
    #[serde(rename = "messageEn")]
    message_en: String,
}

#[derive(Serialize)]
struct ValidationOut {
    ok: bool,
    problems: Vec<ProblemOut>,
}

/// Validates FA(3) XML (business and schema-shaped rules, `docs/validation-rules.md`);
/// `today` (`YYYY-MM-DD`, Warsaw) enables the issue-date rule; `production_rules`
/// selects the production NIP checks.
#[wasm_bindgen(js_name = validateXml)]
pub fn validate_xml(
    xml: &[u8],
    today: Option<String>,
    production_rules: Option<bool>,
) -> Result<JsValue> {
    let mut opts = Options {
        production_rules: production_rules.unwrap_or(true),
        ..Options::default()
    };
    if let Some(t) = today {
        opts = opts
            .with_today_iso(&t)
            .map_err(|e| Failure::input(format!("today: {e}")))?;
    }
    let report = validate::validate_xml(xml, &opts);
    let problems = report
        .problems
        .iter()
        .map(|p| ProblemOut {
            severity: match p.severity {
                Severity::Error => "error",
                _ => "warning",
            },
            path: p.path.clone(),
            rule: p.rule,
            message: p.message_pl.clone(),
            message_en: p.message_en.clone(),
        })
        .collect();
    to_js(&ValidationOut {
        ok: !report.has_errors(),
        problems,
    })
}

/// FA(3) XML → the invoice as JSON text (element names as in the XSD), for
/// visualisation. Text, because `JSON.parse` builds the objects faster than crossing
/// the boundary field by field.
#[wasm_bindgen(js_name = parseXml)]
pub fn parse_xml(xml: &[u8]) -> Result<String> {
    let invoice =
        ksef_core::fa3::Faktura::from_xml(xml).map_err(|e| Failure::new("XML_INVALID", e))?;
    serde_json::to_string(&invoice)
        .map_err(|e| Failure::new("INTERNAL", format!("cannot convert the invoice: {e}")))
}

#[derive(Serialize)]
struct HashOut {
    base64: String,
    base64url: String,
    hex: String,
}

/// SHA-256 of the exact bytes, in the three encodings KSeF uses.
#[wasm_bindgen(js_name = invoiceHash)]
pub fn invoice_hash(xml: &[u8]) -> Result<JsValue> {
    let h = Sha256Hash::of(xml);
    to_js(&HashOut {
        base64: h.to_base64(),
        base64url: h.to_base64url(),
        hex: h.to_hex(),
    })
}

/// The KOD I verification URL (DIGEST §13) of the invoice bytes.
#[wasm_bindgen(js_name = kod1Url)]
pub fn kod1_url(env: &str, seller_nip: &str, issue_date: &str, xml: &[u8]) -> Result<String> {
    let link = InvoiceLink::for_invoice(environment(env)?, seller_nip, issue_date, xml)
        .map_err(qr_failure)?;
    Ok(link.url())
}

/// `text` as a QR code in SVG, with `label` under it (`OFFLINE`, `CERTYFIKAT` or the
/// KSeF number; empty for none).
#[wasm_bindgen(js_name = qrSvg)]
pub fn qr_svg(text: &str, label: &str) -> Result<String> {
    qr::svg::render(text, label, &qr::svg::SvgOptions::default()).map_err(qr_failure)
}
