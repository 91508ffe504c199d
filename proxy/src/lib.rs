//! `ksef-proxy`: the thin relay between the browser and KSeF 2.0.
//!
//! KSeF sends no CORS headers, so the browser calls it through this proxy; keys stay in
//! the browser and the proxy only relays what the browser already signed or encrypted.
//!
//! | Route | What |
//! |---|---|
//! | `ANY /{env}/v2/{*path}` | forwarded to the environment's base **only** for the methods and path templates of `open-api.json` ([`routes_gen::ROUTES`]); anything else → 404 JSON |
//! | `GET,PUT /{env}/storage?u&m&e&s` | signed storage links (batch part uploads, UPO downloads), see [`links`] |
//! | `GET /{env}/latarnia/status`, `GET /{env}/latarnia/messages` | the status service "Latarnia" of the environment (public, no permission) |
//! | `GET /healthz` | `ok` |
//! | `GET /*` | the built web app (`web_dir`) with security headers and an SPA fallback, see [`web`] |
//!
//! Rules: streamed bodies both ways with per-route limits (413), stalled uploads (408),
//! upstream timeouts (504), unreachable upstream (502), status codes passed through,
//! allow-listed headers both ways ([`headers`]), CORS for configured origins, optional
//! permission checks ([`perms`], header `X-App-Authorization: Bearer <jwt>`), logs
//! without bodies, tokens or query strings. The upstream hop is [`upstream`].

pub mod config;
pub mod error;
pub mod headers;
pub mod links;
pub mod perms;
pub mod routes;
pub mod routes_gen;
pub mod upstream;
pub mod web;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, Uri, header};
use axum::response::Response;
use axum::routing::{any, get};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use tokio::time::Instant;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;

pub use config::{Config, EnvConfig};
pub use error::AppError;
pub use web::CSP;

use upstream::{Cutoff, RequestBody, ResponseBody};

/// Largest upstream JSON the proxy buffers to rewrite storage links.
const REWRITE_LIMIT: usize = 4 * 1024 * 1024;

/// Shared state: configuration, the HTTP client and the link secret.
///
/// Cloning is cheap. [`AppState::fork`] gives the same configuration and secrets with a
/// client of its own (one per runtime thread, see `main.rs`).
#[derive(Clone)]
pub struct AppState {
    shared: Arc<Shared>,
    client: upstream::Client,
}

