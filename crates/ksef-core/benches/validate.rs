//! `validate_xml` and `validate` (model) on a 1-line and a 200-line FA(3) invoice (the FA3.md §14 skeleton with its
//! `FaWiersz` replicated and the totals adjusted).
//!
//! Run with `cargo bench -p ksef-core --bench validate`.

use criterion::{Criterion, criterion_group, criterion_main};
use ksef_core::fa3::Faktura;
use ksef_core::validate::{Options, validate, validate_xml};
use std::hint::black_box;

const HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Faktura xmlns="http://crd.gov.pl/wzor/2025/06/25/13775/">
  <Naglowek>
    <KodFormularza kodSystemowy="FA (3)" wersjaSchemy="1-0E">FA</KodFormularza>
    <WariantFormularza>3</WariantFormularza>
    <DataWytworzeniaFa>2026-02-01T10:00:00Z</DataWytworzeniaFa>
  </Naglowek>
  <Podmiot1>
    <DaneIdentyfikacyjne><NIP>5265877635</NIP><Nazwa>Seller sp. z o.o.</Nazwa></DaneIdentyfikacyjne>
    <Adres><KodKraju>PL</KodKraju><AdresL1>ul. Kwiatowa 1, 00-001 Warszawa</AdresL1></Adres>
  </Podmiot1>
  <Podmiot2>
    <DaneIdentyfikacyjne><NIP>1111111111</NIP><Nazwa>Buyer</Nazwa></DaneIdentyfikacyjne>
    <Adres><KodKraju>PL</KodKraju><AdresL1>ul. Polna 1, 00-001 Warszawa</AdresL1></Adres>
    <JST>2</JST><GV>2</GV>
  </Podmiot2>
  <Fa>
    <KodWaluty>PLN</KodWaluty><P_1>2026-02-01</P_1><P_2>FV/1/2026</P_2>
"#;

const ANNOTATIONS: &str = r#"    <Adnotacje>
      <P_16>2</P_16><P_17>2</P_17><P_18>2</P_18><P_18A>2</P_18A>
      <Zwolnienie><P_19N>1</P_19N></Zwolnienie>
      <NoweSrodkiTransportu><P_22N>1</P_22N></NoweSrodkiTransportu>
      <P_23>2</P_23>
      <PMarzy><P_PMarzyN>1</P_PMarzyN></PMarzy>
    </Adnotacje>
    <RodzajFaktury>VAT</RodzajFaktury>
"#;

/// An invoice with `n` lines of 100.00 net at 23 %.
fn invoice(n: u32) -> Vec<u8> {
    let net = 100 * n;
    let tax = 23 * n;
    let mut s = String::from(HEAD);
    s += &format!(
        "    <P_13_1>{net}.00</P_13_1><P_14_1>{tax}.00</P_14_1><P_15>{}.00</P_15>\n",
        net + tax
    );
    s += ANNOTATIONS;
    for i in 1..=n {
        s += &format!(
            "    <FaWiersz><NrWierszaFa>{i}</NrWierszaFa><P_7>Usługa nr {i}</P_7><P_8A>szt.</P_8A><P_8B>1</P_8B><P_9A>100.00</P_9A><P_11>100.00</P_11><P_12>23</P_12></FaWiersz>\n"
        );
    }
    s += "  </Fa>\n</Faktura>\n";
    s.into_bytes()
}

fn bench(c: &mut Criterion) {
    let opts = Options::default();
    for n in [1, 200] {
        let xml = invoice(n);
        let r = validate_xml(&xml, &opts);
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        c.bench_function(
            &format!("validate_xml/{n}-line ({} bytes)", xml.len()),
            |b| b.iter(|| validate_xml(black_box(&xml), &opts)),
        );
        let model = Faktura::from_xml(&xml).expect("bench invoice parses");
        assert!(validate(&model, &opts).problems.is_empty());
        c.bench_function(&format!("validate/{n}-line model"), |b| {
            b.iter(|| validate(black_box(&model), &opts))
        });
        c.bench_function(&format!("Faktura::from_xml/{n}-line (reference)"), |b| {
            b.iter(|| Faktura::from_xml(black_box(&xml)))
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
