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
    let path = path.trim_start_matches('/');
    let n = path.split('/').count();
    ROUTES
        .iter()
        .filter(|(m, _)| *m == method)
        .map(|(_, t)| *t)
        .filter(|t| {
            let t = t.trim_start_matches('/');
            t.split('/').count() == n
                && t.split('/').zip(path.split('/')).all(|(t, s)| {
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

#[cfg(test)]
mod tests {
    use super::find;

    #[test]
    fn literal_segments_win_and_parameters_are_identifiers() {
        assert_eq!(find("POST", "/sessions/online"), Some("/sessions/online"));
        assert_eq!(
            find("GET", "/sessions/20250101-SO-1"),
            Some("/sessions/{referenceNumber}")
        );
        assert_eq!(
            find("GET", "/sessions/R/invoices/failed"),
            Some("/sessions/{referenceNumber}/invoices/failed")
        );
        assert_eq!(find("GET", "/sessions/.."), None);
        assert_eq!(find("GET", "/sessions/a.b"), None);
        assert_eq!(find("GET", "/sessions/"), None);
        assert_eq!(find("GET", "/sessions/R/extra/x/y/z"), None);
        assert_eq!(find("POST", "/sessions"), None);
    }
}
