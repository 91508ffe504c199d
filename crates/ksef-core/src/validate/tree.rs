//! A small element tree with XSD names, built by the structural pass from either the raw
//! XML or the model's serde tree (whose names are the XSD names). The semantic rules read
//! it, so they run on exactly what the file says, even when the model reader refuses it.

use std::str::FromStr;

use rust_decimal::Decimal;

/// One element: XSD local name, display path (with `[n]` indices) and text.
#[derive(Debug, Clone, Default)]
pub(crate) struct El {
    /// Local name, e.g. `P_13_1`.
    pub(crate) name: &'static str,
    /// Display path, e.g. `Faktura/Fa/FaWiersz[2]/P_11`.
    pub(crate) path: String,
    /// Text content (leaves), untrimmed.
    pub(crate) text: String,
    /// Child elements in document order.
    pub(crate) kids: Vec<El>,
}

impl El {
    /// The first child called `name`.
    pub(crate) fn child(&self, name: &str) -> Option<&El> {
        self.kids.iter().find(|k| k.name == name)
    }

    /// All children called `name`.
    pub(crate) fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a El> + 'a {
        self.kids.iter().filter(move |k| k.name == name)
    }

    /// Follows a `/`-separated chain of first children.
    pub(crate) fn at(&self, rel: &str) -> Option<&El> {
        rel.split('/').try_fold(self, |e, n| e.child(n))
    }

    /// Trimmed text of the element at `rel`.
    pub(crate) fn text_at(&self, rel: &str) -> Option<&str> {
        self.at(rel).map(|e| e.text.trim())
    }

    /// Trimmed text of this element.
    pub(crate) fn value(&self) -> &str {
        self.text.trim()
    }

    /// The decimal at `rel`, if present and numeric.
    pub(crate) fn dec_at(&self, rel: &str) -> Option<Decimal> {
        self.at(rel).and_then(El::dec)
    }

    /// This element's text as a decimal.
    pub(crate) fn dec(&self) -> Option<Decimal> {
        let v = self.value();
        Decimal::from_str(v.strip_prefix('+').unwrap_or(v)).ok()
    }

    /// Whether the element at `rel` holds the flag value `1`.
    pub(crate) fn flag(&self, rel: &str) -> bool {
        self.text_at(rel) == Some("1")
    }

    /// Display path of a (possibly absent) child: the child's own path if present.
    pub(crate) fn path_of(&self, rel: &str) -> String {
        self.at(rel)
            .map_or_else(|| format!("{}/{rel}", self.path), |e| e.path.clone())
    }
}
