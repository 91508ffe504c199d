//! `KsefClient`: the core's client (auth coordinator, governor, retries, online and batch
//! sending, resume) over the fetch transport. Each method locks the client (an async
//! mutex, so concurrent calls from the UI queue instead of failing), calls one core
//! operation and converts the result.

use std::cell::RefCell;
use std::rc::Rc;

use futures_util::lock::Mutex;
use js_sys::{Function, Promise, Uint8Array};
use ksef_core::client::auth::{AuthFailure, AuthState, XadesLogin};
use ksef_core::client::batch::MAX_PART_SIZE;
use ksef_core::client::governor::Profile;
use ksef_core::client::online::{InvoiceOutcome, ProductStatus};
use ksef_core::client::resume::OnlineSendState;
use ksef_core::client::{Client, SendMode};
use ksef_core::crypto::InvoiceEncryptionKey;
use ksef_core::xades::ContextIdentifier;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::credential::parse_algorithm;
use crate::error::{Failure, Result};
use crate::transport::{FetchTransport, JsSigner};
use crate::{system_rng, to_js};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Reason {
    kind: &'static str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<i64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    details: Vec<String>,
}

#[derive(Serialize)]
struct AuthOut {
    state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<Reason>,
}

fn reason(f: &AuthFailure) -> Reason {
    let (kind, code, details) = match f {
        AuthFailure::MissingCredentials(_) => ("missing_credentials", None, vec![]),
        AuthFailure::WrongPassword => ("wrong_password", None, vec![]),
        AuthFailure::CertificateRejected { code, details, .. } => {
            ("certificate_rejected", *code, details.clone())
        }
        AuthFailure::NoPermissions { details, .. } => {
            ("no_permissions", Some(415), details.clone())
        }
        AuthFailure::Blocked { details, .. } => ("blocked", Some(480), details.clone()),
        AuthFailure::Network(_) => ("network", None, vec![]),
        AuthFailure::Rejected { code, details, .. } => ("rejected", *code, details.clone()),
        _ => ("signing", None, vec![]),
    };
    Reason {
        kind,
        message: f.to_string(),
        code,
        details,
    }
}

fn auth_out(s: &AuthState) -> AuthOut {
    let (state, reason) = match s {
        AuthState::NotAuthenticated => ("NotAuthenticated", None),
        AuthState::InProgress => ("InProgress", None),
        AuthState::Accepted => ("Accepted", None),
        AuthState::Error { reason: r } => ("Error", Some(reason(r))),
        _ => ("Error", None),
    };
    AuthOut { state, reason }
}

struct Inner {
    client: Mutex<Client<FetchTransport>>,
    auth: RefCell<AuthOut>,
}

impl Inner {
    fn remember_auth(&self, client: &Client<FetchTransport>) {
        *self.auth.borrow_mut() = auth_out(client.authorization().state());
    }
}

/// A KSeF client running in the page, talking to KSeF through the proxy.
#[wasm_bindgen]
pub struct KsefClient(Rc<Inner>);

