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
const SUBJECT: &str =
    "/CN=Jan Testowy/serialNumber=TINPL-5265877635/C=PL/givenName=Jan/surname=Testowy";

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
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
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
        xades::sign_with(
            request,
            &self.cert_der,
            signing_time(),
            self.algorithm(),
            |r| self.sign(r),
        )
        .expect("sign")
    }
}

fn sign_pem(key_pem: &str, req: &SignRequest) -> Result<Vec<u8>, String> {
    use pkcs8::DecodePrivateKey;
    match req.algorithm {
        SignatureAlgorithm::RsaPkcs1v15Sha256 => {
            let k = rsa::PrivateKey::from_pkcs8_pem(key_pem).map_err(|e| e.to_string())?;
            k.pkcs1v15_sign::<sha2::Sha256>(&req.message)
                .map_err(|e| e.to_string())
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
    assert!(
        p.exists(),
        "{} missing: run `bash scripts/setup`",
        p.display()
    );
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
    let out = run(Command::new("xmlsec1")
        .args(["--verify", XADES_ID_ATTR, XADES_SP, "--trusted-pem"])
        .arg(dir.path("cert.pem"))
        .arg(f));
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
    xmlsec1_verify(&pki.dir, &xml)
        .unwrap_or_else(|e| panic!("xmlsec1 rejected our {kind:?} signature: {e}"));
    // (b) signxml: two references, the document and the SignedProperties
    let f = pki.dir.write("signed.xml", &xml);
    let out = py(&pki.dir, SIGNXML_VERIFY, &[&f, &pki.dir.path("cert.pem")])
        .unwrap_or_else(|e| panic!("signxml rejected our {kind:?} signature: {e}"));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "2", "{out}");
    assert_eq!(
        lines[1], "{http://ksef.mf.gov.pl/auth/token/2.0}AuthTokenRequest",
        "{out}"
    );
    assert_eq!(
        lines[2], "{http://uri.etsi.org/01903/v1.3.2#}SignedProperties",
        "{out}"
    );
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
    let prepared =
        xades::prepare(&req, &pki.cert_der, signing_time(), pki.algorithm()).expect("prepare");
    let sr = prepared.sign_request();
    assert_eq!(sr.algorithm, SignatureAlgorithm::RsaPkcs1v15Sha256);
    assert!(
        sr.message
            .starts_with(b"<ds:SignedInfo xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\">")
    );
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
        let prepared = xades::prepare(&request(), &pki.cert_der, signing_time(), pki.algorithm())
            .expect("prepare");
        let xml = prepared
            .finish(&pki.sign(&prepared.sign_request()).expect("sign"))
            .expect("finish");
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
        assert_eq!(
            std::fs::read(out).expect("c14n"),
            prepared.signed_info(),
            "{kind:?}"
        );
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
        common::xmllint_validate(req.to_xml().as_bytes(), xsd)
            .unwrap_or_else(|e| panic!("unsigned: {e}"));
        let xml = pki.sign_doc(&req);
        let err = common::xmllint_validate(&xml, xsd).expect_err("xsd declares no ds:Signature");
        assert!(
            err.contains("Signature': This element is not expected"),
            "{err}"
        );
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
                    if kind == Kind::Rsa {
                        "#rsa-sha256"
                    } else {
                        "#ecdsa-sha256"
                    },
                    if kind == Kind::Rsa {
                        "#rsa-sha512"
                    } else {
                        "#ecdsa-sha512"
                    },
                ),
                XadesError::BadSignature,
            ),
        ];
        for (what, bad, want) in cases {
            assert_eq!(
                xades::verify(&bad).map(|_| ()),
                Err(want),
                "{kind:?}: tampered {what}"
            );
            // The independent oracle agrees that the tampered document is invalid.
            assert!(
                xmlsec1_verify(&pki.dir, &bad).is_err(),
                "{kind:?}: xmlsec1 accepted tampered {what}"
            );
        }
        // Untouched, both accept.
        xmlsec1_verify(&pki.dir, &xml).expect("xmlsec1");
        xades::verify(&xml).expect("ours");
    }
}

// ---------------------------------------------------------------------------------
// (e) Signatures made by the oracles verify in our verifier.

