//! Loading certificates and keys, KSeF typing, role checks and signatures, each checked
//! against an independent implementation: openssl CLI generates every key/cert format and
//! verifies our signatures; node:crypto and Python `cryptography` verify and produce
//! signatures we must accept. DIGEST §5.2, §13, §14.

mod crypto_common;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use crypto_common::*;
use ksef_core::crypto::{
    AuthSigningKey, Certificate, Credential, CredentialError, CryptoError, KeyAlgorithm, KeyFormat,
    KsefCertificateType, OfflineSigningKey, PrivateKey, SignRequest, SignatureAlgorithm,
    SubjectIdentifier, hazmat,
};
use std::path::Path;

fn load_key(p: &Path, pw: Option<&str>) -> Result<(PrivateKey, KeyFormat), CredentialError> {
    PrivateKey::load(&read(p), pw)
}

fn cert(p: &Path) -> Certificate {
    Certificate::from_pem_or_der(&read(p)).expect("certificate loads")
}

// ---------------------------------------------------------------------------------------
// Every supported format loads (openssl is the generator)
// ---------------------------------------------------------------------------------------

#[test]
fn every_key_format_loads_and_matches_its_certificate() {
    let f = fixtures();
    for (name, ks, alg) in [
        ("rsa2048", &f.rsa2048, KeyAlgorithm::Rsa { bits: 2048 }),
        ("rsa3072", &f.rsa3072, KeyAlgorithm::Rsa { bits: 3072 }),
        ("p256", &f.p256, KeyAlgorithm::EcP256),
    ] {
        let crt = self_signed(
            &format!("{name}-fmt"),
            &ks.pkcs8_pem,
            SUBJ_PERSON_NIP,
            Some("digitalSignature"),
            30,
        );
        let c_pem = cert(&crt);
        let c_der = cert(&cert_der(&crt));
        assert_eq!(
            c_pem.der(),
            c_der.der(),
            "{name}: PEM and DER certificate agree"
        );
        assert_eq!(c_pem.key_algorithm(), alg);
        let trad = if matches!(alg, KeyAlgorithm::EcP256) {
            KeyFormat::Sec1
        } else {
            KeyFormat::Pkcs1
        };
        for (file, pw, fmt) in [
            (&ks.pkcs8_pem, None, KeyFormat::Pkcs8),
            (&ks.pkcs8_der, None, KeyFormat::Pkcs8),
            (
                &ks.enc_pbkdf2_pem,
                Some(PASSWORD),
                KeyFormat::EncryptedPkcs8,
            ),
            (
                &ks.enc_pbkdf2_der,
                Some(PASSWORD),
                KeyFormat::EncryptedPkcs8,
            ),
            (
                &ks.enc_scrypt_pem,
                Some(PASSWORD),
                KeyFormat::EncryptedPkcs8,
            ),
            (&ks.traditional_pem, None, trad),
            (&ks.traditional_der, None, trad),
        ] {
            let (k, got_fmt) =
                load_key(file, pw).unwrap_or_else(|e| panic!("{name} {}: {e}", file.display()));
            assert_eq!(got_fmt, fmt, "{name} {}", file.display());
            assert_eq!(k.algorithm(), alg);
            assert!(
                k.matches(&c_pem),
                "{name} {}: key matches cert",
                file.display()
            );
            Credential::new(c_der.clone(), k).expect("credential");
        }
    }
}

#[test]
fn ecparam_genkey_output_with_parameters_block_loads() {
    // `openssl ecparam -genkey` writes an `EC PARAMETERS` block before the SEC1 key.
    let p = tmp_file("ecparam.pem");
    openssl(&[
        "ecparam",
        "-name",
        "prime256v1",
        "-genkey",
        "-out",
        p.to_str().unwrap(),
    ]);
    let (k, fmt) = load_key(&p, None).expect("loads");
    assert_eq!(
        (k.algorithm(), fmt),
        (KeyAlgorithm::EcP256, KeyFormat::Sec1)
    );
}

#[test]
fn pkcs8_export_is_accepted_by_openssl_and_round_trips() {
    let f = fixtures();
    for ks in [&f.rsa2048, &f.p256] {
        let (k, _) = load_key(&ks.enc_pbkdf2_pem, Some(PASSWORD)).expect("loads");
        let der = k.to_pkcs8_der().expect("export");
        let p = write_tmp("export.p8.der", &der);
        // openssl parses it as the same key: the public halves are identical.
        let ours = openssl(&[
            "pkey",
            "-inform",
            "DER",
            "-in",
            p.to_str().unwrap(),
            "-pubout",
        ]);
        let theirs = openssl(&["pkey", "-in", ks.pkcs8_pem.to_str().unwrap(), "-pubout"]);
        assert_eq!(ours, theirs);
        let (again, fmt) = PrivateKey::load(&der, None).expect("re-import");
        assert_eq!(fmt, KeyFormat::Pkcs8);
        assert_eq!(again.public_key(), k.public_key());
        assert!(
            !format!("{k:?}").contains(&hex::encode(&der[der.len() - 16..])),
            "Debug leaks nothing"
        );
    }
}

