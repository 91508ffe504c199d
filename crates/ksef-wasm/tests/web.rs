//! Every export of ksef-wasm, run inside wasm in headless Chromium (wasm-bindgen-test with
//! Debian chromium/chromedriver). With `KSEF_TEST_PROXY` set at build time (scripts/test
//! starts `ksef-proxy --sim` with CORS for the test page), the KSeF client also does a
//! full auth + send + UPO through the proxy from the browser.

#![cfg(target_arch = "wasm32")]

use js_sys::{Promise, Uint8Array};
use ksef_wasm::client::KsefClient;
use ksef_wasm::credential::{self, Kod2Certificate, SoftKey};
use ksef_wasm::{invoice, offline};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const DRAFT: &str = include_str!("../../../docs/examples/draft-vat.json");
const AUTH_CRT: &[u8] = include_bytes!("fixtures/authentication.crt");
const AUTH_KEY: &[u8] = include_bytes!("fixtures/authentication.key");
const OFF_CRT: &[u8] = include_bytes!("fixtures/offline.crt");
const OFF_KEY: &[u8] = include_bytes!("fixtures/offline.key");
/// 2027-01-01T00:00:00Z: inside the fixtures' validity.
const NOW_MS: f64 = 1_798_761_600_000.0;
/// SHA-256("abc"), FIPS 180-2 appendix B.1.
const ABC_SHA256: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

#[wasm_bindgen(inline_js = r#"
export async function importAndSign(pkcs8, message) {
  const key = await crypto.subtle.importKey('pkcs8', pkcs8, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  pkcs8.fill(0);
  const sig = new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key, message));
  let exported = false;
  try { await crypto.subtle.exportKey('pkcs8', key); exported = true; } catch (e) {}
  return { sig, extractable: key.extractable, exported, wiped: pkcs8.every((b) => b === 0) };
}
export function signerFor(pkcs8) {
  const key = crypto.subtle.importKey('pkcs8', pkcs8, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  return async (algorithm, message) =>
    new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, await key, message));
}
export function get(o, k) { return o[k]; }
export function errorCode(e) { return e && e.code; }
"#)]
extern "C" {
    #[wasm_bindgen(js_name = importAndSign)]
    fn import_and_sign(pkcs8: &Uint8Array, message: &Uint8Array) -> Promise;
    #[wasm_bindgen(js_name = signerFor)]
    fn signer_for(pkcs8: &Uint8Array) -> js_sys::Function;
    fn get(o: &JsValue, k: &str) -> JsValue;
    #[wasm_bindgen(js_name = errorCode)]
    fn error_code(e: &JsValue) -> JsValue;
}

fn code(e: impl Into<JsValue>) -> String {
    error_code(&e.into()).as_string().unwrap_or_default()
}

fn draft_with(number: &str, date: &str) -> String {
    let mut d: serde_json::Value = serde_json::from_str(DRAFT).unwrap();
    d["invoiceNumber"] = number.into();
    d["issueDate"] = date.into();
    if d.get("saleDate").is_some() {
        d["saleDate"] = date.into();
    }
    d.to_string()
}

#[wasm_bindgen_test]
fn drafts_build_validate_parse() {
    let xml = invoice::draft_to_xml(DRAFT, NOW_MS).unwrap();
    assert!(xml.starts_with(b"<?xml"));
    let report = invoice::validate_xml(&xml, None, Some(true)).unwrap();
    assert_eq!(get(&report, "ok"), JsValue::TRUE);
    let parsed: serde_json::Value =
        serde_json::from_str(&invoice::parse_xml(&xml).unwrap()).unwrap();
    assert_eq!(parsed["Fa"]["P_2"], "FV/2026/02/0150");
    let ok = invoice::check_draft(DRAFT).unwrap();
    assert_eq!(get(&ok, "ok"), JsValue::TRUE);
    let bad = invoice::check_draft(&DRAFT.replace("5265877635", "12")).unwrap();
    assert_eq!(get(&bad, "ok"), JsValue::FALSE);
    let e = invoice::draft_to_xml("{", NOW_MS).unwrap_err();
    assert_eq!(e.code(), "DRAFT_INVALID");
    assert_eq!(code(invoice::parse_xml(b"<x>").unwrap_err()), "XML_INVALID");
}

#[wasm_bindgen_test]
fn hash_kod1_and_svg() {
    let h = invoice::invoice_hash(b"abc").unwrap();
    assert_eq!(get(&h, "hex").as_string().unwrap(), ABC_SHA256);
    let url = invoice::kod1_url("test", "1111111111", "2026-02-01", b"abc").unwrap();
    assert!(url.starts_with("https://qr-test.ksef.mf.gov.pl/invoice/1111111111/01-02-2026/ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0"), "{url}");
    assert_eq!(
        invoice::kod1_url("mars", "1111111111", "2026-02-01", b"abc")
            .unwrap_err()
            .code(),
        "INVALID_INPUT"
    );
    let svg = invoice::qr_svg(&url, "OFFLINE").unwrap();
    assert!(svg.contains("<svg") && svg.contains("OFFLINE"));
}

