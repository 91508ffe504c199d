//! `ksef status` and `ksef upo`: a sent invoice's or a session's status, and the UPO
//! (DIGEST §10), through the sans-IO client.

use std::path::PathBuf;

use clap::Args;
use ksef_core::api::SessionInvoiceStatus;
use ksef_core::client::online::{self, InvoiceOutcome};
use serde_json::json;

use crate::auth::LoginArgs;
use crate::error::{CliError, CliResult, write_output};

/// Which session (and invoice) to look at.
#[derive(Args)]
pub(crate) struct StatusArgs {
    #[command(flatten)]
    login: LoginArgs,
    /// The session reference number (`…-SO-…` / `…-SB-…`).
    #[arg(long)]
    session: String,
    /// The invoice reference number (`…-EE-…`); without it the session is shown.
    #[arg(long)]
    invoice: Option<String>,
}

/// `ksef upo` arguments.
#[derive(Args)]
pub(crate) struct UpoArgs {
    #[command(flatten)]
    target: StatusArgs,
    /// Output file (default stdout).
    #[arg(short, long)]
    output: Option<PathBuf>,
}

/// `ksef status`: one JSON line, the invoice outcome or the session status.
pub(crate) fn run_status(args: StatusArgs) -> CliResult {
    crate::runtime()?.block_on(async {
        let mut client = crate::auth::login(&args.login).await?;
        let line = match &args.invoice {
            Some(inv) => {
                let r = client
                    .authorized(online::invoice_status_request(&args.session, inv))
                    .await
                    .map_err(CliError::invalid)?;
                let s: SessionInvoiceStatus = r.json().map_err(CliError::invalid)?;
                serde_json::to_value(InvoiceOutcome::from_status(&args.session, &s))
                    .map_err(CliError::invalid)?
            }
            None => {
                let r = client
                    .authorized(online::session_status_request(&args.session))
                    .await
                    .map_err(CliError::invalid)?;
                let s: ksef_core::api::SessionStatusResponse =
                    r.json().map_err(CliError::invalid)?;
                let mut v = serde_json::to_value(&s).map_err(CliError::invalid)?;
                v["sessionReferenceNumber"] = json!(args.session);
                v
            }
        };
        println!("{line}");
        Ok(())
    })
}

/// `ksef upo`: the invoice's UPO, or every page of the session UPO (concatenated when
/// there are several; one page holds up to 10 000 documents).
pub(crate) fn run_upo(args: UpoArgs) -> CliResult {
    let t = &args.target;
    crate::runtime()?.block_on(async {
        let mut client = crate::auth::login(&t.login).await?;
        let bytes = match &t.invoice {
            Some(inv) => client
                .invoice_upo(&t.session, inv)
                .await
                .map_err(CliError::invalid)?,
            None => {
                let st = client
                    .session_final(&t.session)
                    .await
                    .map_err(CliError::invalid)?;
                let pages = st.upo.map(|u| u.pages).unwrap_or_default();
                if pages.is_empty() {
                    return Err(CliError::Invalid(format!(
                        "no session upo: status {} {}",
                        st.status.code, st.status.description
                    )));
                }
                let mut all = Vec::new();
                for p in pages {
                    all.extend(
                        client
                            .session_upo(&t.session, &p.reference_number)
                            .await
                            .map_err(CliError::invalid)?,
                    );
                }
                all
            }
        };
        write_output(args.output.as_deref(), &bytes)
    })
}