fn promise<F, T>(f: F) -> Promise
where
    F: Future<Output = Result<T>> + 'static,
    T: Into<JsValue>,
{
    future_to_promise(async move { f.await.map(Into::into).map_err(Into::into) })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SendOut {
    outcomes: Vec<Option<InvoiceOutcome>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    state: Option<OnlineSendState>,
    mode: &'static str,
}

fn items(names: Vec<String>, xmls: Vec<Uint8Array>) -> Result<Vec<(String, Vec<u8>)>> {
    if names.len() != xmls.len() {
        return Err(Failure::input(format!(
            "names and xmls differ in length ({} vs {})",
            names.len(),
            xmls.len()
        )));
    }
    if names.is_empty() {
        return Err(Failure::input(
            "nothing to send: the list of invoices is empty",
        ));
    }
    Ok(names
        .into_iter()
        .zip(xmls)
        .map(|(n, x)| (n, x.to_vec()))
        .collect())
}

#[wasm_bindgen]
impl KsefClient {
    /// A client for `api_base` (`/sim/v2`, `http://host/test/v2`, …) with the `profile`
    /// rate limits (`prod` or `test`); `app_token` returns the host application's user
    /// token for the proxy's permission checks.
    #[wasm_bindgen(constructor)]
    pub fn new(api_base: &str, profile: &str, app_token: Option<Function>) -> Result<KsefClient> {
        let profile = match profile {
            "prod" => Profile::production(),
            "test" => Profile::test(),
            other => {
                return Err(Failure::input(format!(
                    "profile: expected prod or test, got {other:?}"
                )));
            }
        };
        let client = Client::new(FetchTransport::new(api_base, app_token), profile);
        Ok(KsefClient(Rc::new(Inner {
            auth: RefCell::new(auth_out(client.authorization().state())),
            client: Mutex::new(client),
        })))
    }

    /// The authorization state `{state, reason?}` (as of the last finished operation).
    #[wasm_bindgen(js_name = authState)]
    pub fn auth_state(&self) -> Result<JsValue> {
        to_js(&*self.0.auth.borrow())
    }

    /// Logs in (XAdES, DIGEST §5) with the Authentication certificate `cert_der`, whose
    /// key signs through `sign(algorithm, message) => Promise<Uint8Array>`. Resolves to
    /// the new state; KSeF's refusals are a state, not an exception.
    pub fn authorize(
        &self,
        cert_der: Vec<u8>,
        algorithm: String,
        context_type: String,
        context_value: String,
        sign: Function,
    ) -> Promise {
        let inner = self.0.clone();
        promise(async move {
            let context = ContextIdentifier::parse(&context_type, &context_value)
                .map_err(|e| Failure::input(format!("context: {e}")))?;
            let login = XadesLogin::new(cert_der, parse_algorithm(&algorithm)?, context);
            let mut client = inner.client.lock().await;
            let _ = client.login(login, &mut JsSigner(sign)).await;
            inner.remember_auth(&client);
            to_js(&*inner.auth.borrow()).map_err(|_| Failure::new("INTERNAL", "state"))
        })
    }

    /// Sends invoices (`names[i]` ↔ `xmls[i]`). `mode`: `auto` (batch above the core's
    /// threshold), `online` or `batch`. Online sends are resumable: pass the last
    /// persisted `state` (or null) and a `persist(state)` callback; `progress(done,
    /// total)` reports finished invoices. Resolves to `{outcomes, state?, mode}` with one
    /// outcome (or null when still unknown) per invoice, in input order.
    #[allow(clippy::too_many_arguments)]
    #[wasm_bindgen(js_name = sendInvoices)]
    pub fn send_invoices(
        &self,
        names: Vec<String>,
        xmls: Vec<Uint8Array>,
        mode: String,
        offline: bool,
        state: JsValue,
        persist: Option<Function>,
        progress: Option<Function>,
    ) -> Promise {
        let inner = self.0.clone();
        promise(async move {
            let invoices = items(names, xmls)?;
            let batch = match mode.as_str() {
                "batch" => true,
                "online" => false,
                "auto" => SendMode::for_count(invoices.len()) == SendMode::Batch,
                other => {
                    return Err(Failure::input(format!(
                        "mode: expected auto, online or batch, got {other:?}"
                    )));
                }
            };
            let mut client = inner.client.lock().await;
            let result = if batch {
                send_batch(&mut client, &invoices, offline, progress.as_ref()).await
            } else {
                send_online(&mut client, &invoices, offline, state, persist, progress).await
            };
            inner.remember_auth(&client);
            to_js(&result?)
        })
    }

    /// Re-reads one invoice's status (ODŚWIEŻ).
    #[wasm_bindgen(js_name = invoiceStatus)]
    pub fn invoice_status(&self, session: String, reference: String) -> Promise {
        let inner = self.0.clone();
        promise(async move {
            let mut client = inner.client.lock().await;
            let r = client.invoice_outcome(&session, &reference).await;
            inner.remember_auth(&client);
            to_js(&r?)
        })
    }

    /// The UPO of one invoice (XML bytes).
    #[wasm_bindgen(js_name = invoiceUpo)]
    pub fn invoice_upo(&self, session: String, reference: String) -> Promise {
        let inner = self.0.clone();
        promise(async move {
            let mut client = inner.client.lock().await;
            let r = client.invoice_upo(&session, &reference).await;
            inner.remember_auth(&client);
            Ok(Uint8Array::from(&r?[..]))
        })
    }
}

fn done(outcomes: &[Option<InvoiceOutcome>]) -> u32 {
    let n = outcomes
        .iter()
        .filter(|o| o.as_ref().is_some_and(InvoiceOutcome::is_final))
        .count();
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn report(progress: Option<&Function>, done: u32, total: usize) {
    if let Some(f) = progress {
        // Progress is informational; a throwing callback must not stop the send.
        let _ = f.call2(&JsValue::NULL, &done.into(), &(total as u32).into());
    }
}

async fn send_online(
    client: &mut Client<FetchTransport>,
    invoices: &[(String, Vec<u8>)],
    offline: bool,
    state: JsValue,
    persist: Option<Function>,
    progress: Option<Function>,
) -> Result<SendOut> {
    let mut state: OnlineSendState = if state.is_null() || state.is_undefined() {
        OnlineSendState::new(invoices)
    } else {
        serde_wasm_bindgen::from_value(state).map_err(|e| Failure::input(format!("state: {e}")))?
    };
    let total = invoices.len();
    let mut save = |s: &OnlineSendState| {
        if let Some(f) = &persist
            && let Ok(v) = to_js(s)
        {
            let _ = f.call1(&JsValue::NULL, &v);
        }
        let outcomes: Vec<_> = s.items.iter().map(|i| i.outcome.clone()).collect();
        report(progress.as_ref(), done(&outcomes), total);
    };
    let mut rng = system_rng();
    client
        .send_online_resumable(&mut state, invoices, offline, &mut rng, &mut save)
        .await?;
    Ok(SendOut {
        outcomes: state.items.iter().map(|i| i.outcome.clone()).collect(),
        state: Some(state),
        mode: "online",
    })
}

async fn send_batch(
    client: &mut Client<FetchTransport>,
    invoices: &[(String, Vec<u8>)],
    offline: bool,
    progress: Option<&Function>,
) -> Result<SendOut> {
    // Unique names inside the archive; outcomes are matched back by them.
    let named: Vec<(String, Vec<u8>)> = invoices
        .iter()
        .enumerate()
        .map(|(i, (_, xml))| (format!("{i:06}.xml"), xml.clone()))
        .collect();
    let mut rng = system_rng();
    let key = InvoiceEncryptionKey::generate(&mut rng);
    report(progress, 0, invoices.len());
    let r = client
        .send_batch(&key, &mut rng, &named, offline, MAX_PART_SIZE)
        .await?;
    let outcomes: Vec<Option<InvoiceOutcome>> = named
        .iter()
        .map(|(name, xml)| {
            r.outcomes
                .iter()
                .find(|o| o.invoice_file_name.as_deref() == Some(name))
                .cloned()
                .or_else(|| {
                    // KSeF did not list it: the session failed as a whole.
                    Some(InvoiceOutcome {
                        status: ProductStatus::Rejected,
                        code: r.session_status.code,
                        description: r.session_status.description.clone(),
                        details: r.session_status.details().to_vec(),
                        ksef_number: None,
                        reference_number: String::new(),
                        session_reference_number: r.session_reference_number.clone(),
                        invoice_number: None,
                        invoicing_mode: None,
                        invoicing_date: String::new(),
                        acquisition_date: None,
                        original_ksef_number: None,
                        invoice_file_name: Some(name.clone()),
                        invoice_hash: ksef_core::hash::Sha256Hash::of(xml).to_base64(),
                    })
                })
        })
        .collect();
    report(progress, done(&outcomes), invoices.len());
    Ok(SendOut {
        outcomes,
        state: None,
        mode: "batch",
    })
}
