//! Control API (`/_sim`), Latarnia, fault injection, key rotation, rules profile.

mod common;

use std::time::Duration;

use common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn root(sim: &Sim, path: &str) -> String {
    format!("{}{path}", sim.running.base_url())
}

#[tokio::test]
async fn latarnia_status_and_messages() {
    let sim = start().await;
    let status = || async {
        sim.http
            .get(root(&sim, "/status"))
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()
    };
    assert_eq!(status().await["status"], "AVAILABLE");
    let ctl = |body: Value| {
        sim.http
            .post(root(&sim, "/_sim/latarnia"))
            .json(&body)
            .send()
    };
    assert_eq!(
        ctl(json!({"action": "maintenance"}))
            .await
            .unwrap()
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(status().await["status"], "MAINTENANCE");
    ctl(json!({"action": "failureStart", "title": "Awaria"}))
        .await
        .unwrap();
    let s = status().await;
    assert_eq!(s["status"], "FAILURE");
    ctl(json!({"action": "failureEnd"})).await.unwrap();
    assert_eq!(status().await["status"], "MAINTENANCE");
    ctl(json!({"action": "totalFailure"})).await.unwrap();
    assert_eq!(status().await["status"], "TOTAL_FAILURE");
    let msgs: Value = sim
        .http
        .get(root(&sim, "/messages"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let kinds: Vec<&str> = msgs
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "MAINTENANCE_ANNOUNCEMENT",
            "FAILURE_START",
            "FAILURE_END",
            "FAILURE_START"
        ]
    );
    assert!(msgs[1]["end"].is_string());
    ctl(json!({"action": "clear"})).await.unwrap();
    assert_eq!(status().await["status"], "AVAILABLE");
}

#[tokio::test]
async fn faults_5xx_drop_latency() {
    let sim = start().await;
    let put = |body: Value| sim.http.put(root(&sim, "/_sim/faults")).json(&body).send();
    put(json!({"failNext": 1})).await.unwrap();
    // Injected 5xx are outside the contract: bypass the OpenAPI check.
    let r = sim
        .http
        .post(sim.url("/auth/challenge"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        sim.post("/auth/challenge", None, None).await.status(),
        StatusCode::OK
    );
    put(json!({"dropNext": 1})).await.unwrap();
    let r = sim.http.post(sim.url("/auth/challenge")).send().await;
    let broken = match r {
        Err(_) => true,
        Ok(r) => r.bytes().await.is_err(),
    };
    assert!(broken, "the connection should have been dropped");
    put(json!({"latencyMs": 150})).await.unwrap();
    let t = std::time::Instant::now();
    assert_eq!(
        sim.post("/auth/challenge", None, None).await.status(),
        StatusCode::OK
    );
    assert!(t.elapsed() >= Duration::from_millis(150));
}

#[tokio::test]
async fn delays_make_processing_observable() {
    let sim = start().await;
    let nip = random_nip();
    let (token, _, _) = sim.login(&Cred::tin(&nip), &nip).await;
    let r = sim
        .http
        .put(root(&sim, "/_sim/delays"))
        .json(&json!({"auth": 0, "invoiceAccept": 0, "invoiceProcess": 400, "sessionClose": 0, "permanentStorage": 60000}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (session, key) = sim.open_session(&token).await;
    let inv = sim
        .send(
            &token,
            &session,
            &key,
            &invoice(&nip, "FV/DL/1", &today()),
            json!({}),
        )
        .await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let v: Value = sim
        .get(&format!("/sessions/{session}/invoices/{inv}"), Some(&token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["status"]["code"], 150);
    let v = sim.invoice_final(&token, &session, &inv).await;
    assert_eq!(v["status"]["code"], 200);
    // Not yet in permanent storage → 21165.
    let r = sim
        .get(
            &format!("/invoices/ksef/{}", v["ksefNumber"].as_str().unwrap()),
            Some(&token),
        )
        .await;
    assert_eq!(error_code(&r.json().await.unwrap()), 21165);
}

#[tokio::test]
async fn clock_offset_and_reset() {
    let sim = start().await;
    let before: Value = sim
        .post("/auth/challenge", None, None)
        .await
        .json()
        .await
        .unwrap();
    let r = sim
        .http
        .put(root(&sim, "/_sim/clock"))
        .json(&json!({"offsetSeconds": 86400}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let after: Value = sim
        .post("/auth/challenge", None, None)
        .await
        .json()
        .await
        .unwrap();
    let d = after["timestampMs"].as_i64().unwrap() - before["timestampMs"].as_i64().unwrap();
    assert!((86_400_000..86_460_000).contains(&d), "{d}");
    // Reset forgets challenges (and everything else).
    let nip = random_nip();
    let cred = Cred::seal(&nip);
    let signed = cred.sign(
        after["challenge"].as_str().unwrap(),
        &nip,
        ksef_core::xades::SubjectIdentifierType::CertificateSubject,
    );
    sim.http
        .post(root(&sim, "/_sim/reset"))
        .send()
        .await
        .unwrap();
    let r = sim
        .http
        .post(sim.url("/auth/xades-signature"))
        .body(signed)
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(&r.json().await.unwrap()), 21111);
}

#[tokio::test]
async fn key_rotation_and_revocation() {
    let sim = start().await;
    let nip = random_nip();
    let (token, _, _) = sim.login(&Cred::seal(&nip), &nip).await;
    let old = sim.mf_key().await;
    let r = sim
        .http
        .post(root(&sim, "/_sim/keys"))
        .json(&json!({"usage": "SymmetricKeyEncryption"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let list: Value = sim
        .get("/security/public-key-certificates", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 3);
    sim.http
        .post(root(&sim, "/_sim/keys/revoke"))
        .json(&json!({"publicKeyId": old.public_key_id()}))
        .send()
        .await
        .unwrap();
    let key = ksef_core::crypto::InvoiceEncryptionKey::generate(&mut ksef_sim::SimRng::os());
    let info = key
        .encryption_info(&old, &mut ksef_sim::SimRng::os())
        .unwrap();
    let r = sim
        .post(
            "/sessions/online",
            Some(&token),
            Some(json!({"formCode": fa3(), "encryption": info})),
        )
        .await;
    let v: Value = r.json().await.unwrap();
    assert_eq!(error_code(&v), 21470);
    // The client re-fetches the list and the new key works.
    sim.open_session(&token).await;
}

#[tokio::test]
async fn prod_profile_checks_nip_checksum() {
    let sim = start().await;
    // 1234567890 matches the NIP pattern but fails the checksum.
    let nip = "1234567890";
    assert!(ksef_core::ident::check_nip(nip).is_err());
    let (token, _, _) = sim.login(&Cred::seal(nip), nip).await;
    let (session, key) = sim.open_session(&token).await;
    let inv = sim
        .send(
            &token,
            &session,
            &key,
            &invoice(nip, "FV/P/1", &today()),
            json!({}),
        )
        .await;
    assert_eq!(
        sim.invoice_final(&token, &session, &inv).await["status"]["code"],
        200
    );
    sim.http
        .put(root(&sim, "/_sim/profile"))
        .json(&json!({"profile": "Prod"}))
        .send()
        .await
        .unwrap();
    let inv = sim
        .send(
            &token,
            &session,
            &key,
            &invoice(nip, "FV/P/2", &today()),
            json!({}),
        )
        .await;
    let st = sim.invoice_final(&token, &session, &inv).await;
    assert_eq!(st["status"]["code"], 450);
    assert!(st["status"]["details"][0].as_str().unwrap().contains("NIP"));
}

#[tokio::test]
async fn demo_credentials_log_in() {
    let sim = start().await;
    let nip = random_nip();
    for (kind, expected) in [("Authentication", 200), ("Offline", 460)] {
        let r = sim
            .http
            .post(root(&sim, "/_sim/demo-credentials"))
            .json(&json!({"nip": nip, "certificateType": kind, "password": "demo"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let v: Value = r.json().await.unwrap();
        let cred = ksef_core::crypto::Credential::load(
            v["certificatePem"].as_str().unwrap().as_bytes(),
            v["privateKeyPem"].as_str().unwrap().as_bytes(),
            Some("demo"),
        )
        .unwrap();
        let c = Cred {
            key: cred.private_key().clone(),
            cert: cred.certificate().clone(),
        };
        let (r, at) = sim
            .start_login(
                &c,
                &nip,
                ksef_core::xades::SubjectIdentifierType::CertificateSubject,
            )
            .await;
        assert_eq!(
            sim.auth_status(&r, &at).await["status"]["code"],
            expected,
            "{kind}"
        );
    }
}

#[test]
fn openapi_checker_catches_mistakes() {
    use common::oas::validate;
    let bad = |status: u16, body: &str| {
        std::panic::catch_unwind(|| {
            validate(
                "get",
                "/v2/sessions/20250101-SO-0000000000-0000000000-00",
                status,
                "application/json",
                body.as_bytes(),
            )
        })
        .is_err()
    };
    let ok = r#"{"status":{"code":100,"description":"x"},"dateCreated":"a","dateUpdated":"b"}"#;
    assert!(!bad(200, ok));
    assert!(bad(
        200,
        r#"{"status":{"code":100,"description":"x"},"dateCreated":"a"}"#
    ));
    assert!(bad(
        200,
        r#"{"status":{"code":"100","description":"x"},"dateCreated":"a","dateUpdated":"b"}"#
    ));
    assert!(bad(
        200,
        r#"{"status":{"code":100,"description":"x"},"dateCreated":"a","dateUpdated":"b","extra":1}"#
    ));
    assert!(bad(418, ok));
}

#[tokio::test]
async fn rate_limits_with_retry_after() {
    let sim = start().await;
    let nip = random_nip();
    let (token, _, _) = sim.login(&Cred::seal(&nip), &nip).await;
    // Off by default: many opens pass.
    for _ in 0..12 {
        sim.open_session(&token).await;
    }
    let r = sim
        .post("/testdata/rate-limits/production", Some(&token), None)
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = sim
        .get("/rate-limits", Some(&token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        v["onlineSession"],
        json!({"perSecond": 10, "perMinute": 30, "perHour": 120})
    );
    // Start from empty windows (the opens above are older than the hour window).
    sim.clock.advance(time::Duration::hours(2));
    let (token, _, _) = sim.login(&Cred::seal(&nip), &nip).await;
    let mut refused = None;
    for i in 0..40 {
        let key = ksef_core::crypto::InvoiceEncryptionKey::generate(&mut ksef_sim::SimRng::os());
        let info = key
            .encryption_info(&sim.mf_key().await, &mut ksef_sim::SimRng::os())
            .unwrap();
        let r = sim
            .post(
                "/sessions/online",
                Some(&token),
                Some(json!({"formCode": fa3(), "encryption": info})),
            )
            .await;
        if r.status() == StatusCode::TOO_MANY_REQUESTS {
            refused = Some((i, r));
            break;
        }
    }
    let (i, r) = refused.expect("a 429");
    assert!(i <= 30, "refused after {i}");
    let retry: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry >= 1);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["status"]["code"], 429);
    // Problem-details form.
    let r = sim
        .http
        .post(sim.url("/sessions/online"))
        .bearer_auth(&token)
        .header("X-Error-Format", "problem-details")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    let r = common::checked("post", r).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    // Switched off again via the control API.
    sim.http
        .put(root(&sim, "/_sim/rate-limits"))
        .json(&json!({"enabled": false}))
        .send()
        .await
        .unwrap();
    sim.open_session(&token).await;
}

#[tokio::test]
async fn test_system_warning_is_echoed() {
    let sim = start().await;
    let r = sim
        .http
        .post(sim.url("/auth/challenge"))
        .header("X-Test-System-Warning", "[123]: Ostrzeżenie testowe")
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["x-system-warning"],
        "[123]: Ostrzezenie testowe"
    );
}
