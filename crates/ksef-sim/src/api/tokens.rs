//! KSeF tokens (DIGEST §6) and token authentication (`POST /auth/ksef-token`, §5.3).
//!
//! Token string: `{ref}|nip-{nip}|{64 lowercase hex}` (observed format, ISSUES/268). A new
//! token is `Pending` until the auth delay has passed on the simulator clock, then
//! `Active`; `DELETE` makes it `Revoked`. Token login decrypts `encryptedToken` with the
//! `KsefTokenEncryption` key and ends with 450 and the TEST details ("Nieprawidłowy
//! token", "Nieprawidłowy czas tokena", "Token unieważniony", "Token nieaktywny") when
//! the token is not usable.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ksef_core::crypto::MfKeyUsage;
use serde::Deserialize;
use serde_json::{Value, json};
use time::Duration;

use super::auth::{CHALLENGE_TTL, issue};
use super::{JsonBody, access};
use crate::Simulator;
use crate::error::{ApiError, ApiResult};
use crate::ids::{RefType, reference};
use crate::jwt::{AUTH_TOKEN_SECS, TokenType};
use crate::state::{AuthOp, Ident, KsefToken, Status};
use crate::util::fmt_ts;

const TOKEN_PERMISSIONS: &[&str] = &[
    "InvoiceRead",
    "InvoiceWrite",
    "CredentialsRead",
    "CredentialsManage",
    "SubunitManage",
    "EnforcementOperations",
    "Introspection",
];

pub(super) fn routes() -> Router<Simulator> {
    Router::new()
        .route("/tokens", post(create).get(list))
        .route("/tokens/{reference}", get(one).delete(revoke))
        .route("/auth/ksef-token", post(login))
}

fn status_of(sim: &Simulator, t: &KsefToken) -> &'static str {
    let delay = Duration::try_from(sim.config().delays.auth).unwrap_or(Duration::ZERO);
    if t.revoked {
        "Revoked"
    } else if sim.now() < t.created + delay {
        "Pending"
    } else {
        "Active"
    }
}

fn token_json(sim: &Simulator, t: &KsefToken) -> Value {
    json!({
        "referenceNumber": t.reference,
        "authorIdentifier": {"type": t.author.kind, "value": t.author.value},
        "contextIdentifier": {"type": t.context.kind, "value": t.context.value},
        "description": t.description,
        "requestedPermissions": t.permissions,
        "dateCreated": fmt_ts(t.created),
        "lastUseDate": t.last_use.map(fmt_ts),
        "status": status_of(sim, t),
        "statusDetails": [],
    })
}

#[derive(Deserialize)]
struct CreateReq {
    permissions: Vec<String>,
    description: String,
}

