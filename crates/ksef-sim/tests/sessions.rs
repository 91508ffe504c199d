//! Online sessions, the per-invoice pipeline, UPO and invoice download over real HTTP
//! (DIGEST §7, §8, §10, §11, §15).

mod common;

use std::str::FromStr;

use common::*;
use ksef_core::crypto::InvoiceEncryptionKey;
use ksef_core::ident::{KsefNumber, ReferenceNumber};
use ksef_sim::SimRng;
use ksef_sim::xsd::{Schema, XsdValidator};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn owner(sim: &Sim) -> (String, String) {
    let nip = random_nip();
    let (access, _, _) = sim.login(&Cred::seal(&nip), &nip).await;
    (nip, access)
}

#[tokio::test]
async fn happy_path_invoice_upo_download() {
    let sim = start().await;
    let (nip, token) = owner(&sim).await;
    let (session, key) = sim.open_session(&token).await;
    assert_eq!(
        ReferenceNumber::from_str(&session).unwrap().type_code(),
        "SO"
    );
    let xml = invoice(&nip, "FV/1/2026", &today());
    let inv = sim.send(&token, &session, &key, &xml, json!({})).await;
    assert_eq!(ReferenceNumber::from_str(&inv).unwrap().type_code(), "EE");
    let st = sim.invoice_final(&token, &session, &inv).await;
    assert_eq!(st["status"]["code"], 200, "{st}");
    assert_eq!(st["status"]["description"], "Sukces");
    assert_eq!(st["invoiceNumber"], "FV/1/2026");
    assert_eq!(st["invoicingMode"], "Online");
    let ksef = st["ksefNumber"].as_str().unwrap();
    let parsed = KsefNumber::from_str(ksef).unwrap();
    assert_eq!(parsed.seller_nip(), nip);
    assert_eq!(
        st["invoiceHash"],
        ksef_core::hash::Sha256Hash::of(&xml).to_base64()
    );

    // Per-invoice UPO, via the API and the pre-signed URL, validates against upo-v4-3.xsd.
    let r = sim
        .get(
            &format!("/sessions/{session}/invoices/{inv}/upo"),
            Some(&token),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers().contains_key("x-ms-meta-hash"));
    let upo = r.bytes().await.unwrap().to_vec();
    let xsd = XsdValidator::start(&schemas()).unwrap();
    xsd.validate(Schema::UpoV43, upo.clone()).await.unwrap();
    let pre = sim
        .http
        .get(st["upoDownloadUrl"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(pre.bytes().await.unwrap().to_vec(), upo);
    let by_ksef = sim
        .get(
            &format!("/sessions/{session}/invoices/ksef/{ksef}/upo"),
            Some(&token),
        )
        .await;
    assert_eq!(by_ksef.bytes().await.unwrap().to_vec(), upo);

    // Download the invoice (permanent storage delay is 0).
    let r = sim
        .get(&format!("/invoices/ksef/{ksef}"), Some(&token))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.bytes().await.unwrap().to_vec(), xml);
    let r = sim
        .get(
            &format!("/invoices/ksef/{nip}-20260101-0123456789AB-00"),
            Some(&token),
        )
        .await;
    assert_eq!(error_code(&r.json().await.unwrap()), 21164);

    // Close → 170 → 200 with a session UPO page.
    let r = sim
        .post(
            &format!("/sessions/online/{session}/close"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let s = sim.session_final(&token, &session).await;
    assert_eq!(s["status"]["code"], 200, "{s}");
    assert_eq!(s["invoiceCount"], 1);
    assert_eq!(s["successfulInvoiceCount"], 1);
    let page = &s["upo"]["pages"][0];
    assert_eq!(
        ReferenceNumber::from_str(page["referenceNumber"].as_str().unwrap())
            .unwrap()
            .type_code(),
        "EU"
    );
    let r = sim
        .http
        .get(page["downloadUrl"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    let session_upo = r.bytes().await.unwrap().to_vec();
    xsd.validate(Schema::UpoV43, session_upo.clone())
        .await
        .unwrap();
    let text = String::from_utf8(session_upo).unwrap();
    assert!(text.contains("<CalkowitaLiczbaDokumentow>1</CalkowitaLiczbaDokumentow>"));
    assert!(text.contains(ksef));
    // Closed: sending or closing again → 21180.
    let r = sim
        .send_raw(
            &token,
            &session,
            serde_json::to_value(key.encrypt_invoice(&xml)).unwrap(),
        )
        .await;
    assert_eq!(error_code(&r.json().await.unwrap()), 21180);
    let r = sim
        .post(
            &format!("/sessions/online/{session}/close"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(error_code(&r.json().await.unwrap()), 21180);
}

#[tokio::test]
async fn open_errors_and_undecryptable_key() {
    let sim = start().await;
    let (_, token) = owner(&sim).await;
    let key = InvoiceEncryptionKey::generate(&mut SimRng::os());
    let info = key
        .encryption_info(&sim.mf_key().await, &mut SimRng::os())
        .unwrap();
    // Unsupported form code.
    let r = sim
        .post("/sessions/online", Some(&token), Some(json!({"formCode": {"systemCode": "FA (9)", "schemaVersion": "1-0E", "value": "FA"}, "encryption": info})))
        .await;
    let v: Value = r.json().await.unwrap();
    assert_eq!(error_code(&v), 21405);
    assert_eq!(
        v["exception"]["exceptionDetailList"][0]["details"][0],
        "Wskazany kod formularza nie jest wspierany."
    );
    // IV of 24 bytes.
    let mut bad = serde_json::to_value(&info).unwrap();
    bad["initializationVector"] = json!("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3");
    let r = sim
        .post(
            "/sessions/online",
            Some(&token),
            Some(json!({"formCode": fa3(), "encryption": bad})),
        )
        .await;
    let v: Value = r.json().await.unwrap();
    assert_eq!(error_code(&v), 21405);
    assert!(
        v["exception"]["exceptionDetailList"][0]["details"][0]
            .as_str()
            .unwrap()
            .contains("otrzymano 24")
    );
    // Unknown publicKeyId → 21470.
    let mut bad = serde_json::to_value(&info).unwrap();
    bad["publicKeyId"] = json!("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
    let r = sim
        .post(
            "/sessions/online",
            Some(&token),
            Some(json!({"formCode": fa3(), "encryption": bad})),
        )
        .await;
    assert_eq!(error_code(&r.json().await.unwrap()), 21470);
    // A key that does not decrypt: 201, session 415, sending → 21180.
    let mut bad = serde_json::to_value(&info).unwrap();
    bad["encryptedSymmetricKey"] = json!(ksef_sim::util::b64([7u8; 256]));
    let r = sim
        .post(
            "/sessions/online",
            Some(&token),
            Some(json!({"formCode": fa3(), "encryption": bad})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let session = r.json::<Value>().await.unwrap()["referenceNumber"]
        .as_str()
        .unwrap()
        .to_owned();
    let s: Value = sim
        .get(&format!("/sessions/{session}"), Some(&token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(s["status"]["code"], 415);
    let r = sim
        .send_raw(
            &token,
            &session,
            serde_json::to_value(key.encrypt_invoice(b"<a/>")).unwrap(),
        )
        .await;
    let v: Value = r.json().await.unwrap();
    assert_eq!(error_code(&v), 21180);
    assert_eq!(
        v["exception"]["exceptionDetailList"][0]["details"][0],
        "Status sesji (415) uniemożliwia wysyłkę faktur."
    );
    // Unknown session → 21173.
    let r = sim
        .send_raw(
            &token,
            "20250101-SO-0000000000-0000000000-00",
            serde_json::to_value(key.encrypt_invoice(b"<a/>")).unwrap(),
        )
        .await;
    assert_eq!(error_code(&r.json().await.unwrap()), 21173);
}

#[tokio::test]
async fn send_sync_checks() {
    let sim = start_with(
        ksef_sim::SimConfig::default()
            .with_max_invoices(1)
            .with_delays(ksef_sim::Delays::ZERO)
            .with_schemas(schemas()),
    )
    .await;
    let (nip, token) = owner(&sim).await;
    let (session, key) = sim.open_session(&token).await;
    let xml = invoice(&nip, "FV/S/1", &today());
    let good = serde_json::to_value(key.encrypt_invoice(&xml)).unwrap();
    let mut wrong_size = good.clone();
    wrong_size["encryptedInvoiceSize"] = json!(good["encryptedInvoiceSize"].as_u64().unwrap() + 1);
    assert_eq!(
        error_code(
            &sim.send_raw(&token, &session, wrong_size)
                .await
                .json()
                .await
                .unwrap()
        ),
        21402
    );
    let mut wrong_hash = good.clone();
    wrong_hash["encryptedInvoiceHash"] = good["invoiceHash"].clone();
    assert_eq!(
        error_code(
            &sim.send_raw(&token, &session, wrong_hash)
                .await
                .json()
                .await
                .unwrap()
        ),
        21403
    );
    assert_eq!(
        sim.send_raw(&token, &session, good.clone()).await.status(),
        StatusCode::ACCEPTED
    );
    // Limit of 1 invoice per session → 21155.
    assert_eq!(
        error_code(
            &sim.send_raw(&token, &session, good)
                .await
                .json()
                .await
                .unwrap()
        ),
        21155
    );
}

/// Sends `plain` with declared metadata from `declared` (to provoke 430).
async fn send_declared(
    sim: &Sim,
    token: &str,
    session: &str,
    key: &InvoiceEncryptionKey,
    plain: &[u8],
    declared: &[u8],
) -> Value {
    let mut body = serde_json::to_value(key.encrypt_invoice(plain)).unwrap();
    body["invoiceHash"] = json!(ksef_core::hash::Sha256Hash::of(declared).to_base64());
    body["invoiceSize"] = json!(declared.len());
    let r = sim.send_raw(token, session, body).await;
    let inv = r.json::<Value>().await.unwrap()["referenceNumber"]
        .as_str()
        .unwrap()
        .to_owned();
    sim.invoice_final(token, session, &inv).await
}

#[tokio::test]
async fn pipeline_rejections() {
    let sim = start().await;
    let (nip, token) = owner(&sim).await;
    let (session, key) = sim.open_session(&token).await;
    let ok = invoice(&nip, "FV/R/1", &today());

    // 435: ciphertext that is not valid AES-CBC/PKCS#7 under the session key.
    let other = InvoiceEncryptionKey::generate(&mut SimRng::os());
    let mut body = serde_json::to_value(other.encrypt_invoice(&ok)).unwrap();
    body["invoiceHash"] = json!(ksef_core::hash::Sha256Hash::of(&ok).to_base64());
    let inv = sim
        .send_raw(&token, &session, body)
        .await
        .json::<Value>()
        .await
        .unwrap()["referenceNumber"]
        .as_str()
        .unwrap()
        .to_owned();
    let st = sim.invoice_final(&token, &session, &inv).await;
    // A wrong key usually breaks the padding (435); if the padding survives by chance the
    // hash check catches it (430).
    assert!(
        st["status"]["code"] == 435 || st["status"]["code"] == 430,
        "{st}"
    );

    // 430: declared size/hash differ from the plaintext.
    let mut longer = ok.clone();
    longer.push(b'\n');
    let st = send_declared(&sim, &token, &session, &key, &ok, &longer).await;
    assert_eq!(st["status"]["code"], 430);
    assert_eq!(
        st["status"]["details"][0],
        format!(
            "Rozmiar przesłanego pliku faktury nie zgadza się z zadeklarowaną wartością: {}.",
            longer.len()
        )
    );

    // 450 "Nieprawidłowy XML": BOM, processing instruction, not well-formed.
    for bad in [
        [b"\xEF\xBB\xBF".as_slice(), &ok].concat(),
        String::from_utf8(ok.clone())
            .unwrap()
            .replacen("<Faktura", "<?pi x?><Faktura", 1)
            .into_bytes(),
        b"<Faktura><Fa></Faktura>".to_vec(),
    ] {
        let st = send_declared(&sim, &token, &session, &key, &bad, &bad).await;
        assert_eq!(st["status"]["code"], 450, "{st}");
        assert_eq!(st["status"]["details"][0], "Nieprawidłowy XML");
    }

    // 450 with the XSD validator's messages.
    let invalid = String::from_utf8(ok.clone())
        .unwrap()
        .replacen("<P_2>", "<Nieznany/><P_2>", 1)
        .into_bytes();
    let st = send_declared(&sim, &token, &session, &key, &invalid, &invalid).await;
    assert_eq!(st["status"]["code"], 450);
    assert!(
        st["status"]["details"][0]
            .as_str()
            .unwrap()
            .contains("Nieznany"),
        "{st}"
    );

    // 450: P_1 in the future.
    let tomorrow = (time::OffsetDateTime::now_utc() + time::Duration::days(2)).date();
    let future = invoice(
        &nip,
        "FV/R/2",
        &format!(
            "{:04}-{:02}-{:02}",
            tomorrow.year(),
            u8::from(tomorrow.month()),
            tomorrow.day()
        ),
    );
    let st = send_declared(&sim, &token, &session, &key, &future, &future).await;
    assert_eq!(st["status"]["code"], 450);
    assert!(st["status"]["details"][0].as_str().unwrap().contains("P_1"));

    // 410: seller is another NIP.
    let foreign = invoice(&random_nip(), "FV/R/3", &today());
    let st = send_declared(&sim, &token, &session, &key, &foreign, &foreign).await;
    assert_eq!(st["status"]["code"], 410);
    // No UPO for a rejected invoice → 21178.
    let r = sim
        .get(
            &format!(
                "/sessions/{session}/invoices/{}/upo",
                st["referenceNumber"].as_str().unwrap()
            ),
            Some(&token),
        )
        .await;
    assert_eq!(error_code(&r.json().await.unwrap()), 21178);

    // Failed list with continuation.
    let v: Value = sim
        .get(
            &format!("/sessions/{session}/invoices/failed?pageSize=10"),
            Some(&token),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["invoices"].as_array().unwrap().len(), 8);
    let r = sim
        .http
        .get(sim.url(&format!("/sessions/{session}/invoices")))
        .bearer_auth(&token)
        .header("x-continuation-token", "%%%")
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(&r.json().await.unwrap()), 21418);

    // Nothing succeeded → close ends with 445.
    sim.post(
        &format!("/sessions/online/{session}/close"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(
        sim.session_final(&token, &session).await["status"]["code"],
        445
    );
}

#[tokio::test]
async fn duplicates_across_sessions_and_offline_detection() {
    let sim = start().await;
    let (nip, token) = owner(&sim).await;
    let (s1, k1) = sim.open_session(&token).await;
    let first = invoice(&nip, "FV/D/1", "2026-01-05");
    let i1 = sim.send(&token, &s1, &k1, &first, json!({})).await;
    let st1 = sim.invoice_final(&token, &s1, &i1).await;
    assert_eq!(st1["status"]["code"], 200);
    // P_1 before today → detected offline.
    assert_eq!(st1["invoicingMode"], "Offline");

    let (s2, k2) = sim.open_session(&token).await;
    // Same (NIP, kind, P_2), different bytes.
    let again = invoice(&nip, "FV/D/1", &today());
    let i2 = sim.send(&token, &s2, &k2, &again, json!({})).await;
    let st2 = sim.invoice_final(&token, &s2, &i2).await;
    assert_eq!(st2["status"]["code"], 440, "{st2}");
    assert_eq!(
        st2["status"]["extensions"]["originalKsefNumber"],
        st1["ksefNumber"]
    );
    assert_eq!(
        st2["status"]["extensions"]["originalSessionReferenceNumber"],
        s1
    );
    assert_eq!(st2["invoiceNumber"], "FV/D/1");

    // Explicit offlineMode.
    let i3 = sim
        .send(
            &token,
            &s2,
            &k2,
            &invoice(&nip, "FV/D/2", &today()),
            json!({"offlineMode": true}),
        )
        .await;
    assert_eq!(
        sim.invoice_final(&token, &s2, &i3).await["invoicingMode"],
        "Offline"
    );
}

#[tokio::test]
async fn technical_correction() {
    let sim = start().await;
    let (nip, token) = owner(&sim).await;
    let (session, key) = sim.open_session(&token).await;
    // An offline invoice rejected for a technical reason (XSD).
    let good = invoice(&nip, "FV/K/1", &today());
    let broken = String::from_utf8(good.clone())
        .unwrap()
        .replacen("<P_2>", "<Zle/><P_2>", 1)
        .into_bytes();
    let inv = sim
        .send(
            &token,
            &session,
            &key,
            &broken,
            json!({"offlineMode": true}),
        )
        .await;
    assert_eq!(
        sim.invoice_final(&token, &session, &inv).await["status"]["code"],
        450
    );
    let broken_hash = ksef_core::hash::Sha256Hash::of(&broken).to_base64();

    // Unknown hash → 21166.
    let unknown = ksef_core::hash::Sha256Hash::of(b"x").to_base64();
    let mut body = serde_json::to_value(key.encrypt_invoice(&good)).unwrap();
    body["offlineMode"] = json!(true);
    body["hashOfCorrectedInvoice"] = json!(unknown);
    assert_eq!(
        error_code(
            &sim.send_raw(&token, &session, body.clone())
                .await
                .json()
                .await
                .unwrap()
        ),
        21166
    );

    // The correction succeeds.
    body["hashOfCorrectedInvoice"] = json!(broken_hash);
    let r = sim.send_raw(&token, &session, body.clone()).await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let corr = r.json::<Value>().await.unwrap()["referenceNumber"]
        .as_str()
        .unwrap()
        .to_owned();
    let st = sim.invoice_final(&token, &session, &corr).await;
    assert_eq!(st["status"]["code"], 200, "{st}");
    assert_eq!(st["invoicingMode"], "Offline");
    // A second correction of the same original → 21166.
    assert_eq!(
        error_code(
            &sim.send_raw(&token, &session, body)
                .await
                .json()
                .await
                .unwrap()
        ),
        21166
    );

    // KOD I of the rejected original leads to the correction.
    let env =
        ksef_core::qr::Environment::custom(&format!("{}/qr", sim.running.base_url())).unwrap();
    let link =
        ksef_core::qr::InvoiceLink::for_invoice(env.clone(), &nip, &today(), &broken).unwrap();
    let v: Value = sim
        .http
        .get(link.url())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["found"], true, "{v}");
    assert_eq!(v["ksefNumber"], st["ksefNumber"]);
    let link =
        ksef_core::qr::InvoiceLink::for_invoice(env, &nip, &today(), b"other bytes").unwrap();
    assert_eq!(
        sim.http.get(link.url()).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );

    // Correcting a successfully processed invoice → 21167.
    let ok_hash = ksef_core::hash::Sha256Hash::of(&good).to_base64();
    let mut body =
        serde_json::to_value(key.encrypt_invoice(&invoice(&nip, "FV/K/2", &today()))).unwrap();
    body["offlineMode"] = json!(true);
    body["hashOfCorrectedInvoice"] = json!(ok_hash);
    assert_eq!(
        error_code(
            &sim.send_raw(&token, &session, body)
                .await
                .json()
                .await
                .unwrap()
        ),
        21167
    );
}

#[tokio::test]
async fn empty_session_close_is_cancelled() {
    let sim = start().await;
    let (_, token) = owner(&sim).await;
    let (session, _) = sim.open_session(&token).await;
    sim.post(
        &format!("/sessions/online/{session}/close"),
        Some(&token),
        None,
    )
    .await;
    let s = sim.session_final(&token, &session).await;
    assert_eq!(s["status"]["code"], 440);
    assert_eq!(s["status"]["details"][0], "Nie przesłano faktur");
}

#[tokio::test]
async fn session_auto_closes_after_12_hours() {
    let sim = start().await;
    let (nip, _) = owner(&sim).await;
    let (session, key, token) = {
        let (token, _, _) = sim.login(&Cred::seal(&nip), &nip).await;
        let (s, k) = sim.open_session(&token).await;
        (s, k, token)
    };
    let inv = sim
        .send(
            &token,
            &session,
            &key,
            &invoice(&nip, "FV/T/1", &today()),
            json!({}),
        )
        .await;
    sim.invoice_final(&token, &session, &inv).await;
    sim.clock.advance(time::Duration::hours(12));
    // The access token has expired too; log in again (same context) to look.
    let (token2, _, _) = sim.login(&Cred::seal(&nip), &nip).await;
    let s = sim.session_final(&token2, &session).await;
    assert_eq!(s["status"]["code"], 200);
    let r = sim
        .send_raw(
            &token2,
            &session,
            serde_json::to_value(key.encrypt_invoice(b"<a/>")).unwrap(),
        )
        .await;
    assert_eq!(error_code(&r.json().await.unwrap()), 21180);
}

#[tokio::test]
async fn list_sessions_with_filters() {
    let sim = start().await;
    let (_, token) = owner(&sim).await;
    let (s1, _) = sim.open_session(&token).await;
    let (s2, _) = sim.open_session(&token).await;
    sim.post(&format!("/sessions/online/{s2}/close"), Some(&token), None)
        .await;
    sim.session_final(&token, &s2).await; // 440: nothing sent
    let v: Value = sim
        .get("/sessions?sessionType=Online", Some(&token))
        .await
        .json()
        .await
        .unwrap();
    let refs: Vec<&str> = v["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["referenceNumber"].as_str().unwrap())
        .collect();
    assert_eq!(refs, [s2.as_str(), s1.as_str()]);
    let v: Value = sim
        .get(
            "/sessions?sessionType=Online&statuses=InProgress",
            Some(&token),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["sessions"][0]["referenceNumber"], s1);
    assert_eq!(v["sessions"].as_array().unwrap().len(), 1);
    let v: Value = sim
        .get(
            "/sessions?sessionType=Online&statuses=Cancelled&statuses=Failed",
            Some(&token),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["sessions"][0]["referenceNumber"], s2);
    let from = ksef_sim::util::fmt_ts(time::OffsetDateTime::now_utc() + time::Duration::hours(1))
        .replace('+', "%2B");
    let v: Value = sim
        .get(
            &format!("/sessions?sessionType=Online&dateCreatedFrom={from}"),
            Some(&token),
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(v["sessions"].as_array().unwrap().is_empty());
    assert_eq!(
        error_code(
            &sim.get("/sessions", Some(&token))
                .await
                .json()
                .await
                .unwrap()
        ),
        21405
    );
    let v: Value = sim
        .get("/sessions?sessionType=Batch", Some(&token))
        .await
        .json()
        .await
        .unwrap();
    assert!(v["sessions"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn context_limits_and_test_subjects() {
    let sim = start().await;
    let (nip, token) = owner(&sim).await;
    let v: Value = sim
        .get("/limits/context", Some(&token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        v["onlineSession"],
        json!({"maxInvoiceSizeInMB": 1, "maxInvoiceWithAttachmentSizeInMB": 3, "maxInvoices": 10000})
    );
    let small =
        json!({"maxInvoiceSizeInMB": 0, "maxInvoiceWithAttachmentSizeInMB": 0, "maxInvoices": 1});
    let r = sim
        .post(
            "/testdata/limits/context/session",
            Some(&token),
            Some(json!({"onlineSession": small, "batchSession": small})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let (session, key) = sim.open_session(&token).await;
    let xml = invoice(&nip, "FV/L/1", &today());
    let inv = sim.send(&token, &session, &key, &xml, json!({})).await;
    let st = sim.invoice_final(&token, &session, &inv).await;
    assert_eq!(st["status"]["code"], 430, "{st}");
    let r = sim
        .send_raw(
            &token,
            &session,
            serde_json::to_value(key.encrypt_invoice(&xml)).unwrap(),
        )
        .await;
    assert_eq!(error_code(&r.json().await.unwrap()), 21155);
    let r = sim
        .http
        .delete(sim.url("/testdata/limits/context/session"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = sim
        .get("/limits/context", Some(&token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["batchSession"]["maxInvoices"], 10000);
    let v: Value = sim
        .get("/limits/subject", Some(&token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["certificate"]["maxCertificates"], 100);
    // Test subjects: 30001 on a second registration.
    let body = json!({"subjectNip": nip, "subjectType": "VatGroup", "description": "grupa VAT"});
    sim.testdata("/testdata/subject", body.clone()).await;
    assert_eq!(
        error_code(
            &sim.post("/testdata/subject", None, Some(body))
                .await
                .json()
                .await
                .unwrap()
        ),
        30001
    );
    sim.testdata("/testdata/subject/remove", json!({"subjectNip": nip}))
        .await;
}

/// The official sample with an attachment (`Zalacznik`), for `nip`.
fn invoice_with_attachment(nip: &str, number: &str) -> Vec<u8> {
    let path = schemas()
        .join("../samples/fa3-mf-official/fa3-mf24-vat-with-attachment-energy-dash-cells.xml");
    std::fs::read_to_string(path)
        .unwrap()
        .replacen("<NIP>9999999999</NIP>", &format!("<NIP>{nip}</NIP>"), 1)
        .replace("<P_2>FV2026/02/150</P_2>", &format!("<P_2>{number}</P_2>"))
        .replace("<P_1>2026-02-28</P_1>", &format!("<P_1>{}</P_1>", today()))
        .into_bytes()
}

#[tokio::test]
async fn attachments_online() {
    let sim = start().await;
    let (nip, token) = owner(&sim).await;
    let (session, key) = sim.open_session(&token).await;
    // Not enabled → 415.
    let inv = sim
        .send(
            &token,
            &session,
            &key,
            &invoice_with_attachment(&nip, "FV/Z/1"),
            json!({}),
        )
        .await;
    let st = sim.invoice_final(&token, &session, &inv).await;
    assert_eq!(st["status"]["code"], 415, "{st}");
    // Enabled, but online and not a technical correction → still 415.
    sim.testdata("/testdata/attachment", json!({"nip": nip}))
        .await;
    let inv = sim
        .send(
            &token,
            &session,
            &key,
            &invoice_with_attachment(&nip, "FV/Z/2"),
            json!({}),
        )
        .await;
    assert_eq!(
        sim.invoice_final(&token, &session, &inv).await["status"]["code"],
        415
    );
}
