//! `ksef cert inspect`: what KSeF sees in a certificate (and whether a key fits it).
//!
//! DIGEST §13 (KSeF type from keyUsage), §5.2 (subject identifiers, fingerprint), §14
//! (serial as uppercase hex), §4 (`publicKeyId`). Unlike the core, the CLI reads the clock
//! to report expired / not-yet-valid certificates.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use ksef_core::crypto::{Certificate, PrivateKey};
use serde_json::json;

use crate::error::{CliError, CliResult, read_file};

#[derive(Subcommand)]
pub(crate) enum CertCmd {
    /// Prints a certificate's subject, issuer, serial, validity, key, KSeF type,
    /// identifiers and fingerprint as JSON. With --key, also checks that the key fits
    /// (exit 1 if it does not).
    Inspect(InspectArgs),
}

#[derive(Args)]
pub(crate) struct InspectArgs {
    /// The certificate, PEM or DER.
    cert: PathBuf,
    /// A private key to check against the certificate (PKCS#8, encrypted PKCS#8, PKCS#1
    /// or SEC1; PEM or DER).
    #[arg(long)]
    key: Option<PathBuf>,
    /// The key's password (visible to other local users; prefer --password-file).
    #[arg(long, conflicts_with = "password_file")]
    password: Option<String>,
    /// A file whose first line is the key's password.
    #[arg(long)]
    password_file: Option<PathBuf>,
}

pub(crate) fn run(cmd: CertCmd) -> CliResult {
    match cmd {
        CertCmd::Inspect(a) => inspect(a),
    }
}

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}

fn inspect(a: InspectArgs) -> CliResult {
    let cert = Certificate::from_pem_or_der(&read_file(&a.cert)?)
        .map_err(|e| CliError::Invalid(format!("{}: {e}", a.cert.display())))?;
    let password = match (&a.password, &a.password_file) {
        (Some(p), _) => Some(p.clone()),
        (None, Some(f)) => {
            let text = String::from_utf8(read_file(f)?)
                .map_err(|_| CliError::Usage(format!("{}: not UTF-8", f.display())))?;
            Some(text.lines().next().unwrap_or_default().to_owned())
        }
        (None, None) => None,
    };
    let now = time::OffsetDateTime::now_utc();
    let status = match cert.check_validity(now) {
        Ok(()) => "valid".to_owned(),
        Err(e) => e.to_string(),
    };
    let ku = cert
        .key_usage_bits()
        .map(|(ds, nr)| json!({"digitalSignature": ds, "nonRepudiation": nr}));
    let mut out = json!({
        "subject": cert.subject(),
        "issuer": cert.issuer(),
        "subjectAttributes": cert.subject_attributes(),
        "serialHex": cert.serial_hex(),
        "serialDecimal": cert.serial_decimal(),
        "notBefore": rfc3339(cert.not_before()),
        "notAfter": rfc3339(cert.not_after()),
        "validityNow": status,
        "keyAlgorithm": cert.key_algorithm().to_string(),
        "keyUsage": ku,
        "ksefType": cert.ksef_type(),
        "identifiers": cert.subject_identifiers(),
        "fingerprintSha256": cert.fingerprint_sha256(),
        "publicKeyId": cert.public_key_id(),
    });
    let mut mismatch = false;
    if let Some(key_path) = &a.key {
        let (key, format) = PrivateKey::load(&read_file(key_path)?, password.as_deref())
            .map_err(|e| CliError::Invalid(format!("{}: {e}", key_path.display())))?;
        let matches = key.matches(&cert);
        mismatch = !matches;
        out["key"] = json!({
            "format": format,
            "algorithm": key.algorithm().to_string(),
            "matches": matches,
        });
    }
    let text = serde_json::to_string_pretty(&out).map_err(CliError::invalid)?;
    println!("{text}");
    if mismatch {
        return Err(CliError::Invalid(
            "the certificate and the private key do not match".to_owned(),
        ));
    }
    Ok(())
}
