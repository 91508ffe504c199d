//! `ksef send`: logs in and sends FA(3) invoices online (one request per invoice, new
//! sessions at KSeF's per-session limits) or in a batch session (one archive, parts of
//! ≤ 100 MB), polls every invoice to its final status and prints one JSON line per
//! invoice (DIGEST §8–§10, §15, §17). Exit 1 if any invoice was rejected.
//!
//! Without `--batch` / `--online` more than [`ksef_core::client::AUTO_BATCH_THRESHOLD`] (20) invoices go in a
//! batch: production allows about 30 online sends a minute (DIGEST §17).
//!
//! `--state FILE` keeps the resumable state (online or batch) as JSON, rewritten
//! atomically after every change; a send interrupted in any way (network, 5xx, the
//! process killed) and run again with the same file and invoices resumes by looking up
//! what KSeF already has, never sending an invoice twice.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use ksef_core::client::SendMode;
use ksef_core::client::archive::ArchiveFormat;
use ksef_core::client::batch::MAX_PART_SIZE;
use ksef_core::client::online::{InvoiceOutcome, ProductStatus, parse_corrected_hash};
use ksef_core::client::resume::{BatchSendState, OnlineSendState};
use ksef_core::crypto::InvoiceEncryptionKey;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::auth::LoginArgs;
use crate::credential::system_rng;
use crate::error::{CliError, CliResult, read_file};

/// The offline mode an invoice was issued in (DIGEST §15); every mode is sent with
/// `offlineMode: true`, the mode only decides the sending deadline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum OfflineMode {
    /// offline24: the taxpayer's choice; due the next business day after issue.
    Offline24,
    /// KSeF unavailability announced in BIP; due the next business day after it ends.
    Unavailability,
    /// Failure (emergency) mode; due 7 business days after the failure ends.
    Emergency,
}

impl OfflineMode {
    fn name(self) -> &'static str {
        match self {
            OfflineMode::Offline24 => "offline24",
            OfflineMode::Unavailability => "unavailability",
            OfflineMode::Emergency => "emergency",
        }
    }
}

/// `ksef send` arguments.
#[derive(Args)]
pub(crate) struct SendArgs {
    #[command(flatten)]
    login: LoginArgs,
    /// The invoices were issued in an offline mode: offline24, unavailability or
    /// emergency (sent with `offlineMode: true`).
    #[arg(long, value_name = "MODE")]
    offline: Option<OfflineMode>,
    /// Technical correction (online, one invoice, with --offline): the Base64 SHA-256 of
    /// the rejected offline invoice this one replaces (`hashOfCorrectedInvoice`).
    #[arg(
        long,
        value_name = "BASE64",
        requires = "offline",
        conflicts_with = "batch"
    )]
    corrects_hash: Option<String>,
    /// Send in a batch session (default above the automatic threshold).
    #[arg(long, conflicts_with = "online")]
    batch: bool,
    /// Send in an online session (default up to the automatic threshold).
    #[arg(long)]
    online: bool,
    /// Batch archive: zip (Deflate), zip-stored or tar-gz (a resumed send keeps the
    /// format and part size of its state file).
    #[arg(long, value_name = "FORMAT", default_value = "zip", value_parser = ArchiveFormat::parse)]
    archive: ArchiveFormat,
    /// Batch part size in bytes before encryption (1 to 100 000 000).
    #[arg(long, value_name = "BYTES", default_value_t = MAX_PART_SIZE)]
    part_size: usize,
    /// A JSON file holding the resumable send state (online or batch): an interrupted
    /// send run again with the same file and invoices resumes without duplicates.
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// The FA(3) invoice files.
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

/// The state file: which kind of send, and its state.
#[derive(Serialize, Deserialize)]
#[serde(tag = "mode", content = "state", rename_all = "lowercase")]
enum SavedSend {
    Online(OnlineSendState),
    Batch(BatchSendState),
}

