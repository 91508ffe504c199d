//! Runs the sans-IO state machines over a [`Transport`]: every request passes the rate
//! [`Governor`] (DIGEST §17), a 429 blocks its group for
//! `Retry-After`, and 5xx / network errors are retried with exponential backoff and
//! jitter where a retry cannot duplicate anything. The same code runs natively (tests,
//! CLI) and in the browser; only the [`Transport`] differs.

use std::future::Future;

use time::OffsetDateTime;

use crate::api::{
    ApiError, HttpRequest, HttpResponse, Method, OpenBatchSessionResponse,
    OpenOnlineSessionResponse, ReferenceResponse, SessionInvoiceStatus, SessionInvoicesResponse,
    SessionStatusResponse, StatusInfo, Target,
};
use crate::crypto::{InvoiceEncryptionKey, MfKeyUsage, MfPublicKey, SignRequest};

use super::auth::{AuthAction, AuthFailure, AuthFlow, Authorization, NotAuthorized, XadesLogin};
use super::batch::{self, BatchError, BatchPlan};
use super::governor::{Governor, Group, Millis, Profile, RetryPolicy, WaitUntil};
use super::online::{self, InvoiceOutcome, PreparedInvoice, ProductStatus};
use super::resume::OnlineSendState;
use crate::hash::Sha256Hash;

/// A network-level failure (no HTTP response).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("transport error: {0}")]
pub struct TransportError(pub String);

/// Moves bytes and time: the only I/O the client needs. Implemented with reqwest for
/// native code and with `fetch` in the browser.
pub trait Transport {
    /// Sends one request and returns the response, whatever its status.
    fn send(
        &self,
        request: HttpRequest,
    ) -> impl Future<Output = Result<HttpResponse, TransportError>>;
    /// Waits `ms` milliseconds.
    fn sleep(&self, ms: Millis) -> impl Future<Output = ()>;
    /// A monotonic clock in milliseconds (for the governor).
    fn now_ms(&self) -> Millis;
    /// The wall-clock time (XAdES `SigningTime`, token expiry).
    fn now_utc(&self) -> OffsetDateTime;
    /// A random number for backoff jitter.
    fn jitter(&self) -> u64;
}

/// Produces the signature for the XAdES login: pure Rust natively, WebCrypto in the
/// browser.
pub trait Signer {
    /// Signs `request.message` with `request.algorithm`.
    fn sign(&mut self, request: &SignRequest) -> impl Future<Output = Result<Vec<u8>, String>>;
}

