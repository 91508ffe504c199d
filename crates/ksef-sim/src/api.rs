//! The HTTP surface: routing and what the handlers share (JSON bodies with KSeF
//! validation errors, bearer tokens, permissions, client IP, own base URL).

mod auth;
mod batch;
mod certificates;
mod control;
mod limits;
mod qr;
mod security;
mod sessions;
mod testdata;
mod tokens;

use std::net::SocketAddr;

use axum::Router;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use axum::middleware;
use serde::de::DeserializeOwned;

use crate::Simulator;
use crate::error::{ApiError, ApiResult};
use crate::jwt::{self, Claims, TokenType};
use crate::state::{Ident, State};

pub(crate) fn router(sim: Simulator) -> Router {
    let v2 = Router::new()
        .merge(security::routes())
        .merge(auth::routes())
        .merge(testdata::routes())
        .merge(limits::routes())
        .merge(batch::routes())
        .merge(tokens::routes())
        .merge(certificates::routes())
        .merge(sessions::routes());
    // KSeF bodies: an online invoice with attachments is ≤ 3 MB, i.e. ≈ 4 MB of Base64.
    let v2 = v2
        .layer(axum::extract::DefaultBodyLimit::max(8 * 1024 * 1024))
        .layer(middleware::from_fn(test_warning));
    Router::new()
        .nest("/v2", v2)
        .merge(sessions::storage_routes())
        .merge(batch::storage_routes())
        .merge(control::routes())
        .merge(qr::routes())
        .layer(middleware::from_fn_with_state(sim.clone(), ip_policy))
        .layer(middleware::from_fn_with_state(sim.clone(), rate_limit))
        .layer(middleware::from_fn_with_state(
            sim.clone(),
            crate::error::render,
        ))
        .layer(middleware::from_fn_with_state(sim.clone(), control::faults))
        .with_state(sim)
}

/// Echoes `X-Test-System-Warning` as the `X-System-Warning` response header (DIGEST §2:
/// TEST only; warnings are ASCII-folded).
async fn test_warning(req: Request, next: middleware::Next) -> axum::response::Response {
    let warning = req
        .headers()
        .get("x-test-system-warning")
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let mut res = next.run(req).await;
    if let Some(w) = warning {
        let folded: String = w
            .chars()
            .map(fold)
            .filter(|c| c.is_ascii() && !c.is_ascii_control())
            .collect();
        if let Ok(v) = axum::http::HeaderValue::from_str(&folded) {
            res.headers_mut().insert("x-system-warning", v);
        }
    }
    res
}

/// Polish letters without diacritics.
fn fold(c: char) -> char {
    match c {
        'ą' => 'a',
        'ć' => 'c',
        'ę' => 'e',
        'ł' => 'l',
        'ń' => 'n',
        'ó' => 'o',
        'ś' => 's',
        'ź' | 'ż' => 'z',
        'Ą' => 'A',
        'Ć' => 'C',
        'Ę' => 'E',
        'Ł' => 'L',
        'Ń' => 'N',
        'Ó' => 'O',
        'Ś' => 'S',
        'Ź' | 'Ż' => 'Z',
        c => c,
    }
}

/// Refuses calls whose token comes from an authentication with `AllowedIps` that do not
/// include the caller's IP (403 `ip-not-allowed`, DIGEST §5.7).
async fn ip_policy(
    axum::extract::State(sim): axum::extract::State<Simulator>,
    req: Request,
    next: middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let claims = req
        .headers()
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "))
        .and_then(|t| {
            let all = [
                TokenType::AuthenticationToken,
                TokenType::ContextToken,
                TokenType::RefreshToken,
            ];
            jwt::verify(sim.jwt_secret(), t.trim(), sim.now().unix_timestamp(), &all).ok()
        });
    if let Some(c) = claims {
        let ip = req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map_or_else(|| "127.0.0.1".to_owned(), |c| c.0.ip().to_string());
        let allowed = sim
            .state()
            .auths
            .get(&c.arn)
            .and_then(|a| a.allowed_ips.clone())
            .is_none_or(|a| a.allows(&ip));
        if !allowed {
            return ApiError::Forbidden {
                reason_code: "ip-not-allowed".to_owned(),
                detail: format!(
                    "Żądanie z adresu IP {ip} jest niedozwolone dla tej sesji uwierzytelnienia."
                ),
                security: Some(serde_json::json!({"clientIp": ip})),
            }
            .into_response();
        }
    }
    next.run(req).await
}

