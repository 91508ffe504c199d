//! Offline-mode sending and technical correction (DIGEST §15) through the driver.

mod common;

use common::*;
use getrandom::rand_core::UnwrapErr;
use ksef_core::client::online::{PreparedInvoice, ProductStatus};
use ksef_core::crypto::InvoiceEncryptionKey;

#[tokio::test]
async fn offline_send_and_technical_correction() {
    let sim = start().await;
    let nip = nip(20_002);
    let (cert, key) = sim.demo(&nip, "Authentication").await;
    let (mut signer, login) = signer(&cert, &key, &nip, false);
    let mut client = sim.client();
    let mut rng = UnwrapErr(getrandom::SysRng);
    client.login(login, &mut signer).await.unwrap();
    let session_key = InvoiceEncryptionKey::generate(&mut rng);
    let session = client.open_online(&session_key, &mut rng).await.unwrap();
    let s = session.reference_number.as_str();

    // An offline-mode invoice is accepted with invoicingMode Offline.
    let xml = invoice(&nip, "FV/OFF/1");
    let p = PreparedInvoice::new(&session_key, &xml, true, None);
    let r = client.send_invoice(s, &p).await.unwrap();
    let o = client.invoice_outcome(s, &r).await.unwrap();
    assert_eq!(o.status, ProductStatus::Accepted, "{o:?}");
    assert_eq!(o.invoicing_mode.as_deref(), Some("Offline"));

    // An offline invoice rejected for a technical reason…
    let good = invoice(&nip, "FV/OFF/2");
    let broken = String::from_utf8(good.clone())
        .unwrap()
        .replacen("<P_2>", "<Zle/><P_2>", 1)
        .into_bytes();
    let p = PreparedInvoice::new(&session_key, &broken, true, None);
    let broken_hash = p.invoice_hash().to_owned();
    let r = client.send_invoice(s, &p).await.unwrap();
    let o = client.invoice_outcome(s, &r).await.unwrap();
    assert_eq!(o.code, 450);

    // …is corrected with hashOfCorrectedInvoice.
    let p = PreparedInvoice::new(&session_key, &good, true, Some(broken_hash.clone()));
    let r = client.send_invoice(s, &p).await.unwrap();
    let o = client.invoice_outcome(s, &r).await.unwrap();
    assert_eq!(o.status, ProductStatus::Accepted, "{o:?}");
    assert_eq!(o.invoicing_mode.as_deref(), Some("Offline"));

    // A second correction of the same original: KSeF's 21166 surfaces.
    let p = PreparedInvoice::new(&session_key, &good, true, Some(broken_hash));
    let e = client.send_invoice(s, &p).await.unwrap_err();
    assert!(e.to_string().contains("21166"), "{e}");
}
