//! Permissions of the host application (product manual: verified only when
//! "Uprawnienia aktywne" is on).
//!
//! Each request carries `X-App-Authorization: Bearer <jwt>` (never KSeF's own
//! `Authorization`, which is forwarded untouched). The JWT is HS256-signed with the
//! configured secret, or RS256 / ES256-signed and verified with the configured public key; its claims are `{"permissions": ["ksef.view_document", ...],
//! "exp": <unix seconds>}` (`exp` optional, checked when present; `sub` only logged
//! nowhere). The header is never forwarded upstream.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use serde::Deserialize;
use sha2::Sha256;

use crate::error::AppError;

/// The header carrying the host application's user token.
pub const HEADER: &str = "x-app-authorization";

/// Authentication endpoints, KSeF tokens, certificates, permissions, test data.
pub const CHANGE_SETTINGS: &str = "ksef.change_settings";
/// Opening, sending to and closing sessions; batch part uploads.
pub const CHANGE_DOCUMENT: &str = "ksef.change_document";
/// Status, UPO, invoice reads, limits.
pub const VIEW_DOCUMENT: &str = "ksef.view_document";

/// The permission a KSeF operation needs, or `None` for public ones.
pub fn required(method: &str, template: &str) -> Option<&'static str> {
    let first = template
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or("");
    match first {
        "security" => None,
        "sessions" if method == "GET" => Some(VIEW_DOCUMENT),
        "sessions" => Some(CHANGE_DOCUMENT),
        "invoices" | "limits" | "rate-limits" | "peppol" => Some(VIEW_DOCUMENT),
        _ => Some(CHANGE_SETTINGS),
    }
}

#[derive(Deserialize)]
struct Claims {
    #[serde(default)]
    permissions: Vec<String>,
    exp: Option<u64>,
    /// The host application's "Uprawnienia aktywne" for this user's company: `false`
    /// lets every operation pass (product manual: permissions are verified only when
    /// the switch is on). Absent: on.
    #[serde(default, rename = "permissionsActive")]
    permissions_active: Option<bool>,
}

/// The three permissions, for checking requested claims.
pub const ALL: [&str; 3] = [VIEW_DOCUMENT, CHANGE_SETTINGS, CHANGE_DOCUMENT];

#[derive(Deserialize)]
struct JwtHeader {
    alg: String,
}

/// How user tokens are verified.
#[derive(Debug, Clone)]
pub enum TokenKey {
    /// HS256 with a shared secret.
    Hs256(Vec<u8>),
    /// RS256 or ES256 (JWS `R||S`) with a public key.
    Public(ksef_core::crypto::PublicKey),
}

impl TokenKey {
    /// Parses an SPKI PEM public key (RSA ≥ 2048 bits or EC P-256).
    ///
    /// # Errors
    /// A description of what is wrong with the PEM.
    pub fn from_public_pem(pem: &str) -> Result<Self, String> {
        let (label, der) = der::pem::decode_vec(pem.as_bytes()).map_err(|e| e.to_string())?;
        if label != "PUBLIC KEY" {
            return Err(format!("expected PUBLIC KEY PEM, got {label}"));
        }
        ksef_core::crypto::PublicKey::from_spki_der(&der)
            .map(Self::Public)
            .map_err(|e| e.to_string())
    }

    fn verify(&self, alg: &str, message: &[u8], sig: &[u8]) -> Result<(), &'static str> {
        use ksef_core::crypto::{PublicKey, SignatureAlgorithm as A};
        match (self, alg) {
            (Self::Hs256(secret), "HS256") => {
                let mut mac =
                    <Hmac<Sha256> as KeyInit>::new_from_slice(secret).map_err(|_| "bad key")?;
                mac.update(message);
                mac.verify_slice(sig).map_err(|_| "bad signature")
            }
            (Self::Public(k @ PublicKey::Rsa(_)), "RS256") => k
                .verify(A::RsaPkcs1v15Sha256, message, sig)
                .map_err(|_| "bad signature"),
            (Self::Public(k @ PublicKey::EcP256(_)), "ES256") if sig.len() == 64 => k
                .verify(A::EcdsaP256Sha256P1363, message, sig)
                .map_err(|_| "bad signature"),
            _ => Err("unsupported algorithm"),
        }
    }
}

/// Checks that the `X-App-Authorization` value grants `permission`.
///
/// # Errors
/// [`AppError::Unauthenticated`] (401) for a missing, malformed, wrongly signed or
/// expired token; [`AppError::Forbidden`] (403) when the claim list lacks `permission`.
pub fn check(
    header: Option<&str>,
    key: &TokenKey,
    permission: &'static str,
    now_unix: u64,
) -> Result<(), AppError> {
    let unauth = |reason| AppError::Unauthenticated { permission, reason };
    let token = header
        .and_then(|h| h.strip_prefix("Bearer "))
        .ok_or(unauth("missing"))?
        .trim();
    let mut it = token.split('.');
    let (Some(h), Some(p), Some(s), None) = (it.next(), it.next(), it.next(), it.next()) else {
        return Err(unauth("malformed"));
    };
    let header: JwtHeader = URL_SAFE_NO_PAD
        .decode(h)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or(unauth("malformed"))?;
    let sig = URL_SAFE_NO_PAD.decode(s).map_err(|_| unauth("malformed"))?;
    key.verify(&header.alg, format!("{h}.{p}").as_bytes(), &sig)
        .map_err(unauth)?;
    let claims: Claims = URL_SAFE_NO_PAD
        .decode(p)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or(unauth("malformed"))?;
    if claims.exp.is_some_and(|exp| exp <= now_unix) {
        return Err(unauth("expired"));
    }
    if claims.permissions_active == Some(false)
        || claims.permissions.iter().any(|p| p == permission)
    {
        Ok(())
    } else {
        Err(AppError::Forbidden(permission))
    }
}

/// Builds an HS256 user token (for tests and tooling).
pub fn sign_hs256(secret: &[u8], claims: &serde_json::Value) -> String {
    let h = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let p = URL_SAFE_NO_PAD.encode(claims.to_string());
    let sig = match <Hmac<Sha256> as KeyInit>::new_from_slice(secret) {
        Ok(mut m) => {
            m.update(h.as_bytes());
            m.update(b".");
            m.update(p.as_bytes());
            URL_SAFE_NO_PAD.encode(m.finalize().into_bytes())
        }
        Err(_) => String::new(),
    };
    format!("{h}.{p}.{sig}")
}
