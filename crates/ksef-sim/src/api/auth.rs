//! Authentication (DIGEST §5): challenge, XAdES login, status, redeem, refresh, auth
//! sessions.
//!
//! The operation's final status is decided lazily when it is read: once the configured
//! auth delay has passed on the simulator clock, the status moves 100 → 200 / 415 / 470 /
//! 480 from the permissions and test data at that moment.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{delete, get, post};
use ksef_core::crypto::{Certificate, KsefCertificateType, SubjectIdentifier};
use ksef_core::xades::{self, RequestError, SubjectIdentifierType, XadesError};
use serde_json::{Value, json};
use time::Duration;

use super::{ClientIp, bearer, permissions_of};
use crate::Simulator;
use crate::error::{ApiError, ApiResult};
use crate::ids::{RefType, reference};
use crate::jwt::{self, ACCESS_TOKEN_SECS, AUTH_TOKEN_SECS, Claims, REFRESH_TOKEN_SECS, TokenType};
use crate::state::{AuthOp, Challenge, Ident, State as SimState, Status};
use crate::util::fmt_ts;
use crate::xsd::Schema;

/// Challenge lifetime (DIGEST §5.1).
pub(super) const CHALLENGE_TTL: Duration = Duration::minutes(10);

pub(super) fn routes() -> Router<Simulator> {
    Router::new()
        .route("/auth/challenge", post(challenge))
        .route("/auth/xades-signature", post(xades_signature))
        .route("/auth/token/redeem", post(redeem))
        .route("/auth/token/refresh", post(refresh))
        .route("/auth/sessions", get(list_sessions))
        .route("/auth/sessions/current", delete(revoke_current))
        .route("/auth/sessions/{reference}", delete(revoke))
        .route("/auth/{reference}", get(status))
}

async fn challenge(State(sim): State<Simulator>, ClientIp(ip): ClientIp) -> impl IntoResponse {
    let now = sim.now();
    let value = reference(RefType::Challenge, now, &mut sim.rng());
    let ms = i64::try_from(now.unix_timestamp_nanos() / 1_000_000).unwrap_or_default();
    sim.state().challenges.insert(
        value.clone(),
        Challenge {
            issued: now,
            timestamp_ms: ms,
            used: false,
        },
    );
    axum::Json(json!({
        "challenge": value,
        "timestamp": fmt_ts(now),
        "timestampMs": ms,
        "clientIp": ip,
    }))
}

/// Maps a verifier error to the KSeF code (DIGEST §19, "Simulator notes" → Auth).
fn xades_error(e: &XadesError) -> ApiError {
    let detail = e.to_string();
    let code = match e {
        XadesError::Encoding(_) => 21217,
        XadesError::Malformed(_) | XadesError::TooLarge { .. } => 21001,
        XadesError::NotAuthTokenRequest(_) => 21401,
        XadesError::Request(RequestError::Context { .. }) => 21117,
        XadesError::Request(RequestError::Challenge(_)) => 21111,
        XadesError::Request(_) => 21401,
        XadesError::NoSignature => 9102,
        XadesError::TooManySignatures(_) => 9103,
        XadesError::Certificate(_)
        | XadesError::MissingCertificate
        | XadesError::UnsupportedKey(_)
        | XadesError::WeakKey(_) => 21115,
        _ => 9105,
    };
    ApiError::bad(code, [detail])
}

/// Who the certificate identifies (DIGEST §5.2).
fn subject_of(
    cert: &Certificate,
    kind: SubjectIdentifierType,
    fingerprint: &str,
) -> ApiResult<Ident> {
    if kind == SubjectIdentifierType::CertificateFingerprint {
        return Ok(Ident::new("Fingerprint", fingerprint));
    }
    match cert.subject_identifiers().into_iter().next() {
        Some(SubjectIdentifier::Nip(n)) => Ok(Ident::new("Nip", &n)),
        Some(SubjectIdentifier::Pesel(p)) => Ok(Ident::new("Pesel", &p)),
        _ => Err(ApiError::bad(
            21115,
            [
                "Certyfikat nie zawiera identyfikatora podmiotu (serialNumber TINPL/PNOPL lub organizationIdentifier VATPL).",
            ],
        )),
    }
}

