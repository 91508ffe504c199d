//! Issue 5 budget: 1 000 invoices via batch against the zero-delay simulator in under
//! 10 s wall (release). Ignored by default (timing); run with
//! `cargo test -p ksef-client-native --release --test client_budget -- --ignored --nocapture`.

mod common;

use common::*;
use getrandom::rand_core::UnwrapErr;
use ksef_core::client::archive::ArchiveFormat;
use ksef_core::client::online::ProductStatus;
use ksef_core::client::resume::BatchSendState;
use ksef_core::crypto::InvoiceEncryptionKey;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "timing budget; run in release"]
async fn thousand_invoices_via_batch_under_ten_seconds() {
    let sim = start().await;
    let nip = nip(11_011);
    let (cert, key) = sim.demo(&nip, "Authentication").await;
    let (mut signer, login) = signer(&cert, &key, &nip, false);
    let mut client = sim.client();
    let mut rng = UnwrapErr(getrandom::SysRng);
    let started = std::time::Instant::now();
    client.login(login, &mut signer).await.unwrap();
    let named: Vec<(String, String, Vec<u8>)> = (0..1000)
        .map(|i| {
            let name = format!("fv-{i:04}.xml");
            (name.clone(), name, invoice(&nip, &format!("FV/T/{i}")))
        })
        .collect();
    let files: Vec<(String, Vec<u8>)> = named
        .iter()
        .map(|(_, f, x)| (f.clone(), x.clone()))
        .collect();
    let mut state = BatchSendState::new(
        &named,
        ArchiveFormat::Zip,
        ksef_core::client::batch::MAX_PART_SIZE,
        false,
    );
    let key = InvoiceEncryptionKey::generate(&mut rng);
    let report = client
        .send_batch_resumable(&mut state, &files, &key, &mut rng, &mut |_| {})
        .await
        .unwrap();
    let took = started.elapsed();
    assert_eq!(report.session_status.code, 200);
    assert_eq!(report.outcomes.len(), 1000);
    assert!(
        state
            .items
            .iter()
            .all(|i| i.outcome.as_ref().unwrap().status == ProductStatus::Accepted)
    );
    eprintln!("1 000 invoices via batch (login, pack, encrypt, upload, process, list): {took:?}");
    assert!(took < std::time::Duration::from_secs(10), "{took:?}");
}