// ---------------------------------------------------------------------------------------
// One failure fixture per error variant
// ---------------------------------------------------------------------------------------

#[test]
fn password_errors_are_distinct() {
    let f = fixtures();
    assert_eq!(
        load_key(&f.rsa2048.enc_pbkdf2_pem, Some("wrong")).unwrap_err(),
        CredentialError::WrongPassword
    );
    assert_eq!(
        load_key(&f.p256.enc_scrypt_pem, Some("wrong")).unwrap_err(),
        CredentialError::WrongPassword
    );
    assert_eq!(
        load_key(&f.p256.enc_pbkdf2_der, None).unwrap_err(),
        CredentialError::PasswordRequired
    );
    assert_eq!(
        load_key(&f.rsa2048.pkcs8_pem, Some(PASSWORD)).unwrap_err(),
        CredentialError::PasswordNotExpected
    );
    // PBKDF2 with HMAC-SHA1 (older `openssl pkcs8 -v2` default PRF) and AES-128 also load.
    let sha1 = tmp_file("sha1prf.pem");
    openssl(&[
        "pkcs8",
        "-topk8",
        "-v2",
        "aes-128-cbc",
        "-v2prf",
        "hmacWithSHA1",
        "-in",
        f.p256.pkcs8_pem.to_str().unwrap(),
        "-passout",
        &format!("pass:{PASSWORD}"),
        "-out",
        sha1.to_str().unwrap(),
    ]);
    assert_eq!(
        load_key(&sha1, Some(PASSWORD)).unwrap().1,
        KeyFormat::EncryptedPkcs8
    );
    // PBES2 with 3DES is not implemented: the error names the cipher OID.
    let des = tmp_file("des3.pem");
    openssl(&[
        "pkcs8",
        "-topk8",
        "-v2",
        "des3",
        "-in",
        f.p256.pkcs8_pem.to_str().unwrap(),
        "-passout",
        "pass:x",
        "-out",
        des.to_str().unwrap(),
    ]);
    let e = load_key(&des, Some("x")).unwrap_err();
    assert!(
        matches!(
            &e,
            CredentialError::UnsupportedEncryption { oid } if oid.contains("1.2.840.113549.3.7")
        ),
        "{e:?}"
    );
    let des_der = run(
        "openssl",
        &[
            "pkcs8", "-topk8", "-v2", "des3", "-passout", "pass:x", "-outform", "DER",
        ],
        Some(&read(&f.p256.pkcs8_pem)),
    );
    assert!(matches!(
        PrivateKey::load(&des_der, Some("x")).unwrap_err(),
        CredentialError::UnsupportedEncryption { .. }
    ));
    // Legacy `openssl rsa -aes256 -traditional` (Proc-Type/DEK-Info) is named as such.
    let legacy = tmp_file("legacy.pem");
    openssl(&[
        "rsa",
        "-in",
        f.rsa2048.pkcs8_pem.to_str().unwrap(),
        "-traditional",
        "-aes256",
        "-passout",
        "pass:x",
        "-out",
        legacy.to_str().unwrap(),
    ]);
    assert_eq!(
        load_key(&legacy, Some("x")).unwrap_err(),
        CredentialError::LegacyPemEncryption
    );
}

#[test]
fn corrupt_files_say_what_is_wrong() {
    let f = fixtures();
    let pem = read(&f.p256.pkcs8_pem);
    let der = read(&f.rsa2048.pkcs8_der);
    // Truncated PEM (no END line) and truncated DER.
    assert_eq!(
        PrivateKey::load(&pem[..pem.len() / 2], None).unwrap_err(),
        CredentialError::Truncated
    );
    assert_eq!(
        PrivateKey::load(&der[..der.len() - 10], None).unwrap_err(),
        CredentialError::Truncated
    );
    // Garbage: neither PEM nor DER.
    assert_eq!(
        PrivateKey::load(b"hello, I am not a key\n", None).unwrap_err(),
        CredentialError::NotPemOrDer
    );
    assert_eq!(
        Certificate::from_pem_or_der(&[0x04, 0x03, 1, 2, 3]).unwrap_err(),
        CredentialError::NotPemOrDer
    );
    // Bad base64 inside an otherwise well-formed PEM block.
    let mut bad = pem.clone();
    let i = bad.iter().position(|b| *b == b'\n').unwrap() + 5;
    bad[i] = b'*';
    assert!(
        matches!(PrivateKey::load(&bad, None).unwrap_err(), CredentialError::BadBase64 { label } if label == "PRIVATE KEY")
    );
    // A well-formed DER SEQUENCE that is no key.
    assert!(matches!(
        PrivateKey::load(&[0x30, 0x03, 0x02, 0x01, 0x05], None).unwrap_err(),
        CredentialError::DerParse { .. }
    ));
    // A certificate given as key file, and a key given as certificate.
    let crt = self_signed("swap", &f.p256.pkcs8_pem, SUBJ_SEAL, None, 10);
    assert!(matches!(
        PrivateKey::load(&read(&crt), None).unwrap_err(),
        CredentialError::WrongPemLabel { .. }
    ));
    assert!(matches!(
        Certificate::from_pem_or_der(&pem).unwrap_err(),
        CredentialError::WrongPemLabel {
            expected: "certificate",
            ..
        }
    ));
}

