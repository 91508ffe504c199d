//! Certificates and keys: inspection, loading with on-the-spot checks, the two-step KOD II
//! signature and a pure-Rust signing fallback.
//!
//! The browser path (DESIGN "Keys"): [`load_credential`] decrypts the password-protected
//! PKCS#8 once and hands out the plain PKCS#8 exactly once so the caller imports it into
//! WebCrypto as non-extractable and wipes it; the Rust copy is zeroized on drop. Where
//! WebCrypto is missing, [`SoftKey`] keeps the key inside wasm memory and signs in Rust.

use ksef_core::crypto::{
    AuthSigningKey, Certificate, Credential, OfflineSigningKey, SignRequest, SignatureAlgorithm,
    SubjectIdentifier,
};
use ksef_core::hash::Sha256Hash;
use ksef_core::qr::{
    CertificateLink, ContextIdentifier, ContextType, PendingCertificateLink, QrCertificate,
};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::error::qr_failure;
use crate::error::{Failure, Result};
use crate::{algorithm_name, environment, parse_algorithm, to_js, utc};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Identifier {
    r#type: &'static str,
    value: String,
}

/// What the settings screen shows about a certificate.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CertificateInfo {
    subject: String,
    issuer: String,
    serial_hex: String,
    not_before: String,
    not_after: String,
    ksef_type: String,
    key_algorithm: String,
    identifiers: Vec<Identifier>,
    fingerprint: String,
}

fn info(c: &Certificate) -> CertificateInfo {
    let rfc3339 = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    };
    CertificateInfo {
        subject: c.subject(),
        issuer: c.issuer(),
        serial_hex: c.serial_hex(),
        not_before: rfc3339(c.not_before()),
        not_after: rfc3339(c.not_after()),
        ksef_type: c.ksef_type().to_string(),
        key_algorithm: c.key_algorithm().to_string(),
        identifiers: c
            .subject_identifiers()
            .into_iter()
            .map(|i| match i {
                SubjectIdentifier::Nip(v) => Identifier {
                    r#type: "Nip",
                    value: v,
                },
                SubjectIdentifier::Pesel(v) => Identifier {
                    r#type: "Pesel",
                    value: v,
                },
                other => Identifier {
                    r#type: "Other",
                    value: format!("{other:?}"),
                },
            })
            .collect(),
        fingerprint: c.fingerprint_sha256(),
    }
}

/// Reads a certificate (PEM or DER) and describes it.
#[wasm_bindgen(js_name = inspectCertificate)]
pub fn inspect_certificate(bytes: &[u8]) -> Result<JsValue> {
    let c = Certificate::from_pem_or_der(bytes).map_err(|e| Failure::from(&e))?;
    to_js(&info(&c))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Loaded {
    info: CertificateInfo,
    certificate_der: serde_bytes_out::Bytes,
    signature_algorithm: SignatureAlgorithm,
}

/// Plain bytes serialized as a `Uint8Array`.
mod serde_bytes_out {
    /// Bytes that serialize as a byte string (`Uint8Array` through serde-wasm-bindgen).
    pub(crate) struct Bytes(pub(crate) Vec<u8>);
    impl serde::Serialize for Bytes {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(&self.0)
        }
    }
}

enum RoleKey {
    Auth(AuthSigningKey),
    Offline(OfflineSigningKey),
}

fn load(role: &str, cert: &[u8], key: &[u8], password: &str, now_ms: f64) -> Result<RoleKey> {
    let password = (!password.is_empty()).then_some(password);
    let credential = Credential::load(cert, key, password).map_err(|e| Failure::from(&e))?;
    let now = utc(now_ms)?;
    match role {
        "auth" => AuthSigningKey::new(credential, now)
            .map(RoleKey::Auth)
            .map_err(|e| Failure::from(&e)),
        "offline" => OfflineSigningKey::new(credential, now)
            .map(RoleKey::Offline)
            .map_err(|e| Failure::from(&e)),
        other => Err(Failure::input(format!(
            "role: expected \"auth\" or \"offline\", got {other:?}"
        ))),
    }
}

/// A credential checked for its role, ready to import into WebCrypto.
#[wasm_bindgen]
pub struct LoadedCredential {
    meta: JsValue,
    pkcs8: Option<zeroize::Zeroizing<Vec<u8>>>,
}

#[wasm_bindgen]
impl LoadedCredential {
    /// `{info, certificateDer, signatureAlgorithm}`.
    #[wasm_bindgen(getter)]
    pub fn meta(&self) -> JsValue {
        self.meta.clone()
    }

    /// The plain PKCS#8 DER, handed out once (then wiped here); import it into WebCrypto
    /// as non-extractable and fill the array with zeros.
    #[wasm_bindgen(js_name = takePkcs8)]
    pub fn take_pkcs8(&mut self) -> Result<Vec<u8>> {
        let der = self
            .pkcs8
            .take()
            .ok_or_else(|| Failure::new("KEY_TAKEN", "the key was already handed out"))?;
        Ok(der.to_vec())
    }
}

