//! KOD I / KOD II links and QR images (DIGEST §14), against the official vectors and
//! independent oracles: openssl (signing and verifying RSA-PSS / ECDSA), node:crypto
//! (`saltLength: 32`, `dsaEncoding: 'ieee-p1363'`), and for images `rsvg-convert`
//! (librsvg) + zxing-cpp (Python) decoding our SVG.
//!
//! Keys and certificates are made with openssl at test time (never committed).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ksef_core::crypto::SignatureAlgorithm;
use ksef_core::hash::Sha256Hash;
use ksef_core::qr::svg::{self, ErrorCorrection, QrMatrix, SvgOptions};
use ksef_core::qr::{
    CertSerial, CertificateLink, ContextIdentifier, ContextType, Environment, InvoiceLink,
    QrCertificate, QrError, QrLink, SignedCertificateLink,
};

/// KOD I example. From: CIRFMF/ksef-docs@d92d285 `kody-qr.md` §1 "Generowanie linku"
/// (also `shared/ksef/spec/test-vectors/ksef-test-vectors.json` `kod_i`).
struct Kod1Vector {
    seller_nip: &'static str,
    p1: &'static str,
    sha256_hex: &'static str,
    url: &'static str,
}
const KOD_I: &[Kod1Vector] = &[Kod1Vector {
    seller_nip: "1111111111",
    p1: "2026-02-01",
    sha256_hex: "52d429f46a5ce75cbebb7c40a598c88e0929674d63b3e27c29f9523d6f16cc81",
    url: "https://qr-test.ksef.mf.gov.pl/invoice/1111111111/01-02-2026/UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE",
}];

/// KOD II example. From: CIRFMF/ksef-docs@d92d285 `kody-qr.md` §2 "Format podpisu" and
/// "Generowanie linku"; certificate from CIRFMF/ksef-client-csharp@ce49441
/// `KSeF.Client.Tests.Core/E2E/QrCode/QrCodeInvoiceEndpointsTests.cs` (via
/// `ksef-test-vectors.json` `kod_ii`). RSA-2048, keyUsage digitalSignature.
const KOD_II_SIGNED: &str = "qr-test.ksef.mf.gov.pl/certificate/Nip/1111111111/1111111111/01F20A5D352AE590/UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE";
const KOD_II_SIGNATURE: &str = "mSkm_XmM9fq7PgAJwiL32L9ujhyguOEV48cDB0ncemD2r9TMGa3lr0iRoFk588agCi8QPsOuscUY1rZ7ff76STbGquO-gZtQys5_fHdf2HUfDqPqVTnUS6HknBu0zLkyf9ygoW7WbH06Ty_8BgQTlOmJFzNWSt9WZa7tAGuAE9JOooNps-KG2PYkkIP4q4jPMp3FKypAygHVnXtS0RDGgOxhhM7LWtFP7D-dWINbh5yXD8Lr-JVbeOpyQjHa6WmMYavCDQJ3X_Z-iS01LZu2s1B3xuOykl1h0sLObCdADrbxOONsXrvQa61Xt_rxyprVraj2Uf9pANQgR4-12HEcMw";
const KOD_II_CERT_B64: &str = "MIIDYTCCAuagAwIBAgIIAfIKXTUq5ZAwDAYIKoZIzj0EAwQFADBtMQswCQYDVQQGEwJQTDEfMB0GA1UECgwWTWluaXN0ZXJzdHdvIEZpbmFuc8OzdzEnMCUGA1UECwweS3Jham93YSBBZG1pbmlzdHJhY2phIFNrYXJib3dhMRQwEgYDVQQDDAtUSSBDQ0sgS1NlRjAeFw0yNTA3MjkwOTI4MzdaFw0yNzA3MjkwOTI4MzdaMEwxCzAJBgNVBAYTAlBMMRkwFwYDVQRhDBBWQVRQTC01MjY1ODc3NjM1MQ0wCwYDVQQKDARCZXRhMRMwEQYDVQQDDAo1MjY1ODc3NjM1MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEArf6b3J8GpbzWx90Xic7zQX4rrSkKgmNu2oaxqp8Y7F+NypawebUD3nyGl3uaaHMg5oR9dwlDxRM3y9QdCwq98HLtGNOoETCtlMRxkjJHQQXMS4Y+3b+L5ot23PBMFibx0syblJvE7i3UhbXoD5BLu9wWxkMHKli7rk+6IOCR64qmee3+PorQbcjJE/K4E5TV3tp7ZPjtreCbfo/M8obICSpjgLVyI8VvgAQqLTWCotzVlT13/QBtVylcGxTJeHXSKeYBzMoUe+YHjFdv/HP0SeGbngEDNZJ+IyxlPvNJsKvzfoPT6xNbKOD6YYKa/TzGqbvlMZADhjgUoDUJHT1J0wIDAQABo4HDMIHAMB8GA1UdIwQYMBaAFLLUPCZi2SvB4S1Svv2oHjU0v3ywMAwGA1UdEwEB/wQCMAAwDgYDVR0PAQH/BAQDAgeAMB0GA1UdDgQWBBScmYgyDr7ZQ8sYeVL5Bx6r5z3ltjA7BgNVHR8ENDAyMDCgLqAshipodHRwczovL3B1ZXNjLmdvdi5wbC9wa2kvY3JsL21ma3NlZnRpMS5jcmwwIwYIKwYBBQUHAQMEFzAVMBMGBgQAjkYBBjAJBgcEAI5GAQYCMAwGCCqGSM49BAMEBQADZwAwZAIwfH0op1zHItXmZIZNnb4bI6iCqvXe9YUiO9YX9zdjOQ0x6iaGoiN1ZPyYMVrWENenAjBe5/LegAjY71zzHz9Qdnw6GbfH+XdQlRNLeYEjqFXevGywZZ4j1p+13HgqLe3ut4E=";

