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
) -> Result<url::Url, AppError> {
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
    let parsed = url::Url::parse(&url).map_err(|_| AppError::BadLink("malformed"))?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rewrites_upo_and_part_links_and_nothing_else() {
        let mut v = json!({
            "upo": {"pages": [{"referenceNumber": "r", "downloadUrl": "https://h/storage/u?sig=1"}]},
            "invoices": [{"upoDownloadUrl": "https://h/storage/i?sig=2", "invoiceHash": "x"}],
            "partUploadRequests": [{"method": "PUT", "url": "https://h/p?sig=3"}],
            "other": "https://h/untouched"
        });
        assert_eq!(rewrite(&mut v, b"k", "test", 99, "https://proxy"), 3);
        let page = v["upo"]["pages"][0]["downloadUrl"].as_str().unwrap_or("");
        assert!(page.starts_with("https://proxy/test/storage?") && page.contains("m=GET"));
        let part = v["partUploadRequests"][0]["url"].as_str().unwrap_or("");
        assert!(part.contains("m=PUT"));
        assert_eq!(v["other"], "https://h/untouched");
        let query = part.split_once('?').map(|(_, q)| q).unwrap_or("");
        let hosts = vec!["h".to_owned()];
        let url = verify(b"k", "test", "PUT", query, 10, &hosts).map(|u| u.to_string());
        assert_eq!(url.ok().as_deref(), Some("https://h/p?sig=3"));
        assert!(
            verify(b"k", "test", "PUT", query, 100, &hosts).is_err(),
            "expired"
        );
        assert!(
            verify(b"k", "test", "PUT", query, 10, &["x".to_owned()]).is_err(),
            "host"
        );
        assert!(
            verify(b"k2", "test", "PUT", query, 10, &hosts).is_err(),
            "secret"
        );
    }
}
