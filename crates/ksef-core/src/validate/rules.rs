//! The rule catalogue: every rule id with its default severity, what it checks and where
//! the rule comes from. `docs/validation-rules.md` renders the same table (a test keeps
//! the two in sync).

use serde::Serialize;

use super::Severity;
#[allow(unused_imports)]
use Severity::{Error, Warning};

/// One validation rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// Stable id, e.g. `FA3-NIP-CHECKSUM`.
    pub id: &'static str,
    /// Default severity.
    pub severity: Severity,
    /// What it checks (English, one line).
    pub checks: &'static str,
    /// Where the rule comes from.
    pub source: &'static str,
}

macro_rules! rules {
    ($($name:ident = $id:literal, $sev:ident, $checks:literal, $source:literal;)*) => {
        $(
            #[doc = concat!("`", $id, "`: ", $checks)]
            pub const $name: Rule = Rule { id: $id, severity: $sev, checks: $checks, source: $source };
        )*
        /// Every rule, in documentation order.
        pub const RULES: &[Rule] = &[$($name),*];
    };
}

rules! {
    XML_BOM = "FA3-XML-BOM", Error, "file starts with a UTF-8 byte order mark", "KSeF verification (weryfikacja-faktury.md)";
    XML_UTF8 = "FA3-XML-UTF8", Error, "file is not valid UTF-8", "KSeF verification; XML 1.0 §4.3.3";
    XML_ENCODING = "FA3-XML-ENCODING", Error, "XML declaration names an encoding other than UTF-8", "KSeF verification";
    XML_PI = "FA3-XML-PI", Error, "processing instruction present", "KSeF verification";
    XML_DOCTYPE = "FA3-XML-DOCTYPE", Error, "document type declaration present (not allowed by the schema validator, entity risk)", "XML hardening; KSeF schema validation";
    XML_CHAR_FORBIDDEN = "FA3-XML-CHAR-FORBIDDEN", Error, "character outside the XML 1.0 Char production (e.g. control characters)", "XML 1.0 §2.2";
    XML_CHAR_DISCOURAGED = "FA3-XML-CHAR-DISCOURAGED", Error, "discouraged Unicode character (#x7F-#x84, #x86-#x9F, #xFDD0-#xFDEF, #xnFFFE-#xnFFFF)", "KSeF verification; XML 1.0 §2.2";
    XML_SIZE = "FA3-XML-SIZE", Error, "file larger than 1 000 000 bytes (3 000 000 with Zalacznik)", "KSeF verification";
    XML_MALFORMED = "FA3-XML-MALFORMED", Error, "not well-formed XML", "XML 1.0";
    XSD_ROOT = "FA3-XSD-ROOT", Error, "root element is not Faktura", "XSD";
    XSD_NAMESPACE = "FA3-XSD-NAMESPACE", Error, "element not in the FA(3) namespace http://crd.gov.pl/wzor/2025/06/25/13775/", "XSD targetNamespace";
    XSD_UNKNOWN = "FA3-XSD-UNKNOWN", Error, "element or attribute not allowed at this place", "XSD content model";
    XSD_ORDER = "FA3-XSD-ORDER", Error, "element out of the schema's sequence order", "XSD xsd:sequence";
    XSD_MISSING = "FA3-XSD-MISSING", Error, "mandatory element or attribute missing", "XSD minOccurs / use=required";
    XSD_COUNT = "FA3-XSD-COUNT", Error, "element repeated more often than allowed (e.g. Podmiot3 > 100)", "XSD maxOccurs";
    XSD_TEXT = "FA3-XSD-TEXT", Error, "text inside an element that only holds elements", "XSD element-only content";
    XSD_LENGTH = "FA3-XSD-LENGTH", Error, "text shorter or longer than allowed (after xsd:token whitespace collapsing)", "XSD minLength / maxLength / length";
    XSD_DECIMAL = "FA3-XSD-DECIMAL", Error, "amount or quantity not in the TKwotowy (2 decimals) / TKwotowy2 (8) / TIlosci (6) format", "XSD pattern / fractionDigits / totalDigits";
    XSD_INTEGER = "FA3-XSD-INTEGER", Error, "not an integer", "XSD xsd:integer";
    XSD_DATE = "FA3-XSD-DATE", Error, "not a date YYYY-MM-DD (or xsd:dateTime)", "XSD xsd:date / xsd:dateTime";
    XSD_RANGE = "FA3-XSD-RANGE", Error, "value outside the allowed range (dates 2006-01-01..2050-01-01, percentages 0..100, …)", "XSD minInclusive / maxInclusive / minExclusive";
    XSD_ENUM = "FA3-XSD-ENUM", Error, "value not in the enumeration (rate code, currency, country, role, flag …)", "XSD enumeration";
    XSD_PATTERN = "FA3-XSD-PATTERN", Error, "value does not match the schema pattern (EU VAT number, SWIFT, REGON, …)", "XSD pattern";
    NIP_PATTERN = "FA3-NIP-PATTERN", Error, "NIP is not 10 digits [1-9]((\\d[1-9])|([1-9]\\d))\\d{7}", "XSD etd:TNrNIP";
    IDWEW_PATTERN = "FA3-IDWEW-PATTERN", Error, "IDWew is not NIP-NNNNN", "XSD TNIPIdWew";
    KSEFNR_PATTERN = "FA3-KSEFNR-PATTERN", Error, "KSeF number does not match TNumerKSeF", "XSD TNumerKSeF";
    READ = "FA3-READ", Error, "the FA(3) reader could not map the document to the model", "XSD (structure the model cannot hold)";
}