fn official_cert() -> QrCertificate {
    QrCertificate::from_der_or_pem(&STANDARD.decode(KOD_II_CERT_B64).unwrap()).unwrap()
}

fn hash(hex_str: &str) -> Sha256Hash {
    Sha256Hash(hex::decode(hex_str).unwrap().try_into().unwrap())
}

fn official_link() -> CertificateLink {
    CertificateLink::new(
        Environment::Test,
        ContextIdentifier::new(ContextType::Nip, "1111111111").unwrap(),
        "1111111111",
        CertSerial::parse("01F20A5D352AE590").unwrap(),
        hash(KOD_I[0].sha256_hex),
    )
    .unwrap()
}

#[test]
fn kod1_official_vector() {
    for v in KOD_I {
        let link =
            InvoiceLink::new(Environment::Test, v.seller_nip, v.p1, hash(v.sha256_hex)).unwrap();
        assert_eq!(link.url(), v.url);
        let QrLink::Invoice(parsed) = QrLink::parse(v.url).unwrap() else {
            panic!("KOD I expected")
        };
        assert_eq!(parsed, link);
    }
    // The const table agrees with the shared vector file.
    let json: serde_json::Value = serde_json::from_slice(
        &std::fs::read(common::ksef("spec/test-vectors/ksef-test-vectors.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(json["kod_i"]["url"], KOD_I[0].url);
    assert_eq!(json["kod_ii"]["string_signed_utf8"], KOD_II_SIGNED);
    assert_eq!(json["kod_ii"]["signature_base64url"], KOD_II_SIGNATURE);
    assert_eq!(
        json["kod_ii"]["test_certificate_der_base64"],
        KOD_II_CERT_B64
    );
}

#[test]
fn kod1_hashes_exact_bytes_and_checks_inputs() {
    let xml = b"<Faktura>\r\n</Faktura>";
    let l = InvoiceLink::for_invoice(Environment::Prod, "5265877635", "2026-03-31", xml).unwrap();
    assert_eq!(
        l.url(),
        format!(
            "https://qr.ksef.mf.gov.pl/invoice/5265877635/31-03-2026/{}",
            Sha256Hash::of(xml).to_base64url()
        )
    );
    let h = Sha256Hash::of(xml);
    assert!(matches!(
        InvoiceLink::new(Environment::Test, "0123456789", "2026-03-31", h),
        Err(QrError::InvalidNip { .. })
    ));
    assert!(matches!(
        InvoiceLink::new(Environment::Test, "5265877635", "31-03-2026", h),
        Err(QrError::InvalidDate { .. })
    ));
    assert!(matches!(
        InvoiceLink::new(Environment::Test, "5265877635", "2026-02-29", h),
        Err(QrError::InvalidDate { .. })
    ));
    let sim = Environment::custom("http://localhost:8080/qr").unwrap();
    let l = InvoiceLink::new(sim.clone(), "5265877635", "2026-03-31", h).unwrap();
    assert!(
        l.url()
            .starts_with("http://localhost:8080/qr/invoice/5265877635/")
    );
    assert!(QrLink::parse(&l.url()).is_err());
    assert!(QrLink::parse_with(&l.url(), &[sim]).is_ok());
}

#[test]
fn kod2_official_signed_data_and_signature() {
    let link = official_link();
    assert_eq!(link.signed_data(), KOD_II_SIGNED);
    let url = format!("https://{KOD_II_SIGNED}/{KOD_II_SIGNATURE}");
    let QrLink::Certificate(signed) = QrLink::parse(&url).unwrap() else {
        panic!("KOD II expected")
    };
    assert_eq!(signed.link(), &link);
    assert_eq!(signed.url(), url);
    // The official RSA-PSS signature verifies with the official certificate …
    let cert = official_cert();
    assert_eq!(cert.serial().to_string(), "01F20A5D352AE590");
    assert_eq!(
        signed.verify_signature(&cert).unwrap(),
        SignatureAlgorithm::RsaPssSha256
    );
    // … but that certificate is an Authentication one (keyUsage digitalSignature), which
    // KSeF forbids for KOD II: the full check says so.
    assert_eq!(cert.key_usage(), "digitalSignature");
    assert!(matches!(
        signed.verify(&cert),
        Err(QrError::NotOfflineCertificate { .. })
    ));
    // And we refuse to prepare a KOD II with it.
    assert!(matches!(
        link.prepare(&cert),
        Err(QrError::NotOfflineCertificate { .. })
    ));
}

#[test]
fn kod2_official_tampered_is_rejected() {
    let cert = official_cert();
    // Another seller NIP in the path.
    let url = format!("https://{KOD_II_SIGNED}/{KOD_II_SIGNATURE}")
        .replace("/1111111111/01F2", "/2222222222/01F2");
    let QrLink::Certificate(signed) = QrLink::parse(&url).unwrap() else {
        panic!()
    };
    assert!(matches!(
        signed.verify_signature(&cert),
        Err(QrError::BadSignature { .. })
    ));
    // Another serial in the link.
    let url = format!("https://{KOD_II_SIGNED}/{KOD_II_SIGNATURE}")
        .replace("01F20A5D352AE590", "01F20A5D352AE591");
    let QrLink::Certificate(signed) = QrLink::parse(&url).unwrap() else {
        panic!()
    };
    assert!(matches!(
        signed.verify_signature(&cert),
        Err(QrError::SerialMismatch { .. })
    ));
}

// ---------------------------------------------------------------------------------------
// Test PKI made with openssl.

struct TestCert {
    dir: PathBuf,
    key: PathBuf,
    cert_pem: PathBuf,
    cert: QrCertificate,
}

fn tmp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ksef-qr-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn run(cmd: &mut Command) -> Vec<u8> {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// `kind`: `rsa` or `ec`; `usage`: `nonRepudiation` (Offline) or `digitalSignature`
/// (Authentication).
fn make_cert(name: &str, kind: &str, usage: &str, serial: &str) -> TestCert {
    let dir = tmp_dir(name);
    let key = dir.join("key.pem");
    let cert_pem = dir.join("cert.pem");
    let newkey: &[&str] = if kind == "rsa" {
        &["-newkey", "rsa:2048"]
    } else {
        &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
    };
    run(Command::new("openssl")
        .args(["req", "-x509", "-new", "-nodes", "-days", "2"])
        .args(newkey)
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert_pem)
        .args(["-subj", "/CN=5265877635/C=PL", "-set_serial", serial])
        .args(["-addext", &format!("keyUsage=critical,{usage}")]));
    let cert = QrCertificate::from_der_or_pem(&std::fs::read(&cert_pem).unwrap()).unwrap();
    TestCert {
        dir,
        key,
        cert_pem,
        cert,
    }
}

/// `openssl dgst -sha256 -sign` with extra `-sigopt`s; returns the signature bytes.
fn openssl_sign(c: &TestCert, message: &[u8], sigopts: &[&str]) -> Vec<u8> {
    let msg = c.dir.join("msg.bin");
    std::fs::write(&msg, message).unwrap();
    let mut cmd = Command::new("openssl");
    cmd.args(["dgst", "-sha256", "-sign"]).arg(&c.key);
    for o in sigopts {
        cmd.args(["-sigopt", o]);
    }
    run(cmd.arg(&msg))
}

fn openssl_verify(c: &TestCert, message: &[u8], signature: &[u8], sigopts: &[&str]) -> bool {
    let msg = c.dir.join("vmsg.bin");
    let sig = c.dir.join("vsig.bin");
    let pubkey = c.dir.join("pub.pem");
    std::fs::write(&msg, message).unwrap();
    std::fs::write(&sig, signature).unwrap();
    run(Command::new("openssl")
        .args(["x509", "-pubkey", "-noout", "-in"])
        .arg(&c.cert_pem)
        .arg("-out")
        .arg(&pubkey));
    let mut cmd = Command::new("openssl");
    cmd.args(["dgst", "-sha256", "-verify"]).arg(&pubkey);
    for o in sigopts {
        cmd.args(["-sigopt", o]);
    }
    cmd.arg("-signature").arg(&sig).arg(&msg);
    cmd.output().unwrap().status.success()
}

/// node:crypto. `op` = `sign` (prints base64 signature) or `verify` (prints true/false).
fn node(c: &TestCert, op: &str, message: &[u8], signature: &[u8]) -> String {
    const SCRIPT: &str = r#"
const crypto = require('crypto'); const fs = require('fs');
const [op, keyFile, certFile, msgB64, sigB64] = process.argv.slice(1);
const msg = Buffer.from(msgB64, 'base64');
const opts = (k) => k.asymmetricKeyType === 'rsa'
  ? { key: k, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }
  : { key: k, dsaEncoding: 'ieee-p1363' };
if (op === 'sign') {
  const k = crypto.createPrivateKey(fs.readFileSync(keyFile));
  process.stdout.write(crypto.sign('sha256', msg, opts(k)).toString('base64'));
} else {
  const k = new crypto.X509Certificate(fs.readFileSync(certFile)).publicKey;
  process.stdout.write(String(crypto.verify('sha256', msg, opts(k), Buffer.from(sigB64, 'base64'))));
}
"#;
    let out = run(Command::new("node")
        .arg("-e")
        .arg(SCRIPT)
        .arg(op)
        .arg(&c.key)
        .arg(&c.cert_pem)
        .arg(STANDARD.encode(message))
        .arg(STANDARD.encode(signature)));
    String::from_utf8(out).unwrap()
}

fn link_for(cert: &QrCertificate) -> CertificateLink {
    CertificateLink::new(
        Environment::Demo,
        ContextIdentifier::new(ContextType::InternalId, "6824515772-12343").unwrap(),
        "5265877635",
        *cert.serial(),
        Sha256Hash::of(b"<Faktura/>"),
    )
    .unwrap()
}

fn reparse(url: &str) -> SignedCertificateLink {
    match QrLink::parse(url).unwrap() {
        QrLink::Certificate(s) => s,
        other => panic!("KOD II expected, got {other:?}"),
    }
}

#[test]
fn kod2_rsa_pss_two_step_with_openssl_and_node() {
    let c = make_cert("rsa", "rsa", "nonRepudiation", "0x01F20A5D352AE590");
    assert!(c.cert.is_offline());
    let (req, pending) = link_for(&c.cert).prepare(&c.cert).unwrap();
    assert_eq!(req.algorithm, SignatureAlgorithm::RsaPssSha256);
    // The message is the path itself (not its hash), without https:// and the signature.
    assert_eq!(
        req.message,
        format!(
            "qr-demo.ksef.mf.gov.pl/certificate/InternalId/6824515772-12343/5265877635/01F20A5D352AE590/{}",
            Sha256Hash::of(b"<Faktura/>").to_base64url()
        )
        .into_bytes()
    );
    let pss32 = ["rsa_padding_mode:pss", "rsa_pss_saltlen:32"];
    // Signed by openssl, finished and verified by us, re-verified by openssl and node.
    let sig = openssl_sign(&c, &req.message, &pss32);
    let signed = pending.clone().finish(&sig).unwrap();
    let url = signed.url();
    assert!(url.starts_with("https://qr-demo.ksef.mf.gov.pl/certificate/InternalId/"));
    let parsed = reparse(&url);
    assert_eq!(
        parsed.verify(&c.cert).unwrap(),
        SignatureAlgorithm::RsaPssSha256
    );
    assert!(openssl_verify(&c, &req.message, parsed.signature(), &pss32));
    assert_eq!(node(&c, "verify", &req.message, parsed.signature()), "true");
    // Signed by node (saltLength 32): accepted.
    let sig = STANDARD
        .decode(node(&c, "sign", &req.message, &[]))
        .unwrap();
    pending.clone().finish(&sig).unwrap();

    // Wrong salt lengths are named.
    for (salt, found) in [("20", 20), ("max", 222), ("0", 0)] {
        let sig = openssl_sign(
            &c,
            &req.message,
            &["rsa_padding_mode:pss", &format!("rsa_pss_saltlen:{salt}")],
        );
        assert_eq!(
            pending.clone().finish(&sig).unwrap_err(),
            QrError::PssSaltLength { found },
            "salt {salt}"
        );
    }
    // PKCS#1 v1.5 instead of PSS, or signing the hash instead of the path: rejected.
    let sig = openssl_sign(&c, &req.message, &[]);
    assert!(matches!(
        pending.clone().finish(&sig),
        Err(QrError::BadSignature { .. })
    ));
    let digest = Sha256Hash::of(&req.message).0;
    let sig = openssl_sign(&c, &digest, &pss32);
    assert!(matches!(
        pending.clone().finish(&sig),
        Err(QrError::BadSignature { .. })
    ));
    // Signing the full URL with https:// is wrong too.
    let mut with_scheme = b"https://".to_vec();
    with_scheme.extend_from_slice(&req.message);
    let sig = openssl_sign(&c, &with_scheme, &pss32);
    assert!(matches!(
        pending.finish(&sig),
        Err(QrError::BadSignature { .. })
    ));
    // A tampered path does not verify.
    let tampered = url.replace("/5265877635/", "/5265877636/");
    assert!(matches!(
        reparse(&tampered).verify(&c.cert),
        Err(QrError::BadSignature { .. })
    ));
}

#[test]
fn kod2_ecdsa_p1363_and_der_with_openssl_and_node() {
    let c = make_cert("ec", "ec", "nonRepudiation", "0x7A0000000000BEEF");
    assert_eq!(c.cert.serial().to_string(), "7A0000000000BEEF");
    let (req, pending) = link_for(&c.cert).prepare(&c.cert).unwrap();
    assert_eq!(req.algorithm, SignatureAlgorithm::EcdsaP256Sha256P1363);
    // openssl gives DER: accepted, and the link carries P1363 (64 bytes).
    let der = openssl_sign(&c, &req.message, &[]);
    assert_eq!(der[0], 0x30);
    let signed = pending.clone().finish(&der).unwrap();
    assert_eq!(signed.signature().len(), 64);
    let parsed = reparse(&signed.url());
    assert_eq!(
        parsed.verify(&c.cert).unwrap(),
        SignatureAlgorithm::EcdsaP256Sha256P1363
    );
    assert_eq!(node(&c, "verify", &req.message, parsed.signature()), "true");
    // node signs P1363: accepted as is.
    let p1363 = STANDARD
        .decode(node(&c, "sign", &req.message, &[]))
        .unwrap();
    assert_eq!(p1363.len(), 64);
    let signed = pending.clone().finish(&p1363).unwrap();
    assert_eq!(signed.signature(), &p1363[..]);
    // The prechecked path (key already matched to the certificate) gives the same link,
    // and still refuses a signature of the wrong shape.
    let fast = pending.clone().finish_prechecked(&p1363).unwrap();
    assert_eq!(fast.url(), signed.url());
    assert!(pending.clone().finish_prechecked(&der).is_err());
    // Both S forms verify (openssl and Java do not normalise S to the low half).
    let sig = p256::ecdsa::Signature::from_slice(&p1363).unwrap();
    let low = sig.normalize_s();
    let high =
        p256::ecdsa::Signature::from_scalars(low.r().to_bytes(), (-low.s()).to_bytes()).unwrap();
    for s in [low, high] {
        pending.clone().finish(&s.to_bytes()).unwrap();
    }
    // A link carrying a DER signature (the Java default) verifies too.
    let der_url = format!(
        "https://{}/{}",
        String::from_utf8(req.message.clone()).unwrap(),
        URL_SAFE_NO_PAD.encode(&der)
    );
    assert_eq!(
        reparse(&der_url).verify(&c.cert).unwrap(),
        SignatureAlgorithm::EcdsaP256Sha256Der
    );
    // Tampered path, truncated signature, signature over the hash: rejected.
    let tampered = signed
        .url()
        .replace("/InternalId/6824515772-12343/", "/Nip/6824515772/");
    assert!(matches!(
        reparse(&tampered).verify(&c.cert),
        Err(QrError::BadSignature { .. })
    ));
    assert!(matches!(
        pending.clone().finish(&p1363[..63]),
        Err(QrError::BadSignature { .. })
    ));
    let over_hash = openssl_sign(&c, &Sha256Hash::of(&req.message).0, &[]);
    assert!(matches!(
        pending.finish(&over_hash),
        Err(QrError::BadSignature { .. })
    ));
}

#[test]
fn kod2_refuses_authentication_and_foreign_certificates() {
    let auth = make_cert("auth", "ec", "digitalSignature", "0x0102030405060708");
    assert!(!auth.cert.is_offline());
    let err = link_for(&auth.cert).prepare(&auth.cert).unwrap_err();
    assert!(matches!(err, QrError::NotOfflineCertificate { .. }));
    assert!(err.to_string().contains("digitalSignature"), "{err}");
    // A valid signature by an Authentication certificate: the signature check passes,
    // the full check does not.
    let msg = link_for(&auth.cert).signed_data();
    let sig = openssl_sign(&auth, msg.as_bytes(), &[]);
    let url = format!("https://{msg}/{}", URL_SAFE_NO_PAD.encode(&sig));
    let parsed = reparse(&url);
    assert!(parsed.verify_signature(&auth.cert).is_ok());
    assert!(matches!(
        parsed.verify(&auth.cert),
        Err(QrError::NotOfflineCertificate { .. })
    ));
    // Another Offline certificate (other serial) for this link: serial mismatch.
    let other = make_cert("other", "ec", "nonRepudiation", "0x0102030405060709");
    assert!(matches!(
        link_for(&auth.cert).prepare(&other.cert),
        Err(QrError::SerialMismatch { .. })
    ));
    assert!(matches!(
        parsed.verify(&other.cert),
        Err(QrError::SerialMismatch { .. })
    ));
}

// ---------------------------------------------------------------------------------------
// One call with the crypto module's Offline key type.

fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}

/// Python `cryptography` verifies a KOD II signature (RSA-PSS salt 32, or ECDSA from
/// P1363 via `encode_dss_signature`); prints `ok`.
fn python_verify(c: &TestCert, message: &[u8], signature: &[u8]) -> String {
    let python = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/python");
    let out = run(Command::new(python)
        .arg("-c")
        .arg(
            r#"
import sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils
cert = x509.load_pem_x509_certificate(open(sys.argv[1], 'rb').read())
msg, sig = bytes.fromhex(sys.argv[2]), bytes.fromhex(sys.argv[3])
k = cert.public_key()
if isinstance(k, rsa.RSAPublicKey):
    k.verify(sig, msg, padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32), hashes.SHA256())
else:
    assert len(sig) == 64
    der = utils.encode_dss_signature(int.from_bytes(sig[:32], 'big'), int.from_bytes(sig[32:], 'big'))
    k.verify(der, msg, ec.ECDSA(hashes.SHA256()))
print('ok')
"#,
        )
        .arg(&c.cert_pem)
        .arg(hex::encode(message))
        .arg(hex::encode(signature)));
    String::from_utf8(out).unwrap()
}

#[test]
fn kod2_signed_by_us_verifies_in_openssl_node_and_python() {
    let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
    for (name, kind) in [("our-rsa", "rsa"), ("our-ec", "ec")] {
        let c = make_cert(name, kind, "nonRepudiation", "0x01F20A5D352AE590");
        let key = ksef_core::qr::offline_key(
            &std::fs::read(&c.cert_pem).unwrap(),
            &std::fs::read(&c.key).unwrap(),
            None,
            now(),
        )
        .unwrap();
        let link = link_for(&c.cert);
        let message = link.signed_data().into_bytes();
        let signed = link.sign(&key, &mut rng).unwrap();
        let parsed = reparse(&signed.url());
        assert!(parsed.verify(&c.cert).is_ok());
        let sig = parsed.signature().to_vec();
        // openssl: RSA-PSS salt 32 as is; ECDSA after P1363 → DER.
        if kind == "rsa" {
            assert_eq!(sig.len(), 256);
            assert!(openssl_verify(
                &c,
                &message,
                &sig,
                &["rsa_padding_mode:pss", "rsa_pss_saltlen:32"]
            ));
            // A verifier insisting on another salt length rejects it: the salt is 32.
            assert!(!openssl_verify(
                &c,
                &message,
                &sig,
                &["rsa_padding_mode:pss", "rsa_pss_saltlen:20"]
            ));
        } else {
            assert_eq!(sig.len(), 64);
            let der = p256::ecdsa::Signature::from_slice(&sig).unwrap().to_der();
            assert!(openssl_verify(&c, &message, der.as_bytes(), &[]));
        }
        assert_eq!(node(&c, "verify", &message, &sig), "true", "{kind}");
        assert_eq!(python_verify(&c, &message, &sig), "ok\n", "{kind}");
    }
}

#[test]
fn kod2_offline_key_refuses_an_authentication_certificate() {
    let auth = make_cert("auth-key", "rsa", "digitalSignature", "0x0A0B0C0D0E0F0102");
    let err = ksef_core::qr::offline_key(
        &std::fs::read(&auth.cert_pem).unwrap(),
        &std::fs::read(&auth.key).unwrap(),
        None,
        now(),
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            QrError::Credential(ksef_core::crypto::CredentialError::WrongCertificateType {
                found: ksef_core::crypto::KsefCertificateType::Authentication,
                ..
            })
        ),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains("KOD II") && msg.contains("Authentication"),
        "{msg}"
    );
    // The official TEST certificate is an Authentication one too.
    assert!(!official_cert().is_offline());
}

