//! `ksef-proxy`: the thin relay between the browser and KSeF 2.0.
//!
//! KSeF sends no CORS headers, so the browser calls it through this proxy; keys stay in
//! the browser and the proxy only relays what the browser already signed or encrypted.
//!
//! | Route | What |
//! |---|---|
//! | `ANY /{env}/v2/{*path}` | forwarded to the environment's base **only** for the methods and path templates of `open-api.json` ([`routes_gen::ROUTES`]); anything else → 404 JSON |
//! | `GET,PUT /{env}/storage?u&m&e&s` | signed storage links (batch part uploads, UPO downloads), see [`links`] |
//! | `GET /healthz` | `ok` |
//! | `/*` | the built web app (`web_dir`) with security headers |
//!
//! Rules: streamed bodies both ways with per-route limits (413), upstream timeouts (504),
//! unreachable upstream (502), status codes passed through, allow-listed headers both
//! ways ([`headers`]), CORS for configured origins, optional permission checks
//! ([`perms`], header `X-App-Authorization: Bearer <jwt>`), logs without bodies, tokens
//! or query strings.

pub mod config;
pub mod error;
pub mod headers;
pub mod links;
pub mod perms;
pub mod routes;
pub mod routes_gen;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use futures_util::TryStreamExt;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

pub use config::{Config, EnvConfig};
pub use error::AppError;

/// Content-Security-Policy of the served web app (wasm needs `wasm-unsafe-eval`).
pub const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
    connect-src 'self'; img-src 'self' data: blob:; style-src 'self'; object-src 'none'; \
    base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Largest upstream JSON the proxy buffers to rewrite storage links.
const REWRITE_LIMIT: usize = 4 * 1024 * 1024;

/// Shared state: configuration, the HTTP client and the link secret.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    token_key: Option<perms::TokenKey>,
    client: reqwest::Client,
    link_secret: Vec<u8>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("envs", &self.inner.config.envs.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// Errors building the state.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// The HTTP client could not be built (TLS backend).
    #[error("HTTP client: {0}")]
    Client(#[from] reqwest::Error),
    /// No randomness for the link secret.
    #[error("no randomness for the link secret")]
    Random,
    /// Permissions are on without a verification key.
    #[error("permissions enabled without permissions.hs256_secret or public_key_pem")]
    NoPermissionKey,
    /// The configured public key is unusable.
    #[error("permissions.public_key_pem: {0}")]
    BadPermissionKey(String),
}

impl AppState {
    /// Builds the state and its HTTP client (no redirects, no cookies, no proxy
    /// environment variables).
    ///
    /// # Errors
    /// See [`StateError`].
    pub fn new(config: Config) -> Result<Self, StateError> {
        let p = &config.permissions;
        let token_key = match (&p.public_key_pem, &p.hs256_secret) {
            (Some(pem), _) => {
                Some(perms::TokenKey::from_public_pem(pem).map_err(StateError::BadPermissionKey)?)
            }
            (None, Some(secret)) => Some(perms::TokenKey::Hs256(secret.as_bytes().to_vec())),
            (None, None) if p.enabled => return Err(StateError::NoPermissionKey),
            (None, None) => None,
        };
        let link_secret = match &config.link_secret {
            Some(s) => s.as_bytes().to_vec(),
            None => {
                let mut b = vec![0u8; 32];
                getrandom::fill(&mut b).map_err(|_| StateError::Random)?;
                b
            }
        };
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .connect_timeout(Duration::from_secs(10))
            .build()?;
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                token_key,
                client,
                link_secret,
            }),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }
}

/// The proxy application.
pub fn app(state: AppState) -> Router {
    let config = state.config().clone();
    let mut router = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/{env}/v2/{*path}", any(forward))
        .route("/{env}/storage", any(storage))
        .with_state(state);
    router = match &config.web_dir {
        Some(dir) => router.fallback_service(
            tower::ServiceBuilder::new()
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static(CSP),
                ))
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::REFERRER_POLICY,
                    HeaderValue::from_static("no-referrer"),
                ))
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::X_FRAME_OPTIONS,
                    HeaderValue::from_static("DENY"),
                ))
                .service(ServeDir::new(dir)),
        ),
        None => router.fallback(|req: Request| async move {
            AppError::NotAllowed {
                method: req.method().to_string(),
                path: req.uri().path().to_owned(),
            }
        }),
    };
    // Outer bounds: the whole exchange until response headers, and stalled client
    // uploads (no body frame for `upstream_timeout`). Per-route upstream waits are in
    // the handlers.
    router = router
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
            config.upstream_timeout(),
        ))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::GATEWAY_TIMEOUT,
            config.storage_timeout(),
        ));
    router = router.layer(SetResponseHeaderLayer::overriding(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    ));
    if !config.cors_origins.is_empty() {
        router = router.layer(cors(&config.cors_origins));
    }
    router
}

