//! End-to-end online sending through the driver against the in-process simulator
//! (DIGEST §7, §8, §10): fresh session key wrapped for the MF key, send, poll to final,
//! close, UPO; outcomes mapped to the product statuses.

mod common;

use common::*;
use getrandom::rand_core::UnwrapErr;
use ksef_core::client::CallError;
use ksef_core::client::online::{PreparedInvoice, ProductStatus};
use ksef_core::crypto::InvoiceEncryptionKey;

#[tokio::test]
async fn online_send_accept_duplicate_reject_close_and_upo() {
    let sim = start().await;
    let nip = nip(10_001);
    let (cert, key) = sim.demo(&nip, "Authentication").await;
    let (mut signer, login) = signer(&cert, &key, &nip, false);
    let mut client = sim.client();
    let mut rng = UnwrapErr(getrandom::SysRng);

    // Refused before login.
    let session_key = InvoiceEncryptionKey::generate(&mut rng);
    let e = client
        .open_online(&session_key, &mut rng)
        .await
        .unwrap_err();
    assert!(matches!(e, CallError::NotAuthorized(_)), "{e:?}");

    client.login(login, &mut signer).await.unwrap();
    let session = client.open_online(&session_key, &mut rng).await.unwrap();
    assert!(session.reference_number.contains("-SO-"));
    let s = session.reference_number.as_str();

    // Accepted.
    let xml = invoice(&nip, "FV/ONLINE/1");
    let prepared = PreparedInvoice::new(&session_key, &xml, false, None);
    let inv = client.send_invoice(s, &prepared).await.unwrap();
    let ok = client.invoice_outcome(s, &inv).await.unwrap();
    assert_eq!(ok.status, ProductStatus::Accepted, "{ok:?}");
    assert_eq!(ok.code, 200);
    assert_eq!(ok.description, "Sukces");
    let ksef_number = ok.ksef_number.clone().unwrap();
    assert!(ksef_number.starts_with(&nip), "{ksef_number}");
    assert_eq!(ok.invoice_number.as_deref(), Some("FV/ONLINE/1"));
    assert_eq!(ok.invoicing_mode.as_deref(), Some("Online"));
    assert!(ksef_core::api::parse_datetime(&ok.invoicing_date).is_some());

    // The same invoice again: 440 with the original KSeF number.
    let again = PreparedInvoice::new(&session_key, &xml, false, None);
    let dup_ref = client.send_invoice(s, &again).await.unwrap();
    let dup = client.invoice_outcome(s, &dup_ref).await.unwrap();
    assert_eq!(dup.status, ProductStatus::Rejected);
    assert_eq!(dup.code, 440);
    assert_eq!(dup.description, "Duplikat faktury");
    assert_eq!(
        dup.original_ksef_number.as_deref(),
        Some(ksef_number.as_str())
    );
    assert!(dup.details[0].contains(&ksef_number), "{:?}", dup.details);

    // Not schema-valid: 450 with the validator's details.
    let bad = String::from_utf8(invoice(&nip, "FV/ONLINE/2"))
        .unwrap()
        .replace("<P_2>", "<P_2x>")
        .replace("</P_2>", "</P_2x>");
    let prepared = PreparedInvoice::new(&session_key, bad.as_bytes(), false, None);
    let bad_ref = client.send_invoice(s, &prepared).await.unwrap();
    let rejected = client.invoice_outcome(s, &bad_ref).await.unwrap();
    assert_eq!(rejected.status, ProductStatus::Rejected);
    assert_eq!(rejected.code, 450, "{rejected:?}");
    assert!(!rejected.details.is_empty());

    // Per-invoice UPO.
    let upo = client.invoice_upo(s, &inv).await.unwrap();
    let upo = String::from_utf8(upo).unwrap();
    assert!(upo.contains(&ksef_number), "{upo}");

    // Close, wait for the session to be processed, fetch the session UPO.
    client.close_online(s).await.unwrap();
    let st = client.session_final(s).await.unwrap();
    assert_eq!(st.status.code, 200, "{st:?}");
    assert_eq!(st.successful_invoice_count, Some(1));
    let pages = st.upo.unwrap().pages;
    assert!(!pages.is_empty());
    let page = client
        .session_upo(s, &pages[0].reference_number)
        .await
        .unwrap();
    assert!(String::from_utf8(page).unwrap().contains(&ksef_number));

    // Sending into a closed session: KSeF's 21180 is surfaced with its details.
    let late = PreparedInvoice::new(&session_key, &invoice(&nip, "FV/ONLINE/3"), false, None);
    let e = client.send_invoice(s, &late).await.unwrap_err();
    match e {
        CallError::Api(api) => {
            assert_eq!(api.status(), Some(400));
            assert_eq!(api.code(), Some(21180));
        }
        other => panic!("{other:?}"),
    }
}
