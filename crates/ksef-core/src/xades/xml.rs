//! XML plumbing shared by signing and verification: escaping for the serializer,
//! a hardened parser (no DTD, bounded depth) and canonicalization through
//! `bergshamra-c14n` over `uppsala` node sets.

use super::{Result, XadesError};
use bergshamra_c14n::C14nMode;
use bergshamra_xml::NodeSet;
use uppsala::{Document, NodeId, NodeKind};

/// Maximum element nesting accepted when parsing (a signed `AuthTokenRequest` is
/// about 8 levels deep).
const MAX_DEPTH: u32 = 64;

/// Appends `s` escaped as character data.
pub(crate) fn text(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            _ => out.push(c),
        }
    }
}

/// Appends `s` escaped as a double-quoted attribute value.
pub(crate) fn attr(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            _ => out.push(c),
        }
    }
}

/// Parses a document, refusing any DTD (no entity expansion at all).
pub(crate) fn parse(xml: &str) -> Result<Document<'_>> {
    uppsala::Parser::new()
        .with_forbid_dtd(true)
        .with_max_depth(MAX_DEPTH)
        .parse(xml)
        .map_err(|e| XadesError::Malformed(e.to_string()))
}

/// Canonicalizes the nodes of `set` (or the whole document) with `mode`.
pub(crate) fn c14n(
    doc: &Document<'_>,
    mode: C14nMode,
    set: Option<&NodeSet>,
    prefixes: &[String],
) -> Result<Vec<u8>> {
    bergshamra_c14n::canonicalize_doc(doc, mode, set, prefixes)
        .map_err(|e| XadesError::Canonicalization(e.to_string()))
}

/// The subtree rooted at `id`, comments included only when `mode` keeps them.
pub(crate) fn subtree(doc: &Document<'_>, id: NodeId, mode: C14nMode) -> NodeSet {
    if mode.with_comments() {
        NodeSet::tree_with_comments(id, doc)
    } else {
        NodeSet::tree_without_comments(id, doc)
    }
}

/// Whether `id` is the element `{ns}local`.
pub(crate) fn is(doc: &Document<'_>, id: NodeId, ns: &str, local: &str) -> bool {
    doc.element(id)
        .is_some_and(|e| e.matches_name_ns(ns, local))
}

/// The element children of `id`, in document order.
pub(crate) fn elements(doc: &Document<'_>, id: NodeId) -> Vec<NodeId> {
    doc.children_iter(id)
        .filter(|&c| matches!(doc.node_kind(c), Some(NodeKind::Element(_))))
        .collect()
}

/// The first element child `{ns}local` of `id`.
pub(crate) fn child(doc: &Document<'_>, id: NodeId, ns: &str, local: &str) -> Option<NodeId> {
    doc.children_iter(id).find(|&c| is(doc, c, ns, local))
}

/// All element children `{ns}local` of `id`.
pub(crate) fn children(doc: &Document<'_>, id: NodeId, ns: &str, local: &str) -> Vec<NodeId> {
    doc.children_iter(id)
        .filter(|&c| is(doc, c, ns, local))
        .collect()
}

/// The text content of an element (all descendant text).
pub(crate) fn text_of(doc: &Document<'_>, id: NodeId) -> String {
    doc.text_content_deep(id)
}

/// An attribute without namespace.
pub(crate) fn attr_of<'d>(doc: &'d Document<'_>, id: NodeId, local: &str) -> Option<&'d str> {
    doc.element(id)?
        .attributes
        .iter()
        .find(|a| a.name.namespace_uri.is_none() && *a.name.local_name == *local)
        .map(|a| &*a.value)
}

/// `{namespace}local` or `prefix:local` of an element, for messages.
pub(crate) fn name_of(doc: &Document<'_>, id: NodeId) -> String {
    match doc.element(id) {
        Some(e) => match &e.name.namespace_uri {
            Some(ns) => format!("{{{ns}}}{}", e.name.local_name),
            None => e.name.local_name.to_string(),
        },
        None => "a non-element node".into(),
    }
}

/// All elements of the document, in document order.
pub(crate) fn all_elements(doc: &Document<'_>) -> Vec<NodeId> {
    doc.descendants(doc.root())
        .into_iter()
        .filter(|&c| matches!(doc.node_kind(c), Some(NodeKind::Element(_))))
        .collect()
}
