//! Shared harness: an in-process simulator on 127.0.0.1:0 with zero delays, a plain HTTP
//! client, and client-side building blocks from ksef-core (XAdES signing, MF key choice,
//! invoice encryption).
#![allow(dead_code, unreachable_pub)]

pub mod oas;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use ksef_core::crypto::hazmat;
use ksef_core::crypto::{
    Certificate, InvoiceEncryptionKey, MfKeyUsage, MfPublicKey, PrivateKey, SignatureAlgorithm,
};
use ksef_core::xades::{self, AuthTokenRequest, ContextIdentifier, SubjectIdentifierType};
use ksef_sim::certs::{self, Usage};
use ksef_sim::{Delays, Running, SimConfig, SimRng, Simulator, TestClock};
use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};

/// MF keys generated once per test binary (RSA-2048 generation is the slow part).
fn mf_keys() -> Vec<rsa::PrivateKey> {
    static KEYS: OnceLock<Vec<rsa::PrivateKey>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut rng = SimRng::os();
        (0..2)
            .map(|_| rsa::PrivateKey::new(&mut rng, 2048).unwrap())
            .collect()
    })
    .clone()
}

pub fn schemas() -> std::path::PathBuf {
    ksef_sim::xsd::default_schema_dir().expect("shared/ksef/schemas present")
}

pub struct Sim {
    pub running: Running,
    pub http: Client,
    pub base: String,
    pub clock: Arc<TestClock>,
}

pub async fn start() -> Sim {
    start_with(
        SimConfig::default()
            .with_delays(Delays::ZERO)
            .with_schemas(schemas()),
    )
    .await
}

pub async fn start_with(config: SimConfig) -> Sim {
    let clock = Arc::new(TestClock::new());
    let sim = Simulator::with_clock(config, clock.clone(), mf_keys()).unwrap();
    let running = ksef_sim::spawn(sim, "127.0.0.1:0").await.unwrap();
    let base = format!("{}/v2", running.base_url());
    Sim {
        running,
        http: Client::new(),
        base,
        clock,
    }
}

