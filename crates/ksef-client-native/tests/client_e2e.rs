//! End to end against the in-process simulator (zero delays, XSD on) through the
//! high-level driver calls: every shared FA(3) sample online and in a batch (ZIP
//! Deflate, stored ZIP, tar.gz), rejections with KSeF's code and details (schema 450,
//! duplicate 440, bad seller NIP under the production rules), UPO, offline-mode sends,
//! a technical correction, online sessions split at the context's invoice limit, and a
//! batch resumed from its persisted state.

mod common;

use std::path::PathBuf;

use common::*;
use getrandom::rand_core::UnwrapErr;
use ksef_core::api::{HttpRequest, Method};
use ksef_core::client::archive::ArchiveFormat;
use ksef_core::client::online::{InvoiceOutcome, ProductStatus};
use ksef_core::client::resume::{BatchSendState, OnlineSendState};
use ksef_core::crypto::InvoiceEncryptionKey;
use ksef_core::hash::Sha256Hash;
use serde_json::{Value, json};

/// The samples' seller (all MF examples use 9999999999, a valid NIP).
const SELLER: &str = "9999999999";

fn samples_dir() -> PathBuf {
    schemas().join("../samples")
}

/// Every shared FA(3) sample (the MF examples and the CIRFMF template with its
/// placeholders filled), each with a unique `P_2` so KSeF's duplicate rule (seller,
/// kind, P_2; several examples share FV2026/02/150) does not apply. Nothing else is
/// changed. (file name, XML, has an attachment).
fn samples() -> Vec<(String, Vec<u8>, bool)> {
    let mut out = Vec::new();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(samples_dir().join("fa3-mf-official"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "xml"))
        .collect();
    paths.sort();
    for (i, p) in paths.iter().enumerate() {
        let xml = std::fs::read_to_string(p).unwrap();
        let start = xml.find("<P_2>").unwrap() + 5;
        let xml = format!("{}S{i}-{}", &xml[..start], &xml[start..]);
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        let attachment = xml.contains("<Zalacznik>");
        out.push((name, xml.into_bytes(), attachment));
    }
    let template = std::fs::read_to_string(
        samples_dir().join("fa3-cirfmf-sdk-template/invoice-template-fa-3.placeholders.xml"),
    )
    .unwrap()
    .replace("#nip#", SELLER)
    .replace("#invoice_number#", "TPL/1");
    out.push((
        "invoice-template-fa-3.xml".into(),
        template.into_bytes(),
        false,
    ));
    assert!(out.len() >= 18, "{} samples", out.len());
    out
}

async fn logged_in(
    sim: &Sim,
    nip: &str,
) -> ksef_core::client::Client<ksef_client_native::NativeTransport> {
    let (cert, key) = sim.demo(nip, "Authentication").await;
    let (mut signer, login) = signer(&cert, &key, nip, false);
    let mut client = sim.client();
    client.login(login, &mut signer).await.unwrap();
    client
}

