//! Storage links (no SSRF): URLs KSeF hands out (batch part uploads, UPO and export
//! downloads) are rewritten in upstream JSON into proxy links
//! `/{env}/storage?u=<base64url(url)>&m=<METHOD>&e=<expiry>&s=<hmac>` whose HMAC-SHA256
//! (proxy secret) covers env, method, original URL and expiry. On use the proxy checks the
//! HMAC, the expiry and that the host is one of the environment's storage hosts. No state
//! is kept.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::Value;
use sha2::Sha256;

use crate::error::AppError;

fn mac(secret: &[u8], env: &str, method: &str, url: &str, exp: u64) -> Option<Hmac<Sha256>> {
    let mut m = <Hmac<Sha256> as KeyInit>::new_from_slice(secret).ok()?;
    for part in [env, "\n", method, "\n", url, "\n", &exp.to_string()] {
        m.update(part.as_bytes());
    }
    Some(m)
}

/// The proxy link (path + query) for `url`, valid until `exp` (unix seconds).
pub fn sign(secret: &[u8], env: &str, method: &str, url: &str, exp: u64) -> Option<String> {
    let sig = URL_SAFE_NO_PAD.encode(mac(secret, env, method, url, exp)?.finalize().into_bytes());
    Some(format!(
        "/{env}/storage?u={}&m={method}&e={exp}&s={sig}",
        URL_SAFE_NO_PAD.encode(url)
    ))
}

/// Verifies a link's query and returns the original URL.
///
/// # Errors
/// [`AppError::BadLink`] for a malformed link, a bad signature, another method, an
/// expired link or a host outside `hosts` (`host[:port]`).
pub fn verify(
    secret: &[u8],
    env: &str,
    method: &str,
    query: &str,
    now_unix: u64,
    hosts: &[String],
) -> Result<reqwest::Url, AppError> {
    let (mut u, mut m, mut e, mut s) = (None, None, None, None);
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some(("u", v)) => u = Some(v),
            Some(("m", v)) => m = Some(v),
            Some(("e", v)) => e = Some(v),
            Some(("s", v)) => s = Some(v),
            _ => {}
        }
    }
    let (Some(u), Some(m), Some(e), Some(s)) = (u, m, e, s) else {
        return Err(AppError::BadLink("malformed"));
    };
    let url = URL_SAFE_NO_PAD
        .decode(u)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or(AppError::BadLink("malformed"))?;
    let exp: u64 = e.parse().map_err(|_| AppError::BadLink("malformed"))?;
    let sig = URL_SAFE_NO_PAD
        .decode(s)
        .map_err(|_| AppError::BadLink("malformed"))?;
    mac(secret, env, m, &url, exp)
        .ok_or(AppError::BadLink("malformed"))?
        .verify_slice(&sig)
        .map_err(|_| AppError::BadLink("bad signature"))?;
    if m != method {
        return Err(AppError::BadLink("wrong method"));
    }
    if exp <= now_unix {
        return Err(AppError::BadLink("expired"));
    }
    let parsed = reqwest::Url::parse(&url).map_err(|_| AppError::BadLink("malformed"))?;
    let authority = match (parsed.host_str(), parsed.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_owned(),
        _ => return Err(AppError::BadLink("no host")),
    };
    if !matches!(parsed.scheme(), "https" | "http") || !hosts.contains(&authority) {
        return Err(AppError::BadLink("foreign host"));
    }
    Ok(parsed)
}

/// Rewrites every KSeF storage URL in `v` into a signed proxy link: `url` fields (with the
/// sibling `method`, default GET), `downloadUrl` and `upoDownloadUrl`. Returns how many
/// were rewritten.
pub fn rewrite(v: &mut Value, secret: &[u8], env: &str, exp: u64, prefix: &str) -> usize {
    let mut n = 0;
    match v {
        Value::Object(map) => {
            let method = map
                .get("method")
                .and_then(Value::as_str)
                .unwrap_or("GET")
                .to_ascii_uppercase();
            for (k, val) in map.iter_mut() {
                let is_link = matches!(k.as_str(), "url" | "downloadUrl" | "upoDownloadUrl");
                match val {
                    Value::String(s) if is_link && s.starts_with("http") => {
                        let m = if k == "url" { method.as_str() } else { "GET" };
                        if let Some(link) = sign(secret, env, m, s, exp) {
                            *s = format!("{prefix}{link}");
                            n += 1;
                        }
                    }
                    other => n += rewrite(other, secret, env, exp, prefix),
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                n += rewrite(item, secret, env, exp, prefix);
            }
        }
        _ => {}
    }
    n
}
