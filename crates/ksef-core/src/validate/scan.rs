//! The structural pass: walks the document (raw XML, or the model's serde tree) against the
//! generated schema table ([`super::schema::NODES`]): root and namespace, unknown elements,
//! sequence order, `minOccurs` / `maxOccurs`, text in element-only content, and the facets
//! of every leaf value and attribute ([`super::facets`]). In the XML pass it also reports the
//! KSeF verification rules that need the parser: XML declaration encoding, processing
//! instructions, DOCTYPE, well-formedness, and it places the character problems found by
//! [`super::hygiene`] on the element that holds them.

mod json;
mod xml;

pub(crate) use json::scan_value;
pub(crate) use xml::scan_xml;

use super::facets;
use super::rules::{
    XML_MALFORMED, XSD_CHOICE, XSD_COUNT, XSD_MISSING, XSD_ORDER, XSD_ROOT, XSD_TEXT, XSD_UNKNOWN,
};
use super::schema::{NODES, Node, REQUIRED_CHOICES, TYPES};
use super::tree::El;
use super::{Problem, Report};

/// The FA(3) target namespace.
pub(crate) use crate::xml::NS as FA3_NS;

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

/// `parent/child` without going through the formatting machinery (hot path).
fn join(parent: &str, sep: &str, child: &str) -> String {
    let mut s = String::with_capacity(parent.len() + sep.len() + child.len() + 6);
    s.push_str(parent);
    s.push_str(sep);
    s.push_str(child);
    s
}

