//! PKCS#10 requests for KSeF enrollment (DIGEST §13), checked by independent oracles:
//! `openssl req -verify` (signature, subject, string types) and Python `cryptography`
//! (`is_signature_valid`, subject OIDs and order, encrypted PKCS#8 decryption).

use std::path::{Path, PathBuf};
use std::process::Command;

use ksef_core::crypto::SignatureAlgorithm;
use ksef_core::csr::{CsrBuilder, CsrError, CsrKeyType, CsrPrivateKey, EnrollmentSubject};
use rand_core::UnwrapErr;

fn rng() -> UnwrapErr<getrandom::SysRng> {
    UnwrapErr(getrandom::SysRng)
}

/// A company seal's enrollment data (shape of DOCS `certyfikaty-KSeF.md` §2, values of
/// the TEST certificate in `ksef-test-vectors.json` `kod_ii`, with a Polish letter).
const SEAL: &str = r#"{"commonName":"Beta Spółka","countryName":"PL","organizationName":"Beta","organizationIdentifier":"VATPL-5265877635","uniqueIdentifier":"f0e1"}"#;
/// A person's enrollment data, with two given names.
const PERSON: &str = r#"{"commonName":"Jan Maria Kowalski","countryName":"PL","givenName":["Jan","Maria"],"surname":"Kowalski","serialNumber":"PNOPL-80010112345","organizationName":null}"#;

fn tmp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ksef-csr-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn python() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/python")
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// `openssl req -verify -noout -text -nameopt RFC2253,show_type`: the signature verifies;
/// returns the text.
fn openssl_req(pem: &Path) -> String {
    let out = Command::new("openssl")
        .args([
            "req",
            "-verify",
            "-noout",
            "-text",
            "-nameopt",
            "multiline,show_type",
            "-in",
        ])
        .arg(pem)
        .output()
        .unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{all}");
    assert!(all.contains("verify OK"), "{all}");
    all
}

/// Python `cryptography`: signature valid; prints `oid=value` per RDN in order, the
/// signature hash, and the key type.
fn py_csr(pem: &Path) -> String {
    run(Command::new(python()).arg("-c").arg(
        r#"
import sys
from cryptography import x509
csr = x509.load_pem_x509_csr(open(sys.argv[1], 'rb').read())
assert csr.is_signature_valid, 'signature invalid'
for rdn in csr.subject.rdns:
    for a in rdn:
        print(f'{a.oid.dotted_string}={a.value}|{a._type.name}')
print('hash=' + csr.signature_hash_algorithm.name)
from cryptography.hazmat.primitives.asymmetric import ec, rsa
k = csr.public_key()
print('key=' + (f'ec:{k.curve.name}' if isinstance(k, ec.EllipticCurvePublicKey) else f'rsa:{k.key_size}' if isinstance(k, rsa.RSAPublicKey) else 'other'))
"#,
    ).arg(pem))
}

fn write_csr(dir: &Path, csr: &ksef_core::csr::Csr) -> PathBuf {
    let pem = dir.join("csr.pem");
    std::fs::write(&pem, csr.to_pem().unwrap()).unwrap();
    std::fs::write(dir.join("csr.der"), csr.to_der()).unwrap();
    pem
}

