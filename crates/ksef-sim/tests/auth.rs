//! Keys, authentication, tokens and test data over real HTTP (DIGEST §4, §5, §18).

mod common;

use common::*;
use ksef_core::ident::ReferenceNumber;
use ksef_core::xades::SubjectIdentifierType;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::str::FromStr;

#[tokio::test]
async fn public_key_certificates() {
    let sim = start().await;
    let v: Value = sim
        .get("/security/public-key-certificates", None)
        .await
        .json()
        .await
        .unwrap();
    let list = v.as_array().unwrap();
    assert_eq!(list.len(), 2);
    let usages: Vec<&str> = list
        .iter()
        .map(|k| k["usage"][0].as_str().unwrap())
        .collect();
    assert!(usages.contains(&"SymmetricKeyEncryption") && usages.contains(&"KsefTokenEncryption"));
    for k in list {
        let cert =
            ksef_core::crypto::Certificate::from_base64_der(k["certificate"].as_str().unwrap())
                .unwrap();
        assert!(
            cert.subject().contains("CN=Ministerstwo Finansów"),
            "{}",
            cert.subject()
        );
        assert_eq!(k["certificateId"], cert.certificate_id());
        assert_eq!(k["publicKeyId"], cert.public_key_id());
        assert_eq!(k["publicKeyId"].as_str().unwrap().len(), 44);
    }
    // The client-side chooser accepts the list.
    sim.mf_key().await;
}

#[tokio::test]
async fn challenge_shape() {
    let sim = start().await;
    let v: Value = sim
        .post("/auth/challenge", None, None)
        .await
        .json()
        .await
        .unwrap();
    let ch = v["challenge"].as_str().unwrap();
    assert_eq!(ch.len(), 36);
    assert_eq!(ReferenceNumber::from_str(ch).unwrap().type_code(), "CR");
    assert!(v["timestamp"].as_str().unwrap().ends_with("+00:00"));
    assert!(v["timestampMs"].as_i64().unwrap() > 1_700_000_000_000);
    assert_eq!(v["clientIp"], "127.0.0.1");
}

#[tokio::test]
async fn owner_login_redeem_once_refresh() {
    let sim = start().await;
    let nip = random_nip();
    let cred = Cred::seal(&nip);
    let (reference, at) = sim
        .start_login(&cred, &nip, SubjectIdentifierType::CertificateSubject)
        .await;
    assert_eq!(
        ReferenceNumber::from_str(&reference).unwrap().type_code(),
        "AU"
    );
    let st = sim.auth_status(&reference, &at).await;
    assert_eq!(st["status"]["code"], 200);
    assert_eq!(st["authenticationMethodInfo"]["category"], "XadesSignature");
    let r = sim.post("/auth/token/redeem", Some(&at), None).await;
    assert_eq!(r.status(), StatusCode::OK);
    let tokens: Value = r.json().await.unwrap();
    let access = tokens["accessToken"]["token"].as_str().unwrap().to_owned();
    let refresh = tokens["refreshToken"]["token"].as_str().unwrap().to_owned();

    // Redeem once only.
    let r = sim.post("/auth/token/redeem", Some(&at), None).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let v: Value = r.json().await.unwrap();
    assert_eq!(error_code(&v), 21301);
    assert!(
        v["exception"]["exceptionDetailList"][0]["details"][0]
            .as_str()
            .unwrap()
            .contains("zostały już pobrane")
    );

    // Refresh with the refresh token; the access token is refused there.
    let r = sim.post("/auth/token/refresh", Some(&refresh), None).await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = sim.post("/auth/token/refresh", Some(&access), None).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    // Lifetimes: access 15 min, refresh 7 days.
    let now = time::OffsetDateTime::now_utc();
    let until = |s: &Value| {
        time::OffsetDateTime::parse(
            s.as_str().unwrap(),
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap()
    };
    let a = until(&tokens["accessToken"]["validUntil"]) - now;
    assert!(
        a > time::Duration::minutes(14) && a <= time::Duration::minutes(15),
        "{a}"
    );
    let rf = until(&tokens["refreshToken"]["validUntil"]) - now;
    assert!(rf > time::Duration::days(6) && rf <= time::Duration::days(7));

    // Auth sessions list and revoke → refresh fails with 21301.
    let v: Value = sim
        .get("/auth/sessions", Some(&access))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["items"][0]["isCurrent"], true);
    let r = sim
        .http
        .delete(sim.url("/auth/sessions/current"))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = sim.post("/auth/token/refresh", Some(&refresh), None).await;
    assert_eq!(error_code(&r.json().await.unwrap()), 21301);
}

