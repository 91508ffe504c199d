//! `KsefClient`: the core's client (auth coordinator, governor, retries, online and batch
//! sending, resume) over the fetch transport. Each method locks the client (an async
//! mutex, so concurrent calls from the UI queue instead of failing), calls one core
//! operation and converts the result.

use std::cell::RefCell;
use std::rc::Rc;

use futures_util::lock::Mutex;
use js_sys::{Function, Promise, Uint8Array};
use ksef_core::client::archive::ArchiveFormat;
use ksef_core::client::auth::{AuthFailure, AuthState, XadesLogin};
use ksef_core::client::batch::MAX_PART_SIZE;
use ksef_core::client::governor::Profile;
use ksef_core::client::online::InvoiceOutcome;
use ksef_core::client::resume::{BatchSendState, OnlineSendState};
use ksef_core::client::{Client, SendMode};
use ksef_core::crypto::InvoiceEncryptionKey;
use ksef_core::hash::Sha256Hash;
use ksef_core::qr::CertSerial;
use ksef_core::xades::ContextIdentifier;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::error::{Failure, Result};
use crate::transport::{FetchTransport, JsSigner};
use crate::{parse_algorithm, system_rng, to_js};

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

/// The resumable state of a send as the caller persists it (JSON text: it crosses
/// as a string, which keeps a generic deserializer out of the module).
#[derive(Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SavedSend {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    online: Option<OnlineSendState>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    batch: Option<BatchSendState>,
}