#[wasm_bindgen_test]
async fn credentials_webcrypto_soft_key_and_kod2() {
    let info = credential::inspect_certificate(AUTH_CRT).unwrap();
    assert_eq!(
        get(&info, "ksefType").as_string().as_deref(),
        Some("Authentication")
    );
    let wrong = credential::load_credential("auth", AUTH_CRT, AUTH_KEY, "x", NOW_MS);
    assert_eq!(wrong.err().map(|e| e.code()), Some("WRONG_PASSWORD"));
    let swapped = credential::load_credential("auth", OFF_CRT, OFF_KEY, "demo", NOW_MS);
    assert_eq!(swapped.err().map(|e| e.code()), Some("WRONG_CERT_TYPE"));
    let mut loaded =
        credential::load_credential("auth", AUTH_CRT, AUTH_KEY, "demo", NOW_MS).unwrap();
    let meta = loaded.meta();
    assert_eq!(
        get(&meta, "signatureAlgorithm").as_string().as_deref(),
        Some("EcdsaP256Sha256P1363")
    );
    let pkcs8 = Uint8Array::from(&loaded.take_pkcs8().unwrap()[..]);
    assert_eq!(loaded.take_pkcs8().unwrap_err().code(), "KEY_TAKEN");
    let r = JsFuture::from(import_and_sign(&pkcs8, &Uint8Array::from(&b"msg"[..])))
        .await
        .unwrap();
    assert_eq!(get(&r, "extractable"), JsValue::FALSE);
    assert_eq!(get(&r, "exported"), JsValue::FALSE);
    assert_eq!(get(&r, "wiped"), JsValue::TRUE);
    assert_eq!(Uint8Array::new(&get(&r, "sig")).length(), 64);
    // KOD II, two steps, signed by the pure-Rust SoftKey (the WebCrypto path is the
    // package's, tested in tests/browser).
    let soft = SoftKey::new("offline", OFF_CRT, OFF_KEY, "demo", NOW_MS).unwrap();
    let mut pending =
        credential::kod2_prepare(OFF_CRT, "test", "Nip", "5265877635", "5265877635", b"abc")
            .unwrap();
    let sig = soft.sign(&pending.algorithm(), &pending.message()).unwrap();
    let url = pending.finish(&sig, None).unwrap();
    assert!(
        url.starts_with("https://qr-test.ksef.mf.gov.pl/certificate/Nip/5265877635/5265877635/")
    );
    assert_eq!(
        pending.finish(&sig, None).unwrap_err().code(),
        "KOD2_FINISHED"
    );
    assert_eq!(
        soft.sign("Bogus", b"m").err().map(|e| e.code()),
        Some("INVALID_INPUT")
    );
    // The same link through the certificate read once: the same message to sign (ECDSA
    // signatures are randomised, so the URLs share everything before the signature).
    let cert = Kod2Certificate::new(OFF_CRT).unwrap();
    let mut again = cert
        .prepare("test", "Nip", "5265877635", "5265877635", b"abc")
        .unwrap();
    assert_eq!(again.message(), pending.message());
    assert_eq!(again.algorithm(), pending.algorithm());
    let sig = soft.sign(&again.algorithm(), &again.message()).unwrap();
    let url2 = again.finish(&sig, None).unwrap();
    let unsigned = |u: &str| u.rsplit_once('/').map(|(head, _)| head.to_owned());
    assert_eq!(unsigned(&url2), unsigned(&url));
    assert_eq!(
        Kod2Certificate::new(AUTH_CRT).err().map(|e| e.code()),
        Some("QR_INVALID"),
        "an Authentication certificate cannot sign KOD II"
    );
    assert_eq!(
        cert.prepare("test", "Nip", "123", "5265877635", b"abc")
            .err()
            .map(|e| e.code()),
        Some("QR_INVALID")
    );
}

#[wasm_bindgen_test]
fn offline_calendar() {
    let h = offline::holidays(2026).unwrap();
    let list: Vec<String> = js_sys::Array::from(&h)
        .iter()
        .map(|x| get(&x, "date").as_string().unwrap())
        .collect();
    assert!(list.contains(&"2026-12-24".to_owned()));
    assert!(!offline::is_business_day("2026-12-24").unwrap());
    let d = offline::offline_deadline("offline24", "2026-11-27", None, NOW_MS).unwrap();
    assert_eq!(
        get(&d, "deadline").as_string().as_deref(),
        Some("2026-11-30")
    );
    let periods = serde::Serialize::serialize(
        &serde_json::json!([
            {"category": "FAILURE", "start": "2026-11-20T08:00:00Z", "end": "2026-11-24T08:00:00Z"}
        ]),
        &serde_wasm_bindgen::Serializer::json_compatible(),
    )
    .unwrap();
    let e =
        offline::offline_deadline_from_periods("emergency", "2026-11-20", periods, NOW_MS).unwrap();
    assert_eq!(
        get(&e, "deadline").as_string().as_deref(),
        Some("2026-12-03")
    );
    assert_eq!(
        offline::offline_deadline("emergency", "2026-11-20", None, NOW_MS)
            .unwrap_err()
            .code(),
        "INVALID_INPUT"
    );
}

