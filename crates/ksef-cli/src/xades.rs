//! `ksef xades sign` and `ksef xades verify`: XAdES-BES over `AuthTokenRequest`
//! (DIGEST §5.2, `ksef_core::xades`).
//!
//! TODO(merge crypto): the key and certificate loading below is a minimal stand-in
//! (PEM PKCS#8, plain or encrypted; certificate PEM or DER) until the shared loaders
//! of `ksef_core::crypto` are merged.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use ksef_core::crypto::{SignRequest, SignatureAlgorithm};
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
    /// The private key (PEM PKCS#8, plain or encrypted), RSA ≥ 2048 or EC P-256.
    #[arg(long)]
    key: PathBuf,
    /// Password of an encrypted key.
    #[arg(long)]
    password: Option<String>,
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
    let cert = load_cert(&read_file(&a.cert)?)?;
    let key = load_key(&read_file(&a.key)?, a.password.as_deref())?;
    // The official client signs with "now - 1 minute" (DIGEST §5.2).
    let signing_time = time::OffsetDateTime::now_utc() - time::Duration::minutes(1);
    let xml = xades::sign_with(&request, &cert, signing_time, key.algorithm(), |r| {
        key.sign(r)
    })
    .map_err(CliError::invalid)?;
    write_output(a.output.as_deref(), &xml)
}

fn verify(xml: &[u8]) -> CliResult {
    match xades::verify(xml) {
        Ok(v) => {
            let r = &v.request;
            println!("valid: XAdES-BES signature over AuthTokenRequest");
            println!("signer: {}", v.certificate.tbs_certificate().subject());
            println!("certificate SHA-256: {}", v.certificate_fingerprint);
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

/// A certificate in PEM or DER, returned as DER.
fn load_cert(bytes: &[u8]) -> CliResult<Vec<u8>> {
    use der::{DecodePem, Encode};
    if bytes.starts_with(b"-----BEGIN") {
        x509_cert::Certificate::from_pem(bytes)
            .and_then(|c| c.to_der())
            .map_err(|e| CliError::Invalid(format!("cannot read certificate: {e}")))
    } else {
        Ok(bytes.to_vec())
    }
}

/// A private key able to sign a [`SignRequest`].
enum Key {
    Rsa(rsa::PrivateKey),
    P256(p256::ecdsa::SigningKey),
}

impl Key {
    fn algorithm(&self) -> SignatureAlgorithm {
        match self {
            Key::Rsa(_) => SignatureAlgorithm::RsaPkcs1v15Sha256,
            Key::P256(_) => SignatureAlgorithm::EcdsaP256Sha256P1363,
        }
    }

    fn sign(&self, r: &SignRequest) -> Result<Vec<u8>, String> {
        match (self, r.algorithm) {
            (Key::Rsa(k), SignatureAlgorithm::RsaPkcs1v15Sha256) => k
                .pkcs1v15_sign_with_rng::<sha2::Sha256, _>(&mut getrandom::SysRng, &r.message)
                .map_err(|e| e.to_string()),
            (Key::P256(k), SignatureAlgorithm::EcdsaP256Sha256P1363) => {
                use p256::ecdsa::signature::Signer;
                let s: p256::ecdsa::Signature = k.sign(&r.message);
                Ok(s.to_bytes().to_vec())
            }
            (_, other) => Err(format!("unexpected algorithm {other:?}")),
        }
    }
}

/// A PEM PKCS#8 key, RSA or EC P-256, encrypted (needs `password`) or not.
fn load_key(bytes: &[u8], password: Option<&str>) -> CliResult<Key> {
    use pkcs8::DecodePrivateKey;
    let pem = std::str::from_utf8(bytes)
        .map_err(|_| CliError::Invalid("the key must be a PEM PKCS#8 file".into()))?;
    if pem.contains("BEGIN RSA PRIVATE KEY") || pem.contains("BEGIN EC PRIVATE KEY") {
        return Err(CliError::Invalid(
            "the key is PKCS#1/SEC1; convert it with `openssl pkcs8 -topk8`".into(),
        ));
    }
    let encrypted = pem.contains("BEGIN ENCRYPTED PRIVATE KEY");
    match (encrypted, password) {
        (true, None) => Err(CliError::Usage(
            "the key is encrypted: pass --password".into(),
        )),
        (true, Some(pw)) => rsa::PrivateKey::from_pkcs8_encrypted_pem(pem, pw)
            .map(Key::Rsa)
            .or_else(|_| p256::ecdsa::SigningKey::from_pkcs8_encrypted_pem(pem, pw).map(Key::P256))
            .map_err(|e| {
                CliError::Invalid(format!(
                    "cannot decrypt the key (wrong password, or not RSA / EC P-256): {e}"
                ))
            }),
        (false, _) => rsa::PrivateKey::from_pkcs8_pem(pem)
            .map(Key::Rsa)
            .or_else(|_| p256::ecdsa::SigningKey::from_pkcs8_pem(pem).map(Key::P256))
            .map_err(|e| {
                CliError::Invalid(format!(
                    "cannot read the key (PEM PKCS#8, RSA or EC P-256): {e}"
                ))
            }),
    }
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

    /// Keys made by openssl (plain and encrypted PKCS#8, RSA and P-256) load, sign a
    /// request that verifies, and bad passwords or formats map to the right exit code.
    #[test]
    fn loads_openssl_keys() {
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
            let cert = load_cert(&std::fs::read(&cert).expect("cert")).expect("cert pem");
            for k in [
                load_key(&std::fs::read(&key).expect("key"), None).expect("plain key"),
                load_key(&std::fs::read(&enc).expect("key"), Some("pw")).expect("encrypted key"),
            ] {
                let req = AuthTokenRequest::new(
                    "20250604-CR-461EA5B000-537A6BA15D-D7",
                    ContextIdentifier::Nip("5265877635".into()),
                    SubjectIdentifierType::CertificateSubject,
                )
                .expect("request");
                let xml = xades::sign_with(
                    &req,
                    &cert,
                    time::OffsetDateTime::UNIX_EPOCH,
                    k.algorithm(),
                    |r| k.sign(r),
                )
                .expect("sign");
                assert!(xades::verify(&xml).is_ok());
            }
            let enc = std::fs::read(&enc).expect("key");
            assert!(matches!(load_key(&enc, None), Err(CliError::Usage(_))));
            assert!(matches!(
                load_key(&enc, Some("nope")),
                Err(CliError::Invalid(_))
            ));
        }
        assert!(matches!(load_key(b"junk", None), Err(CliError::Invalid(_))));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