/// Writes an xmlsec1 template: a XAdES-BES skeleton whose SignedProperties are
/// computed by Python `cryptography` (issuer in its own RFC 4514 form, decimal
/// serial, SHA-256 of the DER). The signature uses the *default* namespace for
/// XML-DSig (no `ds:` prefix) and the request carries a comment, unlike ours.
const XMLSEC1_TEMPLATE: &str = r##"
import sys, hashlib, base64
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
cert_pem, method, c14n, corrupt, out = sys.argv[1:6]
cert = x509.load_pem_x509_certificate(open(cert_pem, "rb").read())
der = cert.public_bytes(Encoding.DER)
digest = base64.b64encode(hashlib.sha256(der).digest()).decode()
issuer = cert.issuer.rfc4514_string()
serial = str(cert.serial_number)
signing_time = "2026-11-24T06:59:00+01:00"
qp_ns = ""
challenge = "20250604-CR-461EA5B000-537A6BA15D-D7"
if corrupt == "badchallenge":
    challenge = challenge.lower()
if corrupt == "dotnet":
    # What the official C# client writes: X509Certificate2.Issuer (reversed, ", ",
    # .NET keywords), DateTimeOffset "O" time, dsig as the default namespace inside
    # QualifyingProperties.
    keys = {"2.5.4.3": "CN", "2.5.4.5": "SERIALNUMBER", "2.5.4.6": "C", "2.5.4.42": "G",
            "2.5.4.4": "SN", "2.5.4.10": "O", "2.5.4.11": "OU", "2.5.4.7": "L", "2.5.4.8": "S"}
    issuer = ", ".join(
        f"{keys.get(a.oid.dotted_string, 'OID.' + a.oid.dotted_string)}={a.value}"
        for a in reversed(list(cert.issuer)))
    signing_time = "2026-11-24T05:59:00.1234567+00:00"
    qp_ns = ' xmlns="http://www.w3.org/2000/09/xmldsig#"'
elif corrupt == "certdigest":
    digest = base64.b64encode(hashlib.sha256(der + b"x").digest()).decode()
elif corrupt == "serial":
    serial = str(cert.serial_number + 1)
elif corrupt == "issuer":
    issuer = "CN=Someone Else,C=PL"
sha = "http://www.w3.org/2001/04/xmlenc#sha256"
tpl = f'''<?xml version="1.0" encoding="UTF-8"?>
<AuthTokenRequest xmlns="http://ksef.mf.gov.pl/auth/token/2.0">
  <!-- made by xmlsec1 -->
  <Challenge>{challenge}</Challenge>
  <ContextIdentifier>
    <InternalId>5265877635-12345</InternalId>
  </ContextIdentifier>
  <SubjectIdentifierType>certificateFingerprint</SubjectIdentifierType>
  <Signature xmlns="http://www.w3.org/2000/09/xmldsig#" Id="Sig-1">
    <SignedInfo>
      <CanonicalizationMethod Algorithm="{c14n}"/>
      <SignatureMethod Algorithm="{method}"/>
      <Reference URI="">
        <Transforms>
          <Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>
          <Transform Algorithm="{c14n}"/>
        </Transforms>
        <DigestMethod Algorithm="{sha}"/>
        <DigestValue/>
      </Reference>
      <Reference URI="#SP-1" Type="http://uri.etsi.org/01903#SignedProperties">
        <Transforms><Transform Algorithm="{c14n}"/></Transforms>
        <DigestMethod Algorithm="{sha}"/>
        <DigestValue/>
      </Reference>
    </SignedInfo>
    <SignatureValue/>
    <KeyInfo><X509Data/></KeyInfo>
    <Object>
      <xades:QualifyingProperties xmlns:xades="http://uri.etsi.org/01903/v1.3.2#"{qp_ns} Target="#Sig-1">
        <xades:SignedProperties Id="SP-1">
          <xades:SignedSignatureProperties>
            <xades:SigningTime>{signing_time}</xades:SigningTime>
            <xades:SigningCertificate>
              <xades:Cert>
                <xades:CertDigest>
                  <DigestMethod Algorithm="{sha}"/>
                  <DigestValue>{digest}</DigestValue>
                </xades:CertDigest>
                <xades:IssuerSerial>
                  <X509IssuerName>{issuer}</X509IssuerName>
                  <X509SerialNumber>{serial}</X509SerialNumber>
                </xades:IssuerSerial>
              </xades:Cert>
            </xades:SigningCertificate>
          </xades:SignedSignatureProperties>
        </xades:SignedProperties>
      </xades:QualifyingProperties>
    </Object>
  </Signature>
</AuthTokenRequest>
'''
open(out, "w").write(tpl)
"##;

