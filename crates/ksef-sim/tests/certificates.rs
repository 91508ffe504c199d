//! KSeF certificates over real HTTP (DIGEST §13): enrollment from a CSR built with
//! `ksef_core::csr`, status, retrieve, query, revoke, and login with issued certificates.

mod common;

use common::*;
use ksef_core::crypto::{Certificate, PrivateKey};
use ksef_core::csr::{CsrKeyType, CsrPrivateKey, EnrollmentSubject};
use ksef_core::xades::SubjectIdentifierType;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn enroll(sim: &Sim, token: &str, kind: &str) -> (Cred, String) {
    let data = sim
        .get("/certificates/enrollments/data", Some(token))
        .await
        .bytes()
        .await
        .unwrap();
    let subject = EnrollmentSubject::from_json(&data).unwrap();
    let key = CsrPrivateKey::generate(CsrKeyType::EcP256, &mut ksef_sim::SimRng::os()).unwrap();
    let csr = key.create_csr(&subject).unwrap();
    let r = sim
        .post(
            "/certificates/enrollments",
            Some(token),
            Some(json!({"certificateName": format!("Certyfikat {kind}"), "certificateType": kind, "csr": csr.to_base64()})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let reference = r.json::<Value>().await.unwrap()["referenceNumber"]
        .as_str()
        .unwrap()
        .to_owned();
    let st: Value = sim
        .get(
            &format!("/certificates/enrollments/{reference}"),
            Some(token),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(st["status"]["code"], 200, "{st}");
    let serial = st["certificateSerialNumber"].as_str().unwrap().to_owned();
    assert_eq!(serial.len(), 16);
    let v: Value = sim
        .post(
            "/certificates/retrieve",
            Some(token),
            Some(json!({"certificateSerialNumbers": [serial]})),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["certificates"][0]["certificateType"], kind);
    let cert = Certificate::from_base64_der(v["certificates"][0]["certificate"].as_str().unwrap())
        .unwrap();
    assert!(cert.issuer().contains("TI CCK KSeF"));
    let key = PrivateKey::from_pem_or_der(&key.to_pkcs8_der().unwrap(), None).unwrap();
    (Cred { key, cert }, serial)
}

#[tokio::test]
async fn enrollment_login_and_revocation() {
    let sim = start().await;
    let nip = random_nip();
    let (token, _, _) = sim.login(&Cred::tin(&nip), &nip).await;
    let v: Value = sim
        .get("/certificates/limits", Some(&token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["canRequest"], true);
    assert_eq!(v["certificate"]["limit"], 100);

    let (auth, serial) = enroll(&sim, &token, "Authentication").await;
    let (r, at) = sim
        .start_login(&auth, &nip, SubjectIdentifierType::CertificateSubject)
        .await;
    assert_eq!(sim.auth_status(&r, &at).await["status"]["code"], 200);

    let (offline, _) = enroll(&sim, &token, "Offline").await;
    let (r, at) = sim
        .start_login(&offline, &nip, SubjectIdentifierType::CertificateSubject)
        .await;
    assert_eq!(sim.auth_status(&r, &at).await["status"]["code"], 460);

    let v: Value = sim
        .post("/certificates/query", Some(&token), Some(json!({})))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["certificates"].as_array().unwrap().len(), 2);
    assert_eq!(v["hasMore"], false);

    // Revoke → login 460 "Certyfikat odwołany"; again → 25009; unknown → 25008.
    let r = sim
        .post(
            &format!("/certificates/{serial}/revoke"),
            Some(&token),
            Some(json!({})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (r, at) = sim
        .start_login(&auth, &nip, SubjectIdentifierType::CertificateSubject)
        .await;
    let st = sim.auth_status(&r, &at).await;
    assert_eq!(st["status"]["code"], 460);
    assert_eq!(st["status"]["details"][0], "Certyfikat odwołany");
    let r = sim
        .post(
            &format!("/certificates/{serial}/revoke"),
            Some(&token),
            Some(json!({})),
        )
        .await;
    assert_eq!(error_code(&r.json().await.unwrap()), 25009);
    let r = sim
        .post(
            "/certificates/0123456789ABCDEF/revoke",
            Some(&token),
            Some(json!({})),
        )
        .await;
    assert_eq!(error_code(&r.json().await.unwrap()), 25008);
    let v: Value = sim
        .post(
            "/certificates/query",
            Some(&token),
            Some(json!({"status": "Revoked"})),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["certificates"][0]["certificateSerialNumber"], serial);
}

#[tokio::test]
async fn enrollment_errors() {
    let sim = start().await;
    let nip = random_nip();
    let (token, _, _) = sim.login(&Cred::tin(&nip), &nip).await;
    // A CSR whose DN differs from the enrollment data → 25003.
    let other =
        EnrollmentSubject::from_json(br#"{"commonName": "Inny", "countryName": "PL"}"#).unwrap();
    let key = CsrPrivateKey::generate(CsrKeyType::EcP256, &mut ksef_sim::SimRng::os()).unwrap();
    let csr = key.create_csr(&other).unwrap().to_base64();
    let body = |csr: &str| json!({"certificateName": "Certyfikat testowy", "certificateType": "Authentication", "csr": csr});
    let r = sim
        .post("/certificates/enrollments", Some(&token), Some(body(&csr)))
        .await;
    assert_eq!(error_code(&r.json().await.unwrap()), 25003);
    // Not a CSR → 25004; a tampered signature → 25004.
    let r = sim
        .post(
            "/certificates/enrollments",
            Some(&token),
            Some(body("AAAA")),
        )
        .await;
    assert_eq!(error_code(&r.json().await.unwrap()), 25004);
    let data = sim
        .get("/certificates/enrollments/data", Some(&token))
        .await
        .bytes()
        .await
        .unwrap();
    let good = key
        .create_csr(&EnrollmentSubject::from_json(&data).unwrap())
        .unwrap();
    let mut der = good.to_der().to_vec();
    let n = der.len();
    der[n - 5] ^= 1;
    let r = sim
        .post(
            "/certificates/enrollments",
            Some(&token),
            Some(body(&ksef_sim::util::b64(&der))),
        )
        .await;
    assert_eq!(error_code(&r.json().await.unwrap()), 25004);
    // Unknown enrollment → 25005.
    let r = sim
        .get(
            "/certificates/enrollments/20250101-EH-0000000000-0000000000-00",
            Some(&token),
        )
        .await;
    assert_eq!(error_code(&r.json().await.unwrap()), 25005);
}

#[tokio::test]
async fn kod2_verification_page() {
    use ksef_core::crypto::{Credential, OfflineSigningKey};
    use ksef_core::qr::{CertSerial, CertificateLink, ContextIdentifier, ContextType, Environment};
    let sim = start().await;
    let nip = random_nip();
    let (token, _, _) = sim.login(&Cred::tin(&nip), &nip).await;
    let (offline, serial) = enroll(&sim, &token, "Offline").await;
    let env = Environment::custom(&format!("{}/qr", sim.running.base_url())).unwrap();
    let xml = invoice(&nip, "FV/Q/1", &today());
    let link = CertificateLink::new(
        env,
        ContextIdentifier::new(ContextType::Nip, &nip).unwrap(),
        &nip,
        CertSerial::parse(&serial).unwrap(),
        ksef_core::hash::Sha256Hash::of(&xml),
    )
    .unwrap();
    let key = OfflineSigningKey::new(
        Credential::new(offline.cert, offline.key).unwrap(),
        time::OffsetDateTime::now_utc(),
    )
    .unwrap();
    let signed = link.sign(&key, &mut ksef_sim::SimRng::os()).unwrap();
    let r = sim.http.get(signed.url()).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["valid"], true);
    // A tampered signature, then a revoked certificate.
    let url = signed.url();
    let tampered = format!(
        "{}{}",
        &url[..url.len() - 2],
        if url.ends_with("AA") { "AB" } else { "AA" }
    );
    assert_eq!(
        sim.http.get(tampered).send().await.unwrap().status(),
        StatusCode::BAD_REQUEST
    );
    sim.post(
        &format!("/certificates/{serial}/revoke"),
        Some(&token),
        Some(json!({})),
    )
    .await;
    let r = sim.http.get(signed.url()).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(
        r.json::<Value>().await.unwrap()["reason"]
            .as_str()
            .unwrap()
            .contains("odwołany")
    );
}
