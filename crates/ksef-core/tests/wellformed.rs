//! The FA(3) reader's well-formedness verdicts against libxml2's (`xmllint --noout`,
//! the independent oracle): hand-written edge cases of every construct the reader
//! handles, and 450 mutations of three documents (interesting bytes put into markup,
//! bytes deleted or doubled). For each document both must agree on whether it
//! is well-formed XML 1.0 with namespaces. "Well-formed" for our reader means it did
//! not answer [`ReadError::Malformed`] (a structure or value error comes after the
//! document was read). The differences allowed are named in [`compare`]: both come
//! from libxml2 treating namespace errors as recoverable. The validator
//! ([`validate_xml`]) must give the reader's verdict on every document too: a
//! well-formedness error (`FA3-XML-MALFORMED`, `-CHAR-FORBIDDEN`, `-UTF8`) exactly when the
//! reader found the document not well-formed.

mod common;

use ksef_core::fa3::Faktura;
use ksef_core::validate::{Options, validate_xml};
use ksef_core::xml::ReadError;

const NS: &str = "http://crd.gov.pl/wzor/2025/06/25/13775/";

fn mf01() -> Vec<u8> {
    std::fs::read(common::ksef(
        "samples/fa3-mf-official/fa3-mf01-vat-basic-goods-3-lines-23and5pct-paid.xml",
    ))
    .expect("read mf01")
}

/// `Ok(())` when the verdicts agree, else a description.
fn compare(label: &str, doc: &[u8]) -> Result<(), String> {
    let ours = Faktura::from_xml(doc);
    let theirs = common::xmllint_well_formed(doc);
    let ours_wf = !matches!(ours, Err(ReadError::Malformed { .. }));
    // The validator says the same as the reader: a well-formedness error exactly when
    // the reader found the document not well-formed.
    let report = validate_xml(doc, &Options::default());
    let validator_wf = !report.errors().any(|p| {
        [
            "FA3-XML-MALFORMED",
            "FA3-XML-CHAR-FORBIDDEN",
            "FA3-XML-UTF8",
        ]
        .contains(&p.rule)
    });
    if validator_wf != ours_wf {
        return Err(format!(
            "{label}: the validator says well-formed = {validator_wf}, the reader {ours_wf}: {:?}\n{}",
            report.errors().map(|p| &p.message_en).collect::<Vec<_>>(),
            String::from_utf8_lossy(doc)
        ));
    }
    match (&ours, ours_wf, &theirs) {
        (_, true, Ok(_)) | (_, false, Err(_)) => Ok(()),
        // libxml2 reports namespace well-formedness errors (a QName with an empty or
        // second prefix, `xmlns:p=""`) without failing; we refuse such documents.
        (_, false, Ok(warnings)) if warnings.contains("namespace error") => Ok(()),
        // An unbound prefix is a namespace error for libxml2; we report the element
        // as not in the FA(3) namespace (a structure error at its path).
        (Err(ReadError::Structure { found, .. }), true, Err(e))
            if found.contains("in another namespace") && e.contains("Namespace prefix") =>
        {
            Ok(())
        }
        _ => Err(format!(
            "{label}: ours {:?}, xmllint {:?}\n{}",
            ours.as_ref().map(|_| "ok").map_err(ToString::to_string),
            theirs,
            String::from_utf8_lossy(doc)
        )),
    }
}

fn wrap(body: &str) -> String {
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Faktura xmlns=\"{NS}\">{body}</Faktura>")
}

