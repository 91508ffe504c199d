//! `ksef invoice …`, `ksef number check`, `ksef nip check`, `ksef cert inspect`,
//! `ksef encrypt` and `ksef xades …` end to end, as a script would use them: stdout,
//! stderr and the documented exit codes (0 ok, 1 invalid input, 2 usage). Outputs are
//! checked against independent tools (xmllint, openssl) where one exists.

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
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn shared_ksef(rel: &str) -> PathBuf {
    let base = std::env::var("KSEF_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|_| repo().join("../shared"));
    base.join("ksef").join(rel)
}

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ksef-invoice-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn xmllint_ok(file: &Path) -> bool {
    Command::new("xmllint")
        .args(["--nonet", "--noout", "--schema"])
        .arg(shared_ksef("schemas/schemat_FA(3)_v1-0E.xsd"))
        .arg(file)
        .output()
        .expect("xmllint (bash scripts/setup)")
        .status
        .success()
}

#[test]
fn build_validate_hash_parse_emit() {
    let d = dir("pipeline");
    let xml = d.join("vat.xml");
    let draft = repo().join("docs/examples/draft-vat.json");
    let o = ksef(&[
        "invoice",
        "build",
        s(&draft),
        "-o",
        s(&xml),
        "--created-at",
        "2026-02-02T10:00:00Z",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        xmllint_ok(&xml),
        "built invoice must be valid against the official XSD"
    );

    // Deterministic: the same draft and creation time give the same bytes, also on stdout.
    let again = ksef(&[
        "invoice",
        "build",
        s(&draft),
        "--created-at",
        "2026-02-02T10:00:00Z",
    ]);
    assert_eq!(again.stdout, std::fs::read(&xml).expect("read xml"));

    let o = ksef(&["invoice", "validate", s(&xml)]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));

    // Hash = Base64(SHA-256(bytes)), checked with openssl.
    let o = ksef(&["invoice", "hash", s(&xml)]);
    assert_eq!(code(&o), 0);
    let dgst = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "openssl dgst -sha256 -binary '{}' | openssl base64 -A",
            s(&xml)
        ))
        .output()
        .expect("openssl");
    assert_eq!(
        stdout(&o).trim(),
        String::from_utf8_lossy(&dgst.stdout).trim()
    );
    let url = ksef(&["invoice", "hash", "--url-safe", s(&xml)]);
    let url = stdout(&url);
    assert_eq!(url.trim().len(), 43);
    assert!(!url.contains('+') && !url.contains('/') && !url.contains('='));

    // parse | emit reproduces the built bytes.
    let o = ksef(&["invoice", "parse", s(&xml)]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let json = d.join("model.json");
    std::fs::write(&json, &o.stdout).expect("write json");
    let model: serde_json::Value = serde_json::from_slice(&o.stdout).expect("parse prints JSON");
    assert_eq!(model["Fa"]["RodzajFaktury"], "VAT");
    let emitted = d.join("emitted.xml");
    let o = ksef(&["invoice", "emit", s(&json), "-o", s(&emitted)]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        std::fs::read(&emitted).expect("emitted"),
        std::fs::read(&xml).expect("xml")
    );
}

#[test]
fn ministry_samples_parse_emit_and_validate() {
    let d = dir("samples");
    let dir_samples = shared_ksef("samples/fa3-mf-official");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir_samples).expect("samples") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "xml") {
            continue;
        }
        n += 1;
        let v = ksef(&["invoice", "validate", s(&path), "--json"]);
        assert_eq!(code(&v), 0, "{}: {}", path.display(), stdout(&v));
        let report: serde_json::Value =
            serde_json::from_slice(&v.stdout).expect("--json prints JSON");
        assert!(report["problems"].is_array(), "{report}");
        let parsed = ksef(&["invoice", "parse", s(&path)]);
        assert_eq!(code(&parsed), 0, "{}", stderr(&parsed));
        let json = d.join("m.json");
        std::fs::write(&json, &parsed.stdout).expect("write");
        let out = d.join("m.xml");
        assert_eq!(
            code(&ksef(&["invoice", "emit", s(&json), "-o", s(&out)])),
            0
        );
        assert!(
            xmllint_ok(&out),
            "{} re-emitted must stay schema-valid",
            path.display()
        );
    }
    assert!(n >= 17, "expected the 17 Ministry samples, found {n}");
}

