//! The one error type of the proxy: every refusal is a small JSON body that names what
//! was refused, never upstream internals.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Why the proxy refused or failed a request.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The environment segment is not configured.
    #[error("unknown environment `{0}`")]
    UnknownEnv(String),
    /// Method + path is not an operation of the KSeF OpenAPI contract.
    #[error("{method} {path} is not a KSeF API operation")]
    NotAllowed {
        /// The refused method.
        method: String,
        /// The refused path (relative to `/v2`).
        path: String,
    },
    /// The request body is larger than the route allows.
    #[error("request body larger than {limit} bytes")]
    TooLarge {
        /// The route's limit in bytes.
        limit: u64,
    },
    /// A storage link whose signature, expiry or host does not check out.
    #[error("storage link refused: {0}")]
    BadLink(&'static str),
    /// Permissions are on and the user token is missing or invalid.
    #[error("user token missing or invalid ({reason}); permission `{permission}` required")]
    Unauthenticated {
        /// The permission the route needs.
        permission: &'static str,
        /// Why the token was not accepted.
        reason: &'static str,
    },
    /// Permissions are on and the user lacks the route's permission.
    #[error("permission `{0}` missing")]
    Forbidden(&'static str),
    /// The client stopped sending its request body (no data for the upstream timeout).
    #[error("request body stalled")]
    RequestTimeout,
    /// KSeF did not answer within the route's timeout.
    #[error("upstream timed out")]
    UpstreamTimeout,
    /// KSeF could not be reached or the exchange broke (which step: `connect`,
    /// `exchange`, `body`).
    #[error("upstream unavailable ({0})")]
    Upstream(&'static str),
}

impl AppError {
    fn parts(&self) -> (StatusCode, &'static str) {
        match self {
            Self::UnknownEnv(_) | Self::NotAllowed { .. } => (StatusCode::NOT_FOUND, "not-allowed"),
            Self::TooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "too-large"),
            Self::BadLink(_) => (StatusCode::FORBIDDEN, "bad-link"),
            Self::Unauthenticated { .. } => (StatusCode::UNAUTHORIZED, "unauthenticated"),
            Self::Forbidden(_) => (StatusCode::FORBIDDEN, "missing-permission"),
            Self::RequestTimeout => (StatusCode::REQUEST_TIMEOUT, "request-timeout"),
            Self::UpstreamTimeout => (StatusCode::GATEWAY_TIMEOUT, "upstream-timeout"),
            Self::Upstream(_) => (StatusCode::BAD_GATEWAY, "upstream-unavailable"),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code) = self.parts();
        let mut body = json!({"error": code, "message": self.to_string()});
        match &self {
            Self::Unauthenticated { permission, .. } | Self::Forbidden(permission) => {
                body["permission"] = json!(permission);
            }
            Self::TooLarge { limit } => body["limit"] = json!(limit),
            _ => {}
        }
        (status, Json(body)).into_response()
    }
}
