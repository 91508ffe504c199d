//! `ksef-proxy`: binds, serves, shuts down gracefully. Everything else is in the library.
//!
//! Threads: one single-threaded tokio runtime per CPU (`--threads`), each accepting on
//! the same listening socket with its own upstream connection pool, so a request never
//! crosses threads (no work-stealing wake-ups; the largest cost on a loaded 2-core box
//! after the client itself). The main thread keeps signals and the embedded simulator.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use ksef_proxy::config::{Config, EnvConfig};

/// mimalloc: a few small blocks per request on every runtime thread; measured ~9 % less
/// CPU per proxied request than glibc malloc (`scripts/bench-proxy`).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Thin proxy between the browser and KSeF 2.0.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Listen address.
    #[arg(long, env = "KSEF_PROXY_LISTEN", default_value = "127.0.0.1:8080")]
    listen: String,
    /// Optional TOML configuration file (flags and environment override it).
    #[arg(long, env = "KSEF_PROXY_CONFIG")]
    config: Option<PathBuf>,
    /// Comma-separated frontend origins allowed by CORS.
    #[arg(long, env = "KSEF_PROXY_CORS_ORIGINS", value_delimiter = ',')]
    cors_origins: Vec<String>,
    /// Directory of the built web app to serve at `/`.
    #[arg(long, env = "KSEF_PROXY_WEB_DIR")]
    web_dir: Option<PathBuf>,
    /// The proxy's public base URL, prefixed to rewritten storage links.
    #[arg(long, env = "KSEF_PROXY_PUBLIC_URL")]
    public_url: Option<String>,
    /// Secret for storage link signatures (random per process when unset).
    #[arg(long, env = "KSEF_PROXY_LINK_SECRET", hide_env_values = true)]
    link_secret: Option<String>,
    /// Enforce user permissions (`X-App-Authorization: Bearer <HS256 JWT>`).
    #[arg(long, env = "KSEF_PROXY_PERMISSIONS")]
    permissions: bool,
    /// HS256 secret verifying user tokens.
    #[arg(long, env = "KSEF_PROXY_PERMISSIONS_SECRET", hide_env_values = true)]
    permissions_secret: Option<String>,
    /// File with the SPKI PEM public key verifying RS256/ES256 user tokens.
    #[arg(long, env = "KSEF_PROXY_PERMISSIONS_PUBLIC_KEY")]
    permissions_public_key: Option<PathBuf>,
    /// Runtime threads serving requests (0: one per CPU).
    #[arg(long, env = "KSEF_PROXY_THREADS", default_value_t = 0)]
    threads: usize,
    /// Demo (requires --sim): enforce permissions with a random HS256 secret and mint
    /// user tokens at `POST /_demo/token` for the reference app's user switcher.
    #[arg(long, requires = "sim")]
    demo_tokens: bool,
    /// Where the embedded simulator listens (its `/_sim` control API); default: a free
    /// loopback port (logged at start-up).
    #[arg(long, requires = "sim", default_value = "127.0.0.1:0")]
    sim_listen: String,
    /// Embed the KSeF simulator as the `sim` environment (its Latarnia included; its
    /// `/_sim` control API stays on the simulator's own port, never behind the proxy).
    #[arg(long)]
    sim: bool,
    /// Simulator schemas directory (default: the simulator's own lookup).
    #[arg(long)]
    sim_schemas: Option<PathBuf>,
    /// Simulator without invoice XSD validation.
    #[arg(long)]
    sim_no_xsd: bool,
}

fn load(args: &Args) -> Result<Config, String> {
    let mut config = match &args.config {
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
            Config::from_toml(&text).map_err(|e| format!("{}: {e}", p.display()))?
        }
        None => Config::default(),
    };
    if !args.cors_origins.is_empty() {
        config.cors_origins = args.cors_origins.clone();
    }
    if args.web_dir.is_some() {
        config.web_dir = args.web_dir.clone();
    }
    if args.public_url.is_some() {
        config.public_url = args.public_url.clone();
    }
    if args.link_secret.is_some() {
        config.link_secret = args.link_secret.clone();
    }
    if args.permissions {
        config.permissions.enabled = true;
    }
    if args.demo_tokens {
        config.permissions.enabled = true;
        config.permissions.demo_tokens = true;
        if config.permissions.hs256_secret.is_none() && args.permissions_secret.is_none() {
            let mut secret = [0u8; 32];
            getrandom::fill(&mut secret).map_err(|e| format!("no randomness: {e}"))?;
            config.permissions.hs256_secret =
                Some(secret.iter().map(|b| format!("{b:02x}")).collect());
        }
    }
    if args.permissions_secret.is_some() {
        config.permissions.hs256_secret = args.permissions_secret.clone();
    }
    if let Some(p) = &args.permissions_public_key {
        config.permissions.public_key_pem =
            Some(std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?);
    }
    Ok(config)
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
    tracing::info!("shutting down");
}

