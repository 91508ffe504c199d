//! QR verification page for KOD I (DIGEST §14, "Simulator notes" → QR verifier):
//! `GET /qr/invoice/{sellerNip}/{DD-MM-YYYY}/{base64url(SHA-256)}`, the simulator's
//! counterpart of `https://qr-test.ksef.mf.gov.pl/invoice/...` (link base
//! `http://<host>/qr`). The link is parsed with `ksef_core::qr`; the hash must match a
//! stored invoice with that seller and issue date. A rejected invoice corrected by a
//! technical correction points to the correction (DIGEST §15). The real page is an
//! undocumented web UI, so the answer is JSON: 200 when found, 404 otherwise.
//!
//! KOD II: `GET /qr/certificate/{ctxType}/{ctxValue}/{sellerNip}/{serial}/{hash}/{sig}`
//! checks, in the order of DIGEST §14, that the certificate was issued by the simulator
//! and is Active (not revoked, within validity), that the URL signature verifies with it
//! and that it is of the `Offline` type, that its subject holds InvoiceWrite in the
//! context, and that the context may issue for the seller (context NIP = seller NIP;
//! other relations are not modelled). 200 `{"valid": true, …}` or 400 with the reason.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::IntoResponse;
use axum::routing::get;
use ksef_core::qr::{Environment, QrLink};
use serde_json::json;

use super::base_url;
use crate::Simulator;

pub(super) fn routes() -> Router<Simulator> {
    Router::new()
        .route("/qr/invoice/{nip}/{date}/{hash}", get(invoice))
        .route("/qr/certificate/{*rest}", get(certificate))
}

async fn invoice(State(sim): State<Simulator>, headers: HeaderMap, uri: Uri) -> impl IntoResponse {
    let base = format!("{}/qr", base_url(&headers));
    let url = format!("{}{}", base_url(&headers), uri.path());
    let parsed = Environment::custom(&base)
        .map_err(|e| e.to_string())
        .and_then(|env| QrLink::parse_with(&url, &[env]).map_err(|e| e.to_string()));
    let link = match parsed {
        Ok(QrLink::Invoice(l)) => l,
        Ok(_) => {
            return (
                StatusCode::BAD_REQUEST,
                axum::Json(json!({"error": "not a KOD I link"})),
            );
        }
        Err(e) => return (StatusCode::BAD_REQUEST, axum::Json(json!({"error": e}))),
    };
    let hash = link.invoice_hash().to_base64();
    let st = sim.state();
    let found = st
        .by_hash
        .get(&hash)
        .into_iter()
        .flatten()
        .find_map(|(s, i)| {
            let inv = st.sessions.get(s)?.invoices.get(*i)?;
            (inv.seller_nip.as_deref() == Some(link.seller_nip())
                && inv.issue_date == Some(link.issue_date()))
            .then_some((s, inv))
        });
    let Some((session, inv)) = found else {
        return (
            StatusCode::NOT_FOUND,
            axum::Json(json!({"found": false, "invoiceHash": hash})),
        );
    };
    let (session, inv) = match &inv.corrected_by {
        Some(r) => st
            .sessions
            .values()
            .find_map(|s| {
                s.invoices
                    .iter()
                    .find(|i| i.reference == *r)
                    .map(|i| (&s.reference, i))
            })
            .unwrap_or((session, inv)),
        None => (session, inv),
    };
    if inv.ksef_number.is_none() {
        return (
            StatusCode::NOT_FOUND,
            axum::Json(json!({"found": false, "invoiceHash": hash})),
        );
    }
    (
        StatusCode::OK,
        axum::Json(json!({
            "found": true,
            "ksefNumber": inv.ksef_number,
            "invoiceNumber": inv.invoice_number,
            "sellerNip": inv.seller_nip,
            "issueDate": inv.issue_date.map(|d| d.to_string()),
            "invoiceHash": inv.invoice_hash,
            "invoicingMode": if inv.offline { "Offline" } else { "Online" },
            "sessionReferenceNumber": session,
        })),
    )
}

async fn certificate(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    uri: Uri,
) -> impl IntoResponse {
    let fail = |reason: String| {
        (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"valid": false, "reason": reason})),
        )
    };
    let base = format!("{}/qr", base_url(&headers));
    let url = format!("{}{}", base_url(&headers), uri.path());
    let parsed = Environment::custom(&base)
        .map_err(|e| e.to_string())
        .and_then(|env| QrLink::parse_with(&url, &[env]).map_err(|e| e.to_string()));
    let link = match parsed {
        Ok(QrLink::Certificate(l)) => l,
        Ok(_) => return fail("not a KOD II link".into()),
        Err(e) => return fail(e),
    };
    let serial = link.link().serial().to_string().to_uppercase();
    let now = sim.now();
    let st = sim.state();
    let Some(issued) = st.issued.get(&serial) else {
        return fail(format!("certyfikat {serial} nie istnieje"));
    };
    if issued.revoked {
        return fail(format!("certyfikat {serial} jest odwołany"));
    }
    if now < issued.valid_from || now > issued.valid_to {
        return fail(format!("certyfikat {serial} jest nieważny"));
    }
    let checked = ksef_core::crypto::Certificate::from_der(&issued.der)
        .map_err(|e| e.to_string())
        .and_then(|c| {
            ksef_core::qr::QrCertificate::from_ksef_certificate(&c).map_err(|e| e.to_string())
        })
        .and_then(|qc| link.verify(&qc).map_err(|e| e.to_string()));
    if let Err(e) = checked {
        return fail(e);
    }
    let ctx = crate::state::Ident::new(
        link.link().context().context_type().as_str(),
        link.link().context().value(),
    );
    let perms = super::permissions_of(&st, &ctx, &issued.subject);
    if !perms.iter().any(|p| p == "InvoiceWrite") {
        return fail("wystawca nie ma uprawnienia InvoiceWrite w kontekście".into());
    }
    if !(ctx.kind == "Nip" && ctx.value == link.link().seller_nip()) {
        return fail("kontekst nie może wystawiać faktur w imieniu sprzedawcy".into());
    }
    (
        StatusCode::OK,
        axum::Json(json!({
            "valid": true,
            "certificateSerialNumber": serial,
            "sellerNip": link.link().seller_nip(),
            "contextIdentifier": {"type": ctx.kind, "value": ctx.value},
            "invoiceHash": link.link().invoice_hash().to_base64(),
        })),
    )
}
