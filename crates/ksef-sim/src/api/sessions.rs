//! Online sessions, session/invoice status, UPO and invoice download (DIGEST §8, §10, §12).

use axum::Router;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ksef_core::crypto::{EncryptionInfo, MfKeyUsage};
use ksef_core::hash::Sha256Hash;
use serde::Deserialize;
use serde_json::{Value, json};
use time::Duration;

use super::{JsonBody, access, base_url};
use crate::Simulator;
use crate::error::{ApiError, ApiResult};
use crate::ids::{RefType, reference};
use crate::jwt::Claims;
use crate::state::{Ident, Invoice, Session, SessionKind, Status};
use crate::util::{fmt_ts, unb64};

const WRITE: &[&str] = &["InvoiceWrite", "PefInvoiceWrite", "EnforcementOperations"];
const READ_SESSIONS: &[&str] = &[
    "InvoiceWrite",
    "Introspection",
    "PefInvoiceWrite",
    "EnforcementOperations",
];

pub(super) fn routes() -> Router<Simulator> {
    Router::new()
        .route("/sessions/online", post(open_online))
        .route("/sessions/online/{reference}/invoices", post(send_invoice))
        .route("/sessions/online/{reference}/close", post(close_online))
        .route("/sessions", get(list_sessions))
        .route("/sessions/{reference}", get(session_status))
        .route("/sessions/{reference}/invoices", get(list_invoices))
        .route("/sessions/{reference}/invoices/failed", get(list_failed))
        .route("/sessions/{reference}/invoices/{inv}", get(invoice_status))
        .route("/sessions/{reference}/invoices/{inv}/upo", get(invoice_upo))
        .route(
            "/sessions/{reference}/invoices/ksef/{ksef}/upo",
            get(invoice_upo_by_ksef),
        )
        .route("/sessions/{reference}/upo/{upo}", get(session_upo))
        .route("/invoices/ksef/{ksef}", get(download_invoice))
}