async fn xades_signature(
    State(sim): State<Simulator>,
    body: Bytes,
) -> ApiResult<impl IntoResponse> {
    let verified = xades::verify(&body).map_err(|e| xades_error(&e))?;
    let now = sim.now();
    let req = &verified.request;
    // The signed fields against the official schema (the XSDs do not allow ds:Signature,
    // so the request is validated as re-serialised without it). NipVatUe is skipped: its
    // pattern can never match (schemas README, problem 2).
    if let Some(v) = sim.xsd()
        && req.context().kind() != "NipVatUe"
    {
        let schema = match req.version() {
            xades::AuthTokenVersion::V2_0 => Schema::Auth20,
            _ => Schema::Auth21,
        };
        if let Err(messages) = v.validate(schema, req.to_xml().into_bytes()).await {
            return Err(ApiError::bad(21401, messages));
        }
    }
    {
        let mut st = sim.state();
        let ch = st
            .challenges
            .get_mut(req.challenge())
            .filter(|c| !c.used && now - c.issued <= CHALLENGE_TTL)
            .ok_or_else(|| {
                ApiError::bad(
                    21111,
                    [format!(
                        "Wyzwanie {} jest nieznane, wygasło lub zostało użyte.",
                        req.challenge()
                    )],
                )
            })?;
        ch.used = true;
    }
    let cert = &verified.certificate;
    let subject = subject_of(cert, req.subject_type(), &cert.fingerprint_sha256())?;
    let context = Ident::new(req.context().kind(), req.context().value());
    // Certificate problems found after acceptance end the operation with 460.
    let revoked = sim
        .state()
        .issued
        .get(&cert.serial_hex().to_uppercase())
        .is_some_and(|c| c.revoked && c.der == cert.der());
    let cert_failure = if revoked {
        Some("Certyfikat odwołany")
    } else if cert.check_validity(now).is_err() {
        Some("Nieważny certyfikat")
    } else if cert.ksef_type() == KsefCertificateType::Offline {
        Some("Niepoprawny certyfikat")
    } else {
        None
    };
    let method = if subject.kind == "Pesel" {
        "PersonalSignature"
    } else {
        "QualifiedSeal"
    };
    let info = if subject.kind == "Pesel" {
        (
            "XadesSignature",
            "xades.personal-signature",
            "Podpis osobisty",
        )
    } else {
        (
            "XadesSignature",
            "xades.qualified-seal",
            "Pieczęć kwalifikowana",
        )
    };
    let reference = reference(RefType::Auth, now, &mut sim.rng());
    let op = AuthOp {
        reference: reference.clone(),
        start: now,
        method,
        method_info: info,
        status: Status::new(100, "Uwierzytelnianie w toku"),
        pending_final: cert_failure.map(|d| {
            Status::new(
                460,
                "Uwierzytelnianie zakończone niepowodzeniem z powodu błędu certyfikatu",
            )
            .detail(d)
        }),
        context: context.clone(),
        subject: subject.clone(),
        document_hash: ksef_core::hash::Sha256Hash::of(&body).to_base64(),
        redeemed: false,
        last_refresh: None,
        refresh_valid_until: None,
        revoked: false,
        allowed_ips: req.allowed_ips().map(|a| crate::ipfilter::AllowedIps {
            addresses: a.ip4_addresses.clone(),
            ranges: a.ip4_ranges.clone(),
            masks: a.ip4_masks.clone(),
        }),
        token_ref: None,
        cert_subject: cert
            .subject_attributes()
            .into_iter()
            .filter_map(|a| a.value.map(|v| (a.oid, v)))
            .collect(),
    };
    sim.state().auths.insert(reference.clone(), op);
    let (token, valid_until) = issue(
        &sim,
        TokenType::AuthenticationToken,
        &reference,
        &context,
        &subject,
        Vec::new(),
        AUTH_TOKEN_SECS,
    );
    Ok((
        StatusCode::ACCEPTED,
        axum::Json(json!({
            "referenceNumber": reference,
            "authenticationToken": {"token": token, "validUntil": valid_until},
        })),
    ))
}