/// Applies the rate limits when enabled (DIGEST §17).
async fn rate_limit(
    axum::extract::State(sim): axum::extract::State<Simulator>,
    req: Request,
    next: middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    if !sim.config().rate_limits {
        return next.run(req).await;
    }
    let Some(group) = crate::ratelimit::group(req.method().as_str(), req.uri().path()) else {
        return next.run(req).await;
    };
    let ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "127.0.0.1".to_owned(), |c| c.0.ip().to_string());
    let context = req
        .headers()
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "))
        .and_then(|t| {
            let all = [
                TokenType::AuthenticationToken,
                TokenType::ContextToken,
                TokenType::RefreshToken,
            ];
            jwt::verify(sim.jwt_secret(), t.trim(), sim.now().unix_timestamp(), &all).ok()
        })
        .map(|c| format!("{}:{}", c.cit, c.civ))
        .unwrap_or_default();
    let now = sim.now();
    let verdict = {
        let mut st = sim.state();
        let table = st.rate_table.unwrap_or(crate::ratelimit::PRODUCTION);
        let verdict = st.limiter.hit(&table, &context, &ip, group, now);
        if verdict.is_err() {
            st.too_many_requests += 1;
        }
        verdict
    };
    match verdict {
        Ok(()) => next.run(req).await,
        Err((retry_after, detail)) => ApiError::TooManyRequests {
            retry_after,
            detail,
        }
        .into_response(),
    }
}

/// A JSON body whose rejections are KSeF 21405 validation errors.
pub(crate) struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| ApiError::validation(e.body_text()))?;
        serde_json::from_slice(&bytes)
            .map(JsonBody)
            .map_err(|e| ApiError::validation(format!("Nieprawidłowe dane wejściowe: {e}")))
    }
}

/// The client's IP as the simulator sees it (`clientIp` of the challenge).
pub(crate) struct ClientIp(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or_else(|| "127.0.0.1".to_owned(), |c| c.0.ip().to_string());
        Ok(ClientIp(ip))
    }
}

/// `http://<Host>` of the request, for URLs the API returns (DIGEST §1: returned URLs use
/// the host that was called).
pub(crate) fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    format!("http://{host}")
}

/// Verifies the bearer token for one of `allowed` types; anything else is 401.
pub(crate) fn bearer(
    sim: &Simulator,
    headers: &HeaderMap,
    allowed: &[TokenType],
) -> ApiResult<Claims> {
    let token = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "))
        .ok_or_else(ApiError::unauthorized)?;
    jwt::verify(
        sim.jwt_secret(),
        token.trim(),
        sim.now().unix_timestamp(),
        allowed,
    )
    .map_err(|_| ApiError::unauthorized())
}

/// An access token holding any of `required` permissions (else 403 missing-permissions).
pub(crate) fn access(sim: &Simulator, headers: &HeaderMap, required: &[&str]) -> ApiResult<Claims> {
    let claims = bearer(sim, headers, &[TokenType::ContextToken])?;
    if !required.is_empty() && !required.iter().any(|r| claims.per.iter().any(|p| p == r)) {
        return Err(ApiError::missing_permissions(required, &claims.per));
    }
    Ok(claims)
}

/// What the `Owner` of a context holds (every permission except VatUeManage; DIGEST §5.4).
pub(crate) const OWNER_PERMISSIONS: &[&str] = &[
    "InvoiceWrite",
    "InvoiceRead",
    "CredentialsManage",
    "CredentialsRead",
    "Introspection",
    "SubunitManage",
];

/// The permissions `subject` holds in `context`: the owner rule (subject NIP = context
/// NIP, or a PESEL linked to the context NIP via `/testdata/person`) and grants from
/// `/testdata/permissions`.
pub(crate) fn permissions_of(st: &State, context: &Ident, subject: &Ident) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if context.kind == "Nip" {
        let person = st.persons.get(&context.value);
        let owner = (subject.kind == "Nip" && subject.value == context.value)
            || (subject.kind == "Pesel" && person.is_some_and(|p| p.pesel == subject.value));
        if owner {
            out.extend(OWNER_PERMISSIONS.iter().map(|s| (*s).to_owned()));
            if person.is_some_and(|p| p.is_bailiff) {
                out.push("EnforcementOperations".to_owned());
            }
        }
        for g in &st.grants {
            if g.context_nip == context.value
                && g.subject == *subject
                && !out.contains(&g.permission)
            {
                out.push(g.permission.clone());
            }
        }
    }
    out
}