#[tokio::test]
async fn wrong_token_in_wrong_place_is_401_problem() {
    let sim = start().await;
    let nip = random_nip();
    let cred = Cred::seal(&nip);
    let (_, at) = sim
        .start_login(&cred, &nip, SubjectIdentifierType::CertificateSubject)
        .await;
    // The authenticationToken on a business endpoint.
    let r = sim
        .get("/sessions/20250101-SO-0000000000-0000000000-00", Some(&at))
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["status"], 401);
    assert_eq!(v["detail"], "Wymagane jest uwierzytelnienie.");
    // No token, garbage token.
    assert_eq!(
        sim.post("/auth/token/redeem", None, None).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        sim.post("/auth/token/redeem", Some("a.b.c"), None)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn expired_access_token_is_401() {
    let sim = start().await;
    let nip = random_nip();
    let (access, _, _) = sim.login(&Cred::seal(&nip), &nip).await;
    sim.clock.advance(time::Duration::minutes(16));
    let r = sim.get("/auth/sessions", Some(&access)).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn xades_errors() {
    let sim = start().await;
    let nip = random_nip();
    let cred = Cred::seal(&nip);
    let post = |body: Vec<u8>| {
        sim.http
            .post(sim.url("/auth/xades-signature"))
            .header("content-type", "application/xml")
            .body(body)
            .send()
    };
    // Unknown challenge → 21111.
    let signed = cred.sign(
        "20250514-CR-226FB7B000-3ACF9BE4C0-10",
        &nip,
        SubjectIdentifierType::CertificateSubject,
    );
    let r = post(signed).await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&r.json().await.unwrap()), 21111);
    // Challenge reused → 21111; expired (> 10 min) → 21111.
    let ch: Value = sim
        .post("/auth/challenge", None, None)
        .await
        .json()
        .await
        .unwrap();
    let ch = ch["challenge"].as_str().unwrap();
    let signed = cred.sign(ch, &nip, SubjectIdentifierType::CertificateSubject);
    assert_eq!(
        post(signed.clone()).await.unwrap().status(),
        StatusCode::ACCEPTED
    );
    assert_eq!(
        error_code(&post(signed).await.unwrap().json().await.unwrap()),
        21111
    );
    let ch: Value = sim
        .post("/auth/challenge", None, None)
        .await
        .json()
        .await
        .unwrap();
    sim.clock.advance(time::Duration::minutes(11));
    let signed = cred.sign(
        ch["challenge"].as_str().unwrap(),
        &nip,
        SubjectIdentifierType::CertificateSubject,
    );
    assert_eq!(
        error_code(&post(signed).await.unwrap().json().await.unwrap()),
        21111
    );
    sim.clock.advance(time::Duration::minutes(-11));
    // Tampered document → 9105; signature removed → 9102; not XML → 21001.
    let ch: Value = sim
        .post("/auth/challenge", None, None)
        .await
        .json()
        .await
        .unwrap();
    let signed = String::from_utf8(cred.sign(
        ch["challenge"].as_str().unwrap(),
        &nip,
        SubjectIdentifierType::CertificateSubject,
    ))
    .unwrap();
    let tampered = signed.replace("certificateSubject", "certificateFingerprint");
    assert_eq!(
        error_code(
            &post(tampered.into_bytes())
                .await
                .unwrap()
                .json()
                .await
                .unwrap()
        ),
        9105
    );
    let start = signed.find("<ds:Signature").unwrap();
    let end = signed.find("</ds:Signature>").unwrap() + "</ds:Signature>".len();
    let unsigned = format!("{}{}", &signed[..start], &signed[end..]);
    assert_eq!(
        error_code(
            &post(unsigned.into_bytes())
                .await
                .unwrap()
                .json()
                .await
                .unwrap()
        ),
        9102
    );
    assert_eq!(
        error_code(&post(b"<a".to_vec()).await.unwrap().json().await.unwrap()),
        21001
    );
    // Problem-details format on request.
    let r = sim
        .http
        .post(sim.url("/auth/xades-signature"))
        .header("X-Error-Format", "problem-details")
        .body("<a")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["status"], 400);
    assert_eq!(v["errors"][0]["code"], 21001);
    assert_eq!(v["instance"], "/v2/auth/xades-signature");
}

