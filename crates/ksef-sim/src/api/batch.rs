//! Batch sessions (DIGEST §9, "Simulator notes" → Batch session): open with parts,
//! pre-signed PUT upload URLs served by the simulator (no bearer, upload window of
//! parts × 20 min), close checks, then asynchronous processing: part hashes (405), key
//! (415), part decryption (435), archive hash/size and unpacking of ZIP or tar.gz (430),
//! invoice count (420), and every file through the per-invoice pipeline with
//! `invoiceFileName` and `invoicingDate` = session open time.

use std::io::{Cursor, Read};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{post, put};
use hmac::{Hmac, KeyInit, Mac};
use ksef_core::crypto::EncryptionInfo;
use ksef_core::hash::Sha256Hash;
use serde::Deserialize;
use serde_json::json;
use sha2::Sha256;
use time::Duration;

use super::sessions::{FormCode, context_of, no_session, own_session, session_key, supported_form};
use super::{JsonBody, access, base_url};
use crate::Simulator;
use crate::error::{ApiError, ApiResult};
use crate::ids::{RefType, reference};
use crate::state::{BatchInfo, BatchPart, Ident, Invoice, Session, SessionKind, Status};

const WRITE: &[&str] = &["InvoiceWrite", "EnforcementOperations"];
/// Largest encrypted part: 100 MB of plaintext plus a padding block.
const MAX_PART: u64 = 100_000_016;
/// Largest archive (5 GB).
const MAX_ARCHIVE: u64 = 5_000_000_000;
/// Read at most this much of one archived file (larger ones fail the size check anyway).
const MAX_FILE: u64 = 3_000_001;

pub(super) fn routes() -> Router<Simulator> {
    Router::new()
        .route("/sessions/batch", post(open))
        .route("/sessions/batch/{reference}/close", post(close))
}

