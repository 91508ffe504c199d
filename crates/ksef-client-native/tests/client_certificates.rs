//! The status KSeF holds for an Offline certificate (DIGEST §13 step 7), through the
//! driver and the native transport against the in-process simulator; and what that
//! status means for KOD II signed with it (DIGEST §14), checked on the simulator's
//! verification page.

mod common;

use common::*;
use ksef_core::crypto::{Certificate, Credential, OfflineSigningKey};
use ksef_core::hash::Sha256Hash;
use ksef_core::qr::{CertSerial, CertificateLink, ContextIdentifier, ContextType, Environment};
use serde_json::{Value, json};

#[tokio::test]
async fn offline_certificate_status_follows_ksef_and_decides_kod2() {
    let sim = start().await;
    let nip = nip(7_373);
    let (auth_cert, auth_key) = sim.demo(&nip, "Authentication").await;
    let (off_cert, off_key) = sim.demo(&nip, "Offline").await;
    let (mut signer, login) = signer(&auth_cert, &auth_key, &nip, false);
    let mut client = sim.client();
    client.login(login, &mut signer).await.unwrap();

    let cert = Certificate::from_pem_or_der(off_cert.as_bytes()).unwrap();
    let serial = CertSerial::from_der_integer(cert.serial_bytes()).unwrap();

    // KOD II for an invoice, signed with the Offline key.
    let env = Environment::custom(&format!("{}/qr", sim.running.base_url())).unwrap();
    let xml = invoice(&nip, "FV/CERT/1");
    let link = CertificateLink::new(
        env,
        ContextIdentifier::new(ContextType::Nip, &nip).unwrap(),
        &nip,
        serial,
        Sha256Hash::of(&xml),
    )
    .unwrap();
    let key = OfflineSigningKey::new(
        Credential::load(off_cert.as_bytes(), off_key.as_bytes(), Some(PASSWORD)).unwrap(),
        time::OffsetDateTime::now_utc(),
    )
    .unwrap();
    let signed = link.sign(&key, &mut ksef_sim::SimRng::os()).unwrap();
    let scan = || async {
        let r = sim.http.get(signed.url()).send().await.unwrap();
        (r.status().as_u16(), r.json::<Value>().await.unwrap())
    };

    // A self-signed certificate KSeF never issued: not listed, and KOD II fails.
    assert_eq!(client.certificate_status(&serial).await.unwrap(), None);
    let (status, body) = scan().await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["reason"].as_str().unwrap().contains("nie istnieje"),
        "{body}"
    );

    // Recorded as issued by KSeF (as after enrolment in the certificate module).
    let r = sim
        .post(
            "/_sim/certificates",
            json!({"certificate": off_cert, "name": "Offline demo"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["certificateSerialNumber"], serial.to_string());
    assert_eq!(v["type"], "Offline");
    assert_eq!(v["subjectIdentifier"], json!({"type": "Nip", "value": nip}));

    let entry = client.certificate_status(&serial).await.unwrap().unwrap();
    assert_eq!(entry.certificate_serial_number, serial.to_string());
    assert_eq!(entry.certificate_type, "Offline");
    assert_eq!(entry.name, "Offline demo");
    assert_eq!(entry.status, "Active");
    assert!(entry.is_active());
    let valid_to = time::OffsetDateTime::parse(
        &entry.valid_to,
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert_eq!(valid_to.unix_timestamp(), cert.not_after().unix_timestamp());
    let (status, body) = scan().await;
    assert_eq!((status, &body["valid"]), (200, &json!(true)), "{body}");

    // Revoked in KSeF: the file has not changed, but KSeF says so and KOD II fails.
    let r = sim
        .post(
            "/_sim/certificates",
            json!({"certificate": off_cert, "revoked": true}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let entry = client.certificate_status(&serial).await.unwrap().unwrap();
    assert_eq!(entry.status, "Revoked");
    assert!(!entry.is_active());
    let (status, body) = scan().await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["reason"].as_str().unwrap().contains("odwołany"),
        "{body}"
    );

    // Another subject does not see this certificate (the query is per subject).
    let other = common::nip(7_474);
    let (c2, k2) = sim.demo(&other, "Authentication").await;
    let (mut s2, l2) = common::signer(&c2, &k2, &other, false);
    let mut client2 = sim.client();
    client2.login(l2, &mut s2).await.unwrap();
    assert_eq!(client2.certificate_status(&serial).await.unwrap(), None);
}

#[tokio::test]
async fn registering_refuses_what_ksef_could_not_have_issued() {
    let sim = start().await;
    for (body, why) in [
        (json!({"certificate": "not base64!"}), "certificate:"),
        (json!({"revoked": true}), "certificate"),
    ] {
        let r = sim.post("/_sim/certificates", body.clone()).await;
        assert_eq!(r.status(), 400, "{body}");
        let text = r.text().await.unwrap();
        assert!(text.contains(why), "{body}: {text}");
    }
}
