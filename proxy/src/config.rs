//! Configuration: an optional TOML file, overridden by flags and environment (`main.rs`).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

/// One KSeF environment the proxy forwards to.
#[derive(Debug, Clone, Deserialize)]
pub struct EnvConfig {
    /// Base URL without `/v2`, e.g. `https://api-test.ksef.mf.gov.pl`.
    pub base: String,
    /// `host[:port]` values storage links may point to; the base's host is always allowed.
    #[serde(default)]
    pub storage_hosts: Vec<String>,
    /// Base URL of the status service "Latarnia" (`GET {latarnia}/status`,
    /// `GET {latarnia}/messages`, DIGEST §1); absent: `/{env}/latarnia/*` answers 404.
    #[serde(default)]
    pub latarnia: Option<String>,
}

impl EnvConfig {
    /// An environment whose storage lives on its API host.
    pub fn new(base: impl Into<String>) -> Self {
        Self {
            base: base.into(),
            storage_hosts: Vec::new(),
            latarnia: None,
        }
    }

    /// The same environment with a Latarnia base.
    #[must_use]
    pub fn with_latarnia(mut self, base: impl Into<String>) -> Self {
        self.latarnia = Some(base.into());
        self
    }

    /// The base's `host[:port]` plus the configured storage hosts.
    pub fn allowed_hosts(&self) -> Vec<String> {
        let mut hosts = self.storage_hosts.clone();
        if let Ok(u) = url::Url::parse(&self.base)
            && let Some(h) = u.host_str()
        {
            hosts.push(match u.port() {
                Some(p) => format!("{h}:{p}"),
                None => h.to_owned(),
            });
        }
        hosts
    }
}

/// Permission enforcement (product manual: "Uprawnienia aktywne").
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PermissionsConfig {
    /// When false every request passes.
    #[serde(default)]
    pub enabled: bool,
    /// The HS256 secret that signs user tokens.
    #[serde(default)]
    pub hs256_secret: Option<String>,
    /// Or: the SPKI PEM (`-----BEGIN PUBLIC KEY-----`) verifying RS256 (RSA ≥ 2048) or
    /// ES256 (P-256) user tokens.
    #[serde(default)]
    pub public_key_pem: Option<String>,
    /// Demo only (with the embedded simulator): `POST /_demo/token` mints HS256 user
    /// tokens with the configured secret, so the reference app's user switcher can play
    /// the host application.
    #[serde(default)]
    pub demo_tokens: bool,
}

/// Everything [`crate::app`] needs besides the HTTP client.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Environments by name (`test`, `demo`, `prod`, `sim`).
    pub envs: BTreeMap<String, EnvConfig>,
    /// Frontend origins allowed by CORS (empty: no CORS headers, same origin only).
    pub cors_origins: Vec<String>,
    /// Directory of the built web app served at `/` (absent: not served).
    pub web_dir: Option<PathBuf>,
    /// The proxy's public base URL (e.g. `https://proxy.example`), prefixed to rewritten
    /// storage links; absent: links are root-relative (`/{env}/storage?...`) and the
    /// browser resolves them against the proxy's base.
    pub public_url: Option<String>,
    /// Secret for storage link HMACs (random per process when absent; set it when
    /// several proxy instances share a load balancer).
    pub link_secret: Option<String>,
    /// Lifetime of a storage link (seconds).
    pub link_ttl_secs: u64,
    /// Timeout until KSeF's response headers for API calls (seconds).
    pub upstream_timeout_secs: u64,
    /// Timeout for storage uploads and downloads (seconds).
    pub storage_timeout_secs: u64,
    /// Batch part upload limit (bytes): 100 MB before encryption plus padding.
    pub upload_limit: u64,
    /// Permission enforcement.
    pub permissions: PermissionsConfig,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            envs: official_envs(),
            cors_origins: Vec::new(),
            web_dir: None,
            public_url: None,
            link_secret: None,
            link_ttl_secs: 24 * 3600,
            upstream_timeout_secs: 60,
            storage_timeout_secs: 3600,
            upload_limit: 100_000_000 + 16 + 1024,
            permissions: PermissionsConfig::default(),
        }
    }
}

impl Config {
    /// Parses a TOML configuration file's content.
    ///
    /// # Errors
    /// TOML syntax or type errors.
    pub fn from_toml(text: &str) -> Result<Self, toml::de::Error> {
        toml::from_str(text)
    }

    /// [`Self::upstream_timeout_secs`] as a duration.
    pub fn upstream_timeout(&self) -> Duration {
        Duration::from_secs(self.upstream_timeout_secs)
    }

    /// [`Self::storage_timeout_secs`] as a duration.
    pub fn storage_timeout(&self) -> Duration {
        Duration::from_secs(self.storage_timeout_secs)
    }
}

/// Latarnia of TEST (also answers for DEMO: MF publishes only TEST and PROD, DIGEST §1).
pub const LATARNIA_TEST: &str = "https://api-latarnia-test.ksef.mf.gov.pl";
/// Latarnia of PROD (DIGEST §1).
pub const LATARNIA_PROD: &str = "https://api-latarnia.ksef.mf.gov.pl";

/// TEST, DEMO and PROD with their Latarnia bases (DIGEST §1).
pub fn official_envs() -> BTreeMap<String, EnvConfig> {
    [
        ("test", "https://api-test.ksef.mf.gov.pl", LATARNIA_TEST),
        ("demo", "https://api-demo.ksef.mf.gov.pl", LATARNIA_TEST),
        ("prod", "https://api.ksef.mf.gov.pl", LATARNIA_PROD),
    ]
    .into_iter()
    .map(|(k, v, l)| (k.to_owned(), EnvConfig::new(v).with_latarnia(l)))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_overrides_defaults_and_keeps_official_envs_unless_replaced() {
        let c = Config::from_toml(
            r#"
            cors_origins = ["https://app.example"]
            upstream_timeout_secs = 5
            [permissions]
            enabled = true
            hs256_secret = "s"
            "#,
        );
        let c = c.unwrap_or_default();
        assert_eq!(c.cors_origins, ["https://app.example"]);
        assert_eq!(c.upstream_timeout_secs, 5);
        assert!(c.permissions.enabled);
        assert_eq!(c.envs["prod"].base, "https://api.ksef.mf.gov.pl");
        assert_eq!(c.envs["test"].allowed_hosts(), ["api-test.ksef.mf.gov.pl"]);
        assert_eq!(c.envs["demo"].latarnia.as_deref(), Some(LATARNIA_TEST));
        assert_eq!(c.envs["prod"].latarnia.as_deref(), Some(LATARNIA_PROD));
        let c = Config::from_toml(
            "[envs.test]\nbase = \"http://127.0.0.1:9\"\nstorage_hosts = [\"blob.example\"]\nlatarnia = \"http://127.0.0.1:9\"\n",
        )
        .unwrap_or_default();
        assert_eq!(c.envs.len(), 1);
        assert_eq!(
            c.envs["test"].allowed_hosts(),
            ["blob.example", "127.0.0.1:9"]
        );
        assert_eq!(
            c.envs["test"].latarnia.as_deref(),
            Some("http://127.0.0.1:9")
        );
    }
}