fn unsupported(genpkey: &[&str]) -> String {
    let p = tmp_file("unsupported.pem");
    let mut a = vec!["genpkey"];
    a.extend_from_slice(genpkey);
    a.extend_from_slice(&["-out", p.to_str().unwrap()]);
    openssl(&a);
    match load_key(&p, None).unwrap_err() {
        CredentialError::UnsupportedAlgorithm { algorithm } => algorithm,
        other => panic!("expected UnsupportedAlgorithm, got {other:?}"),
    }
}

#[test]
fn unsupported_algorithms_are_named() {
    assert!(
        unsupported(&["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"])
            .starts_with("RSA-1024")
    );
    // An RSA-1024 certificate inspects as RSA-1024 and is refused as a public key.
    let k1024 = tmp_file("rsa1024.pem");
    openssl(&[
        "genpkey",
        "-algorithm",
        "RSA",
        "-pkeyopt",
        "rsa_keygen_bits:1024",
        "-out",
        k1024.to_str().unwrap(),
    ]);
    let c1024 = cert(&self_signed(
        "rsa1024",
        &k1024,
        SUBJ_SEAL,
        Some("digitalSignature"),
        10,
    ));
    assert_eq!(c1024.key_algorithm(), KeyAlgorithm::Rsa { bits: 1024 });
    assert!(
        matches!(c1024.public_key().unwrap_err(), CredentialError::UnsupportedAlgorithm { algorithm } if algorithm.starts_with("RSA-1024"))
    );
    // Ed25519 certificate: inspected, named.
    let ked = tmp_file("ed.pem");
    openssl(&[
        "genpkey",
        "-algorithm",
        "ED25519",
        "-out",
        ked.to_str().unwrap(),
    ]);
    let ced = cert(&self_signed(
        "ed25519",
        &ked,
        SUBJ_SEAL,
        Some("digitalSignature"),
        10,
    ));
    assert!(
        matches!(ced.key_algorithm(), KeyAlgorithm::Other { name } if name.starts_with("Ed25519"))
    );
    assert!(
        unsupported(&["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"]).contains("P-384")
    );
    assert!(unsupported(&["-algorithm", "ED25519"]).starts_with("Ed25519"));
    assert!(
        unsupported(&["-algorithm", "RSA-PSS", "-pkeyopt", "rsa_keygen_bits:2048"])
            .contains("RSASSA-PSS")
    );
    // SEC1 P-384 and PKCS#1 RSA-1024 too.
    let p = tmp_file("p384.sec1.pem");
    openssl(&[
        "ecparam",
        "-name",
        "secp384r1",
        "-genkey",
        "-noout",
        "-out",
        p.to_str().unwrap(),
    ]);
    assert!(
        matches!(load_key(&p, None).unwrap_err(), CredentialError::UnsupportedAlgorithm { algorithm } if algorithm.contains("P-384"))
    );
    // A certificate with an unsupported key still inspects; its public key is refused.
    let k = tmp_file("p384.p8.pem");
    openssl(&[
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-384",
        "-out",
        k.to_str().unwrap(),
    ]);
    let c = cert(&self_signed(
        "p384",
        &k,
        SUBJ_SEAL,
        Some("digitalSignature"),
        10,
    ));
    assert!(matches!(c.key_algorithm(), KeyAlgorithm::Other { name } if name.contains("P-384")));
    assert!(matches!(
        c.public_key().unwrap_err(),
        CredentialError::UnsupportedAlgorithm { .. }
    ));
}

#[test]
fn mismatched_certificate_and_key() {
    let f = fixtures();
    let crt = self_signed(
        "mismatch",
        &f.rsa2048.pkcs8_pem,
        SUBJ_PERSON_NIP,
        Some("digitalSignature"),
        10,
    );
    let err = Credential::load(&read(&crt), &read(&f.rsa3072.pkcs8_pem), None).unwrap_err();
    assert_eq!(err, CredentialError::KeyMismatch);
    let err = Credential::load(&read(&crt), &read(&f.p256.pkcs8_pem), None).unwrap_err();
    assert_eq!(err, CredentialError::KeyMismatch);
}

