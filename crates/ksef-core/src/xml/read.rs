//! Reader: bytes → a small borrowed element tree → the model.
//!
//! The tree keeps element-only structure (comments, processing instructions
//! and whitespace between elements are dropped), checks that every element is
//! in the FA(3) namespace, and records line/column for error messages. The
//! model is then read from the tree with a [`Cursor`] that walks the children
//! of one element in schema order.

use std::borrow::Cow;

use quick_xml::XmlVersion;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

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
    /// 1-based line of the start tag.
    pub(crate) line: u32,
    /// 1-based column of the start tag.
    pub(crate) column: u32,
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
        for (i, b) in self.input[self.scanned..offset].iter().enumerate() {
            if *b == b'\n' {
                self.line += 1;
                self.line_start = self.scanned + i + 1;
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

/// Parses a whole document into its root element.
pub(crate) fn parse_tree(input: &[u8]) -> Result<Elem<'_>, ReadError> {
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
    let mut reader = NsReader::from_str(text);
    let config = reader.config_mut();
    config.check_end_names = true;
    config.expand_empty_elements = false;
    let mut stack: Vec<Elem<'_>> = Vec::with_capacity(16);
    let mut root: Option<Elem<'_>> = None;
    loop {
        let before = reader.buffer_position();
        let (ns, event) = match reader.read_resolved_event() {
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
                let (line, column) = lines.locate(usize::try_from(before).unwrap_or(usize::MAX));
                match ns {
                    ResolveResult::Bound(n) if n.0 == NS => {}
                    _ => {
                        return Err(ReadError::Structure {
                            path: path_of(&stack, name),
                            line,
                            column,
                            expected: format!("an element in namespace {NS}"),
                            found: format!("`{}` in another namespace", s.name().0),
                        });
                    }
                }
                if root.is_some() {
                    return Err(malformed(
                        &mut lines,
                        before,
                        "content after the root element",
                    ));
                }
                let mut attrs = Vec::new();
                for a in s.attributes() {
                    let a = a.map_err(|e| malformed(&mut lines, before, e.to_string()))?;
                    let key = a.key.0;
                    if key == "xmlns" || key.starts_with("xmlns:") || key.contains(':') {
                        // Namespace declarations, `xsi:` and other qualified attributes
                        // (allowed by schema processors) carry no model data.
                        continue;
                    }
                    let value = a
                        .normalized_value(XmlVersion::Implicit1_0)
                        .map_err(|e| malformed(&mut lines, before, e.to_string()))?;
                    attrs.push((Box::from(key), value.into_owned()));
                }
                let elem = Elem {
                    name: borrow_from(text, name),
                    attrs,
                    children: Vec::new(),
                    text: Cow::Borrowed(""),
                    mixed: false,
                    line,
                    column,
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
        Some(r) => Ok(r),
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

fn is_ws(c: char) -> bool {
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

/// A position in the document used to render error paths lazily.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Path<'p> {
    parent: Option<&'p Path<'p>>,
    name: &'p str,
    index: Option<usize>,
}

impl<'p> Path<'p> {
    /// The root path.
    pub(crate) fn root(name: &'p str) -> Self {
        Path {
            parent: None,
            name,
            index: None,
        }
    }

    /// A child path; `index` (1-based) for repeatable elements.
    pub(crate) fn child(&'p self, name: &'p str, index: Option<usize>) -> Path<'p> {
        Path {
            parent: Some(self),
            name,
            index,
        }
    }

    /// Renders `A/B[2]/C`.
    pub(crate) fn render(&self) -> String {
        let mut parts = Vec::new();
        let mut p = Some(self);
        while let Some(x) = p {
            parts.push(x);
            p = x.parent;
        }
        let mut s = String::new();
        for (i, x) in parts.iter().rev().enumerate() {
            if i > 0 {
                s.push('/');
            }
            s.push_str(x.name);
            if let Some(n) = x.index {
                s.push_str(&format!("[{n}]"));
            }
        }
        s
    }
}

/// Walks the children of one element in schema order.
pub(crate) struct Cursor<'t, 'a> {
    elem: &'t Elem<'a>,
    pos: usize,
    path: &'t Path<'t>,
    /// Optional elements found absent since the last consumed child (for messages).
    skipped: Vec<&'static str>,
}

impl<'t, 'a> Cursor<'t, 'a> {
    /// A cursor over the children of `elem`, located at `path`.
    pub(crate) fn new(elem: &'t Elem<'a>, path: &'t Path<'t>) -> Self {
        Cursor {
            elem,
            pos: 0,
            path,
            skipped: Vec::new(),
        }
    }

    /// Local name of the next unread child.
    pub(crate) fn peek_name(&self) -> Option<&'t str> {
        self.elem.children.get(self.pos).map(|e| &*e.name)
    }

    /// Whether the next unread child is called `name`.
    pub(crate) fn peek_is(&self, name: &str) -> bool {
        self.peek_name() == Some(name)
    }

    /// The path of the element being read.
    pub(crate) fn path(&self) -> &'t Path<'t> {
        self.path
    }

    fn take(&mut self) -> Option<&'t Elem<'a>> {
        let e = self.elem.children.get(self.pos);
        self.pos += 1;
        self.skipped.clear();
        e
    }

    /// Records that optional element `name` could have come next.
    fn note_absent(&mut self, name: &'static str) {
        self.skipped.push(name);
    }

    /// A structure error at the next unread child (or at the end of the parent).
    pub(crate) fn unexpected(&self, expected: impl Into<String>) -> ReadError {
        const SHOWN: usize = 6;
        let mut expected = expected.into();
        if !self.skipped.is_empty() {
            let mut items: Vec<String> = self
                .skipped
                .iter()
                .take(SHOWN)
                .map(|n| format!("`{n}`"))
                .collect();
            if self.skipped.len() > SHOWN {
                items.push("…".into());
            }
            expected = format!("{} or {expected}", items.join(", "));
        }
        let (found, line, column) = match self.elem.children.get(self.pos) {
            Some(e) => (format!("`{}`", e.name), e.line, e.column),
            None => (
                format!("end of `{}`", self.elem.name),
                self.elem.line,
                self.elem.column,
            ),
        };
        ReadError::Structure {
            path: self.path.render(),
            line,
            column,
            expected,
            found,
        }
    }

    /// Fails if children remain after the last schema particle.
    pub(crate) fn finish(&self) -> Result<(), ReadError> {
        if self.pos < self.elem.children.len() {
            Err(self.unexpected(format!("end of `{}`", self.elem.name)))
        } else {
            Ok(())
        }
    }
}

/// A type read from / written to one whole element.
pub(crate) trait XmlValue: Sized {
    /// Reads the value from element `e` located at `path`.
    fn read_elem(e: &Elem<'_>, path: &Path<'_>) -> Result<Self, ReadError>;
    /// Writes the value as element `name`.
    fn write_elem(
        &self,
        name: &'static str,
        w: &mut super::write::Writer,
    ) -> Result<(), super::error::WriteError>;
}

/// A run of schema particles (a sequence or a choice) read from the current
/// position of a parent's children.
pub(crate) trait Content: Sized {
    /// Whether a run of this content can start with element `name`.
    fn starts(name: &str) -> bool;
    /// Whether the content may be empty (all its particles are optional).
    fn nullable() -> bool;
    /// Reads the particles from `cur`.
    fn read(cur: &mut Cursor<'_, '_>) -> Result<Self, ReadError>;
    /// Writes the particles.
    fn write(&self, w: &mut super::write::Writer) -> Result<(), super::error::WriteError>;
}

/// A simple (text-only) XSD type.
pub(crate) trait XmlText: Sized {
    /// Parses the element text (whitespace handling is up to the type).
    fn parse_text(s: &str) -> Result<Self, String>;
    /// The text written for this value.
    fn to_text(&self) -> Cow<'_, str>;
}

/// Checks that `e` has no attributes and no child elements and returns its text.
pub(crate) fn text_of<'x>(e: &'x Elem<'_>, path: &Path<'_>) -> Result<&'x str, ReadError> {
    no_attrs(e, path, &[])?;
    if let Some(c) = e.children.first() {
        return Err(ReadError::Structure {
            path: path.render(),
            line: c.line,
            column: c.column,
            expected: "text only".into(),
            found: format!("element `{}`", c.name),
        });
    }
    Ok(&e.text)
}

/// Fails on any attribute of `e` not listed in `allowed`.
pub(crate) fn no_attrs(e: &Elem<'_>, path: &Path<'_>, allowed: &[&str]) -> Result<(), ReadError> {
    match e.attrs.iter().find(|(k, _)| !allowed.contains(&&**k)) {
        None => Ok(()),
        Some((k, _)) => Err(ReadError::Structure {
            path: path.render(),
            line: e.line,
            column: e.column,
            expected: if allowed.is_empty() {
                "no attributes".into()
            } else {
                format!("attributes {allowed:?}")
            },
            found: format!("attribute `{k}`"),
        }),
    }
}

/// Reads a simple-typed value from `e`.
pub(crate) fn read_text_value<T: XmlText>(e: &Elem<'_>, path: &Path<'_>) -> Result<T, ReadError> {
    let s = text_of(e, path)?;
    T::parse_text(s).map_err(|message| value_error(e, path, s, message))
}

/// A value error located at `e`.
pub(crate) fn value_error(
    e: &Elem<'_>,
    path: &Path<'_>,
    value: &str,
    message: String,
) -> ReadError {
    ReadError::Value {
        path: path.render(),
        line: e.line,
        column: e.column,
        value: value.to_owned(),
        message,
    }
}

/// Reads element content made of particles `T`, then checks nothing is left.
pub(crate) fn read_content<T: Content>(e: &Elem<'_>, path: &Path<'_>) -> Result<T, ReadError> {
    read_content_with_attrs(e, path, &[])
}

/// Like [`read_content`] for an element that may carry the attributes `allowed`.
pub(crate) fn read_content_with_attrs<T: Content>(
    e: &Elem<'_>,
    path: &Path<'_>,
    allowed: &[&str],
) -> Result<T, ReadError> {
    no_attrs(e, path, allowed)?;
    check_element_only(e, path)?;
    let mut cur = Cursor::new(e, path);
    let v = T::read(&mut cur)?;
    cur.finish()?;
    Ok(v)
}

/// Fails if an element-only element holds character data.
pub(crate) fn check_element_only(e: &Elem<'_>, path: &Path<'_>) -> Result<(), ReadError> {
    if e.mixed || !e.text.trim_matches(is_ws).is_empty() {
        return Err(ReadError::Structure {
            path: path.render(),
            line: e.line,
            column: e.column,
            expected: "child elements only".into(),
            found: "text".into(),
        });
    }
    Ok(())
}

/// Reads the required element `name`.
pub(crate) fn read_one<T: XmlValue>(
    cur: &mut Cursor<'_, '_>,
    name: &'static str,
) -> Result<T, ReadError> {
    if !cur.peek_is(name) {
        return Err(cur.unexpected(format!("`{name}`")));
    }
    let parent = cur.path();
    match cur.take() {
        Some(e) => T::read_elem(e, &parent.child(name, None)),
        None => Err(cur.unexpected(format!("`{name}`"))),
    }
}

/// Reads the optional element `name`.
pub(crate) fn read_opt<T: XmlValue>(
    cur: &mut Cursor<'_, '_>,
    name: &'static str,
) -> Result<Option<T>, ReadError> {
    if cur.peek_is(name) {
        read_one(cur, name).map(Some)
    } else {
        cur.note_absent(name);
        Ok(None)
    }
}

/// Reads `min..=max` repetitions of element `name`.
pub(crate) fn read_vec<T: XmlValue>(
    cur: &mut Cursor<'_, '_>,
    name: &'static str,
    min: usize,
    max: usize,
) -> Result<Vec<T>, ReadError> {
    let mut out = Vec::new();
    let parent = cur.path();
    while cur.peek_is(name) {
        if out.len() == max {
            return Err(cur.unexpected(format!("at most {max} `{name}`")));
        }
        if let Some(e) = cur.take() {
            out.push(T::read_elem(e, &parent.child(name, Some(out.len() + 1)))?);
        }
    }
    if out.len() < min {
        return Err(cur.unexpected(format!("`{name}`")));
    }
    if out.is_empty() {
        cur.note_absent(name);
    }
    Ok(out)
}

/// Reads an optional group or choice that starts at the next child, if it does.
pub(crate) fn read_opt_group<T: Content>(cur: &mut Cursor<'_, '_>) -> Result<Option<T>, ReadError> {
    match cur.peek_name() {
        Some(n) if T::starts(n) => T::read(cur).map(Some),
        _ => Ok(None),
    }
}

impl<T: Content> XmlValue for T {
    fn read_elem(e: &Elem<'_>, path: &Path<'_>) -> Result<Self, ReadError> {
        read_content(e, path)
    }

    fn write_elem(
        &self,
        name: &'static str,
        w: &mut super::write::Writer,
    ) -> Result<(), super::error::WriteError> {
        w.start(name);
        self.write(w)?;
        w.end(name);
        Ok(())
    }
}
