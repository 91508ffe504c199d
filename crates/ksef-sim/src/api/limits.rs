//! `GET /rate-limits` and the rate-limit test-data endpoints (DIGEST §17, §18).

use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::{get, post};
use serde::Deserialize;

use super::{JsonBody, access};
use crate::Simulator;
use crate::error::ApiResult;
use crate::ratelimit::{PRODUCTION, Table};
use crate::state::{Ident, SessionLimits};

pub(super) fn routes() -> Router<Simulator> {
    Router::new()
        .route("/rate-limits", get(effective))
        .route("/testdata/rate-limits", post(set).delete(restore))
        .route("/testdata/rate-limits/production", post(production))
        .route("/limits/context", get(context_limits))
        .route("/limits/subject", get(subject_limits))
        .route(
            "/testdata/limits/context/session",
            post(set_session_limits).delete(reset_session_limits),
        )
}

async fn effective(
    State(sim): State<Simulator>,
    headers: HeaderMap,
) -> ApiResult<axum::Json<Table>> {
    access(&sim, &headers, &[])?;
    Ok(axum::Json(sim.state().rate_table.unwrap_or(PRODUCTION)))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SetReq {
    rate_limits: Table,
}

/// Sets custom limits for the simulator (on TEST: for the caller's context) and turns
/// rate limiting on.
async fn set(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    JsonBody(r): JsonBody<SetReq>,
) -> ApiResult<()> {
    access(&sim, &headers, &[])?;
    sim.state().rate_table = Some(r.rate_limits);
    sim.update_config(|c| c.rate_limits = true);
    Ok(())
}

/// Restores the default limits.
async fn restore(State(sim): State<Simulator>, headers: HeaderMap) -> ApiResult<()> {
    access(&sim, &headers, &[])?;
    sim.state().rate_table = None;
    Ok(())
}

/// Applies the production limits and turns rate limiting on.
async fn production(State(sim): State<Simulator>, headers: HeaderMap) -> ApiResult<()> {
    access(&sim, &headers, &[])?;
    sim.state().rate_table = Some(PRODUCTION);
    sim.update_config(|c| c.rate_limits = true);
    Ok(())
}

/// `GET /limits/context`: the session limits of the caller's context.
async fn context_limits(
    State(sim): State<Simulator>,
    headers: HeaderMap,
) -> ApiResult<axum::Json<SessionLimits>> {
    let c = access(&sim, &headers, &[])?;
    let max = sim.config().max_invoices_per_session;
    Ok(axum::Json(
        sim.state().limits_for(&Ident::new(&c.cit, &c.civ), max),
    ))
}

/// `GET /limits/subject`: certificate limits (DIGEST §13: NIP 300/100, PESEL and
/// fingerprint 12/6). Certificates themselves are not simulated yet.
async fn subject_limits(
    State(sim): State<Simulator>,
    headers: HeaderMap,
) -> ApiResult<axum::Json<serde_json::Value>> {
    let c = access(&sim, &headers, &[])?;
    let (e, k) = if c.sut == "Nip" { (300, 100) } else { (12, 6) };
    Ok(axum::Json(serde_json::json!({
        "enrollment": {"maxEnrollments": e},
        "certificate": {"maxCertificates": k},
    })))
}

/// Overrides the session limits of the caller's context.
async fn set_session_limits(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    JsonBody(r): JsonBody<SessionLimits>,
) -> ApiResult<()> {
    let c = access(&sim, &headers, &[])?;
    sim.state()
        .context_limits
        .insert(Ident::new(&c.cit, &c.civ), r);
    Ok(())
}

/// Restores the default session limits of the caller's context.
async fn reset_session_limits(State(sim): State<Simulator>, headers: HeaderMap) -> ApiResult<()> {
    let c = access(&sim, &headers, &[])?;
    sim.state()
        .context_limits
        .remove(&Ident::new(&c.cit, &c.civ));
    Ok(())
}