// ---------------------------------------------------------------------------------------
// SVG.

/// Reads back the dark modules from the `<path d="M{x} {y}h{n}v1h-{n}z…">` we emit.
fn modules_from_svg(svg_text: &str, width: usize) -> Vec<bool> {
    let start = svg_text.find(" d=\"").unwrap() + 4;
    let end = start + svg_text[start..].find('"').unwrap();
    let side = width + 2 * svg::QUIET_ZONE;
    let vb = svg_text.find("viewBox=\"0 0 ").unwrap() + 13;
    let canvas: usize = svg_text[vb..].split(' ').next().unwrap().parse().unwrap();
    let dx = (canvas - side) / 2;
    let mut dark = vec![false; side * side];
    for run in svg_text[start..end].split('z').filter(|r| !r.is_empty()) {
        let r = run.strip_prefix('M').unwrap();
        let (xy, rest) = r.split_once('h').unwrap();
        let (x, y) = xy.split_once(' ').unwrap();
        let (n, back) = rest.split_once("v1h-").unwrap();
        assert_eq!(n, back);
        let (x, y, n): (usize, usize, usize) =
            (x.parse().unwrap(), y.parse().unwrap(), n.parse().unwrap());
        for i in x - dx..x - dx + n {
            assert!(!dark[y * side + i], "overlapping runs");
            dark[y * side + i] = true;
        }
    }
    // The quiet zone stays light.
    for y in 0..side {
        for x in 0..side {
            let inside = (svg::QUIET_ZONE..svg::QUIET_ZONE + width).contains(&x)
                && (svg::QUIET_ZONE..svg::QUIET_ZONE + width).contains(&y);
            assert!(inside || !dark[y * side + x], "dark module in quiet zone");
        }
    }
    let mut inner = Vec::with_capacity(width * width);
    for y in 0..width {
        for x in 0..width {
            inner.push(dark[(y + svg::QUIET_ZONE) * side + x + svg::QUIET_ZONE]);
        }
    }
    inner
}

