//! Native [`Transport`] for the sans-IO KSeF client of `ksef-core` (reqwest over plain
//! HTTP or whatever TLS the workspace enables, tokio timers, the system RNG) and a
//! pure-Rust [`Signer`] for the XAdES login (DIGEST §5.2).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

use std::time::Instant;

use getrandom::rand_core::UnwrapErr;
use ksef_core::api::{HttpRequest, HttpResponse, Method, Target};
use ksef_core::client::governor::Millis;
use ksef_core::client::{Signer, Transport, TransportError};
use ksef_core::crypto::{AuthSigningKey, SignRequest};
use rand_core::TryRng;

/// reqwest + tokio transport against one API base URL (e.g. `http://127.0.0.1:8080/v2`).
#[derive(Debug, Clone)]
pub struct NativeTransport {
    http: reqwest::Client,
    base: String,
    start: Instant,
}

impl NativeTransport {
    /// A transport for the API under `base` (no trailing slash needed).
    pub fn new(base: impl Into<String>) -> Self {
        Self {
            http: reqwest::Client::new(),
            base: base.into().trim_end_matches('/').to_owned(),
            start: Instant::now(),
        }
    }

    /// The API base URL.
    pub fn base(&self) -> &str {
        &self.base
    }
}

impl Transport for NativeTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let url = match &request.target {
            Target::Api(path) => format!("{}{path}", self.base),
            Target::Absolute(url) => url.clone(),
            _ => return Err(TransportError("unsupported target".into())),
        };
        let method = match request.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Delete => reqwest::Method::DELETE,
            _ => return Err(TransportError("unsupported method".into())),
        };
        let mut b = self.http.request(method, url);
        for (k, v) in &request.headers {
            b = b.header(k, v);
        }
        let r = b
            .body(request.body)
            .send()
            .await
            .map_err(|e| TransportError(e.to_string()))?;
        let status = r.status().as_u16();
        let headers = r
            .headers()
            .iter()
            .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
            .collect();
        let body = r
            .bytes()
            .await
            .map_err(|e| TransportError(e.to_string()))?
            .to_vec();
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }

    async fn sleep(&self, ms: Millis) {
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
    }

    fn now_ms(&self) -> Millis {
        u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn now_utc(&self) -> time::OffsetDateTime {
        time::OffsetDateTime::now_utc()
    }

    fn jitter(&self) -> u64 {
        getrandom::SysRng.try_next_u64().unwrap_or(0)
    }
}

/// Signs the XAdES `SignedInfo` with an [`AuthSigningKey`] in pure Rust.
#[derive(Debug, Clone)]
pub struct KeySigner(pub AuthSigningKey);

impl Signer for KeySigner {
    async fn sign(&mut self, request: &SignRequest) -> Result<Vec<u8>, String> {
        self.0
            .sign(request, &mut UnwrapErr(getrandom::SysRng))
            .map_err(|e| e.to_string())
    }
}
