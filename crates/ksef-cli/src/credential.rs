//! What every command that signs shares: the `--cert/--key/--password/--password-file`
//! arguments, loading them into a `Credential` with the core's precise errors, and the
//! system RNG (the core itself never draws randomness).

use std::path::{Path, PathBuf};

use clap::Args;
use getrandom::rand_core::UnwrapErr;
use ksef_core::crypto::{Credential, CredentialError};

use crate::error::{CliError, CliResult, read_file};

/// A certificate and its private key, as files.
#[derive(Args)]
pub(crate) struct KeyArgs {
    /// The certificate (PEM or DER).
    #[arg(long)]
    pub(crate) cert: PathBuf,
    /// Its private key (PEM or DER; PKCS#8 plain or encrypted, PKCS#1, SEC1), RSA ≥ 2048
    /// or EC P-256.
    #[arg(long)]
    pub(crate) key: PathBuf,
    #[command(flatten)]
    pub(crate) password: PasswordArgs,
}

/// The password of an encrypted private key.
#[derive(Args)]
pub(crate) struct PasswordArgs {
    /// The key's password (visible to other local users; prefer --password-file).
    #[arg(long, conflicts_with = "password_file")]
    password: Option<String>,
    /// A file whose first line is the key's password.
    #[arg(long)]
    password_file: Option<PathBuf>,
}

impl PasswordArgs {
    /// The password given by flag or file, if any.
    pub(crate) fn get(&self) -> CliResult<Option<zeroize::Zeroizing<String>>> {
        match (&self.password, &self.password_file) {
            (Some(p), _) => Ok(Some(p.clone().into())),
            (None, Some(f)) => Ok(Some(first_line(f)?.into())),
            (None, None) => Ok(None),
        }
    }
}

fn first_line(f: &Path) -> CliResult<String> {
    let text = zeroize::Zeroizing::new(
        String::from_utf8(read_file(f)?)
            .map_err(|_| CliError::Usage(format!("{}: not UTF-8", f.display())))?,
    );
    Ok(text.lines().next().unwrap_or_default().to_owned())
}

impl KeyArgs {
    /// Loads and pairs the certificate and key. A missing password is a usage error;
    /// everything else wrong with the files is invalid input, with the core's reason.
    pub(crate) fn load(&self) -> CliResult<Credential> {
        let password = self.password.get()?;
        Credential::load(
            &read_file(&self.cert)?,
            &read_file(&self.key)?,
            password.as_deref().map(String::as_str),
        )
        .map_err(|e| match e {
            CredentialError::PasswordRequired => {
                CliError::Usage("the key is encrypted: pass --password or --password-file".into())
            }
            e => CliError::invalid(e),
        })
    }
}

/// The system RNG, checked once so that a broken source is an error, not a panic.
pub(crate) fn system_rng() -> CliResult<UnwrapErr<getrandom::SysRng>> {
    getrandom::fill(&mut [0u8; 8])
        .map_err(|e| CliError::Usage(format!("no system randomness: {e}")))?;
    Ok(UnwrapErr(getrandom::SysRng))
}
