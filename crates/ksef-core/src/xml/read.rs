//! Reading the model from the element tree: a [`Cursor`] walks the children
//! of one element in schema order; the traits [`XmlValue`] (a whole element),
//! [`Content`] (a run of particles: sequence or choice) and [`XmlText`] (a
//! simple type) are implemented by the macros in `macros`.

use std::borrow::Cow;

use super::tree::is_ws;
pub(crate) use super::tree::{Elem, parse_tree};

use super::error::ReadError;

/// A position in the document used to render error paths lazily.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Path<'p> {
    parent: Option<&'p Path<'p>>,
    name: &'p str,
    index: Option<usize>,
    /// The whole document, to turn an element's byte offset into a line and column.
    src: &'p str,
}

impl<'p> Path<'p> {
    /// The root path of document `src`.
    pub(crate) fn root(name: &'p str, src: &'p str) -> Self {
        Path {
            parent: None,
            name,
            index: None,
            src,
        }
    }

    /// The 1-based line and column of element `e` (for error messages).
    pub(crate) fn at(&self, e: &Elem<'_>) -> (u32, u32) {
        super::tree::locate(self.src, e.pos)
    }

    /// A child path; `index` (1-based) for repeatable elements.
    pub(crate) fn child(&'p self, name: &'p str, index: Option<usize>) -> Path<'p> {
        Path {
            parent: Some(self),
            name,
            index,
            src: self.src,
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
    /// Optional elements found absent since the last consumed child (for messages):
    /// the first [`SHOWN`] names and how many there were, without allocating (every
    /// invoice line skips a few optional elements).
    skipped: [&'static str; SHOWN],
    skipped_count: usize,
}

/// How many absent optional elements an error message names.
const SHOWN: usize = 6;

impl<'t, 'a> Cursor<'t, 'a> {
    /// A cursor over the children of `elem`, located at `path`.
    pub(crate) fn new(elem: &'t Elem<'a>, path: &'t Path<'t>) -> Self {
        Cursor {
            elem,
            pos: 0,
            path,
            skipped: [""; SHOWN],
            skipped_count: 0,
        }
    }

    /// Local name of the next unread child.
    pub(crate) fn peek_name(&self) -> Option<&'t str> {
        self.elem.children.get(self.pos).map(|e| e.name)
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
        self.skipped_count = 0;
        e
    }

    /// Records that optional element `name` could have come next.
    fn note_absent(&mut self, name: &'static str) {
        if let Some(slot) = self.skipped.get_mut(self.skipped_count) {
            *slot = name;
        }
        self.skipped_count += 1;
    }

    /// A structure error at the next unread child (or at the end of the parent).
    pub(crate) fn unexpected(&self, expected: impl Into<String>) -> ReadError {
        let mut expected = expected.into();
        if self.skipped_count > 0 {
            let mut items: Vec<String> = self
                .skipped
                .iter()
                .take(self.skipped_count)
                .map(|n| format!("`{n}`"))
                .collect();
            if self.skipped_count > SHOWN {
                items.push("…".into());
            }
            expected = format!("{} or {expected}", items.join(", "));
        }
        let (found, line, column) = match self.elem.children.get(self.pos) {
            Some(e) => {
                let (line, column) = self.path.at(e);
                (format!("`{}`", e.name), line, column)
            }
            None => {
                let (line, column) = self.path.at(self.elem);
                (format!("end of `{}`", self.elem.name), line, column)
            }
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

/// Renders element names as "`A`, `B` or `C`".
pub(crate) fn alternatives(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.split_last() {
        None => "an element".into(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
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
    /// Appends the element names this content can start with (for messages).
    fn first_names(out: &mut Vec<&'static str>);
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
    /// Writes the value as element `name` (a type may format straight into the output).
    fn write_text_elem(
        &self,
        name: &'static str,
        w: &mut super::write::Writer,
    ) -> Result<(), super::error::WriteError> {
        w.text_elem(name, &self.to_text())
    }
}

/// Checks that `e` has no attributes and no child elements and returns its text.
pub(crate) fn text_of<'x>(e: &'x Elem<'_>, path: &Path<'_>) -> Result<&'x str, ReadError> {
    no_attrs(e, path, &[])?;
    if let Some(c) = e.children.first() {
        return Err(structure_error(
            path,
            c,
            "text only",
            format!("element `{}`", c.name),
        ));
    }
    Ok(&e.text)
}

/// Fails on any attribute of `e` not listed in `allowed`.
pub(crate) fn no_attrs(e: &Elem<'_>, path: &Path<'_>, allowed: &[&str]) -> Result<(), ReadError> {
    match e.attrs.iter().find(|(k, _)| !allowed.contains(&&**k)) {
        None => Ok(()),
        Some((k, _)) => Err(structure_error(
            path,
            e,
            if allowed.is_empty() {
                "no attributes".into()
            } else {
                format!("attributes {allowed:?}")
            },
            format!("attribute `{k}`"),
        )),
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
    let (line, column) = path.at(e);
    ReadError::Value {
        path: path.render(),
        line,
        column,
        value: value.to_owned(),
        message,
    }
}

/// A structure error at element `at` (a child of, or the element at, `path`).
pub(crate) fn structure_error(
    path: &Path<'_>,
    at: &Elem<'_>,
    expected: impl Into<String>,
    found: impl Into<String>,
) -> ReadError {
    let (line, column) = path.at(at);
    ReadError::Structure {
        path: path.render(),
        line,
        column,
        expected: expected.into(),
        found: found.into(),
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
        return Err(structure_error(path, e, "child elements only", "text"));
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
