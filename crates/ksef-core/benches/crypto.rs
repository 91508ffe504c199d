//! Crypto benchmarks (criterion): invoice encryption (DIGEST §7), RSA-OAEP key wrap,
//! RSA-2048 PSS and ECDSA P-256 signing (§14 KOD II), and key loading.
//!
//! Budgets: 10 KB invoice < 100 µs, RSA-2048 PSS sign < 3 ms, ECDSA P-256 sign < 0.3 ms.
//! Run: `cargo bench -p ksef-core --bench crypto`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group};
use ksef_core::crypto::{
    Certificate, InvoiceEncryptionKey, MfPublicKey, PrivateKey, SignRequest, SignatureAlgorithm,
    hazmat,
};

fn rng() -> rand_core::UnwrapErr<getrandom::SysRng> {
    rand_core::UnwrapErr(getrandom::SysRng)
}

/// An RSA-2048 certificate to wrap keys for: the KSeF TEST certificate of the KOD II
/// vector (`shared/ksef/spec/test-vectors/ksef-test-vectors.json`), or a generated key.
fn mf_key() -> Option<MfPublicKey> {
    let shared = std::env::var("KSEF_SHARED").map_or_else(
        |_| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
        std::path::PathBuf::from,
    );
    let v: serde_json::Value = serde_json::from_slice(
        &std::fs::read(shared.join("ksef/spec/test-vectors/ksef-test-vectors.json")).ok()?,
    )
    .ok()?;
    let b64 = v["kod_ii"]["test_certificate_der_base64"].as_str()?;
    MfPublicKey::from_certificate(Certificate::from_base64_der(b64).ok()?).ok()
}

fn benches(c: &mut Criterion) {
    let mut rng = rng();
    let invoice: Vec<u8> = (0..10_240u32)
        .map(|i| b"<Faktura>"[(i % 9) as usize])
        .collect();
    let session = InvoiceEncryptionKey::generate(&mut rng);
    c.bench_function(
        "encrypt_invoice 10 KB (AES-256-CBC + 2×SHA-256 + Base64)",
        |b| b.iter(|| black_box(session.encrypt_invoice(black_box(&invoice)))),
    );
    let ct = session.encrypt_bytes(&invoice);
    c.bench_function("decrypt_bytes 10 KB", |b| {
        b.iter(|| black_box(session.decrypt_bytes(black_box(&ct))))
    });

    if let Some(mf) = mf_key() {
        c.bench_function("OAEP wrap session key (RSA-2048, SHA-256)", |b| {
            b.iter(|| black_box(session.wrap_for(&mf, &mut rng)))
        });
    } else {
        eprintln!("skipping OAEP wrap: shared/ksef test vectors not found (set KSEF_SHARED)");
    }

    let rsa_key = match rsa::PrivateKey::new(&mut rng, 2048) {
        Ok(k) => PrivateKey::Rsa(Box::new(k)),
        Err(e) => panic!("rsa keygen: {e}"),
    };
    let msg = b"qr-test.ksef.mf.gov.pl/certificate/Nip/1111111111/1111111111/01F20A5D352AE590/UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE";
    let pss = SignRequest {
        algorithm: SignatureAlgorithm::RsaPssSha256,
        message: msg.to_vec(),
    };
    c.bench_function("RSA-2048 PSS sign (KOD II)", |b| {
        b.iter(|| black_box(hazmat::sign(&rsa_key, &pss, &mut rng)))
    });
    let sig = hazmat::sign(&rsa_key, &pss, &mut rng).unwrap_or_default();
    let rsa_pub = rsa_key.public_key();
    c.bench_function("RSA-2048 PSS verify", |b| {
        b.iter(|| black_box(rsa_pub.verify(SignatureAlgorithm::RsaPssSha256, msg, &sig)))
    });

    let ec_key = match p256::ecdsa::SigningKey::from_slice(&[0x42; 32]) {
        Ok(k) => PrivateKey::EcP256(k),
        Err(e) => panic!("p256 key: {e}"),
    };
    let ecdsa = SignRequest {
        algorithm: SignatureAlgorithm::EcdsaP256Sha256P1363,
        message: msg.to_vec(),
    };
    c.bench_function("ECDSA P-256 sign (P1363)", |b| {
        b.iter(|| black_box(hazmat::sign(&ec_key, &ecdsa, &mut rng)))
    });

    let p8 = rsa_key.to_pkcs8_der().unwrap_or_default();
    c.bench_function("load PKCS#8 RSA-2048 DER", |b| {
        b.iter(|| black_box(PrivateKey::from_pem_or_der(black_box(&p8), None)))
    });
}

criterion_group! {
    name = crypto;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(3));
    targets = benches
}

/// This thread's user+system CPU time in clock ticks (Linux `/proc/thread-self/stat`,
/// fields 14–15), or `None` elsewhere.
fn cpu_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    let rest = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
}

/// Criterion measures wall time, which a shared machine inflates. This prints CPU time per
/// operation (100 Hz ticks over ≥ 2 s of work) so figures can be compared with budgets.
fn cpu_time_report() {
    let Some(_) = cpu_ticks() else { return };
    let mut rng = rng();
    let per_op = |name: &str, n: u32, f: &mut dyn FnMut()| {
        let t0 = cpu_ticks().unwrap_or(0);
        for _ in 0..n {
            f();
        }
        let ticks = cpu_ticks().unwrap_or(0).saturating_sub(t0);
        let us = ticks as f64 * 10_000.0 / f64::from(n);
        println!("cpu-time {name}: {us:.1} µs/op ({n} ops, {ticks} ticks)");
    };
    let invoice: Vec<u8> = vec![b'x'; 10_240];
    let session = InvoiceEncryptionKey::generate(&mut rng);
    per_op("encrypt_invoice 10 KB", 40_000, &mut || {
        black_box(session.encrypt_invoice(black_box(&invoice)));
    });
    if let Some(mf) = mf_key() {
        per_op("OAEP wrap RSA-2048", 10_000, &mut || {
            black_box(session.wrap_for(&mf, &mut rng).ok());
        });
    }
    let mut krng = self::rng();
    if let Ok(k) = rsa::PrivateKey::new(&mut krng, 2048) {
        let key = PrivateKey::Rsa(Box::new(k));
        let req = SignRequest {
            algorithm: SignatureAlgorithm::RsaPssSha256,
            message: b"bench".to_vec(),
        };
        per_op("RSA-2048 PSS sign", 1_000, &mut || {
            black_box(hazmat::sign(&key, &req, &mut krng).ok());
        });
    }
    if let Ok(k) = p256::ecdsa::SigningKey::from_slice(&[0x42; 32]) {
        let key = PrivateKey::EcP256(k);
        let req = SignRequest {
            algorithm: SignatureAlgorithm::EcdsaP256Sha256P1363,
            message: b"bench".to_vec(),
        };
        per_op("ECDSA P-256 sign", 10_000, &mut || {
            black_box(hazmat::sign(&key, &req, &mut krng).ok());
        });
    }
}

fn main() {
    // Only under `cargo bench` (which passes `--bench`), not `cargo test --benches`.
    if std::env::args().any(|a| a == "--bench") {
        cpu_time_report();
    }
    crypto();
    Criterion::default().configure_from_args().final_summary();
}
