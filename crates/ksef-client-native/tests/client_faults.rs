//! Retries and refresh through the driver against the simulator's fault injection
//! (`/_sim/faults`: HTTP 500 and dropped connections) and a shifted clock.

mod common;

use std::cell::RefCell;

use common::*;
use ksef_client_native::NativeTransport;
use ksef_core::api::{HttpRequest, HttpResponse, Method, Target};
use ksef_core::client::governor::{Millis, Profile, RetryPolicy};
use ksef_core::client::{Client, Transport, TransportError};
use serde_json::json;

async fn faults(sim: &Sim, fail: u32, drop: u32) {
    let r = sim
        .http
        .put(format!("{}/_sim/faults", sim.running.base_url()))
        .json(&json!({"failNext": fail, "dropNext": drop}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
}

/// Records the paths sent and can shift the wall clock.
struct Recording {
    inner: NativeTransport,
    paths: RefCell<Vec<String>>,
    shift: time::Duration,
}

impl Transport for Recording {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        if let Target::Api(p) = &request.target {
            self.paths.borrow_mut().push(p.clone());
        }
        self.inner.send(request).await
    }
    async fn sleep(&self, ms: Millis) {
        self.inner.sleep(ms).await;
    }
    fn now_ms(&self) -> Millis {
        self.inner.now_ms()
    }
    fn now_utc(&self) -> time::OffsetDateTime {
        self.inner.now_utc() + self.shift
    }
    fn jitter(&self) -> u64 {
        self.inner.jitter()
    }
}

fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_retries: 4,
        base_delay: 5,
        max_delay: 20,
    }
}

#[tokio::test]
async fn login_survives_500s_and_dropped_connections_on_safe_calls() {
    let sim = start().await;
    let nip = nip(50_005);
    let (cert, key) = sim.demo(&nip, "Authentication").await;
    let (mut signer, login) = signer(&cert, &key, &nip, false);
    let mut client = Client::new(NativeTransport::new(&sim.base), Profile::production())
        .with_retry(fast_retry());
    // The challenge is safe to repeat: two 500s and a dropped connection are retried.
    faults(&sim, 2, 0).await;
    let r = client
        .call(HttpRequest::api(Method::Post, "/auth/challenge"))
        .await
        .unwrap();
    assert_eq!(r.status, 200);
    faults(&sim, 0, 1).await;
    let r = client
        .call(HttpRequest::api(Method::Post, "/auth/challenge"))
        .await
        .unwrap();
    assert_eq!(r.status, 200);
    client.login(login, &mut signer).await.unwrap();
    // A GET after a dropped connection.
    faults(&sim, 0, 1).await;
    let r = client
        .authorized(HttpRequest::api(
            Method::Get,
            "/sessions?sessionType=Online&pageSize=10",
        ))
        .await
        .unwrap();
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn non_idempotent_post_is_not_retried_blindly() {
    let sim = start().await;
    let mut client = Client::new(NativeTransport::new(&sim.base), Profile::production())
        .with_retry(fast_retry());
    faults(&sim, 1, 0).await;
    // Redeem is not repeated on a 500: the 500 comes back to the caller.
    let r = client
        .call(HttpRequest::api(Method::Post, "/auth/token/redeem").bearer("x"))
        .await
        .unwrap();
    assert_eq!(r.status, 500);
}

#[tokio::test]
async fn access_token_is_refreshed_before_expiry() {
    let sim = start().await;
    let nip = nip(60_006);
    let (cert, key) = sim.demo(&nip, "Authentication").await;
    let (mut signer, login) = signer(&cert, &key, &nip, false);
    let mut client = Client::new(
        Recording {
            inner: NativeTransport::new(&sim.base),
            paths: RefCell::new(Vec::new()),
            shift: time::Duration::ZERO,
        },
        Profile::production(),
    );
    client.login(login, &mut signer).await.unwrap();
    let before = client.authorization().tokens().unwrap().access.clone();
    // The access token lives 15 minutes; 14 minutes later a refresh is due.
    let transport_shifted = Recording {
        inner: NativeTransport::new(&sim.base),
        paths: RefCell::new(Vec::new()),
        shift: time::Duration::minutes(14),
    };
    // Move the authorization into a client whose clock is 14 minutes ahead.
    let mut later = Client::new(transport_shifted, Profile::production());
    later.restore_authorization(client.authorization().clone());
    let r = later
        .authorized(HttpRequest::api(
            Method::Get,
            "/sessions?sessionType=Online&pageSize=10",
        ))
        .await
        .unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(
        later.transport().paths.borrow().first().map(String::as_str),
        Some("/auth/token/refresh")
    );
    let after = later.authorization().tokens().unwrap().access.clone();
    assert_ne!(before.token, after.token);
}
