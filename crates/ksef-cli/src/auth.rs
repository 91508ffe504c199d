//! `ksef auth`: XAdES login against KSeF through the sans-IO client (DIGEST §5); prints
//! the authorization state as one JSON line.

use clap::Args;
use ksef_client_native::{KeySigner, NativeTransport};
use ksef_core::client::Client;
use ksef_core::client::auth::{AuthFailure, XadesLogin};
use ksef_core::client::governor::Profile;
use ksef_core::crypto::{AuthSigningKey, Credential};
use ksef_core::xades::ContextIdentifier;
use serde_json::json;

use crate::credential::KeyArgs;
use crate::error::{CliError, CliResult, read_file};

/// Where and as whom to log in.
#[derive(Args)]
pub(crate) struct LoginArgs {
    /// The API base URL, e.g. `https://api-test.ksef.mf.gov.pl/v2` or a simulator's `…/v2`.
    #[arg(long)]
    pub(crate) url: String,
    /// The context identifier type: Nip, InternalId, NipVatUe or PeppolId.
    #[arg(long, default_value = "Nip")]
    pub(crate) context_type: String,
    /// The context identifier value (e.g. the company NIP).
    #[arg(long)]
    pub(crate) context: String,
    #[command(flatten)]
    pub(crate) key: KeyArgs,
}

/// Logs in; on failure prints the state line and returns an invalid-input error.
pub(crate) async fn login(args: &LoginArgs) -> CliResult<Client<NativeTransport>> {
    let context = ContextIdentifier::parse(&args.context_type, &args.context)
        .map_err(|e| CliError::Usage(e.to_string()))?;
    let now = time::OffsetDateTime::now_utc();
    let password = args.key.password.get()?;
    let (cert, key) = (read_file(&args.key.cert)?, read_file(&args.key.key)?);
    let key = Credential::load(&cert, &key, password.as_deref().map(String::as_str))
        .and_then(|c| AuthSigningKey::new(c, now));
    let key = match key {
        Ok(k) => k,
        Err(e) => {
            let f = AuthFailure::from_credential(&e);
            print_failure(&f);
            return Err(match f {
                AuthFailure::MissingCredentials(_) => CliError::Usage(f.to_string()),
                _ => CliError::invalid(f),
            });
        }
    };
    let algorithm = key.sign_request(b"").algorithm;
    let login = XadesLogin::new(key.certificate().der().to_vec(), algorithm, context);
    let mut client = Client::new(NativeTransport::new(&args.url), Profile::production());
    match client.login(login, &mut KeySigner(key)).await {
        Ok(()) => Ok(client),
        Err(f) => {
            print_failure(&f);
            Err(CliError::invalid(f))
        }
    }
}

fn print_failure(f: &AuthFailure) {
    println!("{}", json!({"state": "error", "reason": f.to_string()}));
}

/// `ksef auth`.
pub(crate) fn run(args: LoginArgs) -> CliResult {
    crate::runtime()?.block_on(async {
        let client = login(&args).await?;
        let tokens = client
            .authorization()
            .tokens()
            .ok_or_else(|| CliError::Invalid("no tokens after login".into()))?;
        println!(
            "{}",
            json!({
                "state": "accepted",
                "referenceNumber": tokens.reference,
                "accessTokenValidUntil": tokens.access.valid_until,
                "refreshTokenValidUntil": tokens.refresh.valid_until,
            })
        );
        Ok(())
    })
}
