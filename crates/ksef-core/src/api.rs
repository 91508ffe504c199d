//! KSeF 2.0 API types: the requests the client builds, the responses it reads, and one
//! error type for both error formats.
//!
//! Spec: `shared/ksef/DIGEST.md` §2 (conventions, `ExceptionResponse` and
//! `application/problem+json`, `Retry-After`), §5 (auth), §8–§10 (online and batch
//! sessions, statuses, UPO) and the contract `shared/ksef/spec/open-api.json`, whose
//! field names the serde mappings follow exactly.
//!
//! Nothing here performs I/O: [`HttpRequest`] is a plain value a transport sends and
//! [`HttpResponse`] is what it hands back. Date-times are kept as the strings KSeF sent
//! (ISO 8601 with offset, up to 7 fractional digits); [`parse_datetime`] reads them.

mod error;
mod types;

pub use error::{ApiError, ErrorDetail};
pub use types::*;

/// An HTTP method used by the KSeF API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// `GET`.
    Get,
    /// `POST`.
    Post,
    /// `PUT` (batch part uploads).
    Put,
    /// `DELETE`.
    Delete,
}

impl Method {
    /// The method's name, e.g. `"GET"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }

    /// Parses a method name (`PUT` in `partUploadRequests`), case-insensitively.
    pub fn parse(name: &str) -> Option<Self> {
        match name.to_ascii_uppercase().as_str() {
            "GET" => Some(Method::Get),
            "POST" => Some(Method::Post),
            "PUT" => Some(Method::Put),
            "DELETE" => Some(Method::Delete),
            _ => None,
        }
    }
}

/// Where a request goes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Target {
    /// A path under the API base URL (e.g. `/auth/challenge` under `…/v2`), with the
    /// query string if any.
    Api(String),
    /// An absolute URL handed out by KSeF (pre-signed batch part uploads, UPO links);
    /// sent without the bearer token (DIGEST §9 step 4).
    Absolute(String),
}

/// One HTTP request built by the core; the transport sends it verbatim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// The method.
    pub method: Method,
    /// Where to send it.
    pub target: Target,
    /// Header names and values (the bearer token, content type, continuation token…).
    pub headers: Vec<(String, String)>,
    /// The body (empty for none).
    pub body: Vec<u8>,
}

impl HttpRequest {
    /// A request to an API path with no headers and no body.
    pub fn api(method: Method, path: impl Into<String>) -> Self {
        Self {
            method,
            target: Target::Api(path.into()),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Adds `Authorization: Bearer <token>`.
    pub fn bearer(self, token: &str) -> Self {
        self.header("authorization", format!("Bearer {token}"))
    }

    /// Sets a JSON body (and `content-type: application/json`).
    ///
    /// # Errors
    /// [`ApiError::Encode`] if the value cannot be serialized.
    pub fn json<T: serde::Serialize>(mut self, value: &T) -> Result<Self, ApiError> {
        self.body = serde_json::to_vec(value).map_err(|e| ApiError::Encode(e.to_string()))?;
        Ok(self.header("content-type", "application/json"))
    }

    /// Sets a raw body with the given content type.
    pub fn bytes(mut self, content_type: &str, body: Vec<u8>) -> Self {
        self.body = body;
        self.header("content-type", content_type)
    }

    /// The value of the first header called `name` (case-insensitive).
    pub fn header_value(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

/// One HTTP response as received by the transport.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// The HTTP status code.
    pub status: u16,
    /// Header names and values.
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The value of the first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// `Retry-After` in whole seconds, if present and numeric (DIGEST §2, §17).
    pub fn retry_after(&self) -> Option<u64> {
        self.header("retry-after")
            .and_then(|v| v.trim().parse::<u64>().ok())
    }

    /// Decodes a 2xx JSON body into `T`, or turns any other status into an [`ApiError`].
    ///
    /// # Errors
    /// The decoded [`ApiError`] for a non-2xx status, [`ApiError::Decode`] for a body
    /// that is not the expected JSON.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, ApiError> {
        if !self.is_success() {
            return Err(ApiError::from_response(self));
        }
        serde_json::from_slice(&self.body).map_err(|e| ApiError::Decode {
            status: self.status,
            message: e.to_string(),
        })
    }

    /// Checks for a 2xx status (for 204 and binary responses).
    ///
    /// # Errors
    /// The decoded [`ApiError`] for a non-2xx status.
    pub fn ok(&self) -> Result<(), ApiError> {
        if self.is_success() {
            Ok(())
        } else {
            Err(ApiError::from_response(self))
        }
    }
}

fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Parses a KSeF date-time (ISO 8601 / RFC 3339 with offset, up to 7 fractional digits).
pub fn parse_datetime(s: &str) -> Option<time::OffsetDateTime> {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
}

#[cfg(test)]
mod tests;
