//! Matching `/v2/...` paths against the allow-list generated from `open-api.json`.

use crate::routes_gen::ROUTES;

/// A request body limit for a KSeF operation (bytes).
pub fn body_limit(method: &str, template: &str) -> u64 {
    match (method, template) {
        // Encrypted invoice, Base64: 1 MB (3 MB with attachments) plaintext → ≤ ~4.5 MB.
        ("POST", "/sessions/online/{referenceNumber}/invoices") => 6 * 1024 * 1024,
        ("POST", "/auth/xades-signature") => 256 * 1024,
        _ => 1024 * 1024,
    }
}

/// The path template (e.g. `/sessions/{referenceNumber}`) that `method` + `path` matches.
pub fn find(method: &str, path: &str) -> Option<&'static str> {
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    ROUTES
        .iter()
        .filter(|(m, _)| *m == method)
        .map(|(_, t)| *t)
        .filter(|t| {
            let tsegs: Vec<&str> = t.trim_start_matches('/').split('/').collect();
            tsegs.len() == segs.len()
                && tsegs.iter().zip(&segs).all(|(t, s)| {
                    if t.starts_with('{') {
                        // Identifiers only: no `.`/`%` (no `..` traversal upstream).
                        !s.is_empty()
                            && s.bytes()
                                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                    } else {
                        t == s
                    }
                })
        })
        // Prefer the template with the most literal segments (`/sessions/online` over
        // `/sessions/{referenceNumber}`).
        .max_by_key(|t| t.split('/').filter(|s| !s.starts_with('{')).count())
}
