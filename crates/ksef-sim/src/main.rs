//! `ksef-sim --listen ADDR [--schemas DIR | --no-xsd]`: the KSeF 2.0 simulator.
//! `ksef-sim demo-credentials --nip NIP --password PW --out DIR`: TEST-style self-signed
//! Authentication and Offline certificates with encrypted keys, to try the whole flow.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use ksef_sim::demo::{DemoType, demo_credentials};
use ksef_sim::rng::SimRng;
use ksef_sim::{SimConfig, Simulator};

/// KSeF 2.0 simulator faithful to the Ministry's TEST environment.
#[derive(Parser, Debug)]
#[command(name = "ksef-sim", version, args_conflicts_with_subcommands = true)]
struct Args {
    #[command(subcommand)]
    command: Option<Command>,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: String,
    /// Directory with the official schemas (default: ../shared/ksef/schemas of the repo).
    #[arg(long, conflicts_with = "no_xsd")]
    schemas: Option<PathBuf>,
    /// Run without XSD validation of invoices.
    #[arg(long)]
    no_xsd: bool,
    /// Use zero processing delays (unit-test mode).
    #[arg(long)]
    zero_delays: bool,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Writes demo credentials for NIP (the same as `POST /_sim/demo-credentials`): a
    /// self-signed TEST-style certificate (organizationIdentifier VATPL-NIP) and its
    /// P-256 key as PBES2-encrypted PKCS#8, for each requested certificate type.
    DemoCredentials {
        /// The company NIP the certificates are issued for.
        #[arg(long)]
        nip: String,
        /// Password that encrypts the private keys.
        #[arg(long)]
        password: String,
        /// Output directory: `{authentication,offline}.crt` and `.key`.
        #[arg(long)]
        out: PathBuf,
        /// Which certificate types to make (default: both).
        #[arg(long = "type", value_enum)]
        kinds: Vec<Kind>,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Kind {
    /// keyUsage digitalSignature: XAdES login.
    Authentication,
    /// keyUsage nonRepudiation: KOD II signing.
    Offline,
}

fn write_demo_credentials(
    nip: &str,
    password: &str,
    out: &std::path::Path,
    kinds: &[Kind],
) -> ExitCode {
    let kinds = if kinds.is_empty() {
        vec![Kind::Authentication, Kind::Offline]
    } else {
        kinds.to_vec()
    };
    if let Err(e) = std::fs::create_dir_all(out) {
        eprintln!("ksef-sim: cannot create {}: {e}", out.display());
        return ExitCode::from(2);
    }
    let now = time::OffsetDateTime::now_utc();
    let mut rng = SimRng::os();
    for kind in kinds {
        let (ty, name) = match kind {
            Kind::Authentication => (DemoType::Authentication, "authentication"),
            Kind::Offline => (DemoType::Offline, "offline"),
        };
        let creds = match demo_credentials(nip, ty, password, now, &mut rng) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("ksef-sim: {e}");
                return ExitCode::FAILURE;
            }
        };
        let (crt, key) = (
            out.join(format!("{name}.crt")),
            out.join(format!("{name}.key")),
        );
        for (path, body) in [
            (&crt, &creds.certificate_pem),
            (&key, &creds.private_key_pem),
        ] {
            if let Err(e) = std::fs::write(path, body) {
                eprintln!("ksef-sim: cannot write {}: {e}", path.display());
                return ExitCode::from(2);
            }
        }
        println!(
            "{name}: {} + {} ({}, SHA-256 {})",
            crt.display(),
            key.display(),
            creds.subject,
            creds.fingerprint
        );
    }
    ExitCode::SUCCESS
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    if let Some(Command::DemoCredentials {
        nip,
        password,
        out,
        kinds,
    }) = &args.command
    {
        return write_demo_credentials(nip, password, out, kinds);
    }
    let mut config = SimConfig::default();
    if !args.no_xsd {
        match args.schemas.or_else(ksef_sim::xsd::default_schema_dir) {
            Some(dir) => config = config.with_schemas(dir),
            None => {
                eprintln!(
                    "ksef-sim: no schema directory (use --schemas DIR, or --no-xsd to run without XSD validation)"
                );
                return ExitCode::from(2);
            }
        }
    }
    if args.zero_delays {
        config = config.with_delays(ksef_sim::Delays::ZERO);
    }
    let sim = match Simulator::new(config) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("ksef-sim: {e}");
            return ExitCode::FAILURE;
        }
    };
    let listener = match tokio::net::TcpListener::bind(&args.listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("ksef-sim: cannot listen on {}: {e}", args.listen);
            return ExitCode::FAILURE;
        }
    };
    if let Ok(addr) = listener.local_addr() {
        eprintln!("ksef-sim: listening on http://{addr}/v2");
    }
    match ksef_sim::serve(listener, sim).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ksef-sim: {e}");
            ExitCode::FAILURE
        }
    }
}
