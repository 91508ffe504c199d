//! Harness: an in-process simulator (zero delays, XSD on) on 127.0.0.1:0, demo
//! credentials from its control API, and a ksef-core client over the native transport.
#![allow(dead_code, unreachable_pub)]

use ksef_client_native::{KeySigner, NativeTransport};
use ksef_core::client::Client;
use ksef_core::client::auth::XadesLogin;
use ksef_core::client::governor::Profile;
use ksef_core::crypto::{AuthSigningKey, Credential};
use ksef_core::xades::ContextIdentifier;
use ksef_sim::{Delays, Running, SimConfig, Simulator};
use serde_json::{Value, json};

pub struct Sim {
    pub running: Running,
    pub base: String,
    pub http: reqwest::Client,
}

pub fn schemas() -> std::path::PathBuf {
    ksef_sim::xsd::default_schema_dir().expect("shared/ksef/schemas present")
}

pub async fn start() -> Sim {
    let config = SimConfig::default()
        .with_delays(Delays::ZERO)
        .with_schemas(schemas());
    let sim = Simulator::new(config).unwrap();
    let running = ksef_sim::spawn(sim, "127.0.0.1:0").await.unwrap();
    let base = format!("{}/v2", running.base_url());
    Sim {
        running,
        base,
        http: reqwest::Client::new(),
    }
}

pub const PASSWORD: &str = "haslo-testowe";

impl Sim {
    pub fn client(&self) -> Client<NativeTransport> {
        let mut c = Client::new(NativeTransport::new(&self.base), Profile::production());
        c.poll_interval = 5;
        c
    }

    pub async fn post(&self, path: &str, body: Value) -> reqwest::Response {
        self.http
            .post(format!("{}{path}", self.running.base_url()))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// Demo credentials (`certificateType`: Authentication | Offline): (cert PEM, key PEM).
    pub async fn demo(&self, nip: &str, kind: &str) -> (String, String) {
        let r = self
            .post(
                "/_sim/demo-credentials",
                json!({"nip": nip, "certificateType": kind, "password": PASSWORD}),
            )
            .await;
        let status = r.status();
        let v: Value = r.json().await.unwrap();
        assert!(status.is_success(), "{v}");
        (
            v["certificatePem"].as_str().unwrap().to_owned(),
            v["privateKeyPem"].as_str().unwrap().to_owned(),
        )
    }

    /// Test data without the `/v2` prefix handling: `path` starts with `/testdata`.
    pub async fn testdata(&self, path: &str, body: Value) {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(
            r.status().is_success(),
            "{path}: {}",
            r.text().await.unwrap()
        );
    }
}

/// The signer and login settings for a credential (`qualified` skips the local
/// certificate-type check so KSeF's own refusal can be observed).
pub fn signer(cert: &str, key: &str, nip: &str, qualified: bool) -> (KeySigner, XadesLogin) {
    let cred = Credential::load(cert.as_bytes(), key.as_bytes(), Some(PASSWORD)).unwrap();
    let now = time::OffsetDateTime::now_utc();
    let key = if qualified {
        AuthSigningKey::new_qualified(cred, now).unwrap()
    } else {
        AuthSigningKey::new(cred, now).unwrap()
    };
    let algorithm = key.sign_request(b"").algorithm;
    let mut login = XadesLogin::new(
        key.certificate().der().to_vec(),
        algorithm,
        ContextIdentifier::Nip(nip.into()),
    );
    login.poll_interval = 5;
    (KeySigner(key), login)
}

/// A valid NIP derived from `seed` (distinct per test).
pub fn nip(seed: u32) -> String {
    let mut n = seed;
    loop {
        let digits: Vec<u32> = format!("{:09}", 523_000_000 + n % 400_000_000)
            .chars()
            .map(|c| c.to_digit(10).unwrap())
            .collect();
        let w = [6, 5, 7, 2, 3, 4, 5, 6, 7];
        let c = digits.iter().zip(w).map(|(d, w)| d * w).sum::<u32>() % 11;
        if c != 10 {
            let s: String = digits
                .iter()
                .map(|d| char::from_digit(*d, 10).unwrap())
                .collect();
            return format!("{s}{c}");
        }
        n += 1;
    }
}

/// The official FA(3) sample with the seller NIP, number and issue date replaced.
pub fn invoice(seller_nip: &str, number: &str) -> Vec<u8> {
    let path = schemas()
        .join("../samples/fa3-mf-official/fa3-mf01-vat-basic-goods-3-lines-23and5pct-paid.xml");
    let xml = std::fs::read_to_string(path).unwrap();
    // The Warsaw date: KSeF (and the simulator) mark an invoice whose P_1 is before the
    // Warsaw day of its receipt as Offline (DIGEST §15), e.g. a UTC date after 23:00 UTC.
    let d = ksef_core::offline::warsaw_date(time::OffsetDateTime::now_utc()).unwrap();
    let today = format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day());
    xml.replacen(
        "<NIP>9999999999</NIP>",
        &format!("<NIP>{seller_nip}</NIP>"),
        1,
    )
    .replace("<P_2>FV2026/02/150</P_2>", &format!("<P_2>{number}</P_2>"))
    .replace("<P_1>2026-02-15</P_1>", &format!("<P_1>{today}</P_1>"))
    .into_bytes()
}
