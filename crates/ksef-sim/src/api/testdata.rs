//! Test-data API (DIGEST §18): persons, permissions, context block/unblock, attachments.
//! All answer 200 with an empty body and need no authentication.

use axum::Router;
use axum::extract::State;
use axum::routing::post;
use serde::Deserialize;

use super::JsonBody;
use crate::Simulator;
use crate::error::{ApiError, ApiResult};
use crate::state::{Grant, Ident, Person};

pub(super) fn routes() -> Router<Simulator> {
    Router::new()
        .route("/testdata/person", post(person))
        .route("/testdata/person/remove", post(person_remove))
        .route("/testdata/permissions", post(permissions))
        .route("/testdata/permissions/revoke", post(permissions_revoke))
        .route("/testdata/context/block", post(block))
        .route("/testdata/context/unblock", post(unblock))
        .route("/testdata/subject", post(subject))
        .route("/testdata/subject/remove", post(subject_remove))
        .route("/testdata/attachment", post(attachment))
        .route("/testdata/attachment/revoke", post(attachment_revoke))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PersonReq {
    nip: String,
    pesel: String,
    is_bailiff: bool,
    #[allow(dead_code)]
    description: String,
    #[serde(default)]
    is_deceased: bool,
}

fn check_nip(nip: &str) -> ApiResult<()> {
    ksef_core::ident::check_nip_pattern(nip)
        .map_err(|e| ApiError::validation(format!("Nieprawidłowy NIP {nip}: {e}")))
}

async fn person(State(sim): State<Simulator>, JsonBody(r): JsonBody<PersonReq>) -> ApiResult<()> {
    check_nip(&r.nip)?;
    ksef_core::ident::check_pesel(&r.pesel)
        .map_err(|e| ApiError::validation(format!("Nieprawidłowy PESEL {}: {e}", r.pesel)))?;
    let mut st = sim.state();
    if st.persons.contains_key(&r.nip) {
        return Err(ApiError::bad(
            30001,
            [format!("Osoba o NIP {} już istnieje.", r.nip)],
        ));
    }
    st.persons.insert(
        r.nip,
        Person {
            pesel: r.pesel,
            is_bailiff: r.is_bailiff,
            is_deceased: r.is_deceased,
        },
    );
    Ok(())
}

#[derive(Deserialize)]
struct NipReq {
    nip: String,
}

async fn person_remove(
    State(sim): State<Simulator>,
    JsonBody(r): JsonBody<NipReq>,
) -> ApiResult<()> {
    sim.state().persons.remove(&r.nip);
    Ok(())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PermissionsReq {
    context_identifier: Ident,
    authorized_identifier: Ident,
    #[serde(default)]
    permissions: Vec<PermissionItem>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PermissionItem {
    permission_type: String,
}

const PERMISSION_TYPES: &[&str] = &[
    "InvoiceRead",
    "InvoiceWrite",
    "Introspection",
    "CredentialsRead",
    "CredentialsManage",
    "EnforcementOperations",
    "SubunitManage",
];

fn check_grant(r: &PermissionsReq) -> ApiResult<()> {
    if r.context_identifier.kind != "Nip" {
        return Err(ApiError::validation(
            "contextIdentifier.type musi mieć wartość Nip.",
        ));
    }
    check_nip(&r.context_identifier.value)?;
    if !["Nip", "Pesel", "Fingerprint"].contains(&r.authorized_identifier.kind.as_str()) {
        return Err(ApiError::validation(
            "authorizedIdentifier.type: dozwolone Nip, Pesel, Fingerprint.",
        ));
    }
    if let Some(p) = r
        .permissions
        .iter()
        .find(|p| !PERMISSION_TYPES.contains(&p.permission_type.as_str()))
    {
        return Err(ApiError::validation(format!(
            "Nieznany typ uprawnienia {}.",
            p.permission_type
        )));
    }
    Ok(())
}

async fn permissions(
    State(sim): State<Simulator>,
    JsonBody(r): JsonBody<PermissionsReq>,
) -> ApiResult<()> {
    check_grant(&r)?;
    let mut st = sim.state();
    for p in &r.permissions {
        st.grants.insert(Grant {
            context_nip: r.context_identifier.value.clone(),
            subject: normalised(&r.authorized_identifier),
            permission: p.permission_type.clone(),
        });
    }
    Ok(())
}

/// Fingerprints compare case-insensitively (uppercase hex, as the verifier reports them).
fn normalised(id: &Ident) -> Ident {
    if id.kind == "Fingerprint" {
        Ident::new("Fingerprint", &id.value.to_uppercase())
    } else {
        id.clone()
    }
}

async fn permissions_revoke(
    State(sim): State<Simulator>,
    JsonBody(r): JsonBody<PermissionsReq>,
) -> ApiResult<()> {
    let subject = normalised(&r.authorized_identifier);
    sim.state()
        .grants
        .retain(|g| !(g.context_nip == r.context_identifier.value && g.subject == subject));
    Ok(())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ContextReq {
    context_identifier: Option<Ident>,
}

async fn block(State(sim): State<Simulator>, JsonBody(r): JsonBody<ContextReq>) -> ApiResult<()> {
    let ctx = r
        .context_identifier
        .ok_or_else(|| ApiError::validation("Brak contextIdentifier."))?;
    sim.state().blocked.insert(ctx);
    Ok(())
}

async fn unblock(State(sim): State<Simulator>, JsonBody(r): JsonBody<ContextReq>) -> ApiResult<()> {
    let ctx = r
        .context_identifier
        .ok_or_else(|| ApiError::validation("Brak contextIdentifier."))?;
    sim.state().blocked.remove(&ctx);
    Ok(())
}

async fn attachment(State(sim): State<Simulator>, JsonBody(r): JsonBody<NipReq>) -> ApiResult<()> {
    check_nip(&r.nip)?;
    sim.state().attachments.insert(r.nip);
    Ok(())
}

async fn attachment_revoke(
    State(sim): State<Simulator>,
    JsonBody(r): JsonBody<NipReq>,
) -> ApiResult<()> {
    sim.state().attachments.remove(&r.nip);
    Ok(())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SubjectReq {
    subject_nip: String,
    subject_type: String,
    #[allow(dead_code)]
    description: String,
}

/// `POST /testdata/subject`: registers an EnforcementAuthority / VatGroup / JST subject
/// (recorded; the relations it implies are not modelled yet).
async fn subject(State(sim): State<Simulator>, JsonBody(r): JsonBody<SubjectReq>) -> ApiResult<()> {
    check_nip(&r.subject_nip)?;
    if !["EnforcementAuthority", "VatGroup", "JST"].contains(&r.subject_type.as_str()) {
        return Err(ApiError::validation(format!(
            "Nieznany typ podmiotu {}.",
            r.subject_type
        )));
    }
    let mut st = sim.state();
    if st.subjects.contains_key(&r.subject_nip) {
        return Err(ApiError::bad(
            30001,
            [format!("Podmiot o NIP {} już istnieje.", r.subject_nip)],
        ));
    }
    st.subjects.insert(r.subject_nip, r.subject_type);
    Ok(())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SubjectRemoveReq {
    subject_nip: String,
}

async fn subject_remove(
    State(sim): State<Simulator>,
    JsonBody(r): JsonBody<SubjectRemoveReq>,
) -> ApiResult<()> {
    sim.state().subjects.remove(&r.subject_nip);
    Ok(())
}