#[wasm_bindgen_test]
async fn client_refuses_before_authorization() {
    let client = KsefClient::new("http://127.0.0.1:9/sim/v2", "test", None).unwrap();
    assert_eq!(
        get(&client.auth_state().unwrap(), "state")
            .as_string()
            .as_deref(),
        Some("NotAuthenticated")
    );
    let xml = Uint8Array::from(&b"<x/>"[..]);
    let p = client.send_invoices(
        vec!["a".into()],
        vec![xml],
        "online".into(),
        false,
        None,
        None,
        None,
        None,
    );
    let e = JsFuture::from(p).await.unwrap_err();
    assert_eq!(code(e), "NOT_AUTHORIZED");
    assert!(KsefClient::new("/sim/v2", "fast", None).is_err());
    // The certificate status needs a login too; a malformed serial is refused first.
    let e = JsFuture::from(client.certificate_status("01F20A5D352AE590".into()))
        .await
        .unwrap_err();
    assert_eq!(code(e), "NOT_AUTHORIZED");
    for bad in ["", "01F2G0A5D352AE59", "01F", "01F20A5D352AE5901122"] {
        let e = JsFuture::from(client.certificate_status(bad.into()))
            .await
            .unwrap_err();
        assert_eq!(code(e), "INVALID_INPUT", "{bad:?}");
    }
}

/// Full auth + send + UPO through the proxy from the browser.
#[wasm_bindgen_test]
async fn client_full_flow_through_the_proxy() {
    let Some(base) = option_env!("KSEF_TEST_PROXY") else {
        panic!(
            "build with KSEF_TEST_PROXY=http://host:port of `ksef-proxy --sim` (scripts/test does)"
        );
    };
    let client = KsefClient::new(&format!("{base}/sim/v2"), "test", None).unwrap();
    let mut loaded =
        credential::load_credential("auth", AUTH_CRT, AUTH_KEY, "demo", NOW_MS).unwrap();
    let meta = loaded.meta();
    let der = Uint8Array::new(&get(&meta, "certificateDer")).to_vec();
    let signer = signer_for(&Uint8Array::from(&loaded.take_pkcs8().unwrap()[..]));
    let state = JsFuture::from(client.authorize(
        der,
        "EcdsaP256Sha256P1363".into(),
        "Nip".into(),
        "5265877635".into(),
        signer,
    ))
    .await
    .unwrap();
    assert_eq!(
        get(&state, "state").as_string().as_deref(),
        Some("Accepted"),
        "{state:?}"
    );
    // The official test vector's certificate is not one of this subject's: null.
    let status = JsFuture::from(client.certificate_status("01:f2:0a:5d:35:2a:e5:90".into()))
        .await
        .unwrap();
    assert!(status.is_null(), "{status:?}");
    let today = js_sys::Date::new_0().to_iso_string().as_string().unwrap()[..10].to_owned();
    let number = format!("FV/WBT/{}", js_sys::Date::now());
    let xml = invoice::draft_to_xml(&draft_with(&number, &today), js_sys::Date::now()).unwrap();
    let sent = JsFuture::from(client.send_invoices(
        vec!["one".into()],
        vec![Uint8Array::from(&xml[..])],
        "online".into(),
        false,
        None,
        None,
        None,
        None,
    ))
    .await
    .unwrap();
    let outcome = js_sys::Array::from(&get(&sent, "outcomes")).get(0);
    assert_eq!(
        get(&outcome, "status").as_string().as_deref(),
        Some("accepted"),
        "{outcome:?}"
    );
    let ksef_number = get(&outcome, "ksefNumber").as_string().unwrap();
    let session = get(&outcome, "sessionReferenceNumber").as_string().unwrap();
    let reference = get(&outcome, "referenceNumber").as_string().unwrap();
    // ODŚWIEŻ: the status read again says the same.
    let status = JsFuture::from(client.invoice_status(session.clone(), reference.clone()))
        .await
        .unwrap();
    assert_eq!(
        get(&status, "status").as_string().as_deref(),
        Some("accepted")
    );
    assert_eq!(
        get(&status, "ksefNumber").as_string().as_deref(),
        Some(ksef_number.as_str())
    );
    let upo = JsFuture::from(client.invoice_upo(session, reference))
        .await
        .unwrap();
    let upo = String::from_utf8(Uint8Array::new(&upo).to_vec()).unwrap();
    assert!(upo.contains(&ksef_number));
}
