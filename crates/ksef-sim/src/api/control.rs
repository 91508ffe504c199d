//! Control API for tests (`/_sim/...`), separate from the KSeF paths, plus the Latarnia
//! status service (`/status`, `/messages`, DIGEST §1) and fault injection.
//!
//! | method & path | body | effect |
//! |---|---|---|
//! | `POST /_sim/reset` | – | forget all state, restore start-up keys |
//! | `GET/PUT /_sim/delays` | `Delays` (ms) | processing delays (all 0 = unit-test mode) |
//! | `PUT /_sim/clock` | `{"offsetSeconds": i64}` | shift the simulator clock |
//! | `PUT /_sim/faults` | `{"latencyMs", "failNext", "dropNext", "slowBodyMs"}` | latency, 5xx, dropped connections, slow body (64-byte chunks, delay before each) |
//! | `PUT /_sim/rate-limits` | `{"enabled": bool}` | switch rate limiting on/off (off by default) |
//! | `PUT /_sim/profile` | `{"profile": "Test"|"Prod"}` | rules profile |
//! | `POST /_sim/latarnia` | `{"action": "maintenance"|"failureStart"|"failureEnd"|"totalFailure"|"clear", "title"?, "text"?}` | status service |
//! | `POST /_sim/keys` | `{"usage": "SymmetricKeyEncryption"|"KsefTokenEncryption"}` | add (rotate in) an MF key |
//! | `POST /_sim/keys/revoke` | `{"publicKeyId"}` | revoke an MF key (its id → 21470) |
//! | `GET /_sim/stats` | – | `{"tooManyRequests", "invoices", "accepted", "acceptedByHash": {hash: n}}`: 429 answers given, invoices received, accepted (200) in total and per Base64 invoice hash |
//! | `POST /_sim/demo-credentials` | `{"nip", "certificateType": "Authentication"|"Offline", "password"}` | self-signed TEST-style certificate + encrypted PKCS#8 key |
//! | `POST /_sim/certificates` | `{"certificate": PEM or Base64 DER, "name"?, "revoked"?: bool}` | record a certificate made elsewhere as issued by KSeF to the subject it names (listed by `/certificates/query`, accepted in KOD II); `revoked` revokes it |

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use ksef_core::crypto::MfKeyUsage;
use serde::Deserialize;
use serde_json::json;

use super::JsonBody;
use crate::Simulator;
use crate::config::{Delays, RulesProfile};
use crate::error::{ApiError, ApiResult};
use crate::keys::MfKey;
use crate::state::LatarniaMessage;
use crate::util::fmt_ts;

pub(super) fn routes() -> Router<Simulator> {
    Router::new()
        .route("/_sim/reset", post(reset))
        .route("/_sim/delays", get(get_delays).put(put_delays))
        .route("/_sim/clock", put(clock))
        .route("/_sim/faults", put(faults_put))
        .route("/_sim/profile", put(profile))
        .route("/_sim/rate-limits", put(rate_limits))
        .route("/_sim/latarnia", post(latarnia))
        .route("/_sim/keys", post(add_key))
        .route("/_sim/keys/revoke", post(revoke_key))
        .route("/_sim/demo-credentials", post(demo_credentials))
        .route("/_sim/certificates", post(super::certificates::register))
        .route("/_sim/stats", get(stats))
        .route("/status", get(status))
        .route("/messages", get(messages))
}

/// Applies injected faults to KSeF paths (never to `/_sim`).
pub(crate) async fn faults(State(sim): State<Simulator>, req: Request, next: Next) -> Response {
    if req.uri().path().starts_with("/_sim") {
        return next.run(req).await;
    }
    let (latency, fail, drop, slow) = {
        let mut st = sim.state();
        let f = &mut st.faults;
        let fail = f.fail_next > 0;
        let drop = !fail && f.drop_next > 0;
        if fail {
            f.fail_next -= 1;
        } else if drop {
            f.drop_next -= 1;
        }
        (f.latency_ms, fail, drop, f.slow_body_ms)
    };
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    if fail {
        return ApiError::Internal("Wstrzyknięty błąd symulatora.".into()).into_response();
    }
    if drop {
        // A body that fails at once makes the server abort the connection mid-response.
        let stream = futures_util::stream::once(async {
            Err::<axum::body::Bytes, std::io::Error>(std::io::Error::other(
                "dropped by fault injection",
            ))
        });
        return (StatusCode::OK, Body::from_stream(stream)).into_response();
    }
    let res = next.run(req).await;
    if slow == 0 {
        return res;
    }
    let (parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return ApiError::Internal("body".into()).into_response();
    };
    let chunks: Vec<axum::body::Bytes> = bytes
        .chunks(64)
        .map(axum::body::Bytes::copy_from_slice)
        .collect();
    let stream = futures_util::stream::unfold(chunks.into_iter(), move |mut it| async move {
        let chunk = it.next()?;
        tokio::time::sleep(Duration::from_millis(slow)).await;
        Some((Ok::<_, std::io::Error>(chunk), it))
    });
    let mut parts = parts;
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from_stream(stream))
}

