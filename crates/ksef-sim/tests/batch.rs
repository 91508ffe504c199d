//! Batch sessions over real HTTP (DIGEST §9): ZIP and tar.gz, parts, upload window,
//! close checks and per-invoice results.

mod common;

use std::io::Write;

use common::*;
use ksef_core::crypto::InvoiceEncryptionKey;
use ksef_core::hash::Sha256Hash;
use ksef_sim::SimRng;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn zip(files: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in files {
        w.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn tar_gz(files: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut t = tar::Builder::new(gz);
    for (name, data) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        t.append_data(&mut h, name, data.as_slice()).unwrap();
    }
    t.into_inner().unwrap().finish().unwrap()
}

struct Batch {
    reference: String,
    uploads: Vec<Value>,
    parts: Vec<Vec<u8>>,
}

/// Opens a batch session for `archive` split into `n` parts.
async fn open(
    sim: &Sim,
    token: &str,
    key: &InvoiceEncryptionKey,
    archive: &[u8],
    n: usize,
    compression: &str,
) -> Batch {
    let chunk = archive.len().div_ceil(n);
    let parts: Vec<Vec<u8>> = archive
        .chunks(chunk)
        .map(|c| key.encrypt_bytes(c))
        .collect();
    let info = key
        .encryption_info(&sim.mf_key().await, &mut SimRng::os())
        .unwrap();
    let body = json!({
        "formCode": fa3(),
        "batchFile": {
            "fileSize": archive.len(),
            "fileHash": Sha256Hash::of(archive).to_base64(),
            "compressionType": compression,
            "fileParts": parts.iter().enumerate().map(|(i, p)| json!({
                "ordinalNumber": i + 1, "fileSize": p.len(), "fileHash": Sha256Hash::of(p).to_base64(),
            })).collect::<Vec<_>>(),
        },
        "encryption": info,
    });
    let r = sim.post("/sessions/batch", Some(token), Some(body)).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let v: Value = r.json().await.unwrap();
    Batch {
        reference: v["referenceNumber"].as_str().unwrap().to_owned(),
        uploads: v["partUploadRequests"].as_array().unwrap().clone(),
        parts,
    }
}

async fn upload(sim: &Sim, b: &Batch, i: usize, data: &[u8]) -> StatusCode {
    let u = &b.uploads[i];
    assert_eq!(u["method"], "PUT");
    sim.http
        .put(u["url"].as_str().unwrap())
        .header(
            "x-ms-blob-type",
            u["headers"]["x-ms-blob-type"].as_str().unwrap(),
        )
        .body(data.to_vec())
        .send()
        .await
        .unwrap()
        .status()
}

async fn close(sim: &Sim, token: &str, b: &Batch) -> reqwest::Response {
    sim.post(
        &format!("/sessions/batch/{}/close", b.reference),
        Some(token),
        None,
    )
    .await
}

#[tokio::test]
async fn zip_and_targz_batches() {
    let sim = start().await;
    let nip = random_nip();
    let (token, _, _) = sim.login(&Cred::seal(&nip), &nip).await;
    let key = InvoiceEncryptionKey::generate(&mut SimRng::os());
    let files = vec![
        ("a.xml", invoice(&nip, "FV/B/1", &today())),
        ("b.xml", invoice(&nip, "FV/B/2", &today())),
        ("dup.xml", invoice(&nip, "FV/B/1", "2026-01-01")),
        ("bad.xml", b"<Faktura>".to_vec()),
    ];
    let archive = zip(&files);
    let b = open(&sim, &token, &key, &archive, 2, "Zip").await;
    for (i, p) in b.parts.iter().enumerate() {
        assert_eq!(upload(&sim, &b, i, p).await, StatusCode::CREATED);
    }
    assert_eq!(
        close(&sim, &token, &b).await.status(),
        StatusCode::NO_CONTENT
    );
    let s = sim.session_final(&token, &b.reference).await;
    assert_eq!(s["status"]["code"], 200, "{s}");
    assert_eq!(
        s["status"]["description"],
        "Sesja wsadowa przetworzona pomyślnie"
    );
    assert_eq!(s["invoiceCount"], 4);
    assert_eq!(s["successfulInvoiceCount"], 2);
    let v: Value = sim
        .get(&format!("/sessions/{}/invoices", b.reference), Some(&token))
        .await
        .json()
        .await
        .unwrap();
    let by_name = |n: &str| {
        v["invoices"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["invoiceFileName"] == n)
            .unwrap()
            .clone()
    };
    assert_eq!(by_name("a.xml")["status"]["code"], 200);
    assert_eq!(by_name("dup.xml")["status"]["code"], 440);
    assert_eq!(by_name("bad.xml")["status"]["code"], 450);
    assert!(s["upo"]["pages"][0]["downloadUrl"].is_string());

    // tar.gz, one part.
    let archive = tar_gz(&[("c.xml", invoice(&nip, "FV/B/3", &today()))]);
    let b = open(&sim, &token, &key, &archive, 1, "TarGz").await;
    upload(&sim, &b, 0, &b.parts[0]).await;
    close(&sim, &token, &b).await;
    let s = sim.session_final(&token, &b.reference).await;
    assert_eq!(s["status"]["code"], 200, "{s}");
    let v: Value = sim
        .get(&format!("/sessions/{}/invoices", b.reference), Some(&token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["invoices"][0]["invoiceFileName"], "c.xml");
}

#[tokio::test]
async fn batch_errors() {
    let sim = start().await;
    let nip = random_nip();
    let (token, _, _) = sim.login(&Cred::seal(&nip), &nip).await;
    let key = InvoiceEncryptionKey::generate(&mut SimRng::os());
    let archive = zip(&[("a.xml", invoice(&nip, "FV/E/1", &today()))]);

    // The online close endpoint does not see a batch session → 21173.
    let b = open(&sim, &token, &key, &archive, 1, "Zip").await;
    let wrong_kind = sim
        .post(
            &format!("/sessions/online/{}/close", b.reference),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(error_code(&wrong_kind.json().await.unwrap()), 21173);

    // Missing part → 21205; wrong part size → 21157.
    let b = open(&sim, &token, &key, &archive, 2, "Zip").await;
    upload(&sim, &b, 0, &b.parts[0]).await;
    assert_eq!(
        error_code(&close(&sim, &token, &b).await.json().await.unwrap()),
        21205
    );
    upload(&sim, &b, 1, &b.parts[0][..16]).await;
    assert_eq!(
        error_code(&close(&sim, &token, &b).await.json().await.unwrap()),
        21157
    );

    // Part content differs from its declared hash (same size) → session 405.
    let b = open(&sim, &token, &key, &archive, 1, "Zip").await;
    let mut tampered = b.parts[0].clone();
    tampered[0] ^= 1;
    upload(&sim, &b, 0, &tampered).await;
    assert_eq!(
        close(&sim, &token, &b).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        sim.session_final(&token, &b.reference).await["status"]["code"],
        405
    );

    // Not an archive → 430.
    let b = open(&sim, &token, &key, b"not a zip file", 1, "Zip").await;
    upload(&sim, &b, 0, &b.parts[0]).await;
    close(&sim, &token, &b).await;
    assert_eq!(
        sim.session_final(&token, &b.reference).await["status"]["code"],
        430
    );

    // Upload window (1 part × 20 min) exceeded → PUT 403, close 21208 and session 440.
    let b = open(&sim, &token, &key, &archive, 1, "Zip").await;
    sim.clock.advance(time::Duration::minutes(21));
    assert_eq!(
        upload(&sim, &b, 0, &b.parts[0]).await,
        StatusCode::FORBIDDEN
    );
    let (token, _, _) = sim.login(&Cred::seal(&nip), &nip).await;
    assert_eq!(
        error_code(&close(&sim, &token, &b).await.json().await.unwrap()),
        21208
    );
    let s: Value = sim
        .get(&format!("/sessions/{}", b.reference), Some(&token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(s["status"]["code"], 440);

    // A tampered pre-signed URL → 403.
    let b = open(&sim, &token, &key, &archive, 1, "Zip").await;
    let url = b.uploads[0]["url"]
        .as_str()
        .unwrap()
        .replace("sig=", "sig=0");
    let r = sim
        .http
        .put(url)
        .body(b.parts[0].clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // More than 50 parts → 21161.
    let info = key
        .encryption_info(&sim.mf_key().await, &mut SimRng::os())
        .unwrap();
    let h = Sha256Hash::of(b"x").to_base64();
    let parts: Vec<Value> = (1..=51)
        .map(|i| json!({"ordinalNumber": i, "fileSize": 16, "fileHash": h}))
        .collect();
    let body = json!({"formCode": fa3(), "batchFile": {"fileSize": 10, "fileHash": h, "fileParts": parts}, "encryption": info});
    assert_eq!(
        error_code(
            &sim.post("/sessions/batch", Some(&token), Some(body))
                .await
                .json()
                .await
                .unwrap()
        ),
        21161
    );
}

#[tokio::test]
async fn attachments_allowed_in_batch_when_enabled() {
    let sim = start().await;
    let nip = random_nip();
    let (token, _, _) = sim.login(&Cred::seal(&nip), &nip).await;
    sim.testdata("/testdata/attachment", json!({"nip": nip}))
        .await;
    let path = schemas()
        .join("../samples/fa3-mf-official/fa3-mf24-vat-with-attachment-energy-dash-cells.xml");
    let xml = std::fs::read_to_string(path)
        .unwrap()
        .replacen("<NIP>9999999999</NIP>", &format!("<NIP>{nip}</NIP>"), 1)
        .replace("<P_1>2026-02-28</P_1>", &format!("<P_1>{}</P_1>", today()))
        .into_bytes();
    let key = InvoiceEncryptionKey::generate(&mut SimRng::os());
    let archive = zip(&[("z.xml", xml)]);
    let b = open(&sim, &token, &key, &archive, 1, "Zip").await;
    upload(&sim, &b, 0, &b.parts[0]).await;
    close(&sim, &token, &b).await;
    let s = sim.session_final(&token, &b.reference).await;
    assert_eq!(s["status"]["code"], 200, "{s}");
    assert_eq!(s["successfulInvoiceCount"], 1);
}
