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

struct Case {
    file: String,
    rule: String,
    path: String,
    severity: Severity,
    xsd_invalid: bool,
    opts: Options,
}

fn manifest() -> Vec<Case> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/invalid");
    let text = std::fs::read_to_string(dir.join("MANIFEST.tsv")).unwrap();
    let cases: Vec<Case> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert!(f.len() >= 6, "manifest line needs 6 columns: {l}");
            let mut opts = Options::default();
            for o in f[5].split(',').filter(|o| *o != "-") {
                match o.split_once('=') {
                    Some(("today", d)) => {
                        let fmt = time::macros::format_description!("[year]-[month]-[day]");
                        opts.today = Some(time::Date::parse(d, &fmt).unwrap());
                    }
                    None if o == "test-rules" => opts.production_rules = false,
                    _ => panic!("unknown option {o} in {l}"),
                }
            }
            Case {
                file: f[0].into(),
                rule: f[1].into(),
                path: if f[2] == "-" {
                    String::new()
                } else {
                    f[2].into()
                },
                severity: match f[3] {
                    "error" => Severity::Error,
                    "warning" => Severity::Warning,
                    s => panic!("bad severity {s}"),
                },
                xsd_invalid: match f[4] {
                    "invalid" => true,
                    "valid" => false,
                    s => panic!("bad xmllint verdict {s}"),
                },
                opts,
            }
        })
        .collect();
    // Every fixture file is in the manifest and vice versa: adding a case = file + line.
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".xml"))
        .collect();
    files.sort();
    let mut listed: Vec<String> = cases.iter().map(|c| c.file.clone()).collect();
    listed.sort();
    assert_eq!(files, listed, "fixtures/invalid and MANIFEST.tsv disagree");
    cases
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/invalid")
            .join(name),
    )
    .unwrap()
}

#[test]
fn invalid_fixtures_fire_the_expected_rule_at_the_expected_path() {
    let mut failures = Vec::new();
    for c in manifest() {
        let r = validate_xml(&fixture(&c.file), &c.opts);
        let hit = r
            .problems
            .iter()
            .find(|p| p.rule == c.rule && p.path == c.path);
        match hit {
            Some(p) if p.severity == c.severity => {
                assert!(!p.message_pl.is_empty() && !p.message_en.is_empty());
                if c.severity == Severity::Error {
                    assert!(r.has_errors(), "{}", c.file);
                }
            }
            Some(p) => failures.push(format!(
                "{}: {} at {:?} has severity {:?}, expected {:?}",
                c.file, c.rule, c.path, p.severity, c.severity
            )),
            None => failures.push(format!(
                "{}: expected {} at {:?}, got:\n{}",
                c.file,
                c.rule,
                c.path,
                show(&r)
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The independent oracle: libxml2 must agree with the manifest's verdict, so our XSD-facet
/// rules reject exactly what the schema rejects, and the other rules go beyond the schema.
#[test]
fn xmllint_agrees_with_the_manifest() {
    let xsd = common::fa3_xsd();
    let mut failures = Vec::new();
    for c in manifest() {
        let verdict = common::xmllint_validate(&fixture(&c.file), &xsd);
        if verdict.is_err() != c.xsd_invalid {
            failures.push(format!(
                "{}: manifest says xmllint {}, libxml2 says {:?}",
                c.file,
                if c.xsd_invalid { "invalid" } else { "valid" },
                verdict
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
