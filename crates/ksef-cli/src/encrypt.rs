//! `ksef encrypt`: encrypts an invoice (or a batch part) for KSeF, byte-exact (DIGEST §7).
//!
//! Draws the session AES key and IV from the OS (`getrandom`), wraps the key for the MF
//! certificate (RSA-OAEP-SHA256), and writes into `--out`:
//! - `encrypted-symmetric-key.bin`: the wrapped key (raw; Base64 in `request.json`);
//! - `iv.bin`: the 16-byte IV;
//! - `invoice.enc`: the ciphertext (raw, IV not prepended);
//! - `request.json`: `{"encryption": EncryptionInfo, "invoice": SendInvoiceRequest fields}`.
//!
//! The plain AES key is never written.

use std::path::{Path, PathBuf};

use clap::Args;
use ksef_core::crypto::{
    Certificate, EncryptionInfo, InvoiceEncryptionKey, MfKeyUsage, MfPublicKey,
};
use serde_json::json;

use crate::error::{CliError, CliResult, read_file, write_output};

#[derive(Args)]
pub(crate) struct EncryptArgs {
    /// The MF certificate (usage SymmetricKeyEncryption): PEM, DER, or the JSON body of
    /// `GET /security/public-key-certificates` (the key valid now is chosen).
    #[arg(long)]
    mf_cert: PathBuf,
    /// The invoice XML (or any bytes, e.g. a batch ZIP part).
    #[arg(long)]
    file: PathBuf,
    /// The output directory (created if missing).
    #[arg(long)]
    out: PathBuf,
}

fn load_mf(bytes: &[u8]) -> CliResult<MfPublicKey> {
    let trimmed = bytes.trim_ascii_start();
    if trimmed.starts_with(b"[") {
        return MfPublicKey::select(
            bytes,
            MfKeyUsage::SymmetricKeyEncryption,
            time::OffsetDateTime::now_utc(),
        )
        .map_err(CliError::invalid);
    }
    let cert = Certificate::from_pem_or_der(bytes).map_err(CliError::invalid)?;
    MfPublicKey::from_certificate(cert).map_err(CliError::invalid)
}

pub(crate) fn run(a: EncryptArgs) -> CliResult {
    let mf = load_mf(&read_file(&a.mf_cert)?)?;
    let plain = read_file(&a.file)?;
    let mut rng = getrandom::rand_core::UnwrapErr(getrandom::SysRng);
    let session = InvoiceEncryptionKey::generate(&mut rng);
    let wrapped = session.wrap_for(&mf, &mut rng).map_err(CliError::invalid)?;
    let info = EncryptionInfo::new(&wrapped, session.iv(), mf.public_key_id());
    let ct = session.encrypt_bytes(&plain);
    let sent = session.encrypt_invoice(&plain);
    std::fs::create_dir_all(&a.out)
        .map_err(|e| CliError::Usage(format!("cannot create {}: {e}", a.out.display())))?;
    let put = |name: &str, bytes: &[u8]| write_output(Some(&Path::new(&a.out).join(name)), bytes);
    put("encrypted-symmetric-key.bin", &wrapped)?;
    put("iv.bin", session.iv())?;
    put("invoice.enc", &ct)?;
    let request = json!({ "encryption": info, "invoice": sent });
    let text = serde_json::to_string_pretty(&request).map_err(CliError::invalid)?;
    put("request.json", text.as_bytes())?;
    eprintln!(
        "ksef: encrypted {} bytes into {} bytes; publicKeyId {}; wrote {}",
        plain.len(),
        ct.len(),
        mf.public_key_id(),
        a.out.display()
    );
    Ok(())
}
