//! Bytes → a small borrowed element tree (quick-xml event API).
//!
//! The tree keeps element-only structure (comments, processing instructions
//! and whitespace between elements are dropped), checks well-formedness, UTF-8
//! and that every element is in the FA(3) namespace (any prefix), expands
//! character/predefined entity references, and records line/column for error
//! messages.

use std::borrow::Cow;

use quick_xml::XmlVersion;
use quick_xml::events::Event;
use quick_xml::reader::Reader;

use super::NS;
use super::error::ReadError;

/// One element of the parsed document.
#[derive(Debug)]
pub(crate) struct Elem<'a> {
    /// Local name (the namespace was checked while parsing).
    pub(crate) name: Cow<'a, str>,
    /// Unprefixed attributes (namespace declarations and `xsi:` attributes are dropped).
    pub(crate) attrs: Vec<(Box<str>, String)>,
    /// Child elements in document order.
    pub(crate) children: Vec<Elem<'a>>,
    /// Character data (text, CDATA and references), entity-expanded.
    pub(crate) text: Cow<'a, str>,
    /// Non-whitespace text was found between child elements.
    pub(crate) mixed: bool,
    /// Byte offset of the start tag; turned into a line and column only for an error
    /// message ([`locate`]), which keeps line counting out of every parse.
    pub(crate) pos: u32,
}

/// The 1-based line and column of byte offset `pos` in `input`.
pub(crate) fn locate(input: &str, pos: u32) -> (u32, u32) {
    LineIndex {
        input: input.as_bytes(),
        scanned: 0,
        line: 1,
        line_start: 0,
    }
    .locate(usize::try_from(pos).unwrap_or(usize::MAX))
}

/// The namespace declarations in scope (`xmlns` / `xmlns:p`), innermost last, each with
/// the depth of the element that declared it. Only whether a prefix (`""`: the default
/// namespace; `xmlns=""` undeclares it) maps to FA(3)'s namespace matters; the answer
/// for unprefixed elements, nearly all of them, is cached.
struct Scopes {
    bindings: Vec<(Box<str>, bool, usize)>,
    default_fa3: bool,
}

impl Scopes {
    fn declare(&mut self, prefix: &str, uri: &str, depth: usize) {
        self.bindings.push((prefix.into(), uri == NS, depth));
        if prefix.is_empty() {
            self.default_fa3 = uri == NS;
        }
    }

    /// Ends the declarations of the elements at `depth` and deeper.
    fn leave(&mut self, depth: usize) {
        if self.bindings.last().is_some_and(|b| b.2 >= depth) {
            self.bindings.retain(|b| b.2 < depth);
            self.default_fa3 = self.fa3("");
        }
    }

    fn fa3(&self, prefix: &str) -> bool {
        self.bindings
            .iter()
            .rev()
            .find(|b| &*b.0 == prefix)
            .is_some_and(|b| b.1)
    }
}

/// Incremental byte offset → (line, column) conversion.
struct LineIndex<'a> {
    input: &'a [u8],
    scanned: usize,
    line: u32,
    line_start: usize,
}

impl LineIndex<'_> {
    fn locate(&mut self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.input.len());
        if offset < self.scanned {
            // Rare (error positions may go back): rescan from the start.
            self.scanned = 0;
            self.line = 1;
            self.line_start = 0;
        }
        let slice = &self.input[self.scanned..offset];
        let newlines = slice.iter().filter(|b| **b == b'\n').count();
        if newlines > 0 {
            self.line = self
                .line
                .saturating_add(u32::try_from(newlines).unwrap_or(u32::MAX));
            if let Some(p) = slice.iter().rposition(|b| *b == b'\n') {
                self.line_start = self.scanned + p + 1;
            }
        }
        self.scanned = offset;
        let column = u32::try_from(offset - self.line_start + 1).unwrap_or(u32::MAX);
        (self.line, column)
    }
}

