#![doc = include_str!("../README.md")]
//!
//! ## Layout
//! - [`Simulator`]: configuration, clock, RNG and the in-memory state behind one lock.
//! - [`router`] / [`serve`] / [`spawn`]: the axum application and its server.
//! - `api::*`: one module per KSeF API area; `pipeline`: asynchronous invoice processing.
//! - `/_sim/...`: the control API (reset, delays, clock, faults, Latarnia, keys, demo
//!   credentials).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod api;
pub mod certs;
pub mod clock;
pub mod config;
pub mod demo;
pub mod error;
pub mod ids;
pub mod invoice_xml;
pub mod ipfilter;
pub mod jwt;
pub mod keys;
mod pipeline;
pub mod ratelimit;
pub mod rng;
pub mod state;
pub mod upo;
pub mod util;
pub mod xsd;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use ksef_core::crypto::MfKeyUsage;
use time::OffsetDateTime;
use tokio::net::TcpListener;

pub use clock::{Clock, SystemClock, TestClock};
pub use config::{Delays, RulesProfile, SimConfig};
pub use rng::SimRng;

use clock::lock;
use keys::MfKey;
use state::State;
use xsd::XsdValidator;

/// Why the simulator could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SimError {
    /// Key or certificate generation failed.
    #[error(transparent)]
    Keys(#[from] certs::CertError),
    /// The schemas could not be loaded.
    #[error(transparent)]
    Xsd(#[from] xsd::XsdError),
    /// Binding or serving failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// A running simulator: configuration, clock, RNG and state. Cheap to clone (an `Arc`).
#[derive(Clone)]
pub struct Simulator {
    inner: Arc<Inner>,
}

struct Inner {
    config: Mutex<SimConfig>,
    clock: Arc<dyn Clock>,
    offset: Mutex<time::Duration>,
    rng: Mutex<SimRng>,
    state: Mutex<State>,
    jwt_secret: Vec<u8>,
    xsd: Option<XsdValidator>,
    initial_keys: Vec<MfKey>,
    ca_key: p256::ecdsa::SigningKey,
}

impl std::fmt::Debug for Simulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulator").finish_non_exhaustive()
    }
}

impl Simulator {
    /// A simulator on the system clock. Generates the two MF RSA-2048 keys and loads the
    /// schemas from `config.schemas` (if set).
    ///
    /// # Errors
    /// [`SimError`] if key generation or schema loading fails.
    pub fn new(config: SimConfig) -> Result<Self, SimError> {
        Self::with_clock(config, Arc::new(SystemClock), Vec::new())
    }

    /// A simulator on `clock`. `mf_rsa_keys` (0 or 2 keys: `SymmetricKeyEncryption`,
    /// `KsefTokenEncryption`) lets a test suite reuse keys instead of generating them.
    ///
    /// # Errors
    /// [`SimError`] if key generation or schema loading fails.
    pub fn with_clock(
        config: SimConfig,
        clock: Arc<dyn Clock>,
        mf_rsa_keys: Vec<rsa::PrivateKey>,
    ) -> Result<Self, SimError> {
        let mut rng = match config.rng_seed {
            Some(s) => SimRng::seeded(s),
            None => SimRng::os(),
        };
        let now = clock.now();
        let usages = [
            MfKeyUsage::SymmetricKeyEncryption,
            MfKeyUsage::KsefTokenEncryption,
        ];
        let mut keys = Vec::new();
        let mut given = mf_rsa_keys.into_iter();
        for usage in usages {
            let key = match given.next() {
                Some(k) => MfKey::from_rsa(k, usage, now, &mut rng)?,
                None => MfKey::generate(usage, 2048, now, &mut rng)?,
            };
            keys.push(key);
        }
        let xsd = match &config.schemas {
            Some(dir) => Some(XsdValidator::start(dir)?),
            None => None,
        };
        let jwt_secret = rng.bytes(32);
        let ca_key = <p256::ecdsa::SigningKey as p256::elliptic_curve::Generate>::generate_from_rng(
            &mut rng,
        );
        let state = State {
            mf_keys: keys.clone(),
            ..State::default()
        };
        Ok(Simulator {
            inner: Arc::new(Inner {
                config: Mutex::new(config),
                clock,
                offset: Mutex::new(time::Duration::ZERO),
                rng: Mutex::new(rng),
                state: Mutex::new(state),
                jwt_secret,
                xsd,
                initial_keys: keys,
                ca_key,
            }),
        })
    }

    /// The simulator's current time (clock plus the control-API offset).
    pub fn now(&self) -> OffsetDateTime {
        self.inner.clock.now() + *lock(&self.inner.offset)
    }

    /// Sets the control-API clock offset.
    pub fn set_clock_offset(&self, offset: time::Duration) {
        *lock(&self.inner.offset) = offset;
    }

    /// A copy of the current configuration.
    pub fn config(&self) -> SimConfig {
        lock(&self.inner.config).clone()
    }

    /// Changes the configuration (delays, profile, …) at runtime.
    pub fn update_config(&self, f: impl FnOnce(&mut SimConfig)) {
        f(&mut lock(&self.inner.config));
    }

    /// Forgets all state (sessions, invoices, auth, test data, faults) and restores the
    /// start-up MF keys. Configuration and clock offset are kept.
    pub fn reset(&self) {
        let mut st = self.state();
        *st = State {
            mf_keys: self.inner.initial_keys.clone(),
            ..State::default()
        };
    }

    /// The published MF certificates (Base64 DER) with their usage, for tests.
    pub fn mf_certificates(&self) -> Vec<(MfKeyUsage, String)> {
        self.state()
            .mf_keys
            .iter()
            .filter(|k| !k.revoked)
            .map(|k| (k.usage, util::b64(k.certificate.der())))
            .collect()
    }

    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.inner.state)
    }

    pub(crate) fn rng(&self) -> MutexGuard<'_, SimRng> {
        lock(&self.inner.rng)
    }

    pub(crate) fn random_hex(&self, n: usize) -> String {
        self.rng().hex_upper(n)
    }

    pub(crate) fn jwt_secret(&self) -> &[u8] {
        &self.inner.jwt_secret
    }

    pub(crate) fn ca_key(&self) -> &p256::ecdsa::SigningKey {
        &self.inner.ca_key
    }

    pub(crate) fn xsd(&self) -> Option<&XsdValidator> {
        self.inner.xsd.as_ref()
    }
}

/// The axum application: the KSeF API under `/v2`, Latarnia under `/status` and
/// `/messages`, pre-signed downloads under `/storage`, and the control API under `/_sim`.
pub fn router(sim: Simulator) -> Router {
    api::router(sim)
}

/// Serves the simulator on `listener` until the task is dropped.
///
/// # Errors
/// I/O errors of the server.
pub async fn serve(listener: TcpListener, sim: Simulator) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(sim).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await
}

/// A simulator serving in a background task.
#[derive(Debug)]
pub struct Running {
    addr: SocketAddr,
    sim: Simulator,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://<addr>` (append `/v2/...`).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The simulator (for direct control from tests).
    pub fn simulator(&self) -> &Simulator {
        &self.sim
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Binds `addr` (e.g. `127.0.0.1:0`) and serves `sim` in a background task.
///
/// # Errors
/// I/O errors of binding.
pub async fn spawn(sim: Simulator, addr: &str) -> std::io::Result<Running> {
    let listener = TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let served = sim.clone();
    let task = tokio::spawn(async move {
        let _ = serve(listener, served).await;
    });
    Ok(Running { addr, sim, task })
}
