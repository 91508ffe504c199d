//! `ksef qr …`: KOD I / KOD II verification links and their QR images (DIGEST §14).

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};
use ksef_core::hash::Sha256Hash;
use ksef_core::qr::svg::{self, SvgOptions};
use ksef_core::qr::{
    CertificateLink, ContextIdentifier, ContextType, Environment, InvoiceLink, LABEL_CERTIFICATE,
    LABEL_OFFLINE, QrCertificate, QrLink, offline_key,
};

use crate::error::{CliError, CliResult, read_file, write_output};

#[derive(Subcommand)]
pub(crate) enum QrCmd {
    /// KOD I: the invoice verification link (and optionally its QR image).
    Invoice(InvoiceArgs),
    /// KOD II: the signed issuer-certificate link, with an Offline KSeF certificate.
    Certificate(CertificateArgs),
    /// Checks a KOD I / KOD II link; with --cert, verifies the KOD II signature too.
    Verify(VerifyArgs),
}

#[derive(Clone, Copy, ValueEnum)]
enum Env {
    Test,
    Demo,
    Prod,
}

#[derive(Args)]
struct Target {
    /// The KSeF environment whose QR host the link points to.
    #[arg(long, value_enum, default_value = "test")]
    env: Env,
    /// A custom QR base instead (e.g. a local simulator: http://localhost:8080/qr).
    #[arg(long, conflicts_with = "env")]
    base: Option<String>,
}

impl Target {
    fn environment(&self) -> CliResult<Environment> {
        Ok(match (&self.base, self.env) {
            (Some(b), _) => Environment::custom(b).map_err(|e| CliError::Usage(e.to_string()))?,
            (None, Env::Test) => Environment::Test,
            (None, Env::Demo) => Environment::Demo,
            (None, Env::Prod) => Environment::Prod,
        })
    }
}

#[derive(Args)]
pub(crate) struct InvoiceArgs {
    #[command(flatten)]
    target: Target,
    /// Seller NIP (Podmiot1).
    #[arg(long)]
    nip: String,
    /// Issue date P_1, YYYY-MM-DD.
    #[arg(long)]
    date: String,
    /// The invoice XML, hashed byte for byte.
    #[arg(long)]
    file: PathBuf,
    /// Also write the QR code as SVG here.
    #[arg(long)]
    svg: Option<PathBuf>,
    /// Label under the code: the KSeF number once known (default OFFLINE).
    #[arg(long, default_value = LABEL_OFFLINE)]
    label: String,
}

#[derive(Args)]
pub(crate) struct CertificateArgs {
    #[command(flatten)]
    target: Target,
    /// Context identifier type: Nip, InternalId, NipVatUe or PeppolId (exact casing).
    #[arg(long)]
    context_type: String,
    /// Context identifier value.
    #[arg(long)]
    context: String,
    /// Seller NIP (Podmiot1).
    #[arg(long)]
    nip: String,
    /// The Offline KSeF certificate (PEM or DER).
    #[arg(long)]
    cert: PathBuf,
    /// Its private key (PEM or DER, PKCS#8 or PKCS#1/SEC1, optionally encrypted).
    #[arg(long)]
    key: PathBuf,
    /// Password of an encrypted private key.
    #[arg(long)]
    password: Option<String>,
    /// The invoice XML, hashed byte for byte.
    #[arg(long)]
    file: PathBuf,
    /// Also write the QR code (label CERTYFIKAT) as SVG here.
    #[arg(long)]
    svg: Option<PathBuf>,
}

#[derive(Args)]
pub(crate) struct VerifyArgs {
    /// The link (KOD I or KOD II).
    url: String,
    /// The KSeF certificate (PEM or DER) to verify a KOD II signature with.
    #[arg(long)]
    cert: Option<PathBuf>,
    /// The invoice XML: its SHA-256 must be the one in the link.
    #[arg(long)]
    file: Option<PathBuf>,
    /// Also accept links on this custom base (e.g. a simulator).
    #[arg(long)]
    base: Option<String>,
}