/// Signs a token and returns it with its `validUntil`.
pub(super) fn issue(
    sim: &Simulator,
    typ: TokenType,
    arn: &str,
    context: &Ident,
    subject: &Ident,
    per: Vec<String>,
    secs: i64,
) -> (String, String) {
    let now = sim.now();
    let exp = now + Duration::seconds(secs);
    let claims = Claims {
        typ,
        arn: arn.to_owned(),
        cit: context.kind.clone(),
        civ: context.value.clone(),
        sut: subject.kind.clone(),
        suv: subject.value.clone(),
        per,
        iat: now.unix_timestamp(),
        exp: exp.unix_timestamp(),
        iss: "ksef-api-te".to_owned(),
        aud: "ksef-api-te".to_owned(),
        jti: sim.random_hex(32),
    };
    (jwt::sign(sim.jwt_secret(), &claims), fmt_ts(exp))
}

/// Moves an operation to its final status once the auth delay has passed.
fn settle(sim: &Simulator, st: &mut SimState, reference: &str) {
    let delay = Duration::try_from(sim.config().delays.auth).unwrap_or(Duration::ZERO);
    let now = sim.now();
    let Some(op) = st.auths.get(reference) else {
        return;
    };
    if op.status.code != 100 || now < op.start + delay {
        return;
    }
    let final_status = if let Some(s) = op.pending_final.clone() {
        s
    } else if st.blocked.contains(&op.context) {
        Status::new(480, "Uwierzytelnienie zablokowane").detail(
            "Podejrzenie incydentu bezpieczeństwa. Skontaktuj się z Ministerstwem Finansów przez formularz zgłoszeniowy.",
        )
    } else if deceased(st, &op.subject) {
        Status::new(470, "Uwierzytelnianie zakończone niepowodzeniem")
            .detail("Próba wykorzystania metod autoryzacyjnych osoby zmarłej")
    } else if op_permissions(st, op).is_empty() {
        Status::new(415, "Uwierzytelnianie zakończone niepowodzeniem")
            .detail("Brak przypisanych uprawnień")
    } else {
        Status::new(200, "Uwierzytelnianie zakończone sukcesem")
    };
    if let Some(op) = st.auths.get_mut(reference) {
        op.status = final_status;
    }
}

/// The permissions an authentication grants: the token's for KSeF-token logins (none
/// once the token is revoked), otherwise the subject's in the context.
pub(super) fn op_permissions(st: &SimState, op: &AuthOp) -> Vec<String> {
    match &op.token_ref {
        Some(r) => st
            .tokens
            .get(r)
            .filter(|t| !t.revoked)
            .map(|t| t.permissions.clone())
            .unwrap_or_default(),
        None => permissions_of(st, &op.context, &op.subject),
    }
}

fn deceased(st: &SimState, subject: &Ident) -> bool {
    st.persons.iter().any(|(nip, p)| {
        p.is_deceased
            && ((subject.kind == "Pesel" && subject.value == p.pesel)
                || (subject.kind == "Nip" && subject.value == *nip))
    })
}

fn op_json(op: &AuthOp, current: Option<&str>) -> Value {
    let mut v = json!({
        "startDate": fmt_ts(op.start),
        "authenticationMethod": op.method,
        "authenticationMethodInfo": {
            "category": op.method_info.0, "code": op.method_info.1, "displayName": op.method_info.2,
        },
        "status": op.status.to_json(),
        "isTokenRedeemed": op.redeemed,
        "lastTokenRefreshDate": op.last_refresh.map(fmt_ts),
        "refreshTokenValidUntil": op.refresh_valid_until.map(fmt_ts),
    });
    if let (Some(cur), Some(o)) = (current, v.as_object_mut()) {
        o.insert("referenceNumber".into(), json!(op.reference));
        o.insert("isCurrent".into(), json!(cur == op.reference));
    }
    v
}

