//! Errors of the KSeF API in both formats (DIGEST §2, §19).
//!
//! - 400 (and 429) default to `application/json` `ExceptionResponse`; with the request
//!   header `X-Error-Format: problem-details` they are `application/problem+json`.
//! - 401, 403 and 410 are always `application/problem+json`.
//!
//! Handlers return [`ApiError`]; its `IntoResponse` only parks the error in the response
//! extensions, and the `render` middleware (which knows the request path, the header and
//! the simulator clock) writes the body in the requested format.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::Simulator;
use crate::util::fmt_ts;

/// An error answer of the API.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// HTTP 400 with a KSeF exception code (DIGEST §19).
    #[error("{code} {description}: {details:?}")]
    BadRequest {
        /// `exceptionCode`.
        code: u32,
        /// `exceptionDescription` (Polish, verbatim).
        description: String,
        /// `details`.
        details: Vec<String>,
    },
    /// HTTP 401 (missing, invalid or misplaced bearer token).
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// HTTP 403 with a `reasonCode`.
    #[error("forbidden ({reason_code}): {detail}")]
    Forbidden {
        /// `reasonCode`, e.g. `missing-permissions`.
        reason_code: String,
        /// `detail`.
        detail: String,
        /// `security` object, if any.
        security: Option<Value>,
    },
    /// HTTP 410 (status past its retention).
    #[error("gone")]
    Gone,
    /// HTTP 429 with `Retry-After` seconds.
    #[error("too many requests, retry after {retry_after} s")]
    TooManyRequests {
        /// Seconds.
        retry_after: u64,
        /// The limit text for `details`.
        detail: String,
    },
    /// HTTP 500 (a simulator fault, injected or real).
    #[error("internal error: {0}")]
    Internal(String),
}

/// The Polish description of a KSeF exception code (DIGEST §19, OAS 400 descriptions).
pub fn description(code: u32) -> &'static str {
    match code {
        9101 => "Nieprawidłowy dokument.",
        9102 => "Brak podpisu.",
        9103 => "Przekroczona liczba dozwolonych podpisów.",
        9105 => "Nieprawidłowy podpis.",
        21001 => "Nieczytelna treść.",
        21111 => "Nieprawidłowe wyzwanie autoryzacyjne.",
        21115 => "Nieprawidłowy certyfikat.",
        21117 => "Nieprawidłowy identyfikator podmiotu dla wskazanego typu kontekstu.",
        21155 => "Przekroczono dozwoloną liczbę faktur w sesji.",
        21164 => "Faktura o podanym identyfikatorze nie istnieje.",
        21165 => "Faktura o podanym numerze KSeF nie jest jeszcze dostępna.",
        21166 => "Korekta techniczna niedostępna.",
        21167 => "Status faktury nie pozwala na korektę techniczną.",
        21173 => "Brak sesji o wskazanym numerze referencyjnym.",
        21178 => "Nie znaleziono UPO dla podanych kryteriów.",
        21180 => "Status sesji nie pozwala na wykonanie operacji.",
        21217 => "Nieprawidłowe kodowanie znaków.",
        21301 => "Brak autoryzacji.",
        21304 => "Brak uwierzytelnienia.",
        21308 => "Próba wykorzystania metod autoryzacyjnych osoby zmarłej.",
        21401 => "Dokument nie jest zgodny ze schemą (xsd).",
        21402 => "Nieprawidłowy rozmiar pliku.",
        21403 => "Nieprawidłowy skrót pliku.",
        21405 => "Błąd walidacji danych wejściowych.",
        21406 => "Konflikt podpisu i typu uwierzytelnienia.",
        21418 => "Przekazany token kontynuacji ma nieprawidłowy format.",
        21470 => "Przesłany identyfikator klucza jest nieznany lub wskazuje na wycofany klucz.",
        25001 => "Operacja wymaga uwierzytelnienia podpisem XAdES.",
        25003 => "Dane podmiotu we wniosku CSR są niezgodne z danymi do wniosku.",
        25004 => "Nieprawidłowy format lub podpis wniosku CSR.",
        25005 => "Wniosek o podanym numerze referencyjnym nie istnieje.",
        25006 => "Przekroczono limit wniosków certyfikacyjnych.",
        25007 => "Przekroczono limit aktywnych certyfikatów.",
        25008 => "Certyfikat o podanym numerze seryjnym nie istnieje.",
        25009 => "Certyfikat jest już unieważniony, zablokowany lub nieważny.",
        25010 => "Nieprawidłowy typ lub długość klucza.",
        25011 => "Nieobsługiwany algorytm podpisu wniosku CSR.",
        26001 => "Brak uprawnień do nadania wskazanych uprawnień tokenowi.",
        26002 => "Nie można wygenerować tokena dla tego typu kontekstu.",
        30001 => "Podmiot lub uprawnienie już istnieje.",
        _ => "Nieznany błąd.",
    }
}

