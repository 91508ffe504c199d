//! `ksef invoice …`: FA(3) invoices (build, parse, emit, validate, hash).

use std::path::PathBuf;

use clap::Subcommand;
use ksef_core::hash::Sha256Hash;

use crate::error::{CliResult, read_file};

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
    }
}