/// The same symbol built by the `qrcode` crate alone (byte mode, same version, same mask).
fn qrcode_reference(data: &str, m: &QrMatrix, level: qrcode::EcLevel) -> Vec<bool> {
    use qrcode::canvas::{Canvas, MaskPattern};
    let version = qrcode::Version::Normal(m.version());
    let mut bits = qrcode::bits::Bits::new(version);
    bits.push_byte_data(data.as_bytes()).unwrap();
    bits.push_terminator(level).unwrap();
    let (data, ec) = qrcode::ec::construct_codewords(&bits.into_bytes(), version, level).unwrap();
    let mut c = Canvas::new(version, level);
    c.draw_all_functional_patterns();
    c.draw_data(&data, &ec);
    c.apply_mask(
        [
            MaskPattern::Checkerboard,
            MaskPattern::HorizontalLines,
            MaskPattern::VerticalLines,
            MaskPattern::DiagonalLines,
            MaskPattern::LargeCheckerboard,
            MaskPattern::Fields,
            MaskPattern::Diamonds,
            MaskPattern::Meadow,
        ][usize::from(m.mask())],
    );
    c.into_colors()
        .into_iter()
        .map(|c| c == qrcode::Color::Dark)
        .collect()
}

fn kod2_official_url() -> String {
    format!("https://{KOD_II_SIGNED}/{KOD_II_SIGNATURE}")
}