#[test]
fn validity_is_checked_against_the_given_time() {
    let f = fixtures();
    let key = &f.p256.pkcs8_pem;
    let expired = cert(&self_signed_dated(
        "expired",
        key,
        "/CN=expired",
        "20200101000000Z",
        "20210101000000Z",
    ));
    let future = cert(&self_signed_dated(
        "future",
        key,
        "/CN=future",
        "20990101000000Z",
        "20991231000000Z",
    ));
    let k = PrivateKey::from_pem_or_der(&read(key), None).unwrap();
    let now = now();
    let e =
        AuthSigningKey::new(Credential::new(expired.clone(), k.clone()).unwrap(), now).unwrap_err();
    assert!(
        matches!(e, CredentialError::Expired { ref not_after, .. } if not_after == "2021-01-01T00:00:00Z"),
        "{e:?}"
    );
    let e =
        AuthSigningKey::new(Credential::new(future.clone(), k.clone()).unwrap(), now).unwrap_err();
    assert!(
        matches!(e, CredentialError::NotYetValid { ref not_before, .. } if not_before == "2099-01-01T00:00:00Z"),
        "{e:?}"
    );
    // The same certificate is fine inside its window (the core never reads the clock).
    let inside = time::macros::datetime!(2020-06-01 0:00 UTC);
    AuthSigningKey::new(Credential::new(expired, k).unwrap(), inside).expect("valid in 2020");
}

#[test]
fn ksef_type_from_key_usage_and_roles() {
    let f = fixtures();
    let key = &f.rsa2048.pkcs8_pem;
    let k = || PrivateKey::from_pem_or_der(&read(key), None).unwrap();
    let mk = |name: &str, ku: Option<&str>| cert(&self_signed(name, key, SUBJ_PERSON_NIP, ku, 30));
    let auth = mk("t-auth", Some("digitalSignature"));
    let offline = mk("t-off", Some("nonRepudiation"));
    let both = mk("t-both", Some("digitalSignature,nonRepudiation"));
    let none = mk("t-none", None);
    assert_eq!(auth.ksef_type(), KsefCertificateType::Authentication);
    assert_eq!(offline.ksef_type(), KsefCertificateType::Offline);
    assert_eq!(both.ksef_type(), KsefCertificateType::Both);
    assert_eq!(none.ksef_type(), KsefCertificateType::Unknown);
    let now = now();
    let cred = |c: &Certificate| Credential::new(c.clone(), k()).unwrap();
    // KOD II refuses an Authentication certificate (DIGEST §13), and Both/Unknown.
    for (c, found) in [
        (&auth, KsefCertificateType::Authentication),
        (&both, KsefCertificateType::Both),
        (&none, KsefCertificateType::Unknown),
    ] {
        assert_eq!(
            OfflineSigningKey::new(cred(c), now).unwrap_err(),
            CredentialError::WrongCertificateType {
                role: "KOD II (offline) signing",
                expected: KsefCertificateType::Offline,
                found
            }
        );
    }
    OfflineSigningKey::new(cred(&offline), now).expect("offline ok");
    // XAdES login refuses an Offline certificate; qualified certs opt out explicitly.
    assert!(matches!(
        AuthSigningKey::new(cred(&offline), now).unwrap_err(),
        CredentialError::WrongCertificateType {
            found: KsefCertificateType::Offline,
            ..
        }
    ));
    AuthSigningKey::new_qualified(cred(&offline), now).expect("qualified");
    for c in [&auth, &both, &none] {
        AuthSigningKey::new(cred(c), now).expect("auth ok");
    }
}

// ---------------------------------------------------------------------------------------
// Inspection against openssl's view of the same certificate
// ---------------------------------------------------------------------------------------

#[test]
fn inspection_matches_openssl() {
    let f = fixtures();
    for (name, subj, ids) in [
        (
            "i-nip",
            SUBJ_PERSON_NIP,
            vec![SubjectIdentifier::Nip("5265877635".into())],
        ),
        (
            "i-seal",
            SUBJ_SEAL,
            vec![SubjectIdentifier::Nip("5265877635".into())],
        ),
        (
            "i-pesel",
            SUBJ_PERSON_PESEL,
            vec![SubjectIdentifier::Pesel("90010112346".into())],
        ),
        ("i-none", "/CN=nobody", vec![]),
    ] {
        let p = self_signed(name, &f.p256.pkcs8_pem, subj, Some("nonRepudiation"), 30);
        let c = cert(&p);
        assert_eq!(c.subject_identifiers(), ids, "{name}");
        let ps = p.to_str().unwrap();
        let serial = String::from_utf8(openssl(&["x509", "-in", ps, "-noout", "-serial"])).unwrap();
        let serial_hex = serial.trim().trim_start_matches("serial=");
        assert_eq!(
            c.serial_hex().trim_start_matches('0'),
            serial_hex.trim_start_matches('0')
        );
        let fp = String::from_utf8(openssl(&[
            "x509",
            "-in",
            ps,
            "-noout",
            "-fingerprint",
            "-sha256",
        ]))
        .unwrap();
        assert_eq!(
            fp.trim().split('=').nth(1).unwrap().replace(':', ""),
            c.fingerprint_sha256()
        );
        // Decimal serial (XAdES IssuerSerial) and RFC 4514 names as Python computes them.
        let py = python(
            "import sys;from cryptography import x509;c=x509.load_pem_x509_certificate(open(sys.argv[1],'rb').read());print(c.serial_number);print(c.subject.rfc4514_string());print(c.issuer.rfc4514_string())",
            &[ps],
        )
        .expect("python");
        let py = String::from_utf8(py).unwrap();
        let lines: Vec<&str> = py.lines().collect();
        assert_eq!(lines[0], c.serial_decimal());
        assert_eq!(lines[1], c.subject());
        assert_eq!(lines[2], c.issuer());
        // Validity as openssl prints it.
        let end = String::from_utf8(openssl(&[
            "x509", "-in", ps, "-noout", "-enddate", "-dateopt", "iso_8601",
        ]))
        .unwrap();
        let end = end.trim().trim_start_matches("notAfter=").replace(' ', "T");
        assert_eq!(end, ksef_core_rfc3339(c.not_after()));
        // publicKeyId = Base64(SHA-256(SPKI DER)) as openssl computes it.
        let spki = openssl(&["x509", "-in", ps, "-noout", "-pubkey"]);
        let spki_der = run(
            "openssl",
            &["pkey", "-pubin", "-outform", "DER"],
            Some(&spki),
        );
        assert_eq!(c.spki_der(), spki_der);
    }
}

