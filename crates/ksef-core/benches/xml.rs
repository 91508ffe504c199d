//! FA(3) reader/writer throughput: parse, emit and hash of MF sample 01 with its
//! `FaWiersz` replaced by 1 and by 200 copies of its first line.
//!
//! Run with `cargo bench -p ksef-core --bench xml`. Budget (issue 6): FA(3) parse +
//! build of a 200-line invoice ≤ 1 ms in Chromium (`bash scripts/bench-browser`); the
//! wasm build runs at about 1.6–1.8× these native figures.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use ksef_core::fa3::Faktura;
use ksef_core::hash::Sha256Hash;

fn mf01() -> Faktura {
    let shared = std::env::var("KSEF_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    let path = shared
        .join("ksef/samples/fa3-mf-official/fa3-mf01-vat-basic-goods-3-lines-23and5pct-paid.xml");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Faktura::from_xml(&bytes).expect("MF01 parses")
}

fn with_lines(base: &Faktura, n: usize) -> Faktura {
    let mut f = base.clone();
    let line = f.fa.fa_wiersz[0].clone();
    f.fa.fa_wiersz = (1..=n)
        .map(|i| {
            let mut l = line.clone();
            l.nr_wiersza_fa = i as u64;
            l.uu_id = Some(format!("line-{i:05}"));
            l
        })
        .collect();
    f
}

fn bench(c: &mut Criterion) {
    let base = mf01();
    for n in [1usize, 200] {
        let invoice = with_lines(&base, n);
        let xml = invoice.to_xml().expect("emit");
        c.bench_function(&format!("parse {n}-line ({} bytes)", xml.len()), |b| {
            b.iter(|| Faktura::from_xml(black_box(&xml)).expect("parse"))
        });
        c.bench_function(
            &format!("model to JSON {n}-line (parseXml's output)"),
            |b| b.iter(|| serde_json::to_string(black_box(&invoice)).expect("json")),
        );
        c.bench_function(&format!("emit {n}-line"), |b| {
            b.iter(|| black_box(&invoice).to_xml().expect("emit"))
        });
        c.bench_function(&format!("hash {n}-line (SHA-256, Base64)"), |b| {
            b.iter(|| Sha256Hash::of(black_box(&xml)).to_base64())
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