impl ApiError {
    /// A 400 with the catalogue description of `code`.
    pub fn bad(code: u32, details: impl IntoIterator<Item = impl Into<String>>) -> Self {
        ApiError::BadRequest {
            code,
            description: description(code).to_owned(),
            details: details.into_iter().map(Into::into).collect(),
        }
    }

    /// A 400 21405 (request validation) with one detail.
    pub fn validation(detail: impl Into<String>) -> Self {
        Self::bad(21405, [detail.into()])
    }

    /// A 401 with the standard detail.
    pub fn unauthorized() -> Self {
        ApiError::Unauthorized("Wymagane jest uwierzytelnienie.".to_owned())
    }

    /// A 403 `missing-permissions`.
    pub fn missing_permissions(required: &[&str], present: &[String]) -> Self {
        ApiError::Forbidden {
            reason_code: "missing-permissions".to_owned(),
            detail: "Brak wymaganych uprawnień do wykonania operacji.".to_owned(),
            security: Some(json!({
                "requiredAnyOfPermissions": required,
                "presentPermissions": present,
            })),
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden { .. } => StatusCode::FORBIDDEN,
            ApiError::Gone => StatusCode::GONE,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut res = self.status().into_response();
        res.extensions_mut().insert(Arc::new(self));
        res
    }
}

/// Renders a parked [`ApiError`] in the format the request asked for.
pub(crate) async fn render(State(sim): State<Simulator>, req: Request, next: Next) -> Response {
    let problem = req
        .headers()
        .get("x-error-format")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("problem-details"));
    let instance = req.uri().path().to_owned();
    let mut res = next.run(req).await;
    let Some(err) = res.extensions_mut().remove::<Arc<ApiError>>() else {
        return res;
    };
    let now = fmt_ts(sim.now());
    let trace_id = sim.random_hex(32).to_lowercase();
    let (body, problem_format) = match &*err {
        ApiError::BadRequest {
            code,
            description,
            details,
        } if problem => (
            json!({
                "title": "Bad Request", "status": 400, "instance": instance,
                "detail": description,
                "errors": [{"code": code, "description": description, "details": details}],
                "timestamp": now, "traceId": trace_id,
            }),
            true,
        ),
        ApiError::BadRequest {
            code,
            description,
            details,
        } => (
            json!({"exception": {
                "exceptionDetailList": [{
                    "exceptionCode": code, "exceptionDescription": description, "details": details,
                }],
                "serviceCode": format!("00-{trace_id}-{}-00", &trace_id[..16]),
                "serviceCtx": "srvKSEFSIM",
                "serviceName": "Undefined",
                "timestamp": now,
            }}),
            false,
        ),
        ApiError::Unauthorized(detail) => (
            json!({"title": "Unauthorized", "status": 401, "detail": detail,
                   "instance": instance, "traceId": trace_id, "timestamp": now}),
            true,
        ),
        ApiError::Forbidden {
            reason_code,
            detail,
            security,
        } => {
            let mut v = json!({"title": "Forbidden", "status": 403, "detail": detail,
                "instance": instance, "reasonCode": reason_code, "traceId": trace_id,
                "timestamp": now});
            if let (Some(s), Some(o)) = (security, v.as_object_mut()) {
                o.insert("security".into(), s.clone());
            }
            (v, true)
        }
        ApiError::Gone => (
            json!({"title": "Gone", "status": 410, "instance": instance,
                   "detail": "Operacja wygasła i nie jest już dostępna.",
                   "timestamp": now, "traceId": trace_id}),
            true,
        ),
        ApiError::TooManyRequests {
            retry_after,
            detail,
        } => {
            let v = if problem {
                json!({"title": "Too Many Requests", "status": 429, "instance": instance,
                       "detail": detail, "timestamp": now, "traceId": trace_id})
            } else {
                json!({"status": {"code": 429, "description": "Too Many Requests",
                                  "details": [detail]}})
            };
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
            (v, problem)
        }
        ApiError::Internal(detail) => (
            json!({"title": "Internal Server Error", "status": 500, "instance": instance,
                   "detail": detail, "timestamp": now, "traceId": trace_id}),
            true,
        ),
    };
    let ct = if problem_format {
        "application/problem+json"
    } else {
        "application/json"
    };
    let status = res.status();
    let mut out = (status, body.to_string()).into_response();
    *out.headers_mut() = res.headers().clone();
    out.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    out.headers_mut().remove(header::CONTENT_LENGTH);
    out
}

/// `Result` of a handler.
pub type ApiResult<T> = Result<T, ApiError>;
