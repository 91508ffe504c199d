//! `ksef csr`: a new key and a PKCS#10 request for KSeF certificate enrollment (DIGEST §13).

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use ksef_core::csr::{CsrKeyType, CsrPrivateKey, EnrollmentSubject};
use rand_core::UnwrapErr;

use crate::error::{CliError, CliResult, read_file, write_output};

#[derive(Clone, Copy, ValueEnum)]
enum KeyType {
    /// EC P-256 (recommended by KSeF).
    Ec,
    /// RSA-2048.
    Rsa,
}

#[derive(Args)]
pub(crate) struct CsrArgs {
    /// Key type of the new key.
    #[arg(long, value_enum, default_value = "ec")]
    key_type: KeyType,
    /// The JSON returned by GET /certificates/enrollments/data.
    #[arg(long)]
    subject: PathBuf,
    /// Output directory: csr.pem, csr.der and key.pem are written there.
    #[arg(long)]
    out: PathBuf,
    /// Encrypt key.pem (PKCS#8, PBES2 PBKDF2-SHA256 AES-256-CBC) with this password.
    #[arg(long)]
    password: Option<String>,
}

/// The system RNG, checked once so that a broken source is an error, not a panic.
pub(crate) fn system_rng() -> CliResult<UnwrapErr<getrandom::SysRng>> {
    getrandom::fill(&mut [0u8; 8])
        .map_err(|e| CliError::Usage(format!("no system randomness: {e}")))?;
    Ok(UnwrapErr(getrandom::SysRng))
}

pub(crate) fn run(a: CsrArgs) -> CliResult {
    let subject =
        EnrollmentSubject::from_json(&read_file(&a.subject)?).map_err(CliError::invalid)?;
    let mut rng = system_rng()?;
    let key_type = match a.key_type {
        KeyType::Ec => CsrKeyType::EcP256,
        KeyType::Rsa => CsrKeyType::Rsa2048,
    };
    let key = CsrPrivateKey::generate(key_type, &mut rng).map_err(CliError::invalid)?;
    let csr = key.create_csr(&subject).map_err(CliError::invalid)?;
    let key_pem = match a.password.as_deref() {
        Some(pw) => key.to_encrypted_pkcs8_pem(&mut rng, pw.as_bytes()),
        None => key.to_pkcs8_pem(),
    }
    .map_err(CliError::invalid)?;
    std::fs::create_dir_all(&a.out)
        .map_err(|e| CliError::Usage(format!("cannot create {}: {e}", a.out.display())))?;
    write_private(&a.out.join("key.pem"), key_pem.as_bytes())?;
    write_output(
        Some(&a.out.join("csr.pem")),
        csr.to_pem().map_err(CliError::invalid)?.as_bytes(),
    )?;
    write_output(Some(&a.out.join("csr.der")), csr.to_der())?;
    for f in ["csr.pem", "csr.der", "key.pem"] {
        println!("{}", a.out.join(f).display());
    }
    if a.password.is_none() {
        eprintln!("ksef: warning: key.pem is not encrypted (pass --password to encrypt it)");
    }
    Ok(())
}

/// Writes a private key readable by its owner only (0600 on Unix), never overwriting.
fn write_private(path: &Path, bytes: &[u8]) -> CliResult {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let err = |e: std::io::Error| CliError::Usage(format!("cannot write {}: {e}", path.display()));
    opts.open(path).map_err(err)?.write_all(bytes).map_err(err)
}