#[tokio::test]
async fn permissions_owner_grants_block() {
    let sim = start().await;
    let company = random_nip();
    let pesel = "90010112349"; // checksum-valid PESEL
    let person = Cred::person(pesel);

    // No relation → 415 "Brak przypisanych uprawnień".
    let (r, at) = sim
        .start_login(&person, &company, SubjectIdentifierType::CertificateSubject)
        .await;
    let st = sim.auth_status(&r, &at).await;
    assert_eq!(st["status"]["code"], 415);
    assert_eq!(st["status"]["details"][0], "Brak przypisanych uprawnień");
    assert_eq!(
        error_code(
            &sim.post("/auth/token/redeem", Some(&at), None)
                .await
                .json()
                .await
                .unwrap()
        ),
        21301
    );

    // /testdata/person links the PESEL to the NIP → Owner.
    sim.testdata(
        "/testdata/person",
        json!({"nip": company, "pesel": pesel, "isBailiff": false, "description": "t"}),
    )
    .await;
    let (r, at) = sim
        .start_login(&person, &company, SubjectIdentifierType::CertificateSubject)
        .await;
    assert_eq!(sim.auth_status(&r, &at).await["status"]["code"], 200);

    // A fingerprint subject with a /testdata/permissions grant.
    let other = Cred::seal(&random_nip());
    let (r, at) = sim
        .start_login(
            &other,
            &company,
            SubjectIdentifierType::CertificateFingerprint,
        )
        .await;
    assert_eq!(sim.auth_status(&r, &at).await["status"]["code"], 415);
    sim.testdata(
        "/testdata/permissions",
        json!({"contextIdentifier": {"type": "Nip", "value": company},
               "authorizedIdentifier": {"type": "Fingerprint", "value": other.cert.fingerprint_sha256().to_lowercase()},
               "permissions": [{"permissionType": "InvoiceRead", "description": "t"}]}),
    )
    .await;
    let (r, at) = sim
        .start_login(
            &other,
            &company,
            SubjectIdentifierType::CertificateFingerprint,
        )
        .await;
    assert_eq!(sim.auth_status(&r, &at).await["status"]["code"], 200);
    let tokens: Value = sim
        .post("/auth/token/redeem", Some(&at), None)
        .await
        .json()
        .await
        .unwrap();
    // InvoiceRead only: opening a session is 403 missing-permissions.
    let access = tokens["accessToken"]["token"].as_str().unwrap();
    let r = sim.post("/sessions/online", Some(access), Some(json!({"formCode": fa3(), "encryption": {"encryptedSymmetricKey": "", "initializationVector": ""}}))).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["reasonCode"], "missing-permissions");
    assert_eq!(v["security"]["presentPermissions"], json!(["InvoiceRead"]));

    // Blocked context → 480.
    sim.testdata(
        "/testdata/context/block",
        json!({"contextIdentifier": {"type": "Nip", "value": company}}),
    )
    .await;
    let (r, at) = sim
        .start_login(&person, &company, SubjectIdentifierType::CertificateSubject)
        .await;
    assert_eq!(sim.auth_status(&r, &at).await["status"]["code"], 480);
    sim.testdata(
        "/testdata/context/unblock",
        json!({"contextIdentifier": {"type": "Nip", "value": company}}),
    )
    .await;
    let (r, at) = sim
        .start_login(&person, &company, SubjectIdentifierType::CertificateSubject)
        .await;
    assert_eq!(sim.auth_status(&r, &at).await["status"]["code"], 200);
}

