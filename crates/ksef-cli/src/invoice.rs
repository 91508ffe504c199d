//! `ksef invoice …`: FA(3) invoices (build, parse, emit, validate, hash).

use std::path::PathBuf;

use clap::Subcommand;
use ksef_core::fa3::Faktura;
use ksef_core::hash::Sha256Hash;

use crate::error::{CliError, CliResult, read_file, write_output};

#[derive(Subcommand)]
pub(crate) enum InvoiceCmd {
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