fn ksef_core_rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

/// The KSeF TEST certificate of the official KOD II vector (DIGEST §14,
/// `spec/test-vectors/ksef-test-vectors.json` → `kod_ii`).
#[test]
fn ksef_test_certificate_is_typed_and_identified() {
    let v: serde_json::Value = serde_json::from_slice(&read(
        &shared().join("ksef/spec/test-vectors/ksef-test-vectors.json"),
    ))
    .unwrap();
    let k = &v["kod_ii"];
    let c = Certificate::from_base64_der(k["test_certificate_der_base64"].as_str().unwrap())
        .expect("loads");
    assert_eq!(c.serial_hex(), "01F20A5D352AE590");
    assert_eq!(
        c.serial_hex(),
        k["test_certificate_serial_hex"].as_str().unwrap()
    );
    assert_eq!(c.serial_decimal(), "140185933842146704");
    assert_eq!(c.subject(), k["test_certificate_subject"].as_str().unwrap());
    assert_eq!(c.issuer(), k["test_certificate_issuer"].as_str().unwrap());
    assert_eq!(c.key_algorithm(), KeyAlgorithm::Rsa { bits: 2048 });
    // keyUsage = digitalSignature only: an *Authentication* certificate, although the
    // official KOD II example is signed with it (see the report).
    assert_eq!(c.key_usage_bits(), Some((true, false)));
    assert_eq!(c.ksef_type(), KsefCertificateType::Authentication);
    assert_eq!(
        c.subject_identifiers(),
        vec![SubjectIdentifier::Nip("5265877635".into())]
    );
    assert_eq!(
        c.fingerprint_sha256(),
        k["test_certificate_sha256_fingerprint_hex"]
            .as_str()
            .unwrap()
            .to_uppercase()
    );
    assert_eq!(ksef_core_rfc3339(c.not_before()), "2025-07-29T09:28:37Z");
    assert_eq!(ksef_core_rfc3339(c.not_after()), "2027-07-29T09:28:37Z");
    // The official KOD II signature verifies with our PSS verifier.
    let sig = URL_SAFE_NO_PAD
        .decode(k["signature_base64url"].as_str().unwrap())
        .unwrap();
    let msg = k["string_signed_utf8"].as_str().unwrap().as_bytes();
    hazmat::verify_with_certificate(&c, SignatureAlgorithm::RsaPssSha256, msg, &sig)
        .expect("official vector");
    let mut bad = sig.clone();
    bad[10] ^= 1;
    assert_eq!(
        hazmat::verify_with_certificate(&c, SignatureAlgorithm::RsaPssSha256, msg, &bad),
        Err(CryptoError::InvalidSignature)
    );
    assert!(matches!(
        hazmat::verify_with_certificate(&c, SignatureAlgorithm::EcdsaP256Sha256P1363, msg, &sig),
        Err(CryptoError::AlgorithmMismatch { .. })
    ));
}

// ---------------------------------------------------------------------------------------
// Signatures: ours verify in openssl and node; theirs verify in ours
// ---------------------------------------------------------------------------------------

const MSG: &[u8] = b"qr-test.ksef.mf.gov.pl/certificate/Nip/5265877635/5265877635/01F20A5D352AE590/UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE";

fn openssl_verify(pubkey_pem: &Path, msg: &[u8], sig: &[u8], pss: bool) -> bool {
    let m = write_tmp("msg.bin", msg);
    let s = write_tmp("sig.bin", sig);
    let mut a = vec![
        "dgst",
        "-sha256",
        "-verify",
        pubkey_pem.to_str().unwrap(),
        "-signature",
        s.to_str().unwrap(),
    ];
    if pss {
        a.extend_from_slice(&[
            "-sigopt",
            "rsa_padding_mode:pss",
            "-sigopt",
            "rsa_pss_saltlen:32",
        ]);
    }
    a.push(m.to_str().unwrap());
    try_run("openssl", &a, None).is_ok()
}

