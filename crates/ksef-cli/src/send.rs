//! `ksef send`: logs in, opens an online session with a fresh key, sends every file,
//! polls each invoice to its final status, closes the session; one JSON line per invoice
//! (DIGEST §8, §10, §15). Exit 1 if any invoice was rejected.

use std::path::PathBuf;

use clap::Args;
use ksef_core::client::CallError;
use ksef_core::client::SendMode;
use ksef_core::client::online::{InvoiceOutcome, PreparedInvoice, ProductStatus};
use ksef_core::client::resume::OnlineSendState;
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
    /// Send in a batch session (default above the automatic threshold).
    #[arg(long, conflicts_with = "online")]
    batch: bool,
    /// Send in an online session (default up to the automatic threshold).
    #[arg(long)]
    online: bool,
    /// Online only: a JSON file holding the resumable send state; an interrupted send
    /// run again with the same file and files resumes without duplicates.
    #[arg(long, conflicts_with = "batch")]
    state: Option<PathBuf>,
    /// The FA(3) invoice files.
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

/// `ksef send`.
pub(crate) fn run(args: SendArgs) -> CliResult {
    let batch = args.batch
        || (!args.online
            && args.state.is_none()
            && SendMode::for_count(args.files.len()) == SendMode::Batch);
    if batch {
        return run_batch(&args);
    }
    if args.state.is_some() {
        return run_resumable(&args);
    }
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

fn read_all(args: &SendArgs) -> CliResult<Vec<(String, Vec<u8>)>> {
    args.files
        .iter()
        .map(|f| read_file(f).map(|b| (f.display().to_string(), b)))
        .collect()
}

fn print_outcome(file: &str, o: &InvoiceOutcome) -> CliResult {
    let mut line = serde_json::to_value(o).map_err(CliError::invalid)?;
    line["file"] = json!(file);
    println!("{line}");
    Ok(())
}

/// Batch: one archive (file names without directories), parts of ≤ 100 MB.
fn run_batch(args: &SendArgs) -> CliResult {
    let invoices = read_all(args)?;
    let named: Vec<(String, Vec<u8>)> = invoices
        .iter()
        .enumerate()
        .map(|(i, (f, b))| {
            let base = std::path::Path::new(f)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (format!("{i:05}-{base}"), b.clone())
        })
        .collect();
    crate::runtime()?.block_on(async {
        let mut client = crate::auth::login(&args.login).await?;
        let mut rng = system_rng()?;
        let key = InvoiceEncryptionKey::generate(&mut rng);
        let report = client
            .send_batch(
                &key,
                &mut rng,
                &named,
                args.offline,
                ksef_core::client::batch::MAX_PART_SIZE,
            )
            .await
            .map_err(CliError::invalid)?;
        let mut rejected = report.session_status.code != 200;
        for ((file, _), (name, _)) in invoices.iter().zip(&named) {
            match report
                .outcomes
                .iter()
                .find(|o| o.invoice_file_name.as_deref() == Some(name.as_str()))
            {
                Some(o) => {
                    rejected |= o.status == ProductStatus::Rejected;
                    print_outcome(file, o)?;
                }
                None => {
                    rejected = true;
                    println!(
                        "{}",
                        json!({"file": file, "status": "rejected",
                            "code": report.session_status.code,
                            "description": report.session_status.description,
                            "details": report.session_status.details(),
                            "sessionReferenceNumber": report.session_reference_number})
                    );
                }
            }
        }
        if rejected {
            Err(CliError::Invalid("some invoices were rejected".into()))
        } else {
            Ok(())
        }
    })
}

/// Online with a persisted state file (issue 5 item 7).
fn run_resumable(args: &SendArgs) -> CliResult {
    let invoices = read_all(args)?;
    let path = args
        .state
        .clone()
        .ok_or_else(|| CliError::Usage("--state is required".into()))?;
    let mut state = match std::fs::read(&path) {
        Ok(b) => serde_json::from_slice(&b)
            .map_err(|e| CliError::Usage(format!("{}: {e}", path.display())))?,
        Err(_) => OnlineSendState::new(&invoices),
    };
    crate::runtime()?.block_on(async {
        let mut client = crate::auth::login(&args.login).await?;
        let mut rng = system_rng()?;
        let mut write_error = None;
        let result = client
            .send_online_resumable(&mut state, &invoices, args.offline, &mut rng, &mut |s| {
                let written = serde_json::to_vec(s)
                    .map_err(|e| e.to_string())
                    .and_then(|b| std::fs::write(&path, b).map_err(|e| e.to_string()));
                if let Err(e) = written {
                    write_error = Some(e);
                }
            })
            .await;
        if let Some(e) = write_error {
            return Err(CliError::Usage(format!(
                "cannot write {}: {e}",
                path.display()
            )));
        }
        result.map_err(CliError::invalid)?;
        let mut rejected = false;
        for (item, (file, _)) in state.items.iter().zip(&invoices) {
            if let Some(o) = &item.outcome {
                rejected |= o.status == ProductStatus::Rejected;
                print_outcome(file, o)?;
            }
        }
        if rejected {
            Err(CliError::Invalid("some invoices were rejected".into()))
        } else {
            Ok(())
        }
    })
}
