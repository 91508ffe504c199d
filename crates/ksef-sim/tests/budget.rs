//! Throughput budgets of the issue (zero processing delay): 200 online invoice sends per
//! second sustained, and a 10 000-invoice batch processed in under 60 s. Ignored by
//! default; run with
//! `cargo test -p ksef-sim --release --test budget -- --ignored --nocapture`.

mod common;

use std::io::Write;
use std::time::Instant;

use common::*;
use ksef_core::crypto::InvoiceEncryptionKey;
use ksef_core::hash::Sha256Hash;
use ksef_sim::SimRng;
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark"]
async fn online_sends_per_second() {
    let sim = start().await;
    let nip = random_nip();
    let (token, _, _) = sim.login(&Cred::seal(&nip), &nip).await;
    let (session, key) = sim.open_session(&token).await;
    let n = 2000;
    let bodies: Vec<Value> = (0..n)
        .map(|i| {
            serde_json::to_value(key.encrypt_invoice(&invoice(
                &nip,
                &format!("FV/PERF/{i}"),
                &today(),
            )))
            .unwrap()
        })
        .collect();
    let url = sim.url(&format!("/sessions/online/{session}/invoices"));
    let t = Instant::now();
    let mut tasks = Vec::new();
    for chunk in bodies.chunks(n / 8) {
        let (http, url, token, chunk) =
            (sim.http.clone(), url.clone(), token.clone(), chunk.to_vec());
        tasks.push(tokio::spawn(async move {
            for b in chunk {
                let r = http
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&b)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 202);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let sent = t.elapsed();
    sim.post(
        &format!("/sessions/online/{session}/close"),
        Some(&token),
        None,
    )
    .await;
    let s = sim.session_final(&token, &session).await;
    let done = t.elapsed();
    assert_eq!(s["successfulInvoiceCount"], n);
    println!(
        "online: {n} sends in {:.2} s = {:.0} sends/s; all processed (XSD on) and session UPO in {:.2} s = {:.0} invoices/s",
        sent.as_secs_f64(),
        n as f64 / sent.as_secs_f64(),
        done.as_secs_f64(),
        n as f64 / done.as_secs_f64()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark"]
async fn batch_of_10000() {
    let sim = start().await;
    let nip = random_nip();
    let (token, _, _) = sim.login(&Cred::seal(&nip), &nip).await;
    let key = InvoiceEncryptionKey::generate(&mut SimRng::os());
    let n = 10_000;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..n {
        w.start_file(format!("{i}.xml"), zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(&invoice(&nip, &format!("FV/BATCH/{i}"), &today()))
            .unwrap();
    }
    let archive = w.finish().unwrap().into_inner();
    let part = key.encrypt_bytes(&archive);
    let info = key
        .encryption_info(&sim.mf_key().await, &mut SimRng::os())
        .unwrap();
    let body = json!({
        "formCode": fa3(),
        "batchFile": {"fileSize": archive.len(), "fileHash": Sha256Hash::of(&archive).to_base64(),
            "fileParts": [{"ordinalNumber": 1, "fileSize": part.len(), "fileHash": Sha256Hash::of(&part).to_base64()}]},
        "encryption": info,
    });
    let v: Value = sim
        .post("/sessions/batch", Some(&token), Some(body))
        .await
        .json()
        .await
        .unwrap();
    let reference = v["referenceNumber"].as_str().unwrap().to_owned();
    sim.http
        .put(v["partUploadRequests"][0]["url"].as_str().unwrap())
        .body(part)
        .send()
        .await
        .unwrap();
    let t = Instant::now();
    sim.post(
        &format!("/sessions/batch/{reference}/close"),
        Some(&token),
        None,
    )
    .await;
    let mut s = Value::Null;
    for _ in 0..12_000 {
        s = sim
            .get(&format!("/sessions/{reference}"), Some(&token))
            .await
            .json()
            .await
            .unwrap();
        if s["status"]["code"] != 150 && s["status"]["code"] != 100 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let done = t.elapsed();
    assert_eq!(s["status"]["code"], 200, "{s}");
    assert_eq!(s["successfulInvoiceCount"], n);
    println!(
        "batch: {n} invoices ({} KB zip) processed (XSD on) in {:.2} s",
        archive.len() / 1024,
        done.as_secs_f64()
    );
}