const NODE_VERIFY: &str = r#"
const c = require('crypto'); const [,key, alg, msg, sig] = process.argv;
const o = {key: c.createPublicKey(Buffer.from(key, 'base64').toString())};
if (alg === 'RsaPssSha256') { o.padding = c.constants.RSA_PKCS1_PSS_PADDING; o.saltLength = 32; }
if (alg === 'EcdsaP256Sha256P1363') o.dsaEncoding = 'ieee-p1363';
process.exit(c.verify('sha256', Buffer.from(msg, 'base64'), o, Buffer.from(sig, 'base64')) ? 0 : 1);
"#;

fn node_verify(pubkey_pem: &[u8], alg: SignatureAlgorithm, msg: &[u8], sig: &[u8]) -> bool {
    node(
        NODE_VERIFY,
        &[
            &STANDARD.encode(pubkey_pem),
            &format!("{alg:?}"),
            &STANDARD.encode(msg),
            &STANDARD.encode(sig),
        ],
    )
    .is_ok()
}

const PY_VERIFY_PSS: &str = r#"
import sys, base64
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
k = serialization.load_pem_public_key(open(sys.argv[1],'rb').read())
k.verify(base64.b64decode(sys.argv[3]), base64.b64decode(sys.argv[2]),
         padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32), hashes.SHA256())
"#;

fn pubkey_pem(key: &Path) -> std::path::PathBuf {
    let out = tmp_file("pub.pem");
    openssl(&[
        "pkey",
        "-in",
        key.to_str().unwrap(),
        "-pubout",
        "-out",
        out.to_str().unwrap(),
    ]);
    out
}

#[test]
fn our_signatures_verify_in_openssl_node_and_python() {
    let f = fixtures();
    let now = now();
    let mut rng = rng();
    for (name, ks, rsa) in [
        ("rsa2048", &f.rsa2048, true),
        ("rsa3072", &f.rsa3072, true),
        ("p256", &f.p256, false),
    ] {
        let pubp = pubkey_pem(&ks.pkcs8_pem);
        let pub_pem = read(&pubp);
        let cred = |ku: &str| {
            let crt = self_signed(
                &format!("sig-{name}-{ku}"),
                &ks.pkcs8_pem,
                SUBJ_PERSON_NIP,
                Some(ku),
                30,
            );
            Credential::load(&read(&crt), &read(&ks.enc_pbkdf2_pem), Some(PASSWORD)).unwrap()
        };
        let auth = AuthSigningKey::new(cred("digitalSignature"), now).unwrap();
        let offline = OfflineSigningKey::new(cred("nonRepudiation"), now).unwrap();

        // XAdES (Authentication): RSA → PKCS#1 v1.5, EC → P1363.
        let req = auth.sign_request(MSG);
        assert_eq!(req.message, MSG);
        assert_eq!(
            req.algorithm,
            if rsa {
                SignatureAlgorithm::RsaPkcs1v15Sha256
            } else {
                SignatureAlgorithm::EcdsaP256Sha256P1363
            }
        );
        let sig = auth.sign(&req, &mut rng).unwrap();
        assert!(
            node_verify(&pub_pem, req.algorithm, MSG, &sig),
            "{name}: node verifies XAdES signature"
        );
        if rsa {
            assert!(
                openssl_verify(&pubp, MSG, &sig, false),
                "{name}: openssl verifies PKCS#1 v1.5"
            );
            assert_eq!(
                sig,
                auth.sign(&req, &mut rng).unwrap(),
                "PKCS#1 v1.5 is deterministic"
            );
        } else {
            assert_eq!(sig.len(), 64);
        }
        hazmat::verify_with_certificate(auth.certificate(), req.algorithm, MSG, &sig).unwrap();

        // KOD II (Offline): RSA → PSS salt 32, EC → P1363.
        let req = offline.sign_request(MSG);
        assert_eq!(
            req.algorithm,
            if rsa {
                SignatureAlgorithm::RsaPssSha256
            } else {
                SignatureAlgorithm::EcdsaP256Sha256P1363
            }
        );
        let sig = offline.sign(&req, &mut rng).unwrap();
        assert!(
            node_verify(&pub_pem, req.algorithm, MSG, &sig),
            "{name}: node verifies KOD II signature"
        );
        if rsa {
            assert_eq!(sig.len(), if name == "rsa2048" { 256 } else { 384 });
            assert!(
                openssl_verify(&pubp, MSG, &sig, true),
                "{name}: openssl verifies PSS saltlen 32"
            );
            assert!(!openssl_verify(&pubp, b"other", &sig, true));
            python(
                PY_VERIFY_PSS,
                &[
                    pubp.to_str().unwrap(),
                    &STANDARD.encode(MSG),
                    &STANDARD.encode(&sig),
                ],
            )
            .expect("python cryptography verifies PSS salt 32");
            assert_ne!(
                sig,
                offline.sign(&req, &mut rng).unwrap(),
                "PSS salt is random"
            );
        } else {
            // The same key, asked for DER (CSR / JAVA style): openssl verifies it.
            let der_req = SignRequest {
                algorithm: SignatureAlgorithm::EcdsaP256Sha256Der,
                message: MSG.to_vec(),
            };
            let der = offline.sign(&der_req, &mut rng).unwrap();
            assert_eq!(der[0], 0x30);
            assert!(
                openssl_verify(&pubp, MSG, &der, false),
                "{name}: openssl verifies ECDSA DER"
            );
            assert!(node_verify(
                &pub_pem,
                SignatureAlgorithm::EcdsaP256Sha256Der,
                MSG,
                &der
            ));
        }
        hazmat::verify_with_certificate(offline.certificate(), req.algorithm, MSG, &sig).unwrap();

        // A request that does not fit the key is refused, not silently re-typed.
        let wrong = SignRequest {
            algorithm: if rsa {
                SignatureAlgorithm::EcdsaP256Sha256P1363
            } else {
                SignatureAlgorithm::RsaPssSha256
            },
            message: MSG.to_vec(),
        };
        assert!(matches!(
            offline.sign(&wrong, &mut rng),
            Err(CryptoError::AlgorithmMismatch { .. })
        ));
    }
}