fn xmlsec1_sign(pki: &Pki, method: &str, c14n: &str, corrupt: &str) -> Vec<u8> {
    let tpl = pki.dir.path("template.xml");
    py(
        &pki.dir,
        XMLSEC1_TEMPLATE,
        &[
            &pki.dir.path("cert.pem"),
            Path::new(method),
            Path::new(c14n),
            Path::new(corrupt),
            &tpl,
        ],
    )
    .expect("template");
    let out = pki.dir.path("xmlsec1-signed.xml");
    let mut keys = pki.dir.path("key.pem").into_os_string();
    keys.push(",");
    keys.push(pki.dir.path("cert.pem"));
    run_ok(
        Command::new("xmlsec1")
            .args(["--sign", XADES_ID_ATTR, XADES_SP, "--privkey-pem"])
            .arg(keys)
            .arg("--output")
            .arg(&out)
            .arg(&tpl),
    );
    let xml = std::fs::read(&out).expect("signed");
    // xmlsec1 checks its own work.
    xmlsec1_verify(&pki.dir, &xml).expect("xmlsec1 verifies what it signed");
    xml
}

const EXC: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
const INC: &str = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";
const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
const ECDSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256";

#[test]
fn xmlsec1_signatures_verify_in_ours() {
    for (kind, method) in [(Kind::Rsa, RSA_SHA256), (Kind::Ec, ECDSA_SHA256)] {
        let pki = Pki::new(kind);
        for c14n in [EXC, INC] {
            let xml = xmlsec1_sign(&pki, method, c14n, "none");
            let v = xades::verify(&xml).unwrap_or_else(|e| panic!("{kind:?} {c14n}: {e}"));
            assert_eq!(v.request.challenge(), CHALLENGE);
            assert_eq!(
                v.request.context(),
                &ContextIdentifier::InternalId("5265877635-12345".into())
            );
            assert_eq!(
                v.request.subject_type(),
                SubjectIdentifierType::CertificateFingerprint
            );
            assert_eq!(v.certificate.der(), pki.cert_der);
            assert_eq!(v.signature_method, method);
            assert_eq!(v.signing_time, Some(datetime!(2026-11-24 05:59:00 UTC)));
            if kind == Kind::Ec {
                // xmlsec1 writes raw R || S for ECDSA.
                let s = String::from_utf8(xml.clone()).expect("utf-8");
                let sv = between(&s, "<SignatureValue>", "</SignatureValue>");
                use base64::Engine;
                let raw = base64::engine::general_purpose::STANDARD
                    .decode(sv.split_whitespace().collect::<String>())
                    .expect("b64");
                assert_eq!(raw.len(), 64);
            }
        }
    }
}

/// The shape of the official C# client (`SignatureService.cs`): unprefixed XML-DSig,
/// `X509IssuerName` in .NET form (`SN=Testowy, G=Jan, C=PL, SERIALNUMBER=…, CN=…`),
/// `SigningTime` with 7 fractional digits, signed by xmlsec1.
#[test]
fn dotnet_shaped_signatures_verify_in_ours() {
    for (kind, method) in [(Kind::Rsa, RSA_SHA256), (Kind::Ec, ECDSA_SHA256)] {
        let pki = Pki::new(kind);
        let xml = xmlsec1_sign(&pki, method, EXC, "dotnet");
        let s = String::from_utf8(xml.clone()).expect("utf-8");
        assert!(
            s.contains("SN=Testowy, G=Jan, C=PL, SERIALNUMBER=TINPL-5265877635, CN=Jan Testowy"),
            "{s}"
        );
        let v = xades::verify(&xml).unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        assert_eq!(
            v.signing_time,
            Some(datetime!(2026-11-24 05:59:00.1234567 UTC))
        );
    }
}

/// Properly signed documents (all digests and the signature verify in xmlsec1) whose
/// SigningCertificate does not describe the certificate, or whose request breaks the
/// schema: the binding and field checks, not the digests, must catch them.
#[test]
fn xmlsec1_signed_wrong_content_is_rejected() {
    let pki = Pki::new(Kind::Rsa);
    type Want = fn(&XadesError) -> bool;
    let cases: [(&str, Want); 4] = [
        // a valid signature over a request that breaks the schema (KSeF 21401)
        ("badchallenge", |e| {
            matches!(e, XadesError::Request(RequestError::Challenge(_)))
                && e.ksef_code() == Some(21401)
        }),
        ("certdigest", |e| {
            *e == XadesError::CertDigestMismatch && e.ksef_code() == Some(9105)
        }),
        ("serial", |e| {
            matches!(e, XadesError::SerialNumberMismatch { .. })
        }),
        ("issuer", |e| {
            matches!(e, XadesError::IssuerNameMismatch { .. })
        }),
    ];
    for (corrupt, want) in cases {
        let xml = xmlsec1_sign(&pki, RSA_SHA256, EXC, corrupt);
        let err = xades::verify(&xml).map(|_| ()).expect_err(corrupt);
        assert!(want(&err), "{corrupt}: {err}");
    }
}

