//! End-to-end batch sending (DIGEST §9) through the driver: stored ZIP, several
//! encrypted parts, pre-signed uploads, close, poll, per-invoice outcomes.

mod common;

use common::*;
use getrandom::rand_core::UnwrapErr;
use ksef_core::client::online::ProductStatus;
use ksef_core::crypto::InvoiceEncryptionKey;

#[tokio::test]
async fn batch_of_invoices_in_several_parts() {
    let sim = start().await;
    let nip = nip(40_004);
    let (cert, key) = sim.demo(&nip, "Authentication").await;
    let (mut signer, login) = signer(&cert, &key, &nip, false);
    let mut client = sim.client();
    let mut rng = UnwrapErr(getrandom::SysRng);
    client.login(login, &mut signer).await.unwrap();

    let mut files: Vec<(String, Vec<u8>)> = (0..20)
        .map(|i| {
            (
                format!("fv-{i:02}.xml"),
                invoice(&nip, &format!("FV/B/{i}")),
            )
        })
        .collect();
    // One invalid invoice: rejected on its own, the rest accepted.
    let broken = String::from_utf8(invoice(&nip, "FV/B/X"))
        .unwrap()
        .replacen("<P_2>", "<Zle/><P_2>", 1);
    files.push(("zly.xml".into(), broken.into_bytes()));
    let total: usize = files.iter().map(|(_, b)| b.len()).sum();

    let key = InvoiceEncryptionKey::generate(&mut rng);
    // Parts of a third of the archive: at least three parts.
    let report = client
        .send_batch(&key, &mut rng, &files, false, total / 3)
        .await
        .unwrap();
    assert!(report.session_reference_number.contains("-SB-"));
    assert_eq!(
        report.session_status.code, 200,
        "{:?}",
        report.session_status
    );
    assert_eq!(report.outcomes.len(), 21);
    for o in &report.outcomes {
        let name = o.invoice_file_name.as_deref().unwrap();
        if name == "zly.xml" {
            assert_eq!(o.status, ProductStatus::Rejected);
            assert_eq!(o.code, 450);
            assert!(!o.details.is_empty());
        } else {
            assert_eq!(o.status, ProductStatus::Accepted, "{o:?}");
            assert!(o.ksef_number.as_deref().unwrap().starts_with(&nip));
        }
    }
}

/// Counts 429 answers.
struct Counting {
    inner: ksef_client_native::NativeTransport,
    limited: std::cell::Cell<u32>,
}

impl ksef_core::client::Transport for Counting {
    async fn send(
        &self,
        request: ksef_core::api::HttpRequest,
    ) -> Result<ksef_core::api::HttpResponse, ksef_core::client::TransportError> {
        let r = self.inner.send(request).await?;
        if r.status == 429 {
            self.limited.set(self.limited.get() + 1);
        }
        Ok(r)
    }
    async fn sleep(&self, ms: u64) {
        self.inner.sleep(ms).await;
    }
    fn now_ms(&self) -> u64 {
        self.inner.now_ms()
    }
    fn now_utc(&self) -> time::OffsetDateTime {
        self.inner.now_utc()
    }
    fn jitter(&self) -> u64 {
        self.inner.jitter()
    }
}

/// A thousand invoices with the production rate limits on: batch, no 429, all accepted.
#[tokio::test]
async fn thousand_invoices_in_batch_under_production_limits() {
    let sim = start().await;
    let r = sim
        .http
        .put(format!("{}/_sim/rate-limits", sim.running.base_url()))
        .json(&serde_json::json!({"enabled": true}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let nip = nip(80_008);
    let (cert, key) = sim.demo(&nip, "Authentication").await;
    let (mut signer, login) = signer(&cert, &key, &nip, false);
    let mut client = ksef_core::client::Client::new(
        Counting {
            inner: ksef_client_native::NativeTransport::new(&sim.base),
            limited: std::cell::Cell::new(0),
        },
        ksef_core::client::governor::Profile::production(),
    );
    client.poll_interval = 20;
    let mut rng = UnwrapErr(getrandom::SysRng);
    client.login(login, &mut signer).await.unwrap();
    let files: Vec<(String, Vec<u8>)> = (0..1000)
        .map(|i| {
            (
                format!("fv-{i:04}.xml"),
                invoice(&nip, &format!("FV/K/{i}")),
            )
        })
        .collect();
    assert_eq!(
        ksef_core::client::SendMode::for_count(files.len()),
        ksef_core::client::SendMode::Batch
    );
    let key = InvoiceEncryptionKey::generate(&mut rng);
    let report = client
        .send_batch(
            &key,
            &mut rng,
            &files,
            false,
            ksef_core::client::batch::MAX_PART_SIZE,
        )
        .await
        .unwrap();
    assert_eq!(report.session_status.code, 200);
    assert_eq!(report.outcomes.len(), 1000);
    assert!(
        report
            .outcomes
            .iter()
            .all(|o| o.status == ProductStatus::Accepted)
    );
    assert_eq!(client.transport().limited.get(), 0);
}
