//! FA(3) reader/writer round trips.
//!
//! Inputs: the 17 Ministry samples (`shared/ksef/samples/fa3-mf-official`), the
//! CIRFMF SDK template (placeholders substituted) and the hand-written
//! fixtures in `tests/fixtures/fa3/` (elements the MF samples do not cover).
//! For each: parse → emit must (a) pass `xmllint --schema` with the official
//! XSD, (b) be the same element tree/attributes/text as the input, (c) be
//! byte-identical on a second parse → emit, and (d) survive model → JSON →
//! model. Negative cases check that the reader rejects bad input with the
//! expected path, and never panics.

mod common;

use std::path::{Path, PathBuf};

use ksef_core::fa3::Faktura;
use ksef_core::xml::{ReadError, WriteError};
use quick_xml::events::Event;
use quick_xml::reader::NsReader;

/// A namespace-agnostic element tree used to compare input and output.
#[derive(Debug, PartialEq)]
struct Node {
    name: String,
    attrs: Vec<(String, String)>,
    text: String,
    children: Vec<Node>,
}

fn tree(xml: &[u8]) -> Node {
    let mut r = NsReader::from_reader(xml);
    let mut stack: Vec<Node> = Vec::new();
    loop {
        let ev = r.read_event().expect("well-formed");
        match ev {
            Event::Start(ref s) | Event::Empty(ref s) => {
                let mut attrs: Vec<(String, String)> = s
                    .attributes()
                    .map(|a| a.expect("attribute"))
                    .filter(|a| !a.key.0.starts_with("xmlns") && !a.key.0.starts_with("xsi:"))
                    .map(|a| (a.key.0.to_string(), a.value.to_string()))
                    .collect();
                attrs.sort();
                let n = Node {
                    name: s.local_name().as_ref().to_string(),
                    attrs,
                    text: String::new(),
                    children: Vec::new(),
                };
                if matches!(ev, Event::Empty(_)) {
                    match stack.last_mut() {
                        Some(p) => p.children.push(n),
                        None => return n,
                    }
                } else {
                    stack.push(n);
                }
            }
            Event::End(_) => {
                let mut n = stack.pop().expect("balanced");
                if n.text.trim().is_empty() {
                    n.text.clear();
                }
                match stack.last_mut() {
                    Some(p) => p.children.push(n),
                    None => return n,
                }
            }
            Event::Text(t) => {
                if let Some(n) = stack.last_mut() {
                    n.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if let Some(n) = stack.last_mut() {
                    n.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(g) => {
                let c = match g.resolve_char_ref().expect("char ref") {
                    Some(c) => c,
                    None => match &*g {
                        "amp" => '&',
                        "lt" => '<',
                        "gt" => '>',
                        "quot" => '"',
                        "apos" => '\'',
                        other => panic!("entity {other}"),
                    },
                };
                if let Some(n) = stack.last_mut() {
                    n.text.push(c);
                }
            }
            Event::Eof => panic!("no root"),
            _ => {}
        }
    }
}

fn mf_samples() -> Vec<(String, Vec<u8>)> {
    let dir = common::ksef("samples/fa3-mf-official");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("samples dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    files.sort();
    assert_eq!(
        files.len(),
        17,
        "expected the 17 MF samples in {}",
        dir.display()
    );
    files
        .into_iter()
        .map(|p| (name_of(&p), std::fs::read(&p).expect("read sample")))
        .collect()
}

fn sdk_template() -> Vec<u8> {
    let p = common::ksef("samples/fa3-cirfmf-sdk-template/invoice-template-fa-3.placeholders.xml");
    let s = std::fs::read_to_string(p).expect("read template");
    s.replace("#nip#", "5265877635")
        .replace("#invoice_number#", "123")
        .into_bytes()
}

fn fixtures() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fa3");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| (name_of(&p), std::fs::read(&p).expect("read fixture")))
        .collect()
}

fn name_of(p: &Path) -> String {
    p.file_name()
        .expect("file name")
        .to_string_lossy()
        .into_owned()
}

/// The four round-trip properties for one document.
fn check_roundtrip(name: &str, input: &[u8]) {
    let model = Faktura::from_xml(input).unwrap_or_else(|e| panic!("{name}: parse: {e}"));
    let out = model
        .to_xml()
        .unwrap_or_else(|e| panic!("{name}: emit: {e}"));
    // (a) the emitted document is schema-valid (independent oracle).
    if let Err(e) = common::xmllint_validate(&out, &common::fa3_xsd()) {
        panic!("{name}: emitted XML is not schema-valid:\n{e}");
    }
    // (b) same element tree, attributes and text values.
    assert_eq!(
        tree(input),
        tree(&out),
        "{name}: tree differs after parse → emit"
    );
    // (c) determinism: a second parse → emit gives the same bytes.
    let again = Faktura::from_xml(&out).unwrap_or_else(|e| panic!("{name}: reparse: {e}"));
    assert_eq!(again, model, "{name}: model differs after reparse");
    assert_eq!(
        again.to_xml().expect("emit"),
        out,
        "{name}: emit not deterministic"
    );
    // (d) model → JSON → model.
    let json = serde_json::to_string(&model).expect("to json");
    let back = Faktura::from_json(json.as_bytes())
        .unwrap_or_else(|e| panic!("{name}: from json: {e}\n{json}"));
    assert_eq!(back, model, "{name}: JSON round trip differs");
}

#[test]
fn mf_samples_round_trip() {
    for (name, bytes) in mf_samples() {
        check_roundtrip(&name, &bytes);
    }
}

#[test]
fn sdk_template_round_trips() {
    check_roundtrip("sdk template", &sdk_template());
}

#[test]
fn fixtures_are_valid_and_round_trip() {
    let fx = fixtures();
    assert!(fx.len() >= 5, "fixtures missing");
    for (name, bytes) in fx {
        if let Err(e) = common::xmllint_validate(&bytes, &common::fa3_xsd()) {
            panic!("fixture {name} is not schema-valid:\n{e}");
        }
        check_roundtrip(&name, &bytes);
    }
}

fn mf01() -> String {
    String::from_utf8(
        std::fs::read(common::ksef(
            "samples/fa3-mf-official/fa3-mf01-vat-basic-goods-3-lines-23and5pct-paid.xml",
        ))
        .expect("read mf01"),
    )
    .expect("utf-8")
}

fn read_err(xml: &str) -> ReadError {
    match Faktura::from_xml(xml.as_bytes()) {
        Ok(_) => panic!("expected an error for:\n{xml}"),
        Err(e) => e,
    }
}

fn structure_path(e: &ReadError) -> &str {
    match e {
        ReadError::Structure { path, .. } | ReadError::Value { path, .. } => path,
        other => panic!("expected a located error, got {other}"),
    }
}

#[test]
fn rejects_wrong_element_order() {
    let x = mf01();
    let p1 = "<P_1>2026-02-15</P_1>";
    let x = x
        .replacen(p1, "", 1)
        .replacen("</P_2>", &format!("</P_2>{p1}"), 1);
    let e = read_err(&x);
    assert_eq!(structure_path(&e), "Faktura/Fa", "{e}");
    assert!(
        e.to_string().contains("expected `P_1`, found `P_1M`"),
        "{e}"
    );
}

#[test]
fn rejects_missing_required_element() {
    let x = mf01().replacen("<P_2>FV2026/02/150</P_2>", "", 1);
    let e = read_err(&x);
    assert_eq!(structure_path(&e), "Faktura/Fa", "{e}");
    assert!(e.to_string().contains("expected `P_2`"), "{e}");
    // A missing required child of a nested block.
    let x = mf01().replacen("<P_18A>2</P_18A>", "", 1);
    let e = read_err(&x);
    assert_eq!(structure_path(&e), "Faktura/Fa/Adnotacje", "{e}");
}

#[test]
fn rejects_unknown_enum_value_with_indexed_path() {
    let x = mf01();
    // The second line's rate.
    let first = x.find("<P_12>").expect("P_12");
    let second = first + 1 + x[first + 1..].find("<P_12>").expect("second P_12");
    let end = second + x[second..].find("</P_12>").expect("end");
    let x = format!("{}<P_12>24{}", &x[..second], &x[end..]);
    let e = read_err(&x);
    assert_eq!(structure_path(&e), "Faktura/Fa/FaWiersz[2]/P_12", "{e}");
    assert!(
        e.to_string()
            .contains("invalid TStawkaPodatku value \"24\""),
        "{e}"
    );
    let want_line = x[..second].matches('\n').count() + 1;
    let want_column = second - x[..second].rfind('\n').map_or(0, |p| p + 1) + 1;
    assert!(
        matches!(e, ReadError::Value { line, column, .. }
            if line as usize == want_line && column as usize == want_column),
        "{e:?}, want line {want_line} column {want_column}"
    );

    let x = mf01().replacen(
        "<KodWaluty>PLN</KodWaluty>",
        "<KodWaluty>PLZ</KodWaluty>",
        1,
    );
    let e = read_err(&x);
    assert_eq!(structure_path(&e), "Faktura/Fa/KodWaluty", "{e}");
}

#[test]
fn rejects_unknown_element() {
    let x = mf01().replacen("<P_1M>", "<Foo>1</Foo><P_1M>", 1);
    let e = read_err(&x);
    assert_eq!(structure_path(&e), "Faktura/Fa", "{e}");
    assert!(
        e.to_string()
            .contains("expected `P_1M` or `P_2`, found `Foo`"),
        "{e}"
    );
    // At the end of a block.
    let x = mf01().replacen("</Adnotacje>", "<Bar/></Adnotacje>", 1);
    let e = read_err(&x);
    assert_eq!(structure_path(&e), "Faktura/Fa/Adnotacje", "{e}");
    assert!(
        e.to_string()
            .contains("expected end of `Adnotacje`, found `Bar`"),
        "{e}"
    );
}

#[test]
fn rejects_wrong_namespace_and_root() {
    let x = mf01().replacen(
        "xmlns=\"http://crd.gov.pl/wzor/2025/06/25/13775/\"",
        "xmlns=\"http://crd.gov.pl/wzor/2023/06/29/12648/\"",
        1,
    );
    assert!(matches!(read_err(&x), ReadError::Structure { .. }));
    let e =
        read_err("<?xml version=\"1.0\"?><Fa xmlns=\"http://crd.gov.pl/wzor/2025/06/25/13775/\"/>");
    assert!(e.to_string().contains("root element `Faktura`"), "{e}");
}

#[test]
fn rejects_not_well_formed() {
    let x = mf01().replacen("</P_2>", "</P_3>", 1);
    assert!(matches!(read_err(&x), ReadError::Malformed { .. }));
    assert!(matches!(
        read_err("not xml at all"),
        ReadError::Malformed { .. }
    ));
    assert!(matches!(read_err(""), ReadError::Malformed { .. }));
    let x = mf01().replacen("FV2026/02/150", "FV&bogus;", 1);
    assert!(matches!(read_err(&x), ReadError::Malformed { .. }));
    let x = mf01().replacen("FV2026/02/150", "FV&#1;", 1);
    assert!(matches!(read_err(&x), ReadError::Malformed { .. }));
}

#[test]
fn rejects_hostile_nesting() {
    let deep = format!(
        "<Faktura xmlns=\"http://crd.gov.pl/wzor/2025/06/25/13775/\">{}{}</Faktura>",
        "<a>".repeat(100_000),
        "</a>".repeat(100_000)
    );
    let e = read_err(&deep);
    assert!(e.to_string().contains("nested deeper"), "{e}");
}

#[test]
fn truncations_never_panic() {
    let x = mf01().into_bytes();
    let full = Faktura::from_xml(&x).expect("full document parses");
    let mut n = 0;
    for cut in (0..x.len()).step_by(7) {
        let r = Faktura::from_xml(&x[..cut]);
        assert!(r.is_err(), "truncation at {cut} parsed");
        n += 1;
    }
    // Also flip single bytes: must never panic (result may be Ok or Err).
    for i in (0..x.len()).step_by(11) {
        let mut y = x.clone();
        y[i] ^= 0x5a;
        let _ = Faktura::from_xml(&y);
    }
    assert!(n > 100);
    assert_eq!(Faktura::from_xml(&x).expect("parses"), full);
}

/// Every sample and fixture: truncations are errors, byte flips and deleted
/// spans never panic.
#[test]
fn mutations_of_every_document_never_panic() {
    let mut docs = mf_samples();
    docs.extend(fixtures());
    for (name, x) in docs {
        // Everything before the last `>` (the root's end tag) is incomplete.
        let root_end = x
            .iter()
            .rposition(|&b| b == b'>')
            .map_or(x.len(), |p| p + 1);
        for cut in (1..root_end).step_by(97) {
            assert!(
                Faktura::from_xml(&x[..cut]).is_err(),
                "{name}: truncation at {cut} parsed"
            );
        }
        for i in (0..x.len()).step_by(53) {
            let mut y = x.clone();
            y[i] = y[i].wrapping_add(1);
            let _ = Faktura::from_xml(&y);
            let z: Vec<u8> = x[..i]
                .iter()
                .chain(&x[(i + 40).min(x.len())..])
                .copied()
                .collect();
            if let Ok(m) = Faktura::from_xml(&z) {
                // Whatever still parses must still be writable.
                m.to_xml().unwrap_or_else(|e| panic!("{name}: {e}"));
            }
        }
    }
}

#[test]
fn accepts_prefixes_comments_cdata_and_line_ends() {
    let x = mf01();
    let base = Faktura::from_xml(x.as_bytes()).expect("mf01");
    // Prefixed namespace instead of the default one, comments, CDATA, LF only.
    let prefixed = x
        .replace(
            "xmlns=\"http://crd.gov.pl/wzor/2025/06/25/13775/\"",
            "xmlns:fa=\"http://crd.gov.pl/wzor/2025/06/25/13775/\"",
        )
        .replace("</", "</fa:")
        .replace('<', "<fa:")
        .replace("<fa:/fa:", "</fa:")
        .replace("<fa:?xml", "<?xml")
        .replace("\r\n", "\n")
        .replace(
            "<fa:P_2>FV2026/02/150",
            "<!-- c --><fa:P_2><![CDATA[FV2026/02/150]]>",
        );
    let m = Faktura::from_xml(prefixed.as_bytes()).unwrap_or_else(|e| panic!("{e}\n{prefixed}"));
    assert_eq!(m, base);
}

#[test]
fn writer_refuses_forbidden_characters() {
    let mut m = Faktura::from_xml(mf01().as_bytes()).expect("mf01");
    // #x85 (NEL) is allowed; its neighbours are not.
    for bad in [
        '\u{1}',
        '\u{7F}',
        '\u{84}',
        '\u{86}',
        '\u{9F}',
        '\u{FDD0}',
        '\u{FFFE}',
        '\u{1FFFF}',
    ] {
        m.fa.p_2 = format!("FV{bad}1");
        match m.to_xml() {
            Err(WriteError::ForbiddenChar { path, code }) => {
                assert_eq!(path, "Faktura/Fa/P_2");
                assert_eq!(code, bad as u32);
            }
            other => panic!(
                "expected ForbiddenChar for U+{:04X}, got {other:?}",
                bad as u32
            ),
        }
    }
    m.fa.p_2 = "FV \u{85} <&> \"'".into();
    let out = m.to_xml().expect("allowed characters");
    assert_eq!(Faktura::from_xml(&out).expect("reparse").fa.p_2, m.fa.p_2);
    // Attribute values are checked too.
    let mut h = m.clone();
    h.naglowek.kod_formularza.kod_systemowy = "FA\u{FFFF} (3)".into();
    match h.to_xml() {
        Err(WriteError::ForbiddenChar { path, .. }) => {
            assert_eq!(path, "Faktura/Naglowek/KodFormularza/@kodSystemowy")
        }
        other => panic!("{other:?}"),
    }
    // Indexed path inside a repeated element.
    m.fa.fa_wiersz[1].p_7 = Some("x\u{0}".into());
    match m.to_xml() {
        Err(WriteError::ForbiddenChar { path, .. }) => {
            assert_eq!(path, "Faktura/Fa/FaWiersz[2]/P_7")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn output_shape_is_fixed() {
    let out = Faktura::from_xml(mf01().as_bytes())
        .expect("mf01")
        .to_xml()
        .expect("emit");
    let s = std::str::from_utf8(&out).expect("utf-8");
    assert!(s.starts_with(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Faktura xmlns=\"http://crd.gov.pl/wzor/2025/06/25/13775/\">\n  <Naglowek>\n"
    ));
    assert!(s.ends_with("</Faktura>\n"));
    assert!(!s.contains('\r'));
    assert!(s.contains("\n    <P_15>2051</P_15>\n"));
}

/// The FA3.md §14 skeleton, built in code, is schema-valid and reads back equal.
#[test]
fn model_built_in_code_is_schema_valid() {
    use ksef_core::fa3::*;
    use rust_decimal::Decimal;
    let d = |s: &str| s.parse::<Date>().expect("date");
    let dec = |s: &str| s.parse::<Decimal>().expect("decimal");
    let adres = |l1: &str| Adres {
        kod_kraju: KodKraju::PL,
        adres_l1: l1.into(),
        adres_l2: None,
        gln: None,
    };
    let invoice = Faktura {
        naglowek: Naglowek::fa3("2026-02-01T10:00:00Z".parse().expect("date-time")),
        podmiot1: Podmiot1 {
            prefiks_podatnika: None,
            nr_eori: None,
            dane_identyfikacyjne: DanePodmiotu1 {
                nip: "5265877635".into(),
                nazwa: "Seller sp. z o.o.".into(),
            },
            adres: adres("ul. Kwiatowa 1, 00-001 Warszawa"),
            adres_koresp: None,
            dane_kontaktowe: vec![],
            status_info_podatnika: None,
        },
        podmiot2: Podmiot2 {
            nr_eori: None,
            dane_identyfikacyjne: DanePodmiotu2 {
                id: IdPodmiotu2::Nip {
                    nip: "1111111111".into(),
                },
                nazwa: Some("Buyer".into()),
            },
            adres: Some(adres("ul. Polna 1, 00-001 Warszawa")),
            adres_koresp: None,
            dane_kontaktowe: vec![],
            nr_klienta: None,
            id_nabywcy: None,
            jst: Wybor12::Nie,
            gv: Wybor12::Nie,
        },
        podmiot3: vec![],
        podmiot_upowazniony: None,
        fa: Fa {
            kod_waluty: KodWaluty::PLN,
            p_1: d("2026-02-01"),
            p_1m: None,
            p_2: "FV/1/2026".into(),
            wz: vec![],
            data_dostawy: None,
            stawka_podstawowa: Some(StawkaPodstawowa {
                p_13_1: dec("100.00"),
                p_14_1: dec("23.00"),
                p_14_1w: None,
            }),
            stawka_obnizona1: None,
            stawka_obnizona2: None,
            stawka_ryczalt: None,
            procedura_oss: None,
            p_13_6_1: None,
            p_13_6_2: None,
            p_13_6_3: None,
            p_13_7: None,
            p_13_8: None,
            p_13_9: None,
            p_13_10: None,
            p_13_11: None,
            p_15: dec("123.00"),
            kurs_waluty_z: None,
            adnotacje: Adnotacje::standard(),
            rodzaj_faktury: RodzajFaktury::Vat,
            korekta: None,
            zaliczka_czesciowa: vec![],
            fp: None,
            tp: None,
            dodatkowy_opis: vec![],
            faktura_zaliczkowa: vec![],
            zwrot_akcyzy: None,
            fa_wiersz: vec![],
            rozliczenie: None,
            platnosc: None,
            warunki_transakcji: None,
            zamowienie: None,
        },
        stopka: None,
        zalacznik: None,
    };
    let xml = invoice.to_xml().expect("emit");
    common::xmllint_validate(&xml, &common::fa3_xsd()).expect("schema-valid");
    assert_eq!(Faktura::from_xml(&xml).expect("reparse"), invoice);
    let s = String::from_utf8(xml).expect("utf-8");
    assert!(s.contains("<P_13_1>100.00</P_13_1>"), "decimal scale kept");
}

/// Every file in `fixtures/fa3/invalid/` (each also rejected by xmllint) is
/// rejected by the reader at the path named in its `<!-- expect: PATH -->`
/// comment (empty = not well-formed).
#[test]
fn invalid_fixtures_are_rejected_at_the_expected_path() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fa3/invalid");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("invalid fixtures dir") {
        let p = entry.expect("entry").path();
        let text = std::fs::read_to_string(&p).expect("read");
        let expect = text
            .split("<!-- expect: ")
            .nth(1)
            .and_then(|s| s.split(" -->").next())
            .unwrap_or_else(|| panic!("{}: no expect comment", p.display()))
            .trim();
        assert!(
            common::xmllint_validate(text.as_bytes(), &common::fa3_xsd()).is_err(),
            "{}: xmllint accepts it",
            p.display()
        );
        let err = Faktura::from_xml(text.as_bytes())
            .err()
            .unwrap_or_else(|| panic!("{}: accepted", p.display()));
        match &err {
            ReadError::Malformed { .. } => assert_eq!(expect, "", "{}: {err}", p.display()),
            ReadError::Structure { path, .. } | ReadError::Value { path, .. } => {
                assert_eq!(path, expect, "{}: {err}", p.display())
            }
            other => panic!("{}: {other}", p.display()),
        }
        n += 1;
    }
    assert!(n >= 15);
}
