//! With the simulator's rate limits on (the published production table, DIGEST §17), a
//! burst of sends and status polls through the governor gets no 429.

mod common;

use std::cell::Cell;

use common::*;
use getrandom::rand_core::UnwrapErr;
use ksef_client_native::NativeTransport;
use ksef_core::api::{HttpRequest, HttpResponse};
use ksef_core::client::governor::{Millis, Profile};
use ksef_core::client::online::{PreparedInvoice, ProductStatus};
use ksef_core::client::{Client, Transport, TransportError};
use ksef_core::crypto::InvoiceEncryptionKey;
use serde_json::json;

/// Counts the requests sent and the 429 answers.
struct Counting {
    inner: NativeTransport,
    sent: Cell<u32>,
    limited: Cell<u32>,
}

impl Transport for Counting {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        self.sent.set(self.sent.get() + 1);
        let r = self.inner.send(request).await?;
        if r.status == 429 {
            self.limited.set(self.limited.get() + 1);
        }
        Ok(r)
    }
    async fn sleep(&self, ms: Millis) {
        self.inner.sleep(ms).await;
    }
    fn now_ms(&self) -> Millis {
        self.inner.now_ms()
    }
    fn now_utc(&self) -> time::OffsetDateTime {
        self.inner.now_utc()
    }
    fn jitter(&self) -> u64 {
        self.inner.jitter()
    }
}

#[tokio::test]
async fn burst_under_production_limits_gets_no_429() {
    let (sent, limited) = burst(Profile::production()).await;
    assert_eq!(limited, 0);
    assert!(sent > 24);
}

/// Control: without the governor the simulator does answer 429 (and the client still
/// finishes, honouring `Retry-After`).
#[tokio::test]
async fn without_the_governor_the_simulator_limits() {
    let (_, limited) = burst(Profile::unlimited()).await;
    assert!(limited > 0);
}

async fn burst(profile: Profile) -> (u32, u32) {
    let sim = start().await;
    let r = sim
        .http
        .put(format!("{}/_sim/rate-limits", sim.running.base_url()))
        .json(&json!({"enabled": true}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let nip = nip(30_003);
    let (cert, key) = sim.demo(&nip, "Authentication").await;
    let (mut signer, login) = signer(&cert, &key, &nip, false);
    let mut client = Client::new(
        Counting {
            inner: NativeTransport::new(&sim.base),
            sent: Cell::new(0),
            limited: Cell::new(0),
        },
        profile,
    );
    client.poll_interval = 1;
    let mut rng = UnwrapErr(getrandom::SysRng);
    client.login(login, &mut signer).await.unwrap();
    let session_key = InvoiceEncryptionKey::generate(&mut rng);
    let session = client.open_online(&session_key, &mut rng).await.unwrap();
    let s = session.reference_number.clone();
    let started = std::time::Instant::now();
    // 12 sends: the per-second window (10) makes the governor wait once.
    let mut refs = Vec::new();
    for i in 0..12 {
        let p = PreparedInvoice::new(
            &session_key,
            &invoice(&nip, &format!("FV/RL/{i}")),
            false,
            None,
        );
        refs.push(client.send_invoice(&s, &p).await.unwrap());
    }
    assert!(started.elapsed() >= std::time::Duration::from_millis(900));
    for r in &refs {
        let o = client.invoice_outcome(&s, r).await.unwrap();
        assert_eq!(o.status, ProductStatus::Accepted, "{o:?}");
    }
    (
        client.transport().sent.get(),
        client.transport().limited.get(),
    )
}
