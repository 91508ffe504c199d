//! The auth coordinator (DIGEST §5): challenge → XAdES `AuthTokenRequest` signed in two
//! steps (the canonical `SignedInfo` bytes are handed out, so a browser can sign with
//! WebCrypto) → `POST /auth/xades-signature` → poll `GET /auth/{ref}` → redeem → refresh
//! before the access token expires; and the authorization state the UI shows.
//!
//! [`AuthFlow`] is a state machine: every call returns the next [`AuthAction`] (send a
//! request, sign bytes, wait and poll, done, failed); the caller feeds back the response,
//! the signature, or the network error. No I/O, no clock (`now` is passed in).

use time::OffsetDateTime;

use crate::api::{
    ApiError, AuthInitResponse, AuthStatusResponse, ChallengeResponse, HttpRequest, HttpResponse,
    Method, RefreshResponse, TokenInfo, TokensResponse, parse_datetime,
};
use crate::crypto::{CredentialError, SignRequest, SignatureAlgorithm};
use crate::xades::{self, AuthTokenRequest, ContextIdentifier, SubjectIdentifierType};

use super::governor::Millis;

/// Why the client is not authorized, in terms the UI can show (issue 5: wrong password,
/// missing credentials, certificate rejected with KSeF's code, no permissions, blocked,
/// network).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthFailure {
    /// No certificate or key was given, or the key needs a password none was given for.
    #[error("missing credentials: {0}")]
    MissingCredentials(String),
    /// The password does not decrypt the private key.
    #[error("wrong password for the private key")]
    WrongPassword,
    /// The certificate was refused, locally (wrong type, expired) or by KSeF (status 460,
    /// error 21115…); `code` is KSeF's code when KSeF refused it.
    #[error("certificate rejected{}: {description}", code_suffix(*.code))]
    CertificateRejected {
        /// KSeF's status or error code (460, 21115, …), `None` for a local check.
        code: Option<i64>,
        /// KSeF's (Polish) description or the local reason.
        description: String,
        /// KSeF's details.
        details: Vec<String>,
    },
    /// Status 415: the subject holds no permission in the context.
    #[error("no permissions in this context (415): {description}")]
    NoPermissions {
        /// KSeF's description.
        description: String,
        /// KSeF's details ("Brak przypisanych uprawnień").
        details: Vec<String>,
    },
    /// Status 480: authentication blocked (suspected security incident).
    #[error("authentication blocked (480): {description}")]
    Blocked {
        /// KSeF's description.
        description: String,
        /// KSeF's details.
        details: Vec<String>,
    },
    /// KSeF could not be reached (after the retries).
    #[error("network error: {0}")]
    Network(String),
    /// Any other refusal by KSeF (an auth status ≥ 400 or an HTTP error), with its code.
    #[error("authentication failed{}: {description}", code_suffix(*.code))]
    Rejected {
        /// KSeF's status or error code.
        code: Option<i64>,
        /// HTTP status, when the refusal was an HTTP error.
        http_status: Option<u16>,
        /// KSeF's description.
        description: String,
        /// KSeF's details.
        details: Vec<String>,
    },
    /// The XAdES document could not be built or the signature does not fit it.
    #[error("cannot sign the authentication request: {0}")]
    Signing(String),
}

fn code_suffix(code: Option<i64>) -> String {
    code.map(|c| format!(" ({c})")).unwrap_or_default()
}

impl AuthFailure {
    /// Maps a credential-loading error: password problems and missing pieces get their
    /// own reasons, certificate problems become [`AuthFailure::CertificateRejected`].
    pub fn from_credential(e: &CredentialError) -> Self {
        match e {
            CredentialError::WrongPassword => AuthFailure::WrongPassword,
            CredentialError::PasswordRequired => {
                AuthFailure::MissingCredentials("the private key needs a password".into())
            }
            CredentialError::NotPemOrDer
            | CredentialError::WrongPemLabel { .. }
            | CredentialError::Truncated => AuthFailure::MissingCredentials(e.to_string()),
            other => AuthFailure::CertificateRejected {
                code: None,
                description: other.to_string(),
                details: Vec::new(),
            },
        }
    }

    /// Maps an HTTP error of an auth call (21115 → certificate rejected).
    pub fn from_api(e: &ApiError) -> Self {
        let first = e.errors().first();
        let description = first.map(|d| d.description.clone()).unwrap_or_default();
        let details = first.map(|d| d.details.clone()).unwrap_or_default();
        match e.code() {
            Some(21115) => AuthFailure::CertificateRejected {
                code: Some(21115),
                description,
                details,
            },
            code => AuthFailure::Rejected {
                code,
                http_status: e.status(),
                description: if description.is_empty() {
                    e.to_string()
                } else {
                    description
                },
                details,
            },
        }
    }