#[tokio::test]
async fn expired_certificate_ends_with_460() {
    let sim = start().await;
    let nip = random_nip();
    let mut rng = ksef_sim::SimRng::os();
    let key = ksef_core::crypto::PrivateKey::EcP256(
        <p256::ecdsa::SigningKey as p256::elliptic_curve::Generate>::generate_from_rng(&mut rng),
    );
    let cert = ksef_sim::certs::self_signed(
        &key,
        &format!("CN=Old,serialNumber=TINPL-{nip},C=PL"),
        ksef_sim::certs::Usage::DigitalSignature,
        time::OffsetDateTime::now_utc() - time::Duration::days(30),
        10,
        &mut rng,
    )
    .unwrap();
    let cred = Cred { key, cert };
    let (r, at) = sim
        .start_login(&cred, &nip, SubjectIdentifierType::CertificateSubject)
        .await;
    let st = sim.auth_status(&r, &at).await;
    assert_eq!(st["status"]["code"], 460);
    assert_eq!(st["status"]["details"][0], "Nieważny certyfikat");
}

#[tokio::test]
async fn allowed_ips_policy() {
    use ksef_core::xades::{self, AllowedIps, AuthTokenRequest, ContextIdentifier};
    let sim = start().await;
    let nip = random_nip();
    let cred = Cred::seal(&nip);
    for (mask, expect_ok) in [("10.0.0.0/8", false), ("127.0.0.0/8", true)] {
        let ch: Value = sim
            .post("/auth/challenge", None, None)
            .await
            .json()
            .await
            .unwrap();
        let ips = AllowedIps {
            ip4_masks: vec![mask.into()],
            ..AllowedIps::default()
        };
        let req = AuthTokenRequest::new(
            ch["challenge"].as_str().unwrap(),
            ContextIdentifier::Nip(nip.clone()),
            SubjectIdentifierType::CertificateSubject,
        )
        .unwrap()
        .with_allowed_ips(ips)
        .unwrap();
        let signed = xades::sign_with(
            &req,
            cred.cert.der(),
            time::OffsetDateTime::now_utc(),
            ksef_core::crypto::SignatureAlgorithm::EcdsaP256Sha256P1363,
            |r| ksef_core::crypto::hazmat::sign(&cred.key, r, &mut ksef_sim::SimRng::os()),
        )
        .unwrap();
        let r = sim
            .http
            .post(sim.url("/auth/xades-signature"))
            .body(signed)
            .send()
            .await
            .unwrap();
        let v: Value = r.json().await.unwrap();
        let (reference, at) = (
            v["referenceNumber"].as_str().unwrap(),
            v["authenticationToken"]["token"].as_str().unwrap(),
        );
        let r = sim.get(&format!("/auth/{reference}"), Some(at)).await;
        if expect_ok {
            assert_eq!(r.status(), StatusCode::OK);
        } else {
            assert_eq!(r.status(), StatusCode::FORBIDDEN);
            let v: Value = r.json().await.unwrap();
            assert_eq!(v["reasonCode"], "ip-not-allowed");
        }
    }
}