async fn status(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    Path(reference): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let claims = bearer(
        &sim,
        &headers,
        &[TokenType::AuthenticationToken, TokenType::ContextToken],
    )?;
    if claims.arn != reference {
        return Err(ApiError::unauthorized());
    }
    let mut st = sim.state();
    settle(&sim, &mut st, &reference);
    let op = st.auths.get(&reference).ok_or_else(|| {
        ApiError::bad(
            21304,
            [format!(
                "Operacja uwierzytelniania {reference} nie istnieje."
            )],
        )
    })?;
    if sim.now() - op.start > Duration::days(7) {
        return Err(ApiError::Gone);
    }
    Ok(axum::Json(op_json(op, None)))
}

async fn redeem(State(sim): State<Simulator>, headers: HeaderMap) -> ApiResult<impl IntoResponse> {
    let claims = bearer(&sim, &headers, &[TokenType::AuthenticationToken])?;
    let (context, subject, per) = {
        let mut st = sim.state();
        settle(&sim, &mut st, &claims.arn);
        let op = st.auths.get(&claims.arn).ok_or_else(|| {
            ApiError::bad(
                21304,
                [format!(
                    "Operacja uwierzytelniania {} nie istnieje.",
                    claims.arn
                )],
            )
        })?;
        if op.status.code != 200 {
            return Err(ApiError::bad(
                21301,
                [format!(
                    "Status uwierzytelniania ({}) nie pozwala na pobranie tokenów.",
                    op.status.code
                )],
            ));
        }
        if op.redeemed {
            return Err(ApiError::bad(
                21301,
                [format!(
                    "Tokeny dla operacji uwierzytelniania {} zostały już pobrane.",
                    claims.arn
                )],
            ));
        }
        if op
            .token_ref
            .as_ref()
            .is_some_and(|r| st.tokens.get(r).is_none_or(|t| t.revoked))
        {
            return Err(ApiError::bad(21301, ["Token KSeF został unieważniony."]));
        }
        let per = op_permissions(&st, op);
        let (context, subject) = (op.context.clone(), op.subject.clone());
        if let Some(op) = st.auths.get_mut(&claims.arn) {
            op.redeemed = true;
            op.refresh_valid_until = Some(sim.now() + Duration::seconds(REFRESH_TOKEN_SECS));
        }
        (context, subject, per)
    };
    let (access, access_until) = issue(
        &sim,
        TokenType::ContextToken,
        &claims.arn,
        &context,
        &subject,
        per,
        ACCESS_TOKEN_SECS,
    );
    let (refresh, refresh_until) = issue(
        &sim,
        TokenType::RefreshToken,
        &claims.arn,
        &context,
        &subject,
        Vec::new(),
        REFRESH_TOKEN_SECS,
    );
    Ok(axum::Json(json!({
        "accessToken": {"token": access, "validUntil": access_until},
        "refreshToken": {"token": refresh, "validUntil": refresh_until},
    })))
}

