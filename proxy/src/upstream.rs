//! The upstream hop: hyper's pooled HTTP/1.1 client (keep-alive, `TCP_NODELAY`, rustls
//! with the platform's roots for `https` bases) and the body wrappers that enforce the
//! proxy's limits while streaming both ways.
//!
//! reqwest is the same engine behind a builder, redirects, proxies, decompression and a
//! boxed future per call; the proxy needs none of them, and the direct client is the
//! largest single saving of the benchmark (`scripts/bench-proxy`).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use axum::body::{Body, Bytes};
use http_body::{Frame, SizeHint};
use hyper::body::Incoming;
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use rustls_platform_verifier::BuilderVerifierExt;
use tokio::sync::Notify;
use tokio::time::{Instant, Sleep};

/// Boxed error of the body wrappers.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The pooled upstream client (request bodies are axum [`Body`]s).
pub type Client = hyper_util::client::legacy::Client<HttpsConnector<HttpConnector>, Body>;

/// TCP connect bound for upstream connections.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Idle upstream connections are kept this long for reuse.
const POOL_IDLE: Duration = Duration::from_secs(60);
/// Idle connections kept per upstream host.
const POOL_MAX_IDLE: usize = 256;

/// Builds the upstream client: HTTP/1.1 only, no redirects, no proxy variables, no
/// cookies (hyper does none of them), `https` verified against the platform's roots.
///
/// # Errors
/// The TLS configuration could not be built (no usable root store).
pub fn client() -> Result<Client, rustls::Error> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_platform_verifier()?
        .with_no_client_auth();
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_nodelay(true);
    http.set_connect_timeout(Some(CONNECT_TIMEOUT));
    http.set_keepalive(Some(POOL_IDLE));
    let https = HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http()
        .enable_http1()
        .wrap_connector(http);
    Ok(
        hyper_util::client::legacy::Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(POOL_IDLE)
            .pool_max_idle_per_host(POOL_MAX_IDLE)
            .build(https),
    )
}

/// Why a request body was cut off, and whether it has been sent completely (shared
/// between the body, polled by the connection task, and the handler).
#[derive(Debug, Default)]
pub struct Cutoff(AtomicU8, Notify);

impl Cutoff {
    const NONE: u8 = 0;
    const TOO_LARGE: u8 = 1;
    const STALLED: u8 = 2;

    /// The body went over its limit.
    pub fn too_large(&self) -> bool {
        self.0.load(Ordering::Acquire) == Self::TOO_LARGE
    }

    /// The client sent no body frame for the idle timeout.
    pub fn stalled(&self) -> bool {
        self.0.load(Ordering::Acquire) == Self::STALLED
    }

    /// Resolves once the whole body has been handed to the connection.
    pub async fn sent(&self) {
        self.1.notified().await;
    }

    fn set(&self, v: u8) {
        let _ = self
            .0
            .compare_exchange(Self::NONE, v, Ordering::AcqRel, Ordering::Acquire);
    }
}

/// A client's request body on its way upstream: more than `limit` bytes, or no frame
/// for `idle`, aborts the stream and records why in the [`Cutoff`].
#[derive(Debug)]
pub struct RequestBody {
    inner: Body,
    seen: u64,
    limit: u64,
    idle: Duration,
    timer: Option<Pin<Box<Sleep>>>,
    armed: bool,
    cutoff: Arc<Cutoff>,
}

impl RequestBody {
    /// Wraps `inner`.
    pub fn new(inner: Body, limit: u64, idle: Duration, cutoff: Arc<Cutoff>) -> Self {
        Self {
            inner,
            seen: 0,
            limit,
            idle,
            timer: None,
            armed: false,
            cutoff,
        }
    }
}

impl http_body::Body for RequestBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                this.armed = false;
                if let Some(data) = frame.data_ref() {
                    this.seen += data.len() as u64;
                    if this.seen > this.limit {
                        this.cutoff.set(Cutoff::TOO_LARGE);
                        return Poll::Ready(Some(Err("request body too large".into())));
                    }
                }
                if this.inner.is_end_stream() {
                    this.cutoff.1.notify_one();
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e.into()))),
            Poll::Ready(None) => {
                this.cutoff.1.notify_one();
                Poll::Ready(None)
            }
            Poll::Pending => {
                let deadline = Instant::now() + this.idle;
                let timer = match (&mut this.timer, this.armed) {
                    (Some(t), true) => t,
                    (Some(t), false) => {
                        t.as_mut().reset(deadline);
                        t
                    }
                    (slot @ None, _) => slot.insert(Box::pin(tokio::time::sleep_until(deadline))),
                };
                this.armed = true;
                ready!(timer.as_mut().poll(cx));
                this.cutoff.set(Cutoff::STALLED);
                Poll::Ready(Some(Err("request body stalled".into())))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        let end = self.inner.is_end_stream();
        if end {
            self.cutoff.1.notify_one();
        }
        end
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// An upstream response body on its way back, bounded by a deadline for the whole
/// exchange. The timer is only created when the body is not already buffered, so small
/// answers cost none.
#[derive(Debug)]
pub struct ResponseBody {
    inner: Incoming,
    deadline: Instant,
    timer: Option<Pin<Box<Sleep>>>,
}

impl ResponseBody {
    /// Wraps `inner`, failing the stream at `deadline`.
    pub fn new(inner: Incoming, deadline: Instant) -> Self {
        Self {
            inner,
            deadline,
            timer: None,
        }
    }
}

impl http_body::Body for ResponseBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(r) => Poll::Ready(r.map(|r| r.map_err(Into::into))),
            Poll::Pending => {
                let deadline = this.deadline;
                let timer = this
                    .timer
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
                ready!(timer.as_mut().poll(cx));
                Poll::Ready(Some(Err(
                    "upstream response exceeded the exchange timeout".into()
                )))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
