//! `ksef auth` / `ksef send` / `ksef status` / `ksef upo` against an in-process simulator
//! (zero delays): JSON lines on stdout and the documented exit codes.

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

fn invoice(dir: &Path, number: &str, broken: bool) -> String {
    let schemas = ksef_sim::xsd::default_schema_dir().unwrap();
    let xml = std::fs::read_to_string(
        schemas
            .join("../samples/fa3-mf-official/fa3-mf01-vat-basic-goods-3-lines-23and5pct-paid.xml"),
    )
    .unwrap();
    let d = time::OffsetDateTime::now_utc().date();
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
    let v: Value = reqwest::Client::new()
        .post(format!("{root}/_sim/demo-credentials"))
        .json(&json!({"nip": NIP, "certificateType": "Authentication", "password": "pw"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let dir = std::env::temp_dir().join(format!("ksef-cli-client-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cert = dir.join("c.pem");
    let key = dir.join("k.pem");
    std::fs::write(&cert, v["certificatePem"].as_str().unwrap()).unwrap();
    std::fs::write(&key, v["privateKeyPem"].as_str().unwrap()).unwrap();
    let (cert, key) = (cert.display().to_string(), key.display().to_string());
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
