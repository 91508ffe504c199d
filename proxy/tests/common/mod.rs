//! Shared test harness: a stub upstream on loopback and oneshot helpers.
#![allow(dead_code, unreachable_pub, unused_imports)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::routing::{any, get, post, put};
use http_body_util::BodyExt;
use ksef_proxy::config::{Config, EnvConfig, PermissionsConfig};
use ksef_proxy::{AppState, app, perms};
use serde_json::{Value, json};
use tower::ServiceExt;

/// What the stub upstream saw last.
#[derive(Default, Clone)]
pub struct Seen(pub Arc<Mutex<Option<(String, HeaderMap, usize)>>>);

pub async fn upstream(seen: Seen) -> String {
    let s2 = seen.clone();
    let record = move |req: axum::extract::Request| {
        let seen = s2.clone();
        async move {
            let (parts, body) = req.into_parts();
            let n = body
                .collect()
                .await
                .map(|b| b.to_bytes().len())
                .unwrap_or(0);
            let uri = parts.uri.to_string();
            *seen.0.lock().unwrap() = Some((format!("{} {uri}", parts.method), parts.headers, n));
            (
                [
                    ("set-cookie", "session=1"),
                    ("retry-after", "30"),
                    ("x-ms-meta-hash", "abc="),
                    ("x-system-warning", "[1]: w"),
                    ("connection", "close"),
                    ("keep-alive", "timeout=5"),
                    ("proxy-authenticate", "Basic"),
                    ("upgrade", "h2c"),
                    ("x-internal", "secret"),
                ],
                "upstream",
            )
        }
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let base = format!("http://{addr}");
    let b2 = base.clone();
    let router = Router::new()
        .route("/v2/auth/challenge", post(record.clone()))
        .route("/v2/security/public-key-certificates", get(record.clone()))
        .route("/v2/sessions", get(record.clone()))
        .route("/v2/sessions/online/{r}/invoices", post(record.clone()))
        .route(
            "/v2/rate-limits",
            get(|| async { (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "7")], "{}") }),
        )
        .route(
            "/v2/limits/context",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(5)).await;
                "late"
            }),
        )
        .route(
            "/v2/sessions/batch",
            post(move || {
                let base = b2.clone();
                async move {
                    (
                        StatusCode::CREATED,
                        axum::Json(json!({
                            "referenceNumber": "20250626-SB-X",
                            "partUploadRequests": [
                                {"ordinalNumber": 1, "method": "PUT",
                                 "url": format!("{base}/storage/p/1?sig=TOPSECRET"),
                                 "headers": {"x-ms-blob-type": "BlockBlob"}},
                                {"ordinalNumber": 2, "method": "PUT",
                                 "url": "http://evil.example/steal?sig=x",
                                 "headers": {}}
                            ]
                        })),
                    )
                }
            }),
        )
        // Latarnia (the stub serves it on the same host).
        .route(
            "/status",
            get(|| async {
                (
                    [("content-type", "application/json"), ("set-cookie", "l=1")],
                    r#"{"status":"AVAILABLE","messages":[]}"#,
                )
            }),
        )
        .route(
            "/messages",
            get(|| async { ([("content-type", "application/json")], "[]") }),
        )
        // Headers at once, then a body that trickles (one byte per 700 ms).
        .route(
            "/v2/invoices/ksef/{n}",
            get(|| async {
                let chunks = futures_util::stream::unfold(0u8, |i| async move {
                    if i >= 10 {
                        return None;
                    }
                    tokio::time::sleep(Duration::from_millis(700)).await;
                    Some((Ok::<_, std::io::Error>(vec![b'x']), i + 1))
                });
                ([("x-ms-meta-hash", "h=")], Body::from_stream(chunks))
            }),
        )
        .route("/storage/p/1", put(record.clone()))
        .route("/storage/{*rest}", any(record));
    tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    base
}

pub fn config(base: &str) -> Config {
    let mut c = Config::default();
    c.envs
        .insert("up".into(), EnvConfig::new(base).with_latarnia(base));
    c.upstream_timeout_secs = 1;
    c.link_secret = Some("link-secret".into());
    c
}

pub fn proxy(c: Config) -> Router {
    app(AppState::new(c).unwrap())
}

pub async fn call(app: &Router, req: Request<Body>) -> (StatusCode, HeaderMap, Vec<u8>) {
    let r = app.clone().oneshot(req).await.unwrap();
    let status = r.status();
    let headers = r.headers().clone();
    let body = r.into_body().collect().await.unwrap().to_bytes().to_vec();
    (status, headers, body)
}

pub fn json_of(b: &[u8]) -> Value {
    serde_json::from_slice(b).unwrap()
}

pub fn req(method: &str, uri: &str) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(uri)
        .body(Body::empty())
        .unwrap()
}