async fn create(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    JsonBody(r): JsonBody<CreateReq>,
) -> ApiResult<impl IntoResponse> {
    let claims = access(&sim, &headers, &[])?;
    let len = r.description.chars().count();
    if !(5..=256).contains(&len) {
        return Err(ApiError::validation(
            "Opis tokena musi mieć od 5 do 256 znaków.",
        ));
    }
    if r.permissions.is_empty()
        || r.permissions
            .iter()
            .any(|p| !TOKEN_PERMISSIONS.contains(&p.as_str()))
    {
        return Err(ApiError::validation(
            "Nieprawidłowa lista uprawnień tokena.",
        ));
    }
    if claims.cit != "Nip" && claims.cit != "InternalId" {
        return Err(ApiError::bad(
            26002,
            [format!(
                "Nie można wygenerować tokena dla kontekstu typu {}.",
                claims.cit
            )],
        ));
    }
    if let Some(p) = r.permissions.iter().find(|p| !claims.per.contains(p)) {
        return Err(ApiError::bad(
            26001,
            [format!(
                "Brak uprawnienia {p} wymaganego do nadania go tokenowi."
            )],
        ));
    }
    let now = sim.now();
    let (reference, secret) = {
        let mut rng = sim.rng();
        (
            reference(RefType::KsefToken, now, &mut rng),
            hex::encode(rng.bytes(32)),
        )
    };
    let prefix = if claims.cit == "Nip" {
        "nip"
    } else {
        "internalId"
    };
    let token = format!("{reference}|{prefix}-{}|{secret}", claims.civ);
    sim.state().tokens.insert(
        reference.clone(),
        KsefToken {
            reference: reference.clone(),
            token: token.clone(),
            author: Ident::new(&claims.sut, &claims.suv),
            context: Ident::new(&claims.cit, &claims.civ),
            description: r.description,
            permissions: r.permissions,
            created: now,
            last_use: None,
            revoked: false,
        },
    );
    Ok((
        StatusCode::ACCEPTED,
        axum::Json(json!({"referenceNumber": reference, "token": token})),
    ))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListQuery {
    page_size: Option<usize>,
}

async fn list(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> ApiResult<axum::Json<Value>> {
    let claims = access(&sim, &headers, &[])?;
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
    let context = Ident::new(&claims.cit, &claims.civ);
    let author = Ident::new(&claims.sut, &claims.suv);
    let see_all = claims
        .per
        .iter()
        .any(|p| p == "CredentialsManage" || p == "CredentialsRead");
    let st = sim.state();
    let mut found: Vec<&KsefToken> = st
        .tokens
        .values()
        .filter(|t| t.context == context && (see_all || t.author == author))
        .collect();
    found.sort_by_key(|t| std::cmp::Reverse(t.created));
    let page: Vec<Value> = found
        .iter()
        .skip(offset)
        .take(page_size)
        .map(|t| token_json(&sim, t))
        .collect();
    let next = offset + page.len();
    let token = if next < found.len() {
        json!(URL_SAFE_NO_PAD.encode(format!("o:{next}")))
    } else {
        Value::Null
    };
    Ok(axum::Json(
        json!({"continuationToken": token, "tokens": page}),
    ))
}

fn find<'a>(
    st: &'a crate::state::State,
    context: &Ident,
    reference: &str,
) -> ApiResult<&'a KsefToken> {
    st.tokens
        .get(reference)
        .filter(|t| t.context == *context)
        .ok_or_else(|| {
            ApiError::validation(format!(
                "Token o numerze referencyjnym {reference} nie istnieje."
            ))
        })
}

async fn one(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    Path(reference): Path<String>,
) -> ApiResult<axum::Json<Value>> {
    let claims = access(&sim, &headers, &[])?;
    let st = sim.state();
    let t = find(&st, &Ident::new(&claims.cit, &claims.civ), &reference)?;
    Ok(axum::Json(token_json(&sim, t)))
}

