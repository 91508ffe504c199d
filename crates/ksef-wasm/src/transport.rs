//! The browser transport (DESIGN "The client is sans-IO"): `fetch` through the proxy,
//! `setTimeout` for sleeps, `Date.now()` for the clocks, `crypto.getRandomValues` (via
//! getrandom) for jitter, and a JavaScript callback that signs with WebCrypto. Works in
//! browsers, workers and Node (global `fetch`).

use js_sys::{Function, Promise, Uint8Array};
use ksef_core::api::{HttpRequest, HttpResponse, Target};
use ksef_core::client::governor::Millis;
use ksef_core::client::{Signer, Transport, TransportError};
use ksef_core::crypto::SignRequest;
use time::OffsetDateTime;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = fetch)]
    fn fetch_request(request: &web_sys::Request) -> Promise;
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: i32) -> JsValue;
}

/// How long one request may take before it counts as a network error.
const REQUEST_TIMEOUT_MS: u32 = 120_000;

/// `fetch` through the proxy.
#[derive(Debug)]
pub(crate) struct FetchTransport {
    /// The API base, e.g. `/sim/v2` or `http://127.0.0.1:8080/sim/v2`.
    api_base: String,
    /// Scheme and host of the proxy (empty: same origin), for its relative storage links.
    origin: String,
    /// Returns the host application's user token (`X-App-Authorization`), if any.
    app_token: Option<Function>,
}

impl FetchTransport {
    pub(crate) fn new(api_base: &str, app_token: Option<Function>) -> Self {
        let api_base = api_base.trim_end_matches('/').to_owned();
        let origin = api_base
            .find("://")
            .map(|i| {
                let rest = &api_base[i + 3..];
                let end = rest.find('/').map_or(api_base.len(), |j| i + 3 + j);
                api_base[..end].to_owned()
            })
            .unwrap_or_default();
        Self {
            api_base,
            origin,
            app_token,
        }
    }

    fn url(&self, target: &Target) -> String {
        match target {
            Target::Api(path) => format!("{}{}", self.api_base, path),
            Target::Absolute(url) if url.starts_with('/') => format!("{}{}", self.origin, url),
            Target::Absolute(url) => url.clone(),
            other => format!("{other:?}"),
        }
    }

    async fn fetch(&self, request: HttpRequest) -> Result<HttpResponse, JsValue> {
        let init = web_sys::RequestInit::new();
        init.set_method(request.method.as_str());
        let headers = web_sys::Headers::new()?;
        for (name, value) in &request.headers {
            headers.set(name, value)?;
        }
        if let Some(f) = &self.app_token
            && let Some(token) = f.call0(&JsValue::NULL)?.as_string()
            && !token.is_empty()
        {
            headers.set("X-App-Authorization", &format!("Bearer {token}"))?;
        }
        init.set_headers(&headers);
        if !request.body.is_empty() {
            init.set_body(&Uint8Array::from(&request.body[..]).into());
        }
        init.set_signal(Some(&web_sys::AbortSignal::timeout_with_u32(
            REQUEST_TIMEOUT_MS,
        )));
        let req = web_sys::Request::new_with_str_and_init(&self.url(&request.target), &init)?;
        let resp: web_sys::Response = JsFuture::from(fetch_request(&req)).await?.dyn_into()?;
        let mut out_headers = Vec::new();
        if let Some(iter) = js_sys::try_iter(&resp.headers())? {
            for entry in iter {
                let pair: js_sys::Array = entry?.dyn_into()?;
                if let (Some(k), Some(v)) = (pair.get(0).as_string(), pair.get(1).as_string()) {
                    out_headers.push((k, v));
                }
            }
        }
        let body = JsFuture::from(resp.array_buffer()?).await?;
        Ok(HttpResponse {
            status: resp.status(),
            headers: out_headers,
            body: Uint8Array::new(&body).to_vec(),
        })
    }
}

/// The message of a JavaScript exception.
pub(crate) fn js_message(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| format!("{e:?}"))
}

impl Transport for FetchTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        self.fetch(request)
            .await
            .map_err(|e| TransportError(js_message(&e)))
    }

    async fn sleep(&self, ms: Millis) {
        let ms = i32::try_from(ms).unwrap_or(i32::MAX);
        let p = Promise::new(&mut |resolve, _| {
            set_timeout(&resolve, ms);
        });
        let _ = JsFuture::from(p).await;
    }

    fn now_ms(&self) -> Millis {
        js_sys::Date::now() as Millis
    }

    fn now_utc(&self) -> OffsetDateTime {
        crate::utc(js_sys::Date::now()).unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }

    fn jitter(&self) -> u64 {
        let mut b = [0u8; 8];
        // Jitter only spreads retries; a failed draw just means no spread.
        let _ = getrandom::fill(&mut b);
        u64::from_le_bytes(b)
    }
}

/// Signs through a JavaScript callback `(algorithm, message) => Promise<Uint8Array>`
/// (WebCrypto with the non-extractable key, or the pure-Rust `SoftKey`).
pub(crate) struct JsSigner(pub(crate) Function);

impl Signer for JsSigner {
    async fn sign(&mut self, request: &SignRequest) -> Result<Vec<u8>, String> {
        let algorithm = serde_json::to_value(request.algorithm)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let message = Uint8Array::from(&request.message[..]);
        let result = self
            .0
            .call2(&JsValue::NULL, &algorithm.into(), &message)
            .map_err(|e| js_message(&e))?;
        let value = JsFuture::from(Promise::resolve(&result))
            .await
            .map_err(|e| js_message(&e))?;
        value
            .dyn_into::<Uint8Array>()
            .map(|a| a.to_vec())
            .map_err(|_| "the signer did not return a Uint8Array".to_owned())
    }
}