/// Loads a certificate and its (password-protected) key for `role` (`auth` or
/// `offline`) and checks on the spot: password, key matches certificate, KSeF
/// certificate type for the role, validity at `now_ms`. Errors carry the codes
/// PASSWORD_REQUIRED, WRONG_PASSWORD, KEY_MISMATCH, WRONG_CERT_TYPE, CERT_EXPIRED,
/// CERT_NOT_YET_VALID, UNSUPPORTED_KEY, BAD_INPUT_FILE.
#[wasm_bindgen(js_name = loadCredential)]
pub fn load_credential(
    role: &str,
    cert: &[u8],
    key: &[u8],
    password: &str,
    now_ms: f64,
) -> Result<LoadedCredential> {
    let (certificate, algorithm, pkcs8) = match load(role, cert, key, password, now_ms)? {
        RoleKey::Auth(k) => (k.certificate().clone(), k.algorithm(), k.to_pkcs8_der()),
        RoleKey::Offline(k) => (k.certificate().clone(), k.algorithm(), k.to_pkcs8_der()),
    };
    let pkcs8 = pkcs8.map_err(|e| Failure::from(&e))?;
    let meta = to_js(&Loaded {
        info: info(&certificate),
        certificate_der: serde_bytes_out::Bytes(certificate.der().to_vec()),
        signature_algorithm: algorithm,
    })?;
    Ok(LoadedCredential {
        meta,
        pkcs8: Some(pkcs8),
    })
}

/// The pure-Rust fallback signer: the key stays in wasm memory (zeroized when freed).
#[wasm_bindgen]
pub struct SoftKey(RoleKey);

#[wasm_bindgen]
impl SoftKey {
    /// Loads and checks like [`load_credential`].
    #[wasm_bindgen(constructor)]
    pub fn new(
        role: &str,
        cert: &[u8],
        key: &[u8],
        password: &str,
        now_ms: f64,
    ) -> Result<SoftKey> {
        Ok(SoftKey(load(role, cert, key, password, now_ms)?))
    }

    /// Signs `message` with `algorithm` (a `SignatureAlgorithm` name).
    pub fn sign(&self, algorithm: &str, message: &[u8]) -> Result<Vec<u8>> {
        let request = SignRequest {
            algorithm: parse_algorithm(algorithm)?,
            message: message.to_vec(),
        };
        let mut rng = crate::system_rng();
        let signed = match &self.0 {
            RoleKey::Auth(k) => k.sign(&request, &mut rng),
            RoleKey::Offline(k) => k.sign(&request, &mut rng),
        };
        signed.map_err(|e| Failure::new("SIGNING_FAILED", e))
    }
}

/// Step 1 of KOD II (DIGEST §13): what to sign with the Offline key.
#[wasm_bindgen]
pub struct PendingKod2 {
    pending: Option<PendingCertificateLink>,
    message: Vec<u8>,
    algorithm: String,
}

#[wasm_bindgen]
impl PendingKod2 {
    /// The exact bytes to sign.
    #[wasm_bindgen(getter)]
    pub fn message(&self) -> Vec<u8> {
        self.message.clone()
    }

    /// The `SignatureAlgorithm` name.
    #[wasm_bindgen(getter)]
    pub fn algorithm(&self) -> String {
        self.algorithm.clone()
    }

    /// Step 2: the URL with `signature` (raw `R||S` for ECDSA, PSS for RSA), checked
    /// against the certificate unless `prechecked` (the signing key is known to match
    /// it; skips a pure-Rust verification that costs about a millisecond in wasm).
    pub fn finish(&mut self, signature: &[u8], prechecked: Option<bool>) -> Result<String> {
        let pending = self.pending.take().ok_or_else(|| {
            Failure::new("KOD2_FINISHED", "this KOD II link was already finished")
        })?;
        let signed = if prechecked.unwrap_or(false) {
            pending.finish_prechecked(signature)
        } else {
            pending.finish(signature)
        };
        Ok(signed.map_err(qr_failure)?.url())
    }
}

/// The Offline certificate, read once, for many KOD II links.
#[wasm_bindgen]
pub struct Kod2Certificate(QrCertificate);

#[wasm_bindgen]
impl Kod2Certificate {
    /// Reads the Offline certificate (PEM or DER); refuses any other KSeF type.
    #[wasm_bindgen(constructor)]
    pub fn new(cert: &[u8]) -> Result<Kod2Certificate> {
        let cert = QrCertificate::from_der_or_pem(cert).map_err(qr_failure)?;
        cert.require_offline().map_err(qr_failure)?;
        Ok(Kod2Certificate(cert))
    }

    /// Step 1 of KOD II (DIGEST §13) for the invoice `xml`: what to sign, and how.
    pub fn prepare(
        &self,
        env: &str,
        context_type: &str,
        context_value: &str,
        seller_nip: &str,
        xml: &[u8],
    ) -> Result<PendingKod2> {
        let context_type: ContextType = context_type.parse().map_err(qr_failure)?;
        let context = ContextIdentifier::new(context_type, context_value).map_err(qr_failure)?;
        let link = CertificateLink::new(
            environment(env)?,
            context,
            seller_nip,
            *self.0.serial(),
            Sha256Hash::of(xml),
        )
        .map_err(qr_failure)?;
        let (request, pending) = link.prepare(&self.0).map_err(qr_failure)?;
        let algorithm = algorithm_name(request.algorithm);
        Ok(PendingKod2 {
            pending: Some(pending),
            message: request.message,
            algorithm,
        })
    }
}

/// Prepares the KOD II (CERTYFIKAT) link of the invoice `xml` for the Offline
/// certificate `cert_der` (one-off form of [`Kod2Certificate::prepare`]).
#[wasm_bindgen(js_name = kod2Prepare)]
pub fn kod2_prepare(
    cert_der: &[u8],
    env: &str,
    context_type: &str,
    context_value: &str,
    seller_nip: &str,
    xml: &[u8],
) -> Result<PendingKod2> {
    Kod2Certificate::new(cert_der)?.prepare(env, context_type, context_value, seller_nip, xml)
}