/// Signs with signxml. `flavour`: `plain` (XML-DSig, no XAdES), `xades` (stock
/// `XAdESSigner`) or `xades-fixed` (`XAdESSigner` that declares its canonicalization
/// as a Transform on every Reference, see `signxml_stock_xades_exc_c14n_is_nonconformant`).
/// `c14n`: `exc` or `c14n11` (signxml's default).
const SIGNXML_SIGN: &str = r#"
import sys
from lxml import etree
from signxml import XMLSigner, SignatureMethod, DigestAlgorithm, CanonicalizationMethod, SignatureConstructionMethod
from signxml.xades import XAdESSigner
from signxml.util import ds_tag
doc, key_pem, cert_pem, alg, flavour, c14n, out = sys.argv[1:8]

class FixedXAdESSigner(XAdESSigner):
    def _add_reference_to_signed_info(self, sig_root, node_to_reference, **attrs):
        super()._add_reference_to_signed_info(sig_root, node_to_reference, **attrs)
        ref = self._find(sig_root, "SignedInfo").findall(ds_tag("Reference"))[-1]
        transforms = etree.Element(ds_tag("Transforms"), nsmap=self.namespaces)
        etree.SubElement(transforms, ds_tag("Transform"), nsmap=self.namespaces, Algorithm=self.c14n_alg.value)
        ref.insert(0, transforms)

root = etree.parse(doc).getroot()
alg = {"rsa": SignatureMethod.RSA_SHA256, "pss": SignatureMethod.SHA256_RSA_MGF1, "ec": SignatureMethod.ECDSA_SHA256}[alg]
cls = {"plain": XMLSigner, "xades": XAdESSigner, "xades-fixed": FixedXAdESSigner}[flavour]
c14n = {"exc": CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0, "c14n11": CanonicalizationMethod.CANONICAL_XML_1_1}[c14n]
signer = cls(method=SignatureConstructionMethod.enveloped, signature_algorithm=alg,
             digest_algorithm=DigestAlgorithm.SHA256, c14n_algorithm=c14n)
signed = signer.sign(root, key=open(key_pem, "rb").read(), cert=open(cert_pem).read())
open(out, "wb").write(etree.tostring(signed, xml_declaration=True, encoding="utf-8"))
"#;

/// signxml's own XAdES verifier (3 references: document, SignedProperties, KeyInfo).
const SIGNXML_XADES_VERIFY: &str = r#"
import sys
from signxml.xades import XAdESVerifier
data = open(sys.argv[1], "rb").read()
# ignore_ambiguous_key_info: signxml cannot match a KeyValue against a PSS key
res = XAdESVerifier().verify(data, x509_cert=open(sys.argv[2]).read(), expect_references=3,
                             ignore_ambiguous_key_info=True)
print(len(res))
"#;

fn signxml_sign(pki: &Pki, alg: &str, flavour: &str, c14n: &str) -> Vec<u8> {
    let unsigned = pki.dir.write("unsigned.xml", request().to_xml());
    let out = pki.dir.path("signxml-signed.xml");
    py(
        &pki.dir,
        SIGNXML_SIGN,
        &[
            &unsigned,
            &pki.dir.path("key.pem"),
            &pki.dir.path("cert.pem"),
            Path::new(alg),
            Path::new(flavour),
            Path::new(c14n),
            &out,
        ],
    )
    .unwrap_or_else(|e| panic!("signxml {alg} {flavour} {c14n}: {e}"));
    std::fs::read(out).expect("signed")
}

fn signxml_xades_verify(pki: &Pki, xml: &[u8]) -> Result<String, String> {
    let f = pki.dir.write("to-verify.xml", xml);
    py(
        &pki.dir,
        SIGNXML_XADES_VERIFY,
        &[&f, &pki.dir.path("cert.pem")],
    )
}

#[test]
fn signxml_xades_signatures_verify_in_ours() {
    let rsa = Pki::new(Kind::Rsa);
    let ec = Pki::new(Kind::Ec);
    for (pki, alg, uri) in [
        (&rsa, "rsa", RSA_SHA256),
        (
            &rsa,
            "pss",
            "http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1",
        ),
        (&ec, "ec", ECDSA_SHA256),
    ] {
        for (flavour, c14n) in [("xades-fixed", "exc"), ("xades", "c14n11")] {
            let xml = signxml_sign(pki, alg, flavour, c14n);
            // signxml itself accepts what it made
            assert_eq!(
                signxml_xades_verify(pki, &xml).map(|s| s.trim().to_owned()),
                Ok("3".to_owned()),
                "{alg} {flavour} {c14n}"
            );
            let v = xades::verify(&xml).unwrap_or_else(|e| {
                panic!(
                    "{alg} {flavour} {c14n}: {e}\n{}",
                    String::from_utf8_lossy(&xml)
                )
            });
            assert_eq!(v.request, request(), "{alg}");
            assert_eq!(v.signature_method, uri);
            assert_eq!(v.certificate.der(), pki.cert_der);
        }
    }
}

