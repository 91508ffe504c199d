//! The log redaction test, alone in its binary: `tracing`'s callsite interest is global,
//! so a capturing subscriber must not race other tests.

mod common;

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use ksef_proxy::perms;

/// Captures `tracing` output into a buffer.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "current_thread")]
async fn logs_never_contain_bodies_tokens_or_query_secrets() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let base = upstream(Seen::default()).await;
    let app = proxy(config(&base));
    let r = Request::builder()
        .method("POST")
        .uri("/up/v2/sessions/online/20250626-SO-X/invoices?secretquery=QSECRET")
        .header("authorization", "Bearer BEARERSECRET")
        .header(perms::HEADER, "Bearer USERSECRET")
        .body(Body::from("BODYSECRET"))
        .unwrap();
    assert_eq!(call(&app, r).await.0, StatusCode::OK);
    let (_, _, b) = call(&app, req("POST", "/up/v2/sessions/batch")).await;
    let v = json_of(&b);
    for i in 0..2 {
        let link = v["partUploadRequests"][i]["url"]
            .as_str()
            .unwrap()
            .to_owned();
        let r = Request::builder()
            .method("PUT")
            .uri(&link)
            .body(Body::from("PARTSECRET"))
            .unwrap();
        call(&app, r).await;
    }
    // Latarnia, a dead upstream (502), a refused user token: still nothing secret.
    let r = Request::builder()
        .uri("/up/latarnia/status?k=QSECRET")
        .header("authorization", "Bearer BEARERSECRET")
        .body(Body::empty())
        .unwrap();
    assert_eq!(call(&app, r).await.0, StatusCode::OK);
    let mut c = config("http://127.0.0.1:1");
    c.permissions = ksef_proxy::config::PermissionsConfig {
        enabled: true,
        hs256_secret: Some("PERMSECRET".into()),
        ..Default::default()
    };
    let dead = proxy(c);
    let token = perms::sign_hs256(
        b"PERMSECRET",
        &serde_json::json!({"sub": "USERSUB", "permissions": [perms::VIEW_DOCUMENT]}),
    );
    let r = Request::builder()
        .uri("/up/v2/sessions?continuation=QSECRET")
        .header("authorization", "Bearer BEARERSECRET")
        .header(perms::HEADER, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(call(&dead, r).await.0, StatusCode::BAD_GATEWAY);
    let r = Request::builder()
        .method("POST")
        .uri("/up/v2/auth/challenge?x=QSECRET")
        .header(perms::HEADER, "Bearer USERSECRET")
        .body(Body::from("BODYSECRET"))
        .unwrap();
    assert_eq!(call(&dead, r).await.0, StatusCode::UNAUTHORIZED);
    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    for expected in [
        "forwarded",
        "storage relayed",
        "foreign host",
        "latarnia relayed",
        "upstream failed",
    ] {
        assert!(logs.contains(expected), "{expected} missing: {logs}");
    }
    for secret in [
        "QSECRET",
        "BEARERSECRET",
        "USERSECRET",
        "BODYSECRET",
        "TOPSECRET",
        "PARTSECRET",
        "PERMSECRET",
        "USERSUB",
        &token,
        "sig=",
    ] {
        assert!(!logs.contains(secret), "{secret} logged: {logs}");
    }
}