#[test]
fn svg_modules_match_the_qr_matrix() {
    for (url, label, ec, level) in [
        (
            KOD_I[0].url.to_owned(),
            "OFFLINE",
            ErrorCorrection::M,
            qrcode::EcLevel::M,
        ),
        (
            kod2_official_url(),
            "CERTYFIKAT",
            ErrorCorrection::Q,
            qrcode::EcLevel::Q,
        ),
    ] {
        let opts = SvgOptions {
            error_correction: ec,
            ..SvgOptions::default()
        };
        let out = svg::render(&url, label, &opts).unwrap();
        assert_eq!(
            out,
            svg::render(&url, label, &opts).unwrap(),
            "deterministic"
        );
        let m = QrMatrix::encode(url.as_bytes(), ec).unwrap();
        let from_svg = modules_from_svg(&out, m.width());
        let ours: Vec<bool> = (0..m.width())
            .flat_map(|y| (0..m.width()).map(move |x| (x, y)))
            .map(|(x, y)| m.is_dark(x, y))
            .collect();
        assert_eq!(from_svg, ours);
        assert_eq!(from_svg, qrcode_reference(&url, &m, level));
        assert!(out.contains(&format!(">{label}</text>")));
        // Print size: 0.5 mm modules, quiet zone included.
        let side = m.width() + 8;
        assert!(out.contains(&format!("viewBox=\"0 0 {side} ")));
        let mm = side as f64 * 0.5;
        assert!(m.version() <= 20, "{}", m.version());
        assert!(out.contains(&format!("width=\"{mm}mm\"")), "{mm}");
    }
}

