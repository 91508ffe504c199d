//! `GET /security/public-key-certificates` (DIGEST §4).

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::Simulator;
use crate::util::{b64, fmt_ts};

pub(super) fn routes() -> Router<Simulator> {
    Router::new().route("/security/public-key-certificates", get(list))
}

async fn list(State(sim): State<Simulator>) -> Json<Value> {
    let st = sim.state();
    let items: Vec<Value> = st
        .mf_keys
        .iter()
        .filter(|k| !k.revoked)
        .map(|k| {
            json!({
                "certificate": b64(k.certificate.der()),
                "certificateId": k.certificate.certificate_id(),
                "publicKeyId": k.public_key_id(),
                "validFrom": fmt_ts(k.certificate.not_before()),
                "validTo": fmt_ts(k.certificate.not_after()),
                "usage": [k.usage.as_str()],
            })
        })
        .collect();
    Json(Value::Array(items))
}
