//! XAdES-BES over `AuthTokenRequest` against independent oracles (DIGEST §5.2).
//!
//! Keys and self-signed certificates are generated with `openssl` into a temporary
//! directory for each test (never committed). Oracles: `xmlsec1` 1.2.37 (verifies our
//! RSA and ECDSA signatures; signs templates that our verifier must accept), PyPI
//! `signxml` 5.2.0 (verifies ours; signs XAdES with rsa-sha256, RSA-PSS and ECDSA),
//! `xmllint` with the official `AuthTokenRequest.xsd`, and Python `cryptography` for
//! certificate facts (issuer, serial, digest) computed without our code.

mod common;

use ksef_core::crypto::{SignRequest, SignatureAlgorithm};
use ksef_core::xades::{
    self, AllowedIps, AuthTokenRequest, ContextIdentifier, ReferenceTarget, RequestError,
    SubjectIdentifierType, XadesError,
};
use std::path::{Path, PathBuf};
use std::process::Command;
use time::macros::datetime;

const CHALLENGE: &str = "20250604-CR-461EA5B000-537A6BA15D-D7";
const SUBJECT: &str = "/CN=Jan Testowy/serialNumber=TINPL-5265877635/C=PL/givenName=Jan/surname=Testowy";

/// A temporary directory removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let p = std::env::temp_dir().join(format!("ksef-xades-{}-{tag}-{n}", std::process::id()));
        std::fs::create_dir_all(&p).expect("temp dir");
        TempDir(p)
    }
    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
    fn write(&self, name: &str, data: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, data).expect("write temp file");
        p
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn run(cmd: &mut Command) -> std::process::Output {
    let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    out
}

fn run_ok(cmd: &mut Command) -> Vec<u8> {
    let out = run(cmd);
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Kind {
    Rsa,
    Ec,
}

/// A key pair and a self-signed certificate made by openssl.
struct Pki {
    dir: TempDir,
    kind: Kind,
    key_pem: String,
    cert_der: Vec<u8>,
}

impl Pki {
    fn new(kind: Kind) -> Self {
        Self::with_key_args(
            kind,
            match kind {
                Kind::Rsa => &["-newkey", "rsa:2048"],
                Kind::Ec => &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
            },
        )
    }

    fn with_key_args(kind: Kind, key_args: &[&str]) -> Self {
        let dir = TempDir::new(match kind {
            Kind::Rsa => "rsa",
            Kind::Ec => "ec",
        });
        run_ok(
            Command::new("openssl")
                .args(["req", "-x509", "-nodes", "-days", "30", "-subj", SUBJECT])
                .args(key_args)
                .args(["-addext", "keyUsage=critical,digitalSignature"])
                .arg("-keyout")
                .arg(dir.path("key.pem"))
                .arg("-out")
                .arg(dir.path("cert.pem")),
        );
        run_ok(
            Command::new("openssl")
                .args(["x509", "-outform", "DER", "-in"])
                .arg(dir.path("cert.pem"))
                .arg("-out")
                .arg(dir.path("cert.der")),
        );
        let key_pem = std::fs::read_to_string(dir.path("key.pem")).expect("key");
        let cert_der = std::fs::read(dir.path("cert.der")).expect("cert");
        Pki {
            dir,
            kind,
            key_pem,
            cert_der,
        }
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        match self.kind {
            Kind::Rsa => SignatureAlgorithm::RsaPkcs1v15Sha256,
            Kind::Ec => SignatureAlgorithm::EcdsaP256Sha256P1363,
        }
    }

    /// Signs a [`SignRequest`] with the private key in pure Rust (rsa / p256).
    fn sign(&self, req: &SignRequest) -> Result<Vec<u8>, String> {
        sign_pem(&self.key_pem, req)
    }

    fn sign_doc(&self, request: &AuthTokenRequest) -> Vec<u8> {
        xades::sign_with(request, &self.cert_der, signing_time(), self.algorithm(), |r| self.sign(r))
            .expect("sign")
    }
}

fn sign_pem(key_pem: &str, req: &SignRequest) -> Result<Vec<u8>, String> {
    use pkcs8::DecodePrivateKey;
    match req.algorithm {
        SignatureAlgorithm::RsaPkcs1v15Sha256 => {
            let k = rsa::PrivateKey::from_pkcs8_pem(key_pem).map_err(|e| e.to_string())?;
            k.pkcs1v15_sign::<sha2::Sha256>(&req.message).map_err(|e| e.to_string())
        }
        SignatureAlgorithm::EcdsaP256Sha256P1363 => {
            use p256::ecdsa::signature::Signer;
            let k = p256::ecdsa::SigningKey::from_pkcs8_pem(key_pem).map_err(|e| e.to_string())?;
            let s: p256::ecdsa::Signature = k.sign(&req.message);
            Ok(s.to_bytes().to_vec())
        }
        other => Err(format!("{other:?} not used in these tests")),
    }
}

fn signing_time() -> time::OffsetDateTime {
    datetime!(2026-11-24 05:59:00 UTC)
}

fn request() -> AuthTokenRequest {
    AuthTokenRequest::new(
        CHALLENGE,
        ContextIdentifier::Nip("5265877635".into()),
        SubjectIdentifierType::CertificateSubject,
    )
    .expect("request")
}

/// `<repo>/.venv/bin/python` with signxml + cryptography (`bash scripts/setup`).
fn python() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/python");
    assert!(p.exists(), "{} missing: run `bash scripts/setup`", p.display());
    p
}