const NODE_SIGN: &str = r#"
const c = require('crypto'); const [,key, alg, msg] = process.argv;
const o = {key: c.createPrivateKey(Buffer.from(key, 'base64').toString())};
if (alg === 'RsaPssSha256') { o.padding = c.constants.RSA_PKCS1_PSS_PADDING; o.saltLength = 32; }
if (alg === 'EcdsaP256Sha256P1363') o.dsaEncoding = 'ieee-p1363';
process.stdout.write(c.sign('sha256', Buffer.from(msg, 'base64'), o).toString('base64'));
"#;

#[test]
fn openssl_and_node_signatures_verify_in_ours() {
    let f = fixtures();
    for (ks, algs) in [
        (
            &f.rsa2048,
            vec![
                SignatureAlgorithm::RsaPkcs1v15Sha256,
                SignatureAlgorithm::RsaPssSha256,
            ],
        ),
        (
            &f.p256,
            vec![
                SignatureAlgorithm::EcdsaP256Sha256P1363,
                SignatureAlgorithm::EcdsaP256Sha256Der,
            ],
        ),
    ] {
        let k = PrivateKey::from_pem_or_der(&read(&ks.pkcs8_pem), None).unwrap();
        let pk = k.public_key();
        let m = write_tmp("msg.bin", MSG);
        for alg in algs {
            // openssl (DER for ECDSA).
            if alg != SignatureAlgorithm::EcdsaP256Sha256P1363 {
                let mut a = vec!["dgst", "-sha256", "-sign", ks.pkcs8_pem.to_str().unwrap()];
                if alg == SignatureAlgorithm::RsaPssSha256 {
                    a.extend_from_slice(&[
                        "-sigopt",
                        "rsa_padding_mode:pss",
                        "-sigopt",
                        "rsa_pss_saltlen:32",
                    ]);
                }
                a.push(m.to_str().unwrap());
                let sig = openssl(&a);
                hazmat::verify(&pk, alg, MSG, &sig)
                    .unwrap_or_else(|e| panic!("openssl {alg:?}: {e}"));
                // ECDSA: a DER signature is accepted under either ECDSA algorithm name.
                if alg == SignatureAlgorithm::EcdsaP256Sha256Der {
                    hazmat::verify(&pk, SignatureAlgorithm::EcdsaP256Sha256P1363, MSG, &sig)
                        .unwrap();
                }
            }
            // node:crypto.
            let out = node(
                NODE_SIGN,
                &[
                    &STANDARD.encode(read(&ks.pkcs8_pem)),
                    &format!("{alg:?}"),
                    &STANDARD.encode(MSG),
                ],
            )
            .expect("node sign");
            let sig = STANDARD.decode(out).unwrap();
            hazmat::verify(&pk, alg, MSG, &sig).unwrap_or_else(|e| panic!("node {alg:?}: {e}"));
            if alg == SignatureAlgorithm::EcdsaP256Sha256P1363 {
                assert_eq!(sig.len(), 64);
                hazmat::verify(&pk, SignatureAlgorithm::EcdsaP256Sha256Der, MSG, &sig).unwrap();
            }
            assert_eq!(
                hazmat::verify(&pk, alg, b"tampered", &sig),
                Err(CryptoError::InvalidSignature)
            );
        }
    }
}

#[test]
fn generated_keys_export_to_pkcs8_that_openssl_reads() {
    let mut rng = rng();
    for (k, text) in [
        (PrivateKey::generate_p256(&mut rng), "prime256v1"),
        (
            PrivateKey::generate_rsa(&mut rng, 2048).unwrap(),
            "2048 bit",
        ),
    ] {
        let der = k.to_pkcs8_der().unwrap();
        let p = write_tmp("gen.p8.der", &der);
        let out = String::from_utf8(openssl(&[
            "pkey",
            "-inform",
            "DER",
            "-in",
            p.to_str().unwrap(),
            "-noout",
            "-text",
        ]))
        .unwrap();
        assert!(out.contains(text), "{out}");
    }
    assert!(matches!(
        PrivateKey::generate_rsa(&mut rng, 1024),
        Err(CredentialError::UnsupportedAlgorithm { .. })
    ));
}

