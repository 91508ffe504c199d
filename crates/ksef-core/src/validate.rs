//! Validation of FA(3) invoices as data: every problem at once, each with a stable rule id,
//! the element path, a Polish and an English message and a severity.
//!
//! Sources: the FA(3) XSD (`schemat_FA(3)_v1-0E.xsd` + `bazowe/*.xsd`, facets and structure,
//! see [`rules`]), the KSeF verification rules (`spec/faktury/weryfikacja-faktury.md`: BOM,
//! encoding, processing instructions, discouraged characters, size, NIP checksums on PROD,
//! `P_1` not in the future) and the VAT Act / MF practice for the semantic rules. The full
//! table is `docs/validation-rules.md`; [`rules::RULES`] is its machine-readable twin.
//!
//! ```
//! use ksef_core::validate::{validate_xml, Options};
//! let report = validate_xml(b"<Faktura/>", &Options::default());
//! assert!(report.has_errors());
//! ```

mod facets;
mod hygiene;
mod regex;
pub mod rules;
mod scan;
mod schema;
mod semantic;
mod tree;

use serde::Serialize;

use crate::fa3::Faktura;
use crate::xml::ReadError;

pub use rules::Rule;

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// KSeF (or a tax audit) would reject the invoice.
    Error,
    /// Suspicious but legitimately possible (rounding, corrections, advances…).
    Warning,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Stable rule id, e.g. `FA3-NIP-CHECKSUM` (see [`rules::RULES`]).
    pub rule: &'static str,
    /// Element path from the root, e.g. `Faktura/Podmiot2/DaneIdentyfikacyjne/NIP`;
    /// repeated elements carry a 1-based index (`Faktura/Fa/FaWiersz[2]/P_11`),
    /// attributes are `…/@name`, and problems with the whole file have an empty path.
    pub path: String,
    /// Error or warning.
    pub severity: Severity,
    /// Message in Polish.
    pub message_pl: String,
    /// Message in English.
    pub message_en: String,
}

impl Problem {
    /// A problem for `rule` at `path`, with the rule's default severity.
    pub fn new(
        rule: &Rule,
        path: impl Into<String>,
        message_pl: impl Into<String>,
        message_en: impl Into<String>,
    ) -> Self {
        Problem {
            rule: rule.id,
            path: path.into(),
            severity: rule.severity,
            message_pl: message_pl.into(),
            message_en: message_en.into(),
        }
    }

    /// The same problem with another severity (e.g. a PROD-only rule under the TEST profile).
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let path = if self.path.is_empty() {
            "(document)"
        } else {
            &self.path
        };
        write!(f, "{sev} [{}] {path}: {}", self.rule, self.message_en)
    }
}

/// The outcome of a validation: all problems found, in document order per pass.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Errors and warnings.
    pub problems: Vec<Problem>,
}

impl Report {
    /// Whether any problem is an error (warnings alone do not fail an invoice).
    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(|p| p.severity == Severity::Error)
    }

    /// The errors only.
    pub fn errors(&self) -> impl Iterator<Item = &Problem> {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
    }

    /// The warnings only.
    pub fn warnings(&self) -> impl Iterator<Item = &Problem> {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Warning)
    }

    /// Adds a problem unless the same rule already fired at the same path
    /// (the XML pass and the model pass can see the same fault).
    pub fn push(&mut self, p: Problem) {
        if !self
            .problems
            .iter()
            .any(|q| q.rule == p.rule && q.path == p.path)
        {
            self.problems.push(p);
        }
    }

    /// Whether an error already sits at `path`, below it or above it (a reader failure
    /// there adds nothing the user does not already see).
    fn has_error_near(&self, path: &str) -> bool {
        let related = |a: &str, b: &str| {
            a == b || (a.starts_with(b) && a.as_bytes().get(b.len()) == Some(&b'/'))
        };
        self.errors()
            .any(|p| related(&p.path, path) || related(path, &p.path))
    }
}

/// Validation settings. The core never reads the clock: pass today's date in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Today's calendar day in Europe/Warsaw. When set, `P_1` after it is an error
    /// (KSeF refuses an issue date later than the day it accepts the invoice); when
    /// `None`, the rule is skipped.
    pub today: Option<time::Date>,
    /// `true` (the default): the production profile, where KSeF checks the NIP checksums
    /// of Podmiot1/2/3/PodmiotUpowazniony and the `IDWew` checksum. `false`: the TEST
    /// profile, which only checks the NIP pattern; checksum problems become warnings.
    pub production_rules: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            today: None,
            production_rules: true,
        }
    }
}

/// Why an option value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OptionsError {
    /// `today` is not a `YYYY-MM-DD` calendar date.
    #[error("invalid date {0:?}: expected YYYY-MM-DD")]
    Date(String),
}

