//! Official KSeF test vectors (`shared/ksef/spec/test-vectors/ksef-test-vectors.json`,
//! derived from CIRFMF/ksef-docs@d92d285 `faktury/numer-ksef.md` and the OpenAPI
//! examples): CRC-8 of KSeF and reference numbers, NIP and internal-id checksums.

mod common;

use ksef_core::ident::{self, KsefNumber, ReferenceNumber};
use serde_json::Value;

fn vectors() -> Value {
    let p = common::ksef("spec/test-vectors/ksef-test-vectors.json");
    serde_json::from_slice(&std::fs::read(&p).expect("read test vectors")).expect("json")
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|s| s.as_str().expect("string").to_string())
        .collect()
}

#[test]
fn ksef_numbers_crc8() {
    let v = vectors();
    let valid = strings(&v["crc8"]["ksef_numbers"]["valid"]);
    assert!(valid.len() >= 6);
    for n in valid {
        let parsed: KsefNumber = n.parse().unwrap_or_else(|e| panic!("{n}: {e}"));
        // Rebuilding from the parts must reproduce the checksum.
        let rebuilt = KsefNumber::new(&n[..10], &n[11..19], &n[20..32]).expect("rebuild");
        assert_eq!(parsed, rebuilt);
        // Any single change of the check digits is caught.
        let mut bad = n.clone();
        bad.replace_range(33..35, if &n[33..] == "00" { "01" } else { "00" });
        assert!(bad.parse::<KsefNumber>().is_err(), "{bad} must be rejected");
    }
}

#[test]
fn reference_numbers_crc8() {
    let v = vectors();
    for r in strings(&v["crc8"]["reference_numbers"]["valid"]) {
        let parsed: ReferenceNumber = r.parse().unwrap_or_else(|e| panic!("{r}: {e}"));
        assert_eq!(parsed.as_str(), r);
        let hex20 = format!("{}{}", &r[12..22], &r[23..33]);
        assert_eq!(
            ReferenceNumber::new(&r[..8], &r[9..11], &hex20).expect("rebuild"),
            parsed
        );
    }
}

#[test]
fn nip_checksums() {
    let v = vectors();
    for n in strings(&v["nip_checksum"]["valid"]) {
        ident::check_nip(&n).unwrap_or_else(|e| panic!("{n}: {e}"));
    }
    for n in strings(&v["nip_checksum"]["invalid"]) {
        assert!(ident::check_nip(&n).is_err(), "{n} must be rejected");
    }
}

#[test]
fn internal_id_checksum() {
    let v = vectors();
    let full = v["internal_id_checksum"]["full"].as_str().expect("full");
    ident::check_internal_id(full).expect("official example");
}
