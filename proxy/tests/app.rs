//! `app().oneshot(...)` tests of every proxy rule against a stub upstream on loopback.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use ksef_proxy::config::{Config, PermissionsConfig};
use ksef_proxy::perms;
use serde_json::json;

#[tokio::test]
async fn healthz() {
    let app = proxy(Config::default());
    let (s, h, b) = call(&app, req("GET", "/healthz")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b, b"ok");
    assert_eq!(h["x-content-type-options"], "nosniff");
}

#[tokio::test]
async fn unknown_paths_methods_and_envs_are_refused() {
    let seen = Seen::default();
    let base = upstream(seen.clone()).await;
    let app = proxy(config(&base));
    for (m, uri) in [
        ("GET", "/up/v2/not/an/operation"),
        ("DELETE", "/up/v2/auth/challenge"),
        ("PUT", "/up/v2/auth/challenge"),
        ("GET", "/up/v2/sessions/../testdata/person"),
        ("GET", "/up/v2/sessions/%2e%2e"),
        ("POST", "/up/v2/_sim/reset"),
        ("GET", "/nowhere/v2/sessions"),
        ("GET", "/up/storage/p/1"),
        ("GET", "/elsewhere"),
    ] {
        let (s, _, b) = call(&app, req(m, uri)).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{m} {uri}");
        let v = json_of(&b);
        assert_eq!(v["error"], "not-allowed", "{m} {uri}: {v}");
        assert!(v["message"].as_str().unwrap().len() > 5);
    }
    let (_, _, b) = call(&app, req("GET", "/up/v2/not/an/operation")).await;
    assert!(String::from_utf8_lossy(&b).contains("GET /not/an/operation"));
    assert!(seen.0.lock().unwrap().is_none(), "nothing reached upstream");
}

#[tokio::test]
async fn forwards_allowed_operations_with_filtered_headers() {
    let seen = Seen::default();
    let base = upstream(seen.clone()).await;
    let app = proxy(config(&base));
    let r = Request::builder()
        .method("GET")
        .uri("/up/v2/sessions?pageSize=10")
        .header("authorization", "Bearer KSEF-ACCESS")
        .header("x-error-format", "problem-details")
        .header("x-continuation-token", "tok")
        .header("x-ksef-feature", "upo-v4-3")
        .header("cookie", "a=b")
        .header("x-forwarded-for", "10.1.2.3")
        .header("forwarded", "for=10.1.2.3")
        .header("connection", "keep-alive")
        .header(perms::HEADER, "Bearer user")
        .header("x-random", "1")
        .body(Body::empty())
        .unwrap();
    let (s, h, b) = call(&app, r).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b, b"upstream");
    let (line, up, _) = seen.0.lock().unwrap().clone().unwrap();
    assert_eq!(line, "GET /v2/sessions?pageSize=10");
    // Host is the upstream's own (TLS SNI and virtual hosting), never the client's.
    assert_eq!(up["host"], base.trim_start_matches("http://"));
    assert_eq!(up["authorization"], "Bearer KSEF-ACCESS");
    assert_eq!(up["x-error-format"], "problem-details");
    assert_eq!(up["x-continuation-token"], "tok");
    assert_eq!(up["x-ksef-feature"], "upo-v4-3");
    for gone in [
        "cookie",
        "x-forwarded-for",
        "forwarded",
        perms::HEADER,
        "x-random",
    ] {
        assert!(!up.contains_key(gone), "{gone} forwarded");
    }
    assert_eq!(h["retry-after"], "30");
    assert_eq!(h["x-ms-meta-hash"], "abc=");
    assert_eq!(h["x-system-warning"], "[1]: w");
    for gone in ["set-cookie", "x-internal", "connection"] {
        assert!(!h.contains_key(gone), "{gone} passed back");
    }
}

#[tokio::test]
async fn status_codes_pass_through() {
    let base = upstream(Seen::default()).await;
    let app = proxy(config(&base));
    let (s, h, _) = call(&app, req("GET", "/up/v2/rate-limits")).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(h["retry-after"], "7");
}