fn malformed(lines: &mut LineIndex<'_>, offset: u64, message: impl Into<String>) -> ReadError {
    let (line, column) = lines.locate(usize::try_from(offset).unwrap_or(usize::MAX));
    ReadError::Malformed {
        line,
        column,
        message: message.into(),
    }
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\u{9}' | '\u{A}' | '\u{D}' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Deepest element nesting accepted. FA(3) itself needs 7 levels
/// (`Faktura/Zalacznik/BlokDanych/Tabela/TNaglowek/Kol/NKom`); the limit keeps
/// hostile input from building a tree too deep to drop safely.
const MAX_DEPTH: usize = 32;

/// Parses a whole document into its root element; also returns the document as text
/// (validated UTF-8, for locating elements in error messages).
pub(crate) fn parse_tree(input: &[u8]) -> Result<(Elem<'_>, &str), ReadError> {
    let mut lines = LineIndex {
        input,
        scanned: 0,
        line: 1,
        line_start: 0,
    };
    // Validate the encoding once, so element names can be borrowed from the input.
    let text = match std::str::from_utf8(input) {
        Ok(t) => t,
        Err(e) => {
            let at = u64::try_from(e.valid_up_to()).unwrap_or(u64::MAX);
            return Err(malformed(
                &mut lines,
                at,
                "invalid utf-8 (documents must be utf-8)",
            ));
        }
    };
    // Namespaces are resolved here rather than by quick-xml's `NsReader`, whose general
    // bookkeeping cost a fifth of the parse (issue 6 budget: 200-line parse + build).
    let mut scopes = Scopes {
        bindings: Vec::new(),
        default_fa3: false,
    };
    let mut reader = Reader::from_str(text);
    let config = reader.config_mut();
    config.check_end_names = true;
    config.expand_empty_elements = false;
    let mut stack: Vec<Elem<'_>> = Vec::with_capacity(16);
    let mut root: Option<Elem<'_>> = None;
    loop {
        let before = reader.buffer_position();
        let event = match reader.read_event() {
            Ok(x) => x,
            Err(e) => {
                let at = reader.error_position();
                return Err(malformed(&mut lines, at, e.to_string()));
            }
        };
        match event {
            Event::Start(ref s) | Event::Empty(ref s) => {
                let empty = matches!(event, Event::Empty(_));
                let local = s.local_name();
                let name: &str = local.as_ref();
                let pos = u32::try_from(before).unwrap_or(u32::MAX);
                if root.is_some() {
                    return Err(malformed(
                        &mut lines,
                        before,
                        "content after the root element",
                    ));
                }
                let depth = stack.len();
                let mut attrs = Vec::new();
                for a in s.attributes() {
                    let a = a.map_err(|e| malformed(&mut lines, before, e.to_string()))?;
                    let key = a.key.0;
                    let declared = match key.strip_prefix("xmlns") {
                        Some("") => Some(""),
                        Some(rest) => rest.strip_prefix(':'),
                        None => None,
                    };
                    if declared.is_none() && key.contains(':') {
                        // `xsi:` and other qualified attributes (allowed by schema
                        // processors) carry no model data.
                        continue;
                    }
                    let value = a
                        .normalized_value(XmlVersion::Implicit1_0)
                        .map_err(|e| malformed(&mut lines, before, e.to_string()))?;
                    match declared {
                        Some(prefix) => scopes.declare(prefix, &value, depth),
                        None => attrs.push((Box::from(key), value.into_owned())),
                    }
                }
                let in_fa3 = match s.name().prefix() {
                    None => scopes.default_fa3,
                    Some(p) => scopes.fa3(p.into_inner()),
                };
                if !in_fa3 {
                    let (line, column) =
                        lines.locate(usize::try_from(before).unwrap_or(usize::MAX));
                    return Err(ReadError::Structure {
                        path: path_of(&stack, name),
                        line,
                        column,
                        expected: format!("an element in namespace {NS}"),
                        found: format!("`{}` in another namespace", s.name().0),
                    });
                }
                if empty {
                    scopes.leave(depth);
                }
                let elem = Elem {
                    name: borrow_from(text, name),
                    attrs,
                    children: Vec::new(),
                    text: Cow::Borrowed(""),
                    mixed: false,
                    pos,
                };
                if let Some(parent) = stack.last_mut() {
                    if !parent.text.trim_matches(is_ws).is_empty() {
                        parent.mixed = true;
                    }
                    parent.text = Cow::Borrowed("");
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(malformed(
                        &mut lines,
                        before,
                        format!("elements nested deeper than {MAX_DEPTH} levels"),
                    ));
                }
                if empty {
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(elem),
                        None => root = Some(elem),
                    }
                } else {
                    stack.push(elem);
                }
            }
            Event::End(_) => {
                let Some(done) = stack.pop() else {
                    return Err(malformed(&mut lines, before, "unexpected end tag"));
                };
                scopes.leave(stack.len());
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => root = Some(done),
                }
            }
            Event::Text(t) => {
                let piece = t.xml10_content();
                push_text(&mut stack, piece, &mut lines, before)?;
            }
            Event::CData(c) => {
                let piece = c.xml10_content();
                push_text(&mut stack, piece, &mut lines, before)?;
            }
            Event::GeneralRef(r) => {
                let ch = match r.resolve_char_ref() {
                    Ok(Some(ch)) => ch,
                    Ok(None) => match &*r {
                        "amp" => '&',
                        "lt" => '<',
                        "gt" => '>',
                        "quot" => '"',
                        "apos" => '\'',
                        other => {
                            return Err(malformed(
                                &mut lines,
                                before,
                                format!("undeclared entity `&{other};`"),
                            ));
                        }
                    },
                    Err(e) => return Err(malformed(&mut lines, before, e.to_string())),
                };
                if !is_xml_char(ch) {
                    return Err(malformed(
                        &mut lines,
                        before,
                        format!(
                            "character reference to U+{:04X}, not allowed in xml 1.0",
                            ch as u32
                        ),
                    ));
                }
                let mut buf = [0u8; 4];
                let s: &str = ch.encode_utf8(&mut buf);
                push_text(&mut stack, Cow::Owned(s.to_owned()), &mut lines, before)?;
            }
            Event::Decl(d) => {
                if let Some(enc) = d.encoding() {
                    let enc = enc.map_err(|e| malformed(&mut lines, before, e.to_string()))?;
                    if !enc.eq_ignore_ascii_case("utf-8") {
                        return Err(malformed(
                            &mut lines,
                            before,
                            format!("encoding {enc:?} is not supported (utf-8 only)"),
                        ));
                    }
                }
            }
            Event::Comment(_) | Event::PI(_) | Event::DocType(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(malformed(
            &mut lines,
            reader.buffer_position(),
            "unexpected end of document",
        ));
    }
    match root {
        Some(r) => Ok((r, text)),
        None => Err(malformed(
            &mut lines,
            reader.buffer_position(),
            "no root element",
        )),
    }
}

/// `part` as a slice of `whole` when it points into it (no allocation), else owned.
fn borrow_from<'a>(whole: &'a str, part: &str) -> Cow<'a, str> {
    let start = (part.as_ptr() as usize).wrapping_sub(whole.as_ptr() as usize);
    match whole.get(start..start.wrapping_add(part.len())) {
        Some(s) if s.as_ptr() == part.as_ptr() => Cow::Borrowed(s),
        _ => Cow::Owned(part.to_owned()),
    }
}