async fn revoke(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    Path(reference): Path<String>,
) -> ApiResult<StatusCode> {
    let claims = access(&sim, &headers, &[])?;
    let mut st = sim.state();
    find(&st, &Ident::new(&claims.cit, &claims.civ), &reference)?;
    if let Some(t) = st.tokens.get_mut(&reference) {
        t.revoked = true;
    }
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LoginReq {
    challenge: String,
    context_identifier: Ident,
    encrypted_token: String,
    #[serde(default)]
    public_key_id: Option<String>,
    #[serde(default)]
    authorization_policy: Option<Policy>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Policy {
    #[serde(default)]
    allowed_ips: Option<Ips>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Ips {
    #[serde(default)]
    ip4_addresses: Vec<String>,
    #[serde(default)]
    ip4_ranges: Vec<String>,
    #[serde(default)]
    ip4_masks: Vec<String>,
}

fn token_failure(detail: &str) -> Status {
    Status::new(
        450,
        "Uwierzytelnianie zakończone niepowodzeniem z powodu błędnego tokenu",
    )
    .detail(detail)
}

async fn login(
    State(sim): State<Simulator>,
    JsonBody(r): JsonBody<LoginReq>,
) -> ApiResult<impl IntoResponse> {
    let now = sim.now();
    let ctx = ksef_core::xades::ContextIdentifier::parse(
        &r.context_identifier.kind,
        &r.context_identifier.value,
    )
    .map_err(|e| ApiError::bad(21117, [e.to_string()]))?;
    ctx.check()
        .map_err(|e| ApiError::bad(21117, [e.to_string()]))?;
    let mf = {
        let mut st = sim.state();
        let ch = st
            .challenges
            .get_mut(&r.challenge)
            .filter(|c| !c.used && now - c.issued <= CHALLENGE_TTL)
            .ok_or_else(|| {
                ApiError::bad(
                    21111,
                    [format!(
                        "Wyzwanie {} jest nieznane, wygasło lub zostało użyte.",
                        r.challenge
                    )],
                )
            })?;
        ch.used = true;
        let usable =
            |k: &&crate::keys::MfKey| !k.revoked && k.usage == MfKeyUsage::KsefTokenEncryption;
        match &r.public_key_id {
            Some(id) => st
                .mf_keys
                .iter()
                .filter(usable)
                .find(|k| k.public_key_id() == *id)
                .cloned()
                .ok_or_else(|| {
                    ApiError::bad(
                        21470,
                        [format!("Klucz o identyfikatorze {id} nie jest wspierany.")],
                    )
                })?,
            None => st
                .mf_keys
                .iter()
                .rev()
                .find(usable)
                .cloned()
                .ok_or_else(|| ApiError::Internal("brak klucza MF".into()))?,
        }
    };
    let timestamp_ms = sim
        .state()
        .challenges
        .get(&r.challenge)
        .map(|c| c.timestamp_ms)
        .unwrap_or_default();
    let decrypted = mf
        .private
        .decrypt_ksef_token(&r.encrypted_token, &mut *sim.rng())
        .ok();
    let context = r.context_identifier.clone();
    let (failure, token_ref, subject) = {
        let mut st = sim.state();
        match decrypted {
            None => (
                Some(token_failure("Nieprawidłowy token")),
                None,
                Ident::new("Nip", &context.value),
            ),
            Some((token, ts)) => {
                let found = st.tokens.values().find(|t| t.token == *token).cloned();
                match found {
                    None => (
                        Some(token_failure("Nieprawidłowy token")),
                        None,
                        Ident::new("Nip", &context.value),
                    ),
                    Some(t) => {
                        let failure = if ts != timestamp_ms {
                            Some(token_failure("Nieprawidłowy czas tokena"))
                        } else if t.revoked {
                            Some(token_failure("Token unieważniony"))
                        } else if status_of(&sim, &t) == "Pending" {
                            Some(token_failure("Token nieaktywny"))
                        } else if t.context != context {
                            Some(token_failure("Nieprawidłowy token"))
                        } else {
                            None
                        };
                        if failure.is_none()
                            && let Some(t) = st.tokens.get_mut(&t.reference)
                        {
                            t.last_use = Some(now);
                        }
                        (failure, Some(t.reference.clone()), t.author.clone())
                    }
                }
            }
        }
    };
    let reference = reference(RefType::Auth, now, &mut sim.rng());
    let allowed_ips =
        r.authorization_policy
            .and_then(|p| p.allowed_ips)
            .map(|a| crate::ipfilter::AllowedIps {
                addresses: a.ip4_addresses,
                ranges: a.ip4_ranges,
                masks: a.ip4_masks,
            });
    let op = AuthOp {
        reference: reference.clone(),
        start: now,
        method: "Token",
        method_info: ("Token", "token.ksef", "Token KSeF"),
        status: Status::new(100, "Uwierzytelnianie w toku"),
        pending_final: failure,
        context: context.clone(),
        subject: subject.clone(),
        document_hash: String::new(),
        redeemed: false,
        last_refresh: None,
        refresh_valid_until: None,
        revoked: false,
        allowed_ips,
        token_ref,
        cert_subject: Vec::new(),
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