#[tokio::test]
async fn body_limits_answer_413() {
    let seen = Seen::default();
    let base = upstream(seen.clone()).await;
    let app = proxy(config(&base));
    // Declared length over the small default limit of /auth/challenge.
    let r = Request::builder()
        .method("POST")
        .uri("/up/v2/auth/challenge")
        .header("content-length", "2000000")
        .body(Body::from(vec![b'x'; 2_000_000]))
        .unwrap();
    let (s, _, b) = call(&app, r).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(json_of(&b)["limit"], 1024 * 1024);
    // Streamed without a length: cut off mid-stream.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        (0..40).map(|_| Ok(vec![b'x'; 64 * 1024])).collect();
    let r = Request::builder()
        .method("POST")
        .uri("/up/v2/auth/challenge")
        .body(Body::from_stream(futures_util::stream::iter(chunks)))
        .unwrap();
    let (s, _, _) = call(&app, r).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    // An invoice send may be larger (6 MB route limit).
    let r = Request::builder()
        .method("POST")
        .uri("/up/v2/sessions/online/20250626-SO-X/invoices")
        .body(Body::from(vec![b'x'; 3_000_000]))
        .unwrap();
    let (s, _, _) = call(&app, r).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(seen.0.lock().unwrap().as_ref().unwrap().2, 3_000_000);
}

#[tokio::test]
async fn slow_upstream_gives_504_and_dead_upstream_502() {
    let base = upstream(Seen::default()).await;
    let app = proxy(config(&base));
    let (s, _, b) = call(&app, req("GET", "/up/v2/limits/context")).await;
    assert_eq!(s, StatusCode::GATEWAY_TIMEOUT);
    assert_eq!(json_of(&b)["error"], "upstream-timeout");
    let app = proxy(config("http://127.0.0.1:1"));
    let (s, _, b) = call(&app, req("GET", "/up/v2/sessions")).await;
    assert_eq!(s, StatusCode::BAD_GATEWAY);
    assert_eq!(json_of(&b)["error"], "upstream-unavailable");
}

#[tokio::test]
async fn cors_allows_configured_origins_only() {
    let base = upstream(Seen::default()).await;
    let mut c = config(&base);
    c.cors_origins = vec!["https://app.example".into()];
    let app = proxy(c);
    let pre = |origin: &str| {
        Request::builder()
            .method("OPTIONS")
            .uri("/up/v2/auth/challenge")
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization,x-app-authorization,content-type",
            )
            .body(Body::empty())
            .unwrap()
    };
    let (s, h, _) = call(&app, pre("https://app.example")).await;
    assert!(s.is_success());
    assert_eq!(h["access-control-allow-origin"], "https://app.example");
    let allowed = h["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(allowed.contains("x-app-authorization") && allowed.contains("authorization"));
    assert!(!h.contains_key("access-control-allow-credentials"));
    let (_, h, _) = call(&app, pre("https://evil.example")).await;
    assert!(!h.contains_key("access-control-allow-origin"));
    let r = Request::builder()
        .uri("/up/v2/sessions")
        .header("origin", "https://app.example")
        .body(Body::empty())
        .unwrap();
    let (_, h, _) = call(&app, r).await;
    assert_eq!(h["access-control-allow-origin"], "https://app.example");
    assert!(
        h["access-control-expose-headers"]
            .to_str()
            .unwrap()
            .contains("x-ms-meta-hash")
    );
}

const SECRET: &str = "host-app-secret";

fn user(perms: &[&str]) -> String {
    format!(
        "Bearer {}",
        perms::sign_hs256(
            SECRET.as_bytes(),
            &json!({"sub": "u1", "permissions": perms, "exp": 4_000_000_000u64})
        )
    )
}

