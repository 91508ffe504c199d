//! Bytes → a small borrowed element tree.
//!
//! A purpose-built XML 1.0 + Namespaces reader for FA(3) documents: it checks
//! well-formedness (names, attributes, references, comments, processing
//! instructions, CDATA, matching end tags, the XML `Char` production) and UTF-8,
//! that every element is in the FA(3) namespace (any prefix), expands character and
//! predefined entity references, normalises line ends and attribute whitespace, and
//! keeps element-only structure (comments, processing instructions and whitespace
//! between elements are dropped). Names and most texts are borrowed from the input.
//! A `<!DOCTYPE …>` is skipped (never interpreted: its entities stay undeclared; the
//! validator reports the declaration itself).
//!
//! It replaced quick-xml here because the general reader re-validated the UTF-8 of
//! every event and resolved namespaces generically, which together took over half of
//! the 200-line parse (issue 6 budget: FA(3) parse + build ≤ 1 ms in the browser).
//! `tests/wellformed.rs` checks its verdicts against xmllint's on edge cases and mutated documents.

use std::borrow::Cow;

use super::NS;
use super::error::ReadError;

/// One element of the parsed document.
#[derive(Debug)]
pub(crate) struct Elem<'a> {
    /// Local name (the namespace was checked while parsing).
    pub(crate) name: &'a str,
    /// Unprefixed attributes (namespace declarations and `xsi:` attributes are dropped).
    pub(crate) attrs: Vec<(&'a str, Cow<'a, str>)>,
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
    locate_bytes(input.as_bytes(), usize::try_from(pos).unwrap_or(usize::MAX))
}

fn locate_bytes(input: &[u8], offset: usize) -> (u32, u32) {
    let before = &input[..offset.min(input.len())];
    let newlines = before.iter().filter(|b| **b == b'\n').count();
    let line_start = before
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |p| p + 1);
    let line = u32::try_from(newlines)
        .unwrap_or(u32::MAX)
        .saturating_add(1);
    let column = u32::try_from(before.len() - line_start + 1).unwrap_or(u32::MAX);
    (line, column)
}

/// The namespace declarations in scope (`xmlns` / `xmlns:p`), innermost last, each with
/// the depth of the element that declared it. Only whether a prefix (`""`: the default
/// namespace; `xmlns=""` undeclares it) maps to FA(3)'s namespace matters; the answer
/// for unprefixed elements, nearly all of them, is cached.
struct Scopes<'a> {
    bindings: Vec<(&'a str, bool, usize)>,
    default_fa3: bool,
}

impl<'a> Scopes<'a> {
    fn declare(&mut self, prefix: &'a str, uri: &str, depth: usize) {
        self.bindings.push((prefix, uri == NS, depth));
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
            .find(|b| b.0 == prefix)
            .is_some_and(|b| b.1)
    }
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\u{9}' | '\u{A}' | '\u{D}' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// XML whitespace (`S` production).
pub(crate) fn is_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// Whether `s` is empty or only XML whitespace.
fn all_ws(s: &str) -> bool {
    s.bytes().all(is_ws_byte)
}

fn is_ws_byte(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// `NameStartChar` of XML 1.0 (fifth edition), `:` included.
fn is_name_start(c: char) -> bool {
    matches!(c,
        ':' | 'A'..='Z' | '_' | 'a'..='z'
        | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}'
        | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}'
        | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}'
        | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}' | '\u{10000}'..='\u{EFFFF}')
}

