//! `ksef number check` and `ksef nip check` (DIGEST §3).

use clap::{Args, Subcommand};
use ksef_core::ident::{KsefNumber, ReferenceNumber, check_nip};

use crate::error::{CliError, CliResult};

#[derive(Subcommand)]
pub(crate) enum NumberCmd {
    /// Checks a KSeF number (or, with --reference, a reference number): format and CRC-8.
    Check(NumberCheck),
}

#[derive(Args)]
pub(crate) struct NumberCheck {
    /// The value to check.
    value: String,
    /// Check a reference number (`YYYYMMDD-TT-…-CC`) instead of a KSeF number.
    #[arg(long)]
    reference: bool,
}

#[derive(Subcommand)]
pub(crate) enum NipCmd {
    /// Checks a NIP: 10 digits, pattern and checksum.
    Check {
        /// The NIP (10 digits, no prefix or dashes).
        value: String,
    },
}

pub(crate) fn run_number(cmd: NumberCmd) -> CliResult {
    match cmd {
        NumberCmd::Check(c) if c.reference => {
            let r: ReferenceNumber = c.value.parse().map_err(CliError::invalid)?;
            println!("ok: reference number {r} (type {})", r.type_code());
        }
        NumberCmd::Check(c) => {
            let n: KsefNumber = c.value.parse().map_err(CliError::invalid)?;
            println!(
                "ok: KSeF number {n} (seller NIP {}, date {})",
                n.seller_nip(),
                n.date()
            );
        }
    }
    Ok(())
}

pub(crate) fn run_nip(cmd: NipCmd) -> CliResult {
    match cmd {
        NipCmd::Check { value } => {
            check_nip(&value).map_err(CliError::invalid)?;
            println!("ok: NIP {value}");
        }
    }
    Ok(())
}
