//! `ksef invoice …`: FA(3) invoices (build, parse, emit, validate, hash).

use std::path::{Path, PathBuf};

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
    /// Validates an FA(3) invoice: file hygiene, XSD structure and facets, KSeF and VAT
    /// rules. Lists every problem; exit 1 if any is an error (warnings alone exit 0).
    Validate {
        /// The invoice XML file.
        file: PathBuf,
        /// Print the report as JSON (`{"problems":[{rule,path,severity,message_pl,message_en}]}`).
        #[arg(long)]
        json: bool,
        /// Use the KSeF TEST profile: NIP / IDWew checksum problems become warnings.
        #[arg(long)]
        test_rules: bool,
        /// Today's date (Europe/Warsaw), YYYY-MM-DD, to reject an issue date P_1 in the future.
        #[arg(long, value_name = "YYYY-MM-DD")]
        today: Option<String>,
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
        InvoiceCmd::Validate {
            file,
            json,
            test_rules,
            today,
        } => validate(&file, json, test_rules, today.as_deref()),
    }
}

/// `ksef invoice validate`: prints the report (text or JSON) and fails with exit 1 on errors.
fn validate(file: &Path, json: bool, test_rules: bool, today: Option<&str>) -> CliResult {
    use ksef_core::validate::{Options, validate_xml};
    let mut opts = Options {
        production_rules: !test_rules,
        ..Options::default()
    };
    if let Some(d) = today {
        opts = opts
            .with_today_iso(d)
            .map_err(|e| CliError::Usage(format!("--today: {e}")))?;
    }
    let report = validate_xml(&read_file(file)?, &opts);
    if json {
        let out = serde_json::to_string_pretty(&report)
            .map_err(|e| CliError::Usage(format!("cannot serialise the report: {e}")))?;
        println!("{out}");
    } else if report.problems.is_empty() {
        println!("ok: {} has no problems", file.display());
    } else {
        for p in &report.problems {
            println!("{p}");
            println!("    pl: {}", p.message_pl);
        }
    }
    let errors = report.errors().count();
    let warnings = report.warnings().count();
    if errors > 0 {
        Err(CliError::Invalid(format!(
            "{}: {errors} error(s), {warnings} warning(s)",
            file.display()
        )))
    } else {
        if !json && warnings > 0 {
            println!("ok: {} is valid with {warnings} warning(s)", file.display());
        }
        Ok(())
    }
}