#[tokio::test]
async fn ksef_tokens_and_token_login() {
    use ksef_core::crypto::{MfKeyUsage, MfPublicKey};
    let sim = start().await;
    let nip = random_nip();
    let (access, _, _) = sim.login(&Cred::seal(&nip), &nip).await;
    // 26001: a permission the owner lacks.
    let r = sim
        .post(
            "/tokens",
            Some(&access),
            Some(json!({"permissions": ["EnforcementOperations"], "description": "CI token"})),
        )
        .await;
    assert_eq!(error_code(&r.json().await.unwrap()), 26001);
    let r = sim
        .post(
            "/tokens",
            Some(&access),
            Some(
                json!({"permissions": ["InvoiceWrite", "InvoiceRead"], "description": "CI token"}),
            ),
        )
        .await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let v: Value = r.json().await.unwrap();
    let token = v["token"].as_str().unwrap().to_owned();
    let token_ref = v["referenceNumber"].as_str().unwrap().to_owned();
    assert_eq!(
        ReferenceNumber::from_str(&token_ref).unwrap().type_code(),
        "EC"
    );
    assert!(token.starts_with(&format!("{token_ref}|nip-{nip}|")));

    let list_body = sim
        .get("/security/public-key-certificates", None)
        .await
        .bytes()
        .await
        .unwrap();
    let mf = MfPublicKey::select(
        &list_body,
        MfKeyUsage::KsefTokenEncryption,
        time::OffsetDateTime::now_utc(),
    )
    .unwrap();
    let token_login = |ts_shift: i64| {
        let (sim, token, mf, nip) = (&sim, token.clone(), mf.clone(), nip.clone());
        async move {
            let ch: Value = sim
                .post("/auth/challenge", None, None)
                .await
                .json()
                .await
                .unwrap();
            let ts = ch["timestampMs"].as_i64().unwrap() + ts_shift;
            let enc = mf
                .encrypt_ksef_token(&token, ts, &mut ksef_sim::SimRng::os())
                .unwrap();
            let r = sim
                .post(
                    "/auth/ksef-token",
                    None,
                    Some(json!({"challenge": ch["challenge"], "contextIdentifier": {"type": "Nip", "value": nip},
                                "encryptedToken": enc, "publicKeyId": mf.public_key_id()})),
                )
                .await;
            assert_eq!(r.status(), StatusCode::ACCEPTED);
            let v: Value = r.json().await.unwrap();
            let (reference, at) = (
                v["referenceNumber"].as_str().unwrap().to_owned(),
                v["authenticationToken"]["token"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            );
            (sim.auth_status(&reference, &at).await, at)
        }
    };
    let (st, at) = token_login(0).await;
    assert_eq!(st["status"]["code"], 200, "{st}");
    assert_eq!(st["authenticationMethod"], "Token");
    let tokens: Value = sim
        .post("/auth/token/redeem", Some(&at), None)
        .await
        .json()
        .await
        .unwrap();
    let token_access = tokens["accessToken"]["token"].as_str().unwrap().to_owned();
    let refresh = tokens["refreshToken"]["token"].as_str().unwrap().to_owned();
    // The session UPO names the token.
    let (session, key) = sim.open_session(&token_access).await;
    let inv = sim
        .send(
            &token_access,
            &session,
            &key,
            &invoice(&nip, "FV/TOK/1", &today()),
            json!({}),
        )
        .await;
    assert_eq!(
        sim.invoice_final(&token_access, &session, &inv).await["status"]["code"],
        200
    );
    let upo = sim
        .get(
            &format!("/sessions/{session}/invoices/{inv}/upo"),
            Some(&token_access),
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(upo.contains(&format!(
        "<NumerReferencyjnyTokenaKSeF>{token_ref}</NumerReferencyjnyTokenaKSeF>"
    )));
    let xsd = ksef_sim::xsd::XsdValidator::start(&schemas()).unwrap();
    xsd.validate(ksef_sim::xsd::Schema::UpoV43, upo.into_bytes())
        .await
        .unwrap();
    // Wrong timestamp → 450.
    let (st, _) = token_login(1).await;
    assert_eq!(st["status"]["code"], 450);
    assert_eq!(st["status"]["details"][0], "Nieprawidłowy czas tokena");
    // Revoke: login 450 "Token unieważniony", refresh 21301, listed as Revoked.
    let r = sim
        .http
        .delete(sim.url(&format!("/tokens/{token_ref}")))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (st, _) = token_login(0).await;
    assert_eq!(st["status"]["details"][0], "Token unieważniony");
    assert_eq!(
        error_code(
            &sim.post("/auth/token/refresh", Some(&refresh), None)
                .await
                .json()
                .await
                .unwrap()
        ),
        21301
    );
    let v: Value = sim
        .get("/tokens", Some(&access))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["tokens"][0]["status"], "Revoked");
    let v: Value = sim
        .get(&format!("/tokens/{token_ref}"), Some(&access))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        v["requestedPermissions"],
        json!(["InvoiceWrite", "InvoiceRead"])
    );
}