pub(super) fn storage_routes() -> Router<Simulator> {
    Router::new()
        .route("/storage/batch/{reference}/parts/{n}", put(upload))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_PART as usize))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PartReq {
    ordinal_number: u32,
    file_size: u64,
    file_hash: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BatchFileReq {
    file_size: u64,
    file_hash: String,
    #[serde(default)]
    compression_type: Option<String>,
    file_parts: Vec<PartReq>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OpenBatch {
    form_code: FormCode,
    batch_file: BatchFileReq,
    encryption: EncryptionInfo,
    #[serde(default)]
    offline_mode: bool,
}

fn signature(sim: &Simulator, reference: &str, n: u32) -> String {
    match <Hmac<Sha256> as KeyInit>::new_from_slice(sim.jwt_secret()) {
        Ok(mut m) => {
            m.update(format!("batch|{reference}|{n}").as_bytes());
            hex::encode(m.finalize().into_bytes())
        }
        Err(_) => String::new(),
    }
}

async fn open(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    JsonBody(req): JsonBody<OpenBatch>,
) -> ApiResult<impl IntoResponse> {
    let claims = access(&sim, &headers, WRITE)?;
    if !supported_form(&req.form_code) {
        return Err(ApiError::bad(
            21405,
            ["Wskazany kod formularza nie jest wspierany."],
        ));
    }
    let f = &req.batch_file;
    let n = f.file_parts.len();
    if n > 50 {
        return Err(ApiError::bad(
            21161,
            [format!("Liczba części ({n}) przekracza dozwolone 50.")],
        ));
    }
    if n == 0 {
        return Err(ApiError::validation(
            "Pakiet musi zawierać co najmniej jedną część.",
        ));
    }
    let mut ordinals: Vec<u32> = f.file_parts.iter().map(|p| p.ordinal_number).collect();
    ordinals.sort_unstable();
    if ordinals
        .iter()
        .enumerate()
        .any(|(i, o)| *o as usize != i + 1)
    {
        return Err(ApiError::validation(
            "Numery części muszą być unikalne i kolejne od 1.",
        ));
    }
    if let Some(p) = f
        .file_parts
        .iter()
        .find(|p| p.file_size == 0 || p.file_size > MAX_PART)
    {
        return Err(ApiError::bad(
            21157,
            [format!(
                "Nieprawidłowy rozmiar części '{}'.",
                p.ordinal_number
            )],
        ));
    }
    if f.file_size == 0 || f.file_size > MAX_ARCHIVE {
        return Err(ApiError::validation(
            "Rozmiar pakietu musi mieścić się w zakresie 1..5 000 000 000 B.",
        ));
    }
    let compression = f
        .compression_type
        .clone()
        .unwrap_or_else(|| "Zip".to_owned());
    if compression != "Zip" && compression != "TarGz" {
        return Err(ApiError::validation(format!(
            "Nieznany typ kompresji {compression}."
        )));
    }
    for h in std::iter::once(&f.file_hash).chain(f.file_parts.iter().map(|p| &p.file_hash)) {
        if h.len() != 44 || Sha256Hash::from_base64_any(h).is_none() {
            return Err(ApiError::validation(
                "Skrót musi być SHA-256 w Base64 (44 znaki).",
            ));
        }
    }
    let key = session_key(&sim, &req.encryption)?;
    let now = sim.now();
    let session_ref = reference(RefType::BatchSession, now, &mut sim.rng());
    let base = base_url(&headers);
    let uploads: Vec<serde_json::Value> = f
        .file_parts
        .iter()
        .map(|p| {
            json!({
                "ordinalNumber": p.ordinal_number,
                "method": "PUT",
                "url": format!("{base}/storage/batch/{session_ref}/parts/{}?sig={}", p.ordinal_number, signature(&sim, &session_ref, p.ordinal_number)),
                "headers": {"x-ms-blob-type": "BlockBlob"},
            })
        })
        .collect();
    let status = if key.is_some() {
        Status::new(100, "Sesja wsadowa rozpoczęta")
    } else {
        Status::new(415, "Błąd odszyfrowania dostarczonego klucza")
    };
    let mut st = sim.state();
    let auth_document_hash = st
        .auths
        .get(&claims.arn)
        .map(|a| a.document_hash.clone())
        .unwrap_or_default();
    let auth_token_reference = st.auths.get(&claims.arn).and_then(|a| a.token_ref.clone());
    let parts = f
        .file_parts
        .iter()
        .map(|p| BatchPart {
            ordinal: p.ordinal_number,
            size: p.file_size,
            hash: p.file_hash.clone(),
            data: None,
        })
        .collect();
    let window = Duration::minutes(20) * i32::try_from(n).unwrap_or(50);
    st.sessions.insert(
        session_ref.clone(),
        Session {
            reference: session_ref.clone(),
            kind: SessionKind::Batch,
            system_code: req.form_code.system_code,
            schema_version: req.form_code.schema_version,
            form_value: req.form_code.value,
            key,
            status,
            created: now,
            updated: now,
            valid_until: now + window,
            context: context_of(&claims),
            subject: Ident::new(&claims.sut, &claims.suv),
            auth_document_hash,
            auth_token_reference,
            permissions: claims.per.clone(),
            invoices: Vec::new(),
            upo_pages: Vec::new(),
            batch: Some(BatchInfo {
                file_size: f.file_size,
                file_hash: f.file_hash.clone(),
                compression,
                parts,
                offline_mode: req.offline_mode,
                upload_deadline: now + window,
            }),
        },
    );
    Ok((
        StatusCode::CREATED,
        axum::Json(json!({"referenceNumber": session_ref, "partUploadRequests": uploads})),
    ))
}

#[derive(Deserialize)]
struct Sig {
    sig: Option<String>,
}

/// `PUT` of one part: no bearer, signature in the URL, refused (403) after the window.
async fn upload(
    State(sim): State<Simulator>,
    Path((session_ref, n)): Path<(String, u32)>,
    Query(q): Query<Sig>,
    body: Bytes,
) -> StatusCode {
    if q.sig.as_deref() != Some(signature(&sim, &session_ref, n).as_str()) {
        return StatusCode::FORBIDDEN;
    }
    let now = sim.now();
    let mut st = sim.state();
    let Some(b) = st
        .sessions
        .get_mut(&session_ref)
        .and_then(|s| s.batch.as_mut())
    else {
        return StatusCode::NOT_FOUND;
    };
    if now > b.upload_deadline {
        return StatusCode::FORBIDDEN;
    }
    match b.parts.iter_mut().find(|p| p.ordinal == n) {
        Some(p) => {
            p.data = Some(body.to_vec());
            StatusCode::CREATED
        }
        None => StatusCode::BAD_REQUEST,
    }
}

async fn close(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    Path(session_ref): Path<String>,
) -> ApiResult<StatusCode> {
    let claims = access(&sim, &headers, WRITE)?;
    let context = context_of(&claims);
    let now = sim.now();
    {
        let mut st = sim.state();
        let s = own_session(&mut st.sessions, &session_ref, &context, SessionKind::Batch)?;
        if s.status.code != 100 {
            return Err(ApiError::bad(
                21180,
                [format!(
                    "Status sesji ({}) uniemożliwia jej zamknięcie.",
                    s.status.code
                )],
            ));
        }
        let Some(b) = s.batch.as_ref() else {
            return Err(no_session(&session_ref));
        };
        if now > b.upload_deadline {
            s.status = Status::new(440, "Sesja anulowana").detail("Przekroczono czas wysyłki");
            s.updated = now;
            return Err(ApiError::bad(
                21208,
                ["Sesja anulowana, przekroczony czas wysyłki."],
            ));
        }
        if let Some(p) = b.parts.iter().find(|p| p.data.is_none()) {
            return Err(ApiError::bad(
                21205,
                [format!(
                    "Nie przesłano zadeklarowanej '{}' części pliku.",
                    p.ordinal
                )],
            ));
        }
        if let Some(p) = b
            .parts
            .iter()
            .find(|p| p.data.as_ref().is_some_and(|d| d.len() as u64 != p.size))
        {
            return Err(ApiError::bad(
                21157,
                [format!(
                    "Zadeklarowany rozmiar części '{}' nie zgadza się z rzeczywistym.",
                    p.ordinal
                )],
            ));
        }
        s.status = Status::new(150, "Trwa przetwarzanie");
        s.updated = now;
    }
    let task_sim = sim.clone();
    tokio::spawn(async move { process(task_sim, session_ref).await });
    Ok(StatusCode::NO_CONTENT)
}

fn fail(sim: &Simulator, session_ref: &str, status: Status) {
    let now = sim.now();
    if let Some(s) = sim.state().sessions.get_mut(session_ref) {
        s.status = status;
        s.updated = now;
        if let Some(b) = s.batch.as_mut() {
            b.parts.clear();
        }
    }
}

/// Unpacks the archive into (file name, bytes).
fn unpack(archive: &[u8], compression: &str) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut out = Vec::new();
    if compression == "TarGz" {
        let gz = flate2::read::GzDecoder::new(Cursor::new(archive));
        let mut tar = tar::Archive::new(gz);
        for entry in tar.entries().map_err(|e| e.to_string())? {
            let entry = entry.map_err(|e| e.to_string())?;
            if !entry.header().entry_type().is_file() {
                continue;
            }
            let name = entry
                .path()
                .map_err(|e| e.to_string())?
                .to_string_lossy()
                .into_owned();
            let mut data = Vec::new();
            entry
                .take(MAX_FILE)
                .read_to_end(&mut data)
                .map_err(|e| e.to_string())?;
            out.push((name, data));
        }
    } else {
        let mut zip = zip::ZipArchive::new(Cursor::new(archive)).map_err(|e| e.to_string())?;
        for i in 0..zip.len() {
            let file = zip.by_index(i).map_err(|e| e.to_string())?;
            if file.is_dir() {
                continue;
            }
            let name = file.name().map_err(|e| e.to_string())?.into_owned();
            let mut data = Vec::new();
            file.take(MAX_FILE)
                .read_to_end(&mut data)
                .map_err(|e| e.to_string())?;
            out.push((name, data));
        }
    }
    Ok(out)
}

async fn process(sim: Simulator, session_ref: String) {
    tokio::time::sleep(sim.config().delays.invoice_accept).await;
    let snapshot = {
        let st = sim.state();
        st.sessions.get(&session_ref).and_then(|s| {
            let b = s.batch.as_ref()?;
            Some((s.key.clone(), b.clone(), s.created))
        })
    };
    let Some((key, batch, opened)) = snapshot else {
        return;
    };
    // 1. Part hashes.
    for p in &batch.parts {
        let data = p.data.as_deref().unwrap_or_default();
        if Sha256Hash::of(data).to_base64() != p.hash {
            let s = Status::new(
                405,
                "Błąd weryfikacji poprawności dostarczonych elementów paczki",
            )
            .detail(format!(
                "Skrót części '{}' nie zgadza się z zadeklarowanym.",
                p.ordinal
            ));
            return fail(&sim, &session_ref, s);
        }
    }
    // 2. Key; 3. parts decryption.
    let Some(key) = key else {
        return fail(
            &sim,
            &session_ref,
            Status::new(415, "Błąd odszyfrowania dostarczonego klucza"),
        );
    };
    let mut parts = batch.parts.clone();
    parts.sort_by_key(|p| p.ordinal);
    let mut archive = Vec::new();
    for p in &parts {
        match key.decrypt_bytes(p.data.as_deref().unwrap_or_default()) {
            Ok(mut d) => archive.append(&mut d),
            Err(_) => {
                let s = Status::new(435, "Błąd odszyfrowania zaszyfrowanych części archiwum");
                return fail(&sim, &session_ref, s);
            }
        }
    }
    // 4. Archive size/hash and unpacking.
    let decompress =
        |d: String| Status::new(430, "Błąd dekompresji pierwotnego archiwum").detail(d);
    if archive.len() as u64 != batch.file_size
        || Sha256Hash::of(&archive).to_base64() != batch.file_hash
    {
        return fail(
            &sim,
            &session_ref,
            decompress("Rozmiar lub skrót archiwum nie zgadza się z zadeklarowanym.".into()),
        );
    }
    let files = match unpack(&archive, &batch.compression) {
        Ok(f) => f,
        Err(e) => return fail(&sim, &session_ref, decompress(e)),
    };
    drop(archive);
    // 5. Invoice count.
    let max = {
        let st = sim.state();
        let ctx = st.sessions.get(&session_ref).map(|s| s.context.clone());
        ctx.map_or(0, |c| {
            st.limits_for(&c, sim.config().max_invoices_per_session)
                .batch_session
                .max_invoices as usize
        })
    };
    if files.len() > max {
        return fail(
            &sim,
            &session_ref,
            Status::new(420, "Przekroczony limit faktur w sesji"),
        );
    }
    // 6. Every file through the per-invoice pipeline.
    let now = sim.now();
    let refs: Vec<String> = {
        let mut st = sim.state();
        let mut rng = sim.rng();
        let Some(s) = st.sessions.get_mut(&session_ref) else {
            return;
        };
        let mut refs = Vec::with_capacity(files.len());
        for (i, (name, data)) in files.into_iter().enumerate() {
            let r = reference(RefType::Invoice, now, &mut rng);
            s.invoices.push(Invoice {
                ordinal: u32::try_from(i + 1).unwrap_or(u32::MAX),
                reference: r.clone(),
                invoice_hash: Sha256Hash::of(&data).to_base64(),
                invoice_size: data.len() as u64,
                encrypted: Vec::new(),
                offline_mode: batch.offline_mode,
                hash_of_corrected: None,
                invoicing_date: opened,
                status: Status::new(100, "Faktura przyjęta do dalszego przetwarzania"),
                invoice_number: None,
                seller_nip: None,
                issue_date: None,
                kind: None,
                ksef_number: None,
                acquisition_date: None,
                permanent_storage_date: None,
                offline: batch.offline_mode,
                xml: None,
                corrected_by: None,
                file_name: Some(name),
                plain: Some(data),
            });
            refs.push(r);
        }
        if let Some(b) = s.batch.as_mut() {
            b.parts.clear();
        }
        s.updated = now;
        refs
    };
    for r in &refs {
        crate::pipeline::process(&sim, &session_ref, r).await;
    }
    crate::pipeline::maybe_finish(sim, session_ref);
}
