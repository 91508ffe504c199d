//! The XML pass: drives the [`Walker`] from quick-xml events and reports what only the raw
//! document shows (`weryfikacja-faktury.md`): the XML declaration's encoding, processing
//! instructions, DOCTYPE, well-formedness, element namespaces, and the element holding each
//! character problem found by [`crate::validate::hygiene`].

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

use super::{FA3_NS, Walker};
use crate::validate::hygiene::{CharIssue, is_discouraged, is_xml_char, line_col};
use crate::validate::rules::{XML_DOCTYPE, XML_ENCODING, XML_MALFORMED, XML_PI, XSD_NAMESPACE};
use crate::validate::tree::El;
use crate::validate::{Problem, Report};

/// What the XML pass learned that later passes need.
pub(crate) struct XmlOutcome {
    /// `Faktura/Zalacznik` present (raises the size limit).
    pub(crate) has_attachment: bool,
    /// The element tree (when the root closed).
    pub(crate) root: Option<El>,
}

/// Scans the raw XML. `chars` are the character issues from the byte pass, in offset order.
pub(crate) fn scan_xml(bytes: &[u8], chars: &[CharIssue], report: &mut Report) -> XmlOutcome {
    let text = String::from_utf8_lossy(bytes);
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(&text);
    let bom = bytes.len() - text.len().min(bytes.len());
    let mut reader = NsReader::from_str(text);
    reader.config_mut().check_comments = true;
    let mut pending = chars.iter().peekable();
    let mut w = Walker::new(report, true);
    let mut foreign: Vec<String> = Vec::new();
    loop {
        let event = reader.read_resolved_event().map(|(ns, ev)| {
            let ns = match ns {
                ResolveResult::Bound(n) if n.as_ref() == FA3_NS => None,
                ResolveResult::Bound(n) => Some(n.as_ref().to_string()),
                _ => Some("(brak / none)".to_string()),
            };
            (ns, ev)
        });
        let pos = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        match event {
            Err(e) => {
                let at = usize::try_from(reader.error_position()).unwrap_or(0) + bom;
                let (line, col) = line_col(bytes, at);
                let path = w.current_path().to_string();
                w.report.push(Problem::new(
                    &XML_MALFORMED,
                    path,
                    format!("niepoprawny XML (wiersz {line}, kolumna {col}): {e}"),
                    format!("XML is not well-formed (line {line}, column {col}): {e}"),
                ));
                break;
            }
            Ok((_, Event::Eof)) => {
                if !w.stack.is_empty() {
                    let path = w.current_path().to_string();
                    w.report.push(Problem::new(
                        &XML_MALFORMED,
                        path,
                        "dokument kończy się przed zamknięciem elementów",
                        "the document ends before its elements are closed",
                    ));
                } else if !w.root_seen {
                    w.report.push(Problem::new(
                        &XML_MALFORMED,
                        "",
                        "brak elementu głównego <Faktura>",
                        "no root element <Faktura>",
                    ));
                }
                break;
            }
            Ok((ns, ev @ (Event::Start(_) | Event::Empty(_)))) => {
                let (Event::Start(e) | Event::Empty(e)) = &ev else {
                    continue;
                };
                let name = e.local_name().as_ref().to_string();
                let opened = w.start(&name);
                // One problem per foreign namespace: a whole FA(2) document is one mistake.
                if opened
                    && let Some(found) = ns
                    && !foreign.contains(&found)
                {
                    let path = w.current_path().to_string();
                    w.report.push(Problem::new(
                        &XSD_NAMESPACE,
                        path,
                        format!("element <{name}> w przestrzeni nazw {found}, oczekiwano {FA3_NS}"),
                        format!("element <{name}> is in namespace {found}, expected {FA3_NS}"),
                    ));
                    foreign.push(found);
                }
                if opened {
                    for a in e.attributes().with_checks(true) {
                        match a {
                            Ok(a) => {
                                let key = a.key.as_ref();
                                if key == "xmlns"
                                    || key.starts_with("xmlns:")
                                    || key.starts_with("xsi:")
                                    || key.starts_with("xml:")
                                {
                                    continue;
                                }
                                let value = a
                                    .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                    .map(|v| v.into_owned())
                                    .unwrap_or_else(|_| a.value.to_string());
                                w.attribute(a.key.local_name().as_ref(), &value);
                            }
                            Err(err) => {
                                let path = w.current_path().to_string();
                                w.report.push(Problem::new(
                                    &XML_MALFORMED,
                                    path,
                                    format!("niepoprawny atrybut: {err}"),
                                    format!("malformed attribute: {err}"),
                                ));
                            }
                        }
                    }
                }
                place_chars(&mut pending, pos + bom, &mut w, bytes);
                if matches!(ev, Event::Empty(_)) {
                    w.end();
                }
                continue;
            }
            Ok((_, Event::End(_))) => {
                place_chars(&mut pending, pos + bom, &mut w, bytes);
                w.end();
                continue;
            }
            Ok((_, Event::Text(t))) => w.text(&t.xml10_content()),
            Ok((_, Event::CData(t))) => w.text(&t.into_inner()),
            Ok((_, Event::GeneralRef(r))) => match r.resolve_char_ref() {
                Ok(Some(c)) => {
                    if !is_xml_char(c) || is_discouraged(c) {
                        let issue = CharIssue {
                            offset: pos + bom,
                            ch: c,
                            discouraged: is_xml_char(c),
                        };
                        w.report.push(issue.problem(w.current_path(), bytes));
                    }
                    w.text(c.encode_utf8(&mut [0; 4]));
                }
                Ok(None) => {
                    let name = r.xml10_content();
                    match quick_xml::escape::resolve_predefined_entity(&name) {
                        Some(s) => w.text(s),
                        None => {
                            let path = w.current_path().to_string();
                            w.report.push(Problem::new(
                                &XML_MALFORMED,
                                path,
                                format!("nieznana encja &{name};"),
                                format!("unknown entity &{name};"),
                            ));
                        }
                    }
                }
                Err(e) => {
                    let path = w.current_path().to_string();
                    w.report.push(Problem::new(
                        &XML_MALFORMED,
                        path,
                        format!("niepoprawne odwołanie znakowe: {e}"),
                        format!("invalid character reference: {e}"),
                    ));
                }
            },
            Ok((_, Event::Decl(d))) => {
                if let Some(Ok(enc)) = d.encoding()
                    && !enc.eq_ignore_ascii_case("utf-8")
                {
                    w.report.push(Problem::new(
                        &XML_ENCODING,
                        "",
                        format!("prolog XML deklaruje kodowanie \"{enc}\"; KSeF wymaga UTF-8"),
                        format!(
                            "the XML declaration names encoding \"{enc}\"; KSeF requires UTF-8"
                        ),
                    ));
                }
            }
            Ok((_, Event::PI(p))) => {
                let target: String = p
                    .as_ref()
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .to_string();
                let path = w.current_path().to_string();
                w.report.push(Problem::new(
                    &XML_PI,
                    path,
                    format!("instrukcja przetwarzania <?{target} …?>; KSeF ich nie dopuszcza"),
                    format!("processing instruction <?{target} …?>; KSeF does not allow them"),
                ));
            }
            Ok((_, Event::DocType(_))) => {
                w.report.push(Problem::new(
                    &XML_DOCTYPE,
                    "",
                    "deklaracja <!DOCTYPE …> jest niedozwolona w fakturze",
                    "a <!DOCTYPE …> declaration is not allowed in an invoice",
                ));
            }
            Ok((_, Event::Comment(_))) => {}
        }
        place_chars(&mut pending, pos + bom, &mut w, bytes);
    }
    // Anything left (after a fatal parse error) is reported without an element path.
    for issue in pending {
        w.report.push(issue.problem("", bytes));
    }
    XmlOutcome {
        has_attachment: w.has_attachment,
        root: w.root.take(),
    }
}

fn place_chars<'a>(
    pending: &mut std::iter::Peekable<impl Iterator<Item = &'a CharIssue>>,
    upto: usize,
    w: &mut Walker<'_>,
    bytes: &[u8],
) {
    while let Some(issue) = pending.next_if(|i| i.offset < upto) {
        let p = issue.problem(w.current_path(), bytes);
        w.report.push(p);
    }
}
