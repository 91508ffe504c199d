//! `ksef calendar`: Polish statutory public holidays and business days (Act of
//! 18 January 1951 on non-working days, as amended; see `docs/offline-deadlines.md`).

use clap::Subcommand;
use ksef_core::offline::{day_off, holidays, parse_date};

use crate::error::{CliError, CliResult};

#[derive(Subcommand)]
pub(crate) enum CalendarCmd {
    /// Lists the public holidays of YEAR, one `YYYY-MM-DD name` per line (Polish names).
    Holidays {
        /// The year, e.g. 2026.
        #[arg(allow_hyphen_values = true)]
        year: String,
    },
    /// Exits 0 if DATE is a business day in Poland, 1 if not (and says why).
    BusinessDay {
        /// The date, YYYY-MM-DD.
        date: String,
    },
}

pub(crate) fn run(cmd: CalendarCmd) -> CliResult {
    match cmd {
        CalendarCmd::Holidays { year } => {
            let y: i32 = year
                .trim()
                .parse()
                .map_err(|_| CliError::Invalid(format!("{year:?} is not a valid year")))?;
            for (day, holiday) in holidays(y).map_err(CliError::invalid)? {
                println!("{day} {holiday}");
            }
        }
        CalendarCmd::BusinessDay { date } => {
            let day = parse_date(&date).map_err(CliError::invalid)?;
            let Some(why) = day_off(day).map_err(CliError::invalid)? else {
                println!("{day} is a business day ({})", day.weekday());
                return Ok(());
            };
            // The answer "no" is a result, not a diagnostic: stdout, then exit 1.
            println!("{day} is not a business day: {why}");
            std::process::exit(1);
        }
    }
    Ok(())
}
