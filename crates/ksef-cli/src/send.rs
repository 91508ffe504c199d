//! `ksef send`: logs in, opens an online session with a fresh key, sends every file,
//! polls each invoice to its final status, closes the session; one JSON line per invoice
//! (DIGEST §8, §10, §15). Exit 1 if any invoice was rejected.

use std::path::PathBuf;

use clap::Args;
use ksef_core::client::CallError;
use ksef_core::client::online::{PreparedInvoice, ProductStatus};
use ksef_core::crypto::InvoiceEncryptionKey;
use serde_json::json;

use crate::auth::LoginArgs;
use crate::credential::system_rng;
use crate::error::{CliError, CliResult, read_file};

/// `ksef send` arguments.
#[derive(Args)]
pub(crate) struct SendArgs {
    #[command(flatten)]
    login: LoginArgs,
    /// Mark the invoices as issued in an offline mode (`offlineMode: true`).
    #[arg(long)]
    offline: bool,
    /// The FA(3) invoice files.
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

/// `ksef send`.
pub(crate) fn run(args: SendArgs) -> CliResult {
    let invoices = args
        .files
        .iter()
        .map(|f| read_file(f).map(|b| (f.display().to_string(), b)))
        .collect::<CliResult<Vec<_>>>()?;
    crate::runtime()?.block_on(async {
        let mut client = crate::auth::login(&args.login).await?;
        let mut rng = system_rng()?;
        let key = InvoiceEncryptionKey::generate(&mut rng);
        let session = client
            .open_online(&key, &mut rng)
            .await
            .map_err(CliError::invalid)?;
        let s = session.reference_number.as_str();
        let mut sent = Vec::new();
        let mut rejected = false;
        for (file, xml) in &invoices {
            let p = PreparedInvoice::new(&key, xml, args.offline, None);
            match client.send_invoice(s, &p).await {
                Ok(r) => sent.push((file, r)),
                Err(e) => {
                    rejected = true;
                    println!("{}", refused(file, s, &e));
                }
            }
        }
        for (file, r) in sent {
            match client.invoice_outcome(s, &r).await {
                Ok(o) => {
                    rejected |= o.status == ProductStatus::Rejected;
                    let mut line = serde_json::to_value(&o).map_err(CliError::invalid)?;
                    line["file"] = json!(file);
                    println!("{line}");
                }
                Err(e) => {
                    rejected = true;
                    println!("{}", refused(file, s, &e));
                }
            }
        }
        client.close_online(s).await.map_err(CliError::invalid)?;
        if rejected {
            Err(CliError::Invalid("some invoices were rejected".into()))
        } else {
            Ok(())
        }
    })
}

/// The line for an invoice KSeF refused synchronously (or that could not be sent).
fn refused(file: &str, session: &str, e: &CallError) -> serde_json::Value {
    let (code, description, details) = match e {
        CallError::Api(api) => {
            let first = api.errors().first();
            (
                api.code(),
                first
                    .map(|d| d.description.clone())
                    .unwrap_or_else(|| e.to_string()),
                first.map(|d| d.details.clone()).unwrap_or_default(),
            )
        }
        _ => (None, e.to_string(), Vec::new()),
    };
    json!({
        "file": file,
        "status": "rejected",
        "code": code,
        "description": description,
        "details": details,
        "sessionReferenceNumber": session,
    })
}
