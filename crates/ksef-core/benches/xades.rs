//! XAdES-BES over `AuthTokenRequest`: prepare + finish (two-step signing, the
//! signature precomputed), the whole one-call signing including the private-key
//! operation, and verification; RSA-2048 and ECDSA P-256.
//!
//! Keys and certificates are generated with `openssl` into a temporary directory.
//! Run: `cargo bench -p ksef-core --bench xades`.
#![allow(missing_docs)]

use criterion::{Criterion, criterion_group, criterion_main};
use ksef_core::crypto::{SignRequest, SignatureAlgorithm};
use ksef_core::xades::{self, AuthTokenRequest, ContextIdentifier, SubjectIdentifierType};
use std::hint::black_box;
use std::process::Command;

enum Key {
    Rsa(rsa::PrivateKey),
    P256(p256::ecdsa::SigningKey),
}

impl Key {
    fn sign(&self, r: &SignRequest) -> Result<Vec<u8>, String> {
        match self {
            Key::Rsa(k) => k
                .pkcs1v15_sign::<sha2::Sha256>(&r.message)
                .map_err(|e| e.to_string()),
            Key::P256(k) => {
                use p256::ecdsa::signature::Signer;
                let s: p256::ecdsa::Signature = k.sign(&r.message);
                Ok(s.to_bytes().to_vec())
            }
        }
    }
}

fn make(dir: &std::path::Path, name: &str, key_args: &[&str]) -> (Key, Vec<u8>) {
    use pkcs8::DecodePrivateKey;
    let key = dir.join(format!("{name}.key"));
    let cert = dir.join(format!("{name}.der"));
    let ok = Command::new("openssl")
        .args(["req", "-x509", "-nodes", "-days", "2", "-outform", "DER"])
        .args([
            "-subj",
            "/CN=Jan Testowy/serialNumber=TINPL-5265877635/C=PL",
        ])
        .args(key_args)
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .status()
        .map(|s| s.success());
    assert_eq!(ok.ok(), Some(true), "openssl req");
    let pem = std::fs::read_to_string(&key).expect("key");
    let k = match rsa::PrivateKey::from_pkcs8_pem(&pem) {
        Ok(k) => Key::Rsa(k),
        Err(_) => Key::P256(p256::ecdsa::SigningKey::from_pkcs8_pem(&pem).expect("p256 key")),
    };
    (k, std::fs::read(&cert).expect("cert"))
}

fn bench(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("ksef-xades-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let request = AuthTokenRequest::new(
        "20250604-CR-461EA5B000-537A6BA15D-D7",
        ContextIdentifier::Nip("5265877635".into()),
        SubjectIdentifierType::CertificateSubject,
    )
    .expect("request");
    let time = time::OffsetDateTime::UNIX_EPOCH;
    let cases = [
        (
            "rsa2048",
            SignatureAlgorithm::RsaPkcs1v15Sha256,
            make(&dir, "rsa", &["-newkey", "rsa:2048"]),
        ),
        (
            "p256",
            SignatureAlgorithm::EcdsaP256Sha256P1363,
            make(
                &dir,
                "ec",
                &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
            ),
        ),
    ];
    let _ = std::fs::remove_dir_all(&dir);
    for (name, alg, (key, cert)) in &cases {
        // prepare is deterministic, so one signature fits every iteration's SignedInfo
        let sig = key
            .sign(
                &xades::prepare(&request, cert, time, *alg)
                    .expect("prepare")
                    .sign_request(),
            )
            .expect("sign");
        c.bench_function(&format!("xades/prepare+finish/{name}"), |b| {
            b.iter(|| {
                let p = xades::prepare(black_box(&request), cert, time, *alg).expect("prepare");
                p.finish(black_box(&sig)).expect("finish")
            })
        });
        c.bench_function(&format!("xades/sign_with incl. private key/{name}"), |b| {
            b.iter(|| {
                xades::sign_with(black_box(&request), cert, time, *alg, |r| key.sign(r))
                    .expect("sign")
            })
        });
        let signed = xades::sign_with(&request, cert, time, *alg, |r| key.sign(r)).expect("sign");
        c.bench_function(&format!("xades/verify/{name}"), |b| {
            b.iter(|| xades::verify(black_box(&signed)).expect("verify"))
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