/// Runs a Python snippet with arguments; returns stdout.
fn py(dir: &TempDir, script: &str, args: &[&Path]) -> Result<String, String> {
    let s = dir.write("oracle.py", script);
    let out = run(Command::new(python()).arg(s).args(args));
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

const XADES_ID_ATTR: &str = "--id-attr:Id";
const XADES_SP: &str = "http://uri.etsi.org/01903/v1.3.2#:SignedProperties";

/// `xmlsec1 --verify` with the certificate as the only trusted one.
fn xmlsec1_verify(dir: &TempDir, xml: &[u8]) -> Result<(), String> {
    let f = dir.write("to-verify.xml", xml);
    let out = run(
        Command::new("xmlsec1")
            .args(["--verify", XADES_ID_ATTR, XADES_SP, "--trusted-pem"])
            .arg(dir.path("cert.pem"))
            .arg(f),
    );
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

const SIGNXML_VERIFY: &str = r#"
import sys
from signxml import XMLVerifier
data = open(sys.argv[1], "rb").read()
cert = open(sys.argv[2]).read()
res = XMLVerifier().verify(data, x509_cert=cert, expect_references=2)
print(len(res))
for r in res:
    print(r.signed_xml.tag if r.signed_xml is not None else None)
"#;

// ---------------------------------------------------------------------------------
// Our signatures, checked by the oracles.

fn check_ours_with_oracles(kind: Kind) {
    let pki = Pki::new(kind);
    let xml = pki.sign_doc(&request());
    // (a) xmlsec1
    xmlsec1_verify(&pki.dir, &xml).unwrap_or_else(|e| panic!("xmlsec1 rejected our {kind:?} signature: {e}"));
    // (b) signxml: two references, the document and the SignedProperties
    let f = pki.dir.write("signed.xml", &xml);
    let out = py(&pki.dir, SIGNXML_VERIFY, &[&f, &pki.dir.path("cert.pem")])
        .unwrap_or_else(|e| panic!("signxml rejected our {kind:?} signature: {e}"));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "2", "{out}");
    assert_eq!(lines[1], "{http://ksef.mf.gov.pl/auth/token/2.0}AuthTokenRequest", "{out}");
    assert_eq!(lines[2], "{http://uri.etsi.org/01903/v1.3.2#}SignedProperties", "{out}");
    // and our own verifier
    let v = xades::verify(&xml).expect("our verifier");
    assert_eq!(v.request, request());
}

#[test]
fn rsa_signature_verifies_in_xmlsec1_and_signxml() {
    check_ours_with_oracles(Kind::Rsa);
}

#[test]
fn ecdsa_signature_verifies_in_xmlsec1_and_signxml() {
    check_ours_with_oracles(Kind::Ec);
}

#[test]
fn two_step_equals_one_call_for_rsa_pkcs1v15() {
    let pki = Pki::new(Kind::Rsa);
    let req = request();
    let one_call = pki.sign_doc(&req);
    let prepared = xades::prepare(&req, &pki.cert_der, signing_time(), pki.algorithm()).expect("prepare");
    let sr = prepared.sign_request();
    assert_eq!(sr.algorithm, SignatureAlgorithm::RsaPkcs1v15Sha256);
    assert!(sr.message.starts_with(b"<ds:SignedInfo xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\">"));
    // The message is the canonical SignedInfo itself, never a digest of it.
    assert!(sr.message.len() > 500);
    let sig = pki.sign(&sr).expect("sign");
    let two_step = prepared.finish(&sig).expect("finish");
    assert_eq!(one_call, two_step);
}

/// The SignRequest message equals the exclusive C14N of SignedInfo computed by lxml
/// (the C library libxml2 under signxml) from the final document.
#[test]
fn sign_request_is_lxml_exclusive_c14n_of_signed_info() {
    for kind in [Kind::Rsa, Kind::Ec] {
        let pki = Pki::new(kind);
        let prepared = xades::prepare(&request(), &pki.cert_der, signing_time(), pki.algorithm()).expect("prepare");
        let xml = prepared.finish(&pki.sign(&prepared.sign_request()).expect("sign")).expect("finish");
        let f = pki.dir.write("signed.xml", &xml);
        let out = pki.dir.path("si.c14n");
        py(
            &pki.dir,
            r#"
import sys
from lxml import etree
doc = etree.parse(sys.argv[1])
si = doc.find(".//{http://www.w3.org/2000/09/xmldsig#}SignedInfo")
open(sys.argv[2], "wb").write(etree.tostring(si, method="c14n", exclusive=True))
"#,
            &[&f, &out],
        )
        .expect("lxml");
        assert_eq!(std::fs::read(out).expect("c14n"), prepared.signed_info(), "{kind:?}");
    }
}

const STRIP_SIGNATURE: &str = r#"
import sys
from lxml import etree
doc = etree.parse(sys.argv[1])
for s in doc.getroot().findall("{http://www.w3.org/2000/09/xmldsig#}Signature"):
    s.getparent().remove(s)
doc.write(sys.argv[2], xml_declaration=True, encoding="utf-8")
"#;

/// (c) The official schema has no wildcard for ds:Signature (the Java SDK's copy of
/// the 2.0 XSD, like the 2.1 one): a signed document validates once the signature is
/// removed, and strict validation of the signed document fails only on ds:Signature.
#[test]
fn signed_request_matches_the_official_xsd() {
    let pki = Pki::new(Kind::Ec);
    let xsd20 = common::ksef("schemas/auth/AuthTokenRequest.xsd");
    let xsd21 = common::ksef("schemas/auth/schemat_auth_v2-1.xsd");
    let ips = AllowedIps {
        ip4_addresses: vec!["192.168.1.10".into()],
        ip4_ranges: vec!["10.0.0.1-10.0.0.20".into()],
        ip4_masks: vec!["172.16.0.0/12".into()],
    };
    let cases = [
        (request(), &xsd20),
        (
            AuthTokenRequest::new(
                CHALLENGE,
                ContextIdentifier::InternalId("5265877635-12345".into()),
                SubjectIdentifierType::CertificateFingerprint,
            )
            .expect("request")
            .with_allowed_ips(ips.clone())
            .expect("ips"),
            &xsd20,
        ),
        (
            request()
                .with_version(xades::AuthTokenVersion::V2_1)
                .with_allowed_ips(ips)
                .expect("ips"),
            &xsd21,
        ),
    ];
    for (req, xsd) in cases {
        common::xmllint_validate(req.to_xml().as_bytes(), xsd).unwrap_or_else(|e| panic!("unsigned: {e}"));
        let xml = pki.sign_doc(&req);
        let err = common::xmllint_validate(&xml, xsd).expect_err("xsd declares no ds:Signature");
        assert!(err.contains("Signature': This element is not expected"), "{err}");
        let f = pki.dir.write("signed.xml", &xml);
        let stripped = pki.dir.path("stripped.xml");
        py(&pki.dir, STRIP_SIGNATURE, &[&f, &stripped]).expect("strip");
        common::xmllint_validate(&std::fs::read(&stripped).expect("read"), xsd)
            .unwrap_or_else(|e| panic!("signature removed: {e}"));
        // Our verifier returns exactly the fields we signed.
        assert_eq!(xades::verify(&xml).expect("verify").request, req);
    }
}

// ---------------------------------------------------------------------------------
// (d) Tampering with any signed byte is detected, with the right error.

fn tamper(xml: &[u8], from: &str, to: &str) -> Vec<u8> {
    let s = String::from_utf8(xml.to_vec()).expect("utf-8");
    assert_eq!(s.matches(from).count(), 1, "{from:?} must occur once");
    s.replacen(from, to, 1).into_bytes()
}

fn between<'a>(s: &'a str, open: &str, close: &str) -> &'a str {
    let a = s.find(open).expect("open tag") + open.len();
    let b = a + s[a..].find(close).expect("close tag");
    &s[a..b]
}