/// The direct children of each table node that belong to an optional sequence or a
/// sequence branch of a choice (computed once).
fn grouped_children(n: &'static Node) -> &'static [&'static Node] {
    static GRP: std::sync::OnceLock<Vec<Vec<&'static Node>>> = std::sync::OnceLock::new();
    let all = GRP.get_or_init(|| {
        NODES
            .iter()
            .map(|p| children(p.path).filter(|c| c.group.0 != 0).collect())
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
    last_name: &'static str,
    counts: Vec<(&'static str, u32)>,
    /// Branch taken in each `xsd:choice` so far, with the element that took it.
    chosen: Vec<(u8, u8, &'static str)>,
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
    /// Model pass: keys that are not schema paths (their values go unchecked).
    pub(crate) unmapped: Vec<String>,
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
            unmapped: Vec::new(),
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
                last_name: "",
                counts: Vec::new(),
                chosen: Vec::new(),
                el: El {
                    name: "Faktura",
                    path: "Faktura".into(),
                    ..El::default()
                },
            });
            return true;
        };
        let schema = join(&parent.schema, "/", name);
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
            } else {
                self.unmapped.push(schema);
            }
            self.skip = 1;
            return false;
        };
        let leaf = leaf_name(n.path);
        let count = match parent.counts.iter_mut().find(|(k, _)| *k == leaf) {
            Some((_, c)) => {
                *c += 1;
                *c
            }
            None => {
                parent.counts.push((leaf, 1));
                1
            }
        };
        let display = if n.max == 1 {
            join(&parent.display, "/", name)
        } else {
            format!("{}/{name}[{count}]", parent.display)
        };
        if self.strict && n.ord < parent.last_ord {
            let before = parent.last_name;
            self.report.push(Problem::new(
                &XSD_ORDER,
                display.clone(),
                format!(
                    "element <{name}> musi wystąpić przed <{before}> (kolejność ze schematu FA(3))"
                ),
                format!("element <{name}> must come before <{before}> (FA(3) schema order)"),
            ));
        }
        if self.strict {
            for &(choice, branch) in n.alt {
                match parent.chosen.iter().find(|c| c.0 == choice) {
                    Some(&(_, b, other)) if b != branch => {
                        self.report.push(Problem::new(
                            &XSD_CHOICE,
                            display.clone(),
                            format!("element <{name}> wyklucza się z <{other}>: schemat FA(3) dopuszcza tylko jedną z tych możliwości"),
                            format!("element <{name}> cannot be combined with <{other}>: the FA(3) schema allows only one of these alternatives"),
                        ));
                        break;
                    }
                    Some(_) => {}
                    None => parent.chosen.push((choice, branch, leaf)),
                }
            }
        }
        if n.ord >= parent.last_ord {
            parent.last_ord = n.ord;
            parent.last_name = leaf;
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
                name: leaf,
                path: display.clone(),
                ..El::default()
            },
            display,
            node: Some(n),
            text: String::new(),
            last_ord: 0,
            last_name: "",
            counts: Vec::new(),
            chosen: Vec::new(),
        });
        true
    }

    /// Whether the innermost open element has an attribute `name` in the schema.
    pub(crate) fn is_attribute(&self, name: &str) -> bool {
        self.stack
            .last()
            .is_some_and(|f| node(&join(&f.schema, "/@", name)).is_some())
    }

    /// An attribute of the element just opened.
    pub(crate) fn attribute(&mut self, name: &str, value: &str) {
        if self.skip > 0 {
            return;
        }
        let Some(f) = self.stack.last_mut() else {
            return;
        };
        let path = join(&f.schema, "/@", name);
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

    /// A required `xsd:choice` of `n` with none of its alternatives present.
    fn missing_choice(&mut self, f: &Frame, n: &'static Node) {
        let Ok(i) = REQUIRED_CHOICES.binary_search_by(|(p, _)| p.as_bytes().cmp(n.path.as_bytes()))
        else {
            return;
        };
        for &(choice, within) in REQUIRED_CHOICES[i].1 {
            let taken = |c: u8, b: Option<u8>| {
                f.chosen
                    .iter()
                    .any(|&(c2, b2, _)| c2 == c && b.is_none_or(|b| b == b2))
            };
            if within.is_some_and(|(c, b)| !taken(c, Some(b))) || taken(choice, None) {
                continue;
            }
            // The first element of each alternative, in schema order.
            let mut firsts: Vec<(u8, &Node, &str)> = Vec::new();
            let mut kids: Vec<&Node> = children(n.path).collect();
            kids.sort_by_key(|k| k.ord);
            for k in kids {
                if let Some(&(_, b)) = k.alt.iter().find(|(c, _)| *c == choice) {
                    // Name each alternative by its first mandatory element (NrID, not KodKraju?).
                    match firsts.iter_mut().find(|(fb, _, _)| *fb == b) {
                        None => firsts.push((b, k, leaf_name(k.path))),
                        Some(e) if !e.1.group.1 && k.group.1 => *e = (b, k, leaf_name(k.path)),
                        Some(_) => {}
                    }
                }
            }
            let list = firsts
                .iter()
                .map(|(_, _, n)| format!("<{n}>"))
                .collect::<Vec<_>>();
            let el = leaf_name(&f.schema);
            self.report.push(Problem::new(
                &XSD_MISSING,
                f.display.clone(),
                format!("w <{el}> brakuje jednego z: {}", list.join(", ")),
                format!("<{el}> needs one of: {}", list.join(", ")),
            ));
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
            let grouped = grouped_children(n);
            let present = |c: &Node| f.counts.iter().any(|(k, _)| *k == leaf_name(c.path));
            for c in grouped.iter().filter(|c| c.group.1 && !present(c)) {
                if let Some(other) = grouped
                    .iter()
                    .find(|o| o.group.0 == c.group.0 && present(o))
                {
                    let (cname, oname, el) = (
                        leaf_name(c.path),
                        leaf_name(other.path),
                        leaf_name(&f.schema),
                    );
                    self.report.push(Problem::new(
                        &XSD_MISSING,
                        join(&f.display, "/", cname),
                        format!("w <{el}> jest <{oname}>, więc wymagany jest też <{cname}> (ta sama grupa elementów w schemacie)"),
                        format!("<{el}> has <{oname}>, so <{cname}> is required too (same element group in the schema)"),
                    ));
                }
            }
            self.missing_choice(&f, n);
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
