//! Runs the sans-IO state machines over a [`Transport`]: every request passes the rate
//! [`Governor`] (DIGEST §17), a 429 blocks its group for
//! `Retry-After`, and 5xx / network errors are retried with exponential backoff and
//! jitter where a retry cannot duplicate anything. The same code runs natively (tests,
//! CLI) and in the browser; only the [`Transport`] differs.

use std::future::Future;

use time::OffsetDateTime;

use crate::api::{
    ApiError, ContextLimitsResponse, HttpRequest, HttpResponse, Method, OpenBatchSessionResponse,
    OpenOnlineSessionResponse, ReferenceResponse, SessionInvoiceStatus, SessionInvoicesResponse,
    SessionStatusResponse, StatusInfo, Target,
};
use crate::crypto::{InvoiceEncryptionKey, MfKeyUsage, MfPublicKey, SignRequest};

use super::archive::ArchiveFormat;
use super::auth::{AuthAction, AuthFailure, AuthFlow, Authorization, NotAuthorized, XadesLogin};
use super::batch::{self, BatchError, BatchPlan};
use super::certificates::{self, CertificateEntry, QueryCertificatesResponse};
use super::governor::{Governor, Group, Millis, Profile, RetryPolicy, WaitUntil};
use super::online::{self, InvoiceOutcome, PreparedInvoice, ProductStatus};
use super::resume::{BatchSendState, BatchSessionRecord, OnlineSendState, SessionBudget};
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

    /// AES-256-CBC with PKCS#7 padding, IV not prepended (DIGEST §7 step 4): every
    /// invoice of an online send and every batch part is encrypted through here. The
    /// default is the pure-Rust path of [`crate::crypto`] (the bytes of
    /// [`InvoiceEncryptionKey::encrypt_bytes`]); the browser overrides it with WebCrypto
    /// (`subtle.encrypt({name: "AES-CBC", iv}, key, data)` also pads with PKCS#7, so the
    /// ciphertext is identical).
    fn encrypt_aes256_cbc(
        &self,
        key: &[u8; 32],
        iv: &[u8; 16],
        plaintext: &[u8],
    ) -> impl Future<Output = Result<Vec<u8>, TransportError>> {
        let ciphertext = InvoiceEncryptionKey::from_parts(*key, *iv).encrypt_bytes(plaintext);
        std::future::ready(Ok(ciphertext))
    }
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
    /// A saved send state does not fit the invoices given to resume it.
    #[error("cannot resume: {0}")]
    StateMismatch(String),
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
    /// Invoices per online session before a new one is opened; the smaller of this and
    /// KSeF's `maxInvoices` (`GET /limits/context`) applies (DIGEST §17: 10 000).
    pub max_invoices_per_session: usize,
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
            max_invoices_per_session: batch::MAX_INVOICES_PER_SESSION,
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

    /// What KSeF says about the authenticated subject's certificate `serial`
    /// ([`certificates`], DIGEST §13): `None` when KSeF does not
    /// list it for this subject. A read, so retried like one.
    ///
    /// # Errors
    /// Refusal, KSeF errors.
    pub async fn certificate_status(
        &mut self,
        serial: &crate::qr::CertSerial,
    ) -> Result<Option<CertificateEntry>, CallError> {
        let r = self
            .authorized(certificates::query_request(serial)?)
            .await?;
        let list: QueryCertificatesResponse = r.json()?;
        Ok(list.find(serial).cloned())
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

    /// Encrypts `xml` for a session through [`Transport::encrypt_aes256_cbc`] (WebCrypto
    /// in the browser) and builds the send request (§7, §8; `corrected_hash` makes it a
    /// technical correction, §15).
    ///
    /// # Errors
    /// [`CallError::Crypto`] if the hook fails.
    pub async fn prepare_invoice(
        &self,
        key: &InvoiceEncryptionKey,
        xml: &[u8],
        offline_mode: bool,
        corrected_hash: Option<String>,
    ) -> Result<PreparedInvoice, CallError> {
        let ct = self
            .transport
            .encrypt_aes256_cbc(key.hazmat_key_bytes(), key.iv(), xml)
            .await
            .map_err(|e| CallError::Crypto(format!("AES-256-CBC of the invoice: {}", e.0)))?;
        Ok(PreparedInvoice::from_ciphertext(
            xml,
            &ct,
            offline_mode,
            corrected_hash,
        ))
    }

    /// Splits `archive` (packed as `format`) into parts of at most `part_size` bytes and
    /// encrypts each through [`Transport::encrypt_aes256_cbc`] (§9 steps 2–3).
    ///
    /// # Errors
    /// [`CallError::Batch`] for sizes out of range, [`CallError::Crypto`] if the hook
    /// fails.
    pub async fn plan_batch(
        &self,
        key: &InvoiceEncryptionKey,
        archive: &[u8],
        format: ArchiveFormat,
        part_size: usize,
    ) -> Result<BatchPlan, CallError> {
        let mut parts = Vec::new();
        for slice in batch::split(archive, part_size)? {
            parts.push(
                self.transport
                    .encrypt_aes256_cbc(key.hazmat_key_bytes(), key.iv(), slice)
                    .await
                    .map_err(|e| {
                        CallError::Crypto(format!("AES-256-CBC of a batch part: {}", e.0))
                    })?,
            );
        }
        Ok(BatchPlan::from_encrypted(archive, format, parts)?)
    }

    /// Sends `files` (name, FA(3) XML) in one batch session (DIGEST §9): Deflate ZIP,
    /// parts of at most `part_size` bytes encrypted with `key`, open, upload each part
    /// to its pre-signed URL, close, wait for processing, list the per-invoice outcomes.
    /// [`Client::send_batch_resumable`] with a state nobody keeps.
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
        let named: Vec<(String, String, Vec<u8>)> = files
            .iter()
            .map(|(n, x)| (n.clone(), n.clone(), x.clone()))
            .collect();
        let mut state =
            BatchSendState::new(&named, ArchiveFormat::default(), part_size, offline_mode);
        self.send_batch_resumable(&mut state, files, key, rng, &mut |_| {})
            .await
    }

    /// Sends a batch so that an interruption never loses or duplicates an invoice (issue
    /// 5 item 7). `invoices` are (archive file name, XML) in `state`'s order; `persist` is
    /// called after every change of `state`. On a call with a `state` from an interrupted
    /// run:
    /// - a session whose close was requested is only looked up: its status (closed again
    ///   if the close never arrived) and, once final, its invoice list by file name;
    /// - a session still open whose parts were encrypted with this `key` (same archive)
    ///   gets its missing parts, then the close;
    /// - otherwise (key lost with the process) the unclosed session is abandoned, which
    ///   KSeF never processes (§9), and the archive goes into a new session.
    ///
    /// # Errors
    /// [`CallError::StateMismatch`] if `invoices` differ from the saved send; refusal,
    /// archive errors, KSeF errors, upload failures, [`CallError::Timeout`] (call again
    /// with the persisted state).
    pub async fn send_batch_resumable(
        &mut self,
        state: &mut BatchSendState,
        invoices: &[(String, Vec<u8>)],
        key: &InvoiceEncryptionKey,
        rng: &mut impl rand_core::CryptoRng,
        persist: &mut impl FnMut(&BatchSendState),
    ) -> Result<BatchReport, CallError> {
        self.auth.bearer(self.transport.now_utc())?;
        if invoices.len() != state.items.len() {
            return Err(CallError::StateMismatch(format!(
                "the saved batch has {} invoices, {} were given",
                state.items.len(),
                invoices.len()
            )));
        }
        for (item, (file_name, xml)) in state.items.iter().zip(invoices) {
            if &item.file_name != file_name || Sha256Hash::of(xml).to_base64() != item.invoice_hash
            {
                return Err(CallError::StateMismatch(format!(
                    "{} is not the invoice the saved batch was started with",
                    item.name
                )));
            }
        }
        if invoices.len() > batch::MAX_INVOICES_PER_SESSION {
            return Err(BatchError::TooManyInvoices {
                count: invoices.len(),
                max: batch::MAX_INVOICES_PER_SESSION,
            }
            .into());
        }
        if let Some(done) = state.sessions.iter().position(|s| s.final_status.is_some()) {
            return self.batch_report(state, done, persist).await;
        }
        let archive = state.format.pack(invoices)?;
        let archive_hash = Sha256Hash::of(&archive).to_base64();
        let check = key_check(key);
        while let Some(i) = state.live_session() {
            let rec = state.sessions[i].clone();
            if rec.close_requested {
                let status = self.session_status(&rec.reference_number).await?;
                if status.status.code == 100 {
                    // Every part was uploaded before close_requested was set.
                    self.close_batch(&rec.reference_number).await?;
                }
                state.sessions[i].closed = true;
                persist(state);
                return self.batch_report(state, i, persist).await;
            }
            let same = rec.key_check == check
                && rec.archive_hash == archive_hash
                && self
                    .session_status(&rec.reference_number)
                    .await?
                    .status
                    .code
                    == 100;
            if !same {
                state.sessions[i].abandoned = true;
                persist(state);
                continue;
            }
            let plan = self
                .plan_batch(key, &archive, state.format, state.part_size)
                .await?;
            return self.upload_close_report(state, i, &plan, persist).await;
        }
        let plan = self
            .plan_batch(key, &archive, state.format, state.part_size)
            .await?;
        let mf = self.mf_key().await?;
        let info = key
            .encryption_info(&mf, rng)
            .map_err(|e| CallError::Crypto(e.to_string()))?;
        let r = self
            .authorized(plan.open_request(info, state.offline_mode)?)
            .await?;
        let opened: OpenBatchSessionResponse = r.json()?;
        state.sessions.push(BatchSessionRecord {
            reference_number: opened.reference_number,
            key_check: check,
            archive_hash,
            parts: plan.parts.len() as u32,
            upload_requests: opened.part_upload_requests,
            uploaded: Vec::new(),
            close_requested: false,
            closed: false,
            abandoned: false,
            final_status: None,
        });
        persist(state);
        let i = state.sessions.len() - 1;
        self.upload_close_report(state, i, &plan, persist).await
    }

    /// Uploads the parts of session `i` not uploaded yet, closes it, reports.
    async fn upload_close_report(
        &mut self,
        state: &mut BatchSendState,
        i: usize,
        plan: &BatchPlan,
        persist: &mut impl FnMut(&BatchSendState),
    ) -> Result<BatchReport, CallError> {
        let rec = state.sessions[i].clone();
        let mut uploads = Vec::new();
        for upload in rec
            .upload_requests
            .iter()
            .filter(|u| !rec.uploaded.contains(&u.ordinal_number))
        {
            let request = plan.upload_request(upload).ok_or_else(|| {
                CallError::Crypto(format!(
                    "ksef asked for unknown part {}",
                    upload.ordinal_number
                ))
            })?;
            uploads.push((upload.ordinal_number, request));
        }
        // Part uploads are not rate-limited and may run in parallel (§9 step 4).
        for chunk in uploads.chunks(PARALLEL_UPLOADS) {
            let futures = chunk
                .iter()
                .map(|(_, r)| upload(&self.transport, self.retry, r.clone()))
                .collect();
            let results = join_all(futures).await;
            let mut failure = None;
            for ((ordinal, _), result) in chunk.iter().zip(results) {
                match result.and_then(|r| Ok(r.ok()?)) {
                    Ok(()) => state.sessions[i].uploaded.push(*ordinal),
                    Err(e) => {
                        failure.get_or_insert(e);
                    }
                }
            }
            // The parts that did go up are recorded before the failure is reported.
            persist(state);
            if let Some(e) = failure {
                return Err(e);
            }
        }
        state.sessions[i].close_requested = true;
        persist(state);
        let reference = state.sessions[i].reference_number.clone();
        self.close_batch(&reference).await?;
        state.sessions[i].closed = true;
        persist(state);
        self.batch_report(state, i, persist).await
    }

    /// `POST /sessions/batch/{ref}/close`.
    async fn close_batch(&mut self, session: &str) -> Result<(), CallError> {
        self.authorized(batch::close_request(session)).await?.ok()?;
        Ok(())
    }

    /// `GET /sessions/{ref}` once.
    async fn session_status(&mut self, session: &str) -> Result<SessionStatusResponse, CallError> {
        let r = self
            .authorized(online::session_status_request(session))
            .await?;
        Ok(r.json()?)
    }

    /// Waits for session `i` to finish, adopts its invoice list, reports.
    async fn batch_report(
        &mut self,
        state: &mut BatchSendState,
        i: usize,
        persist: &mut impl FnMut(&BatchSendState),
    ) -> Result<BatchReport, CallError> {
        let session = state.sessions[i].reference_number.clone();
        let status = self.session_final(&session).await?;
        let outcomes = self.session_invoices(&session).await?;
        state.sessions[i].final_status = Some(status.status.code);
        state.adopt_listing(&outcomes);
        persist(state);
        Ok(BatchReport {
            session_reference_number: session,
            session_status: status.status,
            outcomes,
        })
    }

    /// The online-session invoice limit: the smaller of
    /// [`Client::max_invoices_per_session`] and KSeF's `onlineSession.maxInvoices`
    /// (`GET /limits/context`, DIGEST §17; unknown if that call fails).
    ///
    /// # Errors
    /// Refusal.
    pub async fn online_session_limit(&mut self) -> Result<usize, CallError> {
        let ours = self.max_invoices_per_session.max(1);
        let r = self
            .authorized(HttpRequest::api(Method::Get, "/limits/context"))
            .await;
        let theirs = match r {
            Ok(r) if r.is_success() => r
                .json::<ContextLimitsResponse>()
                .ok()
                .and_then(|l| usize::try_from(l.online_session.max_invoices).ok()),
            Err(CallError::NotAuthorized(e)) => return Err(e.into()),
            _ => None,
        };
        Ok(theirs.map_or(ours, |t| t.clamp(1, ours)))
    }

    /// Sends `invoices` (name, XML; the same list and order as `state` was made from)
    /// online so that none is lost or sent twice across interruptions (issue 5 item 7):
    /// first looks up every earlier session of `state` by invoice hash, then sends only
    /// what KSeF never received, in fresh sessions with fresh keys, a new session
    /// whenever the current one is full or near its `validUntil`
    /// ([`SessionBudget`], DIGEST §8, §17); polls every invoice to its final status (a
    /// 440 whose original has the same bytes counts as accepted), closes the sessions.
    /// Items with a `corrected_hash` go out as technical corrections (§15). `persist` is
    /// called after every change of `state`. Encryption goes through
    /// [`Transport::encrypt_aes256_cbc`].
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
            return Err(CallError::StateMismatch(format!(
                "the saved send has {} invoices, {} were given",
                state.items.len(),
                invoices.len()
            )));
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
        let mut last_opened: Option<String> = None;
        if !pending.is_empty() {
            let limit = self.online_session_limit().await?;
            let mut current: Option<(String, InvoiceEncryptionKey, SessionBudget)> = None;
            for i in pending {
                if current
                    .as_ref()
                    .is_none_or(|(_, _, b)| !b.has_room(self.transport.now_utc()))
                {
                    if let Some((s, _, _)) = current.take() {
                        self.close_online(&s).await?;
                    }
                    let key = InvoiceEncryptionKey::generate(rng);
                    let open = self.open_online(&key, rng).await?;
                    let session = open.reference_number;
                    state.sessions.push(session.clone());
                    persist(state);
                    last_opened = Some(session.clone());
                    current = Some((session, key, SessionBudget::new(limit, &open.valid_until)));
                }
                let Some((session, key, budget)) = current.as_mut() else {
                    continue;
                };
                let p = self
                    .prepare_invoice(
                        key,
                        &invoices[i].1,
                        offline_mode,
                        state.items[i].corrected_hash.clone(),
                    )
                    .await?;
                if p.invoice_hash() != state.items[i].invoice_hash {
                    return Err(CallError::StateMismatch(format!(
                        "{} changed since the send started",
                        invoices[i].0
                    )));
                }
                state.items[i].session_reference_number = Some(session.clone());
                persist(state);
                budget.record();
                match self.send_invoice(session, &p).await {
                    Ok(r) => state.items[i].reference_number = Some(r),
                    Err(CallError::Api(e)) if !e.is_transient() => {
                        state.items[i].outcome =
                            Some(InvoiceOutcome::refused(session, p.invoice_hash(), &e));
                    }
                    Err(e) => return Err(e),
                }
                persist(state);
            }
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
        if let Some(last) = last_opened {
            self.close_online(&last).await?;
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

/// Base64 SHA-256 of the AES key and IV: identifies the key of a batch session in the
/// persisted state without storing it.
fn key_check(key: &InvoiceEncryptionKey) -> String {
    let mut material = zeroize::Zeroizing::new(Vec::with_capacity(48));
    material.extend_from_slice(key.hazmat_key_bytes());
    material.extend_from_slice(key.iv());
    Sha256Hash::of(&material).to_base64()
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
                || p.starts_with("/certificates/query?")
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

impl BatchReport {
    /// The outcome of the archive entry `file_name` (whose XML hashes to
    /// `invoice_hash`): KSeF's per-invoice status when the session listed it, otherwise
    /// a rejection carrying the session's status (the session failed as a whole, e.g.
    /// 415 or 445, and KSeF never read the entry).
    pub fn outcome_for(&self, file_name: &str, invoice_hash: &str) -> InvoiceOutcome {
        self.outcomes
            .iter()
            .find(|o| o.invoice_file_name.as_deref() == Some(file_name))
            .cloned()
            .unwrap_or_else(|| InvoiceOutcome {
                status: ProductStatus::Rejected,
                code: self.session_status.code,
                description: self.session_status.description.clone(),
                details: self.session_status.details().to_vec(),
                ksef_number: None,
                reference_number: String::new(),
                session_reference_number: self.session_reference_number.clone(),
                invoice_number: None,
                invoicing_mode: None,
                invoicing_date: String::new(),
                acquisition_date: None,
                original_ksef_number: None,
                invoice_file_name: Some(file_name.to_owned()),
                invoice_hash: invoice_hash.to_owned(),
            })
    }
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

#[cfg(test)]
mod tests {
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    use super::*;

    /// Only the provided methods matter here.
    struct NoNet;

    impl Transport for NoNet {
        async fn send(&self, _: HttpRequest) -> Result<HttpResponse, TransportError> {
            Err(TransportError("offline".into()))
        }
        async fn sleep(&self, _: Millis) {}
        fn now_ms(&self) -> Millis {
            0
        }
        fn now_utc(&self) -> OffsetDateTime {
            OffsetDateTime::UNIX_EPOCH
        }
        fn jitter(&self) -> u64 {
            0
        }
    }

    fn ready<F: Future>(f: F) -> F::Output {
        match pin!(f).poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(v) => v,
            Poll::Pending => panic!("the default hook is synchronous"),
        }
    }

    /// The default hook gives the bytes of the existing pure-Rust path, for every
    /// padding case, and `openssl enc -d -aes-256-cbc` decrypts them.
    #[test]
    fn default_aes_hook_equals_crypto_and_openssl_decrypts_it() {
        let key = InvoiceEncryptionKey::from_parts(
            core::array::from_fn(|i| i as u8 * 7 + 1),
            core::array::from_fn(|i| 0xF0 ^ i as u8),
        );
        let xml = "<Faktura>zażółć gęślą jaźń</Faktura>".repeat(37);
        for len in [0usize, 1, 15, 16, 17, 31, 32, xml.len()] {
            let plain = &xml.as_bytes()[..len];
            let hooked =
                ready(NoNet.encrypt_aes256_cbc(key.hazmat_key_bytes(), key.iv(), plain)).unwrap();
            assert_eq!(hooked, key.encrypt_bytes(plain), "length {len}");
            assert_eq!(hooked.len(), (len / 16 + 1) * 16, "PKCS#7, length {len}");
        }
        let client = Client::new(NoNet, Profile::unlimited());
        let p = ready(client.prepare_invoice(&key, xml.as_bytes(), true, None)).unwrap();
        assert_eq!(
            p.body,
            PreparedInvoice::new(&key, xml.as_bytes(), true, None).body
        );
        let plan = ready(client.plan_batch(&key, xml.as_bytes(), ArchiveFormat::Zip, 100)).unwrap();
        let sync = BatchPlan::new(&key, xml.as_bytes(), 100).unwrap();
        assert_eq!(plan.parts, sync.parts);

        let ct = ready(NoNet.encrypt_aes256_cbc(key.hazmat_key_bytes(), key.iv(), xml.as_bytes()))
            .unwrap();
        let dir = std::env::temp_dir().join(format!("ksef-aes-hook-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("invoice.enc");
        std::fs::write(&file, &ct).unwrap();
        let out = std::process::Command::new("openssl")
            .args(["enc", "-d", "-aes-256-cbc", "-K"])
            .arg(hex::encode(key.hazmat_key_bytes()))
            .arg("-iv")
            .arg(hex::encode(key.iv()))
            .arg("-in")
            .arg(&file)
            .output();
        let _ = std::fs::remove_dir_all(&dir);
        match out {
            Ok(out) => {
                assert!(
                    out.status.success(),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                );
                assert_eq!(out.stdout, xml.as_bytes());
            }
            Err(e) => panic!("openssl is needed for this interop test: {e}"),
        }
    }
}