/// The browser path (CONVENTIONS §3, two-step signing): our PKCS#8 export imports into
/// WebCrypto (node's `crypto.subtle`, the same API as the browser), WebCrypto signs the
/// `SignRequest` bytes, and our verifier accepts the result.
#[test]
fn webcrypto_imports_our_pkcs8_and_its_signatures_verify_in_ours() {
    const SUBTLE: &str = r#"
const [,der, alg, msg] = process.argv;
const s = globalThis.crypto.subtle;
const params = {
  RsaPkcs1v15Sha256: [{name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256'}, {name: 'RSASSA-PKCS1-v1_5'}],
  RsaPssSha256: [{name: 'RSA-PSS', hash: 'SHA-256'}, {name: 'RSA-PSS', saltLength: 32}],
  EcdsaP256Sha256P1363: [{name: 'ECDSA', namedCurve: 'P-256'}, {name: 'ECDSA', hash: 'SHA-256'}],
}[alg];
(async () => {
  const key = await s.importKey('pkcs8', Buffer.from(der, 'base64'), params[0], false, ['sign']);
  const sig = await s.sign(params[1], key, Buffer.from(msg, 'base64'));
  process.stdout.write(Buffer.from(sig).toString('base64'));
})().catch(e => { console.error(e); process.exit(1); });
"#;
    let now = now();
    let f = fixtures();
    for (ks, rsa) in [(&f.rsa2048, true), (&f.p256, false)] {
        for (ku, offline) in [("digitalSignature", false), ("nonRepudiation", true)] {
            let crt = self_signed(
                &format!("webcrypto-{rsa}-{ku}"),
                &ks.pkcs8_pem,
                SUBJ_SEAL,
                Some(ku),
                30,
            );
            let cred = Credential::load(&read(&crt), &read(&ks.traditional_der), None).unwrap();
            let (req, der, cert) = if offline {
                let k = OfflineSigningKey::new(cred, now).unwrap();
                (
                    k.sign_request(MSG),
                    k.to_pkcs8_der().unwrap(),
                    k.certificate().clone(),
                )
            } else {
                let k = AuthSigningKey::new(cred, now).unwrap();
                (
                    k.sign_request(MSG),
                    k.to_pkcs8_der().unwrap(),
                    k.certificate().clone(),
                )
            };
            let out = node(
                SUBTLE,
                &[
                    &STANDARD.encode(&der[..]),
                    &format!("{:?}", req.algorithm),
                    &STANDARD.encode(&req.message),
                ],
            )
            .unwrap_or_else(|e| panic!("webcrypto {:?}: {e}", req.algorithm));
            let sig = STANDARD.decode(out).unwrap();
            hazmat::verify_with_certificate(&cert, req.algorithm, MSG, &sig)
                .unwrap_or_else(|e| panic!("{:?}: {e}", req.algorithm));
        }
    }
}

/// Inputs that must be rejected (CONVENTIONS §12): every truncation and many single-byte
/// corruptions of real key and certificate files give an error, never a panic.
#[test]
fn truncated_and_corrupted_inputs_are_errors_not_panics() {
    let f = fixtures();
    let crt = self_signed(
        "fuzz",
        &f.p256.pkcs8_pem,
        SUBJ_SEAL,
        Some("nonRepudiation"),
        10,
    );
    let cert_der = read(&cert_der(&crt));
    for file in [
        &f.p256.pkcs8_der,
        &f.p256.traditional_der,
        &f.p256.enc_pbkdf2_der,
        &f.rsa2048.traditional_pem,
    ] {
        let bytes = read(file);
        let pw = (file == &f.p256.enc_pbkdf2_der).then_some(PASSWORD);
        // (A PEM file missing only its final newline is still complete.)
        for n in 0..bytes.trim_ascii_end().len() {
            assert!(
                PrivateKey::load(&bytes[..n], pw).is_err(),
                "{} cut at {n}",
                file.display()
            );
        }
        for i in (0..bytes.len()).step_by(7) {
            let mut b = bytes.clone();
            b[i] ^= 0xa5;
            let _ = PrivateKey::load(&b, pw); // must not panic; may even succeed (e.g. a flip in a parameter)
        }
    }
    for n in 0..cert_der.len() {
        assert!(
            Certificate::from_pem_or_der(&cert_der[..n]).is_err(),
            "cert cut at {n}"
        );
    }
    for i in 0..cert_der.len() {
        let mut b = cert_der.clone();
        b[i] ^= 0x5a;
        if let Ok(c) = Certificate::from_pem_or_der(&b) {
            // Whatever parses must also inspect without panicking.
            let _ = (
                c.subject(),
                c.issuer(),
                c.serial_decimal(),
                c.ksef_type(),
                c.subject_identifiers(),
                c.key_algorithm(),
                c.public_key(),
            );
        }
    }
}
