//! The structural pass: walks the document (raw XML, or the model's serde tree) against the
//! generated schema table ([`super::schema::NODES`]): root and namespace, unknown elements,
//! sequence order, `minOccurs` / `maxOccurs`, text in element-only content, and the facets
//! of every leaf value and attribute ([`super::facets`]). In the XML pass it also reports the
//! KSeF verification rules that need the parser: XML declaration encoding, processing
//! instructions, DOCTYPE, well-formedness, and it places the character problems found by
//! [`super::hygiene`] on the element that holds them.

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

use super::facets;
use super::hygiene::{CharIssue, is_discouraged, is_xml_char, line_col};
use super::rules::{
    XML_DOCTYPE, XML_ENCODING, XML_MALFORMED, XML_PI, XSD_COUNT, XSD_MISSING, XSD_NAMESPACE,
    XSD_ORDER, XSD_ROOT, XSD_TEXT, XSD_UNKNOWN,
};
use super::schema::{NODES, Node, TYPES};
use super::tree::El;
use super::{Problem, Report};

/// The FA(3) target namespace.
pub(crate) const FA3_NS: &str = "http://crd.gov.pl/wzor/2025/06/25/13775/";

/// Looks a schema path up in the table.
pub(crate) fn node(path: &str) -> Option<&'static Node> {
    NODES
        .binary_search_by(|n| n.path.as_bytes().cmp(path.as_bytes()))
        .ok()
        .map(|i| &NODES[i])
}

/// Direct children (elements and attributes) of a schema path.
fn children(path: &str) -> impl Iterator<Item = &'static Node> + '_ {
    let start = NODES.partition_point(|n| n.path.as_bytes() <= path.as_bytes());
    NODES[start..]
        .iter()
        .take_while(move |n| {
            n.path.len() > path.len() + 1
                && n.path.starts_with(path)
                && n.path.as_bytes()[path.len()] == b'/'
        })
        .filter(move |n| !n.path[path.len() + 1..].contains('/'))
}

