//! Integration over real HTTP: the proxy on 127.0.0.1:0 in front of an in-process
//! simulator (env `sim`): challenge → XAdES login with the simulator's demo credentials →
//! redeem → authenticated calls, all through the proxy.

use std::time::Duration;

use ksef_core::crypto::{Credential, SignatureAlgorithm, hazmat};
use ksef_core::xades::{self, AuthTokenRequest, ContextIdentifier, SubjectIdentifierType};
use ksef_proxy::config::{Config, EnvConfig};
use ksef_sim::{Delays, SimConfig, SimRng, Simulator};
use reqwest::StatusCode;
use serde_json::{Value, json};

const NIP: &str = "5265877635";

struct Setup {
    _sim: ksef_sim::Running,
    sim_base: String,
    proxy: String,
    http: reqwest::Client,
}

async fn setup() -> Setup {
    let mut sc = SimConfig::default().with_delays(Delays::ZERO);
    if let Some(dir) = ksef_sim::xsd::default_schema_dir() {
        sc = sc.with_schemas(dir);
    }
    let sim = ksef_sim::spawn(Simulator::new(sc).unwrap(), "127.0.0.1:0")
        .await
        .unwrap();
    let sim_base = sim.base_url();
    let mut config = Config::default();
    config.envs.insert(
        "sim".into(),
        EnvConfig::new(&sim_base).with_latarnia(&sim_base),
    );
    let app = ksef_proxy::app(ksef_proxy::AppState::new(config).unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    Setup {
        _sim: sim,
        sim_base,
        proxy,
        http: reqwest::Client::new(),
    }
}

impl Setup {
    fn url(&self, path: &str) -> String {
        format!("{}/sim/v2{path}", self.proxy)
    }

    async fn json(&self, r: reqwest::RequestBuilder, expected: StatusCode) -> Value {
        let r = r.send().await.unwrap();
        let status = r.status();
        let text = r.text().await.unwrap();
        assert_eq!(status, expected, "{text}");
        serde_json::from_str(&text).unwrap()
    }

    /// Full XAdES login through the proxy; returns the access token.
    async fn login(&self) -> String {
        // Demo credentials come from the simulator's control API (never through the proxy).
        let cred: Value = self
            .json(
                self.http
                    .post(format!("{}/_sim/demo-credentials", self.sim_base))
                    .json(&json!({"nip": NIP, "certificateType": "Authentication", "password": "demo"})),
                StatusCode::OK,
            )
            .await;
        let cred = Credential::load(
            cred["certificatePem"].as_str().unwrap().as_bytes(),
            cred["privateKeyPem"].as_str().unwrap().as_bytes(),
            Some("demo"),
        )
        .unwrap();
        let ch = self
            .json(self.http.post(self.url("/auth/challenge")), StatusCode::OK)
            .await;
        let req = AuthTokenRequest::new(
            ch["challenge"].as_str().unwrap(),
            ContextIdentifier::Nip(NIP.into()),
            SubjectIdentifierType::CertificateSubject,
        )
        .unwrap();
        let signed = xades::sign_with(
            &req,
            cred.certificate().der(),
            time::OffsetDateTime::now_utc() - time::Duration::minutes(1),
            SignatureAlgorithm::EcdsaP256Sha256P1363,
            |r| hazmat::sign(cred.private_key(), r, &mut SimRng::os()),
        )
        .unwrap();
        let started = self
            .json(
                self.http
                    .post(self.url("/auth/xades-signature"))
                    .header("content-type", "application/xml")
                    .body(signed),
                StatusCode::ACCEPTED,
            )
            .await;
        let reference = started["referenceNumber"].as_str().unwrap();
        let auth_token = started["authenticationToken"]["token"].as_str().unwrap();
        for _ in 0..200 {
            let st = self
                .json(
                    self.http
                        .get(self.url(&format!("/auth/{reference}")))
                        .bearer_auth(auth_token),
                    StatusCode::OK,
                )
                .await;
            match st["status"]["code"].as_u64() {
                Some(100) => tokio::time::sleep(Duration::from_millis(10)).await,
                Some(200) => break,
                _ => panic!("auth failed: {st}"),
            }
        }
        let redeemed = self
            .json(
                self.http
                    .post(self.url("/auth/token/redeem"))
                    .bearer_auth(auth_token),
                StatusCode::OK,
            )
            .await;
        redeemed["accessToken"]["token"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

#[tokio::test]
async fn xades_login_and_authenticated_calls_through_the_proxy() {
    let s = setup().await;
    let keys = s
        .http
        .get(s.url("/security/public-key-certificates"))
        .send()
        .await
        .unwrap();
    assert_eq!(keys.status(), StatusCode::OK);
    let access = s.login().await;
    let sessions = s
        .json(
            s.http
                .get(s.url("/sessions?sessionType=Online&pageSize=10"))
                .bearer_auth(&access),
            StatusCode::OK,
        )
        .await;
    assert!(sessions["sessions"].is_array(), "{sessions}");
    // KSeF errors pass through with their status and format.
    let r = s
        .http
        .get(s.url("/sessions?sessionType=Online"))
        .header("x-error-format", "problem-details")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/problem+json")
    );
    // The simulator's control API is not part of KSeF's contract: refused.
    let r = s
        .http
        .post(format!("{}/sim/v2/_sim/reset", s.proxy))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn batch_part_upload_through_a_signed_link() {
    use ksef_core::crypto::{InvoiceEncryptionKey, MfKeyUsage, MfPublicKey};
    use ksef_core::hash::Sha256Hash;
    let s = setup().await;
    let access = s.login().await;
    let certs = s
        .http
        .get(s.url("/security/public-key-certificates"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let mf = MfPublicKey::select(
        &certs,
        MfKeyUsage::SymmetricKeyEncryption,
        time::OffsetDateTime::now_utc(),
    )
    .unwrap();
    let key = InvoiceEncryptionKey::generate(&mut SimRng::os());
    let archive = b"not really a zip, the relay does not care".to_vec();
    let part = key.encrypt_bytes(&archive);
    let body = json!({
        "formCode": {"systemCode": "FA (3)", "schemaVersion": "1-0E", "value": "FA"},
        "batchFile": {
            "fileSize": archive.len(),
            "fileHash": Sha256Hash::of(&archive).to_base64(),
            "fileParts": [{"ordinalNumber": 1, "fileSize": part.len(),
                           "fileHash": Sha256Hash::of(&part).to_base64()}],
        },
        "encryption": key.encryption_info(&mf, &mut SimRng::os()).unwrap(),
    });
    let opened = s
        .json(
            s.http
                .post(s.url("/sessions/batch"))
                .bearer_auth(&access)
                .json(&body),
            StatusCode::CREATED,
        )
        .await;
    let reference = opened["referenceNumber"].as_str().unwrap();
    let up = &opened["partUploadRequests"][0];
    let link = up["url"].as_str().unwrap();
    assert!(link.starts_with("/sim/storage?"), "{link}");
    let put = s
        .http
        .put(format!("{}{link}", s.proxy))
        .header(
            "x-ms-blob-type",
            up["headers"]["x-ms-blob-type"].as_str().unwrap(),
        )
        .body(part.clone())
        .send()
        .await
        .unwrap();
    assert!(put.status().is_success(), "{}", put.status());
    let r = s
        .http
        .post(s.url(&format!("/sessions/batch/{reference}/close")))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    // The same link for another environment, or for GET, is refused.
    let other = s
        .http
        .put(format!(
            "{}{}",
            s.proxy,
            link.replacen("/sim/", "/test/", 1)
        ))
        .body(part)
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), StatusCode::FORBIDDEN);
    let get = s
        .http
        .get(format!("{}{link}", s.proxy))
        .send()
        .await
        .unwrap();
    assert_eq!(get.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn online_send_and_upo_download_through_signed_links() {
    use ksef_core::crypto::{InvoiceEncryptionKey, MfKeyUsage, MfPublicKey};
    let Some(sample) = ksef_sim::xsd::default_schema_dir().map(|d| {
        d.join("../samples/fa3-mf-official/fa3-mf01-vat-basic-goods-3-lines-23and5pct-paid.xml")
    }) else {
        eprintln!("SKIPPED: shared/ksef not found");
        return;
    };
    let xml = std::fs::read_to_string(sample).unwrap().replacen(
        "<NIP>9999999999</NIP>",
        &format!("<NIP>{NIP}</NIP>"),
        1,
    );
    let s = setup().await;
    let access = s.login().await;
    let certs = s
        .http
        .get(s.url("/security/public-key-certificates"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let mf = MfPublicKey::select(
        &certs,
        MfKeyUsage::SymmetricKeyEncryption,
        time::OffsetDateTime::now_utc(),
    )
    .unwrap();
    let key = InvoiceEncryptionKey::generate(&mut SimRng::os());
    let opened = s
        .json(
            s.http
                .post(s.url("/sessions/online"))
                .bearer_auth(&access)
                .json(&json!({
                    "formCode": {"systemCode": "FA (3)", "schemaVersion": "1-0E", "value": "FA"},
                    "encryption": key.encryption_info(&mf, &mut SimRng::os()).unwrap(),
                })),
            StatusCode::CREATED,
        )
        .await;
    let session = opened["referenceNumber"].as_str().unwrap().to_owned();
    let sent = s
        .json(
            s.http
                .post(s.url(&format!("/sessions/online/{session}/invoices")))
                .bearer_auth(&access)
                .json(&key.encrypt_invoice(xml.as_bytes())),
            StatusCode::ACCEPTED,
        )
        .await;
    let invoice = sent["referenceNumber"].as_str().unwrap().to_owned();
    let r = s
        .http
        .post(s.url(&format!("/sessions/online/{session}/close")))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let mut status = Value::Null;
    for _ in 0..400 {
        status = s
            .json(
                s.http
                    .get(s.url(&format!("/sessions/{session}")))
                    .bearer_auth(&access),
                StatusCode::OK,
            )
            .await;
        if status["status"]["code"] == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(status["status"]["code"], 200, "{status}");
    let inv = s
        .json(
            s.http
                .get(s.url(&format!("/sessions/{session}/invoices/{invoice}")))
                .bearer_auth(&access),
            StatusCode::OK,
        )
        .await;
    let links = [
        status["upo"]["pages"][0]["downloadUrl"]
            .as_str()
            .unwrap()
            .to_owned(),
        inv["upoDownloadUrl"].as_str().unwrap().to_owned(),
    ];
    for link in links {
        assert!(link.starts_with("/sim/storage?"), "{link}");
        // Pre-signed downloads need no bearer (DIGEST §10).
        let r = s
            .http
            .get(format!("{}{link}", s.proxy))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.headers().contains_key("x-ms-meta-hash"));
        let body = r.text().await.unwrap();
        assert!(body.contains("Potwierdzenie"), "{body}");
    }
}

#[tokio::test]
async fn system_warning_header_passes_through() {
    let s = setup().await;
    let r = s
        .http
        .post(s.url("/auth/challenge"))
        .header("x-test-system-warning", "uwaga")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["x-system-warning"], "uwaga");
}

#[tokio::test]
async fn latarnia_of_the_simulator_through_the_proxy() {
    let s = setup().await;
    let status = |s: &Setup| {
        let url = format!("{}/sim/latarnia/status", s.proxy);
        let http = s.http.clone();
        async move {
            let r = http.get(url).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            r.json::<Value>().await.unwrap()
        }
    };
    assert_eq!(status(&s).await["status"], "AVAILABLE");
    // Failures are set on the simulator's own control API, which the proxy never exposes.
    let control = |action: &str| {
        s.http
            .post(format!("{}/_sim/latarnia", s.sim_base))
            .json(&json!({"action": action, "title": "Awaria testowa"}))
            .send()
    };
    assert!(control("failureStart").await.unwrap().status().is_success());
    let v = status(&s).await;
    assert_eq!(v["status"], "FAILURE", "{v}");
    assert_eq!(v["messages"][0]["type"], "FAILURE_START", "{v}");
    assert_eq!(v["messages"][0]["title"], "Awaria testowa", "{v}");
    let r = s
        .http
        .get(format!("{}/sim/latarnia/messages", s.proxy))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let messages: Value = r.json().await.unwrap();
    assert_eq!(messages.as_array().map(Vec::len), Some(1), "{messages}");
    assert!(control("failureEnd").await.unwrap().status().is_success());
    assert!(control("totalFailure").await.unwrap().status().is_success());
    assert_eq!(status(&s).await["status"], "TOTAL_FAILURE");
    assert!(control("clear").await.unwrap().status().is_success());
    assert_eq!(status(&s).await["status"], "AVAILABLE");
    for path in [
        "/_sim/latarnia",
        "/sim/_sim/latarnia",
        "/sim/v2/_sim/latarnia",
    ] {
        let r = s
            .http
            .post(format!("{}{path}", s.proxy))
            .json(&json!({"action": "totalFailure"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(status(&s).await["status"], "AVAILABLE");
}
