//! `ksef auth` / `ksef send` / `ksef status` / `ksef upo` / `ksef cert status` against an in-process simulator
//! (zero delays) on a real port: JSON lines on stdout and the documented exit codes;
//! offline modes and a technical correction; input errors; 1 000 invoices with the
//! production rate limits on and zero 429 answers; fault injection (5xx, dropped
//! connections, latency) and `kill -9` mid-send, resumed from `--state`, with every
//! invoice accepted exactly once (the simulator's `/_sim/stats`).

use std::path::Path;
use std::process::Command;

use ksef_sim::{Delays, SimConfig, Simulator};
use serde_json::{Value, json};

const NIP: &str = "5265877635";

fn ksef(args: &[&str]) -> (i32, Vec<Value>) {
    let out = Command::new(env!("CARGO_BIN_EXE_ksef"))
        .args(args)
        .output()
        .unwrap();
    let lines = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (out.status.code().unwrap(), lines)
}

/// Demo credentials of `kind` (Authentication | Offline, password `pw`) from the simulator
/// at `root`, written to `dir/{stem}.pem` and `dir/{stem}.key`: (cert path, key path, cert PEM).
async fn demo_files(root: &str, dir: &Path, kind: &str, stem: &str) -> (String, String, String) {
    let v: Value = reqwest::Client::new()
        .post(format!("{root}/_sim/demo-credentials"))
        .json(&json!({"nip": NIP, "certificateType": kind, "password": "pw"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let pem = v["certificatePem"].as_str().unwrap().to_owned();
    let cert = dir.join(format!("{stem}.pem"));
    let key = dir.join(format!("{stem}.key"));
    std::fs::write(&cert, &pem).unwrap();
    std::fs::write(&key, v["privateKeyPem"].as_str().unwrap()).unwrap();
    (cert.display().to_string(), key.display().to_string(), pem)
}

fn invoice(dir: &Path, number: &str, broken: bool) -> String {
    let schemas = ksef_sim::xsd::default_schema_dir().unwrap();
    let xml = std::fs::read_to_string(
        schemas
            .join("../samples/fa3-mf-official/fa3-mf01-vat-basic-goods-3-lines-23and5pct-paid.xml"),
    )
    .unwrap();
    // The Warsaw date (a UTC date would make late-evening invoices Offline, DIGEST §15).
    let d = ksef_core::offline::warsaw_date(time::OffsetDateTime::now_utc()).unwrap();
    let today = format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day());
    let mut xml = xml
        .replacen("<NIP>9999999999</NIP>", &format!("<NIP>{NIP}</NIP>"), 1)
        .replace("<P_2>FV2026/02/150</P_2>", &format!("<P_2>{number}</P_2>"))
        .replace("<P_1>2026-02-15</P_1>", &format!("<P_1>{today}</P_1>"));
    if broken {
        xml = xml.replacen("<P_2>", "<Zle/><P_2>", 1);
    }
    let path = dir.join(format!("{}.xml", number.replace('/', "-")));
    std::fs::write(&path, xml).unwrap();
    path.display().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_send_status_upo() {
    let config = SimConfig::default()
        .with_delays(Delays::ZERO)
        .with_schemas(ksef_sim::xsd::default_schema_dir().unwrap());
    let running = ksef_sim::spawn(Simulator::new(config).unwrap(), "127.0.0.1:0")
        .await
        .unwrap();
    let root = running.base_url().to_string();
    let url = format!("{root}/v2");
    let dir = std::env::temp_dir().join(format!("ksef-cli-client-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (cert, key, _) = demo_files(&root, &dir, "Authentication", "c").await;
    let good = invoice(&dir, "CLI/1", false);
    let bad = invoice(&dir, "CLI/2", true);
    let upo = dir.join("upo.xml").display().to_string();

    let result = tokio::task::spawn_blocking(move || {
        let base = [
            "--url",
            &url,
            "--context",
            NIP,
            "--cert",
            &cert,
            "--key",
            &key,
        ];
        let with = |cmd: &str, extra: &[&str]| {
            let mut a = vec![cmd];
            a.extend_from_slice(&base);
            a.extend_from_slice(extra);
            ksef(&a)
        };
        let (code, lines) = with("auth", &["--password", "pw"]);
        assert_eq!(code, 0);
        assert_eq!(lines[0]["state"], "accepted");
        let (code, lines) = with("auth", &["--password", "zle"]);
        assert_eq!(code, 1);
        assert_eq!(lines[0]["state"], "error");
        assert_eq!(lines[0]["reason"], "wrong password for the private key");

        let (code, lines) = with("send", &["--password", "pw", &good, &bad]);
        assert_eq!(code, 1, "{lines:?}");
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["status"], "accepted");
        assert_eq!(lines[0]["description"], "Sukces");
        assert!(lines[0]["ksefNumber"].as_str().unwrap().starts_with(NIP));
        assert_eq!(lines[1]["status"], "rejected");
        assert_eq!(lines[1]["code"], 450);
        let session = lines[0]["sessionReferenceNumber"]
            .as_str()
            .unwrap()
            .to_owned();
        let invoice_ref = lines[0]["referenceNumber"].as_str().unwrap().to_owned();

        let (code, lines) = with(
            "status",
            &[
                "--password",
                "pw",
                "--session",
                &session,
                "--invoice",
                &invoice_ref,
            ],
        );
        assert_eq!(code, 0);
        assert_eq!(lines[0]["code"], 200);
        let (code, _) = with(
            "upo",
            &[
                "--password",
                "pw",
                "--session",
                &session,
                "--invoice",
                &invoice_ref,
                "-o",
                &upo,
            ],
        );
        assert_eq!(code, 0);
        std::fs::read_to_string(&upo).unwrap()
    })
    .await
    .unwrap();
    assert!(result.contains("Potwierdzenie"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A simulator on 127.0.0.1:0 and demo credentials for [`NIP`] in a temporary directory.
struct Env {
    running: ksef_sim::Running,
    dir: std::path::PathBuf,
    url: String,
    cert: String,
    key: String,
}

impl Env {
    async fn start(name: &str) -> Env {
        let config = SimConfig::default()
            .with_delays(Delays::ZERO)
            .with_schemas(ksef_sim::xsd::default_schema_dir().unwrap());
        let running = ksef_sim::spawn(Simulator::new(config).unwrap(), "127.0.0.1:0")
            .await
            .unwrap();
        let root = running.base_url();
        let dir = std::env::temp_dir().join(format!("ksef-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let (cert, key, _) = demo_files(&root, &dir, "Authentication", "c").await;
        Env {
            url: format!("{root}/v2"),
            running,
            dir,
            cert,
            key,
        }
    }

    /// `ksef send` arguments with the login options.
    fn send_args(&self, extra: &[&str]) -> Vec<String> {
        let mut a: Vec<String> = [
            "send",
            "--url",
            &self.url,
            "--context",
            NIP,
            "--cert",
            &self.cert,
            "--key",
            &self.key,
            "--password",
            "pw",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    }

    async fn control(&self, path: &str, body: Value) {
        let r = reqwest::Client::new()
            .put(format!("{}{path}", self.running.base_url()))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{path}");
    }

    async fn stats(&self) -> Value {
        reqwest::Client::new()
            .get(format!("{}/_sim/stats", self.running.base_url()))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// `n` valid invoices numbered `{prefix}/{i}`.
    fn invoices(&self, prefix: &str, n: usize) -> Vec<String> {
        (0..n)
            .map(|i| invoice(&self.dir, &format!("{prefix}/{i}"), false))
            .collect()
    }

    /// Asserts that each file is accepted exactly once in KSeF.
    async fn assert_exactly_once(&self, files: &[String]) {
        let s = self.stats().await;
        for f in files {
            let hash = ksef_core::hash::Sha256Hash::of(&std::fs::read(f).unwrap()).to_base64();
            assert_eq!(s["acceptedByHash"][&hash], 1, "{f}: {s}");
        }
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Runs `ksef` with `args` on a blocking thread: (exit code, JSON lines, stderr).
async fn run(args: Vec<String>) -> (i32, Vec<Value>, String) {
    tokio::task::spawn_blocking(move || {
        let out = Command::new(env!("CARGO_BIN_EXE_ksef"))
            .args(&args)
            .output()
            .unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        let lines = stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect();
        (
            out.status.code().unwrap(),
            lines,
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    })
    .await
    .unwrap()
}

fn all_accepted(lines: &[Value], n: usize) {
    assert_eq!(lines.len(), n);
    for l in lines {
        assert_eq!(l["status"], "accepted", "{l}");
        assert!(l["ksefNumber"].as_str().unwrap().starts_with(NIP));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_modes_technical_correction_archives_and_input_errors() {
    let env = Env::start("offline").await;
    let good = invoice(&env.dir, "OFF/1", false);
    let (code, lines, err) = run(env.send_args(&["--offline", "offline24", &good])).await;
    assert_eq!(code, 0, "{err}");
    assert_eq!(lines[0]["status"], "accepted");
    assert_eq!(lines[0]["invoicingMode"], "Offline");
    assert_eq!(lines[0]["offlineMode"], "offline24");

    // An offline invoice rejected for a technical reason (schema)…
    let broken = invoice(&env.dir, "OFF/2", true);
    let (code, lines, _) = run(env.send_args(&["--offline", "emergency", &broken])).await;
    assert_eq!(code, 1);
    assert_eq!(lines[0]["code"], 450);
    assert!(!lines[0]["details"].as_array().unwrap().is_empty());
    // …and its technical correction (hashOfCorrectedInvoice, DIGEST §15).
    let hash = ksef_core::hash::Sha256Hash::of(&std::fs::read(&broken).unwrap()).to_base64();
    let fixed = invoice(&env.dir, "OFF/2", false);
    let (code, lines, err) =
        run(env.send_args(&["--offline", "emergency", "--corrects-hash", &hash, &fixed])).await;
    assert_eq!(code, 0, "{err} {lines:?}");
    assert_eq!(lines[0]["status"], "accepted");
    assert_eq!(lines[0]["offlineMode"], "emergency");
    // A second correction of the same original: KSeF's 21166 with its description.
    let fixed_again = invoice(&env.dir, "OFF/3", false);
    let (code, lines, _) = run(env.send_args(&[
        "--offline",
        "unavailability",
        "--corrects-hash",
        &hash,
        &fixed_again,
    ]))
    .await;
    assert_eq!(code, 1);
    assert_eq!(lines[0]["code"], 21166, "{lines:?}");

    // Batch in each archive format, several parts.
    for (i, format) in ["zip", "zip-stored", "tar-gz"].iter().enumerate() {
        let files = env.invoices(&format!("ARCH{i}"), 3);
        let mut extra = vec!["--batch", "--archive", format, "--part-size", "2000"];
        extra.extend(files.iter().map(String::as_str));
        let (code, lines, err) = run(env.send_args(&extra)).await;
        assert_eq!(code, 0, "{format}: {err}");
        all_accepted(&lines, 3);
        assert!(
            lines[0]["sessionReferenceNumber"]
                .as_str()
                .unwrap()
                .contains("-SB-")
        );
    }

    // Input errors: exit 2 and a message that names the problem.
    for (extra, expected) in [
        (
            vec![
                "--offline",
                "emergency",
                "--corrects-hash",
                "nie-base64!",
                &good,
            ],
            "not Base64",
        ),
        (
            vec!["--offline", "emergency", "--corrects-hash", "AAAA", &good],
            "decodes to 3 bytes",
        ),
        (vec!["--corrects-hash", &hash, &good], "--offline"),
        (
            vec![
                "--offline",
                "emergency",
                "--corrects-hash",
                &hash,
                &good,
                &fixed,
            ],
            "corrects one invoice",
        ),
        (vec!["--offline", "jutro", &good], "offline24"),
        (
            vec!["--batch", "--archive", "rar", &good],
            "zip, zip-stored or tar-gz",
        ),
        (
            vec!["--batch", "--part-size", "0", &good],
            "1 to 100000000 bytes",
        ),
        (vec!["--batch", "--online", &good], "cannot be used with"),
        (
            vec!["/nie/ma/takiego.xml"],
            "cannot read /nie/ma/takiego.xml",
        ),
    ] {
        let (code, lines, err) = run(env.send_args(&extra)).await;
        assert_eq!(code, 2, "{extra:?}: {err}");
        assert!(lines.is_empty());
        assert!(err.contains(expected), "{extra:?}: {err}");
    }
    let state = env.dir.join("bad-state.json");
    std::fs::write(&state, "{}").unwrap();
    let (code, _, err) = run(env.send_args(&["--state", state.to_str().unwrap(), &good])).await;
    assert_eq!(code, 2);
    assert!(err.contains("is not a `ksef send` state file"), "{err}");
}

/// Issue 5: with the production rate limits on, 1 000 invoices through the CLI binary
/// (automatically a batch) get no 429 at all, counted by the simulator.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousand_invoices_through_the_cli_under_production_limits_get_no_429() {
    let env = Env::start("thousand").await;
    env.control("/_sim/rate-limits", json!({"enabled": true}))
        .await;
    let files = env.invoices("K", 1000);
    let mut extra: Vec<&str> = Vec::new();
    extra.extend(files.iter().map(String::as_str));
    let started = std::time::Instant::now();
    let (code, lines, err) = run(env.send_args(&extra)).await;
    let took = started.elapsed();
    assert_eq!(code, 0, "{err}");
    all_accepted(&lines, 1000);
    assert!(
        lines[0]["sessionReferenceNumber"]
            .as_str()
            .unwrap()
            .contains("-SB-"),
        "auto batch"
    );
    let s = env.stats().await;
    assert_eq!(s["tooManyRequests"], 0, "{s}");
    assert_eq!(s["accepted"], 1000);
    eprintln!(
        "1 000 invoices through `ksef send` (auto batch, production limits): {took:?}, 429s: {}",
        s["tooManyRequests"]
    );
}

/// Spawns `ksef send … --state FILE`, waits until `ready(state)` holds, kills it with
/// SIGKILL (std's `Child::kill` on Unix), then runs the same command to completion.
async fn kill_and_resume(
    env: &Env,
    args: Vec<String>,
    state: &std::path::Path,
    ready: impl Fn(&Value) -> bool + Send + 'static,
) -> (i32, Vec<Value>, String) {
    let a = args.clone();
    let path = state.to_path_buf();
    let killed = tokio::task::spawn_blocking(move || {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ksef"))
            .args(&a)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return Err(format!("finished before the kill: {status}"));
            }
            let saved = std::fs::read(&path)
                .ok()
                .and_then(|b| serde_json::from_slice::<Value>(&b).ok());
            if saved.as_ref().is_some_and(&ready) {
                child.kill().unwrap();
                child.wait().unwrap();
                return Ok(saved.unwrap_or_default());
            }
            assert!(
                std::time::Instant::now() < deadline,
                "never reached the kill point"
            );
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    })
    .await
    .unwrap();
    let at_kill = killed.unwrap();
    assert!(!at_kill.is_null());
    env.control("/_sim/faults", json!({})).await;
    run(args).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn online_send_killed_mid_send_resumes_exactly_once() {
    let env = Env::start("kill-online").await;
    let files = env.invoices("KILL", 40);
    let state = env.dir.join("online.json");
    // Latency makes the send last long enough to be killed in the middle.
    env.control("/_sim/faults", json!({"latencyMs": 40})).await;
    let mut extra = vec!["--online", "--state", state.to_str().unwrap()];
    extra.extend(files.iter().map(String::as_str));
    let (code, lines, err) = kill_and_resume(&env, env.send_args(&extra), &state, |v| {
        let sent = v["state"]["items"].as_array().map_or(0, |items| {
            items
                .iter()
                .filter(|i| !i["referenceNumber"].is_null())
                .count()
        });
        sent >= 10
    })
    .await;
    assert_eq!(code, 0, "{err}");
    all_accepted(&lines, 40);
    env.assert_exactly_once(&files).await;
    let s = env.stats().await;
    assert_eq!(s["accepted"], 40, "{s}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batch_send_killed_mid_upload_resumes_exactly_once() {
    let env = Env::start("kill-batch").await;
    let files = env.invoices("KILLB", 30);
    let state = env.dir.join("batch.json");
    env.control("/_sim/faults", json!({"latencyMs": 150})).await;
    let mut extra = vec![
        "--batch",
        "--archive",
        "zip-stored",
        "--part-size",
        "10000",
        "--state",
        state.to_str().unwrap(),
    ];
    extra.extend(files.iter().map(String::as_str));
    let (code, lines, err) = kill_and_resume(&env, env.send_args(&extra), &state, |v| {
        v["state"]["sessions"][0]["referenceNumber"].is_string()
    })
    .await;
    assert_eq!(code, 0, "{err}");
    all_accepted(&lines, 30);
    env.assert_exactly_once(&files).await;
    let saved: Value = serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
    assert_eq!(saved["mode"], "batch");
    let sessions = saved["state"]["sessions"].as_array().unwrap();
    assert!(sessions.len() <= 2, "{sessions:?}");
    if sessions.len() == 2 {
        assert_eq!(
            sessions[0]["abandoned"], true,
            "killed before the close: abandoned unclosed"
        );
    }
}

/// 5xx answers and dropped connections injected while a send runs (with latency), the
/// command re-run with its state file until it succeeds: every invoice accepted once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_5xx_drops_and_latency_resume_exactly_once() {
    let env = Env::start("chaos").await;
    let files = env.invoices("CHAOS", 25);
    let state = env.dir.join("chaos.json");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let chaos = {
        let stop = stop.clone();
        let root = env.running.base_url();
        tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut n = 0u32;
            // Twelve faults, 300 ms apart, then latency only: the runs that hit a fault
            // stop (or retry safe calls), the next run resumes from the state file.
            while !stop.load(std::sync::atomic::Ordering::Relaxed) && n < 12 {
                n += 1;
                let body = if n.is_multiple_of(2) {
                    json!({"latencyMs": 15, "failNext": 1})
                } else {
                    json!({"latencyMs": 15, "dropNext": 1})
                };
                let _ = http
                    .put(format!("{root}/_sim/faults"))
                    .json(&body)
                    .send()
                    .await;
                tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            }
            n
        })
    };
    let mut extra = vec!["--online", "--state", state.to_str().unwrap()];
    extra.extend(files.iter().map(String::as_str));
    let mut runs = 0;
    let mut failed_runs: Vec<String> = Vec::new();
    let lines = loop {
        runs += 1;
        let (code, lines, err) = run(env.send_args(&extra)).await;
        if code == 0 {
            break lines;
        }
        assert!(runs < 30, "still failing after {runs} runs: {err}");
        // An interrupted send is exit 1 with the reason on stderr.
        assert_eq!(code, 1, "{err}");
        failed_runs.push(err.trim().to_owned());
    };
    assert!(runs > 1, "no run was interrupted by the faults");
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let injected = chaos.await.unwrap();
    assert!(injected > 3, "faults were injected {injected} times");
    let s = env.stats().await;
    assert!(s["invoices"].as_u64().unwrap() >= 25);
    all_accepted(&lines, 25);
    env.assert_exactly_once(&files).await;
    eprintln!("chaos: {injected} faults injected, {runs} runs; interrupted runs: {failed_runs:#?}");
}

/// `ksef cert status`: the Offline certificate as KSeF sees it (DIGEST §13 step 7), with
/// exit 0 only while KSeF holds it as Active.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cert_status_follows_ksef() {
    let running = ksef_sim::spawn(
        Simulator::new(SimConfig::default().with_delays(Delays::ZERO)).unwrap(),
        "127.0.0.1:0",
    )
    .await
    .unwrap();
    let root = running.base_url().to_string();
    let http = reqwest::Client::new();
    let dir = std::env::temp_dir().join(format!("ksef-cli-cert-status-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (auth_cert, auth_key, _) = demo_files(&root, &dir, "Authentication", "auth").await;
    let (offline, _, offline_pem) = demo_files(&root, &dir, "Offline", "offline").await;
    let junk = dir.join("junk.pem");
    std::fs::write(&junk, "not a certificate").unwrap();
    let junk = junk.display().to_string();
    let url = format!("{root}/v2");
    let run = |what: String| {
        let args: Vec<String> = [
            "cert",
            "status",
            &what,
            "--url",
            &url,
            "--context",
            NIP,
            "--cert",
            &auth_cert,
            "--key",
            &auth_key,
            "--password",
            "pw",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        tokio::task::spawn_blocking(move || {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            ksef(&args)
        })
    };
    let register = |revoked: bool| {
        http.post(format!("{root}/_sim/certificates"))
            .json(&json!({"certificate": offline_pem, "revoked": revoked}))
            .send()
    };

    let (code, lines) = run(offline.clone()).await.unwrap();
    assert_eq!(code, 1);
    assert_eq!(lines[0]["status"], "NotListed");
    let serial = lines[0]["certificateSerialNumber"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(serial.len(), 16);

    assert_eq!(register(false).await.unwrap().status(), 200);
    let (code, lines) = run(offline.clone()).await.unwrap();
    assert_eq!(code, 0, "{lines:?}");
    assert_eq!(lines[0]["status"], "Active");
    assert_eq!(lines[0]["type"], "Offline");
    assert_eq!(lines[0]["certificateSerialNumber"], serial.as_str());

    assert_eq!(register(true).await.unwrap().status(), 200);
    let (code, lines) = run(offline).await.unwrap();
    assert_eq!(code, 1);
    assert_eq!(lines[0]["status"], "Revoked");

    // Not a certificate: exit 1, nothing on stdout, the file named on stderr.
    let (code, lines) = run(junk).await.unwrap();
    assert_eq!((code, lines.len()), (1, 0));
}