    /// Maps a final auth status ≥ 400 (DIGEST §5.4).
    pub fn from_status(code: i64, description: String, details: Vec<String>) -> Self {
        match code {
            415 => AuthFailure::NoPermissions {
                description,
                details,
            },
            480 => AuthFailure::Blocked {
                description,
                details,
            },
            460 => AuthFailure::CertificateRejected {
                code: Some(460),
                description,
                details,
            },
            _ => AuthFailure::Rejected {
                code: Some(code),
                http_status: None,
                description,
                details,
            },
        }
    }
}

/// What the caller must do next.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum AuthAction {
    /// Send this request and feed the response to [`AuthFlow::on_response`].
    Send(HttpRequest),
    /// Sign these bytes (the canonical `ds:SignedInfo`) with the certificate's key and
    /// feed the signature to [`AuthFlow::on_signature`].
    Sign(SignRequest),
    /// Wait `delay` ms, then send the request (status polling).
    Poll {
        /// Milliseconds to wait.
        delay: Millis,
        /// The request to send afterwards.
        request: HttpRequest,
    },
    /// Authenticated: the tokens are in [`AuthFlow::tokens`].
    Done,
    /// Failed for good.
    Failed(AuthFailure),
}

#[derive(Debug, Clone)]
enum Step {
    Challenge,
    Signing(Box<xades::Prepared>),
    Submitted,
    Polling { reference: String, token: String },
    Redeeming { reference: String },
    Done(Tokens),
    Failed(AuthFailure),
}

/// The redeemed token pair with parsed expiries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tokens {
    /// The access token (Bearer for every business call).
    pub access: TokenInfo,
    /// The refresh token.
    pub refresh: TokenInfo,
    /// The `…-AU-…` reference of the authentication.
    pub reference: String,
}

/// Settings of one XAdES login.
#[derive(Debug, Clone)]
pub struct XadesLogin {
    /// The certificate, DER.
    pub certificate_der: Vec<u8>,
    /// The signature algorithm the key uses.
    pub algorithm: SignatureAlgorithm,
    /// The context to log into (e.g. the company NIP).
    pub context: ContextIdentifier,
    /// How KSeF identifies the subject.
    pub subject_type: SubjectIdentifierType,
    /// Delay between status polls.
    pub poll_interval: Millis,
    /// Give up after this many polls still at 100.
    pub max_polls: u32,
}

impl XadesLogin {
    /// A login with `certificateSubject`, polling every 500 ms for up to 10 minutes.
    pub fn new(
        certificate_der: Vec<u8>,
        algorithm: SignatureAlgorithm,
        context: ContextIdentifier,
    ) -> Self {
        Self {
            certificate_der,
            algorithm,
            context,
            subject_type: SubjectIdentifierType::CertificateSubject,
            poll_interval: 500,
            max_polls: 1_200,
        }
    }
}

/// The XAdES login state machine.
#[derive(Debug, Clone)]
pub struct AuthFlow {
    login: XadesLogin,
    step: Step,
    polls: u32,
}

impl AuthFlow {
    /// Starts a login; the first action is `POST /auth/challenge`.
    pub fn start(login: XadesLogin) -> (Self, AuthAction) {
        let flow = Self {
            login,
            step: Step::Challenge,
            polls: 0,
        };
        (
            flow,
            AuthAction::Send(HttpRequest::api(Method::Post, "/auth/challenge")),
        )
    }

    /// The tokens once [`AuthAction::Done`] was returned.
    pub fn tokens(&self) -> Option<&Tokens> {
        match &self.step {
            Step::Done(t) => Some(t),
            _ => None,
        }
    }

    /// The failure once [`AuthAction::Failed`] was returned.
    pub fn failure(&self) -> Option<&AuthFailure> {
        match &self.step {
            Step::Failed(f) => Some(f),
            _ => None,
        }
    }

    fn fail(&mut self, f: AuthFailure) -> AuthAction {
        self.step = Step::Failed(f.clone());
        AuthAction::Failed(f)
    }

    /// Feeds a network error (after the driver's retries): the login fails with
    /// [`AuthFailure::Network`].
    pub fn on_network_error(&mut self, message: &str) -> AuthAction {
        self.fail(AuthFailure::Network(message.to_owned()))
    }

