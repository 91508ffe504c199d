//! `ksef`: the command line over ksef-core.
//!
//! Exit codes are part of the interface: 0 = ok, 1 = invalid input (the input was read
//! and found wanting: invalid invoice, bad checksum, rejected by KSeF), 2 = usage
//! (bad flags, unreadable files). Results go to stdout, diagnostics to stderr.

mod auth;
mod calendar;
mod cert;
mod credential;
mod csr;
mod encrypt;
mod error;
mod invoice;
mod number;
mod offline;
mod qr;
mod send;
mod status;
mod xades;

use clap::{Parser, Subcommand};

/// KSeF 2.0 tools: FA(3) invoices, identifiers, keys, QR codes, sending.
#[derive(Parser)]
#[command(name = "ksef", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// FA(3) invoices: build, parse, emit, validate, hash.
    #[command(subcommand)]
    Invoice(invoice::InvoiceCmd),
    /// KSeF numbers and reference numbers.
    #[command(subcommand)]
    Number(number::NumberCmd),
    /// NIP checks.
    #[command(subcommand)]
    Nip(number::NipCmd),
    /// Offline invoices: the deadline for sending them to KSeF.
    #[command(subcommand)]
    Offline(offline::OfflineCmd),
    /// Polish public holidays and business days.
    #[command(subcommand)]
    Calendar(calendar::CalendarCmd),
    /// KOD I / KOD II verification links and QR codes.
    #[command(subcommand)]
    Qr(qr::QrCmd),
    /// A new key and a PKCS#10 request for KSeF certificate enrollment.
    Csr(csr::CsrArgs),
    /// Certificates and keys: inspect (KSeF type, identifiers, fingerprint, key match).
    #[command(subcommand)]
    Cert(cert::CertCmd),
    /// Encrypts an invoice for KSeF (AES-256-CBC, key wrapped with RSA-OAEP for MF).
    Encrypt(encrypt::EncryptArgs),
    /// XAdES-BES signatures of AuthTokenRequest (POST /auth/xades-signature).
    #[command(subcommand)]
    Xades(xades::XadesCmd),
    /// Logs in to KSeF (XAdES) and prints the authorization state.
    Auth(auth::LoginArgs),
    /// Sends invoices to KSeF in an online session; one JSON line per invoice.
    Send(send::SendArgs),
    /// Shows a sent invoice's or a session's status in KSeF.
    Status(status::StatusArgs),
    /// Downloads the UPO of a sent invoice or of a closed session.
    Upo(status::UpoArgs),
}

/// A single-threaded runtime for the commands that talk to KSeF.
fn runtime() -> error::CliResult<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| error::CliError::Usage(format!("cannot start the runtime: {e}")))
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Invoice(cmd) => invoice::run(cmd),
        Command::Number(cmd) => number::run_number(cmd),
        Command::Nip(cmd) => number::run_nip(cmd),
        Command::Offline(cmd) => offline::run(cmd),
        Command::Calendar(cmd) => calendar::run(cmd),
        Command::Qr(cmd) => qr::run(cmd),
        Command::Csr(args) => csr::run(args),
        Command::Cert(cmd) => cert::run(cmd),
        Command::Encrypt(args) => encrypt::run(args),
        Command::Xades(cmd) => xades::run(cmd),
        Command::Auth(args) => auth::run(args),
        Command::Send(args) => send::run(args),
        Command::Status(args) => status::run_status(args),
        Command::Upo(args) => status::run_upo(args),
    };
    if let Err(e) = result {
        eprintln!("ksef: {e}");
        std::process::exit(e.exit_code());
    }
}