#[tokio::test]
async fn permissions_enforced_per_route_when_on() {
    let base = upstream(Seen::default()).await;
    let mut c = config(&base);
    c.permissions = PermissionsConfig {
        enabled: true,
        hs256_secret: Some(SECRET.into()),
        ..PermissionsConfig::default()
    };
    let app = proxy(c);
    let with = |m: &str, uri: &str, token: Option<String>| {
        let mut b = Request::builder().method(m).uri(uri);
        if let Some(t) = token {
            b = b.header(perms::HEADER, t);
        }
        b.body(Body::empty()).unwrap()
    };
    // Public.
    let (s, _, _) = call(
        &app,
        with("GET", "/up/v2/security/public-key-certificates", None),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    // Missing token → 401 naming the permission.
    let (s, _, b) = call(&app, with("POST", "/up/v2/auth/challenge", None)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(json_of(&b)["permission"], perms::CHANGE_SETTINGS);
    // Forged signature → 401.
    let forged = format!(
        "Bearer {}",
        perms::sign_hs256(b"other", &json!({"permissions": [perms::CHANGE_SETTINGS]}))
    );
    let (s, _, _) = call(&app, with("POST", "/up/v2/auth/challenge", Some(forged))).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    // Expired → 401.
    let expired = format!(
        "Bearer {}",
        perms::sign_hs256(
            SECRET.as_bytes(),
            &json!({"permissions": [perms::CHANGE_SETTINGS], "exp": 1})
        )
    );
    let (s, _, _) = call(&app, with("POST", "/up/v2/auth/challenge", Some(expired))).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    // Wrong permission → 403 naming the missing one.
    let (s, _, b) = call(
        &app,
        with(
            "POST",
            "/up/v2/auth/challenge",
            Some(user(&[perms::VIEW_DOCUMENT])),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(json_of(&b)["permission"], perms::CHANGE_SETTINGS);
    let (s, _, _) = call(
        &app,
        with(
            "POST",
            "/up/v2/auth/challenge",
            Some(user(&[perms::CHANGE_SETTINGS])),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    // Reads need view_document, sending change_document.
    let (s, _, b) = call(
        &app,
        with(
            "GET",
            "/up/v2/sessions",
            Some(user(&[perms::CHANGE_DOCUMENT])),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(json_of(&b)["permission"], perms::VIEW_DOCUMENT);
    let (s, _, _) = call(
        &app,
        with(
            "GET",
            "/up/v2/sessions",
            Some(user(&[perms::VIEW_DOCUMENT])),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let send = "/up/v2/sessions/online/20250626-SO-X/invoices";
    let (s, _, b) = call(
        &app,
        with("POST", send, Some(user(&[perms::VIEW_DOCUMENT]))),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(json_of(&b)["permission"], perms::CHANGE_DOCUMENT);
    let (s, _, _) = call(
        &app,
        with("POST", send, Some(user(&[perms::CHANGE_DOCUMENT]))),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test]
async fn permissions_ignored_when_off() {
    let base = upstream(Seen::default()).await;
    let app = proxy(config(&base));
    for (m, uri) in [
        ("POST", "/up/v2/auth/challenge"),
        ("GET", "/up/v2/sessions"),
    ] {
        let (s, _, _) = call(&app, req(m, uri)).await;
        assert_eq!(s, StatusCode::OK, "{m} {uri}");
    }
}

#[test]
fn permission_table() {
    use perms::{CHANGE_DOCUMENT as D, CHANGE_SETTINGS as S, VIEW_DOCUMENT as V, required};
    assert_eq!(required("GET", "/security/public-key-certificates"), None);
    assert_eq!(required("POST", "/auth/xades-signature"), Some(S));
    assert_eq!(required("GET", "/auth/{referenceNumber}"), Some(S));
    assert_eq!(required("POST", "/sessions/online"), Some(D));
    assert_eq!(
        required("POST", "/sessions/batch/{referenceNumber}/close"),
        Some(D)
    );
    assert_eq!(
        required(
            "GET",
            "/sessions/{referenceNumber}/upo/{upoReferenceNumber}"
        ),
        Some(V)
    );
    assert_eq!(required("GET", "/invoices/ksef/{ksefNumber}"), Some(V));
    assert_eq!(required("POST", "/tokens"), Some(S));
    // Every allow-listed operation maps to something deliberate.
    for (m, t) in ksef_proxy::routes_gen::ROUTES {
        let p = required(m, t);
        assert!(p.is_some() || t.starts_with("/security"), "{m} {t}");
    }
}

#[tokio::test]
async fn storage_links_are_signed_and_foreign_hosts_refused() {
    let seen = Seen::default();
    let base = upstream(seen.clone()).await;
    let app = proxy(config(&base));
    let (s, _, b) = call(&app, req("POST", "/up/v2/sessions/batch")).await;
    assert_eq!(s, StatusCode::CREATED);
    let v = json_of(&b);
    let good = v["partUploadRequests"][0]["url"]
        .as_str()
        .unwrap()
        .to_owned();
    let evil = v["partUploadRequests"][1]["url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(good.starts_with("/up/storage?"), "{good}");
    assert!(
        !b.windows(9).any(|w| w == b"TOPSECRET"),
        "pre-signed URL readable only encoded"
    );
    // The handed-out link works (PUT only) and reaches exactly the original URL.
    let put = |uri: &str| {
        Request::builder()
            .method("PUT")
            .uri(uri)
            .header("x-ms-blob-type", "BlockBlob")
            .header("authorization", "Bearer must-not-leak")
            .body(Body::from(vec![7u8; 1000]))
            .unwrap()
    };
    let (s, _, _) = call(&app, put(&good)).await;
    assert_eq!(s, StatusCode::OK);
    let (line, h, n) = seen.0.lock().unwrap().clone().unwrap();
    assert_eq!(line, "PUT /storage/p/1?sig=TOPSECRET");
    assert_eq!(n, 1000);
    assert_eq!(h["x-ms-blob-type"], "BlockBlob");
    assert!(
        !h.contains_key("authorization"),
        "no bearer on storage uploads"
    );
    // A KSeF-handed URL on a foreign host: refused.
    let (s, _, b) = call(&app, put(&evil)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(json_of(&b)["message"], "storage link refused: foreign host");
    // Wrong method, tampering, other env, forged links: refused.
    let (s, _, _) = call(&app, req("GET", &good)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let forged = ksef_proxy::links::sign(
        b"guess",
        "up",
        "PUT",
        &format!("{base}/storage/x"),
        4_000_000_000,
    )
    .unwrap();
    let (s, _, _) = call(&app, put(&forged)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let tampered = good.replacen("u=", "u=A", 1);
    let (s, _, _) = call(&app, put(&tampered)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _, _) = call(&app, put(&good.replacen("/up/", "/test/", 1))).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let expired = ksef_proxy::links::sign(
        b"link-secret",
        "up",
        "PUT",
        &format!("{base}/storage/p/1"),
        1,
    )
    .unwrap();
    let (s, _, b) = call(&app, put(&expired)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(json_of(&b)["message"], "storage link refused: expired");
    // An arbitrary target can never be named directly.
    let (s, _, _) = call(
        &app,
        put("/up/storage?u=aHR0cDovL2V2aWwuZXhhbXBsZS8&m=PUT&e=4000000000&s=AAAA"),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn upload_limit_applies_to_storage() {
    let base = upstream(Seen::default()).await;
    let mut c = config(&base);
    c.upload_limit = 100;
    let app = proxy(c);
    let (_, _, b) = call(&app, req("POST", "/up/v2/sessions/batch")).await;
    let good = json_of(&b)["partUploadRequests"][0]["url"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = Request::builder()
        .method("PUT")
        .uri(&good)
        .body(Body::from(vec![0u8; 101]))
        .unwrap();
    let (s, _, _) = call(&app, r).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn serves_web_app_with_security_headers() {
    let dir = std::env::temp_dir().join(format!("ksef-proxy-web-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "<!doctype html><title>x</title>").unwrap();
    let app = proxy(Config {
        web_dir: Some(dir.clone()),
        ..Config::default()
    });
    let (s, h, b) = call(&app, req("GET", "/")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(String::from_utf8_lossy(&b).contains("doctype"));
    assert!(
        h["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "no-referrer");
    assert_eq!(h["x-frame-options"], "DENY");
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn es256_user_tokens_verified_with_the_configured_public_key() {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use p256::ecdsa::signature::Signer;
    use p256::pkcs8::EncodePublicKey;
    let base = upstream(Seen::default()).await;
    let sk = <p256::ecdsa::SigningKey as p256::elliptic_curve::Generate>::generate_from_rng(
        &mut ksef_sim::SimRng::os(),
    );
    let pem = sk
        .verifying_key()
        .to_public_key_pem(p256::pkcs8::LineEnding::LF)
        .unwrap();
    let mut c = config(&base);
    c.permissions = PermissionsConfig {
        enabled: true,
        public_key_pem: Some(pem),
        ..PermissionsConfig::default()
    };
    let app = proxy(c);
    let es256 = |perms: &[&str]| {
        let h = URL_SAFE_NO_PAD.encode(br#"{"alg":"ES256","typ":"JWT"}"#);
        let p = URL_SAFE_NO_PAD.encode(json!({"permissions": perms}).to_string());
        let sig: p256::ecdsa::Signature = sk.sign(format!("{h}.{p}").as_bytes());
        format!("Bearer {h}.{p}.{}", URL_SAFE_NO_PAD.encode(sig.to_bytes()))
    };
    let with = |token: String| {
        Request::builder()
            .uri("/up/v2/sessions")
            .header(perms::HEADER, token)
            .body(Body::empty())
            .unwrap()
    };
    assert_eq!(
        call(&app, with(es256(&[perms::VIEW_DOCUMENT]))).await.0,
        StatusCode::OK
    );
    assert_eq!(call(&app, with(es256(&[]))).await.0, StatusCode::FORBIDDEN);
    // An HS256 token (algorithm confusion) is refused when a public key is configured.
    let hs = format!(
        "Bearer {}",
        perms::sign_hs256(b"x", &json!({"permissions": [perms::VIEW_DOCUMENT]}))
    );
    assert_eq!(call(&app, with(hs)).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn hop_by_hop_and_cookie_headers_are_stripped_both_ways() {
    let seen = Seen::default();
    let base = upstream(seen.clone()).await;
    let app = proxy(config(&base));
    let mut b = Request::builder().method("GET").uri("/up/v2/sessions");
    for (k, v) in [
        ("cookie", "sid=1"),
        ("connection", "keep-alive, x-custom"),
        ("keep-alive", "timeout=5"),
        ("proxy-authorization", "Basic eDp5"),
        ("te", "trailers"),
        ("upgrade", "websocket"),
        ("x-custom", "1"),
        ("x-real-ip", "10.0.0.1"),
        ("via", "1.1 somewhere"),
    ] {
        b = b.header(k, v);
    }
    let (s, h, _) = call(&app, b.body(Body::empty()).unwrap()).await;
    assert_eq!(s, StatusCode::OK);
    let (_, up, _) = seen.0.lock().unwrap().clone().unwrap();
    for gone in [
        "cookie",
        "connection",
        "keep-alive",
        "proxy-authorization",
        "te",
        "upgrade",
        "x-custom",
        "x-real-ip",
        "via",
    ] {
        assert!(!up.contains_key(gone), "{gone} forwarded");
    }
    for gone in [
        "set-cookie",
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "upgrade",
        "x-internal",
    ] {
        assert!(!h.contains_key(gone), "{gone} passed back");
    }
    assert_eq!(h["retry-after"], "30");
    assert_eq!(h["x-ms-meta-hash"], "abc=");
}

#[tokio::test]
async fn stalled_upload_gives_408_and_slow_response_body_is_cut_at_the_exchange_timeout() {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let base = upstream(Seen::default()).await;
    let mut c = config(&base);
    c.storage_timeout_secs = 2;
    let app = proxy(c);
    // One chunk, then nothing: no frame for `upstream_timeout_secs` (1 s) → 408.
    let stalled = futures_util::stream::iter([Ok::<_, std::io::Error>(vec![b'{'])])
        .chain(futures_util::stream::pending());
    let r = Request::builder()
        .method("POST")
        .uri("/up/v2/sessions/online/20250626-SO-X/invoices")
        .body(Body::from_stream(stalled))
        .unwrap();
    let started = std::time::Instant::now();
    let (s, _, b) = call(&app, r).await;
    assert_eq!(
        s,
        StatusCode::REQUEST_TIMEOUT,
        "{}",
        String::from_utf8_lossy(&b)
    );
    assert_eq!(json_of(&b)["error"], "request-timeout");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    // A slow but steady upload (3 × 600 ms, longer than the 1 s upstream timeout) is
    // fine: the wait for KSeF's answer starts when the body has been sent.
    let steady = futures_util::stream::unfold(0u8, |i| async move {
        if i == 3 {
            return None;
        }
        tokio::time::sleep(std::time::Duration::from_millis(600)).await;
        Some((Ok::<_, std::io::Error>(vec![b'x'; 100]), i + 1))
    });
    let r = Request::builder()
        .method("POST")
        .uri("/up/v2/sessions/online/20250626-SO-X/invoices")
        .body(Body::from_stream(steady))
        .unwrap();
    let (s, _, b) = call(&app, r).await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&b));
    // Headers in time, body too slow (10 × 700 ms > 2 s): the stream is cut.
    let r = app
        .clone()
        .oneshot(req(
            "GET",
            "/up/v2/invoices/ksef/5265877635-20250626-010080DD2B5E-26",
        ))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["x-ms-meta-hash"], "h=");
    let started = std::time::Instant::now();
    assert!(r.into_body().collect().await.is_err(), "body not cut");
    assert!(started.elapsed() < std::time::Duration::from_secs(4));
}

use futures_util::StreamExt as _;

#[tokio::test]
async fn latarnia_is_forwarded_public_and_get_only() {
    let base = upstream(Seen::default()).await;
    let mut c = config(&base);
    // Permissions on: Latarnia still needs no user token (public status).
    c.permissions = PermissionsConfig {
        enabled: true,
        hs256_secret: Some(SECRET.into()),
        ..PermissionsConfig::default()
    };
    c.envs
        .insert("nolight".into(), ksef_proxy::EnvConfig::new(&base));
    let app = proxy(c);
    let (s, h, b) = call(&app, req("GET", "/up/latarnia/status")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(json_of(&b)["status"], "AVAILABLE");
    assert_eq!(h["content-type"], "application/json");
    assert!(!h.contains_key("set-cookie"));
    let (s, _, b) = call(&app, req("GET", "/up/latarnia/messages")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(json_of(&b), json!([]));
    for (m, uri) in [
        ("POST", "/up/latarnia/status"),
        ("GET", "/up/latarnia/other"),
        ("GET", "/up/latarnia/status/x"),
        ("GET", "/nolight/latarnia/status"),
        ("GET", "/mars/latarnia/status"),
    ] {
        let (s, _, b) = call(&app, req(m, uri)).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{m} {uri}");
        assert_eq!(json_of(&b)["error"], "not-allowed");
    }
}

#[test]
fn official_envs_have_their_latarnia() {
    let c = Config::default();
    assert_eq!(
        c.envs["test"].latarnia.as_deref(),
        Some("https://api-latarnia-test.ksef.mf.gov.pl")
    );
    assert_eq!(
        c.envs["demo"].latarnia.as_deref(),
        Some("https://api-latarnia-test.ksef.mf.gov.pl")
    );
    assert_eq!(
        c.envs["prod"].latarnia.as_deref(),
        Some("https://api-latarnia.ksef.mf.gov.pl")
    );
}

#[tokio::test]
async fn storage_links_need_their_permission_when_on() {
    let base = upstream(Seen::default()).await;
    let mut c = config(&base);
    c.permissions = PermissionsConfig {
        enabled: true,
        hs256_secret: Some(SECRET.into()),
        ..PermissionsConfig::default()
    };
    let app = proxy(c);
    let open = Request::builder()
        .method("POST")
        .uri("/up/v2/sessions/batch")
        .header(perms::HEADER, user(&[perms::CHANGE_DOCUMENT]))
        .body(Body::empty())
        .unwrap();
    let (s, _, b) = call(&app, open).await;
    assert_eq!(s, StatusCode::CREATED);
    let link = json_of(&b)["partUploadRequests"][0]["url"]
        .as_str()
        .unwrap()
        .to_owned();
    let put = |token: Option<String>| {
        let mut b = Request::builder().method("PUT").uri(&link);
        if let Some(t) = token {
            b = b.header(perms::HEADER, t);
        }
        b.body(Body::from(vec![1u8; 10])).unwrap()
    };
    let (s, _, b) = call(&app, put(None)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(json_of(&b)["permission"], perms::CHANGE_DOCUMENT);
    let (s, _, b) = call(&app, put(Some(user(&[perms::VIEW_DOCUMENT])))).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(json_of(&b)["permission"], perms::CHANGE_DOCUMENT);
    let (s, _, _) = call(&app, put(Some(user(&[perms::CHANGE_DOCUMENT])))).await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test]
async fn cors_preflight_allows_the_proxy_headers_and_exposes_retry_after_and_hash() {
    let base = upstream(Seen::default()).await;
    let mut c = config(&base);
    c.cors_origins = vec!["https://app.example".into(), "http://localhost:5173".into()];
    let app = proxy(c);
    let preflight = |origin: &str, method: &str, uri: &str, headers: &str| {
        Request::builder()
            .method("OPTIONS")
            .uri(uri)
            .header("origin", origin)
            .header("access-control-request-method", method)
            .header("access-control-request-headers", headers)
            .body(Body::empty())
            .unwrap()
    };
    let (s, h, _) = call(
        &app,
        preflight(
            "http://localhost:5173",
            "POST",
            "/up/v2/sessions/online",
            "x-app-authorization,authorization,content-type",
        ),
    )
    .await;
    assert!(s.is_success());
    assert_eq!(h["access-control-allow-origin"], "http://localhost:5173");
    let allowed = h["access-control-allow-headers"].to_str().unwrap();
    for name in ["x-app-authorization", "authorization", "content-type"] {
        assert!(
            allowed.split(',').any(|a| a.trim() == name),
            "{name}: {allowed}"
        );
    }
    assert!(
        h["access-control-allow-methods"]
            .to_str()
            .unwrap()
            .contains("POST")
    );
    assert_eq!(h["access-control-max-age"], "600");
    // Batch part upload straight to the signed storage link.
    let (_, h, _) = call(
        &app,
        preflight(
            "https://app.example",
            "PUT",
            "/up/storage?u=x",
            "x-ms-blob-type,content-type",
        ),
    )
    .await;
    assert!(
        h["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .contains("x-ms-blob-type")
    );
    assert!(
        h["access-control-allow-methods"]
            .to_str()
            .unwrap()
            .contains("PUT")
    );
    // The actual answer exposes what the browser must read.
    let r = Request::builder()
        .uri("/up/v2/rate-limits")
        .header("origin", "https://app.example")
        .body(Body::empty())
        .unwrap();
    let (s, h, _) = call(&app, r).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(h["access-control-allow-origin"], "https://app.example");
    assert_eq!(h["retry-after"], "7");
    let exposed = h["access-control-expose-headers"].to_str().unwrap();
    for name in ["retry-after", "x-ms-meta-hash", "x-continuation-token"] {
        assert!(exposed.contains(name), "{name}: {exposed}");
    }
    assert!(!h.contains_key("access-control-allow-credentials"));
}

#[test]
fn wildcard_or_malformed_cors_origins_are_refused_at_start() {
    for bad in ["*", "https://*.example", "app.example", "https://a\nb"] {
        let c = Config {
            cors_origins: vec![bad.into()],
            ..Config::default()
        };
        let e = ksef_proxy::AppState::new(c).map(|_| ()).unwrap_err();
        assert!(e.to_string().contains("cors_origins"), "{bad}: {e}");
    }
}

#[tokio::test]
async fn web_app_spa_fallback_mime_types_and_csp() {
    let dir = std::env::temp_dir().join(format!("ksef-proxy-spa-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("assets")).unwrap();
    std::fs::write(dir.join("index.html"), "<!doctype html><title>spa</title>").unwrap();
    std::fs::write(dir.join("assets/ksef_wasm_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(dir.join("assets/index-abc.js"), "export {}").unwrap();
    std::fs::write(dir.join("manifest.webmanifest"), "{}").unwrap();
    std::fs::write(
        dir.join("sw.js"),
        "self.addEventListener('fetch', () => {})",
    )
    .unwrap();
    let base = upstream(Seen::default()).await;
    let mut c = config(&base);
    c.web_dir = Some(dir.clone());
    let app = proxy(c);
    let (s, h, _) = call(&app, req("GET", "/assets/ksef_wasm_bg.wasm")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(h["content-type"], "application/wasm");
    let csp = h["content-security-policy"].to_str().unwrap().to_owned();
    assert!(
        csp.contains("script-src 'self' 'wasm-unsafe-eval'"),
        "{csp}"
    );
    assert!(!csp.contains(" 'unsafe-eval'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert!(csp.contains("connect-src 'self'"), "{csp}");
    assert!(csp.contains("img-src 'self' data: blob:"), "{csp}");
    let (_, h, _) = call(&app, req("GET", "/assets/index-abc.js")).await;
    assert_eq!(h["content-type"], "text/javascript; charset=utf-8");
    let (_, h, _) = call(&app, req("GET", "/manifest.webmanifest")).await;
    assert_eq!(h["content-type"], "application/manifest+json");
    let (s, h, _) = call(&app, req("GET", "/sw.js")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(h["cache-control"], "no-cache");
    assert_eq!(h["content-type"], "text/javascript; charset=utf-8");
    // Client-side routes get the shell; the shell is never cached stale.
    for uri in ["/", "/invoices/new", "/settings"] {
        let (s, h, b) = call(&app, req("GET", uri)).await;
        assert_eq!(s, StatusCode::OK, "{uri}");
        assert!(String::from_utf8_lossy(&b).contains("spa"), "{uri}");
        assert_eq!(h["cache-control"], "no-cache", "{uri}");
        assert!(h["content-type"].to_str().unwrap().starts_with("text/html"));
        assert_eq!(h["x-frame-options"], "DENY");
    }
    // Missing assets and API-looking paths stay JSON 404s; the API still works.
    for (m, uri) in [
        ("GET", "/assets/missing.js"),
        ("GET", "/nowhere/v2/sessions"),
        ("GET", "/up/storage/p/1"),
        ("GET", "/up/latarnia"),
        ("GET", "/_sim/reset"),
        ("POST", "/"),
        ("DELETE", "/invoices/new"),
    ] {
        let (s, _, b) = call(&app, req(m, uri)).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{m} {uri}");
        assert_eq!(json_of(&b)["error"], "not-allowed", "{m} {uri}");
    }
    let (s, _, b) = call(&app, req("GET", "/up/v2/sessions")).await;
    assert_eq!((s, b.as_slice()), (StatusCode::OK, b"upstream".as_slice()));
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn demo_tokens_are_minted_and_enforced_only_when_configured() {
    let base = upstream(Seen::default()).await;
    let post = |uri: &str, body: &str| {
        Request::builder()
            .method("POST")
            .uri(uri)
            .header("content-type", "application/json")
            .body(Body::from(body.to_owned()))
            .unwrap()
    };
    // Off (the default): no such endpoint.
    let app = proxy(config(&base));
    let (s, _, _) = call(
        &app,
        post(
            "/_demo/token",
            r#"{"sub":"a","permissions":[],"permissionsActive":true}"#,
        ),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    let mut c = config(&base);
    c.permissions = PermissionsConfig {
        enabled: true,
        hs256_secret: Some(SECRET.into()),
        demo_tokens: true,
        ..PermissionsConfig::default()
    };
    let app = proxy(c);
    let mint = |perms: &str, active: bool| {
        post(
            "/_demo/token",
            &format!(r#"{{"sub":"spedytor","permissions":{perms},"permissionsActive":{active}}}"#),
        )
    };
    let token = |b: &[u8]| format!("Bearer {}", json_of(b)["token"].as_str().unwrap());
    let with = |m: &str, uri: &str, t: &str| {
        Request::builder()
            .method(m)
            .uri(uri)
            .header(perms::HEADER, t)
            .body(Body::empty())
            .unwrap()
    };
    let send = "/up/v2/sessions/online/20250626-SO-X/invoices";
    // A view-only user: reads pass, sending is refused naming the permission.
    let (s, _, b) = call(&app, mint(r#"["ksef.view_document"]"#, true)).await;
    assert_eq!(s, StatusCode::OK);
    let viewer = token(&b);
    let (s, _, _) = call(&app, with("GET", "/up/v2/sessions", &viewer)).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _, b) = call(&app, with("POST", send, &viewer)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(json_of(&b)["permission"], perms::CHANGE_DOCUMENT);
    // "Uprawnienia aktywne" off in the host application: everything passes.
    let (_, _, b) = call(&app, mint("[]", false)).await;
    let (s, _, _) = call(&app, with("POST", send, &token(&b))).await;
    assert_eq!(s, StatusCode::OK);
    // Bad requests say what was expected.
    let (s, _, b) = call(&app, mint(r#"["ksef.everything"]"#, true)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        json_of(&b)["message"]
            .as_str()
            .unwrap()
            .contains("ksef.everything")
    );
    let (s, _, b) = call(&app, post("/_demo/token", r#"{"sub":"a"}"#)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        json_of(&b)["message"]
            .as_str()
            .unwrap()
            .contains("permissions")
    );
}