/// signxml 5.2.0's stock `XAdESSigner` with exclusive C14N digests the
/// SignedProperties and KeyInfo references with exc-C14N but declares no Transform,
/// so by XML-DSig §4.4.3.2 they must be canonicalized with Canonical XML 1.0. Three
/// verifiers agree the result is invalid: xmlsec1, signxml's own XAdESVerifier and
/// ours (which names the SignedProperties reference).
#[test]
fn signxml_stock_xades_exc_c14n_is_nonconformant() {
    let pki = Pki::new(Kind::Rsa);
    let xml = signxml_sign(&pki, "rsa", "xades", "exc");
    assert_eq!(
        xades::verify(&xml).map(|_| ()),
        Err(XadesError::DigestMismatch(
            ReferenceTarget::SignedProperties
        ))
    );
    let err = signxml_xades_verify(&pki, &xml).expect_err("signxml rejects its own output");
    assert!(err.contains("Digest mismatch"), "{err}");
    assert!(xmlsec1_verify(&pki.dir, &xml).is_err());
}

/// Plain XML-DSig (no XAdES SignedProperties) is not a XAdES-BES signature.
#[test]
fn signxml_plain_xmldsig_is_not_xades() {
    let pki = Pki::new(Kind::Rsa);
    let xml = signxml_sign(&pki, "rsa", "plain", "exc");
    assert_eq!(
        xades::verify(&xml).map(|_| ()),
        Err(XadesError::MissingSignedProperties)
    );
}

// ---------------------------------------------------------------------------------
// Diagnostics: each broken document gets its own error.

/// The official unsigned samples are rejected as unsigned (KSeF 9102).
#[test]
fn unsigned_samples_have_no_signature() {
    let dir = common::ksef("samples/auth");
    let mut n = 0;
    for e in std::fs::read_dir(&dir).expect("samples") {
        let p = e.expect("entry").path();
        if p.extension().is_some_and(|x| x == "xml") {
            let xml = std::fs::read(&p).expect("read");
            assert_eq!(
                xades::verify(&xml).map(|_| ()),
                Err(XadesError::NoSignature),
                "{}",
                p.display()
            );
            n += 1;
        }
    }
    assert_eq!(n, 4);
}

fn signature_block(s: &str) -> &str {
    let a = s.find("<ds:Signature ").expect("signature");
    let b = s.find("</ds:Signature>").expect("end") + "</ds:Signature>".len();
    &s[a..b]
}

