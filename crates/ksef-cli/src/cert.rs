//! `ksef cert inspect`: what KSeF sees in a certificate (and whether a key fits it).
//! `ksef cert status`: what KSeF says about it (`POST /certificates/query`, DIGEST §13
//! step 7): Active, Blocked, Revoked or Expired, or not listed for the logged-in subject.
//!
//! DIGEST §13 (KSeF type from keyUsage), §5.2 (subject identifiers, fingerprint), §14
//! (serial as uppercase hex), §4 (`publicKeyId`). Unlike the core, the CLI reads the clock
//! to report expired / not-yet-valid certificates.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use ksef_core::crypto::{Certificate, PrivateKey};
use serde_json::json;

use crate::credential::PasswordArgs;
use crate::error::{CliError, CliResult, read_file};

#[derive(Subcommand)]
pub(crate) enum CertCmd {
    /// Prints a certificate's subject, issuer, serial, validity, key, KSeF type,
    /// identifiers and fingerprint as JSON. With --key, also checks that the key fits
    /// (exit 1 if it does not).
    Inspect(InspectArgs),
    /// Logs in (the --cert/--key given) and asks KSeF about CERTIFICATE, e.g. the Offline
    /// one: prints `{certificateSerialNumber, status, …}` as JSON, `status` being Active,
    /// Blocked, Revoked, Expired or NotListed (KSeF lists only the logged-in subject's
    /// certificates). Exit 1 unless Active: KOD II signed with it would fail.
    Status(StatusArgs),
}

#[derive(Args)]
pub(crate) struct StatusArgs {
    /// The certificate to ask about (PEM or DER).
    certificate: PathBuf,
    #[command(flatten)]
    login: crate::auth::LoginArgs,
}

#[derive(Args)]
pub(crate) struct InspectArgs {
    /// The certificate, PEM or DER.
    cert: PathBuf,
    /// A private key to check against the certificate (PKCS#8, encrypted PKCS#8, PKCS#1
    /// or SEC1; PEM or DER).
    #[arg(long)]
    key: Option<PathBuf>,
    #[command(flatten)]
    password: PasswordArgs,
}

pub(crate) fn run(cmd: CertCmd) -> CliResult {
    match cmd {
        CertCmd::Inspect(a) => inspect(a),
        CertCmd::Status(a) => status(a),
    }
}

fn status(a: StatusArgs) -> CliResult {
    let cert = Certificate::from_pem_or_der(&read_file(&a.certificate)?)
        .map_err(|e| CliError::Invalid(format!("{}: {e}", a.certificate.display())))?;
    let serial = ksef_core::qr::CertSerial::from_der_integer(cert.serial_bytes()).map_err(|e| {
        CliError::Invalid(format!(
            "{}: not a KSeF certificate ({e})",
            a.certificate.display()
        ))
    })?;
    let entry = crate::runtime()?.block_on(async {
        let mut client = crate::auth::login(&a.login).await?;
        client
            .certificate_status(&serial)
            .await
            .map_err(CliError::invalid)
    })?;
    let line = match &entry {
        Some(e) => serde_json::to_value(e).map_err(CliError::invalid)?,
        None => json!({"certificateSerialNumber": serial.to_string(), "status": "NotListed"}),
    };
    println!("{line}");
    match entry {
        Some(e) if e.is_active() => Ok(()),
        Some(e) => Err(CliError::Invalid(format!(
            "KSeF holds certificate {serial} as {}: KOD II signed with it fails verification",
            e.status
        ))),
        None => Err(CliError::Invalid(format!(
            "KSeF lists no certificate {serial} of the logged-in subject (self-signed, \
             another issuer's, or enrolled by another person)"
        ))),
    }
}

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}

fn inspect(a: InspectArgs) -> CliResult {
    let cert = Certificate::from_pem_or_der(&read_file(&a.cert)?)
        .map_err(|e| CliError::Invalid(format!("{}: {e}", a.cert.display())))?;
    let password = a.password.get()?;
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
        let (key, format) = PrivateKey::load(
            &read_file(key_path)?,
            password.as_deref().map(String::as_str),
        )
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
