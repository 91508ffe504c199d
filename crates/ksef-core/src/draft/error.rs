//! Input errors of the draft engine: every problem with its JSON path, all at once.

use std::fmt;

/// What is wrong with one field of a draft.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Problem {
    /// A required value is absent or empty.
    #[error("missing; expected {expected}")]
    Missing {
        /// What should have been there.
        expected: String,
    },
    /// A value is present but not of the expected form.
    #[error("invalid value '{found}'; expected {expected}")]
    Invalid {
        /// The offending value as given (or a description of its JSON type).
        found: String,
        /// What would have been accepted.
        expected: String,
    },
    /// Two fields that exclude each other are both present.
    #[error("conflicts with {other}")]
    Conflict {
        /// Path of the other field.
        other: String,
    },
    /// A field is not allowed for this invoice kind or combination.
    #[error("not allowed: {reason}")]
    NotAllowed {
        /// Why it is not allowed.
        reason: String,
    },
    /// The JSON itself could not be read into a draft (syntax, wrong type, unknown field).
    #[error("{message}")]
    Json {
        /// serde_json's message.
        message: String,
    },
    /// An amount is too large to compute exactly.
    #[error("amount out of range")]
    Overflow,
}

/// One problem in a draft, located by its JSON path (`lines[3].vatRate`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// JSON path of the field, e.g. `lines[3].vatRate` (`$` for the whole document).
    pub path: String,
    /// What is wrong with it.
    pub problem: Problem,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.problem)
    }
}

impl FieldError {
    /// A `Missing` error at `path`.
    pub fn missing(path: impl Into<String>, expected: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            problem: Problem::Missing {
                expected: expected.into(),
            },
        }
    }

    /// An `Invalid` error at `path`.
    pub fn invalid(
        path: impl Into<String>,
        found: impl Into<String>,
        expected: impl Into<String>,
    ) -> Self {
        Self {
            path: path.into(),
            problem: Problem::Invalid {
                found: found.into(),
                expected: expected.into(),
            },
        }
    }

    /// A `Conflict` error at `path`.
    pub fn conflict(path: impl Into<String>, other: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            problem: Problem::Conflict {
                other: other.into(),
            },
        }
    }

    /// A `NotAllowed` error at `path`.
    pub fn not_allowed(path: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            problem: Problem::NotAllowed {
                reason: reason.into(),
            },
        }
    }
}

/// Why a draft could not be turned into an FA(3) invoice.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DraftError {
    /// The draft is invalid; every problem found is listed (never empty).
    #[error("invalid draft: {}", join(.0))]
    Invalid(Vec<FieldError>),
    /// The XML writer refused the built invoice.
    #[error(transparent)]
    Xml(#[from] crate::xml::WriteError),
}

fn join(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl DraftError {
    /// The field errors (one per problem).
    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            DraftError::Invalid(v) => v,
            DraftError::Xml(_) => &[],
        }
    }
}

/// Result alias of the draft module.
pub type Result<T, E = DraftError> = std::result::Result<T, E>;

/// Collects field errors while a draft is checked, so all of them come back at once.
#[derive(Debug, Default)]
pub(crate) struct Errors(pub(crate) Vec<FieldError>);

impl Errors {
    pub(crate) fn push(&mut self, e: FieldError) {
        self.0.push(e);
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(value)` when no error was collected.
    pub(crate) fn finish<T>(self, value: T) -> Result<T> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(DraftError::Invalid(self.0))
        }
    }
}
