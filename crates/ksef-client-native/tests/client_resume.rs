//! No lost and no duplicated invoices (issue 5 item 7): a send interrupted after KSeF
//! received an invoice but before the client saw the answer is resumed from the
//! persisted state by lookup, and a 440 duplicate of the same bytes counts as accepted.

mod common;

use std::cell::Cell;

use common::*;
use getrandom::rand_core::UnwrapErr;
use ksef_client_native::NativeTransport;
use ksef_core::api::{HttpRequest, HttpResponse, Method, Target};
use ksef_core::client::governor::{Millis, Profile};
use ksef_core::client::online::ProductStatus;
use ksef_core::client::resume::OnlineSendState;
use ksef_core::client::{CallError, Client, Transport, TransportError};

/// Loses the response of the `lose_at`-th invoice send (the request reaches KSeF).
struct Lossy {
    inner: NativeTransport,
    sends: Cell<u32>,
    lose_at: Cell<u32>,
}

impl Transport for Lossy {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let is_send = request.method == Method::Post
            && matches!(&request.target, Target::Api(p) if p.ends_with("/invoices"));
        let r = self.inner.send(request).await?;
        if is_send {
            self.sends.set(self.sends.get() + 1);
            if self.sends.get() == self.lose_at.get() {
                return Err(TransportError("connection reset by peer".into()));
            }
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
async fn interrupted_send_resumes_without_loss_or_duplicates() {
    let sim = start().await;
    let nip = nip(70_007);
    let (cert, key) = sim.demo(&nip, "Authentication").await;
    let (mut signer, login) = signer(&cert, &key, &nip, false);
    let mut client = Client::new(
        Lossy {
            inner: NativeTransport::new(&sim.base),
            sends: Cell::new(0),
            lose_at: Cell::new(3),
        },
        Profile::production(),
    );
    client.poll_interval = 2;
    let mut rng = UnwrapErr(getrandom::SysRng);
    client.login(login, &mut signer).await.unwrap();

    let invoices: Vec<(String, Vec<u8>)> = (0..5)
        .map(|i| (format!("fv-{i}.xml"), invoice(&nip, &format!("FV/R/{i}"))))
        .collect();
    let mut saved = String::new();
    let mut state = OnlineSendState::new(&invoices);
    let e = client
        .send_online_resumable(&mut state, &invoices, false, &mut rng, &mut |s| {
            saved = serde_json::to_string(s).unwrap();
        })
        .await
        .unwrap_err();
    assert!(matches!(e, CallError::Network(_)), "{e:?}");

    // "Restart": only the persisted JSON survives.
    let mut state: OnlineSendState = serde_json::from_str(&saved).unwrap();
    assert_eq!(state.sessions.len(), 1);
    assert!(state.items[2].reference_number.is_none());
    assert!(state.items[2].session_reference_number.is_some());
    client.transport().lose_at.set(0);
    client
        .send_online_resumable(&mut state, &invoices, false, &mut rng, &mut |_| {})
        .await
        .unwrap();
    assert!(state.is_done());
    assert_eq!(state.sessions.len(), 2);
    let mut numbers = Vec::new();
    for item in &state.items {
        let o = item.outcome.as_ref().unwrap();
        assert_eq!(o.status, ProductStatus::Accepted, "{o:?}");
        assert_eq!(o.code, 200, "{o:?}");
        numbers.push(o.ksef_number.clone().unwrap());
    }
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), 5);
    // KSeF holds exactly five invoices across both sessions: none lost, none twice.
    let mut total = 0;
    for s in state.sessions.clone() {
        total += client.session_invoices(&s).await.unwrap().len();
    }
    assert_eq!(total, 5);
    // The third invoice went out once, in the first session.
    assert_eq!(
        state.items[2].session_reference_number.as_deref(),
        Some(state.sessions[0].as_str())
    );

    // The state was lost altogether: resending the same bytes meets a 440 whose original
    // has the same hash, which counts as accepted with the original KSeF number.
    let mut fresh = OnlineSendState::new(&invoices[..1]);
    client
        .send_online_resumable(&mut fresh, &invoices[..1], false, &mut rng, &mut |_| {})
        .await
        .unwrap();
    let o = fresh.items[0].outcome.as_ref().unwrap();
    assert_eq!(o.code, 440);
    assert_eq!(o.status, ProductStatus::Accepted);
    assert_eq!(
        o.ksef_number.as_deref(),
        state.items[0]
            .outcome
            .as_ref()
            .unwrap()
            .ksef_number
            .as_deref()
    );

    // Different bytes under the same invoice number stay a rejected duplicate.
    let mut changed = invoices[1].1.clone();
    changed.extend_from_slice(b"\n");
    let other = vec![("fv-1-changed.xml".to_owned(), changed)];
    let mut st = OnlineSendState::new(&other);
    client
        .send_online_resumable(&mut st, &other, false, &mut rng, &mut |_| {})
        .await
        .unwrap();
    let o = st.items[0].outcome.as_ref().unwrap();
    assert_eq!(o.code, 440);
    assert_eq!(o.status, ProductStatus::Rejected);
}