impl Options {
    /// Sets `today` from `YYYY-MM-DD` (for callers that do not use the `time` crate).
    pub fn with_today_iso(mut self, date: &str) -> Result<Self, OptionsError> {
        let d = crate::fa3::calendar_date(date, false)
            .ok_or_else(|| OptionsError::Date(date.into()))?;
        self.today = Some(d);
        Ok(self)
    }
}

/// Validates raw invoice bytes: file hygiene (BOM, UTF-8, declaration, processing
/// instructions, forbidden and discouraged characters, size), XML structure and the XSD
/// facets of every value, the semantic rules on the document's element tree, and finally the
/// FA(3) model reader as a cross-check (its refusal becomes one `FA3-READ` error, or
/// `FA3-XML-MALFORMED` when the document is not well-formed, unless the other passes have
/// already explained it).
pub fn validate_xml(bytes: &[u8], opts: &Options) -> Report {
    let mut report = Report::default();
    let chars = hygiene::check_bytes(bytes, &mut report);
    let outcome = scan::scan_xml(bytes, &chars, &mut report);
    hygiene::check_size(bytes.len(), outcome.has_attachment, &mut report);
    if let Some(root) = &outcome.root {
        semantic::check(root, opts, &mut report);
    }
    if let Err(e) = Faktura::from_xml(bytes) {
        reader_problem(&e, bytes, &mut report);
    }
    report
}

/// The model reader's verdict as one problem, unless the XML pass already explains it.
///
/// The reader is the stricter XML parser (every well-formedness constraint of XML 1.0 with
/// namespaces, checked against libxml2 in `tests/wellformed.rs`); the XML pass goes on after
/// what it can survive. When the reader finds the document not well-formed and the XML pass
/// reported no well-formedness problem, the reader's finding is the `FA3-XML-MALFORMED`
/// error, whatever else the XML pass reported (a processing instruction, a DOCTYPE).
fn reader_problem(e: &ReadError, bytes: &[u8], report: &mut Report) {
    if let ReadError::Malformed {
        line,
        column,
        message,
    } = e
    {
        let explained = report.errors().any(|p| {
            [
                rules::XML_MALFORMED.id,
                rules::XML_CHAR_FORBIDDEN.id,
                rules::XML_UTF8.id,
                // The reader reads UTF-8 only; another declared encoding is this rule.
                rules::XML_ENCODING.id,
            ]
            .contains(&p.rule)
        });
        if !explained {
            let col = hygiene::char_column(bytes, *line, *column);
            report.push(Problem::new(
                &rules::XML_MALFORMED,
                "",
                format!("niepoprawny XML (wiersz {line}, kolumna {col}): {message}"),
                format!("XML is not well-formed (line {line}, column {col}): {message}"),
            ));
        }
        return;
    }
    let syntax = report.errors().any(|p| {
        p.rule.starts_with("FA3-XML-")
            || p.rule == rules::XSD_NAMESPACE.id
            || p.rule == rules::XSD_ROOT.id
    });
    let path = match e {
        ReadError::Structure { path, .. } | ReadError::Value { path, .. } => path.as_str(),
        _ => "",
    };
    if syntax || (!path.is_empty() && report.has_error_near(path)) {
        return;
    }
    report.push(Problem::new(
        &rules::READ,
        path,
        format!("nie można odczytać faktury do modelu FA(3): {e}"),
        format!("the invoice cannot be read into the FA(3) model: {e}"),
    ));
}

/// Validates an invoice model: the XSD facets of every value the model can hold out of
/// range (lengths, patterns, digits, dates, counts; the model enforces order, presence and
/// enumerations by its types), then the semantic rules. Same rules and paths as
/// [`validate_xml`], via the model's serde form (see [`validate_json`]).
pub fn validate(invoice: &Faktura, opts: &Options) -> Report {
    match serde_json::to_value(invoice) {
        Ok(v) => validate_json(&v, opts),
        Err(e) => {
            let mut report = Report::default();
            report.push(Problem::new(
                &rules::READ,
                "Faktura",
                format!("nie można przekształcić modelu faktury: {e}"),
                format!("the invoice model cannot be converted: {e}"),
            ));
            report
        }
    }
}

/// Validates the JSON form of an FA(3) invoice (the model's serde form: keys are the XSD
/// element names, repeated elements are arrays, `KodFormularza` is
/// `{"kodSystemowy", "wersjaSchemy", "value"}`): the XSD value facets and counts, then the
/// semantic rules. Element order and presence are the model's business; for raw XML use
/// [`validate_xml`].
pub fn validate_json(invoice: &serde_json::Value, opts: &Options) -> Report {
    let mut report = Report::default();
    if let Some(root) = scan::scan_value(invoice, &mut report) {
        semantic::check(&root, opts, &mut report);
    }
    report
}