async fn refresh(State(sim): State<Simulator>, headers: HeaderMap) -> ApiResult<impl IntoResponse> {
    let claims = bearer(&sim, &headers, &[TokenType::RefreshToken])?;
    let (context, subject, per) = {
        let mut st = sim.state();
        let op = st.auths.get(&claims.arn).ok_or_else(|| {
            ApiError::bad(
                21304,
                [format!(
                    "Operacja uwierzytelniania {} nie istnieje.",
                    claims.arn
                )],
            )
        })?;
        if op.revoked {
            return Err(ApiError::bad(
                21301,
                [format!(
                    "Sesja uwierzytelniania {} została unieważniona.",
                    claims.arn
                )],
            ));
        }
        if op
            .token_ref
            .as_ref()
            .is_some_and(|r| st.tokens.get(r).is_none_or(|t| t.revoked))
        {
            return Err(ApiError::bad(21301, ["Token KSeF został unieważniony."]));
        }
        let per = op_permissions(&st, op);
        let (context, subject) = (op.context.clone(), op.subject.clone());
        if let Some(op) = st.auths.get_mut(&claims.arn) {
            op.last_refresh = Some(sim.now());
        }
        (context, subject, per)
    };
    let (access, until) = issue(
        &sim,
        TokenType::ContextToken,
        &claims.arn,
        &context,
        &subject,
        per,
        ACCESS_TOKEN_SECS,
    );
    Ok(axum::Json(
        json!({"accessToken": {"token": access, "validUntil": until}}),
    ))
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct PageQuery {
    page_size: Option<usize>,
}

/// `GET /auth/sessions` (DIGEST §5.7): redeemed authentications of the context, newest
/// first, `pageSize` 10..100 with continuation tokens.
async fn list_sessions(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    axum::extract::Query(q): axum::extract::Query<PageQuery>,
) -> ApiResult<impl IntoResponse> {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let claims = bearer(&sim, &headers, &[TokenType::ContextToken])?;
    let page_size = q.page_size.unwrap_or(10);
    if !(10..=100).contains(&page_size) {
        return Err(ApiError::validation(
            "pageSize musi mieścić się w zakresie 10..100.",
        ));
    }
    let offset = match headers.get("x-continuation-token") {
        None => 0,
        Some(t) => t
            .to_str()
            .ok()
            .and_then(|t| URL_SAFE_NO_PAD.decode(t).ok())
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| s.strip_prefix("o:").and_then(|n| n.parse().ok()))
            .ok_or_else(|| {
                ApiError::bad(
                    21418,
                    ["Przekazany token kontynuacji ma nieprawidłowy format."],
                )
            })?,
    };
    let st = sim.state();
    let mut items: Vec<&AuthOp> = st
        .auths
        .values()
        .filter(|o| o.context.kind == claims.cit && o.context.value == claims.civ && o.redeemed)
        .collect();
    items.sort_by_key(|o| std::cmp::Reverse(o.start));
    let total = items.len();
    let page: Vec<Value> = items
        .into_iter()
        .skip(offset)
        .take(page_size)
        .map(|o| op_json(o, Some(&claims.arn)))
        .collect();
    let next = offset + page.len();
    let token = if next < total {
        json!(URL_SAFE_NO_PAD.encode(format!("o:{next}")))
    } else {
        Value::Null
    };
    Ok(axum::Json(
        json!({"continuationToken": token, "items": page}),
    ))
}

async fn revoke_current(State(sim): State<Simulator>, headers: HeaderMap) -> ApiResult<StatusCode> {
    let claims = bearer(
        &sim,
        &headers,
        &[TokenType::ContextToken, TokenType::RefreshToken],
    )?;
    revoke_op(&sim, &claims.arn, &claims)
}

async fn revoke(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    Path(reference): Path<String>,
) -> ApiResult<StatusCode> {
    let claims = bearer(&sim, &headers, &[TokenType::ContextToken])?;
    revoke_op(&sim, &reference, &claims)
}

fn revoke_op(sim: &Simulator, reference: &str, claims: &Claims) -> ApiResult<StatusCode> {
    let mut st = sim.state();
    let op = st
        .auths
        .get_mut(reference)
        .filter(|o| o.context.kind == claims.cit && o.context.value == claims.civ)
        .ok_or_else(|| {
            ApiError::bad(
                21304,
                [format!(
                    "Operacja uwierzytelniania {reference} nie istnieje."
                )],
            )
        })?;
    op.revoked = true;
    op.status = Status::new(425, "Uwierzytelnienie unieważnione");
    Ok(StatusCode::NO_CONTENT)
}
