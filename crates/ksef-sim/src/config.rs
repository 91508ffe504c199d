//! Simulator configuration.

use std::path::PathBuf;
use std::time::Duration;

/// Which environment's rules the simulator applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum RulesProfile {
    /// TEST ("TE"): NIP checksums in invoices are not enforced, FA(2) accepted (DIGEST §1, §11).
    #[default]
    Test,
    /// PROD rules: NIP checksums of invoice parties are enforced (DIGEST §11).
    Prod,
}

/// Delays of the asynchronous processing steps (DIGEST "Simulator notes": every async
/// resource passes 100 → 150 → final). All zero is the unit-test mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Delays {
    /// Authentication operation: 100 → final.
    #[serde(with = "millis")]
    pub auth: Duration,
    /// Invoice: 100 → 150.
    #[serde(with = "millis")]
    pub invoice_accept: Duration,
    /// Invoice: 150 → final.
    #[serde(with = "millis")]
    pub invoice_process: Duration,
    /// Session: 170 → 200 (UPO generation) after the last invoice is final.
    #[serde(with = "millis")]
    pub session_close: Duration,
    /// Acquisition → permanent storage (until then `GET /invoices/ksef` → 21165).
    #[serde(with = "millis")]
    pub permanent_storage: Duration,
}

impl Delays {
    /// No delays (still asynchronous: clients must poll).
    pub const ZERO: Delays = Delays {
        auth: Duration::ZERO,
        invoice_accept: Duration::ZERO,
        invoice_process: Duration::ZERO,
        session_close: Duration::ZERO,
        permanent_storage: Duration::ZERO,
    };
}

impl Default for Delays {
    /// Roughly what TEST shows: a few hundred milliseconds per step.
    fn default() -> Self {
        Delays {
            auth: Duration::from_millis(300),
            invoice_accept: Duration::from_millis(200),
            invoice_process: Duration::from_millis(500),
            session_close: Duration::from_millis(500),
            permanent_storage: Duration::from_millis(1000),
        }
    }
}

mod millis {
    use std::time::Duration;

    pub(super) fn serialize<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }

    pub(super) fn deserialize<'de, D: serde::Deserializer<'de>>(
        d: D,
    ) -> Result<Duration, D::Error> {
        let ms = <u64 as serde::Deserialize>::deserialize(d)?;
        Ok(Duration::from_millis(ms))
    }
}

/// Configuration of a [`Simulator`](crate::Simulator).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SimConfig {
    /// Processing delays.
    pub delays: Delays,
    /// Environment rules.
    pub profile: RulesProfile,
    /// Whether API rate limits are enforced (off by default, DIGEST "Simulator notes").
    pub rate_limits: bool,
    /// Directory with the official schemas (`schemat_FA(3)_v1-0E.xsd`, `upo/`, `auth/`,
    /// `bazowe/`); `None` disables XSD validation of invoices (`--no-xsd`).
    pub schemas: Option<PathBuf>,
    /// Text of `NazwaPodmiotuPrzyjmujacego` in UPOs (see [`crate::upo`]).
    pub upo_receiver_name: String,
    /// Maximum invoices per session (DIGEST §11: 10 000).
    pub max_invoices_per_session: u32,
    /// Seed for a deterministic RNG; `None` uses the operating system's generator.
    pub rng_seed: Option<u64>,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            delays: Delays::default(),
            profile: RulesProfile::Test,
            rate_limits: false,
            schemas: None,
            upo_receiver_name: crate::upo::RECEIVER_NAME_XSD.to_owned(),
            max_invoices_per_session: 10_000,
            rng_seed: None,
        }
    }
}

impl SimConfig {
    /// Sets the delays.
    pub fn with_delays(mut self, delays: Delays) -> Self {
        self.delays = delays;
        self
    }

    /// Sets the schema directory.
    pub fn with_schemas(mut self, dir: impl Into<PathBuf>) -> Self {
        self.schemas = Some(dir.into());
        self
    }

    /// Sets the rules profile.
    pub fn with_profile(mut self, profile: RulesProfile) -> Self {
        self.profile = profile;
        self
    }

    /// Sets the maximum number of invoices per session.
    pub fn with_max_invoices(mut self, n: u32) -> Self {
        self.max_invoices_per_session = n;
        self
    }

    /// Uses a deterministic RNG seeded with `seed`.
    pub fn with_rng_seed(mut self, seed: u64) -> Self {
        self.rng_seed = Some(seed);
        self
    }
}