/// XML whitespace (`S` production).
pub(crate) fn is_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

fn push_text<'a>(
    stack: &mut [Elem<'a>],
    piece: Cow<'a, str>,
    lines: &mut LineIndex<'_>,
    at: u64,
) -> Result<(), ReadError> {
    match stack.last_mut() {
        None => {
            if piece.trim_matches(is_ws).is_empty() {
                Ok(())
            } else {
                Err(malformed(lines, at, "text outside the root element"))
            }
        }
        Some(e) => {
            if !e.children.is_empty() {
                if !piece.trim_matches(is_ws).is_empty() {
                    e.mixed = true;
                }
            } else if e.text.is_empty() {
                e.text = piece;
            } else {
                e.text.to_mut().push_str(&piece);
            }
            Ok(())
        }
    }
}

fn path_of(stack: &[Elem<'_>], name: &str) -> String {
    let mut s = String::new();
    for e in stack {
        s.push_str(&e.name);
        s.push('/');
    }
    s.push_str(name);
    s
}

#[cfg(test)]
mod tests {
    use super::{NS, parse_tree};

    fn doc(body: &str) -> String {
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>{body}")
    }

    fn ns_error(body: &str) -> String {
        match parse_tree(doc(body).as_bytes()) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("accepted: {body}"),
        }
    }

    #[test]
    fn namespace_scopes_follow_the_tree() {
        // Default and prefixed bindings, declared at the root or on the element itself.
        let ok = [
            format!("<Faktura xmlns=\"{NS}\"><A><B/></A></Faktura>"),
            format!("<f:Faktura xmlns:f=\"{NS}\"><f:A/></f:Faktura>"),
            format!("<Faktura xmlns=\"{NS}\"><g:A xmlns:g=\"{NS}\"><g:B/></g:A></Faktura>"),
            format!("<Faktura xmlns=\"{NS}\" xmlns:xsi=\"x\" xsi:schemaLocation=\"y\"/>"),
        ];
        for x in ok {
            let d = doc(&x);
            let (root, _) = parse_tree(d.as_bytes()).unwrap_or_else(|e| panic!("{x}: {e}"));
            assert_eq!(&*root.name, "Faktura");
            assert!(
                root.attrs.is_empty(),
                "{x}: namespace attributes are not data"
            );
        }
        // A binding ends with its element (also an empty one), a nested default
        // namespace or `xmlns=""` takes an element out of FA(3), prefixes must be bound.
        for x in [
            format!("<Faktura xmlns=\"{NS}\"><g:A xmlns:g=\"{NS}\"/><g:B/></Faktura>"),
            format!("<Faktura xmlns=\"{NS}\"><A xmlns=\"urn:other\"/></Faktura>"),
            format!("<Faktura xmlns=\"{NS}\"><A xmlns=\"\"/></Faktura>"),
            format!("<Faktura xmlns=\"{NS}\"><A><B xmlns=\"urn:other\"><C/></B></A></Faktura>"),
            "<Faktura><A/></Faktura>".to_owned(),
            format!("<x:Faktura xmlns:f=\"{NS}\"/>"),
        ] {
            let e = ns_error(&x);
            assert!(e.contains("in another namespace"), "{x}: {e}");
        }
        // After a nested default namespace ends, the outer one is back.
        let x = format!("<Faktura xmlns=\"{NS}\"><A xmlns=\"{NS}\"/><B/></Faktura>");
        let d = doc(&x);
        let (root, _) = parse_tree(d.as_bytes()).unwrap_or_else(|e| panic!("{x}: {e}"));
        assert_eq!(root.children.len(), 2);
    }
}