#[test]
fn ec_csr_for_a_seal_verifies_in_openssl_and_python() {
    let subject = EnrollmentSubject::from_json(SEAL.as_bytes()).unwrap();
    let key = CsrPrivateKey::generate(CsrKeyType::EcP256, &mut rng()).unwrap();
    let csr = key.create_csr(&subject).unwrap();
    let dir = tmp_dir("ec");
    let pem = write_csr(&dir, &csr);
    let text = openssl_req(&pem);
    assert!(text.contains("ecdsa-with-SHA256"), "{text}");
    assert!(
        text.contains("prime256v1") || text.contains("P-256"),
        "{text}"
    );
    // String types: C is PrintableString, the rest UTF8String.
    assert!(
        text.contains("countryName               = PRINTABLESTRING:PL"),
        "{text}"
    );
    assert!(
        text.contains("organizationName          = UTF8STRING:Beta"),
        "{text}"
    );
    assert_eq!(
        py_csr(&pem),
        "2.5.4.3=Beta Spółka|UTF8String\n\
         2.5.4.10=Beta|UTF8String\n\
         2.5.4.97=VATPL-5265877635|UTF8String\n\
         2.5.4.6=PL|PrintableString\n\
         2.5.4.45=f0e1|UTF8String\n\
         hash=sha256\nkey=ec:secp256r1\n"
    );
    // The DER file is the same request.
    run(Command::new("openssl")
        .args(["req", "-inform", "DER", "-verify", "-noout", "-in"])
        .arg(dir.join("csr.der")));
    assert_eq!(
        csr.to_base64(),
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, csr.to_der())
    );
}

#[test]
fn rsa_csr_for_a_person_verifies_in_openssl_and_python() {
    let subject = EnrollmentSubject::from_json(PERSON.as_bytes()).unwrap();
    let key = CsrPrivateKey::generate(CsrKeyType::Rsa2048, &mut rng()).unwrap();
    let csr = key.create_csr(&subject).unwrap();
    let pem = write_csr(&tmp_dir("rsa"), &csr);
    let text = openssl_req(&pem);
    assert!(text.contains("sha256WithRSAEncryption"), "{text}");
    assert!(text.contains("(2048 bit)"), "{text}");
    assert!(
        text.contains("serialNumber              = PRINTABLESTRING:PNOPL-80010112345"),
        "{text}"
    );
    assert_eq!(
        py_csr(&pem),
        "2.5.4.3=Jan Maria Kowalski|UTF8String\n\
         2.5.4.4=Kowalski|UTF8String\n\
         2.5.4.42=Jan|UTF8String\n\
         2.5.4.42=Maria|UTF8String\n\
         2.5.4.6=PL|PrintableString\n\
         2.5.4.5=PNOPL-80010112345|PrintableString\n\
         hash=sha256\nkey=rsa:2048\n"
    );
}

#[test]
fn two_step_with_an_external_signer_and_p1363() {
    let subject = EnrollmentSubject::from_json(SEAL.as_bytes()).unwrap();
    let key = CsrPrivateKey::generate(CsrKeyType::EcP256, &mut rng()).unwrap();
    let builder = CsrBuilder::new(&subject, &key.public_key_der().unwrap()).unwrap();
    let req = builder.csr_sign_request();
    assert_eq!(req.algorithm, SignatureAlgorithm::EcdsaP256Sha256Der);
    // The message is the DER of CertificationRequestInfo (a SEQUENCE starting with v1).
    assert_eq!(&req.message[0..1], &[0x30]);
    // Sign as WebCrypto would (P1363); the CSR still carries DER and verifies.
    let p1363 = key
        .sign(&ksef_core::crypto::SignRequest {
            algorithm: SignatureAlgorithm::EcdsaP256Sha256P1363,
            message: req.message.clone(),
        })
        .unwrap();
    assert_eq!(p1363.len(), 64);
    let csr = builder.clone().assemble(&p1363).unwrap();
    openssl_req(&write_csr(&tmp_dir("p1363"), &csr));
    // A signature from another key, or over other bytes, is refused before output.
    let other = CsrPrivateKey::generate(CsrKeyType::EcP256, &mut rng()).unwrap();
    let wrong = other.sign(&req).unwrap();
    assert!(matches!(
        builder.assemble(&wrong),
        Err(CsrError::BadSignature(_))
    ));
}

