//! XML hygiene of a decrypted invoice and the few fields the pipeline needs
//! (DIGEST §11 "XML" rules → status 450 "Nieprawidłowy XML"; duplicate key and dates).
//!
//! The fields are read by local element path (`Faktura/Podmiot1/DaneIdentyfikacyjne/NIP`,
//! `Faktura/Fa/RodzajFaktury`, `Faktura/Fa/P_1`, `Faktura/Fa/P_2`) so the same reader
//! serves FA(2) and FA(3); structure is enforced by the XSD step before this runs.

use quick_xml::events::Event;
use quick_xml::reader::Reader;

/// Why a document failed the hygiene rules (each becomes status 450).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HygieneError {
    /// Starts with a UTF-8 byte-order mark.
    #[error("plik zawiera znacznik BOM")]
    Bom,
    /// Not valid UTF-8.
    #[error("nieprawidłowa sekwencja UTF-8 na pozycji {0}")]
    Utf8(usize),
    /// The prolog declares an encoding other than UTF-8.
    #[error("deklarowane kodowanie {0} inne niż UTF-8")]
    Encoding(String),
    /// A processing instruction.
    #[error("niedozwolona instrukcja przetwarzania")]
    ProcessingInstruction,
    /// A DOCTYPE declaration.
    #[error("niedozwolona deklaracja DOCTYPE")]
    Doctype,
    /// A discouraged Unicode character.
    #[error("niedozwolony znak U+{0:04X}")]
    Char(u32),
    /// Not well-formed.
    #[error("dokument nie jest poprawnym XML: {0}")]
    Malformed(String),
}

/// The invoice fields the pipeline uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InvoiceFields {
    /// `Podmiot1/DaneIdentyfikacyjne/NIP`.
    pub seller_nip: Option<String>,
    /// `Fa/RodzajFaktury`.
    pub kind: Option<String>,
    /// `Fa/P_1` (issue date).
    pub p1: Option<String>,
    /// `Fa/P_2` (invoice number).
    pub p2: Option<String>,
    /// A `Zalacznik` element is present.
    pub has_attachment: bool,
}

fn forbidden(c: char) -> bool {
    let u = c as u32;
    (0x7F..=0x84).contains(&u)
        || (0x86..=0x9F).contains(&u)
        || (0xFDD0..=0xFDEF).contains(&u)
        || (u >= 0x1_0000 && (u & 0xFFFE) == 0xFFFE)
}

/// Checks the hygiene rules and reads the fields.
///
/// # Errors
/// [`HygieneError`] for the first rule broken.
pub fn check(bytes: &[u8]) -> Result<InvoiceFields, HygieneError> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        return Err(HygieneError::Bom);
    }
    let text = std::str::from_utf8(bytes).map_err(|e| HygieneError::Utf8(e.valid_up_to()))?;
    if let Some(c) = text.chars().find(|&c| forbidden(c)) {
        return Err(HygieneError::Char(c as u32));
    }
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    reader.config_mut().check_comments = true;
    let mut path: Vec<String> = Vec::new();
    let mut fields = InvoiceFields::default();
    let mut current = String::new();
    let mut roots = 0usize;
    loop {
        let ev = reader
            .read_event()
            .map_err(|e| HygieneError::Malformed(e.to_string()))?;
        match ev {
            Event::Decl(d) => {
                if let Some(enc) = d.encoding() {
                    let enc = enc.map_err(|e| HygieneError::Malformed(e.to_string()))?;
                    if !enc.eq_ignore_ascii_case("utf-8") && !enc.eq_ignore_ascii_case("utf8") {
                        return Err(HygieneError::Encoding(enc.into_owned()));
                    }
                }
            }
            Event::PI(_) => return Err(HygieneError::ProcessingInstruction),
            Event::DocType(_) => return Err(HygieneError::Doctype),
            Event::Start(s) => {
                if path.is_empty() {
                    roots += 1;
                }
                let name = s.local_name().as_ref().to_owned();
                if name == "Zalacznik" {
                    fields.has_attachment = true;
                }
                path.push(name);
                current.clear();
            }
            Event::Empty(s) => {
                if path.is_empty() {
                    roots += 1;
                }
                if s.local_name().as_ref() == "Zalacznik" {
                    fields.has_attachment = true;
                }
            }
            Event::Text(t) => current.push_str(&t.xml10_content()),
            Event::CData(t) => current.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    current.push(c);
                } else if let Some(s) = quick_xml::escape::resolve_xml_entity(&r.xml10_content()) {
                    current.push_str(s);
                } else {
                    return Err(HygieneError::Malformed(format!(
                        "nieznana encja &{};",
                        r.xml10_content()
                    )));
                }
            }
            Event::End(_) => {
                let p: Vec<&str> = path.iter().map(String::as_str).collect();
                let value = Some(current.trim().to_owned());
                match p.as_slice() {
                    ["Faktura", "Podmiot1", "DaneIdentyfikacyjne", "NIP"] => {
                        fields.seller_nip = value
                    }
                    ["Faktura", "Fa", "RodzajFaktury"] => fields.kind = value,
                    ["Faktura", "Fa", "P_1"] => fields.p1 = value,
                    ["Faktura", "Fa", "P_2"] => fields.p2 = value,
                    _ => {}
                }
                path.pop();
                current.clear();
            }
            Event::Eof => break,
            Event::Comment(_) => {}
        }
    }
    if roots != 1 || !path.is_empty() {
        return Err(HygieneError::Malformed(
            "brak jednego elementu głównego".into(),
        ));
    }
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Faktura xmlns="http://crd.gov.pl/wzor/2025/06/25/13775/"><Podmiot1><DaneIdentyfikacyjne>
<NIP>5265877635</NIP></DaneIdentyfikacyjne></Podmiot1><Fa><P_1>2026-01-02</P_1>
<P_2>FV/1&amp;2&#47;3</P_2><RodzajFaktury>VAT</RodzajFaktury></Fa></Faktura>"#;

    #[test]
    fn reads_fields() {
        let f = check(OK.as_bytes()).unwrap();
        assert_eq!(f.seller_nip.as_deref(), Some("5265877635"));
        assert_eq!(f.p2.as_deref(), Some("FV/1&2/3"));
        assert_eq!(f.p1.as_deref(), Some("2026-01-02"));
        assert_eq!(f.kind.as_deref(), Some("VAT"));
    }

    #[test]
    fn rejects_bad_hygiene() {
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(OK.as_bytes());
        assert_eq!(check(&bom), Err(HygieneError::Bom));
        assert!(matches!(check(b"<a>\xFF</a>"), Err(HygieneError::Utf8(3))));
        assert!(matches!(
            check(br#"<?xml version="1.0" encoding="ISO-8859-2"?><a/>"#),
            Err(HygieneError::Encoding(_))
        ));
        assert_eq!(
            check(b"<a><?pi x?></a>"),
            Err(HygieneError::ProcessingInstruction)
        );
        assert_eq!(
            check("<a>\u{85}\u{80}</a>".as_bytes()),
            Err(HygieneError::Char(0x80))
        );
        assert!(matches!(
            check(b"<a><b></a>"),
            Err(HygieneError::Malformed(_))
        ));
        assert!(matches!(
            check(b"<!DOCTYPE a><a/>"),
            Err(HygieneError::Doctype)
        ));
        assert!(matches!(
            check(b"<a/><b/>"),
            Err(HygieneError::Malformed(_))
        ));
    }
}
