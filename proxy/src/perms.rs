//! Permissions of the host application (product manual: verified only when
//! "Uprawnienia aktywne" is on).
//!
//! Each request carries `X-App-Authorization: Bearer <jwt>` (never KSeF's own
//! `Authorization`, which is forwarded untouched). The JWT is HS256-signed with the
//! configured secret; its claims are `{"permissions": ["ksef.view_document", ...],
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
}

#[derive(Deserialize)]
struct JwtHeader {
    alg: String,
}

/// Checks that the `X-App-Authorization` value grants `permission`.
///
/// # Errors
/// [`AppError::Unauthenticated`] (401) for a missing, malformed, wrongly signed or
/// expired token; [`AppError::Forbidden`] (403) when the claim list lacks `permission`.
pub fn check(
    header: Option<&str>,
    secret: &[u8],
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
    if header.alg != "HS256" {
        return Err(unauth("unsupported algorithm"));
    }
    let sig = URL_SAFE_NO_PAD.decode(s).map_err(|_| unauth("malformed"))?;
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(secret).map_err(|_| unauth("bad key"))?;
    mac.update(h.as_bytes());
    mac.update(b".");
    mac.update(p.as_bytes());
    mac.verify_slice(&sig)
        .map_err(|_| unauth("bad signature"))?;
    let claims: Claims = URL_SAFE_NO_PAD
        .decode(p)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or(unauth("malformed"))?;
    if claims.exp.is_some_and(|exp| exp <= now_unix) {
        return Err(unauth("expired"));
    }
    if claims.permissions.iter().any(|p| p == permission) {
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