/// Counters for tests: 429 answers, invoices received, accepted ones per hash (to prove
/// that no invoice was lost or accepted twice).
async fn stats(State(sim): State<Simulator>) -> axum::Json<serde_json::Value> {
    let st = sim.state();
    let mut by_hash: std::collections::BTreeMap<&str, u64> = std::collections::BTreeMap::new();
    let mut invoices = 0u64;
    for i in st.sessions.values().flat_map(|s| &s.invoices) {
        invoices += 1;
        if i.status.code == 200 {
            *by_hash.entry(i.invoice_hash.as_str()).or_default() += 1;
        }
    }
    axum::Json(json!({
        "tooManyRequests": st.too_many_requests,
        "invoices": invoices,
        "accepted": by_hash.values().sum::<u64>(),
        "acceptedByHash": by_hash,
    }))
}

async fn reset(State(sim): State<Simulator>) -> StatusCode {
    sim.reset();
    StatusCode::NO_CONTENT
}

async fn get_delays(State(sim): State<Simulator>) -> axum::Json<Delays> {
    axum::Json(sim.config().delays)
}

async fn put_delays(State(sim): State<Simulator>, JsonBody(d): JsonBody<Delays>) -> StatusCode {
    sim.update_config(|c| c.delays = d);
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ClockReq {
    offset_seconds: i64,
}

async fn clock(State(sim): State<Simulator>, JsonBody(r): JsonBody<ClockReq>) -> StatusCode {
    sim.set_clock_offset(time::Duration::seconds(r.offset_seconds));
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FaultsReq {
    #[serde(default)]
    latency_ms: u64,
    #[serde(default)]
    fail_next: u32,
    #[serde(default)]
    drop_next: u32,
    #[serde(default)]
    slow_body_ms: u64,
}

async fn faults_put(State(sim): State<Simulator>, JsonBody(r): JsonBody<FaultsReq>) -> StatusCode {
    let mut st = sim.state();
    st.faults.latency_ms = r.latency_ms;
    st.faults.fail_next = r.fail_next;
    st.faults.drop_next = r.drop_next;
    st.faults.slow_body_ms = r.slow_body_ms;
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct ProfileReq {
    profile: RulesProfile,
}

async fn profile(State(sim): State<Simulator>, JsonBody(r): JsonBody<ProfileReq>) -> StatusCode {
    sim.update_config(|c| c.profile = r.profile);
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LatarniaReq {
    action: String,
    title: Option<String>,
    text: Option<String>,
}

async fn latarnia(
    State(sim): State<Simulator>,
    JsonBody(r): JsonBody<LatarniaReq>,
) -> ApiResult<StatusCode> {
    let now = fmt_ts(sim.now());
    let mut st = sim.state();
    let open_failure = st
        .latarnia
        .iter()
        .rev()
        .find(|m| m.kind == "FAILURE_START" && m.end.is_none())
        .map(|m| (m.event_id, m.category.clone()));
    let next_event = st.latarnia.iter().map(|m| m.event_id).max().unwrap_or(0) + 1;
    let (category, kind, event_id, default_title) = match r.action.as_str() {
        "clear" => {
            st.latarnia.clear();
            return Ok(StatusCode::NO_CONTENT);
        }
        "maintenance" => (
            "MAINTENANCE",
            "MAINTENANCE_ANNOUNCEMENT",
            next_event,
            "Planowana niedostępność KSeF",
        ),
        "failureStart" => ("FAILURE", "FAILURE_START", next_event, "Awaria KSeF"),
        "totalFailure" => (
            "TOTAL_FAILURE",
            "FAILURE_START",
            next_event,
            "Awaria całkowita KSeF",
        ),
        "failureEnd" => {
            let Some((id, _)) = open_failure else {
                return Err(ApiError::validation(
                    "Brak trwającej awarii do zakończenia.",
                ));
            };
            for m in st.latarnia.iter_mut().filter(|m| m.event_id == id) {
                m.end = Some(now.clone());
            }
            let cat = open_failure
                .map(|(_, c)| c)
                .unwrap_or_else(|| "FAILURE".into());
            let version = 2;
            let msg = LatarniaMessage {
                id: format!("{id}-end"),
                event_id: id,
                category: cat,
                kind: "FAILURE_END".into(),
                title: r.title.unwrap_or_else(|| "Zakończenie awarii KSeF".into()),
                text: r.text.unwrap_or_default(),
                start: now.clone(),
                end: Some(now.clone()),
                version,
                published: now,
            };
            st.latarnia.push(msg);
            return Ok(StatusCode::NO_CONTENT);
        }
        other => return Err(ApiError::validation(format!("Nieznana akcja {other}."))),
    };
    st.latarnia.push(LatarniaMessage {
        id: format!("{event_id}"),
        event_id,
        category: category.into(),
        kind: kind.into(),
        title: r.title.unwrap_or_else(|| default_title.into()),
        text: r.text.unwrap_or_default(),
        start: now.clone(),
        end: None,
        version: 1,
        published: now,
    });
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /status`: AVAILABLE unless a failure is open (FAILURE / TOTAL_FAILURE) or a
/// maintenance is announced.
async fn status(State(sim): State<Simulator>) -> impl IntoResponse {
    let st = sim.state();
    let open: Vec<&LatarniaMessage> = st
        .latarnia
        .iter()
        .filter(|m| m.end.is_none() && m.kind != "FAILURE_END")
        .collect();
    let status = if open.iter().any(|m| m.category == "TOTAL_FAILURE") {
        "TOTAL_FAILURE"
    } else if open.iter().any(|m| m.category == "FAILURE") {
        "FAILURE"
    } else if open.iter().any(|m| m.category == "MAINTENANCE") {
        "MAINTENANCE"
    } else {
        "AVAILABLE"
    };
    axum::Json(json!({"status": status, "messages": open}))
}

async fn messages(State(sim): State<Simulator>) -> impl IntoResponse {
    axum::Json(json!(sim.state().latarnia))
}

#[derive(Deserialize)]
struct AddKeyReq {
    usage: MfKeyUsage,
}

async fn add_key(
    State(sim): State<Simulator>,
    JsonBody(r): JsonBody<AddKeyReq>,
) -> ApiResult<impl IntoResponse> {
    let now = sim.now();
    let key = {
        let mut rng = sim.rng();
        MfKey::generate(r.usage, 2048, now, &mut rng)
            .map_err(|e| ApiError::Internal(e.to_string()))?
    };
    let id = key.public_key_id();
    sim.state().mf_keys.push(key);
    Ok((StatusCode::CREATED, axum::Json(json!({"publicKeyId": id}))))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RevokeKeyReq {
    public_key_id: String,
}

async fn revoke_key(
    State(sim): State<Simulator>,
    JsonBody(r): JsonBody<RevokeKeyReq>,
) -> ApiResult<StatusCode> {
    let mut st = sim.state();
    let k = st
        .mf_keys
        .iter_mut()
        .find(|k| k.public_key_id() == r.public_key_id)
        .ok_or_else(|| ApiError::validation("Nieznany publicKeyId."))?;
    k.revoked = true;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DemoReq {
    nip: String,
    certificate_type: crate::demo::DemoType,
    password: String,
}

async fn demo_credentials(
    State(sim): State<Simulator>,
    JsonBody(r): JsonBody<DemoReq>,
) -> ApiResult<impl IntoResponse> {
    if r.password.is_empty() {
        return Err(ApiError::validation("Hasło nie może być puste."));
    }
    let now = sim.now();
    let creds =
        crate::demo::demo_credentials(&r.nip, r.certificate_type, &r.password, now, &mut sim.rng())
            .map_err(|e| ApiError::validation(e.to_string()))?;
    Ok(axum::Json(creds))
}

#[derive(Deserialize)]
struct RateLimitsReq {
    enabled: bool,
}

async fn rate_limits(
    State(sim): State<Simulator>,
    JsonBody(r): JsonBody<RateLimitsReq>,
) -> StatusCode {
    sim.update_config(|c| c.rate_limits = r.enabled);
    StatusCode::NO_CONTENT
}
