//! End-to-end login through the sans-IO auth coordinator, the driver and the native
//! transport against the in-process simulator (DIGEST §5).

mod common;

use common::*;
use ksef_core::api::{HttpRequest, Method};
use ksef_core::client::CallError;
use ksef_core::client::auth::{AuthFailure, AuthState, NotAuthorized};
use serde_json::json;

#[tokio::test]
async fn login_happy_path_then_refresh_and_authorized_call() {
    let sim = start().await;
    let nip = nip(1_111);
    let (cert, key) = sim.demo(&nip, "Authentication").await;
    let (mut signer, login) = signer(&cert, &key, &nip, false);
    let mut client = sim.client();
    // Refused before login, with a message that says so.
    let e = client
        .authorized(HttpRequest::api(
            Method::Get,
            "/sessions?sessionType=Online&pageSize=10",
        ))
        .await
        .unwrap_err();
    assert_eq!(e, CallError::NotAuthorized(NotAuthorized::NotAuthenticated));
    assert!(e.to_string().contains("not authenticated"), "{e}");

    client.login(login, &mut signer).await.unwrap();
    assert_eq!(client.authorization().state(), &AuthState::Accepted);
    let tokens = client.authorization().tokens().unwrap().clone();
    assert!(tokens.reference.contains("-AU-"), "{}", tokens.reference);

    // A business call with the access token.
    let r = client
        .authorized(HttpRequest::api(
            Method::Get,
            "/sessions?sessionType=Online&pageSize=10",
        ))
        .await
        .unwrap();
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));

    // The refresh request works against KSeF and yields a new access token.
    let req = client.authorization().refresh_request().unwrap();
    let r = client.call(req).await.unwrap();
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
}

#[tokio::test]
async fn offline_certificate_is_rejected_with_460() {
    let sim = start().await;
    let nip = nip(2_222);
    let (cert, key) = sim.demo(&nip, "Offline").await;
    let (mut signer, login) = signer(&cert, &key, &nip, true);
    let mut client = sim.client();
    let f = client.login(login, &mut signer).await.unwrap_err();
    match &f {
        AuthFailure::CertificateRejected {
            code, description, ..
        } => {
            assert_eq!(*code, Some(460));
            assert!(description.contains("certyfikatu"), "{description}");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        client.authorization().state(),
        AuthState::Error { .. }
    ));
    let e = client
        .authorized(HttpRequest::api(Method::Get, "/sessions"))
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("cannot send to ksef: authorization failed"),
        "{e}"
    );
}

#[tokio::test]
async fn no_permission_in_other_context_is_415() {
    let sim = start().await;
    let own = nip(3_333);
    let other = nip(4_444);
    let (cert, key) = sim.demo(&own, "Authentication").await;
    let (mut signer, login) = signer(&cert, &key, &other, false);
    let mut client = sim.client();
    let f = client.login(login, &mut signer).await.unwrap_err();
    match &f {
        AuthFailure::NoPermissions { details, .. } => {
            assert_eq!(details, &["Brak przypisanych uprawnień".to_owned()]);
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn blocked_context_is_480() {
    let sim = start().await;
    let nip = nip(5_555);
    sim.testdata(
        "/testdata/context/block",
        json!({"contextIdentifier": {"type": "Nip", "value": nip}}),
    )
    .await;
    let (cert, key) = sim.demo(&nip, "Authentication").await;
    let (mut signer, login) = signer(&cert, &key, &nip, false);
    let mut client = sim.client();
    let f = client.login(login, &mut signer).await.unwrap_err();
    assert!(matches!(f, AuthFailure::Blocked { .. }), "{f:?}");
    assert!(f.to_string().contains("480"), "{f}");
}

#[tokio::test]
async fn unreachable_ksef_is_a_network_failure() {
    let mut client = ksef_core::client::Client::new(
        ksef_client_native::NativeTransport::new("http://127.0.0.1:9/v2"),
        ksef_core::client::governor::Profile::production(),
    )
    .with_retry(ksef_core::client::governor::RetryPolicy {
        max_retries: 2,
        base_delay: 1,
        max_delay: 2,
    });
    let sim = start().await;
    let nip = nip(6_666);
    let (cert, key) = sim.demo(&nip, "Authentication").await;
    let (mut signer, login) = signer(&cert, &key, &nip, false);
    let f = client.login(login, &mut signer).await.unwrap_err();
    assert!(matches!(f, AuthFailure::Network(_)), "{f:?}");
}

#[tokio::test]
async fn wrong_password_and_missing_password_map_to_reasons() {
    let sim = start().await;
    let nip = nip(7_777);
    let (cert, key) = sim.demo(&nip, "Authentication").await;
    let e = ksef_core::crypto::Credential::load(cert.as_bytes(), key.as_bytes(), Some("zle"))
        .unwrap_err();
    assert_eq!(AuthFailure::from_credential(&e), AuthFailure::WrongPassword);
    let e = ksef_core::crypto::Credential::load(cert.as_bytes(), key.as_bytes(), None).unwrap_err();
    assert!(matches!(
        AuthFailure::from_credential(&e),
        AuthFailure::MissingCredentials(_)
    ));
}

#[tokio::test]
async fn both_error_formats_decode_to_the_same_api_error() {
    let sim = start().await;
    let mut client = sim.client();
    let req = HttpRequest::api(Method::Get, "/auth/20250101-AU-0000000000-0000000000-00")
        .bearer("not-a-token");
    // 401 is always problem+json.
    let r = client.call(req).await.unwrap();
    let e = ksef_core::api::ApiError::from_response(&r);
    assert_eq!(e.status(), Some(401));
    assert!(!e.errors()[0].description.is_empty());
    // A 400 in both formats: an unsupported form code (21405).
    let nip = nip(9_999);
    let (cert, key) = sim.demo(&nip, "Authentication").await;
    let (mut signer, login) = signer(&cert, &key, &nip, false);
    client.login(login, &mut signer).await.unwrap();
    let body = json!({"formCode": {"systemCode": "XX (1)", "schemaVersion": "1", "value": "XX"},
        "encryption": {"encryptedSymmetricKey": "AA==", "initializationVector": "AAAAAAAAAAAAAAAAAAAAAA=="}});
    let plain = client
        .authorized(
            HttpRequest::api(Method::Post, "/sessions/online")
                .json(&body)
                .unwrap(),
        )
        .await
        .unwrap();
    let problem = client
        .authorized(
            HttpRequest::api(Method::Post, "/sessions/online")
                .json(&body)
                .unwrap()
                .header("X-Error-Format", "problem-details"),
        )
        .await
        .unwrap();
    assert_eq!(
        problem
            .header("content-type")
            .map(|c| c.starts_with("application/problem+json")),
        Some(true)
    );
    let a = ksef_core::api::ApiError::from_response(&plain);
    let b = ksef_core::api::ApiError::from_response(&problem);
    assert_eq!(a.status(), Some(400));
    assert_eq!(a.code(), Some(21405));
    assert_eq!(a.errors(), b.errors());
}
