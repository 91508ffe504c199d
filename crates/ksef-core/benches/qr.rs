//! QR benchmarks (DIGEST §14). Budgets: KOD II with ECDSA P-256 < 0.3 ms, with RSA-2048
//! PSS < 3 ms (both: prepare, sign, check the signature, build the URL), QR SVG < 1 ms.
//!
//! `cargo bench -p ksef-core --bench qr`. The Offline certificates are made with openssl
//! in a temporary directory at start-up. Before criterion's wall-time figures, the CPU time
//! per operation is printed (`cpu-time …`): on the shared 2-core machine wall time is
//! inflated by other processes.

use std::hint::black_box;
use std::path::PathBuf;
use std::process::Command;

use criterion::{Criterion, criterion_group};
use ksef_core::crypto::OfflineSigningKey;
use ksef_core::hash::Sha256Hash;
use ksef_core::qr::svg::{self, SvgOptions};
use ksef_core::qr::{
    CertificateLink, ContextIdentifier, ContextType, Environment, InvoiceLink, QrCertificate,
    offline_key,
};

/// An Offline certificate and key from openssl (`kind`: `rsa:2048` or `ec`).
fn offline(kind: &str) -> (OfflineSigningKey, QrCertificate) {
    let dir: PathBuf = std::env::temp_dir().join(format!(
        "ksef-qr-bench-{}-{}",
        std::process::id(),
        &kind[..2]
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let (key, cert) = (dir.join("key.pem"), dir.join("cert.pem"));
    let mut cmd = Command::new("openssl");
    cmd.args([
        "req", "-x509", "-new", "-nodes", "-days", "2", "-newkey", kind,
    ]);
    if kind == "ec" {
        cmd.args(["-pkeyopt", "ec_paramgen_curve:P-256"]);
    }
    let ok = cmd
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .args(["-subj", "/CN=bench", "-set_serial", "0x01F20A5D352AE590"])
        .args(["-addext", "keyUsage=critical,nonRepudiation"])
        .output()
        .expect("openssl")
        .status
        .success();
    assert!(ok, "openssl req failed");
    let cert_pem = std::fs::read(&cert).expect("cert");
    let signing = offline_key(
        &cert_pem,
        &std::fs::read(&key).expect("key"),
        None,
        time::OffsetDateTime::now_utc(),
    )
    .expect("offline key");
    (
        signing,
        QrCertificate::from_der_or_pem(&cert_pem).expect("cert"),
    )
}

fn link(cert: &QrCertificate) -> CertificateLink {
    CertificateLink::new(
        Environment::Test,
        ContextIdentifier::new(ContextType::Nip, "1111111111").expect("ctx"),
        "1111111111",
        *cert.serial(),
        Sha256Hash::of(b"<Faktura/>"),
    )
    .expect("link")
}

fn kod2(c: &mut Criterion) {
    let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
    for (name, kind) in [
        ("kod2_url_ecdsa_p256", "ec"),
        ("kod2_url_rsa2048_pss", "rsa:2048"),
    ] {
        let (key, cert) = offline(kind);
        let l = link(&cert);
        c.bench_function(name, |b| {
            b.iter(|| {
                black_box(l.clone())
                    .sign(&key, &mut rng)
                    .expect("sign")
                    .url()
            })
        });
    }
}

fn svg_bench(c: &mut Criterion) {
    let kod1 = InvoiceLink::new(
        Environment::Test,
        "1111111111",
        "2026-02-01",
        Sha256Hash::of(b"<Faktura/>"),
    )
    .expect("kod1")
    .url();
    c.bench_function("qr_svg_kod1", |b| {
        b.iter(|| svg::render(black_box(&kod1), "OFFLINE", &SvgOptions::default()).expect("svg"))
    });
    // The longest link: KOD II with a 256-byte RSA signature (version 17).
    let kod2 = format!(
        "https://qr-test.ksef.mf.gov.pl/certificate/Nip/1111111111/1111111111/01F20A5D352AE590/{}/{}",
        "A".repeat(43),
        "B".repeat(342)
    );
    c.bench_function("qr_svg_kod2_rsa", |b| {
        b.iter(|| svg::render(black_box(&kod2), "CERTYFIKAT", &SvgOptions::default()).expect("svg"))
    });
}

criterion_group!(benches, kod2, svg_bench);

/// This thread's user + system CPU time in 100 Hz ticks (Linux `/proc/thread-self/stat`
/// fields 14–15), or `None` elsewhere.
fn cpu_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

/// Criterion measures wall time, which a shared machine inflates; this prints CPU time per
/// operation (over ≥ 2 s of work) to compare with the budgets.
fn cpu_time_report() {
    if cpu_ticks().is_none() {
        return;
    }
    let per_op = |name: &str, n: u32, f: &mut dyn FnMut()| {
        let t0 = cpu_ticks().unwrap_or(0);
        for _ in 0..n {
            f();
        }
        let ticks = cpu_ticks().unwrap_or(0).saturating_sub(t0);
        let us = ticks as f64 * 10_000.0 / f64::from(n);
        println!("cpu-time {name}: {us:.1} µs/op ({n} ops, {ticks} ticks)");
    };
    let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
    for (name, kind, n) in [
        ("KOD II ECDSA P-256", "ec", 10_000),
        ("KOD II RSA-2048 PSS", "rsa:2048", 1_000),
    ] {
        let (key, cert) = offline(kind);
        let l = link(&cert);
        per_op(name, n, &mut || {
            black_box(l.clone().sign(&key, &mut rng).expect("sign").url());
        });
    }
    let kod1 = "https://qr-test.ksef.mf.gov.pl/invoice/1111111111/01-02-2026/UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE";
    per_op("QR SVG KOD I", 10_000, &mut || {
        black_box(svg::render(black_box(kod1), "OFFLINE", &SvgOptions::default()).expect("svg"));
    });
    let kod2 = kod2_rsa_sized();
    per_op("QR SVG KOD II (RSA)", 2_000, &mut || {
        black_box(
            svg::render(black_box(&kod2), "CERTYFIKAT", &SvgOptions::default()).expect("svg"),
        );
    });
}

/// A KOD II link as long as one with a 256-byte RSA signature (version 17).
fn kod2_rsa_sized() -> String {
    format!(
        "https://qr-test.ksef.mf.gov.pl/certificate/Nip/1111111111/1111111111/01F20A5D352AE590/{}/{}",
        "A".repeat(43),
        "B".repeat(342)
    )
}

fn main() {
    // Only under `cargo bench` (which passes `--bench`), not `cargo test --benches`.
    if std::env::args().any(|a| a == "--bench") {
        cpu_time_report();
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
