//! Matching `/v2/...` paths against the allow-list generated from `open-api.json`.

use std::sync::OnceLock;

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

/// Longest path (in segments) any operation has; longer paths never match.
const MAX_SEGMENTS: usize = 12;

/// One operation, split once.
struct Compiled {
    method: &'static str,
    template: &'static str,
    segments: Vec<&'static str>,
    literals: usize,
}

fn table() -> &'static [Compiled] {
    static TABLE: OnceLock<Vec<Compiled>> = OnceLock::new();
    TABLE.get_or_init(|| {
        ROUTES
            .iter()
            .map(|(method, template)| {
                let segments: Vec<&str> = template.trim_start_matches('/').split('/').collect();
                Compiled {
                    method,
                    template,
                    literals: segments.iter().filter(|s| !s.starts_with('{')).count(),
                    segments,
                }
            })
            .collect()
    })
}

/// A path parameter: identifiers only, no `.`/`%` (no `..` traversal upstream).
fn is_param(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The path template (e.g. `/sessions/{referenceNumber}`) that `method` + `path` matches.
/// When several match, the one with the most literal segments wins (`/sessions/online`
/// over `/sessions/{referenceNumber}`).
pub fn find(method: &str, path: &str) -> Option<&'static str> {
    let mut buf = [""; MAX_SEGMENTS];
    let mut n = 0;
    for s in path.trim_start_matches('/').split('/') {
        *buf.get_mut(n)? = s;
        n += 1;
    }
    let path = &buf[..n];
    let mut best: Option<&Compiled> = None;
    for r in table() {
        if r.method != method || r.segments.len() != n {
            continue;
        }
        let hit = r.segments.iter().zip(path).all(|(t, s)| {
            if t.starts_with('{') {
                is_param(s)
            } else {
                t == s
            }
        });
        if hit && best.is_none_or(|b| r.literals > b.literals) {
            best = Some(r);
        }
    }
    best.map(|r| r.template)
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
        assert_eq!(find("GET", &"/x".repeat(40)), None);
        // Every template finds itself (with identifier parameters).
        for (m, t) in crate::routes_gen::ROUTES {
            let p: String = t
                .split('/')
                .map(|s| if s.starts_with('{') { "R-1" } else { s })
                .collect::<Vec<_>>()
                .join("/");
            assert_eq!(find(m, &p), Some(*t), "{m} {t}");
        }
    }
}