/// `ksef send`.
pub(crate) fn run(args: SendArgs) -> CliResult {
    if args.part_size == 0 || args.part_size > MAX_PART_SIZE {
        return Err(CliError::Usage(format!(
            "--part-size {}: a batch part holds 1 to {MAX_PART_SIZE} bytes (DIGEST §9)",
            args.part_size
        )));
    }
    let corrected = match &args.corrects_hash {
        Some(h) => {
            if args.files.len() != 1 {
                return Err(CliError::Usage(format!(
                    "--corrects-hash corrects one invoice; {} files were given",
                    args.files.len()
                )));
            }
            Some(parse_corrected_hash(h).map_err(CliError::Usage)?)
        }
        None => None,
    };
    let invoices = read_all(&args)?;
    let saved = match &args.state {
        Some(path) => load_state(path)?,
        None => None,
    };
    let batch = match &saved {
        Some(SavedSend::Batch(_)) if args.online => {
            return Err(CliError::Usage(
                "--online given, but the state file holds a batch send".into(),
            ));
        }
        Some(SavedSend::Online(_)) if args.batch => {
            return Err(CliError::Usage(
                "--batch given, but the state file holds an online send".into(),
            ));
        }
        Some(SavedSend::Batch(_)) => true,
        Some(SavedSend::Online(_)) => false,
        None => {
            args.batch
                || (!args.online
                    && corrected.is_none()
                    && SendMode::for_count(invoices.len()) == SendMode::Batch)
        }
    };
    if batch {
        let state = match saved {
            Some(SavedSend::Batch(s)) => s,
            _ => BatchSendState::new(
                &archive_names(&invoices),
                args.archive,
                args.part_size,
                args.offline.is_some(),
            ),
        };
        run_batch(&args, &invoices, state)
    } else {
        let state = match saved {
            Some(SavedSend::Online(s)) => s,
            _ => {
                let mut s = OnlineSendState::new(&invoices);
                if let Some(h) = &corrected {
                    s.set_corrected_hash(0, h).map_err(CliError::Usage)?;
                }
                s
            }
        };
        run_online(&args, &invoices, state)
    }
}

fn read_all(args: &SendArgs) -> CliResult<Vec<(String, Vec<u8>)>> {
    args.files
        .iter()
        .map(|f| read_file(f).map(|b| (f.display().to_string(), b)))
        .collect()
}

/// (caller's name, archive file name, XML): names inside the archive are the file names
/// without directories, numbered so equal names in different directories stay apart.
fn archive_names(invoices: &[(String, Vec<u8>)]) -> Vec<(String, String, Vec<u8>)> {
    invoices
        .iter()
        .enumerate()
        .map(|(i, (f, b))| {
            let base = Path::new(f)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (f.clone(), format!("{i:05}-{base}"), b.clone())
        })
        .collect()
}

