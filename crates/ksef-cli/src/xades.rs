//! `ksef xades sign` and `ksef xades verify`: XAdES-BES over `AuthTokenRequest`
//! (DIGEST §5.2, `ksef_core::xades`). Keys and certificates load through
//! `ksef_core::crypto::Credential` (PEM or DER, PKCS#8 / PKCS#1 / SEC1, encrypted or not).

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use ksef_core::crypto::{AuthSigningKey, Credential, CredentialError};
use ksef_core::xades::{self, AuthTokenRequest, ContextIdentifier, SubjectIdentifierType};

use crate::error::{CliError, CliResult, read_file, write_output};

#[derive(Subcommand)]
pub(crate) enum XadesCmd {
    /// Builds and signs an AuthTokenRequest (XAdES-BES, enveloped, exc-C14N, SHA-256).
    Sign(SignArgs),
    /// Verifies a signed AuthTokenRequest and says what is wrong with it.
    Verify {
        /// The signed XML file.
        file: PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ContextType {
    #[value(name = "Nip")]
    Nip,
    #[value(name = "InternalId")]
    InternalId,
    #[value(name = "NipVatUe")]
    NipVatUe,
    #[value(name = "PeppolId")]
    PeppolId,
}

#[derive(Clone, Copy, ValueEnum)]
enum SubjectType {
    #[value(name = "certificateSubject")]
    CertificateSubject,
    #[value(name = "certificateFingerprint")]
    CertificateFingerprint,
}

#[derive(Args)]
pub(crate) struct SignArgs {
    /// The challenge from POST /auth/challenge.
    #[arg(long)]
    challenge: String,
    /// The context identifier type.
    #[arg(long, value_enum)]
    context_type: ContextType,
    /// The context identifier value (NIP, internal id, NIP-VATUE, Peppol id).
    #[arg(long)]
    context: String,
    /// The signing certificate (PEM or DER).
    #[arg(long)]
    cert: PathBuf,
    /// The private key (PEM or DER; PKCS#8, PKCS#1 or SEC1), RSA ≥ 2048 or EC P-256.
    #[arg(long)]
    key: PathBuf,
    /// Password of an encrypted key.
    #[arg(long)]
    password: Option<String>,
    /// The certificate is a qualified signature/seal certificate (keyUsage
    /// nonRepudiation only): skip the KSeF certificate-type check.
    #[arg(long)]
    qualified: bool,
    /// How KSeF identifies the signer.
    #[arg(long, value_enum, default_value = "certificateSubject")]
    subject_type: SubjectType,
    /// Output file (default: stdout).
    #[arg(short = 'o', long)]
    output: Option<PathBuf>,
}

pub(crate) fn run(cmd: XadesCmd) -> CliResult {
    match cmd {
        XadesCmd::Sign(a) => sign(a),
        XadesCmd::Verify { file } => verify(&read_file(&file)?),
    }
}

fn sign(a: SignArgs) -> CliResult {
    let kind = match a.context_type {
        ContextType::Nip => "Nip",
        ContextType::InternalId => "InternalId",
        ContextType::NipVatUe => "NipVatUe",
        ContextType::PeppolId => "PeppolId",
    };
    let subject = match a.subject_type {
        SubjectType::CertificateSubject => SubjectIdentifierType::CertificateSubject,
        SubjectType::CertificateFingerprint => SubjectIdentifierType::CertificateFingerprint,
    };
    let context = ContextIdentifier::parse(kind, &a.context).map_err(CliError::invalid)?;
    let request =
        AuthTokenRequest::new(&a.challenge, context, subject).map_err(CliError::invalid)?;
    let now = time::OffsetDateTime::now_utc();
    let key = auth_key(
        &read_file(&a.cert)?,
        &read_file(&a.key)?,
        a.password.as_deref(),
        a.qualified,
        now,
    )?;
    // The official client signs with "now - 1 minute" (DIGEST §5.2).
    let signing_time = now - time::Duration::minutes(1);
    let mut rng = getrandom::rand_core::UnwrapErr(getrandom::SysRng);
    let xml = xades::sign(&request, &key, signing_time, &mut rng).map_err(CliError::invalid)?;
    write_output(a.output.as_deref(), &xml)
}

fn verify(xml: &[u8]) -> CliResult {
    match xades::verify(xml) {
        Ok(v) => {
            let r = &v.request;
            println!("valid: XAdES-BES signature over AuthTokenRequest");
            println!("signer: {}", v.certificate.subject());
            println!(
                "certificate SHA-256: {}",
                v.certificate.fingerprint_sha256()
            );
            println!("challenge: {}", r.challenge());
            println!("context: {} {}", r.context().kind(), r.context().value());
            println!("subject identifier type: {}", r.subject_type().as_str());
            if let Some(t) = v.signing_time {
                let rfc3339 = time::format_description::well_known::Rfc3339;
                println!(
                    "signing time: {}",
                    t.format(&rfc3339).unwrap_or_else(|_| t.to_string())
                );
            }
            println!("signature method: {}", v.signature_method);
            Ok(())
        }
        Err(e) => Err(CliError::Invalid(match e.ksef_code() {
            Some(code) => format!("invalid: {e} (KSeF would answer {code})"),
            None => format!("invalid: {e}"),
        })),
    }
}

/// Loads the certificate and key and checks them for XAdES login at `now`. A missing
/// password is a usage error; everything else wrong with the files is invalid input.
fn auth_key(
    cert: &[u8],
    key: &[u8],
    password: Option<&str>,
    qualified: bool,
    now: time::OffsetDateTime,
) -> CliResult<AuthSigningKey> {
    let credential = Credential::load(cert, key, password).map_err(|e| match e {
        CredentialError::PasswordRequired => {
            CliError::Usage("the key is encrypted: pass --password".into())
        }
        e => CliError::invalid(e),
    })?;
    if qualified {
        AuthSigningKey::new_qualified(credential, now)
    } else {
        AuthSigningKey::new(credential, now)
    }
    .map_err(CliError::invalid)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    fn openssl(args: &[&str]) {
        let ok = Command::new("openssl")
            .args(args)
            .status()
            .map(|s| s.success());
        assert_eq!(ok.ok(), Some(true), "openssl {args:?}");
    }

    /// Keys made by openssl (plain and encrypted PKCS#8, RSA and P-256) sign a request
    /// that verifies; a missing password is a usage error, a wrong one invalid input.
    #[test]
    fn signs_with_openssl_keys() {
        let dir = std::env::temp_dir().join(format!("ksef-cli-xades-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let p = |n: &str| dir.join(n).to_string_lossy().into_owned();
        let subj = "/CN=Jan Testowy/serialNumber=TINPL-5265877635/C=PL";
        for (name, newkey) in [("rsa", "rsa:2048"), ("ec", "ec")] {
            let (key, cert, enc) = (
                p(&format!("{name}.key")),
                p(&format!("{name}.crt")),
                p(&format!("{name}.enc")),
            );
            let mut args = vec![
                "req", "-x509", "-nodes", "-days", "2", "-subj", subj, "-newkey", newkey,
            ];
            if name == "ec" {
                args.extend(["-pkeyopt", "ec_paramgen_curve:P-256"]);
            }
            args.extend(["-keyout", &key, "-out", &cert]);
            openssl(&args);
            openssl(&[
                "pkcs8",
                "-topk8",
                "-v2",
                "aes-256-cbc",
                "-in",
                &key,
                "-out",
                &enc,
                "-passout",
                "pass:pw",
            ]);
            // after openssl, so that the certificate is already valid
            let now = time::OffsetDateTime::now_utc();
            let cert = std::fs::read(&cert).expect("cert");
            let (key, enc) = (
                std::fs::read(&key).expect("key"),
                std::fs::read(&enc).expect("enc"),
            );
            for k in [
                auth_key(&cert, &key, None, false, now).expect("plain key"),
                auth_key(&cert, &enc, Some("pw"), false, now).expect("encrypted key"),
            ] {
                let req = AuthTokenRequest::new(
                    "20250604-CR-461EA5B000-537A6BA15D-D7",
                    ContextIdentifier::Nip("5265877635".into()),
                    SubjectIdentifierType::CertificateSubject,
                )
                .expect("request");
                let mut rng = getrandom::rand_core::UnwrapErr(getrandom::SysRng);
                let xml = xades::sign(&req, &k, now, &mut rng).expect("sign");
                assert!(xades::verify(&xml).is_ok());
            }
            assert!(matches!(
                auth_key(&cert, &enc, None, false, now),
                Err(CliError::Usage(_))
            ));
            assert!(matches!(
                auth_key(&cert, &enc, Some("nope"), false, now),
                Err(CliError::Invalid(_))
            ));
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
