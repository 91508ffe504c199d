//! `ksef-sim --listen ADDR [--schemas DIR | --no-xsd]`: the KSeF 2.0 simulator.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use ksef_sim::{SimConfig, Simulator};

/// KSeF 2.0 simulator faithful to the Ministry's TEST environment.
#[derive(Parser, Debug)]
#[command(name = "ksef-sim", version)]
struct Args {
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

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
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