#[test]
fn structural_problems_are_named() {
    let pki = Pki::new(Kind::Rsa);
    let xml = pki.sign_doc(&request());
    let s = String::from_utf8(xml.clone()).expect("utf-8");
    let block = signature_block(&s).to_owned();
    let sp_ref_start = s.find("<ds:Reference Type=").expect("sp ref");
    let sp_ref_end = sp_ref_start + s[sp_ref_start..].find("</ds:Reference>").expect("end") + 15;
    let sp_ref = &s[sp_ref_start..sp_ref_end];
    let key_info = format!(
        "<ds:KeyInfo>{}</ds:KeyInfo>",
        between(&s, "<ds:KeyInfo>", "</ds:KeyInfo>")
    );
    let cases: Vec<(&str, Vec<u8>, XadesError)> = vec![
        (
            "two signatures",
            tamper(
                &xml,
                "</AuthTokenRequest>",
                &format!("{block}</AuthTokenRequest>"),
            ),
            XadesError::TooManySignatures(2),
        ),
        (
            "signature not a child of the root",
            tamper(
                &tamper(&xml, &block, ""),
                "</ContextIdentifier>",
                &format!("{block}</ContextIdentifier>"),
            ),
            XadesError::NotEnveloped,
        ),
        (
            "other root",
            s.replace("AuthTokenRequest", "AuthRequest").into_bytes(),
            XadesError::NotAuthTokenRequest(
                "{http://ksef.mf.gov.pl/auth/token/2.0}AuthRequest".into(),
            ),
        ),
        (
            "other namespace",
            tamper(&xml, "auth/token/2.0", "auth/token/2.2"),
            XadesError::NotAuthTokenRequest(
                "{http://ksef.mf.gov.pl/auth/token/2.2}AuthTokenRequest".into(),
            ),
        ),
        (
            "filter2 transform",
            tamper(
                &xml,
                "http://www.w3.org/2000/09/xmldsig#enveloped-signature",
                "http://www.w3.org/2002/06/xmldsig-filter2",
            ),
            XadesError::UnsupportedTransform("http://www.w3.org/2002/06/xmldsig-filter2".into()),
        ),
        (
            "rsa-sha1",
            tamper(
                &xml,
                "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
                "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
            ),
            XadesError::UnsupportedSignatureMethod(
                "http://www.w3.org/2000/09/xmldsig#rsa-sha1".into(),
            ),
        ),
        (
            "sha1 digest",
            s.replacen(
                "http://www.w3.org/2001/04/xmlenc#sha256",
                "http://www.w3.org/2000/09/xmldsig#sha1",
                1,
            )
            .into_bytes(),
            XadesError::UnsupportedDigestMethod("http://www.w3.org/2000/09/xmldsig#sha1".into()),
        ),
        (
            "unknown canonicalization",
            s.replacen(
                "<ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"",
                "<ds:CanonicalizationMethod Algorithm=\"urn:example:c14n\"",
                1,
            )
            .into_bytes(),
            XadesError::UnsupportedCanonicalization("urn:example:c14n".into()),
        ),
        (
            "detached reference",
            tamper(
                &xml,
                "<ds:Reference URI=\"\">",
                "<ds:Reference URI=\"https://example.invalid/doc.xml\">",
            ),
            XadesError::UnsupportedReference("https://example.invalid/doc.xml".into()),
        ),
        (
            "document not referenced",
            tamper(
                &xml,
                "<ds:Reference URI=\"\">",
                "<ds:Reference URI=\"#SignedProperties\">",
            ),
            XadesError::DocumentNotSigned,
        ),
        (
            "SignedProperties not referenced",
            tamper(&xml, sp_ref, ""),
            XadesError::SignedPropertiesNotReferenced,
        ),
        (
            "dangling reference",
            tamper(&xml, "URI=\"#SignedProperties\"", "URI=\"#Nowhere\""),
            XadesError::UnresolvedReference("#Nowhere".into()),
        ),
        (
            "duplicate id",
            tamper(&xml, "<ds:Object>", "<ds:Object Id=\"SignedProperties\">"),
            XadesError::DuplicateId("SignedProperties".into()),
        ),
        (
            "QualifyingProperties target",
            tamper(&xml, "Target=\"#Signature\"", "Target=\"#Other\""),
            XadesError::QualifyingPropertiesTarget {
                expected: "#Signature".into(),
                found: "#Other".into(),
            },
        ),
        (
            "no KeyInfo",
            tamper(&xml, &key_info, ""),
            XadesError::MissingCertificate,
        ),
        (
            "no SignedProperties",
            s.replace("xades:SignedProperties Id", "xades:Properties Id")
                .replace("</xades:SignedProperties>", "</xades:Properties>")
                .into_bytes(),
            XadesError::MissingSignedProperties,
        ),
        (
            "mismatched end tag",
            tamper(&xml, "</ds:SignedInfo>", "</ds:SignedInfoX>"),
            XadesError::Malformed(String::new()),
        ),
    ];
    assert_eq!(XadesError::NoSignature.ksef_code(), Some(9102));
    assert_eq!(XadesError::TooManySignatures(2).ksef_code(), Some(9103));
    assert_eq!(XadesError::Malformed(String::new()).ksef_code(), Some(9101));
    assert_eq!(XadesError::Encoding(0).ksef_code(), Some(21217));
    assert_eq!(XadesError::BadSignature.ksef_code(), Some(9105));
    for (what, bad, want) in cases {
        let got = xades::verify(&bad).map(|_| ());
        match (&got, &want) {
            // a mismatched end tag: only the variant matters
            (Err(XadesError::Malformed(_)), XadesError::Malformed(_)) => {}
            _ => assert_eq!(got, Err(want), "{what}"),
        }
    }
}

