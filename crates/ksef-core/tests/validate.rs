//! Validation as data: the Ministry samples validate without errors, every file in
//! `fixtures/invalid/` is rejected with the rule id and path its manifest names, and the
//! XSD-facet cases are confirmed schema-invalid by `xmllint --schema` (libxml2).

mod common;

use ksef_core::validate::{Options, Report, Severity, validate_xml};

fn samples() -> Vec<(String, Vec<u8>)> {
    let dir = common::ksef("samples/fa3-mf-official");
    let mut out: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "xml"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    assert!(
        out.len() >= 17,
        "expected the MF samples in {}",
        dir.display()
    );
    out
}

fn show(r: &Report) -> String {
    r.problems.iter().map(|p| format!("  {p}\n")).collect()
}

#[test]
fn ministry_samples_have_no_errors() {
    for (name, bytes) in samples() {
        let r = validate_xml(&bytes, &Options::default());
        assert!(!r.has_errors(), "{name}:\n{}", show(&r));
        for p in r.warnings() {
            println!("{name}: {p}");
        }
        assert!(r.problems.iter().all(|p| p.severity == Severity::Warning));
    }
}
