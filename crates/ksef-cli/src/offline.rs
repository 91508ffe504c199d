//! `ksef offline deadline`: the legal deadline for sending an offline invoice
//! (DIGEST §15; rules in `docs/offline-deadlines.md`).

use clap::{Args, Subcommand, ValueEnum};
use ksef_core::offline::{Deadline, OfflineMode, deadline_from_dates, parse_date};

use crate::error::{CliError, CliResult};

#[derive(Subcommand)]
pub(crate) enum OfflineCmd {
    /// Prints the last day (Europe/Warsaw) for sending an offline invoice to KSeF.
    Deadline(DeadlineArgs),
}

#[derive(Args)]
pub(crate) struct DeadlineArgs {
    /// How the invoice was issued.
    #[arg(long, value_enum)]
    mode: Mode,
    /// Issue date (P_1), YYYY-MM-DD.
    #[arg(long, value_name = "YYYY-MM-DD")]
    issued: String,
    /// Day the unavailability or failure ended (Warsaw date), YYYY-MM-DD; required for
    /// `unavailability` and `emergency`.
    #[arg(long, value_name = "YYYY-MM-DD")]
    ended: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Mode {
    /// offline24: by the next business day after the issue date.
    Offline24,
    /// KSeF unavailability (maintenance): by the next business day after it ends.
    Unavailability,
    /// KSeF failure: within 7 business days after it ends.
    Emergency,
}

pub(crate) fn run(cmd: OfflineCmd) -> CliResult {
    match cmd {
        OfflineCmd::Deadline(args) => {
            let mode = match args.mode {
                Mode::Offline24 => OfflineMode::Offline24,
                Mode::Unavailability => OfflineMode::Unavailability,
                Mode::Emergency => OfflineMode::Emergency,
            };
            match (mode, &args.ended) {
                (OfflineMode::Offline24, Some(_)) => {
                    return Err(CliError::Usage(
                        "--ended does not apply to --mode offline24 (its deadline counts from the issue date)"
                            .into(),
                    ));
                }
                (OfflineMode::Unavailability | OfflineMode::Emergency, None) => {
                    return Err(CliError::Usage(format!(
                        "--mode {} needs --ended YYYY-MM-DD: the day the {} ended",
                        mode.name(),
                        if mode == OfflineMode::Emergency {
                            "failure"
                        } else {
                            "unavailability"
                        }
                    )));
                }
                _ => {}
            }
            let issued = parse_date(&args.issued).map_err(CliError::invalid)?;
            let ended = args
                .ended
                .as_deref()
                .map(parse_date)
                .transpose()
                .map_err(CliError::invalid)?;
            match deadline_from_dates(mode, issued, ended).map_err(CliError::invalid)? {
                Deadline::By(day) => println!("{day}"),
                other => return Err(CliError::Invalid(format!("no deadline: {other:?}"))),
            }
        }
    }
    Ok(())
}