async fn run(args: Args) -> Result<(), String> {
    let mut config = load(&args)?;
    let _sim = if args.sim {
        let mut sc = ksef_sim::SimConfig::default();
        if !args.sim_no_xsd {
            match args
                .sim_schemas
                .clone()
                .or_else(ksef_sim::xsd::default_schema_dir)
            {
                Some(dir) => sc = sc.with_schemas(dir),
                None => {
                    return Err(
                        "simulator: no schema directory (--sim-schemas DIR or --sim-no-xsd)".into(),
                    );
                }
            }
        }
        let sim = ksef_sim::Simulator::new(sc).map_err(|e| format!("simulator: {e}"))?;
        let running = ksef_sim::spawn(sim, &args.sim_listen)
            .await
            .map_err(|e| format!("simulator: {e}"))?;
        config.envs.insert(
            "sim".into(),
            EnvConfig::new(running.base_url()).with_latarnia(running.base_url()),
        );
        tracing::info!(base = running.base_url(), "embedded simulator as env `sim`");
        Some(running)
    } else {
        None
    };
    if args.sim && config.web_dir.is_none() {
        // The web app's Vite build output, when it has been built.
        config.web_dir = Some(PathBuf::from("web/dist")).filter(|p| p.is_dir());
    }
    let state = ksef_proxy::AppState::new(config).map_err(|e| e.to_string())?;
    let listener =
        std::net::TcpListener::bind(&args.listen).map_err(|e| format!("{}: {e}", args.listen))?;
    listener
        .set_nonblocking(true)
        .map_err(|e| format!("{}: {e}", args.listen))?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("{}: {e}", args.listen))?;
    let threads = match args.threads {
        0 => std::thread::available_parallelism().map_or(1, usize::from),
        n => n,
    };
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let (done_tx, mut done_rx) = tokio::sync::mpsc::unbounded_channel();
    for i in 0..threads {
        let state = state.fork().map_err(|e| e.to_string())?;
        let listener = listener.try_clone().map_err(|e| e.to_string())?;
        let stop = stop_rx.clone();
        let done = done_tx.clone();
        std::thread::Builder::new()
            .name(format!("proxy-{i}"))
            .spawn(move || {
                let _ = done.send(worker(listener, state, stop));
            })
            .map_err(|e| e.to_string())?;
    }
    drop(done_tx);
    tracing::info!(%addr, threads, "listening");
    let early = tokio::select! {
        () = shutdown() => None,
        r = done_rx.recv() => Some(r.unwrap_or(Ok(())).and(Err("a worker stopped".into()))),
    };
    let _ = stop_tx.send(true);
    // In-flight requests finish (the simulator keeps running until they have).
    let mut result = early.unwrap_or(Ok(()));
    while let Some(r) = done_rx.recv().await {
        if result.is_ok() {
            result = r;
        }
    }
    result
}

/// One runtime thread: serves `listener` until `stop` turns true, then drains.
fn worker(
    listener: std::net::TcpListener,
    state: ksef_proxy::AppState,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> Result<(), String> {
    use axum::serve::ListenerExt;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)
            .map_err(|e| e.to_string())?
            .tap_io(|tcp| {
                let _ = tcp.set_nodelay(true);
            });
        axum::serve(listener, ksef_proxy::app(state))
            .with_graceful_shutdown(async move {
                let _ = stop.wait_for(|s| *s).await;
            })
            .await
            .map_err(|e| e.to_string())
    })
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let args = Args::parse();
    let result = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())
        .and_then(|rt| rt.block_on(run(args)));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ksef-proxy: {e}");
            ExitCode::FAILURE
        }
    }
}
