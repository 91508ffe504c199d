//! Draft → FA(3) model, draft JSON text → XML (the browser's `draftToXml`) and draft →
//! XML + SHA-256, for 1-, 10- and 200-line drafts.
//!
//! Run with `cargo bench -p ksef-core --bench draft`. Budget: draft → XML + hash of a
//! 10-line invoice under 50 µs (native).
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use ksef_core::draft::{self, InvoiceDraft};
use ksef_core::hash::Sha256Hash;

const BASE: &str = include_str!("../tests/fixtures/drafts/vat-pln-net.json");

fn draft_with(lines: usize) -> InvoiceDraft {
    let mut d = draft::from_json(BASE.as_bytes()).expect("fixture");
    let template = d.lines.clone();
    d.lines = (0..lines)
        .map(|i| template[i % template.len()].clone())
        .collect();
    d
}

fn created_at() -> time::OffsetDateTime {
    time::macros::datetime!(2026-02-15 10:00:00 UTC)
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("draft");
    for n in [1usize, 10, 200] {
        let d = draft_with(n);
        g.bench_with_input(BenchmarkId::new("compute", n), &d, |b, d| {
            b.iter(|| draft::compute(black_box(d)).expect("compute"))
        });
        g.bench_with_input(BenchmarkId::new("model", n), &d, |b, d| {
            b.iter(|| draft::build(black_box(d), created_at()).expect("build"))
        });
        // The browser's `draftToXml`: the draft arrives as JSON text.
        let json = serde_json::to_string(&d).expect("draft to JSON");
        g.bench_with_input(BenchmarkId::new("json->xml", n), &json, |b, json| {
            b.iter(|| {
                let d = draft::from_json(black_box(json.as_bytes())).expect("draft");
                draft::build_xml(&d, created_at()).expect("xml")
            })
        });
        g.bench_with_input(BenchmarkId::new("xml+sha256", n), &d, |b, d| {
            b.iter(|| {
                let xml = draft::build_xml(black_box(d), created_at()).expect("xml");
                Sha256Hash::of(&xml)
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