/// The mandatory direct children of each table node (computed once; the table is static).
fn required_children(n: &'static Node) -> &'static [&'static Node] {
    static REQ: std::sync::OnceLock<Vec<Vec<&'static Node>>> = std::sync::OnceLock::new();
    let all = REQ.get_or_init(|| {
        NODES
            .iter()
            .map(|p| children(p.path).filter(|c| c.min > 0).collect())
            .collect()
    });
    let i = NODES
        .binary_search_by(|x| x.path.as_bytes().cmp(n.path.as_bytes()))
        .unwrap_or(usize::MAX);
    all.get(i).map_or(&[], Vec::as_slice)
}

fn leaf_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// One open element.
struct Frame {
    /// Path in the schema table (no indices), empty when unknown.
    schema: String,
    /// Path shown in problems (with `[n]` indices).
    display: String,
    node: Option<&'static Node>,
    text: String,
    last_ord: u16,
    last_name: String,
    counts: Vec<(&'static str, u32)>,
    el: El,
}

/// Walks a tree of elements against the schema table. `strict` (the XML pass) also
/// reports unknown elements, order and missing elements; the model pass only checks
/// values and counts, because the model's serde tree is not the XML tree everywhere.
pub(crate) struct Walker<'r> {
    report: &'r mut Report,
    stack: Vec<Frame>,
    strict: bool,
    /// Depth of an unknown subtree being skipped (0 = not skipping).
    skip: usize,
    /// Whether `Faktura/Zalacznik` was seen.
    pub(crate) has_attachment: bool,
    root_seen: bool,
    /// The tree of schema-known elements, once the root is closed.
    pub(crate) root: Option<El>,
}

impl<'r> Walker<'r> {
    pub(crate) fn new(report: &'r mut Report, strict: bool) -> Self {
        Walker {
            report,
            stack: Vec::new(),
            strict,
            skip: 0,
            has_attachment: false,
            root_seen: false,
            root: None,
        }
    }

    /// The display path of the innermost open element ("" outside the root).
    pub(crate) fn current_path(&self) -> &str {
        self.stack.last().map_or("", |f| f.display.as_str())
    }

    /// Opens an element. Returns false if it is outside the schema (its subtree is skipped).
    pub(crate) fn start(&mut self, name: &str) -> bool {
        if self.skip > 0 {
            self.skip += 1;
            return false;
        }
        let Some(parent) = self.stack.last_mut() else {
            if self.root_seen {
                self.report.push(Problem::new(
                    &XML_MALFORMED,
                    "",
                    format!("drugi element główny <{name}>; dokument XML ma dokładnie jeden"),
                    format!("a second root element <{name}>; an XML document has exactly one"),
                ));
                self.skip = 1;
                return false;
            }
            self.root_seen = true;
            if name != "Faktura" {
                self.report.push(Problem::new(
                    &XSD_ROOT,
                    name,
                    format!("element główny to <{name}>, oczekiwano <Faktura>"),
                    format!("the root element is <{name}>, expected <Faktura>"),
                ));
                self.skip = 1;
                return false;
            }
            self.stack.push(Frame {
                schema: "Faktura".into(),
                display: "Faktura".into(),
                node: node("Faktura"),
                text: String::new(),
                last_ord: 0,
                last_name: String::new(),
                counts: Vec::new(),
                el: El {
                    name: "Faktura".into(),
                    path: "Faktura".into(),
                    ..El::default()
                },
            });
            return true;
        };
        let schema = format!("{}/{name}", parent.schema);
        let Some(n) = node(&schema) else {
            if self.strict {
                let display = format!("{}/{name}", parent.display);
                let parent_name = leaf_name(&parent.schema).to_string();
                self.report.push(Problem::new(
                    &XSD_UNKNOWN,
                    display,
                    format!(
                        "element <{name}> nie jest dozwolony w <{parent_name}> (schemat FA(3))"
                    ),
                    format!("element <{name}> is not allowed in <{parent_name}> (FA(3) schema)"),
                ));
            }
            self.skip = 1;
            return false;
        };
        let count = match parent
            .counts
            .iter_mut()
            .find(|(k, _)| *k == leaf_name(n.path))
        {
            Some((_, c)) => {
                *c += 1;
                *c
            }
            None => {
                parent.counts.push((leaf_name(n.path), 1));
                1
            }
        };
        let display = if n.max == 1 {
            format!("{}/{name}", parent.display)
        } else {
            format!("{}/{name}[{count}]", parent.display)
        };
        if self.strict && n.ord < parent.last_ord {
            let before = parent.last_name.clone();
            self.report.push(Problem::new(
                &XSD_ORDER,
                display.clone(),
                format!(
                    "element <{name}> musi wystąpić przed <{before}> (kolejność ze schematu FA(3))"
                ),
                format!("element <{name}> must come before <{before}> (FA(3) schema order)"),
            ));
        }
        if n.ord >= parent.last_ord {
            parent.last_ord = n.ord;
            parent.last_name = name.to_string();
        }
        if n.max != 0 && count == n.max + 1 {
            self.report.push(Problem::new(
                &XSD_COUNT,
                display.clone(),
                format!(
                    "element <{name}> może wystąpić najwyżej {} razy; jest ich więcej",
                    n.max
                ),
                format!(
                    "element <{name}> may occur at most {} times; found more",
                    n.max
                ),
            ));
        }
        if n.path == "Faktura/Zalacznik" {
            self.has_attachment = true;
        }
        self.stack.push(Frame {
            schema,
            el: El {
                name: name.to_string(),
                path: display.clone(),
                ..El::default()
            },
            display,
            node: Some(n),
            text: String::new(),
            last_ord: 0,
            last_name: String::new(),
            counts: Vec::new(),
        });
        true
    }

    /// An attribute of the element just opened.
    pub(crate) fn attribute(&mut self, name: &str, value: &str) {
        if self.skip > 0 {
            return;
        }
        let Some(f) = self.stack.last_mut() else {
            return;
        };
        let path = format!("{}/@{name}", f.schema);
        let display = format!("{}/@{name}", f.display);
        match node(&path) {
            Some(n) => {
                // Required-attribute bookkeeping uses the table's own (static) spelling.
                let attr = n.path.rsplit_once("/@").map_or("", |(_, a)| a);
                f.counts.push((attr, 1));
                if let Some(t) = n.ty
                    && let Some(p) = facets::check(value, &TYPES[usize::from(t)], &display)
                {
                    self.report.push(p);
                }
            }
            None if self.strict => {
                let el = leaf_name(&f.schema).to_string();
                self.report.push(Problem::new(
                    &XSD_UNKNOWN,
                    display,
                    format!("atrybut {name} nie jest dozwolony w <{el}>"),
                    format!("attribute {name} is not allowed on <{el}>"),
                ));
            }
            None => {}
        }
    }

    /// Character data of the innermost element.
    pub(crate) fn text(&mut self, s: &str) {
        if self.skip > 0 {
            return;
        }
        match self.stack.last_mut() {
            Some(f) => f.text.push_str(s),
            None if !s.trim().is_empty() => self.report.push(Problem::new(
                &XML_MALFORMED,
                "",
                "tekst poza elementem głównym",
                "text outside the root element",
            )),
            None => {}
        }
    }

    /// Closes the innermost element: checks its value or its mandatory children.
    pub(crate) fn end(&mut self) {
        if self.skip > 0 {
            self.skip -= 1;
            return;
        }
        let Some(mut f) = self.stack.pop() else {
            return;
        };
        let mut el = std::mem::take(&mut f.el);
        el.text = std::mem::take(&mut f.text);
        let Some(n) = f.node else {
            return;
        };
        let text = el.text.as_str();
        if let Some(t) = n.ty {
            if let Some(p) = facets::check(text, &TYPES[usize::from(t)], &f.display) {
                self.report.push(p);
            }
        } else if self.strict && !text.trim().is_empty() {
            let shown: String = text.trim().chars().take(40).collect();
            let el = leaf_name(&f.schema);
            self.report.push(Problem::new(
                &XSD_TEXT,
                f.display.clone(),
                format!("element <{el}> zawiera tylko elementy, a ma tekst \"{shown}\""),
                format!("element <{el}> holds only elements but has text \"{shown}\""),
            ));
        }
        if self.strict {
            for c in required_children(n) {
                let cname = leaf_name(c.path);
                let (is_attr, bare) = match cname.strip_prefix('@') {
                    Some(a) => (true, a),
                    None => (false, cname),
                };
                if !f.counts.iter().any(|(k, _)| *k == bare) {
                    let el = leaf_name(&f.schema);
                    let (pl, en) = if is_attr {
                        (
                            format!("brak wymaganego atrybutu {bare} w <{el}>"),
                            format!("required attribute {bare} is missing on <{el}>"),
                        )
                    } else {
                        (
                            format!("brak wymaganego elementu <{bare}> w <{el}>"),
                            format!("mandatory element <{bare}> is missing in <{el}>"),
                        )
                    };
                    self.report.push(Problem::new(
                        &XSD_MISSING,
                        format!("{}/{cname}", f.display),
                        pl,
                        en,
                    ));
                }
            }
        }
        match self.stack.last_mut() {
            Some(parent) => parent.el.kids.push(el),
            None => self.root = Some(el),
        }
    }
}

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
                if opened && let Some(found) = ns {
                    let path = w.current_path().to_string();
                    w.report.push(Problem::new(
                        &XSD_NAMESPACE,
                        path,
                        format!("element <{name}> w przestrzeni nazw {found}, oczekiwano {FA3_NS}"),
                        format!("element <{name}> is in namespace {found}, expected {FA3_NS}"),
                    ));
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

/// Walks the model's serde tree (keys are XSD names) through the same table: values,
/// attributes and counts. Order and presence are the model's business (serde maps are
/// not ordered like the XSD, and the model's types make mandatory elements mandatory).
pub(crate) fn scan_value(value: &serde_json::Value, report: &mut Report) -> Option<El> {
    let mut w = Walker::new(report, false);
    walk_value(&mut w, "Faktura", value);
    w.root.take()
}

fn scalar(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(if *b { "1" } else { "0" }.to_string()),
        _ => None,
    }
}

fn walk_value(w: &mut Walker<'_>, name: &str, v: &serde_json::Value) {
    use serde_json::Value;
    match v {
        Value::Null => {}
        Value::Array(items) => {
            for item in items {
                walk_value(w, name, item);
            }
        }
        Value::Object(map) => {
            if !w.start(name) {
                w.end();
                return;
            }
            let simple = w
                .stack
                .last()
                .and_then(|f| f.node)
                .is_some_and(|n| n.ty.is_some());
            for (k, child) in map {
                if simple {
                    let Some(s) = scalar(child) else { continue };
                    if k == "value" {
                        w.text(&s);
                    } else {
                        w.attribute(k, &s);
                    }
                } else {
                    walk_value(w, k, child);
                }
            }
            w.end();
        }
        other => {
            let opened = w.start(name);
            if let (true, Some(s)) = (opened, scalar(other)) {
                w.text(&s);
            }
            w.end();
        }
    }
}