#[test]
fn tampering_is_detected() {
    for kind in [Kind::Rsa, Kind::Ec] {
        let pki = Pki::new(kind);
        let xml = pki.sign_doc(&request());
        let s = String::from_utf8(xml.clone()).expect("utf-8");
        let cert_digest = between(&s, "<xades:CertDigest>", "</xades:CertDigest>");
        let cert_digest_value = between(cert_digest, "<ds:DigestValue>", "</ds:DigestValue>");
        let sig_value = between(&s, "<ds:SignatureValue>", "</ds:SignatureValue>");
        let doc_digest = between(&s, "<ds:DigestValue>", "</ds:DigestValue>");
        let flip = |b64: &str| {
            let mut c: Vec<char> = b64.chars().collect();
            c[5] = if c[5] == 'A' { 'B' } else { 'A' };
            c.into_iter().collect::<String>()
        };
        let cases: Vec<(&str, Vec<u8>, XadesError)> = vec![
            (
                "challenge",
                tamper(&xml, CHALLENGE, "20250604-CR-461EA5B000-537A6BA15D-D8"),
                XadesError::DigestMismatch(ReferenceTarget::Document),
            ),
            (
                "context value",
                tamper(&xml, "<Nip>5265877635</Nip>", "<Nip>5265877636</Nip>"),
                XadesError::DigestMismatch(ReferenceTarget::Document),
            ),
            (
                "subject type",
                tamper(&xml, ">certificateSubject<", ">certificateFingerprint<"),
                XadesError::DigestMismatch(ReferenceTarget::Document),
            ),
            (
                "signing time",
                tamper(&xml, "2026-11-24T05:59:00Z", "2026-11-24T05:58:00Z"),
                XadesError::DigestMismatch(ReferenceTarget::SignedProperties),
            ),
            (
                "cert digest",
                tamper(&xml, cert_digest_value, &flip(cert_digest_value)),
                XadesError::DigestMismatch(ReferenceTarget::SignedProperties),
            ),
            (
                "signature value",
                tamper(&xml, sig_value, &flip(sig_value)),
                XadesError::BadSignature,
            ),
            (
                "a digest in SignedInfo",
                tamper(&xml, doc_digest, &flip(doc_digest)),
                XadesError::BadSignature,
            ),
            (
                "signature method",
                tamper(
                    &xml,
                    if kind == Kind::Rsa { "#rsa-sha256" } else { "#ecdsa-sha256" },
                    if kind == Kind::Rsa { "#rsa-sha512" } else { "#ecdsa-sha512" },
                ),
                XadesError::BadSignature,
            ),
        ];
        for (what, bad, want) in cases {
            assert_eq!(xades::verify(&bad).map(|_| ()), Err(want), "{kind:?}: tampered {what}");
            // The independent oracle agrees that the tampered document is invalid.
            assert!(xmlsec1_verify(&pki.dir, &bad).is_err(), "{kind:?}: xmlsec1 accepted tampered {what}");
        }
        // Untouched, both accept.
        xmlsec1_verify(&pki.dir, &xml).expect("xmlsec1");
        xades::verify(&xml).expect("ours");
    }
}
