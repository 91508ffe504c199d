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

    fn url(&self, target: &Target) -> Result<String, JsValue> {
        match target {
            Target::Api(path) => Ok(format!("{}{}", self.api_base, path)),
            Target::Absolute(url) if url.starts_with('/') => Ok(format!("{}{}", self.origin, url)),
            Target::Absolute(url) => Ok(url.clone()),
            other => Err(JsValue::from_str(&format!(
                "unsupported request target {other:?}"
            ))),
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
        let req = web_sys::Request::new_with_str_and_init(&self.url(&request.target)?, &init)?;
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

/// `globalThis.crypto.subtle`, where there is one.
fn subtle() -> Option<JsValue> {
    let crypto = js_sys::Reflect::get(&js_sys::global(), &"crypto".into()).ok()?;
    if crypto.is_undefined() || crypto.is_null() {
        return None;
    }
    let subtle = js_sys::Reflect::get(&crypto, &"subtle".into()).ok()?;
    (!subtle.is_undefined() && !subtle.is_null()).then_some(subtle)
}

/// Calls `subtle[method](...args)` and awaits the promise.
async fn subtle_call(subtle: &JsValue, method: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let f: Function = js_sys::Reflect::get(subtle, &method.into())?.dyn_into()?;
    let args: js_sys::Array = args.iter().collect();
    let p: Promise = f.apply(subtle, &args)?.dyn_into()?;
    JsFuture::from(p).await
}

/// `importKey("raw", key, "AES-CBC")` + `encrypt({name: "AES-CBC", iv}, key, data)`.
async fn webcrypto_aes_cbc(
    subtle: &JsValue,
    key: &[u8; 32],
    iv: &[u8; 16],
    plaintext: &[u8],
) -> Result<Vec<u8>, JsValue> {
    let usages: js_sys::Array = std::iter::once(JsValue::from_str("encrypt")).collect();
    let k = subtle_call(
        subtle,
        "importKey",
        &[
            "raw".into(),
            Uint8Array::from(&key[..]).into(),
            "AES-CBC".into(),
            JsValue::FALSE,
            usages.into(),
        ],
    )
    .await?;
    let params = js_sys::Object::new();
    js_sys::Reflect::set(&params, &"name".into(), &"AES-CBC".into())?;
    js_sys::Reflect::set(&params, &"iv".into(), &Uint8Array::from(&iv[..]))?;
    let out = subtle_call(
        subtle,
        "encrypt",
        &[params.into(), k, Uint8Array::from(plaintext).into()],
    )
    .await?;
    Ok(Uint8Array::new(&out).to_vec())
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

    /// WebCrypto AES-256-CBC (PKCS#7 padding, the same bytes as the core's pure-Rust
    /// path, 9–23× faster in Chromium); the pure-Rust path where WebCrypto is missing.
    async fn encrypt_aes256_cbc(
        &self,
        key: &[u8; 32],
        iv: &[u8; 16],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, TransportError> {
        let Some(subtle) = subtle() else {
            return Ok(
                ksef_core::crypto::InvoiceEncryptionKey::from_parts(*key, *iv)
                    .encrypt_bytes(plaintext),
            );
        };
        webcrypto_aes_cbc(&subtle, key, iv, plaintext)
            .await
            .map_err(|e| TransportError(format!("WebCrypto AES-CBC: {}", js_message(&e))))
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
        let algorithm = crate::algorithm_name(request.algorithm);
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