fn cors(origins: &[String]) -> CorsLayer {
    let origins: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    let mut allow: Vec<HeaderName> = headers::REQUEST
        .iter()
        .chain(headers::STORAGE_REQUEST)
        .filter(|h| **h != "content-length")
        .filter_map(|h| HeaderName::from_bytes(h.as_bytes()).ok())
        .collect();
    allow.push(HeaderName::from_static(perms::HEADER));
    let expose: Vec<HeaderName> = headers::RESPONSE
        .iter()
        .filter_map(|h| HeaderName::from_bytes(h.as_bytes()).ok())
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::DELETE,
            Method::PATCH,
        ])
        .allow_headers(allow)
        .expose_headers(expose)
        .max_age(Duration::from_secs(600))
}

fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn check_permission(
    state: &AppState,
    req: &Request,
    permission: Option<&'static str>,
) -> Result<(), AppError> {
    let enabled = state.config().permissions.enabled;
    let (true, Some(permission), Some(key)) = (enabled, permission, &state.inner.token_key) else {
        return Ok(());
    };
    let header = req
        .headers()
        .get(perms::HEADER)
        .and_then(|v| v.to_str().ok());
    perms::check(header, key, permission, now_unix())
}

/// Wraps a request body so that more than `limit` bytes abort the stream and set `over`.
fn limited(body: Body, limit: u64, over: Arc<AtomicBool>) -> reqwest::Body {
    let mut seen: u64 = 0;
    let stream = body
        .into_data_stream()
        .map_err(std::io::Error::other)
        .and_then(move |chunk| {
            seen += chunk.len() as u64;
            let over = over.clone();
            async move {
                if seen > limit {
                    over.store(true, Ordering::SeqCst);
                    Err(std::io::Error::other("body too large"))
                } else {
                    Ok(chunk)
                }
            }
        });
    reqwest::Body::wrap_stream(stream)
}

fn declared_length(req: &Request) -> Option<u64> {
    req.headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
}

async fn forward(
    State(state): State<AppState>,
    Path((env, path)): Path<(String, String)>,
    req: Request,
) -> Result<Response, AppError> {
    let started = Instant::now();
    let method = req.method().as_str().to_owned();
    let env_cfg = state
        .config()
        .envs
        .get(&env)
        .ok_or_else(|| AppError::UnknownEnv(env.clone()))?;
    let path = format!("/{path}");
    let Some(template) = routes::find(&method, &path) else {
        tracing::info!(env, method, "refused: not an API operation");
        return Err(AppError::NotAllowed { method, path });
    };
    check_permission(&state, &req, perms::required(&method, template))?;
    let limit = routes::body_limit(&method, template);
    if declared_length(&req).is_some_and(|n| n > limit) {
        return Err(AppError::TooLarge { limit });
    }
    let mut url = format!("{}/v2{path}", env_cfg.base.trim_end_matches('/'));
    if let Some(q) = req.uri().query() {
        url.push('?');
        url.push_str(q);
    }
    let mut fwd_headers = headers::filter(req.headers(), headers::REQUEST);
    let over = Arc::new(AtomicBool::new(false));
    let has_body = !matches!(method.as_str(), "GET" | "DELETE") && declared_length(&req) != Some(0);
    if !has_body {
        fwd_headers.remove(header::CONTENT_LENGTH);
        if method != "GET" && method != "DELETE" {
            fwd_headers.insert(header::CONTENT_LENGTH, HeaderValue::from_static("0"));
        }
    }
    let mut builder = state
        .inner
        .client
        .request(req.method().clone(), &url)
        // Whole exchange incl. streaming the response; the header wait is bounded below.
        .timeout(state.config().storage_timeout())
        .headers(fwd_headers);
    if has_body {
        builder = builder.body(limited(req.into_body(), limit, over.clone()));
    }
    let resp = send(builder, state.config().upstream_timeout(), &over, limit).await;
    let resp = match resp {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(env, method, route = template, error = %e, "upstream failed");
            return Err(e);
        }
    };
    let status = resp.status();
    tracing::info!(
        env,
        method,
        route = template,
        status = status.as_u16(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "forwarded"
    );
    let rewrite = template.starts_with("/sessions") || template.starts_with("/invoices/exports");
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/json"));
    if rewrite && is_json && status.is_success() {
        return rewrite_links(&state, &env, resp).await;
    }
    Ok(relay(resp))
}