#[test]
fn invalid_inputs_exit_1_with_the_place_named() {
    let d = dir("invalid");
    // A draft with an unknown VAT rate: the field path is named.
    let draft: serde_json::Value = serde_json::from_slice(
        &std::fs::read(repo().join("docs/examples/draft-vat.json")).expect("draft"),
    )
    .expect("json");
    let mut bad = draft.clone();
    bad["lines"][0]["vatRate"] = serde_json::Value::String("24".into());
    let f = d.join("bad-draft.json");
    std::fs::write(&f, serde_json::to_vec(&bad).expect("json")).expect("write");
    let o = ksef(&["invoice", "build", s(&f)]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("lines[0].vatRate"), "{}", stderr(&o));
    assert!(
        o.stdout.is_empty(),
        "nothing is written for an invalid draft"
    );

    // An invoice whose seller NIP fails the checksum: validate names the rule and path.
    let sample = std::fs::read_to_string(shared_ksef(
        "samples/fa3-mf-official/fa3-mf01-vat-basic-goods-3-lines-23and5pct-paid.xml",
    ))
    .expect("sample");
    let seller_nip = sample
        .split("<NIP>")
        .nth(1)
        .and_then(|r| r.split("</NIP>").next())
        .expect("NIP")
        .to_string();
    let broken = sample.replacen(
        &format!("<NIP>{seller_nip}</NIP>"),
        "<NIP>1234567890</NIP>",
        1,
    );
    let f = d.join("bad-nip.xml");
    std::fs::write(&f, broken).expect("write");
    let o = ksef(&["invoice", "validate", s(&f), "--json"]);
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json report");
    let hit = report["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .any(|p| {
            p["path"] == "Faktura/Podmiot1/DaneIdentyfikacyjne/NIP" && p["severity"] == "error"
        });
    assert!(hit, "{report}");
    // With TEST rules the checksum is only a warning (TEST checks the pattern only).
    assert_eq!(
        code(&ksef(&["invoice", "validate", s(&f), "--test-rules"])),
        0
    );

    // Structurally broken XML: parse exits 1 and names the element path.
    let swapped = sample
        .replacen("<P_2>", "<P_2X>", 1)
        .replacen("</P_2>", "</P_2X>", 1);
    let f = d.join("bad-structure.xml");
    std::fs::write(&f, swapped).expect("write");
    let o = ksef(&["invoice", "parse", s(&f)]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("Faktura/Fa"), "{}", stderr(&o));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(
        code(&ksef(&["invoice", "hash", "/nonexistent/invoice.xml"])),
        2
    );
    assert_eq!(
        code(&ksef(&["invoice", "build", "/nonexistent/draft.json"])),
        2
    );
    assert_eq!(code(&ksef(&["invoice", "frobnicate"])), 2);
    assert_eq!(code(&ksef(&["nip", "check"])), 2);
}

#[test]
fn numbers_and_nips() {
    let ok = ksef(&["number", "check", "5265877635-20250826-0100001AF629-AF"]);
    assert_eq!(code(&ok), 0);
    let bad = ksef(&["number", "check", "5265877635-20250826-0100001AF629-AE"]);
    assert_eq!(code(&bad), 1);
    assert!(stderr(&bad).contains("checksum"), "{}", stderr(&bad));
    assert_eq!(
        code(&ksef(&[
            "number",
            "check",
            "--reference",
            "20250625-SO-2C3E6C8000-B675CF5D68-07"
        ])),
        0
    );
    assert_eq!(
        code(&ksef(&[
            "number",
            "check",
            "--reference",
            "20250625-SO-2C3E6C8000-B675CF5D68-08"
        ])),
        1
    );
    assert_eq!(code(&ksef(&["nip", "check", "5265877635"])), 0);
    let bad = ksef(&["nip", "check", "1234567890"]);
    assert_eq!(code(&bad), 1);
    assert!(stderr(&bad).contains("NIP"), "{}", stderr(&bad));
}

/// openssl makes an encrypted P-256 Authentication credential; the CLI inspects it, signs an
/// AuthTokenRequest with it, and verifies the result; a tampered copy is refused.
#[test]
fn cert_inspect_and_xades_sign_verify() {
    let d = dir("xades");
    let (key, cert) = (d.join("auth.key"), d.join("auth.pem"));
    let ok = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-new",
            "-days",
            "30",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
        ])
        .args([
            "-subj",
            "/CN=Jan Testowy/serialNumber=TINPL-5265877635/C=PL",
        ])
        .args([
            "-addext",
            "keyUsage=critical,digitalSignature",
            "-passout",
            "pass:tajne",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl")
        .status
        .success();
    assert!(ok);
    // openssl req writes a legacy-encrypted key; convert it to PBES2 PKCS#8 (what KSeF issues).
    let p8 = d.join("auth.p8");
    let ok = Command::new("openssl")
        .args([
            "pkcs8",
            "-topk8",
            "-v2",
            "aes-256-cbc",
            "-v2prf",
            "hmacWithSHA256",
            "-passin",
            "pass:tajne",
        ])
        .args(["-passout", "pass:tajne", "-in"])
        .arg(&key)
        .arg("-out")
        .arg(&p8)
        .status()
        .expect("openssl pkcs8")
        .success();
    assert!(ok);

    let o = ksef(&[
        "cert",
        "inspect",
        s(&cert),
        "--key",
        s(&p8),
        "--password",
        "tajne",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let info: serde_json::Value = serde_json::from_slice(&o.stdout).expect("inspect prints JSON");
    let text = info.to_string();
    assert!(text.contains("Authentication"), "{text}");
    assert!(text.contains("5265877635"), "{text}");
    let wrong = ksef(&[
        "cert",
        "inspect",
        s(&cert),
        "--key",
        s(&p8),
        "--password",
        "zle",
    ]);
    assert_eq!(code(&wrong), 1);
    assert!(
        stderr(&wrong).to_lowercase().contains("password"),
        "{}",
        stderr(&wrong)
    );

    let signed = d.join("signed.xml");
    let o = ksef(&[
        "xades",
        "sign",
        "--challenge",
        "20250514-CR-226FB7B000-3ACF9BE4C0-10",
        "--context-type",
        "Nip",
        "--context",
        "5265877635",
        "--cert",
        s(&cert),
        "--key",
        s(&p8),
        "--password",
        "tajne",
        "-o",
        s(&signed),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(code(&ksef(&["xades", "verify", s(&signed)])), 0);
    let tampered = std::fs::read_to_string(&signed)
        .expect("signed")
        .replace("5265877635</Nip>", "5265877636</Nip>");
    let t = d.join("tampered.xml");
    std::fs::write(&t, tampered).expect("write");
    let o = ksef(&["xades", "verify", s(&t)]);
    assert_eq!(code(&o), 1, "{}", stdout(&o));
}