#[test]
fn svg_long_label_widens_the_canvas_not_the_symbol() {
    let label = "5265877635-20250729-01004014E040-00";
    let out = svg::render(KOD_I[0].url, label, &SvgOptions::default()).unwrap();
    let m = QrMatrix::encode(KOD_I[0].url.as_bytes(), ErrorCorrection::M).unwrap();
    assert_eq!(modules_from_svg(&out, m.width()), {
        let mut v = Vec::new();
        for y in 0..m.width() {
            for x in 0..m.width() {
                v.push(m.is_dark(x, y));
            }
        }
        v
    });
    // The font stays at least 2 mm (4 modules of 0.5 mm).
    assert!(out.contains("font-size=\"4\""), "{out}");
}

#[test]
fn svg_label_is_escaped_and_checked() {
    let out = svg::render("x", "<A&B>", &SvgOptions::default()).unwrap();
    assert!(out.contains(">&lt;A&amp;B&gt;</text>"));
    assert!(matches!(
        svg::render("x", "", &SvgOptions::default()),
        Err(QrError::InvalidLabel(_))
    ));
    let small = SvgOptions {
        module_um: 300,
        ..SvgOptions::default()
    };
    assert!(matches!(
        svg::render("x", "OFFLINE", &small),
        Err(QrError::Render(_))
    ));
}