async fn stats(sim: &Sim) -> Value {
    sim.http
        .get(format!("{}/_sim/stats", sim.running.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn every_sample_online_then_upo() {
    let sim = start().await;
    let mut client = logged_in(&sim, SELLER).await;
    let mut rng = UnwrapErr(getrandom::SysRng);
    let samples = samples();
    let invoices: Vec<(String, Vec<u8>)> = samples
        .iter()
        .map(|(n, x, _)| (n.clone(), x.clone()))
        .collect();
    let mut state = OnlineSendState::new(&invoices);
    client
        .send_online_resumable(&mut state, &invoices, false, &mut rng, &mut |_| {})
        .await
        .unwrap();
    for ((name, _, attachment), item) in samples.iter().zip(&state.items) {
        let o = item.outcome.as_ref().unwrap();
        if *attachment {
            // DIGEST §9/§11: attachments only in batch (or a technical correction).
            assert_eq!(o.code, 415, "{name}: {o:?}");
            assert_eq!(o.status, ProductStatus::Rejected);
            assert_eq!(
                o.description,
                "Brak możliwości wysyłania faktury z załącznikiem"
            );
        } else {
            assert_eq!(o.status, ProductStatus::Accepted, "{name}: {o:?}");
            assert_eq!(o.description, "Sukces");
            assert!(
                o.ksef_number.as_deref().unwrap().starts_with(SELLER),
                "{name}"
            );
            assert!(!o.invoicing_date.is_empty());
        }
    }
    // UPO of one invoice and of the (closed) session.
    let o = state.items[0].outcome.clone().unwrap();
    let upo = client
        .invoice_upo(&o.session_reference_number, &o.reference_number)
        .await
        .unwrap();
    let upo = String::from_utf8(upo).unwrap();
    assert!(upo.contains("Potwierdzenie"));
    assert!(upo.contains(o.ksef_number.as_deref().unwrap()));
    let status = client
        .session_final(&o.session_reference_number)
        .await
        .unwrap();
    assert_eq!(status.status.code, 200, "{:?}", status.status);
    let page = &status.upo.as_ref().unwrap().pages[0];
    let session_upo = client
        .session_upo(&o.session_reference_number, &page.reference_number)
        .await
        .unwrap();
    let session_upo = String::from_utf8(session_upo).unwrap();
    for item in &state.items {
        if let Some(n) = item.outcome.as_ref().unwrap().ksef_number.as_deref() {
            assert!(session_upo.contains(n), "{n} missing from the session UPO");
        }
    }
}

#[tokio::test]
async fn every_sample_in_a_batch_in_each_archive_format() {
    let sim = start().await;
    let mut client = logged_in(&sim, SELLER).await;
    // Attachments are allowed in batch once enabled for the context (DIGEST §9, §18).
    sim.testdata("/testdata/attachment", json!({"nip": SELLER}))
        .await;
    let mut rng = UnwrapErr(getrandom::SysRng);
    for (round, format) in [
        ArchiveFormat::Zip,
        ArchiveFormat::ZipStored,
        ArchiveFormat::TarGz,
    ]
    .into_iter()
    .enumerate()
    {
        let named: Vec<(String, String, Vec<u8>)> = samples()
            .into_iter()
            .map(|(n, x, _)| {
                // A new P_2 per round: the same number twice would be a 440 duplicate.
                let x =
                    String::from_utf8(x)
                        .unwrap()
                        .replacen("<P_2>", &format!("<P_2>R{round}-"), 1);
                (n.clone(), n, x.into_bytes())
            })
            .collect();
        let files: Vec<(String, Vec<u8>)> = named
            .iter()
            .map(|(_, f, x)| (f.clone(), x.clone()))
            .collect();
        let total: usize = files.iter().map(|(_, x)| x.len()).sum();
        // Small parts: several of them even after compression.
        let mut state = BatchSendState::new(&named, format, total / 20, false);
        let key = InvoiceEncryptionKey::generate(&mut rng);
        let report = client
            .send_batch_resumable(&mut state, &files, &key, &mut rng, &mut |_| {})
            .await
            .unwrap();
        assert_eq!(
            report.session_status.code, 200,
            "{format:?}: {:?}",
            report.session_status
        );
        assert!(
            state.sessions[0].parts >= 2,
            "{format:?}: {} parts",
            state.sessions[0].parts
        );
        for item in &state.items {
            let o = item.outcome.as_ref().unwrap();
            assert_eq!(
                o.status,
                ProductStatus::Accepted,
                "{format:?} {}: {o:?}",
                item.name
            );
            assert!(o.ksef_number.as_deref().unwrap().starts_with(SELLER));
            assert_eq!(
                o.invoice_file_name.as_deref(),
                Some(item.file_name.as_str())
            );
        }
    }
    let s = stats(&sim).await;
    assert_eq!(s["accepted"], 3 * samples().len());
}

#[tokio::test]
async fn rejections_carry_ksef_code_and_details() {
    let sim = start().await;
    let nip = nip(50_005);
    let mut client = logged_in(&sim, &nip).await;
    let mut rng = UnwrapErr(getrandom::SysRng);
    let good = invoice(&nip, "FV/R/1");
    let broken = String::from_utf8(invoice(&nip, "FV/R/2"))
        .unwrap()
        .replacen("<P_2>", "<Zle/><P_2>", 1)
        .into_bytes();
    let invoices = vec![
        ("good.xml".to_owned(), good.clone()),
        ("schema.xml".to_owned(), broken),
    ];
    let mut state = OnlineSendState::new(&invoices);
    client
        .send_online_resumable(&mut state, &invoices, false, &mut rng, &mut |_| {})
        .await
        .unwrap();
    let ok = state.items[0].outcome.clone().unwrap();
    assert_eq!(ok.status, ProductStatus::Accepted);
    let schema = state.items[1].outcome.clone().unwrap();
    assert_eq!((schema.status, schema.code), (ProductStatus::Rejected, 450));
    assert_eq!(
        schema.description,
        "Błąd weryfikacji semantyki dokumentu faktury"
    );
    assert!(
        schema.details.iter().any(|d| d.contains("Zle")),
        "{:?}",
        schema.details
    );

    // The same invoice number again, different bytes: 440 with the original's number.
    let dup = String::from_utf8(good)
        .unwrap()
        .replace("</P_2>", "</P_2><!-- again -->");
    let invoices = vec![("dup.xml".to_owned(), dup.into_bytes())];
    let mut state = OnlineSendState::new(&invoices);
    client
        .send_online_resumable(&mut state, &invoices, false, &mut rng, &mut |_| {})
        .await
        .unwrap();
    let d = state.items[0].outcome.clone().unwrap();
    assert_eq!((d.status, d.code), (ProductStatus::Rejected, 440), "{d:?}");
    assert_eq!(d.description, "Duplikat faktury");
    assert_eq!(d.original_ksef_number, ok.ksef_number);
    assert!(
        d.details[0].contains(ok.ksef_number.as_deref().unwrap()),
        "{:?}",
        d.details
    );

    // Production rules: a seller NIP with a wrong checksum is refused (450, DIGEST §11).
    let bad_nip = "1234567890";
    let mut bad_client = logged_in(&sim, bad_nip).await;
    let r = sim
        .http
        .put(format!("{}/_sim/profile", sim.running.base_url()))
        .json(&json!({"profile": "Prod"}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let invoices = vec![("bad-nip.xml".to_owned(), invoice(bad_nip, "FV/NIP/1"))];
    let mut state = OnlineSendState::new(&invoices);
    bad_client
        .send_online_resumable(&mut state, &invoices, false, &mut rng, &mut |_| {})
        .await
        .unwrap();
    let b = state.items[0].outcome.clone().unwrap();
    assert_eq!((b.status, b.code), (ProductStatus::Rejected, 450), "{b:?}");
    assert!(
        b.details
            .iter()
            .any(|d| d.contains("NIP") && d.contains(bad_nip)),
        "{:?}",
        b.details
    );
}

#[tokio::test]
async fn offline_send_and_technical_correction_through_the_resumable_send() {
    let sim = start().await;
    let nip = nip(60_006);
    let mut client = logged_in(&sim, &nip).await;
    let mut rng = UnwrapErr(getrandom::SysRng);
    let good = invoice(&nip, "FV/T/1");
    let broken = String::from_utf8(good.clone())
        .unwrap()
        .replacen("<P_2>", "<Zle/><P_2>", 1)
        .into_bytes();
    // Issued offline, not sent yet: SentOffline.
    let waiting = InvoiceOutcome::sent_offline(
        &Sha256Hash::of(&broken).to_base64(),
        Some("FV/T/1".into()),
        "2026-11-23",
    );
    assert_eq!(waiting.status, ProductStatus::SentOffline);

    let invoices = vec![("offline.xml".to_owned(), broken.clone())];
    let mut state = OnlineSendState::new(&invoices);
    client
        .send_online_resumable(&mut state, &invoices, true, &mut rng, &mut |_| {})
        .await
        .unwrap();
    let rejected = state.items[0].outcome.clone().unwrap();
    assert_eq!(rejected.code, 450);
    assert_eq!(rejected.invoicing_mode.as_deref(), Some("Offline"));

    let invoices = vec![("corrected.xml".to_owned(), good)];
    let mut state = OnlineSendState::new(&invoices);
    state
        .set_corrected_hash(0, &Sha256Hash::of(&broken).to_base64())
        .unwrap();
    client
        .send_online_resumable(&mut state, &invoices, true, &mut rng, &mut |_| {})
        .await
        .unwrap();
    let fixed = state.items[0].outcome.clone().unwrap();
    assert_eq!(fixed.status, ProductStatus::Accepted, "{fixed:?}");
    assert_eq!(fixed.invoicing_mode.as_deref(), Some("Offline"));
}

#[tokio::test]
async fn online_sends_open_a_new_session_at_the_context_limit() {
    let sim = start().await;
    let nip = nip(70_007);
    let mut client = logged_in(&sim, &nip).await;
    let mut rng = UnwrapErr(getrandom::SysRng);
    // KSeF's per-context limit (GET /limits/context, DIGEST §17) set to 3 invoices.
    let limit = json!({
        "onlineSession": {"maxInvoiceSizeInMB": 1, "maxInvoiceWithAttachmentSizeInMB": 3, "maxInvoices": 3},
        "batchSession": {"maxInvoiceSizeInMB": 1, "maxInvoiceWithAttachmentSizeInMB": 3, "maxInvoices": 3}
    });
    let r = client
        .authorized(
            HttpRequest::api(Method::Post, "/testdata/limits/context/session")
                .json(&limit)
                .unwrap(),
        )
        .await
        .unwrap();
    assert!(r.is_success(), "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(client.online_session_limit().await.unwrap(), 3);
    let invoices: Vec<(String, Vec<u8>)> = (0..7)
        .map(|i| (format!("{i}.xml"), invoice(&nip, &format!("FV/L/{i}"))))
        .collect();
    let mut state = OnlineSendState::new(&invoices);
    client
        .send_online_resumable(&mut state, &invoices, false, &mut rng, &mut |_| {})
        .await
        .unwrap();
    assert_eq!(state.sessions.len(), 3, "7 invoices at 3 per session");
    for (n, session) in state.sessions.iter().enumerate() {
        let count = state
            .items
            .iter()
            .filter(|i| i.session_reference_number.as_deref() == Some(session.as_str()))
            .count();
        assert_eq!(count, [3, 3, 1][n]);
        // Every session was closed and processed.
        assert_eq!(
            client.session_final(session).await.unwrap().status.code,
            200
        );
    }
    assert!(
        state
            .items
            .iter()
            .all(|i| i.outcome.as_ref().unwrap().status == ProductStatus::Accepted)
    );
}

/// Counts part uploads and fails the first one after `fail_after` uploads: the send
/// stops, and resumes from its state.
struct FailingUploads {
    inner: ksef_client_native::NativeTransport,
    uploads: std::cell::Cell<u32>,
    fail_at: std::cell::Cell<Option<u32>>,
}

impl ksef_core::client::Transport for FailingUploads {
    async fn send(
        &self,
        request: HttpRequest,
    ) -> Result<ksef_core::api::HttpResponse, ksef_core::client::TransportError> {
        if matches!(request.target, ksef_core::api::Target::Absolute(_)) {
            let n = self.uploads.get() + 1;
            self.uploads.set(n);
            if self.fail_at.get() == Some(n) {
                self.fail_at.set(None);
                return Ok(ksef_core::api::HttpResponse {
                    status: 403,
                    headers: vec![],
                    body: vec![],
                });
            }
        }
        self.inner.send(request).await
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

#[tokio::test]
async fn batch_resumes_missing_parts_with_the_same_key_and_abandons_with_a_new_one() {
    let sim = start().await;
    let nip = nip(90_009);
    let (cert, key) = sim.demo(&nip, "Authentication").await;
    let (mut signer, login) = signer(&cert, &key, &nip, false);
    let mut client = ksef_core::client::Client::new(
        FailingUploads {
            inner: ksef_client_native::NativeTransport::new(&sim.base),
            uploads: std::cell::Cell::new(0),
            fail_at: std::cell::Cell::new(None),
        },
        ksef_core::client::governor::Profile::production(),
    );
    client.poll_interval = 5;
    client.login(login, &mut signer).await.unwrap();
    let mut rng = UnwrapErr(getrandom::SysRng);
    let mut all = Vec::new();
    for (round, same_key) in [(0, true), (1, false)] {
        let named: Vec<(String, String, Vec<u8>)> = (0..30)
            .map(|i| {
                let xml = invoice(&nip, &format!("FV/BR/{round}/{i}"));
                (format!("{i}"), format!("fv-{i:02}.xml"), xml)
            })
            .collect();
        all.extend(named.iter().map(|(_, _, x)| x.clone()));
        let files: Vec<(String, Vec<u8>)> = named
            .iter()
            .map(|(_, f, x)| (f.clone(), x.clone()))
            .collect();
        let mut state = BatchSendState::new(&named, ArchiveFormat::ZipStored, 20_000, false);
        let mut saved = Vec::new();
        let key = InvoiceEncryptionKey::generate(&mut rng);
        // The second part upload is refused (403): the call fails, and the persisted
        // state says which parts went up.
        client
            .transport()
            .fail_at
            .set(Some(client.transport().uploads.get() + 2));
        let e = client
            .send_batch_resumable(&mut state, &files, &key, &mut rng, &mut |s| {
                saved.push(s.clone())
            })
            .await
            .unwrap_err();
        assert!(e.to_string().contains("403"), "{e}");
        let rec = state.sessions[0].clone();
        assert!(rec.parts >= 3, "{} parts", rec.parts);
        assert!(!rec.close_requested);
        assert!(!rec.uploaded.is_empty() && rec.uploaded.len() < rec.parts as usize);
        let json = serde_json::to_string(saved.last().unwrap()).unwrap();
        let mut state: BatchSendState = serde_json::from_str(&json).unwrap();
        assert_eq!(state.sessions[0], rec);

        let uploads_before = client.transport().uploads.get();
        let resume_key = if same_key {
            key
        } else {
            // The process that held the key is gone: a new key.
            InvoiceEncryptionKey::generate(&mut rng)
        };
        let report = client
            .send_batch_resumable(&mut state, &files, &resume_key, &mut rng, &mut |_| {})
            .await
            .unwrap();
        let uploaded_now = (client.transport().uploads.get() - uploads_before) as usize;
        if same_key {
            // Only the missing parts, into the same session.
            assert_eq!(uploaded_now, rec.parts as usize - rec.uploaded.len());
            assert_eq!(state.sessions.len(), 1);
            assert_eq!(report.session_reference_number, rec.reference_number);
        } else {
            // The unclosed session is abandoned (KSeF never processes it) and the
            // whole archive goes into a new one.
            assert!(state.sessions[0].abandoned);
            assert_eq!(state.sessions.len(), 2);
            assert_eq!(uploaded_now, state.sessions[1].parts as usize);
            assert_ne!(report.session_reference_number, rec.reference_number);
        }
        assert_eq!(
            report.session_status.code, 200,
            "{:?}",
            report.session_status
        );
        assert_eq!(report.outcomes.len(), 30);
        assert!(
            state
                .items
                .iter()
                .all(|i| i.outcome.as_ref().unwrap().status == ProductStatus::Accepted)
        );
        // A finished state only reports, sending nothing.
        let before = client.transport().uploads.get();
        let again = client
            .send_batch_resumable(&mut state, &files, &resume_key, &mut rng, &mut |_| {})
            .await
            .unwrap();
        assert_eq!(
            again.session_reference_number,
            report.session_reference_number
        );
        assert_eq!(client.transport().uploads.get(), before);
    }
    // Exactly one accepted copy of each of the 60 invoices.
    let s = stats(&sim).await;
    assert_eq!(s["accepted"], 60);
    for xml in &all {
        assert_eq!(s["acceptedByHash"][Sha256Hash::of(xml).to_base64()], 1);
    }
}
