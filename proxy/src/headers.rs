//! Which headers cross the proxy. Both directions are allow-lists, so cookies,
//! hop-by-hop headers, `Host`, `Forwarded`/`X-Forwarded-*` (the client IP) and anything
//! unknown are dropped.

use axum::http::HeaderMap;

/// Request headers forwarded to KSeF API operations.
pub const REQUEST: &[&str] = &[
    "authorization",
    "accept",
    "accept-language",
    "content-type",
    "content-length",
    "x-error-format",
    "x-ksef-feature",
    "x-continuation-token",
    "x-test-system-warning",
];

/// Extra request headers forwarded on storage uploads (pre-signed blob PUTs).
pub const STORAGE_REQUEST: &[&str] = &[
    "content-type",
    "content-length",
    "x-ms-blob-type",
    "x-ms-version",
    "content-md5",
];

/// Response headers passed back to the browser (also exposed by CORS).
pub const RESPONSE: &[&str] = &[
    "content-type",
    "content-length",
    "content-disposition",
    "retry-after",
    "x-ms-meta-hash",
    "x-error-format",
    "x-ksef-feature",
    "x-continuation-token",
    "x-system-warning",
    "etag",
    "last-modified",
];

/// Copies the allow-listed headers of `from`.
pub fn filter(from: &HeaderMap, allowed: &[&str]) -> HeaderMap {
    let mut out = HeaderMap::new();
    for (name, value) in from {
        if allowed.contains(&name.as_str()) {
            out.append(name.clone(), value.clone());
        }
    }
    out
}

/// Moves the allow-listed headers out of `from` (no value copies).
pub fn take(from: HeaderMap, allowed: &[&str]) -> HeaderMap {
    let mut out = HeaderMap::with_capacity(from.len().min(allowed.len()));
    let mut keep: Option<axum::http::HeaderName> = None;
    for (name, value) in from {
        // `None` continues the previous name (multi-valued headers).
        if let Some(name) = name {
            keep = allowed.contains(&name.as_str()).then_some(name);
        }
        if let Some(name) = &keep {
            out.append(name.clone(), value);
        }
    }
    out
}