/// Why a call through the [`Client`] failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CallError {
    /// Refused locally: not authorized.
    #[error(transparent)]
    NotAuthorized(#[from] NotAuthorized),
    /// KSeF could not be reached after the retries.
    #[error(transparent)]
    Network(#[from] TransportError),
    /// KSeF answered with an error.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// An encryption step failed (MF key list, wrapping the key).
    #[error("encryption failed: {0}")]
    Crypto(String),
    /// The batch archive could not be built.
    #[error(transparent)]
    Batch(#[from] BatchError),
    /// An invoice did not reach a final status in time.
    #[error("invoice {0} is still being processed")]
    Timeout(String),
}

/// How many batch parts are uploaded at once.
pub const PARALLEL_UPLOADS: usize = 4;

/// How many 429 answers in a row one call tolerates before giving up.
const MAX_RATE_LIMITED: u32 = 10;

/// The client: transport, governor, retry policy and authorization.
#[derive(Debug)]
pub struct Client<T> {
    transport: T,
    governor: Governor,
    retry: RetryPolicy,
    auth: Authorization,
    /// Delay between invoice/session status polls (ms).
    pub poll_interval: Millis,
    /// Status polls per invoice before [`CallError::Timeout`].
    pub max_polls: u32,
}

impl<T: Transport> Client<T> {
    /// A client over `transport` that keeps to the limits of `profile`.
    pub fn new(transport: T, profile: Profile) -> Self {
        Self {
            transport,
            governor: Governor::new(profile),
            retry: RetryPolicy::default(),
            auth: Authorization::new(),
            poll_interval: 250,
            max_polls: 2_400,
        }
    }

    /// Replaces the retry policy.
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The authorization state (for the UI).
    pub fn authorization(&self) -> &Authorization {
        &self.auth
    }

    /// Restores a persisted authorization (tokens and state), e.g. after a restart.
    pub fn restore_authorization(&mut self, auth: Authorization) {
        self.auth = auth;
    }

    /// The transport.
    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// Sends `request` within the rate limits: waits for the governor, honours
    /// `Retry-After`, retries 5xx and network errors when a retry is safe. Returns the
    /// final response whatever its status.
    ///
    /// # Errors
    /// [`CallError::Network`] when the retries are used up.
    pub async fn call(&mut self, request: HttpRequest) -> Result<HttpResponse, CallError> {
        let group = match &request.target {
            Target::Api(path) => Some(Group::classify(request.method, path)),
            Target::Absolute(_) => None,
        };
        let safe = retry_is_safe(&request);
        let mut attempt = 0u32;
        let mut limited = 0u32;
        loop {
            let mut sent = None;
            if let Some(g) = group {
                loop {
                    let now = self.transport.now_ms();
                    match self.governor.acquire(g, now) {
                        Ok(()) => {
                            sent = Some(now);
                            break;
                        }
                        Err(WaitUntil(t)) => self.transport.sleep(t.saturating_sub(now)).await,
                    }
                }
            }
            let result = self.transport.send(request.clone()).await;
            if let (Some(g), Some(sent)) = (group, sent) {
                self.governor.settle(g, sent, self.transport.now_ms());
            }
            match result {
                Ok(r) if r.status == 429 && limited < MAX_RATE_LIMITED => {
                    limited += 1;
                    let secs = r.retry_after().unwrap_or(1);
                    if let Some(g) = group {
                        self.governor.retry_after(g, self.transport.now_ms(), secs);
                    } else {
                        self.transport.sleep(secs * 1_000).await;
                    }
                }
                Ok(r) if r.status >= 500 && safe => {
                    attempt += 1;
                    match self.retry.backoff(attempt, self.transport.jitter()) {
                        Some(d) => self.transport.sleep(d).await,
                        None => return Ok(r),
                    }
                }
                Ok(r) => return Ok(r),
                Err(e) => {
                    attempt += 1;
                    match self.retry.backoff(attempt, self.transport.jitter()) {
                        Some(d) if safe => self.transport.sleep(d).await,
                        _ => return Err(CallError::Network(e)),
                    }
                }
            }
        }
    }

    /// Logs in with XAdES (DIGEST §5): challenge, sign through `signer`, submit, poll,
    /// redeem. The authorization state becomes Accepted or Error with the reason.
    ///
    /// # Errors
    /// The [`AuthFailure`] the state was set to.
    pub async fn login(
        &mut self,
        login: XadesLogin,
        signer: &mut impl Signer,
    ) -> Result<(), AuthFailure> {
        self.auth.begin();
        let (mut flow, mut action) = AuthFlow::start(login);
        loop {
            action = match action {
                AuthAction::Send(req) => self.auth_step(&mut flow, req).await,
                AuthAction::Poll { delay, request } => {
                    self.transport.sleep(delay).await;
                    self.auth_step(&mut flow, request).await
                }
                AuthAction::Sign(req) => match signer.sign(&req).await {
                    Ok(sig) => flow.on_signature(&sig),
                    Err(e) => AuthAction::Failed(AuthFailure::Signing(e)),
                },
                AuthAction::Done => {
                    if let Some(t) = flow.tokens() {
                        self.auth.accept(t.clone());
                        return Ok(());
                    }
                    AuthAction::Failed(AuthFailure::Signing("no tokens".into()))
                }
                AuthAction::Failed(f) => {
                    self.auth.fail(f.clone());
                    return Err(f);
                }
            };
        }
    }

    async fn auth_step(&mut self, flow: &mut AuthFlow, req: HttpRequest) -> AuthAction {
        match self.call(req).await {
            Ok(r) => flow.on_response(&r, self.transport.now_utc()),
            Err(e) => flow.on_network_error(&e.to_string()),
        }
    }

    /// Refreshes the access token if it is due (DIGEST §5.6).
    ///
    /// # Errors
    /// [`CallError::NotAuthorized`] if the refresh failed.
    pub async fn refresh_if_due(&mut self) -> Result<(), CallError> {
        if !self.auth.needs_refresh(self.transport.now_utc()) {
            return Ok(());
        }
        let Some(req) = self.auth.refresh_request() else {
            return Ok(());
        };
        let r = self.call(req).await?;
        self.auth
            .on_refresh(&r)
            .map_err(|f| CallError::NotAuthorized(NotAuthorized::Failed(f)))
    }

    /// Sends `request` with the access token (refreshed first if due); refuses while the
    /// authorization is not Accepted.
    ///
    /// # Errors
    /// [`CallError::NotAuthorized`] or the errors of [`Client::call`].
    pub async fn authorized(&mut self, request: HttpRequest) -> Result<HttpResponse, CallError> {
        self.refresh_if_due().await?;
        let token = self.auth.bearer(self.transport.now_utc())?.to_owned();
        self.call(request.bearer(&token)).await
    }

    /// Fetches the MF key list and picks the current `SymmetricKeyEncryption` key (§4).
    ///
    /// # Errors
    /// [`CallError::Api`] / [`CallError::Crypto`].
    pub async fn mf_key(&mut self) -> Result<MfPublicKey, CallError> {
        let r = self
            .call(HttpRequest::api(
                Method::Get,
                "/security/public-key-certificates",
            ))
            .await?;
        r.ok()?;
        MfPublicKey::select(
            &r.body,
            MfKeyUsage::SymmetricKeyEncryption,
            self.transport.now_utc(),
        )
        .map_err(|e| CallError::Crypto(e.to_string()))
    }

    /// Opens an FA(3) online session with `key` wrapped for the current MF key (§8).
    ///
    /// # Errors
    /// Refusal, KSeF errors, encryption errors.
    pub async fn open_online(
        &mut self,
        key: &InvoiceEncryptionKey,
        rng: &mut impl rand_core::CryptoRng,
    ) -> Result<OpenOnlineSessionResponse, CallError> {
        self.auth.bearer(self.transport.now_utc())?;
        let mf = self.mf_key().await?;
        let info = key
            .encryption_info(&mf, rng)
            .map_err(|e| CallError::Crypto(e.to_string()))?;
        let r = self.authorized(online::open_request(info)?).await?;
        Ok(r.json()?)
    }

    /// Sends one prepared invoice; returns its reference (`…-EE-…`).
    ///
    /// # Errors
    /// Refusal, KSeF errors (21180, 21402, 21403, 21405, …).
    pub async fn send_invoice(
        &mut self,
        session: &str,
        invoice: &PreparedInvoice,
    ) -> Result<String, CallError> {
        let r = self.authorized(invoice.request(session)?).await?;
        Ok(r.json::<ReferenceResponse>()?.reference_number)
    }

    /// Polls an invoice until KSeF reaches a final status and maps it (§10).
    ///
    /// # Errors
    /// Refusal, KSeF errors, [`CallError::Timeout`].
    pub async fn invoice_outcome(
        &mut self,
        session: &str,
        invoice: &str,
    ) -> Result<InvoiceOutcome, CallError> {
        for _ in 0..self.max_polls {
            let r = self
                .authorized(online::invoice_status_request(session, invoice))
                .await?;
            let s: SessionInvoiceStatus = r.json()?;
            let outcome = InvoiceOutcome::from_status(session, &s);
            if outcome.is_final() {
                return Ok(outcome);
            }
            self.transport.sleep(self.poll_interval).await;
        }
        Err(CallError::Timeout(invoice.to_owned()))
    }

    /// Closes an online session (204).
    ///
    /// # Errors
    /// Refusal, KSeF errors (21173, 21180).
    pub async fn close_online(&mut self, session: &str) -> Result<(), CallError> {
        self.authorized(online::close_request(session))
            .await?
            .ok()?;
        Ok(())
    }

    /// Polls the session status until it leaves 100/150/170 (processing, UPO pending).
    ///
    /// # Errors
    /// Refusal, KSeF errors, [`CallError::Timeout`].
    pub async fn session_final(
        &mut self,
        session: &str,
    ) -> Result<SessionStatusResponse, CallError> {
        for _ in 0..self.max_polls {
            let r = self
                .authorized(online::session_status_request(session))
                .await?;
            let s: SessionStatusResponse = r.json()?;
            if !matches!(s.status.code, 100 | 150 | 170) {
                return Ok(s);
            }
            self.transport.sleep(self.poll_interval).await;
        }
        Err(CallError::Timeout(session.to_owned()))
    }

    /// Downloads an invoice's UPO (XML bytes).
    ///
    /// # Errors
    /// Refusal, KSeF errors (21178).
    pub async fn invoice_upo(
        &mut self,
        session: &str,
        invoice: &str,
    ) -> Result<Vec<u8>, CallError> {
        let r = self
            .authorized(online::invoice_upo_request(session, invoice))
            .await?;
        r.ok()?;
        Ok(r.body)
    }

    /// Downloads one page of the session UPO (XML bytes).
    ///
    /// # Errors
    /// Refusal, KSeF errors (21178).
    pub async fn session_upo(&mut self, session: &str, upo: &str) -> Result<Vec<u8>, CallError> {
        let r = self
            .authorized(online::session_upo_request(session, upo))
            .await?;
        r.ok()?;
        Ok(r.body)
    }

    /// Lists every invoice of a session (all pages of `GET /sessions/{ref}/invoices`)
    /// mapped to outcomes.
    ///
    /// # Errors
    /// Refusal, KSeF errors (21418).
    pub async fn session_invoices(
        &mut self,
        session: &str,
    ) -> Result<Vec<InvoiceOutcome>, CallError> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let r = self
                .authorized(online::session_invoices_request(
                    session,
                    1_000,
                    token.as_deref(),
                ))
                .await?;
            let page: SessionInvoicesResponse = r.json()?;
            out.extend(
                page.invoices
                    .iter()
                    .map(|s| InvoiceOutcome::from_status(session, s)),
            );
            match page.continuation_token {
                Some(t) if !t.is_empty() => token = Some(t),
                _ => return Ok(out),
            }
        }
    }

    /// Sends `files` (name, FA(3) XML) in one batch session (DIGEST §9): stored ZIP,
    /// parts of at most `part_size` bytes encrypted with `key`, open, upload each part
    /// to its pre-signed URL, close, wait for processing, list the per-invoice outcomes.
    ///
    /// # Errors
    /// Refusal, archive errors, KSeF errors (21157, 21161, 21205, 21208, …), upload
    /// failures, [`CallError::Timeout`].
    pub async fn send_batch(
        &mut self,
        key: &InvoiceEncryptionKey,
        rng: &mut impl rand_core::CryptoRng,
        files: &[(String, Vec<u8>)],
        offline_mode: bool,
        part_size: usize,
    ) -> Result<BatchReport, CallError> {
        self.auth.bearer(self.transport.now_utc())?;
        let archive = batch::zip_stored(files)?;
        let plan = BatchPlan::new(key, &archive, part_size)?;
        let mf = self.mf_key().await?;
        let info = key
            .encryption_info(&mf, rng)
            .map_err(|e| CallError::Crypto(e.to_string()))?;
        let r = self
            .authorized(plan.open_request(info, offline_mode)?)
            .await?;
        let opened: OpenBatchSessionResponse = r.json()?;
        let session = opened.reference_number;
        let mut uploads = Vec::new();
        for upload in &opened.part_upload_requests {
            uploads.push(plan.upload_request(upload).ok_or_else(|| {
                CallError::Crypto(format!(
                    "ksef asked for unknown part {}",
                    upload.ordinal_number
                ))
            })?);
        }
        // Part uploads are not rate-limited and may run in parallel (§9 step 4).
        for chunk in uploads.chunks(PARALLEL_UPLOADS) {
            let futures = chunk
                .iter()
                .map(|r| upload(&self.transport, self.retry, r.clone()))
                .collect();
            for result in join_all(futures).await {
                result?.ok()?;
            }
        }
        self.authorized(batch::close_request(&session))
            .await?
            .ok()?;
        let status = self.session_final(&session).await?;
        let outcomes = self.session_invoices(&session).await?;
        Ok(BatchReport {
            session_reference_number: session,
            session_status: status.status,
            outcomes,
        })
    }

    /// Sends `invoices` (name, XML; the same list and order as `state` was made from)
    /// online so that none is lost or sent twice across interruptions (issue 5 item 7):
    /// first looks up every earlier session of `state` by invoice hash, then sends only
    /// what KSeF never received in a fresh session, polls every invoice to its final
    /// status (a 440 whose original has the same bytes counts as accepted), closes the
    /// session. `persist` is called after every change of `state`.
    ///
    /// # Errors
    /// On an interruption (network, 5xx, 429 beyond the retries) `state` says where to
    /// resume; call again with it.
    pub async fn send_online_resumable(
        &mut self,
        state: &mut OnlineSendState,
        invoices: &[(String, Vec<u8>)],
        offline_mode: bool,
        rng: &mut impl rand_core::CryptoRng,
        persist: &mut impl FnMut(&OnlineSendState),
    ) -> Result<(), CallError> {
        self.auth.bearer(self.transport.now_utc())?;
        if invoices.len() != state.items.len() {
            return Err(CallError::Crypto(
                "the invoices do not match the saved send".into(),
            ));
        }
        for session in state.sessions.clone() {
            if state
                .items
                .iter()
                .any(|i| i.reference_number.is_none() && i.outcome.is_none())
            {
                let listed = self.session_invoices(&session).await?;
                state.adopt_listing(&session, &listed);
                persist(state);
            }
        }
        let pending: Vec<usize> = (0..state.items.len())
            .filter(|&i| {
                state.items[i].reference_number.is_none() && state.items[i].outcome.is_none()
            })
            .collect();
        let mut opened_session = None;
        if !pending.is_empty() {
            let key = InvoiceEncryptionKey::generate(rng);
            let session = self.open_online(&key, rng).await?.reference_number;
            state.sessions.push(session.clone());
            persist(state);
            for i in pending {
                let p = PreparedInvoice::new(&key, &invoices[i].1, offline_mode, None);
                if p.invoice_hash() != state.items[i].invoice_hash {
                    return Err(CallError::Crypto(format!(
                        "{} changed since the send started",
                        invoices[i].0
                    )));
                }
                state.items[i].session_reference_number = Some(session.clone());
                persist(state);
                match self.send_invoice(&session, &p).await {
                    Ok(r) => state.items[i].reference_number = Some(r),
                    Err(CallError::Api(e)) if !e.is_transient() => {
                        state.items[i].outcome =
                            Some(InvoiceOutcome::refused(&session, p.invoice_hash(), &e));
                    }
                    Err(e) => return Err(e),
                }
                persist(state);
            }
            opened_session = Some(session);
        }
        for i in 0..state.items.len() {
            let item = &state.items[i];
            let (Some(session), Some(reference)) = (
                item.session_reference_number.clone(),
                item.reference_number.clone(),
            ) else {
                continue;
            };
            if item.is_done() {
                continue;
            }
            let mut outcome = self.invoice_outcome(&session, &reference).await?;
            if outcome.code == 440
                && let Some(original) = outcome.original_ksef_number.clone()
                && self
                    .original_has_hash(&original, &item.invoice_hash)
                    .await?
            {
                outcome.status = ProductStatus::Accepted;
                outcome.ksef_number = Some(original);
            }
            state.items[i].outcome = Some(outcome);
            persist(state);
        }
        if let Some(session) = opened_session {
            self.close_online(&session).await?;
        }
        Ok(())
    }

    /// Whether the invoice stored in KSeF under `ksef_number` has the SHA-256 `hash`
    /// (`GET /invoices/ksef/{ksefNumber}`, DIGEST §12).
    async fn original_has_hash(
        &mut self,
        ksef_number: &str,
        hash: &str,
    ) -> Result<bool, CallError> {
        let r = self
            .authorized(HttpRequest::api(
                Method::Get,
                format!("/invoices/ksef/{ksef_number}"),
            ))
            .await?;
        if !r.is_success() {
            return Ok(false);
        }
        Ok(Sha256Hash::of(&r.body).to_base64() == hash)
    }
}