#[test]
fn hostile_input_is_refused_without_panicking() {
    let big = vec![b' '; xades::MAX_DOCUMENT_SIZE + 1];
    assert_eq!(
        xades::verify(&big).map(|_| ()),
        Err(XadesError::TooLarge {
            size: xades::MAX_DOCUMENT_SIZE + 1,
            max: xades::MAX_DOCUMENT_SIZE
        })
    );
    assert_eq!(
        xades::verify(b"<AuthTokenRequest>\xff</AuthTokenRequest>").map(|_| ()),
        Err(XadesError::Encoding(18))
    );
    assert_eq!(
        xades::verify(b"\xEF\xBB\xBF<a>\xff</a>").map(|_| ()),
        Err(XadesError::Encoding(6))
    );
    let laughs = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><AuthTokenRequest xmlns="http://ksef.mf.gov.pl/auth/token/2.0">&lol2;</AuthTokenRequest>"#;
    assert!(matches!(
        xades::verify(laughs.as_bytes()),
        Err(XadesError::Malformed(_))
    ));
    let deep = "<a>".repeat(10_000) + &"</a>".repeat(10_000);
    assert!(matches!(
        xades::verify(deep.as_bytes()),
        Err(XadesError::Malformed(_))
    ));
    for junk in [
        &b""[..],
        b"<",
        b"<?xml version='1.0'?>",
        b"\xEF\xBB\xBF",
        b"<a xmlns:ds='x'><ds:Signature/></a>",
    ] {
        assert!(xades::verify(junk).is_err());
    }

    // Every truncation and every single-bit flip of a signed document is an error
    // (outside the XML declaration), and none panics.
    let pki = Pki::new(Kind::Ec);
    let xml = pki.sign_doc(&request());
    let body = xml
        .iter()
        .position(|&b| b == b'\n')
        .expect("declaration line")
        + 1;
    for cut in (0..xml.len()).step_by(11) {
        // Cutting only whitespace after the root element leaves the same document.
        if xml[cut..].iter().all(u8::is_ascii_whitespace) {
            assert!(
                xades::verify(&xml[..cut]).is_ok(),
                "trailing whitespace cut at {cut}"
            );
            continue;
        }
        assert!(xades::verify(&xml[..cut]).is_err(), "truncated at {cut}");
    }
    for i in (body..xml.len()).step_by(5) {
        let mut bad = xml.clone();
        bad[i] ^= 0x01;
        assert!(
            xades::verify(&bad).is_err(),
            "bit flip at {i}: {:?}",
            xml[i] as char
        );
    }
}

#[test]
fn keys_and_algorithms_are_checked_when_preparing() {
    let req = request();
    let weak = Pki::with_key_args(Kind::Rsa, &["-newkey", "rsa:1024"]);
    assert_eq!(
        xades::prepare(
            &req,
            &weak.cert_der,
            signing_time(),
            SignatureAlgorithm::RsaPkcs1v15Sha256
        )
        .map(|_| ()),
        Err(XadesError::WeakKey(1024))
    );
    let p384 = Pki::with_key_args(
        Kind::Ec,
        &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"],
    );
    assert!(matches!(
        xades::prepare(&req, &p384.cert_der, signing_time(), SignatureAlgorithm::EcdsaP256Sha256P1363),
        Err(XadesError::UnsupportedKey(m)) if m.contains("1.3.132.0.34")
    ));
    let rsa = Pki::new(Kind::Rsa);
    assert!(matches!(
        xades::prepare(
            &req,
            &rsa.cert_der,
            signing_time(),
            SignatureAlgorithm::EcdsaP256Sha256P1363
        ),
        Err(XadesError::KeyAlgorithmMismatch { key: "rsa", .. })
    ));
    assert_eq!(
        xades::prepare(
            &req,
            &rsa.cert_der,
            signing_time(),
            SignatureAlgorithm::EcdsaP256Sha256Der
        )
        .map(|_| ()),
        Err(XadesError::UnsupportedAlgorithm(
            SignatureAlgorithm::EcdsaP256Sha256Der
        ))
    );
    assert!(matches!(
        xades::prepare(
            &req,
            b"not a certificate",
            signing_time(),
            SignatureAlgorithm::RsaPkcs1v15Sha256
        ),
        Err(XadesError::Certificate(_))
    ));
}

#[test]
fn finish_checks_the_signature_against_the_certificate() {
    let rsa = Pki::new(Kind::Rsa);
    let other = Pki::new(Kind::Rsa);
    let prepared = xades::prepare(&request(), &rsa.cert_der, signing_time(), rsa.algorithm())
        .expect("prepare");
    // A key that does not belong to the certificate: caught before KSeF says 9105.
    let wrong = other.sign(&prepared.sign_request()).expect("sign");
    assert_eq!(prepared.finish(&wrong), Err(XadesError::BadSignature));
    assert!(matches!(
        prepared.finish(&[0u8; 10]),
        Err(XadesError::MalformedSignatureValue(_))
    ));
    // Signing a digest instead of the bytes (a bug seen in peers) is caught too.
    let digest_req = SignRequest {
        algorithm: prepared.algorithm(),
        message: sha2::Digest::finalize(<sha2::Sha256 as sha2::Digest>::new_with_prefix(
            prepared.signed_info(),
        ))
        .to_vec(),
    };
    let digest_signed = rsa.sign(&digest_req).expect("sign");
    assert_eq!(
        prepared.finish(&digest_signed),
        Err(XadesError::BadSignature)
    );

    // ECDSA: an ASN.1 DER signature is converted to raw R || S, which xmlsec1 accepts.
    let ec = Pki::new(Kind::Ec);
    let prepared =
        xades::prepare(&request(), &ec.cert_der, signing_time(), ec.algorithm()).expect("prepare");
    let raw = ec.sign(&prepared.sign_request()).expect("sign");
    let der = p256::ecdsa::Signature::from_slice(&raw)
        .expect("sig")
        .to_der();
    let from_der = prepared.finish(der.as_bytes()).expect("finish with der");
    assert_eq!(from_der, prepared.finish(&raw).expect("finish raw"));
    xmlsec1_verify(&ec.dir, &from_der).expect("xmlsec1");
}