impl Sim {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        let mut r = self.http.get(self.url(path));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        checked("get", r.send().await.unwrap()).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Option<Value>) -> Response {
        let mut r = self.http.post(self.url(path));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        if let Some(b) = body {
            r = r.json(&b);
        }
        checked("post", r.send().await.unwrap()).await
    }

    pub async fn testdata(&self, path: &str, body: Value) {
        let r = self.post(path, None, Some(body)).await;
        assert_eq!(
            r.status(),
            StatusCode::OK,
            "{path}: {}",
            r.text().await.unwrap()
        );
    }

    /// XAdES login up to the status poll; returns (reference, authenticationToken).
    pub async fn start_login(
        &self,
        cred: &Cred,
        context_nip: &str,
        subject: SubjectIdentifierType,
    ) -> (String, String) {
        let ch: Value = self
            .post("/auth/challenge", None, None)
            .await
            .json()
            .await
            .unwrap();
        let signed = cred.sign(ch["challenge"].as_str().unwrap(), context_nip, subject);
        let r = self
            .http
            .post(self.url("/auth/xades-signature"))
            .header("content-type", "application/xml")
            .body(signed)
            .send()
            .await
            .unwrap();
        let r = checked("post", r).await;
        let status = r.status();
        let v: Value = r.json().await.unwrap();
        assert_eq!(status, StatusCode::ACCEPTED, "{v}");
        (
            v["referenceNumber"].as_str().unwrap().to_owned(),
            v["authenticationToken"]["token"]
                .as_str()
                .unwrap()
                .to_owned(),
        )
    }

    /// Polls `GET /auth/{ref}` until it leaves 100.
    pub async fn auth_status(&self, reference: &str, auth_token: &str) -> Value {
        for _ in 0..200 {
            let v: Value = self
                .get(&format!("/auth/{reference}"), Some(auth_token))
                .await
                .json()
                .await
                .unwrap();
            if v["status"]["code"] != 100 {
                return v;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        panic!("auth stuck in 100");
    }

    /// Full login: returns (accessToken, refreshToken, auth reference).
    pub async fn login(&self, cred: &Cred, context_nip: &str) -> (String, String, String) {
        let (reference, at) = self
            .start_login(cred, context_nip, SubjectIdentifierType::CertificateSubject)
            .await;
        let st = self.auth_status(&reference, &at).await;
        assert_eq!(st["status"]["code"], 200, "{st}");
        let v: Value = self
            .post("/auth/token/redeem", Some(&at), None)
            .await
            .json()
            .await
            .unwrap();
        (
            v["accessToken"]["token"].as_str().unwrap().to_owned(),
            v["refreshToken"]["token"].as_str().unwrap().to_owned(),
            reference,
        )
    }

    pub async fn mf_key(&self) -> MfPublicKey {
        let body = self
            .get("/security/public-key-certificates", None)
            .await
            .bytes()
            .await
            .unwrap();
        MfPublicKey::select(
            &body,
            MfKeyUsage::SymmetricKeyEncryption,
            time::OffsetDateTime::now_utc(),
        )
        .unwrap()
    }

    /// Opens an FA(3) online session; returns (reference, key).
    pub async fn open_session(&self, token: &str) -> (String, InvoiceEncryptionKey) {
        let key = InvoiceEncryptionKey::generate(&mut SimRng::os());
        let info = key
            .encryption_info(&self.mf_key().await, &mut SimRng::os())
            .unwrap();
        let r = self
            .post(
                "/sessions/online",
                Some(token),
                Some(json!({"formCode": fa3(), "encryption": info})),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let v: Value = r.json().await.unwrap();
        (v["referenceNumber"].as_str().unwrap().to_owned(), key)
    }

    pub async fn send_raw(&self, token: &str, session: &str, body: Value) -> Response {
        self.post(
            &format!("/sessions/online/{session}/invoices"),
            Some(token),
            Some(body),
        )
        .await
    }

    /// Encrypts and sends `xml`; returns the invoice reference.
    pub async fn send(
        &self,
        token: &str,
        session: &str,
        key: &InvoiceEncryptionKey,
        xml: &[u8],
        extra: Value,
    ) -> String {
        let mut body = serde_json::to_value(key.encrypt_invoice(xml)).unwrap();
        if let (Some(o), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            o.extend(e.clone());
        }
        let r = self.send_raw(token, session, body).await;
        assert_eq!(
            r.status(),
            StatusCode::ACCEPTED,
            "{}",
            r.text().await.unwrap()
        );
        r.json::<Value>().await.unwrap()["referenceNumber"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Polls the invoice status until final.
    pub async fn invoice_final(&self, token: &str, session: &str, inv: &str) -> Value {
        for _ in 0..400 {
            let v: Value = self
                .get(&format!("/sessions/{session}/invoices/{inv}"), Some(token))
                .await
                .json()
                .await
                .unwrap();
            if v["status"]["code"].as_u64().unwrap() >= 200 {
                return v;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        panic!("invoice stuck");
    }

    /// Polls the session status until it is not 100/170.
    pub async fn session_final(&self, token: &str, session: &str) -> Value {
        for _ in 0..400 {
            let v: Value = self
                .get(&format!("/sessions/{session}"), Some(token))
                .await
                .json()
                .await
                .unwrap();
            let c = v["status"]["code"].as_u64().unwrap();
            if ![100, 150, 170].contains(&c) {
                return v;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        panic!("session stuck");
    }
}

/// Validates a response against open-api.json and hands back an equivalent one.
pub async fn checked(method: &str, r: Response) -> Response {
    let status = r.status();
    let path = r.url().path().to_owned();
    let headers = r.headers().clone();
    let body = r.bytes().await.unwrap();
    let ct = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    oas::validate(method, &path, status.as_u16(), ct, &body);
    let mut b = http::Response::builder().status(status);
    for (k, v) in &headers {
        b = b.header(k, v);
    }
    Response::from(b.body(body).unwrap())
}

pub fn fa3() -> Value {
    json!({"systemCode": "FA (3)", "schemaVersion": "1-0E", "value": "FA"})
}

/// A signing credential: P-256 key and a TEST-style self-signed certificate.
pub struct Cred {
    pub key: PrivateKey,
    pub cert: Certificate,
}

impl Cred {
    /// TEST-style company seal: `organizationIdentifier=VATPL-<nip>` (DIGEST §5.2).
    pub fn seal(nip: &str) -> Cred {
        Self::with_subject(
            &format!("CN=Firma {nip},O=Firma {nip},2.5.4.97=VATPL-{nip},C=PL"),
            Usage::DigitalSignature,
        )
    }

    /// TEST-style personal certificate of a NIP holder: `serialNumber=TINPL-<nip>`.
    pub fn tin(nip: &str) -> Cred {
        Self::with_subject(
            &format!("CN=Jan Testowy,serialNumber=TINPL-{nip},C=PL"),
            Usage::DigitalSignature,
        )
    }

    /// A person: `serialNumber=PNOPL-<pesel>`.
    pub fn person(pesel: &str) -> Cred {
        Self::with_subject(
            &format!("CN=Jan Kowalski,serialNumber=PNOPL-{pesel},C=PL"),
            Usage::DigitalSignature,
        )
    }

    pub fn with_subject(subject: &str, usage: Usage) -> Cred {
        let mut rng = SimRng::os();
        let key = PrivateKey::EcP256(
            <p256::ecdsa::SigningKey as p256::elliptic_curve::Generate>::generate_from_rng(
                &mut rng,
            ),
        );
        let cert = certs::self_signed(
            &key,
            subject,
            usage,
            time::OffsetDateTime::now_utc() - time::Duration::days(1),
            365,
            &mut rng,
        )
        .unwrap();
        Cred { key, cert }
    }

    pub fn sign(&self, challenge: &str, nip: &str, subject: SubjectIdentifierType) -> Vec<u8> {
        let req =
            AuthTokenRequest::new(challenge, ContextIdentifier::Nip(nip.into()), subject).unwrap();
        xades::sign_with(
            &req,
            self.cert.der(),
            time::OffsetDateTime::now_utc() - time::Duration::minutes(1),
            SignatureAlgorithm::EcdsaP256Sha256P1363,
            |r| hazmat::sign(&self.key, r, &mut SimRng::os()),
        )
        .unwrap()
    }
}

/// The official FA(3) sample with the seller NIP, number and issue date replaced.
pub fn invoice(seller_nip: &str, number: &str, p1: &str) -> Vec<u8> {
    let path = schemas()
        .join("../samples/fa3-mf-official/fa3-mf01-vat-basic-goods-3-lines-23and5pct-paid.xml");
    let xml = std::fs::read_to_string(path).unwrap();
    xml.replacen(
        "<NIP>9999999999</NIP>",
        &format!("<NIP>{seller_nip}</NIP>"),
        1,
    )
    .replace("<P_2>FV2026/02/150</P_2>", &format!("<P_2>{number}</P_2>"))
    .replace("<P_1>2026-02-15</P_1>", &format!("<P_1>{p1}</P_1>"))
    .into_bytes()
}

pub fn today() -> String {
    // The Warsaw date (a UTC date would make late-evening invoices Offline, DIGEST §15).
    let d = ksef_core::offline::warsaw_date(time::OffsetDateTime::now_utc()).unwrap();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// A random valid NIP (TEST data is shared, DIGEST §1).
pub fn random_nip() -> String {
    let mut rng = SimRng::os();
    loop {
        let digits: Vec<u32> = (0..9).map(|_| u32::from(rng.bytes(1)[0] % 10)).collect();
        if digits[0] == 0 {
            continue;
        }
        let w = [6, 5, 7, 2, 3, 4, 5, 6, 7];
        let c = digits.iter().zip(w).map(|(d, w)| d * w).sum::<u32>() % 11;
        if c == 10 {
            continue;
        }
        let s: String = digits
            .iter()
            .map(|d| char::from_digit(*d, 10).unwrap())
            .collect::<String>()
            + &c.to_string();
        if ksef_core::ident::check_nip(&s).is_ok() {
            return s;
        }
    }
}

pub fn error_code(v: &Value) -> u64 {
    v["exception"]["exceptionDetailList"][0]["exceptionCode"]
        .as_u64()
        .unwrap_or(0)
}
