//! The binary: binds (port 0), serves `/healthz`, the embedded simulator and its
//! Latarnia, and on SIGTERM stops accepting, lets in-flight requests finish and exits
//! cleanly (graceful shutdown).

#![cfg(unix)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The value of `key=` in a log line.
fn field(line: &str, key: &str) -> Option<String> {
    let rest = line.split(&format!("{key}=")).nth(1)?;
    Some(rest.split_whitespace().next()?.trim_matches('"').to_owned())
}

/// Kills the proxy if the test fails before it exits by itself.
struct Reap(std::process::Child);

impl Drop for Reap {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

#[tokio::test]
async fn serves_and_shuts_down_gracefully_on_sigterm() {
    let mut reap = Reap(
        Command::new(env!("CARGO_BIN_EXE_ksef-proxy"))
            .args([
                "--sim",
                "--sim-no-xsd",
                "--listen",
                "127.0.0.1:0",
                "--threads",
                "2",
            ])
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let child = &mut reap.0;
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut sim = None;
    let addr = loop {
        let line = rx.recv_timeout(Duration::from_secs(60)).unwrap();
        if line.contains("embedded simulator") {
            sim = field(&line, "base");
        }
        if let Some(addr) = field(&line, "addr") {
            break addr;
        }
    };
    let sim = sim.expect("simulator base logged");
    let http = reqwest::Client::new();
    let r = http
        .get(format!("http://{addr}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.text().await.unwrap(), "ok");
    let r = http
        .post(format!("http://{addr}/sim/v2/auth/challenge"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::OK);
    // `--sim` wires the simulator's Latarnia as the `sim` environment's.
    let r = http
        .get(format!("http://{addr}/sim/latarnia/status"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "AVAILABLE");

    // A slow request in flight when SIGTERM arrives still gets its answer.
    let r = http
        .put(format!("{sim}/_sim/faults"))
        .json(&json!({"latencyMs": 1500}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let in_flight = tokio::spawn({
        let http = http.clone();
        let url = format!("http://{addr}/sim/v2/auth/challenge");
        async move { http.post(url).send().await.map(|r| r.status()) }
    });
    tokio::time::sleep(Duration::from_millis(400)).await;
    let signalled = Instant::now();
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let mut status = None;
    for _ in 0..200 {
        if let Some(s) = child.try_wait().unwrap() {
            status = Some(s);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let Some(status) = status else {
        panic!("no exit after SIGTERM");
    };
    assert!(status.success(), "{status}");
    let answered = in_flight.await.unwrap();
    assert_eq!(
        answered.ok(),
        Some(reqwest::StatusCode::OK),
        "in-flight request cut"
    );
    assert!(
        signalled.elapsed() >= Duration::from_millis(500),
        "exited before the in-flight request finished"
    );
    // And nothing listens any more.
    assert!(
        http.get(format!("http://{addr}/healthz"))
            .send()
            .await
            .is_err()
    );
}
