//! Shared helpers for the integration tests: where the KSeF facts live, and the
//! independent oracles (xmllint) we check our output against.
#![allow(dead_code, unreachable_pub)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// `shared/` (the KSeF facts), read in place: `$KSEF_SHARED` or `../shared` beside the repo.
pub fn shared() -> PathBuf {
    if let Ok(p) = std::env::var("KSEF_SHARED") {
        return PathBuf::from(p);
    }
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let p = repo.join("../shared");
    assert!(
        p.join("ksef").is_dir(),
        "shared/ksef not found at {} (set KSEF_SHARED)",
        p.display()
    );
    p
}

/// `shared/ksef/<rel>`.
pub fn ksef(rel: &str) -> PathBuf {
    shared().join("ksef").join(rel)
}

/// Path of the official FA(3) schema (with its import patched to the local copy).
pub fn fa3_xsd() -> PathBuf {
    ksef("schemas/schemat_FA(3)_v1-0E.xsd")
}

/// Validates `xml` with `xmllint --schema` (libxml2, the independent oracle).
/// Returns `Err(stderr)` when the document is not schema-valid.
pub fn xmllint_validate(xml: &[u8], xsd: &Path) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("ksef-xmllint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let file = dir.join(format!("doc-{n}.xml"));
    std::fs::write(&file, xml).expect("write temp xml");
    let out = Command::new("xmllint")
        .arg("--nonet")
        .arg("--noout")
        .arg("--schema")
        .arg(xsd)
        .arg(&file)
        .output()
        .expect("xmllint must be installed (bash scripts/setup)");
    let _ = std::fs::remove_file(&file);
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Checks only well-formedness (XML 1.0 + Namespaces) with `xmllint --noout`, the
/// document on stdin. Returns `Err(stderr)` when libxml2 rejects it, else `Ok(stderr)`
/// (libxml2 reports namespace errors there without failing).
pub fn xmllint_well_formed(xml: &[u8]) -> Result<String, String> {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = Command::new("xmllint")
        .args(["--nonet", "--noout", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("xmllint must be installed (bash scripts/setup)");
    {
        let mut stdin = child.stdin.take().expect("stdin");
        // xmllint may stop reading early on a fatal error.
        let _ = stdin.write_all(xml);
    }
    let out = child.wait_with_output().expect("xmllint runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if out.status.success() {
        Ok(stderr)
    } else {
        Err(stderr)
    }
}