/// Whether resending after a 5xx or a lost connection cannot create anything twice:
/// reads, uploads, the challenge, the token refresh. Invoice sends and session opens are
/// not retried blindly (issue 5 item 7: resume by lookup instead).
fn retry_is_safe(r: &HttpRequest) -> bool {
    match r.method {
        Method::Get | Method::Put | Method::Delete => true,
        Method::Post => matches!(
            &r.target,
            Target::Api(p) if p == "/auth/challenge" || p == "/auth/token/refresh"
        ),
    }
}

/// The result of [`Client::send_batch`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchReport {
    /// The `…-SB-…` reference.
    pub session_reference_number: String,
    /// The final session status (200, 405, 415, 420, 430, 435, 440, 445, 500).
    pub session_status: StatusInfo,
    /// One outcome per invoice KSeF found in the archive (`invoiceFileName` set).
    pub outcomes: Vec<InvoiceOutcome>,
}

/// Uploads one batch part (no governor: uploads are not rate-limited), retrying 5xx and
/// network errors with backoff (a PUT of the same bytes is idempotent).
async fn upload<T: Transport>(
    transport: &T,
    retry: RetryPolicy,
    request: HttpRequest,
) -> Result<HttpResponse, CallError> {
    let mut attempt = 0;
    loop {
        let result = transport.send(request.clone()).await;
        let retryable = match &result {
            Ok(r) => r.status >= 500,
            Err(_) => true,
        };
        if !retryable {
            return Ok(result?);
        }
        attempt += 1;
        match retry.backoff(attempt, transport.jitter()) {
            Some(d) => transport.sleep(d).await,
            None => return Ok(result?),
        }
    }
}

/// Polls `futures` concurrently on the current task until all are ready; results in
/// input order. No executor or extra crate needed, so it works in wasm too.
async fn join_all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<std::pin::Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut out: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(move |cx| {
        let mut pending = false;
        for (f, slot) in futures.iter_mut().zip(out.iter_mut()) {
            if slot.is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => *slot = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(out.iter_mut().filter_map(Option::take).collect())
        }
    })
    .await
}