/// The verifier tolerates a DER-encoded ECDSA SignatureValue (RFC 4050 says raw).
#[test]
fn verifier_tolerates_der_ecdsa() {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let ec = Pki::new(Kind::Ec);
    let xml = ec.sign_doc(&request());
    let s = String::from_utf8(xml.clone()).expect("utf-8");
    let sv = between(&s, "<ds:SignatureValue>", "</ds:SignatureValue>");
    let raw = b64.decode(sv).expect("b64");
    let der = p256::ecdsa::Signature::from_slice(&raw)
        .expect("sig")
        .to_der();
    let bad = tamper(&xml, sv, &b64.encode(der.as_bytes()));
    xades::verify(&bad).expect("der tolerated");
}

/// The verifier hands the simulator what it needs to authenticate.
#[test]
fn verified_fields_for_the_simulator() {
    let pki = Pki::new(Kind::Rsa);
    let req = AuthTokenRequest::new(
        CHALLENGE,
        ContextIdentifier::NipVatUe("5265877635-ATU12345678".into()),
        SubjectIdentifierType::CertificateFingerprint,
    )
    .expect("request");
    let v = xades::verify(&pki.sign_doc(&req)).expect("verify");
    assert_eq!(v.request, req);
    assert_eq!(v.signing_time, Some(signing_time()));
    assert_eq!(v.signature_method, RSA_SHA256);
    // The fingerprint is what openssl prints.
    let fp = String::from_utf8(run_ok(
        Command::new("openssl")
            .args(["x509", "-noout", "-fingerprint", "-sha256", "-in"])
            .arg(pki.dir.path("cert.pem")),
    ))
    .expect("utf-8");
    let fp = fp.trim().rsplit('=').next().expect("fp").replace(':', "");
    assert_eq!(v.certificate.fingerprint_sha256(), fp);
    let subject = v.certificate.subject();
    assert!(subject.contains("TINPL-5265877635"), "{subject}");
}

#[test]
fn request_validation_errors() {
    assert_eq!(
        AuthTokenRequest::new(
            "bad",
            ContextIdentifier::Nip("5265877635".into()),
            SubjectIdentifierType::CertificateSubject
        ),
        Err(RequestError::Challenge("bad".into()))
    );
    assert!(matches!(
        AuthTokenRequest::new(
            CHALLENGE,
            ContextIdentifier::Nip("0265877635".into()),
            SubjectIdentifierType::CertificateSubject
        ),
        Err(RequestError::Context { kind: "Nip", .. })
    ));
    assert!(matches!(
        AuthTokenRequest::new(
            CHALLENGE,
            ContextIdentifier::InternalId("5265877635-1234".into()),
            SubjectIdentifierType::CertificateSubject
        ),
        Err(RequestError::Context {
            kind: "InternalId",
            ..
        })
    ));
    assert!(matches!(
        request().with_allowed_ips(AllowedIps {
            ip4_masks: vec!["10.0.0.0/40".into()],
            ..AllowedIps::default()
        }),
        Err(RequestError::Ip {
            kind: "Ip4Mask",
            ..
        })
    ));
    assert_eq!(
        "certificate".parse::<SubjectIdentifierType>(),
        Err(RequestError::UnknownSubjectType("certificate".into()))
    );
}

/// The convenience over the shared key types: `Credential::load` + `AuthSigningKey`.
#[test]
fn signs_with_auth_signing_key() {
    use ksef_core::crypto::{AuthSigningKey, Credential};
    for kind in [Kind::Rsa, Kind::Ec] {
        let pki = Pki::new(kind);
        let cert_pem = std::fs::read(pki.dir.path("cert.pem")).expect("cert");
        let cred = Credential::load(&cert_pem, pki.key_pem.as_bytes(), None).expect("credential");
        let key = AuthSigningKey::new(cred, time::OffsetDateTime::now_utc()).expect("auth key");
        let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
        let xml = xades::sign(&request(), &key, signing_time(), &mut rng).expect("sign");
        xmlsec1_verify(&pki.dir, &xml).expect("xmlsec1");
        if kind == Kind::Rsa {
            // deterministic: identical to the closure path
            assert_eq!(xml, pki.sign_doc(&request()));
        }
        assert_eq!(xades::verify(&xml).expect("verify").request, request());
    }
}