    /// Feeds the response to the last [`AuthAction::Send`] / [`AuthAction::Poll`];
    /// `now` is the wall-clock time (the XAdES `SigningTime` is `now` − 1 min).
    pub fn on_response(&mut self, r: &HttpResponse, now: OffsetDateTime) -> AuthAction {
        let step = std::mem::replace(&mut self.step, Step::Challenge);
        match step {
            Step::Challenge => match r.json::<ChallengeResponse>() {
                Ok(c) => self.prepare(&c.challenge, now),
                Err(e) => self.fail(AuthFailure::from_api(&e)),
            },
            Step::Submitted => match r.json::<AuthInitResponse>() {
                Ok(init) => {
                    let token = init.authentication_token.token;
                    let request = status_request(&init.reference_number, &token);
                    self.step = Step::Polling {
                        reference: init.reference_number,
                        token,
                    };
                    AuthAction::Send(request)
                }
                Err(e) => self.fail(AuthFailure::from_api(&e)),
            },
            Step::Polling { reference, token } => match r.json::<AuthStatusResponse>() {
                Ok(s) if s.status.code == 100 => {
                    self.polls += 1;
                    if self.polls >= self.login.max_polls {
                        return self.fail(AuthFailure::Rejected {
                            code: Some(100),
                            http_status: None,
                            description: s.status.description,
                            details: vec!["authentication still in progress".into()],
                        });
                    }
                    let request = status_request(&reference, &token);
                    self.step = Step::Polling { reference, token };
                    AuthAction::Poll {
                        delay: self.login.poll_interval,
                        request,
                    }
                }
                Ok(s) if s.status.code == 200 => {
                    let request =
                        HttpRequest::api(Method::Post, "/auth/token/redeem").bearer(&token);
                    self.step = Step::Redeeming { reference };
                    AuthAction::Send(request)
                }
                Ok(s) => {
                    let details = s.status.details().to_vec();
                    self.fail(AuthFailure::from_status(
                        s.status.code,
                        s.status.description,
                        details,
                    ))
                }
                Err(e) => self.fail(AuthFailure::from_api(&e)),
            },
            Step::Redeeming { reference } => match r.json::<TokensResponse>() {
                Ok(t) => {
                    self.step = Step::Done(Tokens {
                        access: t.access_token,
                        refresh: t.refresh_token,
                        reference,
                    });
                    AuthAction::Done
                }
                Err(e) => self.fail(AuthFailure::from_api(&e)),
            },
            Step::Signing(p) => {
                self.step = Step::Signing(p);
                AuthAction::Failed(AuthFailure::Signing(
                    "a signature is expected, not a response".into(),
                ))
            }
            s @ (Step::Done(_) | Step::Failed(_)) => {
                self.step = s;
                AuthAction::Failed(AuthFailure::Signing("the login is over".into()))
            }
        }
    }

    fn prepare(&mut self, challenge: &str, now: OffsetDateTime) -> AuthAction {
        let request = match AuthTokenRequest::new(
            challenge,
            self.login.context.clone(),
            self.login.subject_type,
        ) {
            Ok(r) => r,
            Err(e) => return self.fail(AuthFailure::Signing(e.to_string())),
        };
        match xades::prepare(
            &request,
            &self.login.certificate_der,
            now - time::Duration::minutes(1),
            self.login.algorithm,
        ) {
            Ok(p) => {
                let sign = p.sign_request();
                self.step = Step::Signing(Box::new(p));
                AuthAction::Sign(sign)
            }
            Err(e) => self.fail(AuthFailure::Signing(e.to_string())),
        }
    }

    /// Feeds the signature over the bytes of [`AuthAction::Sign`]; the next action is
    /// `POST /auth/xades-signature`.
    pub fn on_signature(&mut self, signature: &[u8]) -> AuthAction {
        let Step::Signing(p) = &self.step else {
            return AuthAction::Failed(AuthFailure::Signing("no signature was requested".into()));
        };
        match p.finish(signature) {
            Ok(xml) => {
                self.step = Step::Submitted;
                AuthAction::Send(
                    HttpRequest::api(Method::Post, "/auth/xades-signature")
                        .bytes("application/xml", xml),
                )
            }
            Err(e) => self.fail(AuthFailure::Signing(e.to_string())),
        }
    }
}

fn status_request(reference: &str, token: &str) -> HttpRequest {
    HttpRequest::api(Method::Get, format!("/auth/{reference}")).bearer(token)
}

/// The authorization state shown in the UI.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthState {
    /// No login attempted yet.
    NotAuthenticated,
    /// A login or refresh is under way.
    InProgress,
    /// Authenticated; business calls may be made.
    Accepted,
    /// The last login or refresh failed.
    Error {
        /// Why.
        reason: AuthFailure,
    },
}

