//! Client-side work per invoice (issue 5 budget: < 100 µs native): encrypt through the
//! transport's default AES hook, build the send request (JSON body), and the
//! bookkeeping of a resumable send (state item update, outcome mapping). Also the batch
//! path per invoice (archive packing and part encryption of 1 000 invoices, divided by
//! 1 000). The invoice is the official MF sample 01 (3.5 KB).
//!
//! Run: `cargo bench -p ksef-core --bench client`.

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use criterion::{Criterion, criterion_group};
use ksef_core::api::{HttpRequest, HttpResponse, SessionInvoiceStatus};
use ksef_core::client::archive::ArchiveFormat;
use ksef_core::client::governor::Millis;
use ksef_core::client::online::{InvoiceOutcome, PreparedInvoice};
use ksef_core::client::resume::OnlineSendState;
use ksef_core::client::{Transport, TransportError};
use ksef_core::crypto::InvoiceEncryptionKey;

/// A transport that only provides the default encryption hook.
struct NoNet;

impl Transport for NoNet {
    async fn send(&self, _: HttpRequest) -> Result<HttpResponse, TransportError> {
        Err(TransportError("no network in the benchmark".into()))
    }
    async fn sleep(&self, _: Millis) {}
    fn now_ms(&self) -> Millis {
        0
    }
    fn now_utc(&self) -> time::OffsetDateTime {
        time::OffsetDateTime::UNIX_EPOCH
    }
    fn jitter(&self) -> u64 {
        0
    }
}

/// Polls a future that is ready at once (the default hook is).
fn ready<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    match f.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(v) => v,
        Poll::Pending => unreachable!("the default hook never waits"),
    }
}

fn sample() -> Vec<u8> {
    let shared = std::env::var("KSEF_SHARED").map_or_else(
        |_| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
        std::path::PathBuf::from,
    );
    std::fs::read(
        shared.join(
            "ksef/samples/fa3-mf-official/fa3-mf01-vat-basic-goods-3-lines-23and5pct-paid.xml",
        ),
    )
    .unwrap_or_else(|_| b"<Faktura>".repeat(400))
}

fn benches(c: &mut Criterion) {
    let xml = sample();
    let key = InvoiceEncryptionKey::from_parts([7; 32], [9; 16]);
    let transport = NoNet;
    let invoices: Vec<(String, Vec<u8>)> = (0..1_000)
        .map(|i| (format!("fv-{i:04}.xml"), xml.clone()))
        .collect();
    let status: SessionInvoiceStatus = serde_json::from_value(serde_json::json!({
        "ordinalNumber": 1, "referenceNumber": "20261124-EE-0000000000-0000000000-00",
        "invoiceHash": "h", "invoicingDate": "2026-11-24T08:00:00Z",
        "ksefNumber": "5265877635-20261124-000000000000-00", "invoiceNumber": "FV/1",
        "status": {"code": 200, "description": "Sukces"}
    }))
    .unwrap_or_else(|e| panic!("status fixture: {e}"));

    c.bench_function(
        "online: encrypt (hook) + send request + bookkeeping / invoice",
        |b| {
            let mut state = OnlineSendState::new(&invoices);
            let mut i = 0usize;
            b.iter(|| {
                let n = i % invoices.len();
                i += 1;
                let ct = ready(transport.encrypt_aes256_cbc(
                    key.hazmat_key_bytes(),
                    key.iv(),
                    &invoices[n].1,
                ))
                .unwrap_or_default();
                let p = PreparedInvoice::from_ciphertext(&invoices[n].1, &ct, false, None);
                let request = p.request("20261124-SO-0000000000-0000000000-00");
                let item = &mut state.items[n];
                item.session_reference_number = Some("20261124-SO-0000000000-0000000000-00".into());
                item.reference_number = Some(status.reference_number.clone());
                item.outcome = Some(InvoiceOutcome::from_status("s", &status));
                black_box((request.map(|r| r.body.len()).ok(), &state.items[n]));
            });
        },
    );

    c.bench_function("online: sync PreparedInvoice::new / invoice", |b| {
        b.iter(|| black_box(PreparedInvoice::new(&key, black_box(&xml), false, None)));
    });

    let mut group = c.benchmark_group("batch of 1000");
    group.sample_size(10);
    for format in [
        ArchiveFormat::Zip,
        ArchiveFormat::ZipStored,
        ArchiveFormat::TarGz,
    ] {
        group.bench_function(format!("{format:?}: pack + encrypt parts"), |b| {
            b.iter(|| {
                let archive = format.pack(&invoices).unwrap_or_default();
                let ct =
                    ready(transport.encrypt_aes256_cbc(key.hazmat_key_bytes(), key.iv(), &archive))
                        .unwrap_or_default();
                black_box((archive.len(), ct.len()))
            });
        });
    }
    group.finish();
}

criterion_group!(client, benches);

fn main() {
    client();
    Criterion::default().configure_from_args().final_summary();
}