/// Independent oracle: librsvg renders our SVG to PNG and zxing-cpp decodes it. Both come
/// from `scripts/setup`; outside CI the test is skipped if they are missing.
#[test]
fn svg_decodes_with_rsvg_and_zxing() {
    let python = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/python");
    let have_rsvg = Command::new("rsvg-convert")
        .arg("--version")
        .output()
        .is_ok();
    let have_zxing = Command::new(&python)
        .args(["-c", "import zxingcpp, PIL"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !(have_rsvg && have_zxing) {
        assert!(
            std::env::var_os("CI").is_none(),
            "rsvg-convert and zxing-cpp are required in CI (bash scripts/setup)"
        );
        eprintln!("skipped: rsvg-convert or .venv zxing-cpp missing (bash scripts/setup)");
        return;
    }
    let dir = tmp_dir("svg");
    let ksef_number = "5265877635-20250729-01004014E040-00";
    for (i, (url, label)) in [
        (KOD_I[0].url.to_owned(), ksef_number),
        (kod2_official_url(), "CERTYFIKAT"),
    ]
    .into_iter()
    .enumerate()
    {
        let svg_path = dir.join(format!("{i}.svg"));
        let png_path = dir.join(format!("{i}.png"));
        std::fs::write(
            &svg_path,
            svg::render(&url, label, &SvgOptions::default()).unwrap(),
        )
        .unwrap();
        // 8 px per mm ≈ 203 dpi, a thermal-printer resolution: 4 px per module.
        run(Command::new("rsvg-convert")
            .args(["--dpi-x", "203", "--dpi-y", "203", "-o"])
            .arg(&png_path)
            .arg(&svg_path));
        let decoded = run(Command::new(&python)
            .args([
                "-c",
                "import sys, zxingcpp; from PIL import Image; \
                 r = zxingcpp.read_barcodes(Image.open(sys.argv[1]).convert('L')); \
                 sys.stdout.write('\\n'.join(b.format.name + ' ' + b.text for b in r))",
            ])
            .arg(&png_path));
        assert_eq!(
            String::from_utf8(decoded).unwrap(),
            format!("QRCode {url}"),
            "{label}"
        );
    }
}