#[tokio::test]
async fn deceased_person_and_gone_status() {
    let sim = start().await;
    let company = random_nip();
    let pesel = "90010112349";
    sim.testdata(
        "/testdata/person",
        json!({"nip": company, "pesel": pesel, "isBailiff": true, "isDeceased": true, "description": "t"}),
    )
    .await;
    let (r, at) = sim
        .start_login(
            &Cred::person(pesel),
            &company,
            SubjectIdentifierType::CertificateSubject,
        )
        .await;
    let st = sim.auth_status(&r, &at).await;
    assert_eq!(st["status"]["code"], 470);
    // 30001: the person exists already.
    let r2 = sim
        .post(
            "/testdata/person",
            None,
            Some(json!({"nip": company, "pesel": pesel, "isBailiff": false, "description": "t"})),
        )
        .await;
    assert_eq!(error_code(&r2.json().await.unwrap()), 30001);
    // Statuses are kept 7 days, then 410 Gone (problem+json): read with an access token
    // refreshed just before the refresh token expires.
    let nip = random_nip();
    let (_, refresh, reference) = sim.login(&Cred::seal(&nip), &nip).await;
    sim.clock
        .advance(time::Duration::days(7) - time::Duration::minutes(5));
    let v: Value = sim
        .post("/auth/token/refresh", Some(&refresh), None)
        .await
        .json()
        .await
        .unwrap();
    let access = v["accessToken"]["token"].as_str().unwrap().to_owned();
    assert_eq!(
        sim.get(&format!("/auth/{reference}"), Some(&access))
            .await
            .status(),
        StatusCode::OK
    );
    sim.clock.advance(time::Duration::minutes(6));
    let r = sim.get(&format!("/auth/{reference}"), Some(&access)).await;
    assert_eq!(r.status(), StatusCode::GONE);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    // The refresh token itself has expired now.
    assert_eq!(
        sim.post("/auth/token/refresh", Some(&refresh), None)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn auth_sessions_paging() {
    let sim = start().await;
    let nip = random_nip();
    let cred = Cred::seal(&nip);
    let mut access = String::new();
    for _ in 0..11 {
        access = sim.login(&cred, &nip).await.0;
    }
    let v: Value = sim
        .get("/auth/sessions?pageSize=10", Some(&access))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["items"].as_array().unwrap().len(), 10);
    assert_eq!(v["items"][0]["isCurrent"], true);
    let token = v["continuationToken"].as_str().unwrap().to_owned();
    let r = sim
        .http
        .get(sim.url("/auth/sessions?pageSize=10"))
        .bearer_auth(&access)
        .header("x-continuation-token", token)
        .send()
        .await
        .unwrap();
    let v: Value = common::checked("get", r).await.json().await.unwrap();
    assert_eq!(v["items"].as_array().unwrap().len(), 1);
    assert!(v["continuationToken"].is_null());
}

#[tokio::test]
async fn auth_token_request_schemas_load_and_validate() {
    use ksef_core::xades::{AuthTokenRequest, AuthTokenVersion, ContextIdentifier};
    use ksef_sim::xsd::{Schema, XsdValidator};
    let xsd = XsdValidator::start(&schemas()).unwrap();
    let nip = random_nip();
    let req = AuthTokenRequest::new(
        "20250514-CR-226FB7B000-3ACF9BE4C0-10",
        ContextIdentifier::Nip(nip.clone()),
        SubjectIdentifierType::CertificateSubject,
    )
    .unwrap();
    xsd.validate(Schema::Auth20, req.to_xml().into_bytes())
        .await
        .unwrap();
    let v21 = req.clone().with_version(AuthTokenVersion::V2_1);
    xsd.validate(Schema::Auth21, v21.to_xml().into_bytes())
        .await
        .unwrap();
    // A wrong challenge shape is reported with libxml2's message.
    let bad = v21
        .to_xml()
        .replace("20250514-CR-226FB7B000-3ACF9BE4C0-10", "bad-challenge");
    let errs = xsd
        .validate(Schema::Auth21, bad.into_bytes())
        .await
        .unwrap_err();
    assert!(errs.iter().any(|m| m.contains("Challenge")), "{errs:?}");
}
