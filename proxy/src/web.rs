//! The built web app (`web_dir`, by default `web/dist` under `--sim`): static files with
//! security headers, JavaScript/WebAssembly MIME types browsers accept for modules and
//! `instantiateStreaming`, a service worker that is always revalidated, and an SPA
//! fallback to `index.html` for extension-less GET paths that are not API paths.
//!
//! | Request | Answer |
//! |---|---|
//! | `GET /`, `GET /x/y` (no file) | `index.html`, `Cache-Control: no-cache` |
//! | `GET /app.wasm` | `application/wasm` |
//! | `GET /*.js`, `/*.mjs` | `text/javascript; charset=utf-8` |
//! | `GET /*.webmanifest` | `application/manifest+json` |
//! | `GET /sw.js` | `Cache-Control: no-cache` (service worker updates are seen at once) |
//! | missing file with an extension, API-looking paths (`v2`, `storage`, `latarnia`, `/_…`), other methods | 404 JSON |

use std::path::PathBuf;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

use crate::AppError;

/// Content-Security-Policy of the served web app. WebAssembly compiles under
/// `'wasm-unsafe-eval'` (never `'unsafe-eval'`); scripts, styles, fetches and workers
/// are same-origin only; images may be `data:`/`blob:` (QR codes, previews).
pub const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
    connect-src 'self'; img-src 'self' data: blob:; style-src 'self'; worker-src 'self'; \
    manifest-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
    frame-ancestors 'none'";

/// The served directory.
#[derive(Debug, Clone)]
pub(crate) struct WebApp {
    dir: ServeDir,
    index: PathBuf,
}

impl WebApp {
    pub(crate) fn new(dir: PathBuf) -> Self {
        Self {
            index: dir.join("index.html"),
            dir: ServeDir::new(dir),
        }
    }

    pub(crate) async fn serve(&self, req: Request) -> Response {
        let method = req.method().clone();
        let path = req.uri().path().to_owned();
        let refuse = || {
            AppError::NotAllowed {
                method: method.to_string(),
                path: path.clone(),
            }
            .into_response()
        };
        if !matches!(method, Method::GET | Method::HEAD) || api_like(&path) {
            return refuse();
        }
        let Ok(resp) = self.dir.clone().oneshot(req).await;
        let mut resp = resp.map(Body::new);
        let mut shell = path.ends_with('/') || path.ends_with(".html");
        if resp.status() == StatusCode::NOT_FOUND {
            if extension(&path).is_some() {
                return refuse();
            }
            let Ok(r) = Request::builder()
                .method(method.clone())
                .uri("/index.html")
                .body(Body::empty())
            else {
                return refuse();
            };
            let Ok(index) = ServeFile::new(&self.index).oneshot(r).await;
            if index.status() == StatusCode::NOT_FOUND {
                return refuse();
            }
            resp = index.map(Body::new);
            shell = true;
        }
        let h = resp.headers_mut();
        let mime = match extension(&path) {
            Some("wasm") => Some("application/wasm"),
            Some("js" | "mjs") => Some("text/javascript; charset=utf-8"),
            Some("webmanifest") => Some("application/manifest+json"),
            _ => None,
        };
        // Only a served file carries a type to correct (not a 304).
        if let Some(m) = mime
            && h.contains_key(header::CONTENT_TYPE)
        {
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(m));
        }
        if shell || path.ends_with("/sw.js") {
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        }
        for (name, value) in [
            (header::CONTENT_SECURITY_POLICY, CSP),
            (header::REFERRER_POLICY, "no-referrer"),
            (header::X_FRAME_OPTIONS, "DENY"),
        ] {
            h.entry(name).or_insert(HeaderValue::from_static(value));
        }
        resp
    }
}

/// The last segment's extension, if it has one.
fn extension(path: &str) -> Option<&str> {
    let last = path.rsplit('/').next().unwrap_or("");
    last.rsplit_once('.')
        .map(|(_, e)| e)
        .filter(|e| !e.is_empty())
}

/// Paths that belong to the API side and never get the SPA shell.
fn api_like(path: &str) -> bool {
    path.starts_with("/_")
        || path
            .split('/')
            .any(|s| matches!(s, "v2" | "storage" | "latarnia" | "healthz"))
}

#[cfg(test)]
mod tests {
    use super::{api_like, extension};

    #[test]
    fn classifies_paths() {
        assert_eq!(extension("/assets/app.wasm"), Some("wasm"));
        assert_eq!(extension("/a.b/route"), None);
        assert_eq!(extension("/"), None);
        assert!(api_like("/nowhere/v2/sessions"));
        assert!(api_like("/_sim/reset"));
        assert!(api_like("/up/storage/p/1"));
        assert!(!api_like("/invoices/new"));
    }
}