/// Pre-signed downloads (no bearer), outside `/v2` like the blob URLs KSeF returns.
pub(super) fn storage_routes() -> Router<Simulator> {
    Router::new()
        .route("/storage/upo/{reference}/{upo}", get(storage_session_upo))
        .route(
            "/storage/upo/{reference}/invoices/{inv}",
            get(storage_invoice_upo),
        )
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct FormCode {
    pub(super) system_code: String,
    pub(super) schema_version: String,
    pub(super) value: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OpenOnline {
    form_code: FormCode,
    encryption: EncryptionInfo,
}

/// Form codes with a schema the simulator validates against (DIGEST §8 FormCode table).
pub(super) fn supported_form(f: &FormCode) -> bool {
    matches!(
        (
            f.system_code.as_str(),
            f.schema_version.as_str(),
            f.value.as_str()
        ),
        ("FA (3)", "1-0E", "FA") | ("FA (2)", "1-0E", "FA")
    )
}

pub(super) fn context_of(c: &Claims) -> Ident {
    Ident::new(&c.cit, &c.civ)
}

async fn open_online(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    JsonBody(req): JsonBody<OpenOnline>,
) -> ApiResult<impl IntoResponse> {
    let claims = access(&sim, &headers, WRITE)?;
    if !supported_form(&req.form_code) {
        return Err(ApiError::bad(
            21405,
            ["Wskazany kod formularza nie jest wspierany."],
        ));
    }
    let key = session_key(&sim, &req.encryption)?;
    let now = sim.now();
    let reference = reference(RefType::OnlineSession, now, &mut sim.rng());
    let valid_until = now + Duration::hours(12);
    let status = if key.is_some() {
        Status::new(100, "Sesja interaktywna otwarta")
    } else {
        Status::new(415, "Błąd odszyfrowania dostarczonego klucza")
    };
    let mut st = sim.state();
    let context = context_of(&claims);
    let auth_document_hash = st
        .auths
        .get(&claims.arn)
        .map(|a| a.document_hash.clone())
        .unwrap_or_default();
    let auth_token_reference = st.auths.get(&claims.arn).and_then(|a| a.token_ref.clone());
    st.sessions.insert(
        reference.clone(),
        Session {
            reference: reference.clone(),
            kind: SessionKind::Online,
            system_code: req.form_code.system_code,
            schema_version: req.form_code.schema_version,
            form_value: req.form_code.value,
            key,
            status,
            created: now,
            updated: now,
            valid_until,
            context,
            subject: Ident::new(&claims.sut, &claims.suv),
            auth_document_hash,
            auth_token_reference,
            permissions: claims.per.clone(),
            invoices: Vec::new(),
            upo_pages: Vec::new(),
            batch: None,
        },
    );
    Ok((
        StatusCode::CREATED,
        axum::Json(json!({"referenceNumber": reference, "validUntil": fmt_ts(valid_until)})),
    ))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SendInvoice {
    invoice_hash: String,
    invoice_size: u64,
    encrypted_invoice_hash: String,
    encrypted_invoice_size: u64,
    encrypted_invoice_content: String,
    #[serde(default)]
    offline_mode: bool,
    #[serde(default)]
    hash_of_corrected_invoice: Option<String>,
}

/// The caller's session `reference` of `kind`: 21173 when there is none, or it belongs to
/// another context, or it is of the other kind (an online endpoint never touches a batch
/// session and vice versa).
pub(super) fn own_session<'a>(
    sessions: &'a mut std::collections::HashMap<String, Session>,
    reference: &str,
    context: &Ident,
    kind: SessionKind,
) -> ApiResult<&'a mut Session> {
    sessions
        .get_mut(reference)
        .filter(|s| &s.context == context && s.kind == kind)
        .ok_or_else(|| no_session(reference))
}

/// The session's AES key from `encryption` (DIGEST §7–§9): the IV must decode to 16 bytes
/// (21405), `publicKeyId`, when given, must name a live `SymmetricKeyEncryption` key
/// (21470), otherwise the newest such key is used. `None` when the wrapped key does not
/// decrypt: the session still opens and ends in status 415, as on TEST.
pub(super) fn session_key(
    sim: &Simulator,
    encryption: &EncryptionInfo,
) -> ApiResult<Option<ksef_core::crypto::InvoiceEncryptionKey>> {
    let iv_len = unb64(&encryption.initialization_vector).map(|v| v.len());
    if iv_len != Some(16) {
        return Err(ApiError::validation(format!(
            "Nieprawidłowa długość wektora inicjującego (IV). Oczekiwano 16 bajtów, otrzymano {}.",
            iv_len.map_or_else(
                || encryption.initialization_vector.len().to_string(),
                |n| n.to_string()
            )
        )));
    }
    let mf = {
        let st = sim.state();
        let usable =
            |k: &&crate::keys::MfKey| !k.revoked && k.usage == MfKeyUsage::SymmetricKeyEncryption;
        match &encryption.public_key_id {
            Some(id) => st
                .mf_keys
                .iter()
                .filter(usable)
                .find(|k| k.public_key_id() == *id)
                .cloned()
                .ok_or_else(|| {
                    ApiError::bad(
                        21470,
                        [format!("Klucz o identyfikatorze {id} nie jest wspierany.")],
                    )
                })?,
            None => st
                .mf_keys
                .iter()
                .rev()
                .find(usable)
                .cloned()
                .ok_or_else(|| ApiError::Internal("brak klucza MF".into()))?,
        }
    };
    Ok(mf
        .private
        .unwrap_session_key(encryption, &mut *sim.rng())
        .ok())
}

pub(super) fn no_session(reference: &str) -> ApiError {
    ApiError::bad(
        21173,
        [format!(
            "Sesja o numerze referencyjnym {reference} nie została odnaleziona."
        )],
    )
}

/// Auto-closes an online session past `validUntil` (DIGEST §8: lifetime 12 h).
fn expire(session: &mut Session, now: time::OffsetDateTime) {
    if session.kind == SessionKind::Online
        && session.status.code == 100
        && now >= session.valid_until
    {
        session.status = Status::new(170, "Sesja interaktywna zamknięta");
        session.updated = now;
    }
}

async fn send_invoice(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    Path(session_ref): Path<String>,
    JsonBody(req): JsonBody<SendInvoice>,
) -> ApiResult<impl IntoResponse> {
    let claims = access(&sim, &headers, WRITE)?;
    let context = context_of(&claims);
    let now = sim.now();
    let default_max = sim.config().max_invoices_per_session;
    for (name, h) in [
        ("invoiceHash", &req.invoice_hash),
        ("encryptedInvoiceHash", &req.encrypted_invoice_hash),
    ] {
        if Sha256Hash::from_base64_any(h).is_none() || h.len() != 44 {
            return Err(ApiError::validation(format!(
                "Pole {name} musi być skrótem SHA-256 w Base64 (44 znaki)."
            )));
        }
    }
    let content = unb64(&req.encrypted_invoice_content).ok_or_else(|| {
        ApiError::validation("Pole encryptedInvoiceContent nie jest poprawnym Base64.")
    })?;
    let reference = {
        let mut st = sim.state();
        let max = st
            .limits_for(&context, default_max)
            .online_session
            .max_invoices;
        let session = own_session(
            &mut st.sessions,
            &session_ref,
            &context,
            SessionKind::Online,
        )?;
        expire(session, now);
        if session.status.code != 100 {
            return Err(ApiError::bad(
                21180,
                [format!(
                    "Status sesji ({}) uniemożliwia wysyłkę faktur.",
                    session.status.code
                )],
            ));
        }
        if session.invoices.len() >= max as usize {
            return Err(ApiError::bad(
                21155,
                [format!("Przekroczono limit {max} faktur w sesji.")],
            ));
        }
        if content.len() as u64 != req.encrypted_invoice_size {
            return Err(ApiError::bad(
                21402,
                [format!(
                    "Rozmiar zaszyfrowanej faktury ({}) nie zgadza się z zadeklarowanym ({}).",
                    content.len(),
                    req.encrypted_invoice_size
                )],
            ));
        }
        if Sha256Hash::of(&content).to_base64() != req.encrypted_invoice_hash {
            return Err(ApiError::bad(
                21403,
                ["Skrót zaszyfrowanej faktury nie zgadza się z zadeklarowanym."],
            ));
        }
        if let Some(h) = &req.hash_of_corrected_invoice {
            check_correction(&st, &context, h, req.offline_mode)?;
        }
        let reference = reference(RefType::Invoice, now, &mut sim.rng());
        let Some(session) = st.sessions.get_mut(&session_ref) else {
            return Err(no_session(&session_ref));
        };
        let ordinal = u32::try_from(session.invoices.len() + 1).unwrap_or(u32::MAX);
        session.invoices.push(Invoice {
            ordinal,
            reference: reference.clone(),
            invoice_hash: req.invoice_hash,
            invoice_size: req.invoice_size,
            encrypted: content,
            offline_mode: req.offline_mode,
            hash_of_corrected: req.hash_of_corrected_invoice,
            invoicing_date: now,
            status: Status::new(100, "Faktura przyjęta do dalszego przetwarzania"),
            invoice_number: None,
            seller_nip: None,
            issue_date: None,
            kind: None,
            ksef_number: None,
            acquisition_date: None,
            permanent_storage_date: None,
            offline: req.offline_mode,
            xml: None,
            corrected_by: None,
            file_name: None,
            plain: None,
        });
        session.updated = now;
        reference
    };
    crate::pipeline::start(sim.clone(), session_ref, reference.clone());
    Ok((
        StatusCode::ACCEPTED,
        axum::Json(json!({"referenceNumber": reference})),
    ))
}

/// Technical correction preconditions (DIGEST §15): the hash must name an offline
/// invoice of this context that was rejected; 21167 if it succeeded, 21166 if a valid
/// correction exists already (or nothing can be corrected).
fn check_correction(
    st: &crate::state::State,
    context: &Ident,
    hash: &str,
    offline: bool,
) -> ApiResult<()> {
    if !offline {
        return Err(ApiError::validation(
            "Korekta techniczna wymaga offlineMode = true.",
        ));
    }
    let candidates: Vec<&Invoice> = st
        .by_hash
        .get(hash)
        .into_iter()
        .flatten()
        .filter_map(|(s, i)| {
            st.sessions
                .get(s)
                .filter(|s| s.context == *context)
                .and_then(|s| s.invoices.get(*i))
        })
        .collect();
    if candidates.is_empty() {
        return Err(ApiError::bad(
            21166,
            [format!(
                "Nie odnaleziono odrzuconej faktury offline o skrócie {hash}."
            )],
        ));
    }
    if candidates.iter().any(|i| i.status.code == 200) {
        return Err(ApiError::bad(
            21167,
            ["Faktura korygowana została przetworzona poprawnie."],
        ));
    }
    if candidates.iter().any(|i| i.corrected_by.is_some()) {
        return Err(ApiError::bad(
            21166,
            ["Dla wskazanej faktury istnieje już poprawna korekta techniczna."],
        ));
    }
    if !candidates
        .iter()
        .any(|i| i.offline && i.status.code >= 400 && i.status.code != 410)
    {
        return Err(ApiError::bad(
            21166,
            ["Wskazana faktura nie jest odrzuconą fakturą offline."],
        ));
    }
    Ok(())
}

async fn close_online(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    Path(session_ref): Path<String>,
) -> ApiResult<StatusCode> {
    let claims = access(&sim, &headers, WRITE)?;
    let context = context_of(&claims);
    let now = sim.now();
    {
        let mut st = sim.state();
        let session = own_session(
            &mut st.sessions,
            &session_ref,
            &context,
            SessionKind::Online,
        )?;
        expire(session, now);
        if session.status.code != 100 {
            return Err(ApiError::bad(
                21180,
                [format!(
                    "Status sesji ({}) uniemożliwia jej zamknięcie.",
                    session.status.code
                )],
            ));
        }
        session.status = Status::new(170, "Sesja interaktywna zamknięta");
        session.updated = now;
    }
    crate::pipeline::maybe_finish(sim.clone(), session_ref);
    Ok(StatusCode::NO_CONTENT)
}

/// Looks up a session of the caller's context, auto-closing it if expired.
fn with_session<T>(
    sim: &Simulator,
    claims: &Claims,
    session_ref: &str,
    f: impl FnOnce(&Session) -> ApiResult<T>,
) -> ApiResult<T> {
    let context = context_of(claims);
    let now = sim.now();
    let expired = {
        let mut st = sim.state();
        let s = st
            .sessions
            .get_mut(session_ref)
            .filter(|s| s.context == context)
            .ok_or_else(|| no_session(session_ref))?;
        let was = s.status.code;
        expire(s, now);
        was == 100 && s.status.code == 170
    };
    if expired {
        crate::pipeline::maybe_finish(sim.clone(), session_ref.to_owned());
    }
    let st = sim.state();
    let s = st
        .sessions
        .get(session_ref)
        .ok_or_else(|| no_session(session_ref))?;
    f(s)
}

fn upo_expiry(sim: &Simulator) -> String {
    fmt_ts(sim.now() + Duration::days(3))
}

async fn session_status(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    Path(session_ref): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let claims = access(&sim, &headers, READ_SESSIONS)?;
    let base = base_url(&headers);
    let expiry = upo_expiry(&sim);
    with_session(&sim, &claims, &session_ref, |s| {
        let total = s.invoices.len();
        let ok = s.invoices.iter().filter(|i| i.status.code == 200).count();
        let failed = s.invoices.iter().filter(|i| i.status.code >= 400).count();
        let nz = |n: usize| if n == 0 { Value::Null } else { json!(n) };
        let mut v = json!({
            "status": s.status.to_json(),
            "dateCreated": fmt_ts(s.created),
            "dateUpdated": fmt_ts(s.updated),
            "validUntil": fmt_ts(s.valid_until),
            "invoiceCount": nz(total),
            "successfulInvoiceCount": nz(ok),
            "failedInvoiceCount": nz(failed),
        });
        if !s.upo_pages.is_empty()
            && let Some(o) = v.as_object_mut()
        {
            let pages: Vec<Value> = s
                .upo_pages
                .iter()
                .map(|(r, _)| {
                    json!({
                        "referenceNumber": r,
                        "downloadUrl": format!("{base}/storage/upo/{}/{r}", s.reference),
                        "downloadUrlExpirationDate": expiry,
                    })
                })
                .collect();
            o.insert("upo".into(), json!({"pages": pages}));
        }
        Ok(axum::Json(v))
    })
}

fn invoice_json(s: &Session, inv: &Invoice, base: &str, expiry: &str) -> Value {
    let mut v = json!({
        "ordinalNumber": inv.ordinal,
        "referenceNumber": inv.reference,
        "invoiceHash": inv.invoice_hash,
        "invoicingDate": fmt_ts(inv.invoicing_date),
        "status": inv.status.to_json(),
    });
    if let Some(o) = v.as_object_mut() {
        if let Some(f) = &inv.file_name {
            o.insert("invoiceFileName".into(), json!(f));
        }
        if let Some(n) = &inv.invoice_number {
            o.insert("invoiceNumber".into(), json!(n));
        }
        if let Some(k) = &inv.ksef_number {
            o.insert("ksefNumber".into(), json!(k));
            o.insert(
                "upoDownloadUrl".into(),
                json!(format!(
                    "{base}/storage/upo/{}/invoices/{}",
                    s.reference, inv.reference
                )),
            );
            o.insert("upoDownloadUrlExpirationDate".into(), json!(expiry));
        }
        if let Some(d) = inv.acquisition_date {
            o.insert("acquisitionDate".into(), json!(fmt_ts(d)));
        }
        if let Some(d) = inv.permanent_storage_date {
            o.insert("permanentStorageDate".into(), json!(fmt_ts(d)));
        }
        if inv.status.code >= 200 && inv.issue_date.is_some() {
            o.insert(
                "invoicingMode".into(),
                json!(if inv.offline { "Offline" } else { "Online" }),
            );
        }
    }
    v
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PageQuery {
    page_size: Option<usize>,
}

/// Continuation tokens are opaque Base64url of the next offset.
fn parse_token(headers: &HeaderMap) -> ApiResult<usize> {
    let Some(t) = headers.get("x-continuation-token") else {
        return Ok(0);
    };
    t.to_str()
        .ok()
        .and_then(|t| URL_SAFE_NO_PAD.decode(t).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.strip_prefix("o:").and_then(|n| n.parse().ok()))
        .ok_or_else(|| {
            ApiError::bad(
                21418,
                ["Przekazany token kontynuacji ma nieprawidłowy format."],
            )
        })
}

fn list(
    sim: &Simulator,
    headers: &HeaderMap,
    session_ref: &str,
    page_size: Option<usize>,
    failed_only: bool,
) -> ApiResult<axum::Json<Value>> {
    let claims = access(sim, headers, READ_SESSIONS)?;
    let page_size = page_size.unwrap_or(10);
    if !(10..=1000).contains(&page_size) {
        return Err(ApiError::validation(
            "pageSize musi mieścić się w zakresie 10..1000.",
        ));
    }
    let offset = parse_token(headers)?;
    let base = base_url(headers);
    let expiry = upo_expiry(sim);
    with_session(sim, &claims, session_ref, |s| {
        let all: Vec<&Invoice> = s
            .invoices
            .iter()
            .filter(|i| !failed_only || i.status.code >= 400)
            .collect();
        let page: Vec<Value> = all
            .iter()
            .skip(offset)
            .take(page_size)
            .map(|i| invoice_json(s, i, &base, &expiry))
            .collect();
        let next = offset + page.len();
        let token = if next < all.len() {
            json!(URL_SAFE_NO_PAD.encode(format!("o:{next}")))
        } else {
            Value::Null
        };
        Ok(axum::Json(
            json!({"continuationToken": token, "invoices": page}),
        ))
    })
}

async fn list_invoices(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    Path(session_ref): Path<String>,
    Query(q): Query<PageQuery>,
) -> ApiResult<axum::Json<Value>> {
    list(&sim, &headers, &session_ref, q.page_size, false)
}

async fn list_failed(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    Path(session_ref): Path<String>,
    Query(q): Query<PageQuery>,
) -> ApiResult<axum::Json<Value>> {
    list(&sim, &headers, &session_ref, q.page_size, true)
}

async fn invoice_status(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    Path((session_ref, inv)): Path<(String, String)>,
) -> ApiResult<axum::Json<Value>> {
    let claims = access(&sim, &headers, READ_SESSIONS)?;
    let base = base_url(&headers);
    let expiry = upo_expiry(&sim);
    with_session(&sim, &claims, &session_ref, |s| {
        let i = s
            .invoices
            .iter()
            .find(|i| i.reference == inv)
            .ok_or_else(|| {
                ApiError::bad(
                    21405,
                    [format!(
                        "Faktura o numerze referencyjnym {inv} nie istnieje w sesji."
                    )],
                )
            })?;
        Ok(axum::Json(invoice_json(s, i, &base, &expiry)))
    })
}

fn xml_response(bytes: Vec<u8>) -> Response {
    let hash = Sha256Hash::of(&bytes).to_base64();
    let mut res = (StatusCode::OK, bytes).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml"),
    );
    if let Ok(h) = HeaderValue::from_str(&hash) {
        res.headers_mut().insert("x-ms-meta-hash", h);
    }
    res
}

fn no_upo() -> ApiError {
    ApiError::bad(21178, ["Nie znaleziono UPO dla podanych kryteriów."])
}

fn invoice_upo_of(
    sim: &Simulator,
    s: &Session,
    pick: impl Fn(&Invoice) -> bool,
) -> ApiResult<Vec<u8>> {
    let inv = s
        .invoices
        .iter()
        .find(|i| pick(i) && i.ksef_number.is_some())
        .ok_or_else(no_upo)?;
    Ok(crate::upo::invoice_upo(
        &sim.config().upo_receiver_name,
        s,
        inv,
    ))
}

async fn invoice_upo(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    Path((session_ref, inv)): Path<(String, String)>,
) -> ApiResult<Response> {
    let claims = access(&sim, &headers, READ_SESSIONS)?;
    with_session(&sim, &claims, &session_ref, |s| {
        invoice_upo_of(&sim, s, |i| i.reference == inv)
    })
    .map(xml_response)
}

async fn invoice_upo_by_ksef(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    Path((session_ref, ksef)): Path<(String, String)>,
) -> ApiResult<Response> {
    let claims = access(&sim, &headers, READ_SESSIONS)?;
    with_session(&sim, &claims, &session_ref, |s| {
        invoice_upo_of(&sim, s, |i| i.ksef_number.as_deref() == Some(ksef.as_str()))
    })
    .map(xml_response)
}

async fn session_upo(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    Path((session_ref, upo)): Path<(String, String)>,
) -> ApiResult<Response> {
    let claims = access(&sim, &headers, READ_SESSIONS)?;
    with_session(&sim, &claims, &session_ref, |s| {
        s.upo_pages
            .iter()
            .find(|(r, _)| *r == upo)
            .map(|(_, x)| x.clone())
            .ok_or_else(no_upo)
    })
    .map(xml_response)
}

async fn storage_session_upo(
    State(sim): State<Simulator>,
    Path((session_ref, upo)): Path<(String, String)>,
) -> ApiResult<Response> {
    let st = sim.state();
    st.sessions
        .get(&session_ref)
        .and_then(|s| s.upo_pages.iter().find(|(r, _)| *r == upo))
        .map(|(_, x)| xml_response(x.clone()))
        .ok_or_else(no_upo)
}

async fn storage_invoice_upo(
    State(sim): State<Simulator>,
    Path((session_ref, inv)): Path<(String, String)>,
) -> ApiResult<Response> {
    let st = sim.state();
    let s = st.sessions.get(&session_ref).ok_or_else(no_upo)?;
    invoice_upo_of(&sim, s, |i| i.reference == inv).map(xml_response)
}

async fn download_invoice(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    Path(ksef): Path<String>,
) -> ApiResult<Response> {
    let claims = access(&sim, &headers, &["InvoiceRead"])?;
    let now = sim.now();
    let st = sim.state();
    let not_found = || {
        ApiError::bad(
            21164,
            [format!(
                "Faktura o numerze KSeF {ksef} nie została odnaleziona."
            )],
        )
    };
    let (s, idx) = st.by_ksef.get(&ksef).ok_or_else(not_found)?;
    let inv = st
        .sessions
        .get(s)
        .and_then(|s| s.invoices.get(*idx))
        .ok_or_else(not_found)?;
    // The seller's context may read its invoices (buyer-side access is not modelled yet).
    if claims.cit != "Nip" || inv.seller_nip.as_deref() != Some(claims.civ.as_str()) {
        return Err(not_found());
    }
    if inv.permanent_storage_date.is_none_or(|d| now < d) {
        return Err(ApiError::bad(
            21165,
            [format!(
                "Faktura o numerze KSeF {ksef} została przetworzona, ale nie jest jeszcze dostępna do pobrania."
            )],
        ));
    }
    let xml = inv.xml.clone().ok_or_else(not_found)?;
    Ok(xml_response(xml))
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                match std::str::from_utf8(&b[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                {
                    Some(v) => {
                        out.push(v);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `CommonSessionStatus` of a session status code (DIGEST §10).
fn common_status(code: u16) -> &'static str {
    match code {
        100 | 150 | 170 => "InProgress",
        200 => "Succeeded",
        440 => "Cancelled",
        _ => "Failed",
    }
}

fn parse_ts(name: &str, v: &str) -> ApiResult<time::OffsetDateTime> {
    time::OffsetDateTime::parse(v, &time::format_description::well_known::Rfc3339).map_err(|_| {
        ApiError::validation(format!(
            "Parametr {name} musi być datą ISO 8601 z przesunięciem."
        ))
    })
}

/// `GET /sessions` (DIGEST §10): filters `sessionType` (required), `statuses` (repeated),
/// `referenceNumber`, `dateCreatedFrom/To`, `dateModifiedFrom/To`; newest first;
/// continuation tokens. With InvoiceWrite only the caller's own sessions are listed,
/// with Introspection all sessions of the context.
async fn list_sessions(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> ApiResult<axum::Json<Value>> {
    let claims = access(
        &sim,
        &headers,
        &["InvoiceWrite", "Introspection", "EnforcementOperations"],
    )?;
    let params: Vec<(String, String)> = query
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect();
    let one = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let kind = match one("sessionType") {
        Some("Online") => SessionKind::Online,
        Some("Batch") => SessionKind::Batch,
        _ => {
            return Err(ApiError::validation(
                "Parametr sessionType (Online | Batch) jest wymagany.",
            ));
        }
    };
    let page_size = match one("pageSize") {
        Some(v) => v
            .parse::<usize>()
            .map_err(|_| ApiError::validation("pageSize musi być liczbą."))?,
        None => 10,
    };
    if !(10..=1000).contains(&page_size) {
        return Err(ApiError::validation(
            "pageSize musi mieścić się w zakresie 10..1000.",
        ));
    }
    let statuses: Vec<&str> = params
        .iter()
        .filter(|(n, _)| n == "statuses")
        .map(|(_, v)| v.as_str())
        .collect();
    let bound = |k: &str| one(k).map(|v| parse_ts(k, v)).transpose();
    let (created_from, created_to) = (bound("dateCreatedFrom")?, bound("dateCreatedTo")?);
    let (modified_from, modified_to) = (bound("dateModifiedFrom")?, bound("dateModifiedTo")?);
    let offset = parse_token(&headers)?;
    let context = context_of(&claims);
    let subject = Ident::new(&claims.sut, &claims.suv);
    let all_in_context = claims.per.iter().any(|p| p == "Introspection");
    let st = sim.state();
    let mut found: Vec<&Session> = st
        .sessions
        .values()
        .filter(|s| s.context == context && s.kind == kind)
        .filter(|s| all_in_context || s.subject == subject)
        .filter(|s| one("referenceNumber").is_none_or(|r| r == s.reference))
        .filter(|s| statuses.is_empty() || statuses.contains(&common_status(s.status.code)))
        .filter(|s| {
            created_from.is_none_or(|t| s.created >= t) && created_to.is_none_or(|t| s.created <= t)
        })
        .filter(|s| {
            modified_from.is_none_or(|t| s.updated >= t)
                && modified_to.is_none_or(|t| s.updated <= t)
        })
        .collect();
    found.sort_by_key(|s| std::cmp::Reverse(s.created));
    let page: Vec<Value> = found
        .iter()
        .skip(offset)
        .take(page_size)
        .map(|s| {
            let ok = s.invoices.iter().filter(|i| i.status.code == 200).count();
            let failed = s.invoices.iter().filter(|i| i.status.code >= 400).count();
            json!({
                "referenceNumber": s.reference,
                "status": s.status.to_json(),
                "dateCreated": fmt_ts(s.created),
                "dateUpdated": fmt_ts(s.updated),
                "validUntil": fmt_ts(s.valid_until),
                "totalInvoiceCount": s.invoices.len(),
                "successfulInvoiceCount": ok,
                "failedInvoiceCount": failed,
            })
        })
        .collect();
    let next = offset + page.len();
    let token = if next < found.len() {
        json!(URL_SAFE_NO_PAD.encode(format!("o:{next}")))
    } else {
        Value::Null
    };
    Ok(axum::Json(
        json!({"continuationToken": token, "sessions": page}),
    ))
}
