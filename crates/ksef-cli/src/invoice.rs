//! `ksef invoice …`: FA(3) invoices (build, parse, emit, validate, hash).

use std::path::PathBuf;

use clap::Subcommand;
use ksef_core::fa3::Faktura;
use ksef_core::hash::Sha256Hash;

use crate::error::{CliError, CliResult, read_file, write_output};

#[derive(Subcommand)]
pub(crate) enum InvoiceCmd {
    /// Builds FA(3) XML from an invoice draft (JSON, docs/draft-format.md).
    Build {
        /// The draft JSON file.
        draft: PathBuf,
        /// Write the XML here instead of stdout.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// `DataWytworzeniaFa` as RFC 3339 (default: now, UTC, whole seconds).
        #[arg(long, value_parser = |s: &str| time::OffsetDateTime::parse(
            s, &time::format_description::well_known::Rfc3339).map_err(|e| e.to_string()))]
        created_at: Option<time::OffsetDateTime>,
    },
    /// Prints the Base64 SHA-256 of the exact file bytes (the KSeF `invoiceHash`).
    Hash {
        /// The invoice XML file.
        file: PathBuf,
        /// Print Base64url without padding (as in KOD I) instead of standard Base64.
        #[arg(long)]
        url_safe: bool,
    },
    /// Reads an FA(3) XML invoice and prints the model as pretty JSON.
    Parse {
        /// The invoice XML file.
        file: PathBuf,
    },
    /// Writes the FA(3) XML of a model given as JSON (the output of `parse`);
    /// unknown keys are rejected.
    Emit {
        /// The model JSON file.
        model: PathBuf,
        /// Write the XML here instead of stdout.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
}

pub(crate) fn run(cmd: InvoiceCmd) -> CliResult {
    match cmd {
        InvoiceCmd::Build {
            draft,
            output,
            created_at,
        } => {
            use ksef_core::draft;
            let now = time::OffsetDateTime::now_utc();
            let created_at = created_at.unwrap_or(now.replace_nanosecond(0).unwrap_or(now));
            let xml = draft::from_json(&read_file(&draft)?)
                .and_then(|d| draft::build_xml(&d, created_at))
                .map_err(|e| {
                    let errors = e.field_errors();
                    let lines: Vec<String> = if errors.is_empty() {
                        vec![e.to_string()]
                    } else {
                        errors.iter().map(ToString::to_string).collect()
                    };
                    CliError::Invalid(format!(
                        "{}: invalid draft\n{}",
                        draft.display(),
                        lines.join("\n")
                    ))
                })?;
            write_output(output.as_deref(), &xml)
        }
        InvoiceCmd::Hash { file, url_safe } => {
            let h = Sha256Hash::of(&read_file(&file)?);
            println!(
                "{}",
                if url_safe {
                    h.to_base64url()
                } else {
                    h.to_base64()
                }
            );
            Ok(())
        }
        InvoiceCmd::Parse { file } => {
            let invoice = Faktura::from_xml(&read_file(&file)?)
                .map_err(|e| CliError::Invalid(format!("{}: {e}", file.display())))?;
            let mut json = serde_json::to_vec_pretty(&invoice).map_err(CliError::invalid)?;
            json.push(b'\n');
            write_output(None, &json)
        }
        InvoiceCmd::Emit { model, output } => {
            let invoice = Faktura::from_json(&read_file(&model)?)
                .map_err(|e| CliError::Invalid(format!("{}: {e}", model.display())))?;
            let xml = invoice.to_xml().map_err(CliError::invalid)?;
            write_output(output.as_deref(), &xml)
        }
    }
}