#[test]
fn unsupported_keys_are_refused() {
    let subject = EnrollmentSubject::from_json(SEAL.as_bytes()).unwrap();
    let dir = tmp_dir("keys");
    for (name, args) in [
        (
            "p384",
            &[
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-384",
            ][..],
        ),
        (
            "rsa3072",
            &[
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:3072",
            ][..],
        ),
        ("ed25519", &["genpkey", "-algorithm", "ED25519"][..]),
    ] {
        let key = dir.join(format!("{name}.pem"));
        run(Command::new("openssl").args(args).arg("-out").arg(&key));
        let spki = Command::new("openssl")
            .args(["pkey", "-pubout", "-outform", "DER", "-in"])
            .arg(&key)
            .output()
            .unwrap()
            .stdout;
        assert!(
            matches!(
                CsrBuilder::new(&subject, &spki),
                Err(CsrError::UnsupportedKey(_))
            ),
            "{name}"
        );
    }
}

#[test]
fn encrypted_pkcs8_opens_in_openssl_and_python() {
    for kind in [CsrKeyType::EcP256, CsrKeyType::Rsa2048] {
        let key = CsrPrivateKey::generate(kind, &mut rng()).unwrap();
        let dir = tmp_dir(&format!("pkcs8-{kind:?}"));
        let enc = dir.join("key.pem");
        let pem = key
            .to_encrypted_pkcs8_pem(&mut rng(), "hasło-1".as_bytes())
            .unwrap();
        assert!(pem.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"));
        std::fs::write(&enc, pem.as_bytes()).unwrap();
        // openssl decrypts it to the same public key.
        run(Command::new("openssl")
            .args([
                "pkey",
                "-pubout",
                "-outform",
                "DER",
                "-passin",
                "pass:hasło-1",
                "-in",
            ])
            .arg(&enc)
            .arg("-out")
            .arg(dir.join("pub.der")));
        assert_eq!(
            std::fs::read(dir.join("pub.der")).unwrap(),
            key.public_key_der().unwrap()
        );
        // openssl shows PBES2 / PBKDF2 / AES-256-CBC.
        let asn1 = run(Command::new("openssl").args(["asn1parse", "-in"]).arg(&enc));
        for oid in ["PBES2", "PBKDF2", "aes-256-cbc", "hmacWithSHA256"] {
            assert!(asn1.contains(oid), "{oid}: {asn1}");
        }
        // Python cryptography too; a wrong password fails.
        let out = run(Command::new(python()).arg("-c").arg(
            r#"
import sys
from cryptography.hazmat.primitives import serialization as s
data = open(sys.argv[1], 'rb').read()
k = s.load_pem_private_key(data, 'hasło-1'.encode())
sys.stdout.buffer.write(k.public_key().public_bytes(s.Encoding.DER, s.PublicFormat.SubjectPublicKeyInfo).hex().encode())
try:
    s.load_pem_private_key(data, b'wrong')
    print(' wrong-password-accepted')
except ValueError:
    pass
"#,
        ).arg(&enc));
        assert_eq!(out, hex::encode(key.public_key_der().unwrap()));
        // The plain PKCS#8 is what openssl reads without a password.
        let plain = dir.join("plain.pem");
        std::fs::write(&plain, key.to_pkcs8_pem().unwrap().as_bytes()).unwrap();
        run(Command::new("openssl")
            .args(["pkey", "-noout", "-in"])
            .arg(&plain));
    }
}

#[test]
fn subject_is_checked() {
    let key = CsrPrivateKey::generate(CsrKeyType::EcP256, &mut rng()).unwrap();
    for (json, want) in [
        (r#"{"commonName":"","countryName":"PL"}"#, "commonName"),
        (r#"{"commonName":"A","countryName":""}"#, "countryName"),
        (
            r#"{"commonName":"A","countryName":"Polska"}"#,
            "countryName",
        ),
        (
            r#"{"commonName":"A","countryName":"PL","serialNumber":"PNOPL_1"}"#,
            "serialNumber",
        ),
    ] {
        let s = EnrollmentSubject::from_json(json.as_bytes()).unwrap();
        let err = key.create_csr(&s).unwrap_err();
        assert!(err.to_string().contains(want), "{json}: {err}");
    }
}
