//! One error type for the CLI, mapped to the documented exit codes.

use std::path::Path;

/// A CLI failure: either the input is invalid (exit 1) or the invocation is (exit 2).
#[derive(Debug, thiserror::Error)]
pub(crate) enum CliError {
    /// The input was read and is invalid.
    #[error("{0}")]
    Invalid(String),
    /// Bad usage: missing or unreadable files, conflicting flags.
    #[error("{0}")]
    Usage(String),
}

impl CliError {
    pub(crate) fn exit_code(&self) -> i32 {
        match self {
            CliError::Invalid(_) => 1,
            CliError::Usage(_) => 2,
        }
    }

    pub(crate) fn invalid(e: impl std::fmt::Display) -> Self {
        CliError::Invalid(e.to_string())
    }
}

pub(crate) type CliResult<T = ()> = Result<T, CliError>;

/// Reads a whole file, mapping failures to a usage error that names the path.
pub(crate) fn read_file(path: &Path) -> CliResult<Vec<u8>> {
    std::fs::read(path).map_err(|e| CliError::Usage(format!("cannot read {}: {e}", path.display())))
}

/// Writes `bytes` to `out` or to stdout.
pub(crate) fn write_output(out: Option<&Path>, bytes: &[u8]) -> CliResult {
    use std::io::Write;
    match out {
        Some(p) => std::fs::write(p, bytes)
            .map_err(|e| CliError::Usage(format!("cannot write {}: {e}", p.display()))),
        None => {
            let mut so = std::io::stdout().lock();
            so.write_all(bytes)
                .and_then(|_| so.flush())
                .map_err(|e| CliError::Usage(format!("cannot write stdout: {e}")))
        }
    }
}
