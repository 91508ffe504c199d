//! The one conversion point from core errors to JavaScript: every failure becomes a real
//! `Error` whose `name` is `KsefError` and whose `code` is stable (the npm package's
//! `KsefError.code`); field problems travel as `fields: {path, message}[]` and KSeF's
//! details as `details: string[]`.

use js_sys::{Array, Object, Reflect};
use ksef_core::client::CallError;
use ksef_core::crypto::CredentialError;
use wasm_bindgen::JsValue;

/// A failure on its way to JavaScript.
#[derive(Debug)]
pub struct Failure {
    code: &'static str,
    message: String,
    fields: Vec<(String, String)>,
    details: Vec<String>,
}

/// Results of the exported functions.
pub type Result<T> = std::result::Result<T, Failure>;

impl Failure {
    /// A failure with `code` and `message`.
    pub fn new(code: &'static str, message: impl std::fmt::Display) -> Self {
        Self {
            code,
            message: message.to_string(),
            fields: Vec::new(),
            details: Vec::new(),
        }
    }

    /// Bad input from the caller (an argument of the wrong shape).
    pub fn input(message: impl std::fmt::Display) -> Self {
        Self::new("INVALID_INPUT", message)
    }

    /// Adds field problems (`path`, `message`).
    pub fn with_fields(mut self, fields: Vec<(String, String)>) -> Self {
        self.fields = fields;
        self
    }

    /// Adds KSeF's details.
    pub fn with_details(mut self, details: Vec<String>) -> Self {
        self.details = details;
        self
    }

    /// The stable code.
    pub fn code(&self) -> &'static str {
        self.code
    }
}

impl From<Failure> for JsValue {
    fn from(f: Failure) -> Self {
        let e = js_sys::Error::new(&f.message);
        e.set_name("KsefError");
        let set = |k: &str, v: &JsValue| {
            // Setting a property on a fresh Error object cannot fail.
            let _ = Reflect::set(&e, &JsValue::from_str(k), v);
        };
        set("code", &JsValue::from_str(f.code));
        if !f.fields.is_empty() {
            let arr = Array::new();
            for (path, message) in &f.fields {
                let o = Object::new();
                let _ = Reflect::set(&o, &"path".into(), &path.into());
                let _ = Reflect::set(&o, &"message".into(), &message.into());
                arr.push(&o);
            }
            set("fields", &arr);
        }
        if !f.details.is_empty() {
            let arr: Array = f.details.iter().map(|d| JsValue::from_str(d)).collect();
            set("details", &arr);
        }
        e.into()
    }
}

impl From<serde_wasm_bindgen::Error> for Failure {
    fn from(e: serde_wasm_bindgen::Error) -> Self {
        Failure::input(e)
    }
}

impl From<&CredentialError> for Failure {
    fn from(e: &CredentialError) -> Self {
        let code = match e {
            CredentialError::PasswordRequired => "PASSWORD_REQUIRED",
            CredentialError::PasswordNotExpected => "PASSWORD_NOT_EXPECTED",
            CredentialError::WrongPassword => "WRONG_PASSWORD",
            CredentialError::KeyMismatch => "KEY_MISMATCH",
            CredentialError::WrongCertificateType { .. } => "WRONG_CERT_TYPE",
            CredentialError::Expired { .. } => "CERT_EXPIRED",
            CredentialError::NotYetValid { .. } => "CERT_NOT_YET_VALID",
            CredentialError::UnsupportedAlgorithm { .. }
            | CredentialError::UnsupportedEncryption { .. }
            | CredentialError::LegacyPemEncryption => "UNSUPPORTED_KEY",
            _ => "BAD_INPUT_FILE",
        };
        Failure::new(code, e)
    }
}

impl From<CallError> for Failure {
    fn from(e: CallError) -> Self {
        match &e {
            CallError::NotAuthorized(_) => Failure::new("NOT_AUTHORIZED", &e),
            CallError::Network(_) => Failure::new("NETWORK", &e),
            CallError::Api(api) => {
                let first = api.errors().first();
                Failure::new("KSEF_ERROR", &e)
                    .with_details(first.map(|d| d.details.clone()).unwrap_or_default())
            }
            CallError::Timeout(_) => Failure::new("TIMEOUT", &e),
            _ => Failure::new("CLIENT_ERROR", &e),
        }
    }
}

#[cfg(any(feature = "invoice", feature = "keys"))]
/// A QR link could not be built (bad NIP, date, context, certificate).
pub(crate) fn qr_failure(e: ksef_core::qr::QrError) -> Failure {
    Failure::new("QR_INVALID", e)
}
