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

pub(super) fn routes() -> Router<Simulator> {
    Router::new()
        .route("/rate-limits", get(effective))
        .route("/testdata/rate-limits", post(set).delete(restore))
        .route("/testdata/rate-limits/production", post(production))
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
