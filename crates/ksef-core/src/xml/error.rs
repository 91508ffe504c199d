//! Errors of the FA(3) XML reader and writer.

/// Why a document could not be read into the model.
///
/// Every variant that concerns an element carries its path from the root
/// (`Faktura/Fa/FaWiersz[2]/P_12`, 1-based indices on repeatable elements) and
/// the line/column (1-based) of the offending tag.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// The bytes are not well-formed XML 1.0 (or not UTF-8).
    #[error("not well-formed xml at line {line}, column {column}: {message}")]
    Malformed {
        /// 1-based line of the problem.
        line: u32,
        /// 1-based column (in bytes) of the problem.
        column: u32,
        /// What the XML parser reported.
        message: String,
    },
    /// An element is missing, out of order, unknown or repeated too often.
    #[error("{path} (line {line}, column {column}): expected {expected}, found {found}")]
    Structure {
        /// Path of the element whose content is wrong.
        path: String,
        /// 1-based line of the offending tag.
        line: u32,
        /// 1-based column of the offending tag.
        column: u32,
        /// What the schema allows at this point.
        expected: String,
        /// What the document has instead.
        found: String,
    },
    /// A text value does not belong to the lexical space of its XSD type
    /// (unknown enumeration literal, malformed decimal or date, ...).
    #[error("{path} (line {line}, column {column}): invalid value {value:?}: {message}")]
    Value {
        /// Path of the element or attribute holding the value.
        path: String,
        /// 1-based line of the element.
        line: u32,
        /// 1-based column of the element.
        column: u32,
        /// The offending text.
        value: String,
        /// Why it is rejected.
        message: String,
    },
}

/// Why a model could not be written as XML.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WriteError {
    /// A text value contains a character that XML 1.0 forbids or KSeF
    /// discourages (#x7F–#x84, #x86–#x9F, #xFDD0–#xFDEF, #xnFFFE–#xnFFFF).
    #[error("{path}: character U+{code:04X} is not allowed in a KSeF document")]
    ForbiddenChar {
        /// Path of the element or attribute holding the text.
        path: String,
        /// The offending code point.
        code: u32,
    },
}