/// A business call was refused locally because the client is not authorized.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NotAuthorized {
    /// No successful login yet.
    #[error("cannot send to ksef: not authenticated (log in first)")]
    NotAuthenticated,
    /// A login is still running.
    #[error("cannot send to ksef: authentication is still in progress")]
    InProgress,
    /// The login or refresh failed.
    #[error("cannot send to ksef: authorization failed: {0}")]
    Failed(AuthFailure),
    /// Both the access and the refresh token have expired: log in again.
    #[error("cannot send to ksef: the session expired, log in again")]
    Expired,
}

/// Refresh the access token when it has less than this left (ms).
pub const REFRESH_MARGIN_MS: i64 = 120_000;

/// Holds the tokens and the [`AuthState`]; hands out the bearer token only while
/// Accepted, and says when to refresh (DIGEST §5.6: access ≈ 15 min, refresh 7 days).
#[derive(Debug, Clone)]
pub struct Authorization {
    state: AuthState,
    tokens: Option<Tokens>,
}

impl Default for Authorization {
    fn default() -> Self {
        Self::new()
    }
}

impl Authorization {
    /// Not authenticated.
    pub fn new() -> Self {
        Self {
            state: AuthState::NotAuthenticated,
            tokens: None,
        }
    }

    /// The state for the UI.
    pub fn state(&self) -> &AuthState {
        &self.state
    }

    /// The tokens, if a login succeeded.
    pub fn tokens(&self) -> Option<&Tokens> {
        self.tokens.as_ref()
    }

    /// Marks a login as started.
    pub fn begin(&mut self) {
        self.state = AuthState::InProgress;
    }

    /// Records a successful login.
    pub fn accept(&mut self, tokens: Tokens) {
        self.tokens = Some(tokens);
        self.state = AuthState::Accepted;
    }

    /// Records a failed login or refresh.
    pub fn fail(&mut self, reason: AuthFailure) {
        self.state = AuthState::Error { reason };
    }

    /// The access token to put in `Authorization: Bearer`, or why there is none.
    ///
    /// # Errors
    /// [`NotAuthorized`] unless the state is Accepted and a token is unexpired at `now`.
    pub fn bearer(&self, now: OffsetDateTime) -> Result<&str, NotAuthorized> {
        match (&self.state, &self.tokens) {
            (AuthState::Accepted, Some(t)) => {
                if expired(&t.access, now) {
                    Err(NotAuthorized::Expired)
                } else {
                    Ok(&t.access.token)
                }
            }
            (AuthState::InProgress, _) => Err(NotAuthorized::InProgress),
            (AuthState::Error { reason }, _) => Err(NotAuthorized::Failed(reason.clone())),
            _ => Err(NotAuthorized::NotAuthenticated),
        }
    }

    /// Whether the access token should be refreshed at `now` (less than
    /// [`REFRESH_MARGIN_MS`] left, or an unreadable expiry) while the refresh token lives.
    pub fn needs_refresh(&self, now: OffsetDateTime) -> bool {
        let Some(t) = &self.tokens else { return false };
        if self.state != AuthState::Accepted || expired(&t.refresh, now) {
            return false;
        }
        parse_datetime(&t.access.valid_until)
            .is_none_or(|until| (until - now).whole_milliseconds() < i128::from(REFRESH_MARGIN_MS))
    }

    /// `POST /auth/token/refresh` with the refresh token as Bearer.
    pub fn refresh_request(&self) -> Option<HttpRequest> {
        self.tokens
            .as_ref()
            .map(|t| HttpRequest::api(Method::Post, "/auth/token/refresh").bearer(&t.refresh.token))
    }

    /// Reads the refresh response: a new access token, or the state becomes Error.
    ///
    /// # Errors
    /// The [`AuthFailure`] the state was set to.
    pub fn on_refresh(&mut self, r: &HttpResponse) -> Result<(), AuthFailure> {
        match r.json::<RefreshResponse>() {
            Ok(rr) => {
                if let Some(t) = &mut self.tokens {
                    t.access = rr.access_token;
                }
                Ok(())
            }
            Err(e) => {
                let f = AuthFailure::from_api(&e);
                self.fail(f.clone());
                Err(f)
            }
        }
    }
}

fn expired(t: &TokenInfo, now: OffsetDateTime) -> bool {
    parse_datetime(&t.valid_until).is_some_and(|until| until <= now)
}

#[cfg(test)]
mod tests;
