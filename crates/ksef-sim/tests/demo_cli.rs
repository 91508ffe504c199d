//! `ksef-sim demo-credentials`: the files it writes load as a KSeF Authentication and
//! Offline credential in the core, and openssl opens the encrypted keys with the password.

use std::process::Command;

use ksef_core::crypto::{AuthSigningKey, Credential, KsefCertificateType, OfflineSigningKey};

#[test]
fn writes_both_credential_types() {
    let out = std::env::temp_dir().join(format!("ksef-sim-demo-{}", std::process::id()));
    let o = Command::new(env!("CARGO_BIN_EXE_ksef-sim"))
        .args([
            "demo-credentials",
            "--nip",
            "5265877635",
            "--password",
            "demo-haslo",
            "--out",
        ])
        .arg(&out)
        .output()
        .expect("run ksef-sim");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let now = time::OffsetDateTime::now_utc();
    for (name, expected) in [
        ("authentication", KsefCertificateType::Authentication),
        ("offline", KsefCertificateType::Offline),
    ] {
        let crt = std::fs::read(out.join(format!("{name}.crt"))).expect("certificate written");
        let key = std::fs::read(out.join(format!("{name}.key"))).expect("key written");
        assert!(
            String::from_utf8_lossy(&key).contains("ENCRYPTED PRIVATE KEY"),
            "{name}: key must be encrypted"
        );
        let cred =
            Credential::load(&crt, &key, Some("demo-haslo")).expect("loads with the password");
        assert_eq!(cred.certificate().ksef_type(), expected);
        assert!(
            Credential::load(&crt, &key, Some("zle")).is_err(),
            "{name}: wrong password refused"
        );
        match expected {
            KsefCertificateType::Authentication => {
                AuthSigningKey::new(cred, now).expect("usable for XAdES login");
            }
            _ => {
                OfflineSigningKey::new(cred, now).expect("usable for KOD II");
            }
        }
        let ok = Command::new("openssl")
            .args(["pkey", "-noout", "-passin", "pass:demo-haslo", "-in"])
            .arg(out.join(format!("{name}.key")))
            .status()
            .expect("openssl")
            .success();
        assert!(ok, "{name}: openssl opens the key with the password");
    }
    let bad = Command::new(env!("CARGO_BIN_EXE_ksef-sim"))
        .args([
            "demo-credentials",
            "--nip",
            "0123",
            "--password",
            "x",
            "--out",
        ])
        .arg(&out)
        .output()
        .expect("run ksef-sim");
    assert!(!bad.status.success(), "an invalid NIP is refused");
    let _ = std::fs::remove_dir_all(&out);
}