pub(crate) fn run(cmd: QrCmd) -> CliResult {
    match cmd {
        QrCmd::Invoice(a) => invoice(a),
        QrCmd::Certificate(a) => certificate(a),
        QrCmd::Verify(a) => verify(a),
    }
}

fn write_svg(path: Option<&Path>, url: &str, label: &str) -> CliResult {
    if let Some(p) = path {
        let image = svg::render(url, label, &SvgOptions::default()).map_err(CliError::invalid)?;
        write_output(Some(p), image.as_bytes())?;
    }
    Ok(())
}

fn invoice(a: InvoiceArgs) -> CliResult {
    let xml = read_file(&a.file)?;
    let link = InvoiceLink::for_invoice(a.target.environment()?, &a.nip, &a.date, &xml)
        .map_err(CliError::invalid)?;
    let url = link.url();
    write_svg(a.svg.as_deref(), &url, &a.label)?;
    println!("{url}");
    Ok(())
}

fn certificate(a: CertificateArgs) -> CliResult {
    let cert_bytes = read_file(&a.cert)?;
    let key_bytes = read_file(&a.key)?;
    let xml = read_file(&a.file)?;
    let context_type: ContextType = a.context_type.parse().map_err(CliError::invalid)?;
    let context = ContextIdentifier::new(context_type, &a.context).map_err(CliError::invalid)?;
    // First the role check: an Authentication certificate is refused ("wrong KSeF
    // certificate type for KOD II (offline) signing: expected Offline, found
    // Authentication"), as are expired ones and a key that is not the certificate's.
    let key = offline_key(
        &cert_bytes,
        &key_bytes,
        a.password.as_deref(),
        time::OffsetDateTime::now_utc(),
    )
    .map_err(CliError::invalid)?;
    let cert =
        QrCertificate::from_ksef_certificate(key.certificate()).map_err(CliError::invalid)?;
    let link = CertificateLink::new(
        a.target.environment()?,
        context,
        &a.nip,
        *cert.serial(),
        Sha256Hash::of(&xml),
    )
    .map_err(CliError::invalid)?;
    let mut rng = crate::csr::system_rng()?;
    let url = link.sign(&key, &mut rng).map_err(CliError::invalid)?.url();
    write_svg(a.svg.as_deref(), &url, LABEL_CERTIFICATE)?;
    println!("{url}");
    Ok(())
}

fn verify(a: VerifyArgs) -> CliResult {
    let extra = match &a.base {
        Some(b) => vec![Environment::custom(b).map_err(|e| CliError::Usage(e.to_string()))?],
        None => Vec::new(),
    };
    let link = QrLink::parse_with(&a.url, &extra).map_err(CliError::invalid)?;
    if let Some(file) = &a.file {
        let actual = Sha256Hash::of(&read_file(file)?);
        let in_link = match &link {
            QrLink::Invoice(l) => l.invoice_hash(),
            QrLink::Certificate(l) => l.link().invoice_hash(),
            _ => return Err(CliError::Invalid("unsupported link kind".into())),
        };
        if &actual != in_link {
            return Err(CliError::Invalid(format!(
                "invoice hash mismatch: link has {}, {} hashes to {}",
                in_link.to_base64url(),
                file.display(),
                actual.to_base64url()
            )));
        }
    }
    match (&link, &a.cert) {
        (QrLink::Invoice(l), _) => {
            println!(
                "ok: KOD I, seller NIP {}, issue date {}, invoice hash {}",
                l.seller_nip(),
                l.issue_date(),
                l.invoice_hash().to_base64url()
            );
        }
        (QrLink::Certificate(l), None) => {
            println!(
                "ok: KOD II is well formed (certificate {}); signature not checked, pass --cert",
                l.link().serial()
            );
        }
        (QrLink::Certificate(l), Some(cert)) => {
            let cert =
                QrCertificate::from_der_or_pem(&read_file(cert)?).map_err(CliError::invalid)?;
            let used = l.verify(&cert).map_err(CliError::invalid)?;
            println!(
                "ok: KOD II signature verifies ({used:?}) with Offline certificate {}",
                cert.serial()
            );
        }
        _ => return Err(CliError::Invalid("unsupported link kind".into())),
    }
    Ok(())
}