fn load_state(path: &Path) -> CliResult<Option<SavedSend>> {
    match std::fs::read(path) {
        Ok(b) => serde_json::from_slice(&b).map(Some).map_err(|e| {
            CliError::Usage(format!(
                "{} is not a `ksef send` state file: {e}",
                path.display()
            ))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(CliError::Usage(format!(
            "cannot read {}: {e}",
            path.display()
        ))),
    }
}

/// Writes the state atomically (temporary file, then rename): a process killed while
/// writing leaves the previous state, never half a file.
fn save_state(path: &Path, state: &SavedSend) -> Result<(), String> {
    let bytes = serde_json::to_vec(state).map_err(|e| e.to_string())?;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    std::fs::write(&tmp, bytes)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Saves after every change when `--state` is given; remembers the first write error.
struct Saver<'a> {
    path: Option<&'a Path>,
    error: Option<String>,
}

impl Saver<'_> {
    fn save(&mut self, state: impl FnOnce() -> SavedSend) {
        if let (Some(path), None) = (self.path, &self.error)
            && let Err(e) = save_state(path, &state())
        {
            self.error = Some(e);
        }
    }

    fn check(&self) -> CliResult {
        match &self.error {
            Some(e) => Err(CliError::Usage(e.clone())),
            None => Ok(()),
        }
    }
}

fn print_outcome(file: &str, o: &InvoiceOutcome, offline: Option<OfflineMode>) -> CliResult {
    let mut line = serde_json::to_value(o).map_err(CliError::invalid)?;
    line["file"] = json!(file);
    if let Some(m) = offline {
        line["offlineMode"] = json!(m.name());
    }
    println!("{line}");
    Ok(())
}

/// Online, resumable; new sessions at KSeF's per-session limits.
fn run_online(
    args: &SendArgs,
    invoices: &[(String, Vec<u8>)],
    mut state: OnlineSendState,
) -> CliResult {
    crate::runtime()?.block_on(async {
        let mut client = crate::auth::login(&args.login).await?;
        let mut rng = system_rng()?;
        let mut saver = Saver {
            path: args.state.as_deref(),
            error: None,
        };
        let result = client
            .send_online_resumable(
                &mut state,
                invoices,
                args.offline.is_some(),
                &mut rng,
                &mut |s| saver.save(|| SavedSend::Online(s.clone())),
            )
            .await;
        saver.check()?;
        result.map_err(|e| match &args.state {
            Some(p) => CliError::Invalid(format!(
                "{e} (run again with --state {} to resume)",
                p.display()
            )),
            None => CliError::invalid(e),
        })?;
        let mut rejected = false;
        for (item, (file, _)) in state.items.iter().zip(invoices) {
            match &item.outcome {
                Some(o) => {
                    rejected |= o.status != ProductStatus::Accepted;
                    print_outcome(file, o, args.offline)?;
                }
                None => {
                    rejected = true;
                    println!(
                        "{}",
                        json!({"file": file, "status": "waiting_for_sending",
                            "description": "no final status from KSeF yet"})
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

/// Batch, resumable.
fn run_batch(
    args: &SendArgs,
    invoices: &[(String, Vec<u8>)],
    mut state: BatchSendState,
) -> CliResult {
    let named: Vec<(String, Vec<u8>)> = state
        .items
        .iter()
        .zip(invoices)
        .map(|(item, (_, xml))| (item.file_name.clone(), xml.clone()))
        .collect();
    crate::runtime()?.block_on(async {
        let mut client = crate::auth::login(&args.login).await?;
        let mut rng = system_rng()?;
        let key = InvoiceEncryptionKey::generate(&mut rng);
        let mut saver = Saver {
            path: args.state.as_deref(),
            error: None,
        };
        let result = client
            .send_batch_resumable(&mut state, &named, &key, &mut rng, &mut |s| {
                saver.save(|| SavedSend::Batch(s.clone()));
            })
            .await;
        saver.check()?;
        let report = result.map_err(|e| match &args.state {
            Some(p) => CliError::Invalid(format!(
                "{e} (run again with --state {} to resume)",
                p.display()
            )),
            None => CliError::invalid(e),
        })?;
        let mut rejected = report.session_status.code != 200;
        for (item, (file, _)) in state.items.iter().zip(invoices) {
            match &item.outcome {
                Some(o) => {
                    rejected |= o.status != ProductStatus::Accepted;
                    print_outcome(file, o, args.offline)?;
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

#[cfg(test)]
mod tests {
    use ksef_core::client::AUTO_BATCH_THRESHOLD;

    use super::*;

    #[test]
    fn auto_threshold_is_documented_in_the_core() {
        assert_eq!(SendMode::for_count(AUTO_BATCH_THRESHOLD), SendMode::Online);
        assert_eq!(
            SendMode::for_count(AUTO_BATCH_THRESHOLD + 1),
            SendMode::Batch
        );
    }

    #[test]
    fn state_file_is_tagged_with_the_mode() {
        let s = SavedSend::Online(OnlineSendState::new(&[("a".into(), b"<a/>".to_vec())]));
        let v = serde_json::to_value(&s).unwrap();
        assert_eq!(v["mode"], "online");
        assert!(matches!(
            serde_json::from_value::<SavedSend>(v).unwrap(),
            SavedSend::Online(_)
        ));
    }
}
