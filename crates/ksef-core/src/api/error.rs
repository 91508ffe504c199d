//! One error type for both KSeF error formats (DIGEST §2): `ExceptionResponse`
//! (`{"exception":{"exceptionDetailList":[…]}}`), `application/problem+json` (400 with
//! `errors[]`, 401, 403 with `reasonCode`, 410, 429) and the deprecated 429 JSON form
//! (`{"status":{"code":429,…}}`).

use serde_json::Value;

use super::HttpResponse;

/// One error entry: KSeF's code, its (Polish) description and details, shown to users.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ErrorDetail {
    /// `exceptionCode` / `errors[].code` (DIGEST §19), absent for 401/403/410/429.
    pub code: Option<i64>,
    /// `exceptionDescription` / `description` / problem `detail`.
    pub description: String,
    /// `details[]`, verbatim.
    pub details: Vec<String>,
}

/// A failed KSeF API call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// KSeF answered with a non-2xx status; every field it sent that a user needs is kept.
    #[error("ksef returned http {status}{}", summary(.errors, .title.as_deref()))]
    Status {
        /// The HTTP status code.
        status: u16,
        /// The error entries (one for problem bodies without `errors[]`).
        errors: Vec<ErrorDetail>,
        /// Problem `title` (e.g. `Forbidden`).
        title: Option<String>,
        /// 403 `reasonCode` (e.g. `missing-permissions`, `ip-not-allowed`).
        reason_code: Option<String>,
        /// `Retry-After` in seconds (429).
        retry_after: Option<u64>,
        /// `traceId` / `serviceCode`, for support requests.
        trace_id: Option<String>,
    },
    /// A 2xx response whose body is not what the contract says.
    #[error("unexpected response body (http {status}): {message}")]
    Decode {
        /// The HTTP status code.
        status: u16,
        /// The parser's message.
        message: String,
    },
    /// A request body could not be serialized.
    #[error("cannot encode request: {0}")]
    Encode(String),
}

fn summary(errors: &[ErrorDetail], title: Option<&str>) -> String {
    let mut out = String::new();
    for e in errors {
        out.push_str(": ");
        if let Some(c) = e.code {
            out.push_str(&format!("{c} "));
        }
        out.push_str(&e.description);
        if !e.details.is_empty() {
            out.push_str(&format!(" ({})", e.details.join("; ")));
        }
    }
    if errors.is_empty()
        && let Some(t) = title
    {
        out.push_str(": ");
        out.push_str(t);
    }
    out
}

impl ApiError {
    /// Decodes a non-2xx response in either format. Bodies in neither format become one
    /// entry holding the body text, so nothing KSeF said is lost.
    pub fn from_response(r: &HttpResponse) -> Self {
        let retry_after = r.retry_after();
        let v: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
        let mut errors = Vec::new();
        let mut title = None;
        let mut reason_code = None;
        let mut trace_id = None;
        if let Some(ex) = v.get("exception") {
            for d in ex
                .get("exceptionDetailList")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                errors.push(ErrorDetail {
                    code: d.get("exceptionCode").and_then(Value::as_i64),
                    description: str_of(d.get("exceptionDescription")),
                    details: strings(d.get("details")),
                });
            }
            trace_id = ex
                .get("serviceCode")
                .and_then(Value::as_str)
                .map(str::to_owned);
        } else if let Some(st) = v.get("status").filter(|s| s.is_object()) {
            errors.push(ErrorDetail {
                code: st.get("code").and_then(Value::as_i64),
                description: str_of(st.get("description")),
                details: strings(st.get("details")),
            });
        } else if v.is_object() {
            title = v.get("title").and_then(Value::as_str).map(str::to_owned);
            reason_code = v
                .get("reasonCode")
                .and_then(Value::as_str)
                .map(str::to_owned);
            trace_id = v.get("traceId").and_then(Value::as_str).map(str::to_owned);
            for e in v
                .get("errors")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                errors.push(ErrorDetail {
                    code: e.get("code").and_then(Value::as_i64),
                    description: str_of(e.get("description")),
                    details: strings(e.get("details")),
                });
            }
            if errors.is_empty()
                && let Some(d) = v.get("detail").and_then(Value::as_str)
            {
                let mut details = Vec::new();
                if let Some(sec) = v.get("security") {
                    details.push(sec.to_string());
                }
                errors.push(ErrorDetail {
                    code: None,
                    description: d.to_owned(),
                    details,
                });
            }
        } else if !r.body.is_empty() {
            errors.push(ErrorDetail {
                code: None,
                description: String::from_utf8_lossy(&r.body).into_owned(),
                details: Vec::new(),
            });
        }
        ApiError::Status {
            status: r.status,
            errors,
            title,
            reason_code,
            retry_after,
            trace_id,
        }
    }

    /// The HTTP status, if KSeF answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Status { status, .. } | ApiError::Decode { status, .. } => Some(*status),
            ApiError::Encode(_) => None,
        }
    }

    /// The first KSeF error code (`exceptionCode` / `errors[].code`), if any.
    pub fn code(&self) -> Option<i64> {
        match self {
            ApiError::Status { errors, .. } => errors.iter().find_map(|e| e.code),
            _ => None,
        }
    }

    /// The error entries (empty for decode/encode errors).
    pub fn errors(&self) -> &[ErrorDetail] {
        match self {
            ApiError::Status { errors, .. } => errors,
            _ => &[],
        }
    }

    /// `Retry-After` seconds, if KSeF sent it.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            ApiError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// Whether retrying the same request later may succeed (429, 5xx).
    pub fn is_transient(&self) -> bool {
        matches!(self.status(), Some(429) | Some(500..=599))
    }
}

fn str_of(v: Option<&Value>) -> String {
    v.and_then(Value::as_str).unwrap_or_default().to_owned()
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}
