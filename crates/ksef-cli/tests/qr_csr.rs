//! `ksef qr …` and `ksef csr` end to end: exit codes (0 ok, 1 invalid input, 2 usage),
//! outputs checked by openssl.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn ksef(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ksef"))
        .args(args)
        .output()
        .expect("run ksef")
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).trim().to_owned()
}

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ksef-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

fn p(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

fn openssl_cert(d: &Path, name: &str, usage: &str) -> (PathBuf, PathBuf) {
    let (key, cert) = (d.join(format!("{name}.key")), d.join(format!("{name}.pem")));
    let ok = Command::new("openssl")
        .args([
            "req", "-x509", "-new", "-nodes", "-days", "2", "-newkey", "ec",
        ])
        .args([
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-subj",
            "/CN=5265877635",
        ])
        .args(["-set_serial", "0x01F20A5D352AE590", "-addext"])
        .arg(format!("keyUsage=critical,{usage}"))
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl")
        .status
        .success();
    assert!(ok);
    (key, cert)
}

#[test]
fn qr_invoice_certificate_and_verify() {
    let d = dir("qr");
    let inv = d.join("inv.xml");
    std::fs::write(&inv, b"<Faktura/>\n").unwrap();
    let svg = d.join("kod1.svg");
    let o = ksef(&[
        "qr",
        "invoice",
        "--env",
        "demo",
        "--nip",
        "5265877635",
        "--date",
        "2026-02-01",
        "--file",
        p(&inv),
        "--svg",
        p(&svg),
    ]);
    assert_eq!(code(&o), 0, "{o:?}");
    let kod1 = stdout(&o);
    assert!(kod1.starts_with("https://qr-demo.ksef.mf.gov.pl/invoice/5265877635/01-02-2026/"));
    assert!(
        std::fs::read_to_string(&svg)
            .unwrap()
            .contains(">OFFLINE</text>")
    );
    assert_eq!(code(&ksef(&["qr", "verify", &kod1, "--file", p(&inv)])), 0);

    // Invalid input → 1; usage → 2.
    let bad_nip = ksef(&[
        "qr",
        "invoice",
        "--nip",
        "0123456789",
        "--date",
        "2026-02-01",
        "--file",
        p(&inv),
    ]);
    assert_eq!(code(&bad_nip), 1);
    assert!(String::from_utf8_lossy(&bad_nip.stderr).contains("NIP"));
    assert_eq!(
        code(&ksef(&[
            "qr",
            "invoice",
            "--nip",
            "5265877635",
            "--date",
            "2026-02-01",
            "--file",
            "/nonexistent"
        ])),
        2
    );
    assert_eq!(code(&ksef(&["qr", "invoice", "--nip", "5265877635"])), 2);
    assert_eq!(code(&ksef(&["qr", "verify", &format!("{kod1}/")])), 1);

    // KOD II with an Offline certificate; verify with it.
    let (key, cert) = openssl_cert(&d, "offline", "nonRepudiation");
    let o = ksef(&[
        "qr",
        "certificate",
        "--env",
        "test",
        "--context-type",
        "Nip",
        "--context",
        "5265877635",
        "--nip",
        "5265877635",
        "--cert",
        p(&cert),
        "--key",
        p(&key),
        "--file",
        p(&inv),
        "--svg",
        p(&d.join("kod2.svg")),
    ]);
    assert_eq!(code(&o), 0, "{o:?}");
    let kod2 = stdout(&o);
    assert!(kod2.starts_with(
        "https://qr-test.ksef.mf.gov.pl/certificate/Nip/5265877635/5265877635/01F20A5D352AE590/"
    ));
    assert!(
        std::fs::read_to_string(d.join("kod2.svg"))
            .unwrap()
            .contains(">CERTYFIKAT</text>")
    );
    assert_eq!(
        code(&ksef(&[
            "qr",
            "verify",
            &kod2,
            "--cert",
            p(&cert),
            "--file",
            p(&inv)
        ])),
        0
    );
    let tampered = kod2.replace("/Nip/5265877635/", "/Nip/5265877636/");
    let o = ksef(&["qr", "verify", &tampered, "--cert", p(&cert)]);
    assert_eq!(code(&o), 1);
    assert!(String::from_utf8_lossy(&o.stderr).contains("signature does not verify"));

    // An Authentication certificate is refused, with the reason.
    let (akey, acert) = openssl_cert(&d, "auth", "digitalSignature");
    let o = ksef(&[
        "qr",
        "certificate",
        "--context-type",
        "Nip",
        "--context",
        "5265877635",
        "--nip",
        "5265877635",
        "--cert",
        p(&acert),
        "--key",
        p(&akey),
        "--file",
        p(&inv),
    ]);
    assert_eq!(code(&o), 1);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("expected Offline, found Authentication"),
        "{err}"
    );
}

#[test]
fn csr_writes_a_verifiable_request_and_an_encrypted_key() {
    let d = dir("csr");
    let subject = d.join("dn.json");
    std::fs::write(
        &subject,
        br#"{"commonName":"Beta","countryName":"PL","organizationName":"Beta","organizationIdentifier":"VATPL-5265877635"}"#,
    )
    .unwrap();
    let out = d.join("out");
    let o = ksef(&[
        "csr",
        "--key-type",
        "ec",
        "--subject",
        p(&subject),
        "--out",
        p(&out),
        "--password",
        "pw1",
    ]);
    assert_eq!(code(&o), 0, "{o:?}");
    let verify = Command::new("openssl")
        .args(["req", "-verify", "-noout", "-subject", "-in"])
        .arg(out.join("csr.pem"))
        .output()
        .unwrap();
    assert!(verify.status.success());
    assert!(
        String::from_utf8_lossy(&verify.stdout)
            .contains("organizationIdentifier = VATPL-5265877635")
    );
    let key = std::fs::read_to_string(out.join("key.pem")).unwrap();
    assert!(key.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
    assert!(
        Command::new("openssl")
            .args(["pkey", "-noout", "-passin", "pass:pw1", "-in"])
            .arg(out.join("key.pem"))
            .status()
            .unwrap()
            .success()
    );
    // The key is never overwritten; bad enrollment data is invalid input.
    assert_eq!(
        code(&ksef(&["csr", "--subject", p(&subject), "--out", p(&out)])),
        2
    );
    std::fs::write(&subject, br#"{"commonName":"Beta","countryName":"Polska"}"#).unwrap();
    assert_eq!(
        code(&ksef(&[
            "csr",
            "--subject",
            p(&subject),
            "--out",
            p(&d.join("x"))
        ])),
        1
    );
}