impl SavedSend {
    fn online(s: &OnlineSendState) -> Self {
        Self {
            online: Some(s.clone()),
            batch: None,
        }
    }
    fn batch(s: &BatchSendState) -> Self {
        Self {
            online: None,
            batch: Some(s.clone()),
        }
    }
    fn json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SendOut {
    outcomes: Vec<Option<InvoiceOutcome>>,
    /// [`SavedSend`] as JSON text.
    state: String,
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
    /// threshold), `online` or `batch`. Every send is resumable: `persist(state)` gets
    /// the state (`{mode, state}`, plain JSON, no keys) after every change; passing it
    /// back as `state` resumes by looking up what KSeF already has (the saved mode wins).
    /// `corrected_hash`: the technical correction of one rejected offline invoice
    /// (`hashOfCorrectedInvoice`, online only). `progress(done, total)` reports finished
    /// invoices. Resolves to `{outcomes, state, mode}`, one outcome (or null while
    /// unknown) per invoice, in input order.
    #[allow(clippy::too_many_arguments)]
    #[wasm_bindgen(js_name = sendInvoices)]
    pub fn send_invoices(
        &self,
        names: Vec<String>,
        xmls: Vec<Uint8Array>,
        mode: String,
        offline: bool,
        corrected_hash: Option<String>,
        state: Option<String>,
        persist: Option<Function>,
        progress: Option<Function>,
    ) -> Promise {
        let inner = self.0.clone();
        promise(async move {
            let invoices = items(names, xmls)?;
            let saved: SavedSend = match state.as_deref() {
                None | Some("") => SavedSend::default(),
                Some(text) => serde_json::from_str(text)
                    .map_err(|e| Failure::input(format!("state: not a saved send ({e})")))?,
            };
            let batch = match (&saved, mode.as_str()) {
                (SavedSend { batch: Some(_), .. }, _) => true,
                (
                    SavedSend {
                        online: Some(_), ..
                    },
                    _,
                ) => false,
                (_, "batch") => true,
                (_, "online") => false,
                (_, "auto") => {
                    corrected_hash.is_none()
                        && SendMode::for_count(invoices.len()) == SendMode::Batch
                }
                (_, other) => {
                    return Err(Failure::input(format!(
                        "mode: expected auto, online or batch, got {other:?}"
                    )));
                }
            };
            if corrected_hash.is_some() && (batch || invoices.len() != 1) {
                return Err(Failure::input(
                    "correctedHash: a technical correction sends exactly one invoice, online",
                ));
            }
            let sink = Sink {
                persist,
                progress,
                total: invoices.len(),
            };
            let mut client = inner.client.lock().await;
            let result = if batch {
                let st = match saved.batch {
                    Some(s) => s,
                    None => BatchSendState::new(
                        &batch_names(&invoices),
                        ArchiveFormat::default(),
                        MAX_PART_SIZE,
                        offline,
                    ),
                };
                send_batch(&mut client, &invoices, st, &sink).await
            } else {
                let mut st = saved
                    .online
                    .unwrap_or_else(|| OnlineSendState::new(&invoices));
                if let Some(h) = &corrected_hash {
                    st.set_corrected_hash(0, h)
                        .map_err(|e| Failure::input(format!("correctedHash: {e}")))?;
                }
                send_online(&mut client, &invoices, offline, st, &sink).await
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

    /// What KSeF says about the logged-in subject's certificate `serial` (16 hex digits,
    /// DIGEST §13): `{certificateSerialNumber, name, type, commonName, status, validFrom,
    /// validTo, lastUseDate?}`, or `null` when KSeF does not list it for this subject.
    #[wasm_bindgen(js_name = certificateStatus)]
    pub fn certificate_status(&self, serial: String) -> Promise {
        let inner = self.0.clone();
        promise(async move {
            let serial = parse_serial(&serial)?;
            let mut client = inner.client.lock().await;
            let r = client.certificate_status(&serial).await;
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

/// A certificate serial in hex as certificate tools print it (any case, `:` separators,
/// DER's leading zero byte) → the KSeF form of 16 upper-case digits.
fn parse_serial(text: &str) -> Result<CertSerial> {
    let bad = |why: String| Failure::input(format!("serial: {why}"));
    let digits: Vec<u8> = text.bytes().filter(|b| !matches!(b, b':' | b' ')).collect();
    if !digits.iter().all(u8::is_ascii_hexdigit) {
        return Err(bad(format!("expected hex digits (0-9, A-F), got {text:?}")));
    }
    if digits.is_empty() || !digits.len().is_multiple_of(2) {
        return Err(bad(format!(
            "expected whole hex bytes (16 digits for a KSeF certificate), got {text:?}"
        )));
    }
    let nibble = |b: u8| (b as char).to_digit(16).unwrap_or(0) as u8;
    let bytes: Vec<u8> = digits
        .chunks(2)
        .map(|p| nibble(p[0]) << 4 | nibble(p[1]))
        .collect();
    CertSerial::from_der_integer(&bytes).map_err(|e| bad(e.to_string()))
}

fn done(outcomes: &[Option<InvoiceOutcome>]) -> u32 {
    let n = outcomes
        .iter()
        .filter(|o| o.as_ref().is_some_and(InvoiceOutcome::is_final))
        .count();
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Where a send reports its state and progress.
struct Sink {
    persist: Option<Function>,
    progress: Option<Function>,
    total: usize,
}

impl Sink {
    /// Hands the state to `persist` and the count of finished invoices to `progress`;
    /// neither callback can stop the send (a throwing UI callback is ignored).
    fn save(&self, state: &SavedSend, outcomes: &[Option<InvoiceOutcome>]) {
        if let Some(f) = &self.persist {
            let _ = f.call1(&JsValue::NULL, &state.json().into());
        }
        if let Some(f) = &self.progress {
            let total = u32::try_from(self.total).unwrap_or(u32::MAX);
            let _ = f.call2(&JsValue::NULL, &done(outcomes).into(), &total.into());
        }
    }
}

/// Unique names inside the archive (`000000.xml`, …); outcomes come back by them.
fn batch_names(invoices: &[(String, Vec<u8>)]) -> Vec<(String, String, Vec<u8>)> {
    invoices
        .iter()
        .enumerate()
        .map(|(i, (name, xml))| (name.clone(), format!("{i:06}.xml"), xml.clone()))
        .collect()
}

async fn send_online(
    client: &mut Client<FetchTransport>,
    invoices: &[(String, Vec<u8>)],
    offline: bool,
    mut state: OnlineSendState,
    sink: &Sink,
) -> Result<SendOut> {
    let mut save = |s: &OnlineSendState| {
        let outcomes: Vec<_> = s.items.iter().map(|i| i.outcome.clone()).collect();
        sink.save(&SavedSend::online(s), &outcomes);
    };
    let mut rng = system_rng();
    client
        .send_online_resumable(&mut state, invoices, offline, &mut rng, &mut save)
        .await?;
    Ok(SendOut {
        outcomes: state.items.iter().map(|i| i.outcome.clone()).collect(),
        state: SavedSend::online(&state).json(),
        mode: "online",
    })
}

async fn send_batch(
    client: &mut Client<FetchTransport>,
    invoices: &[(String, Vec<u8>)],
    mut state: BatchSendState,
    sink: &Sink,
) -> Result<SendOut> {
    let named: Vec<(String, Vec<u8>)> = batch_names(invoices)
        .into_iter()
        .map(|(_, file, xml)| (file, xml))
        .collect();
    let mut rng = system_rng();
    let key = InvoiceEncryptionKey::generate(&mut rng);
    let mut save = |s: &BatchSendState| {
        let outcomes: Vec<_> = s.items.iter().map(|i| i.outcome.clone()).collect();
        sink.save(&SavedSend::batch(s), &outcomes);
    };
    save(&state);
    let r = client
        .send_batch_resumable(&mut state, &named, &key, &mut rng, &mut save)
        .await?;
    let outcomes: Vec<Option<InvoiceOutcome>> = named
        .iter()
        .map(|(name, xml)| Some(r.outcome_for(name, &Sha256Hash::of(xml).to_base64())))
        .collect();
    sink.save(&SavedSend::batch(&state), &outcomes);
    Ok(SendOut {
        outcomes,
        state: SavedSend::batch(&state).json(),
        mode: "batch",
    })
}