#[test]
fn edge_cases_agree_with_xmllint() {
    let bodies = [
        // Comments.
        "<!-- fine -->",
        "<!---->",
        "<!-- a -- b -->",
        "<!-- a --->",
        "<!-- unterminated ->",
        // Processing instructions.
        "<?pi data?>",
        "<?pi?>",
        "<?xml version=\"1.0\"?>",
        "<?XmL x?>",
        "<? x?>",
        "<?pi data",
        // CDATA and text.
        "<A><![CDATA[a < b & ]] c]]></A>",
        "<A><![CDATA[x]]></A><![CDATA[",
        "<A>a ]]> b</A>",
        "<A>a ]] > b</A>",
        "<A>a\u{1}b</A>",
        "<A>a\u{7f}\u{85}\u{9f}b</A>",
        "<A>a\u{fffe}b</A>",
        "<A>a\u{ffff}b</A>",
        "<A>a\u{fffd}\u{10000}\u{10ffff}b</A>",
        "<A>tab\tcr\r\nlf\ncr-only\rend</A>",
        // References.
        "<A>&amp;&lt;&gt;&quot;&apos;</A>",
        "<A>&#65;&#x41;&#x1F600;</A>",
        "<A>&#0;</A>",
        "<A>&#x0;</A>",
        "<A>&#8;</A>",
        "<A>&#xD800;</A>",
        "<A>&#xFFFE;</A>",
        "<A>&#x110000;</A>",
        "<A>&#99999999999999999999;</A>",
        "<A>&#X41;</A>",
        "<A>&#00000000000000000000000065;</A>",
        "<A>&#;</A>",
        "<A>&#x;</A>",
        "<A>&nbsp;</A>",
        "<A>& amp;</A>",
        "<A>&amp</A>",
        "<A>a & b</A>",
        // Names.
        "<A1.-_x/>",
        "<1A/>",
        "<-A/>",
        "<.A/>",
        "<Zażółć/>",
        "<A×B/>",
        "<a:b:c xmlns:a=\"urn:x\"/>",
        "<:A/>",
        "<A:/>",
        "<p:A xmlns:p=\"urn:x\"/>",
        "<p:A/>",
        "<A xmlns:p=\"\"/>",
        // Attributes.
        "<A a=\"1\" b='2'/>",
        "<A a=\"1\"b=\"2\"/>",
        "<A a=\"1\" a=\"2\"/>",
        "<A a=1/>",
        "<A a/>",
        "<A a=\"x<y\"/>",
        "<A a=\"x>y\"/>",
        "<A a=\"&amp;&#10;\"/>",
        "<A a=\"&bogus;\"/>",
        "<A a=\"a&b\"/>",
        "<A a=\"tab\tnl\ncrlf\r\n\"/>",
        "<A a=\"x\u{2}\"/>",
        "<A a=\"unterminated/>",
        "<A a = \"spaced\" />",
        "<A\na=\"newline\"\n/>",
        "<A xsi:type=\"x\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"/>",
        // Tags.
        "<A></A >",
        "<A></ A>",
        "<A></a>",
        "<A><B></A></B>",
        "<A/ >",
        "<A>",
        "</A>",
        "<A></A></B>",
        "< A/>",
        "<A>text<B/>more</A>",
        "<!DOCTYPE x>",
        "<!ELEMENT x ANY>",
        "<!bogus>",
    ];
    let mut failures = Vec::new();
    for (i, body) in bodies.iter().enumerate() {
        if let Err(e) = compare(&format!("case {i} {body:?}"), wrap(body).as_bytes()) {
            failures.push(e);
        }
    }
    // Whole-document cases: prolog, epilog, declaration, BOM, DOCTYPE.
    let root = format!("<Faktura xmlns=\"{NS}\"/>");
    let docs = [
        root.clone(),
        format!("\u{feff}{root}"),
        format!("\u{feff}<?xml version=\"1.0\"?>{root}"),
        format!("<?xml version=\"1.0\"?>{root}"),
        format!("<?xml version='1.0' encoding='utf-8' standalone='yes'?>{root}"),
        format!("<?xml version=\"1.0\" standalone=\"maybe\"?>{root}"),
        format!("<?xml version=\"1.0\" standalone=\"no\" encoding=\"UTF-8\"?>{root}"),
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\" encoding=\"UTF-8\"?>{root}"),
        format!("<?xml version=\"1.1\"?>{root}"),
        format!("<?xml encoding=\"UTF-8\"?>{root}"),
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\" version=\"1.0\"?>{root}"),
        format!("<?xml version=\"1.0\"encoding=\"UTF-8\"?>{root}"),
        format!(" <?xml version=\"1.0\"?>{root}"),
        format!("<?xml version=\"1.0\"?><?xml version=\"1.0\"?>{root}"),
        format!("<!-- c --><?pi x?>\n{root}\n<!-- after --><?pi y?>\n"),
        format!("{root}<Faktura xmlns=\"{NS}\"/>"),
        format!("{root}text"),
        format!("text{root}"),
        format!("{root}&amp;"),
        format!("{root}<![CDATA[x]]>"),
        format!("<!DOCTYPE Faktura>{root}"),
        format!(
            "<!DOCTYPE Faktura [<!ELEMENT Faktura ANY> <!-- ] > --> <!ATTLIST Faktura a CDATA \"]>\">]>{root}"
        ),
        format!("{root}<!DOCTYPE Faktura>"),
        format!("<!DOCTYPE Faktura><!DOCTYPE Faktura>{root}"),
        String::new(),
        "   ".to_owned(),
        "<!-- only a comment -->".to_owned(),
    ];
    for (i, d) in docs.iter().enumerate() {
        if let Err(e) = compare(&format!("document {i}"), d.as_bytes()) {
            failures.push(e);
        }
    }
    assert!(
        failures.is_empty(),
        "{} disagreement(s):\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// The mutated documents: MF01 as published (default namespace, CRLF line ends), the MF
/// sample with an attachment (tables, attributes), and MF01 rewritten with a prefixed
/// namespace, comments and CDATA.
fn mutation_bases() -> Vec<(&'static str, Vec<u8>)> {
    let mf01 = mf01();
    let text = String::from_utf8(mf01.clone()).expect("utf-8");
    let prefixed = text
        .replace(&format!("xmlns=\"{NS}\""), &format!("xmlns:fa=\"{NS}\""))
        .replace("</", "</fa:")
        .replace('<', "<fa:")
        .replace("<fa:/fa:", "</fa:")
        .replace("<fa:?xml", "<?xml")
        .replace("<fa:P_2>", "<!-- numer --><fa:P_2><![CDATA[")
        .replace("</fa:P_2>", "]]></fa:P_2>");
    let attachment = std::fs::read(common::ksef(
        "samples/fa3-mf-official/fa3-mf24-vat-with-attachment-energy-dash-cells.xml",
    ))
    .expect("read mf24");
    vec![
        ("mf01", mf01),
        ("mf24", attachment),
        ("mf01-prefixed", prefixed.into_bytes()),
    ]
}

#[test]
fn mutations_agree_with_xmllint() {
    // Positions in markup and text after the declaration (a changed encoding name is
    // a deliberate difference: we read utf-8 only, libxml2 would transcode).
    let bytes: &[u8] = b"<>&\"'/:= \x01]!?-;#x\r";
    let mut failures = Vec::new();
    let mut checked = 0usize;
    let mut malformed = 0usize;
    let mut seed = 0x2545_f491_u32;
    let mut next = move || {
        // xorshift32: a fixed, reproducible sequence.
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        seed as usize
    };
    for (name, base) in mutation_bases() {
        assert!(
            common::xmllint_well_formed(&base).is_ok() && Faktura::from_xml(&base).is_ok(),
            "{name}: the unmutated document must be read by both"
        );
        let decl_end = base.iter().position(|&b| b == b'>').expect("declaration") + 1;
        for round in 0..150 {
            let at = decl_end + next() % (base.len() - decl_end);
            let mut doc = base.clone();
            match round % 3 {
                0 => doc[at] = bytes[next() % bytes.len()],
                1 => {
                    doc.remove(at);
                }
                _ => {
                    let b = doc[at];
                    doc.insert(at, b);
                }
            }
            // Keep the mutation inside valid UTF-8 (both reject broken UTF-8 anyway).
            if std::str::from_utf8(&doc).is_err() {
                continue;
            }
            checked += 1;
            if common::xmllint_well_formed(&doc).is_err() {
                malformed += 1;
            }
            if let Err(e) = compare(&format!("{name} round {round} at byte {at}"), &doc) {
                failures.push(e);
            }
        }
    }
    assert!(checked > 400, "only {checked} mutations checked");
    // Both verdicts must be well represented for the comparison to mean something.
    assert!(
        (100..checked - 100).contains(&malformed),
        "{malformed} of {checked} mutations malformed"
    );
    eprintln!("{checked} mutations, {malformed} not well-formed, all verdicts agree");
    assert!(
        failures.is_empty(),
        "{} disagreement(s) in {checked}:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