/// `NameChar` of XML 1.0 (fifth edition).
fn is_name_char(c: char) -> bool {
    is_name_start(c)
        || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

/// Deepest element nesting accepted. FA(3) itself needs 7 levels
/// (`Faktura/Zalacznik/BlokDanych/Tabela/TNaglowek/Kol/NKom`); the limit keeps
/// hostile input from building a tree too deep to drop safely.
const MAX_DEPTH: usize = 32;

/// Parses a whole document into its root element; also returns the document as text
/// (validated UTF-8, for locating elements in error messages).
pub(crate) fn parse_tree(input: &[u8]) -> Result<(Elem<'_>, &str), ReadError> {
    let text = match std::str::from_utf8(input) {
        Ok(t) => t,
        Err(e) => {
            return Err(malformed_at(
                input,
                e.valid_up_to(),
                "invalid utf-8 (documents must be utf-8)",
            ));
        }
    };
    let mut p = Parser {
        src: text,
        b: text.as_bytes(),
        i: 0,
        stack: Vec::with_capacity(16),
        qnames: Vec::with_capacity(16),
        seen: Vec::new(),
        scopes: Scopes {
            bindings: Vec::new(),
            default_fa3: false,
        },
        root: None,
        doctype_allowed: true,
        pending_cr: false,
        colon: false,
        foreign: None,
    };
    p.document()?;
    if let Some(e) = p.foreign {
        return Err(e);
    }
    match p.root {
        Some(r) => Ok((r, text)),
        None => Err(p.error(p.i, "no root element")),
    }
}

fn malformed_at(input: &[u8], offset: usize, message: impl Into<String>) -> ReadError {
    let (line, column) = locate_bytes(input, offset);
    ReadError::Malformed {
        line,
        column,
        message: message.into(),
    }
}

struct Parser<'a> {
    src: &'a str,
    b: &'a [u8],
    i: usize,
    /// The open elements, innermost last.
    stack: Vec<Elem<'a>>,
    /// Their qualified names (to match end tags).
    qnames: Vec<&'a str>,
    /// Attribute names of the current start tag (duplicate check).
    seen: Vec<&'a str>,
    scopes: Scopes<'a>,
    root: Option<Elem<'a>>,
    /// No element, DOCTYPE or text has been seen yet.
    doctype_allowed: bool,
    /// The first element outside the FA(3) namespace (see [`Parser::start_tag`]).
    foreign: Option<ReadError>,
    /// The last [`Parser::name`] had a `:` (only then is it split into prefix and local).
    colon: bool,
    /// The open element's text is a raw slice holding `\r` (see [`Parser::settle`]).
    pending_cr: bool,
}

impl<'a> Parser<'a> {
    fn error(&self, at: usize, message: impl Into<String>) -> ReadError {
        malformed_at(self.b, at, message)
    }

    fn starts_with(&self, s: &str) -> bool {
        self.b[self.i..].starts_with(s.as_bytes())
    }

    fn skip_ws(&mut self) -> bool {
        let start = self.i;
        while self.i < self.b.len() && is_ws_byte(self.b[self.i]) {
            self.i += 1;
        }
        self.i > start
    }

    /// The character at the cursor (the input is valid UTF-8 and `i` on a boundary).
    fn peek_char(&self) -> Option<char> {
        self.src.get(self.i..).and_then(|s| s.chars().next())
    }