struct Shared {
    config: Config,
    token_key: Option<perms::TokenKey>,
    link_secret: Vec<u8>,
    /// Per environment: the API base and the Latarnia base, trimmed of `/`.
    bases: BTreeMap<String, (String, Option<String>)>,
    web: Option<web::WebApp>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("envs", &self.shared.config.envs.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// Errors building the state.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// The HTTP client could not be built (TLS backend).
    #[error("HTTP client: {0}")]
    Client(#[from] rustls::Error),
    /// No randomness for the link secret.
    #[error("no randomness for the link secret")]
    Random,
    /// Permissions are on without a verification key.
    #[error("permissions enabled without permissions.hs256_secret or public_key_pem")]
    NoPermissionKey,
    /// The configured public key is unusable.
    #[error("permissions.public_key_pem: {0}")]
    BadPermissionKey(String),
    /// An environment base is not an absolute `http(s)` URL.
    #[error("envs.{0}: base and latarnia must be absolute http(s) URLs")]
    BadBase(String),
    /// A CORS origin is `*` or not a valid header value (origins are explicit).
    #[error("cors_origins: `{0}` is not an explicit origin like https://app.example")]
    BadOrigin(String),
}

fn valid_base(base: &str) -> bool {
    url::Url::parse(base).is_ok_and(|u| {
        matches!(u.scheme(), "http" | "https") && u.host_str().is_some() && u.query().is_none()
    })
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
        for o in &config.cors_origins {
            let explicit = o.starts_with("http://") || o.starts_with("https://");
            if !explicit || o.contains('*') || HeaderValue::from_str(o).is_err() {
                return Err(StateError::BadOrigin(o.clone()));
            }
        }
        let mut bases = BTreeMap::new();
        for (name, env) in &config.envs {
            let ok = valid_base(&env.base) && env.latarnia.as_deref().is_none_or(valid_base);
            if !ok {
                return Err(StateError::BadBase(name.clone()));
            }
            let trim = |s: &str| s.trim_end_matches('/').to_owned();
            bases.insert(
                name.clone(),
                (trim(&env.base), env.latarnia.as_deref().map(trim)),
            );
        }
        let web = config.web_dir.clone().map(web::WebApp::new);
        Ok(Self {
            shared: Arc::new(Shared {
                config,
                token_key,
                link_secret,
                bases,
                web,
            }),
            client: upstream::client()?,
        })
    }

    /// The same configuration and secrets (storage links stay valid) with a new
    /// connection pool, for another runtime.
    ///
    /// # Errors
    /// The HTTP client could not be built.
    pub fn fork(&self) -> Result<Self, StateError> {
        Ok(Self {
            shared: self.shared.clone(),
            client: upstream::client()?,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.shared.config
    }
}

/// The proxy application.
pub fn app(state: AppState) -> Router {
    let cors_origins = state.config().cors_origins.clone();
    let mut router = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/{env}/v2/{*path}", any(forward))
        .route("/{env}/storage", any(storage))
        .route("/{env}/latarnia/{*path}", any(latarnia))
        .route("/_demo/token", axum::routing::post(demo_token))
        .fallback(fallback)
        .with_state(state);
    router = router.layer(SetResponseHeaderLayer::overriding(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    ));
    if !cors_origins.is_empty() {
        router = router.layer(cors(&cors_origins));
    }
    router
}

/// Anything unrouted: the web app when configured, else 404 JSON.
async fn fallback(State(state): State<AppState>, req: Request) -> Response {
    match &state.shared.web {
        Some(web) => web.serve(req).await,
        None => axum::response::IntoResponse::into_response(AppError::NotAllowed {
            method: req.method().to_string(),
            path: req.uri().path().to_owned(),
        }),
    }
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
    allow.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    allow.dedup();
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

/// `POST /_demo/token` (demo only, `permissions.demo_tokens`): `{"sub", "permissions":
/// [...], "permissionsActive": bool}` → `{"token"}`, an HS256 user token valid 12 h,
/// as the host application would issue it.
async fn demo_token(State(state): State<AppState>, body: axum::body::Bytes) -> Response {
    use axum::response::IntoResponse;
    let p = &state.config().permissions;
    let bad = |message: String| {
        (
            axum::http::StatusCode::BAD_REQUEST,
            axum::Json(serde_json::json!({"error": "bad-request", "message": message})),
        )
            .into_response()
    };
    let (true, Some(secret)) = (p.demo_tokens, &p.hs256_secret) else {
        return AppError::NotAllowed {
            method: "POST".into(),
            path: "/_demo/token".into(),
        }
        .into_response();
    };
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Ask {
        sub: String,
        permissions: Vec<String>,
        #[serde(rename = "permissionsActive")]
        permissions_active: bool,
    }
    let ask: Ask = match serde_json::from_slice(&body) {
        Ok(a) => a,
        Err(e) => {
            return bad(format!(
                "expected {{\"sub\": string, \"permissions\": [string], \"permissionsActive\": bool}}: {e}"
            ));
        }
    };
    if let Some(unknown) = ask
        .permissions
        .iter()
        .find(|p| !perms::ALL.contains(&p.as_str()))
    {
        return bad(format!(
            "permissions: unknown permission {unknown:?} (expected {})",
            perms::ALL.join(", ")
        ));
    }
    let token = perms::sign_hs256(
        secret.as_bytes(),
        &serde_json::json!({
            "sub": ask.sub,
            "permissions": ask.permissions,
            "permissionsActive": ask.permissions_active,
            "exp": now_unix() + 12 * 3600,
        }),
    );
    axum::Json(serde_json::json!({ "token": token })).into_response()
}

fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn check_permission(
    state: &AppState,
    headers: &HeaderMap,
    permission: Option<&'static str>,
) -> Result<(), AppError> {
    let enabled = state.config().permissions.enabled;
    let (true, Some(permission), Some(key)) = (enabled, permission, &state.shared.token_key) else {
        return Ok(());
    };
    let header = headers.get(perms::HEADER).and_then(|v| v.to_str().ok());
    perms::check(header, key, permission, now_unix())
}

fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
}

/// `/{env}/{rest}` of a raw (not percent-decoded) request path.
fn split_env(path: &str) -> (&str, &str) {
    let path = path.strip_prefix('/').unwrap_or(path);
    match path.find('/') {
        Some(i) => (&path[..i], &path[i..]),
        None => (path, ""),
    }
}

fn upstream_uri(base: &str, path: &str, query: Option<&str>) -> Result<Uri, AppError> {
    let mut s = String::with_capacity(base.len() + path.len() + query.map_or(0, |q| q.len() + 1));
    s.push_str(base);
    s.push_str(path);
    if let Some(q) = query {
        s.push('?');
        s.push_str(q);
    }
    Uri::try_from(s).map_err(|_| AppError::NotAllowed {
        method: String::new(),
        path: path.to_owned(),
    })
}

/// Sends `req` upstream, waiting `timeout` for the response headers once the request
/// body has been sent. While the client is still uploading, its idle timeout (408)
/// guards the exchange, within the overall `storage_timeout`.
async fn send(
    state: &AppState,
    req: axum::http::Request<Body>,
    timeout: Duration,
    cutoff: Option<(&Cutoff, u64)>,
) -> Result<axum::http::Response<Incoming>, AppError> {
    let mut fut = std::pin::pin!(state.client.request(req));
    let result = match cutoff {
        None => tokio::time::timeout(timeout, fut).await,
        Some((c, _)) => {
            let upload = tokio::time::timeout(state.config().storage_timeout(), async {
                tokio::select! {
                    r = &mut fut => Some(r),
                    () = c.sent() => None,
                }
            })
            .await;
            match upload {
                Err(e) => Err(e),
                Ok(Some(r)) => Ok(r),
                Ok(None) => tokio::time::timeout(timeout, fut).await,
            }
        }
    };
    if let Some((cutoff, limit)) = cutoff {
        if cutoff.too_large() {
            return Err(AppError::TooLarge { limit });
        }
        if cutoff.stalled() {
            return Err(AppError::RequestTimeout);
        }
    }
    match result {
        Err(_) => Err(AppError::UpstreamTimeout),
        Ok(Err(e)) if e.is_connect() => Err(AppError::Upstream("connect")),
        Ok(Err(_)) => Err(AppError::Upstream("exchange")),
        Ok(Ok(r)) => Ok(r),
    }
}

/// Streams an upstream response back with the allow-listed headers, the body bounded by
/// `deadline`.
fn relay(resp: axum::http::Response<Incoming>, deadline: Instant) -> Response {
    let (parts, body) = resp.into_parts();
    let mut out = Response::new(Body::new(ResponseBody::new(body, deadline)));
    *out.status_mut() = parts.status;
    *out.headers_mut() = headers::take(parts.headers, headers::RESPONSE);
    out
}

async fn forward(State(state): State<AppState>, req: Request) -> Result<Response, AppError> {
    let started = Instant::now();
    let (parts, body) = req.into_parts();
    let method = &parts.method;
    let (env, rest) = split_env(parts.uri.path());
    let Some((base, _)) = state.shared.bases.get(env) else {
        return Err(AppError::UnknownEnv(env.to_owned()));
    };
    // The raw path: what matches the allow-list is byte for byte what goes upstream.
    let path = rest.strip_prefix("/v2").unwrap_or(rest);
    let Some(template) = routes::find(method.as_str(), path) else {
        tracing::info!(env, %method, "refused: not an API operation");
        return Err(AppError::NotAllowed {
            method: method.to_string(),
            path: path.to_owned(),
        });
    };
    check_permission(
        &state,
        &parts.headers,
        perms::required(method.as_str(), template),
    )?;
    let limit = routes::body_limit(method.as_str(), template);
    let declared = declared_length(&parts.headers);
    if declared.is_some_and(|n| n > limit) {
        return Err(AppError::TooLarge { limit });
    }
    let uri = upstream_uri(base, rest, parts.uri.query())?;
    let config = state.config();
    let mut fwd_headers = headers::take(parts.headers, headers::REQUEST);
    let bodyless = matches!(*method, Method::GET | Method::DELETE);
    let mut cutoff = None;
    let body = if bodyless || declared == Some(0) {
        fwd_headers.remove(header::CONTENT_LENGTH);
        if !bodyless {
            fwd_headers.insert(header::CONTENT_LENGTH, HeaderValue::from_static("0"));
        }
        Body::empty()
    } else {
        let c = cutoff.insert(Arc::new(Cutoff::default())).clone();
        Body::new(RequestBody::new(body, limit, config.upstream_timeout(), c))
    };
    let mut up = axum::http::Request::new(body);
    *up.method_mut() = method.clone();
    *up.uri_mut() = uri;
    *up.headers_mut() = fwd_headers;
    let resp = send(
        &state,
        up,
        config.upstream_timeout(),
        cutoff.as_deref().map(|c| (c, limit)),
    )
    .await
    .inspect_err(
        |e| tracing::warn!(env, %method, route = template, error = %e, "upstream failed"),
    )?;
    let status = resp.status();
    tracing::info!(
        env,
        %method,
        route = template,
        status = status.as_u16(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "forwarded"
    );
    let deadline = started + config.storage_timeout();
    let rewrite = template.starts_with("/sessions") || template.starts_with("/invoices/exports");
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/json"));
    if rewrite && is_json && status.is_success() {
        return rewrite_links(&state, env, resp, deadline).await;
    }
    Ok(relay(resp, deadline))
}

async fn rewrite_links(
    state: &AppState,
    env: &str,
    resp: axum::http::Response<Incoming>,
    deadline: Instant,
) -> Result<Response, AppError> {
    if declared_length(resp.headers()).is_some_and(|n| n > REWRITE_LIMIT as u64) {
        return Ok(relay(resp, deadline));
    }
    let (parts, body) = resp.into_parts();
    let mut hdrs = headers::take(parts.headers, headers::RESPONSE);
    hdrs.remove(header::CONTENT_LENGTH);
    // Bounded in size and time even without a Content-Length.
    let collected = tokio::time::timeout_at(
        deadline,
        http_body_util::Limited::new(body, REWRITE_LIMIT).collect(),
    )
    .await
    .map_err(|_| AppError::UpstreamTimeout)?
    .map_err(|_| AppError::Upstream("body"))?;
    let bytes = collected.to_bytes();
    let body = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(mut v) => {
            let exp = now_unix() + state.config().link_ttl_secs;
            let prefix = state
                .config()
                .public_url
                .as_deref()
                .unwrap_or("")
                .trim_end_matches('/');
            if links::rewrite(&mut v, &state.shared.link_secret, env, exp, prefix) > 0 {
                Body::from(v.to_string())
            } else {
                Body::from(bytes)
            }
        }
        Err(_) => Body::from(bytes),
    };
    let mut out = Response::new(body);
    *out.status_mut() = parts.status;
    *out.headers_mut() = hdrs;
    Ok(out)
}

async fn storage(State(state): State<AppState>, req: Request) -> Result<Response, AppError> {
    let started = Instant::now();
    let (parts, body) = req.into_parts();
    let method = &parts.method;
    let (env, _) = split_env(parts.uri.path());
    let Some(env_cfg) = state.config().envs.get(env) else {
        return Err(AppError::UnknownEnv(env.to_owned()));
    };
    if !matches!(*method, Method::GET | Method::PUT) {
        return Err(AppError::NotAllowed {
            method: method.to_string(),
            path: "/storage".into(),
        });
    }
    let url = links::verify(
        &state.shared.link_secret,
        env,
        method.as_str(),
        parts.uri.query().unwrap_or(""),
        now_unix(),
        &env_cfg.allowed_hosts(),
    )
    .inspect_err(|e| tracing::warn!(env, %method, error = %e, "storage link refused"))?;
    let permission = if *method == Method::PUT {
        perms::CHANGE_DOCUMENT
    } else {
        perms::VIEW_DOCUMENT
    };
    check_permission(&state, &parts.headers, Some(permission))?;
    let config = state.config();
    let limit = config.upload_limit;
    if declared_length(&parts.headers).is_some_and(|n| n > limit) {
        return Err(AppError::TooLarge { limit });
    }
    let uri = Uri::try_from(url.as_str()).map_err(|_| AppError::BadLink("malformed"))?;
    let cutoff = Arc::new(Cutoff::default());
    let mut up = if *method == Method::PUT {
        let mut up = axum::http::Request::new(Body::new(RequestBody::new(
            body,
            limit,
            config.upstream_timeout(),
            cutoff.clone(),
        )));
        *up.headers_mut() = headers::take(parts.headers, headers::STORAGE_REQUEST);
        up
    } else {
        axum::http::Request::new(Body::empty())
    };
    *up.method_mut() = method.clone();
    *up.uri_mut() = uri;
    let resp = send(&state, up, config.storage_timeout(), Some((&cutoff, limit)))
        .await
        .inspect_err(|e| tracing::warn!(env, %method, host = url.host_str().unwrap_or(""), error = %e, "storage relay failed"))?;
    // Host and path only: the query holds the pre-signed `sig`.
    tracing::info!(
        env,
        %method,
        host = url.host_str().unwrap_or(""),
        status = resp.status().as_u16(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "storage relayed"
    );
    Ok(relay(resp, started + config.storage_timeout()))
}

/// `GET /{env}/latarnia/status|messages` → the environment's Latarnia. Public: the
/// status service needs no KSeF token, and the proxy asks for no permission either
/// (the browser needs it before anyone logs in, e.g. to choose an offline mode).
async fn latarnia(State(state): State<AppState>, req: Request) -> Result<Response, AppError> {
    let started = Instant::now();
    let (parts, _) = req.into_parts();
    let method = &parts.method;
    let (env, rest) = split_env(parts.uri.path());
    let Some((_, latarnia)) = state.shared.bases.get(env) else {
        return Err(AppError::UnknownEnv(env.to_owned()));
    };
    let path = rest.strip_prefix("/latarnia").unwrap_or(rest);
    let (Some(base), &Method::GET, "/status" | "/messages") = (latarnia, method, path) else {
        return Err(AppError::NotAllowed {
            method: method.to_string(),
            path: rest.to_owned(),
        });
    };
    let uri = upstream_uri(base, path, None)?;
    let mut up = axum::http::Request::new(Body::empty());
    *up.uri_mut() = uri;
    *up.headers_mut() = headers::take(parts.headers, &["accept", "accept-language"]);
    let config = state.config();
    let resp = send(&state, up, config.upstream_timeout(), None)
        .await
        .inspect_err(|e| tracing::warn!(env, path, error = %e, "latarnia failed"))?;
    tracing::info!(
        env,
        path,
        status = resp.status().as_u16(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "latarnia relayed"
    );
    Ok(relay(resp, started + config.upstream_timeout()))
}
