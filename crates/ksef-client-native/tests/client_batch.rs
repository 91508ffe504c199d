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