    /// Reads a `Name` at the cursor.
    fn name(&mut self, what: &str) -> Result<&'a str, ReadError> {
        let start = self.i;
        self.colon = false;
        let b = self.b;
        // ASCII fast path.
        while self.i < b.len() {
            let c = b[self.i];
            let ok = if self.i == start {
                c.is_ascii_alphabetic() || c == b'_' || c == b':'
            } else {
                c.is_ascii_alphanumeric() || matches!(c, b'_' | b':' | b'-' | b'.')
            };
            if ok {
                self.colon |= c == b':';
                self.i += 1;
            } else if c >= 0x80 {
                let Some(ch) = self.peek_char() else { break };
                let ok = if self.i == start {
                    is_name_start(ch)
                } else {
                    is_name_char(ch)
                };
                if !ok {
                    break;
                }
                self.i += ch.len_utf8();
            } else {
                break;
            }
        }
        if self.i == start {
            return Err(self.error(start, format!("expected {what}")));
        }
        Ok(&self.src[start..self.i])
    }

    /// Checks the XML `Char` production for the non-ASCII character starting at `i`
    /// (only U+FFFE and U+FFFF are excluded above U+007F; the input is valid UTF-8).
    fn check_high(&self, i: usize) -> Result<(), ReadError> {
        if self.b[i] == 0xEF
            && self.b.get(i + 1) == Some(&0xBF)
            && matches!(self.b.get(i + 2), Some(0xBE | 0xBF))
        {
            return Err(self.error(i, "character U+FFFE or U+FFFF is not allowed in xml 1.0"));
        }
        Ok(())
    }

    fn control(&self, i: usize) -> ReadError {
        self.error(
            i,
            format!(
                "control character U+{:04X} is not allowed in xml 1.0",
                self.b[i]
            ),
        )
    }

    /// Scans characters up to (not including) `end`, checking `Char`; returns the end
    /// index and whether a carriage return was seen. `end` must be found.
    fn chars_until(&mut self, end: &str, what: &str) -> Result<(usize, bool), ReadError> {
        let start = self.i;
        let e = end.as_bytes();
        let mut cr = false;
        let mut j = start;
        loop {
            let Some(&c) = self.b.get(j) else {
                return Err(self.error(start, format!("unterminated {what} (no `{end}`)")));
            };
            if c == e[0] && self.b[j..].starts_with(e) {
                self.i = j + e.len();
                return Ok((j, cr));
            }
            if c < 0x20 {
                match c {
                    b'\r' => cr = true,
                    b'\t' | b'\n' => {}
                    _ => return Err(self.control(j)),
                }
            } else if c >= 0x80 {
                self.check_high(j)?;
            }
            j += 1;
        }
    }

    fn document(&mut self) -> Result<(), ReadError> {
        if self.starts_with("\u{FEFF}") {
            self.i = 3;
        }
        if self.starts_with("<?xml")
            && self
                .b
                .get(self.i + 5)
                .is_some_and(|&c| is_ws_byte(c) || c == b'?')
        {
            self.declaration()?;
        }
        while self.i < self.b.len() {
            let c = self.b[self.i];
            if c == b'<' {
                self.markup()?;
            } else if c == b'&' {
                self.reference()?;
            } else {
                self.text()?;
            }
        }
        if let Some(open) = self.qnames.last() {
            return Err(self.error(
                self.i,
                format!("unexpected end of document (`{open}` is not closed)"),
            ));
        }
        Ok(())
    }

    /// `<?xml version="1.x" encoding="…" standalone="…"?>`.
    fn declaration(&mut self) -> Result<(), ReadError> {
        let start = self.i;
        self.i += 5;
        // Pseudo-attributes in their fixed order: version, [encoding], [standalone].
        let mut seen_version = false;
        let mut last = 0u8;
        loop {
            let ws = self.skip_ws();
            if self.starts_with("?>") {
                self.i += 2;
                break;
            }
            if !ws {
                return Err(
                    self.error(self.i, "expected whitespace or `?>` in the xml declaration")
                );
            }
            let at = self.i;
            let name = self.name("a pseudo-attribute of the xml declaration")?;
            self.skip_ws();
            if self.b.get(self.i) != Some(&b'=') {
                return Err(self.error(self.i, format!("expected `=` after `{name}`")));
            }
            self.i += 1;
            self.skip_ws();
            let quote = match self.b.get(self.i) {
                Some(&q @ (b'"' | b'\'')) => q,
                _ => return Err(self.error(self.i, "expected a quoted value")),
            };
            let vstart = self.i + 1;
            let Some(len) = self.b[vstart..].iter().position(|&c| c == quote) else {
                return Err(self.error(at, "unterminated xml declaration"));
            };
            let value = &self.src[vstart..vstart + len];
            self.i = vstart + len + 1;
            match name {
                "version" if !seen_version => {
                    let ok = value
                        .strip_prefix("1.")
                        .is_some_and(|d| !d.is_empty() && d.bytes().all(|c| c.is_ascii_digit()));
                    if !ok {
                        return Err(self.error(at, format!("unsupported xml version {value:?}")));
                    }
                    seen_version = true;
                }
                "encoding" if seen_version && last < 2 => {
                    last = 2;
                    if !value.eq_ignore_ascii_case("utf-8") {
                        return Err(self.error(
                            at,
                            format!("encoding {value:?} is not supported (utf-8 only)"),
                        ));
                    }
                }
                "standalone" if seen_version && last < 3 => {
                    last = 3;
                    if value != "yes" && value != "no" {
                        return Err(self.error(at, "standalone must be \"yes\" or \"no\""));
                    }
                }
                _ => {
                    return Err(
                        self.error(at, format!("unexpected `{name}` in the xml declaration"))
                    );
                }
            }
        }
        if !seen_version {
            return Err(self.error(start, "the xml declaration has no version"));
        }
        Ok(())
    }

    fn markup(&mut self) -> Result<(), ReadError> {
        let at = self.i;
        match self.b.get(at + 1) {
            Some(b'/') => self.end_tag(),
            Some(b'?') => self.pi(),
            Some(b'!') => {
                if self.starts_with("<!--") {
                    self.i += 4;
                    // `--` may only appear as the start of `-->`.
                    self.chars_until("--", "comment")?;
                    if self.b.get(self.i) != Some(&b'>') {
                        return Err(self.error(at, "`--` inside a comment"));
                    }
                    self.i += 1;
                    Ok(())
                } else if self.starts_with("<![CDATA[") {
                    if self.stack.is_empty() {
                        return Err(self.error(at, "CDATA outside the root element"));
                    }
                    self.i += 9;
                    let start = self.i;
                    let (end, cr) = self.chars_until("]]>", "CDATA section")?;
                    let piece = normalize_eol(&self.src[start..end], cr);
                    self.push_text(piece, at)
                } else if self.starts_with("<!DOCTYPE") {
                    if !self.doctype_allowed {
                        return Err(self.error(at, "DOCTYPE must come before the root element"));
                    }
                    self.doctype_allowed = false;
                    self.doctype()
                } else {
                    Err(self.error(at, "expected a comment, CDATA or DOCTYPE after `<!`"))
                }
            }
            _ => self.start_tag(),
        }
    }

    /// Skips `<!DOCTYPE …>` including an internal subset.
    fn doctype(&mut self) -> Result<(), ReadError> {
        let at = self.i;
        self.i += 9;
        let mut depth = 0usize;
        while let Some(&c) = self.b.get(self.i) {
            match c {
                b'"' | b'\'' => {
                    let Some(len) = self.b[self.i + 1..].iter().position(|&x| x == c) else {
                        break;
                    };
                    self.i += len + 2;
                    continue;
                }
                b'<' if self.starts_with("<!--") => {
                    self.i += 4;
                    self.chars_until("-->", "comment")?;
                    continue;
                }
                b'[' => depth += 1,
                b']' => depth = depth.saturating_sub(1),
                b'>' if depth == 0 => {
                    self.i += 1;
                    return Ok(());
                }
                _ => {}
            }
            self.i += 1;
        }
        Err(self.error(at, "unterminated DOCTYPE"))
    }

    /// `<?target …?>` (not `xml`: a declaration is only allowed at the very start).
    fn pi(&mut self) -> Result<(), ReadError> {
        let at = self.i;
        self.i += 2;
        let target = self.name("a processing-instruction target")?;
        if target.eq_ignore_ascii_case("xml") {
            return Err(self.error(
                at,
                "an xml declaration is only allowed at the start of the document",
            ));
        }
        if self.starts_with("?>") {
            self.i += 2;
            return Ok(());
        }
        if !self.skip_ws() {
            return Err(self.error(
                self.i,
                "expected whitespace after the processing-instruction target",
            ));
        }
        self.chars_until("?>", "processing instruction")?;
        Ok(())
    }

    fn start_tag(&mut self) -> Result<(), ReadError> {
        let at = self.i;
        if self.root.is_some() {
            return Err(self.error(at, "content after the root element"));
        }
        self.doctype_allowed = false;
        self.i += 1;
        let qname = self.name("an element name")?;
        let (prefix, local) = if !self.colon {
            (None, qname)
        } else {
            split_qname(qname).ok_or_else(|| {
                self.error(at + 1, format!("`{qname}` is not a valid qualified name"))
            })?
        };
        let depth = self.stack.len();
        let mut attrs = Vec::new();
        self.seen.clear();
        let empty;
        loop {
            let ws = self.skip_ws();
            match self.b.get(self.i) {
                Some(b'>') => {
                    self.i += 1;
                    empty = false;
                    break;
                }
                Some(b'/') => {
                    if self.b.get(self.i + 1) != Some(&b'>') {
                        return Err(self.error(self.i, "expected `/>`"));
                    }
                    self.i += 2;
                    empty = true;
                    break;
                }
                None => return Err(self.error(at, format!("unterminated start tag `{qname}`"))),
                Some(_) if !ws => {
                    return Err(
                        self.error(self.i, "expected whitespace, `>` or `/>` in a start tag")
                    );
                }
                Some(_) => {}
            }
            let name_at = self.i;
            let key = self.name("an attribute name")?;
            if self.seen.contains(&key) {
                return Err(self.error(name_at, format!("attribute `{key}` repeated")));
            }
            self.seen.push(key);
            self.skip_ws();
            if self.b.get(self.i) != Some(&b'=') {
                return Err(self.error(self.i, format!("expected `=` after attribute `{key}`")));
            }
            self.i += 1;
            self.skip_ws();
            let value = self.attr_value()?;
            let (aprefix, alocal) = split_qname(key).ok_or_else(|| {
                self.error(name_at, format!("`{key}` is not a valid qualified name"))
            })?;
            match (aprefix, alocal) {
                (None, "xmlns") => self.scopes.declare("", &value, depth),
                (Some("xmlns"), p) => {
                    if value.is_empty() {
                        return Err(self.error(
                            name_at,
                            format!("namespace prefix `{p}` bound to an empty name"),
                        ));
                    }
                    self.scopes.declare(p, &value, depth);
                }
                // `xsi:` and other qualified attributes (allowed by schema
                // processors) carry no model data.
                (Some(_), _) => {}
                (None, _) => attrs.push((key, value)),
            }
        }
        let in_fa3 = match prefix {
            None => self.scopes.default_fa3,
            Some(p) => self.scopes.fa3(p),
        };
        if !in_fa3 && self.foreign.is_none() {
            // Reported once the whole document is known to be well-formed: a broken
            // document is first of all that (as libxml2 reports it).
            let (line, column) = locate_bytes(self.b, at);
            self.foreign = Some(ReadError::Structure {
                path: path_of(&self.stack, local),
                line,
                column,
                expected: format!("an element in namespace {NS}"),
                found: format!("`{qname}` in another namespace"),
            });
        }
        if depth >= MAX_DEPTH {
            return Err(self.error(
                at,
                format!("elements nested deeper than {MAX_DEPTH} levels"),
            ));
        }
        let elem = Elem {
            name: local,
            attrs,
            children: Vec::new(),
            text: Cow::Borrowed(""),
            mixed: false,
            pos: u32::try_from(at).unwrap_or(u32::MAX),
        };
        if let Some(parent) = self.stack.last_mut() {
            if !all_ws(&parent.text) {
                parent.mixed = true;
            }
            parent.text = Cow::Borrowed("");
        }
        self.pending_cr = false;
        if empty {
            self.scopes.leave(depth);
            self.close(elem);
        } else {
            self.stack.push(elem);
            self.qnames.push(qname);
        }
        Ok(())
    }

    /// Attaches a finished element to its parent (or makes it the root).
    fn close(&mut self, elem: Elem<'a>) {
        match self.stack.last_mut() {
            Some(parent) => parent.children.push(elem),
            None => self.root = Some(elem),
        }
    }

    /// A quoted attribute value, normalised (line ends, then `\t`/`\n` to spaces,
    /// references expanded).
    fn attr_value(&mut self) -> Result<Cow<'a, str>, ReadError> {
        let quote = match self.b.get(self.i) {
            Some(&q @ (b'"' | b'\'')) => q,
            _ => return Err(self.error(self.i, "expected a quoted attribute value")),
        };
        let open = self.i;
        self.i += 1;
        let start = self.i;
        let mut out: Option<String> = None;
        let mut run = start;
        loop {
            let Some(&c) = self.b.get(self.i) else {
                return Err(self.error(open, "unterminated attribute value"));
            };
            match c {
                _ if c == quote => break,
                b'<' => return Err(self.error(self.i, "`<` in an attribute value")),
                b'&' => {
                    let s = out.get_or_insert_with(String::new);
                    s.push_str(&self.src[run..self.i]);
                    let ch = self.char_ref()?;
                    out.get_or_insert_with(String::new).push(ch);
                    run = self.i;
                    continue;
                }
                b'\t' | b'\n' | b'\r' => {
                    let s = out.get_or_insert_with(String::new);
                    s.push_str(&self.src[run..self.i]);
                    s.push(' ');
                    if c == b'\r' && self.b.get(self.i + 1) == Some(&b'\n') {
                        self.i += 1;
                    }
                    self.i += 1;
                    run = self.i;
                    continue;
                }
                _ if c < 0x20 => return Err(self.control(self.i)),
                _ if c >= 0x80 => self.check_high(self.i)?,
                _ => {}
            }
            self.i += 1;
        }
        let end = self.i;
        self.i += 1;
        Ok(match out {
            None => Cow::Borrowed(&self.src[start..end]),
            Some(mut s) => {
                s.push_str(&self.src[run..end]);
                Cow::Owned(s)
            }
        })
    }

    fn end_tag(&mut self) -> Result<(), ReadError> {
        let at = self.i;
        self.i += 2;
        // Fast path: the open element's name follows, then `>` (or whitespace).
        let name = match self.qnames.last() {
            Some(open)
                if self.b[self.i..].starts_with(open.as_bytes())
                    && self
                        .b
                        .get(self.i + open.len())
                        .is_some_and(|&c| c == b'>' || is_ws_byte(c)) =>
            {
                self.i += open.len();
                *open
            }
            _ => self.name("an element name")?,
        };
        self.skip_ws();
        if self.b.get(self.i) != Some(&b'>') {
            return Err(self.error(self.i, format!("expected `>` to end `</{name}`")));
        }
        self.i += 1;
        match self.qnames.pop() {
            Some(open) if open == name => {}
            Some(open) => {
                return Err(self.error(at, format!("expected `</{open}>`, found `</{name}>`")));
            }
            None => return Err(self.error(at, format!("unexpected end tag `</{name}>`"))),
        }
        self.settle();
        let Some(done) = self.stack.pop() else {
            return Err(self.error(at, "unexpected end tag"));
        };
        self.scopes.leave(self.stack.len());
        self.close(done);
        Ok(())
    }

    /// Character data up to the next `<` or `&`.
    fn text(&mut self) -> Result<(), ReadError> {
        let start = self.i;
        let b = self.b;
        let mut cr = false;
        let mut ws_only = true;
        let mut j = start;
        while j < b.len() {
            let c = b[j];
            match c {
                b'<' | b'&' => break,
                b' ' | b'\n' | b'\t' => {}
                b'\r' => cr = true,
                b']' if b[j..].starts_with(b"]]>") => {
                    return Err(self.error(j, "`]]>` is not allowed in character data"));
                }
                _ if c < 0x20 => return Err(self.control(j)),
                _ if c >= 0x80 => {
                    self.check_high(j)?;
                    ws_only = false;
                }
                _ => ws_only = false,
            }
            j += 1;
        }
        self.i = j;
        let raw = &self.src[start..j];
        match self.stack.last_mut() {
            None if ws_only => Ok(()),
            None if self.root.is_some() => Err(self.error(start, "content after the root element")),
            None => Err(self.error(start, "text outside the root element")),
            // Element content so far: only whether there is text matters.
            Some(e) if !e.children.is_empty() => {
                e.mixed |= !ws_only;
                Ok(())
            }
            Some(e) if e.text.is_empty() => {
                // Kept raw; line ends are normalised only if the text is kept.
                e.text = Cow::Borrowed(raw);
                self.pending_cr = cr;
                Ok(())
            }
            Some(_) => self.push_text(normalize_eol(raw, cr), start),
        }
    }

    /// Normalises the line ends of the open element's raw text, if it has any.
    fn settle(&mut self) {
        if std::mem::take(&mut self.pending_cr)
            && let Some(e) = self.stack.last_mut()
        {
            e.text = Cow::Owned(normalize_eol(&e.text, true).into_owned());
        }
    }

    /// A reference in content.
    fn reference(&mut self) -> Result<(), ReadError> {
        let at = self.i;
        let ch = self.char_ref()?;
        let mut buf = [0u8; 4];
        let s: &str = ch.encode_utf8(&mut buf);
        self.push_text(Cow::Owned(s.to_owned()), at)
    }

    /// `&#…;`, `&#x…;` or one of the five predefined entities, at the cursor.
    fn char_ref(&mut self) -> Result<char, ReadError> {
        let at = self.i;
        // Bounded: a stray `&` costs at most this much scanning.
        let Some(len) = self.b[at..].iter().take(256).position(|&c| c == b';') else {
            return Err(self.error(at, "`&` not starting a reference (write `&amp;`)"));
        };
        let body = &self.src[at + 1..at + len];
        self.i = at + len + 1;
        let ch = if let Some(num) = body.strip_prefix('#') {
            let code = match num.strip_prefix('x') {
                Some(hex) if !hex.is_empty() && hex.bytes().all(|c| c.is_ascii_hexdigit()) => {
                    u32::from_str_radix(hex, 16).ok()
                }
                None if !num.is_empty() && num.bytes().all(|c| c.is_ascii_digit()) => {
                    num.parse::<u32>().ok()
                }
                _ => {
                    return Err(self.error(at, format!("malformed character reference `&{body};`")));
                }
            };
            match code.and_then(char::from_u32) {
                Some(c) if is_xml_char(c) => c,
                _ => {
                    return Err(self.error(
                        at,
                        format!("character reference `&{body};` is not allowed in xml 1.0"),
                    ));
                }
            }
        } else {
            match body {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" => '\'',
                other => {
                    return Err(self.error(at, format!("undeclared entity `&{other};`")));
                }
            }
        };
        Ok(ch)
    }

    /// Appends already normalised text (CDATA, a reference, a later text run).
    fn push_text(&mut self, piece: Cow<'a, str>, at: usize) -> Result<(), ReadError> {
        self.settle();
        match self.stack.last_mut() {
            None if all_ws(&piece) => Ok(()),
            None if self.root.is_some() => Err(self.error(at, "content after the root element")),
            None => Err(self.error(at, "text outside the root element")),
            Some(e) if !e.children.is_empty() => {
                e.mixed |= !all_ws(&piece);
                Ok(())
            }
            Some(e) if e.text.is_empty() => {
                e.text = piece;
                Ok(())
            }
            Some(e) => {
                e.text.to_mut().push_str(&piece);
                Ok(())
            }
        }
    }
}

/// Splits a QName into prefix and local part; `None` unless it has at most one colon
/// with a non-empty name on each side.
fn split_qname(q: &str) -> Option<(Option<&str>, &str)> {
    if !q.as_bytes().contains(&b':') {
        return Some((None, q));
    }
    match q.split_once(':') {
        None => Some((None, q)),
        Some((p, l)) if !p.is_empty() && !l.is_empty() && !l.contains(':') => {
            // The local part must start with a name-start character.
            l.chars()
                .next()
                .filter(|c| is_name_start(*c))
                .map(|_| (Some(p), l))
        }
        Some(_) => None,
    }
}

/// Line-end normalisation (`\r\n` and lone `\r` become `\n`).
fn normalize_eol(s: &str, has_cr: bool) -> Cow<'_, str> {
    if !has_cr {
        return Cow::Borrowed(s);
    }
    Cow::Owned(s.replace("\r\n", "\n").replace('\r', "\n"))
}

fn path_of(stack: &[Elem<'_>], name: &str) -> String {
    let mut s = String::new();
    for e in stack {
        s.push_str(e.name);
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
            assert_eq!(root.name, "Faktura");
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