async fn send(
    builder: reqwest::RequestBuilder,
    timeout: Duration,
    over: &AtomicBool,
    limit: u64,
) -> Result<reqwest::Response, AppError> {
    let result = tokio::time::timeout(timeout, builder.send()).await;
    if over.load(Ordering::SeqCst) {
        return Err(AppError::TooLarge { limit });
    }
    match result {
        Err(_) => Err(AppError::UpstreamTimeout),
        Ok(Err(e)) if e.is_timeout() => Err(AppError::UpstreamTimeout),
        Ok(Err(_)) => Err(AppError::Upstream),
        Ok(Ok(r)) => Ok(r),
    }
}

/// Streams an upstream response back with the allow-listed headers.
fn relay(resp: reqwest::Response) -> Response {
    let status = StatusCode::from_u16(resp.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
    let hdrs = headers::filter(resp.headers(), headers::RESPONSE);
    let mut out = Response::new(Body::from_stream(resp.bytes_stream()));
    *out.status_mut() = status;
    *out.headers_mut() = hdrs;
    out
}

async fn rewrite_links(
    state: &AppState,
    env: &str,
    resp: reqwest::Response,
) -> Result<Response, AppError> {
    let status = StatusCode::from_u16(resp.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
    let mut hdrs = headers::filter(resp.headers(), headers::RESPONSE);
    hdrs.remove(header::CONTENT_LENGTH);
    if resp
        .content_length()
        .is_some_and(|n| n as usize > REWRITE_LIMIT)
    {
        return Ok(relay(resp));
    }
    // Bounded even without a Content-Length.
    let mut resp = resp;
    let mut buf = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|_| AppError::Upstream)? {
        if buf.len() + chunk.len() > REWRITE_LIMIT {
            return Err(AppError::Upstream);
        }
        buf.extend_from_slice(&chunk);
    }
    let bytes = axum::body::Bytes::from(buf);
    let body = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(mut v) => {
            let exp = now_unix() + state.config().link_ttl_secs;
            if links::rewrite(
                &mut v,
                &state.inner.link_secret,
                env,
                exp,
                state
                    .config()
                    .public_url
                    .as_deref()
                    .unwrap_or("")
                    .trim_end_matches('/'),
            ) > 0
            {
                Body::from(v.to_string())
            } else {
                Body::from(bytes)
            }
        }
        Err(_) => Body::from(bytes),
    };
    let mut out = Response::new(body);
    *out.status_mut() = status;
    *out.headers_mut() = hdrs;
    Ok(out)
}

async fn storage(
    State(state): State<AppState>,
    Path(env): Path<String>,
    req: Request,
) -> Result<Response, AppError> {
    let started = Instant::now();
    let method = req.method().as_str().to_owned();
    let env_cfg = state
        .config()
        .envs
        .get(&env)
        .ok_or_else(|| AppError::UnknownEnv(env.clone()))?;
    if !matches!(method.as_str(), "GET" | "PUT") {
        return Err(AppError::NotAllowed {
            method,
            path: "/storage".into(),
        });
    }
    let url = links::verify(
        &state.inner.link_secret,
        &env,
        &method,
        req.uri().query().unwrap_or(""),
        now_unix(),
        &env_cfg.allowed_hosts(),
    )
    .inspect_err(|e| tracing::warn!(env, method, error = %e, "storage link refused"))?;
    let permission = if method == "PUT" {
        perms::CHANGE_DOCUMENT
    } else {
        perms::VIEW_DOCUMENT
    };
    check_permission(&state, &req, Some(permission))?;
    let limit = state.config().upload_limit;
    if declared_length(&req).is_some_and(|n| n > limit) {
        return Err(AppError::TooLarge { limit });
    }
    let over = Arc::new(AtomicBool::new(false));
    let mut builder = state
        .inner
        .client
        .request(req.method().clone(), url.clone())
        .timeout(state.config().storage_timeout());
    if method == "PUT" {
        builder = builder
            .headers(headers::filter(req.headers(), headers::STORAGE_REQUEST))
            .body(limited(req.into_body(), limit, over.clone()));
    }
    let resp = send(builder, state.config().storage_timeout(), &over, limit).await?;
    // Host and path only: the query holds the pre-signed `sig`.
    tracing::info!(
        env,
        method,
        host = url.host_str().unwrap_or(""),
        status = resp.status().as_u16(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "storage relayed"
    );
    Ok(relay(resp).into_response())
}
