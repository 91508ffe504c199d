//! KSeF certificates (DIGEST §13): limits, enrollment data, enrollment from a PKCS#10 CSR,
//! status, retrieve, query, revoke. Certificates are issued at once by the simulator's CA
//! (`CN=TI CCK KSeF Symulator`) with keyUsage digitalSignature (`Authentication`) or
//! nonRepudiation (`Offline`); the enrollment status reads 100 until the auth delay has
//! passed on the simulator clock, then 200. Enrollment requires an XAdES login (token
//! logins → 403 `auth-method-not-allowed`). Issued Authentication certificates log in
//! (self-signed-style acceptance); revoked ones end the login with 460 "Certyfikat
//! odwołany".

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use der::{Decode, Encode, Tag, Tagged};
use ksef_core::crypto::{PublicKey, SignatureAlgorithm};
use serde::Deserialize;
use serde_json::{Value, json};
use time::Duration;
use x509_cert::name::Name;
use x509_cert::request::CertReq;

use super::{JsonBody, access};
use crate::Simulator;
use crate::certs::{Usage, issue};
use crate::error::{ApiError, ApiResult};
use crate::ids::{RefType, reference};
use crate::jwt::Claims;
use crate::state::{Enrollment, Ident, IssuedCertificate, Status};
use crate::util::{b64, fmt_ts, unb64};

/// Issuer of the simulator's certificates (TEST: `CN=TI CCK KSeF, …`).
const CA_NAME: &str =
    "CN=TI CCK KSeF Symulator,OU=Krajowa Administracja Skarbowa,O=Ministerstwo Finansów,C=PL";

/// The DN attributes of enrollment data, in `/certificates/enrollments/data` order.
const FIELDS: &[(&str, &str)] = &[
    ("2.5.4.3", "commonName"),
    ("2.5.4.6", "countryName"),
    ("2.5.4.42", "givenName"),
    ("2.5.4.4", "surname"),
    ("2.5.4.5", "serialNumber"),
    ("2.5.4.45", "uniqueIdentifier"),
    ("2.5.4.10", "organizationName"),
    ("2.5.4.97", "organizationIdentifier"),
];

pub(super) fn routes() -> Router<Simulator> {
    Router::new()
        .route("/certificates/limits", get(limits))
        .route("/certificates/enrollments/data", get(data))
        .route("/certificates/enrollments", post(enroll))
        .route(
            "/certificates/enrollments/{reference}",
            get(enrollment_status),
        )
        .route("/certificates/retrieve", post(retrieve))
        .route("/certificates/query", post(query))
        .route("/certificates/{serial}/revoke", post(revoke))
}

/// The XAdES certificate subject of the caller's authentication (enrollment data).
fn xades_subject(sim: &Simulator, claims: &Claims) -> ApiResult<Vec<(String, String)>> {
    let st = sim.state();
    let subject = st
        .auths
        .get(&claims.arn)
        .map(|a| a.cert_subject.clone())
        .unwrap_or_default();
    if subject.is_empty() {
        return Err(ApiError::Forbidden {
            reason_code: "auth-method-not-allowed".into(),
            detail: "Operacja wymaga uwierzytelnienia podpisem XAdES.".into(),
            security: Some(json!({"authenticationMethodCategory": "Token"})),
        });
    }
    Ok(subject
        .into_iter()
        .filter(|(oid, _)| FIELDS.iter().any(|(o, _)| o == oid))
        .collect())
}

fn limits_of(sim: &Simulator, subject: &Ident) -> (u32, u32, u32, u32) {
    let (enroll_limit, cert_limit) = if subject.kind == "Nip" {
        (300, 100)
    } else {
        (12, 6)
    };
    let st = sim.state();
    let enrollments = st
        .enrollments
        .values()
        .filter(|e| e.subject == *subject)
        .count() as u32;
    let active = st
        .issued
        .values()
        .filter(|c| c.subject == *subject && !c.revoked)
        .count() as u32;
    (enroll_limit, enrollments, cert_limit, active)
}

async fn limits(State(sim): State<Simulator>, headers: HeaderMap) -> ApiResult<impl IntoResponse> {
    let claims = access(&sim, &headers, &[])?;
    let subject = Ident::new(&claims.sut, &claims.suv);
    let (el, e, cl, c) = limits_of(&sim, &subject);
    Ok(axum::Json(json!({
        "canRequest": e < el && c < cl,
        "enrollment": {"remaining": el.saturating_sub(e), "limit": el},
        "certificate": {"remaining": cl.saturating_sub(c), "limit": cl},
    })))
}

async fn data(State(sim): State<Simulator>, headers: HeaderMap) -> ApiResult<impl IntoResponse> {
    let claims = access(&sim, &headers, &[])?;
    let subject = xades_subject(&sim, &claims)?;
    let mut out = serde_json::Map::new();
    for (oid, name) in FIELDS {
        if let Some((_, v)) = subject.iter().find(|(o, _)| o == oid) {
            out.insert((*name).into(), json!(v));
        }
    }
    Ok(axum::Json(Value::Object(out)))
}

/// The (OID, text) pairs of a name, for string-typed values.
fn name_pairs(name: &Name) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for atv in name.iter() {
        let tag = atv.value.tag();
        if matches!(tag, Tag::Utf8String | Tag::PrintableString | Tag::Ia5String)
            && let Ok(s) = std::str::from_utf8(atv.value.value())
        {
            out.push((atv.oid.to_string(), s.to_owned()));
        }
    }
    out
}

fn csr_algorithm(oid: &str, key: &PublicKey) -> ApiResult<SignatureAlgorithm> {
    match (oid, key) {
        ("1.2.840.113549.1.1.11", PublicKey::Rsa(_)) => Ok(SignatureAlgorithm::RsaPkcs1v15Sha256),
        ("1.2.840.113549.1.1.10", PublicKey::Rsa(_)) => Ok(SignatureAlgorithm::RsaPssSha256),
        ("1.2.840.10045.4.3.2", PublicKey::EcP256(_)) => Ok(SignatureAlgorithm::EcdsaP256Sha256Der),
        _ => Err(ApiError::bad(
            25011,
            [format!("Algorytm podpisu {oid} nie jest obsługiwany.")],
        )),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EnrollReq {
    certificate_name: String,
    certificate_type: String,
    csr: String,
    #[serde(default)]
    valid_from: Option<String>,
}

fn valid_name(n: &str) -> bool {
    let len = n.chars().count();
    (5..=100).contains(&len)
        && n.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(c, '_' | '-' | ' ')
                || "ąćęłńóśźżĄĆĘŁŃÓŚŹŻ".contains(c)
        })
}

async fn enroll(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    JsonBody(r): JsonBody<EnrollReq>,
) -> ApiResult<impl IntoResponse> {
    let claims = access(&sim, &headers, &[])?;
    let expected = xades_subject(&sim, &claims)?;
    if !valid_name(&r.certificate_name) {
        return Err(ApiError::validation(
            "certificateName: 5–100 znaków [a-zA-Z0-9_- ąćęłńóśźżĄĆĘŁŃÓŚŹŻ].",
        ));
    }
    let usage = match r.certificate_type.as_str() {
        "Authentication" => Usage::DigitalSignature,
        "Offline" => Usage::NonRepudiation,
        other => {
            return Err(ApiError::validation(format!(
                "Nieznany typ certyfikatu {other}."
            )));
        }
    };
    let bad_csr = |d: String| ApiError::bad(25004, [d]);
    let der = unb64(&r.csr).ok_or_else(|| bad_csr("CSR nie jest poprawnym Base64.".into()))?;
    let req =
        CertReq::from_der(&der).map_err(|e| bad_csr(format!("Nieprawidłowy format CSR: {e}")))?;
    let spki = req
        .info
        .public_key
        .to_der()
        .map_err(|e| bad_csr(e.to_string()))?;
    let key = PublicKey::from_spki_der(&spki).map_err(|e| ApiError::bad(25010, [e.to_string()]))?;
    let supported = match &key {
        PublicKey::Rsa(k) => rsa::traits::PublicKeyParts::size(k) == 256,
        PublicKey::EcP256(_) => true,
        _ => false,
    };
    if !supported {
        return Err(ApiError::bad(
            25010,
            [format!(
                "Klucz {} nie jest obsługiwany (RSA 2048 lub EC P-256).",
                key.kind()
            )],
        ));
    }
    let alg = csr_algorithm(&req.algorithm.oid.to_string(), &key)?;
    let info = req.info.to_der().map_err(|e| bad_csr(e.to_string()))?;
    key.verify(alg, &info, req.signature.raw_bytes())
        .map_err(|_| bad_csr("Podpis wniosku CSR jest nieprawidłowy.".into()))?;
    let mut got = name_pairs(&req.info.subject);
    let mut want = expected;
    got.sort();
    want.sort();
    if got != want {
        return Err(ApiError::bad(
            25003,
            ["Dane podmiotu w CSR muszą być identyczne z /certificates/enrollments/data."],
        ));
    }
    let subject = Ident::new(&claims.sut, &claims.suv);
    let (el, e, cl, c) = limits_of(&sim, &subject);
    if e >= el {
        return Err(ApiError::bad(25006, [format!("Limit wniosków: {el}.")]));
    }
    if c >= cl {
        return Err(ApiError::bad(
            25007,
            [format!("Limit aktywnych certyfikatów: {cl}.")],
        ));
    }
    let now = sim.now();
    let from = match &r.valid_from {
        Some(v) => time::OffsetDateTime::parse(v, &time::format_description::well_known::Rfc3339)
            .map_err(|_| ApiError::validation("validFrom musi być datą ISO 8601."))?,
        None => now,
    };
    let cert = {
        let mut rng = sim.rng();
        issue(
            sim.ca_key(),
            CA_NAME,
            req.info.subject.clone(),
            &spki,
            usage,
            from,
            730,
            &mut rng,
        )
        .map_err(|e| ApiError::Internal(e.to_string()))?
    };
    let reference = reference(RefType::Enrollment, now, &mut sim.rng());
    let serial = cert.serial_hex().to_uppercase();
    let mut st = sim.state();
    st.issued.insert(
        serial.clone(),
        issued(
            &cert,
            Some(r.certificate_name),
            r.certificate_type,
            subject.clone(),
            now,
        ),
    );
    st.enrollments.insert(
        reference.clone(),
        Enrollment {
            requested: now,
            context: Ident::new(&claims.cit, &claims.civ),
            subject,
            serial,
        },
    );
    Ok((
        StatusCode::ACCEPTED,
        axum::Json(json!({"referenceNumber": reference, "timestamp": fmt_ts(now)})),
    ))
}

fn got_common_name(name: &Name) -> String {
    name_pairs(name)
        .into_iter()
        .find(|(o, _)| o == "2.5.4.3")
        .map(|(_, v)| v)
        .unwrap_or_default()
}

async fn enrollment_status(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    Path(reference): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let claims = access(&sim, &headers, &[])?;
    let subject = Ident::new(&claims.sut, &claims.suv);
    let delay = Duration::try_from(sim.config().delays.auth).unwrap_or(Duration::ZERO);
    let now = sim.now();
    let st = sim.state();
    let e = st
        .enrollments
        .get(&reference)
        .filter(|e| e.subject == subject)
        .ok_or_else(|| ApiError::bad(25005, [format!("Wniosek {reference} nie istnieje.")]))?;
    if now - e.requested > Duration::days(30) {
        return Err(ApiError::Gone);
    }
    let done = now >= e.requested + delay;
    let mut v = json!({"requestDate": fmt_ts(e.requested)});
    if let Some(o) = v.as_object_mut() {
        if done {
            o.insert(
                "status".into(),
                Status::new(200, "Wniosek obsłużony (certyfikat wygenerowany)").to_json(),
            );
            o.insert("certificateSerialNumber".into(), json!(e.serial));
        } else {
            o.insert(
                "status".into(),
                Status::new(100, "Wniosek przyjęty do realizacji").to_json(),
            );
        }
    }
    Ok(axum::Json(v))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RetrieveReq {
    certificate_serial_numbers: Vec<String>,
}

async fn retrieve(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    JsonBody(r): JsonBody<RetrieveReq>,
) -> ApiResult<impl IntoResponse> {
    let claims = access(&sim, &headers, &[])?;
    let subject = Ident::new(&claims.sut, &claims.suv);
    let st = sim.state();
    let list: Vec<Value> = r
        .certificate_serial_numbers
        .iter()
        .filter_map(|s| {
            st.issued
                .get(&s.to_uppercase())
                .filter(|c| c.subject == subject)
                .map(|c| (s, c))
        })
        .map(|(s, c)| {
            json!({"certificate": b64(&c.der), "certificateName": c.name,
                   "certificateSerialNumber": s.to_uppercase(), "certificateType": c.kind})
        })
        .collect();
    Ok(axum::Json(json!({"certificates": list})))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct QueryReq {
    #[serde(default)]
    certificate_serial_number: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    status: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Page {
    page_size: Option<usize>,
    page_offset: Option<usize>,
}

async fn query(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    Query(p): Query<Page>,
    JsonBody(r): JsonBody<QueryReq>,
) -> ApiResult<impl IntoResponse> {
    let claims = access(&sim, &headers, &[])?;
    let subject = Ident::new(&claims.sut, &claims.suv);
    let size = p.page_size.unwrap_or(10);
    if !(10..=50).contains(&size) {
        return Err(ApiError::validation(
            "pageSize musi mieścić się w zakresie 10..50.",
        ));
    }
    let now = sim.now();
    let status_of = |c: &IssuedCertificate| {
        if c.revoked {
            "Revoked"
        } else if now > c.valid_to {
            "Expired"
        } else {
            "Active"
        }
    };
    let st = sim.state();
    let mut found: Vec<(&String, &IssuedCertificate)> = st
        .issued
        .iter()
        .filter(|(_, c)| c.subject == subject)
        .filter(|(s, _)| {
            r.certificate_serial_number
                .as_ref()
                .is_none_or(|x| x.eq_ignore_ascii_case(s))
        })
        .filter(|(_, c)| r.name.as_ref().is_none_or(|n| c.name.contains(n.as_str())))
        .filter(|(_, c)| r.kind.as_ref().is_none_or(|k| *k == c.kind))
        .filter(|(_, c)| r.status.as_deref().is_none_or(|s| s == status_of(c)))
        .collect();
    found.sort_by_key(|(_, c)| std::cmp::Reverse(c.requested));
    let offset = p.page_offset.unwrap_or(0) * size;
    let page: Vec<Value> = found
        .iter()
        .skip(offset)
        .take(size)
        .map(|(s, c)| {
            json!({
                "certificateSerialNumber": s, "name": c.name, "type": c.kind, "commonName": c.common_name,
                "status": status_of(c), "subjectIdentifier": {"type": c.subject.kind, "value": c.subject.value},
                "validFrom": fmt_ts(c.valid_from), "validTo": fmt_ts(c.valid_to), "requestDate": fmt_ts(c.requested),
            })
        })
        .collect();
    Ok(axum::Json(
        json!({"certificates": page, "hasMore": found.len() > offset + size}),
    ))
}

async fn revoke(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    Path(serial): Path<String>,
) -> ApiResult<StatusCode> {
    let claims = access(&sim, &headers, &[])?;
    xades_subject(&sim, &claims)?;
    let subject = Ident::new(&claims.sut, &claims.suv);
    let mut st = sim.state();
    let c = st
        .issued
        .get_mut(&serial.to_uppercase())
        .filter(|c| c.subject == subject)
        .ok_or_else(|| ApiError::bad(25008, [format!("Certyfikat {serial} nie istnieje.")]))?;
    if c.revoked {
        return Err(ApiError::bad(
            25009,
            [format!("Certyfikat {serial} jest już unieważniony.")],
        ));
    }
    c.revoked = true;
    Ok(StatusCode::NO_CONTENT)
}

/// The record of a certificate KSeF issued to `subject` (Active until revoked); `name`
/// defaults to the common name.
fn issued(
    cert: &ksef_core::crypto::Certificate,
    name: Option<String>,
    kind: String,
    subject: Ident,
    requested: time::OffsetDateTime,
) -> IssuedCertificate {
    let common_name = got_common_name(cert.x509().tbs_certificate().subject());
    IssuedCertificate {
        der: cert.der().to_vec(),
        name: name.unwrap_or_else(|| common_name.clone()),
        kind,
        subject,
        common_name,
        revoked: false,
        valid_from: cert.not_before(),
        valid_to: cert.not_after(),
        requested,
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RegisterReq {
    /// PEM, or the Base64 of the DER.
    certificate: String,
    /// `certificateName` (default: the common name).
    name: Option<String>,
    /// Mark it revoked (as if revoked in the KSeF certificate module).
    #[serde(default)]
    revoked: bool,
}

/// `POST /_sim/certificates` (control API): records a certificate made elsewhere (the
/// demo credentials) as if KSeF had issued it to the subject it names (NIP or PESEL,
/// otherwise its fingerprint), with its type from keyUsage, so that
/// `/certificates/query` lists it and KOD II signed with it verifies; `revoked: true`
/// revokes it. Registering a serial again updates the revocation flag.
pub(super) async fn register(
    State(sim): State<Simulator>,
    JsonBody(r): JsonBody<RegisterReq>,
) -> ApiResult<impl IntoResponse> {
    use ksef_core::crypto::{Certificate, KsefCertificateType, SubjectIdentifier};
    let text = r.certificate.trim();
    let cert = if text.starts_with("-----BEGIN") {
        Certificate::from_pem_or_der(text.as_bytes())
    } else {
        Certificate::from_base64_der(text)
    }
    .map_err(|e| ApiError::validation(format!("certificate: {e}")))?;
    let kind = match cert.ksef_type() {
        KsefCertificateType::Authentication => "Authentication",
        KsefCertificateType::Offline => "Offline",
        other => {
            return Err(ApiError::validation(format!(
                "certificate: keyUsage must mark it Authentication or Offline, found {other}"
            )));
        }
    };
    let serial = cert.serial_hex().to_uppercase();
    if serial.len() != 16 {
        return Err(ApiError::validation(format!(
            "certificate: a KSeF serial has 16 hex digits, this one {serial} has {}",
            serial.len()
        )));
    }
    let subject = match cert.subject_identifiers().into_iter().next() {
        Some(SubjectIdentifier::Nip(n)) => Ident::new("Nip", &n),
        Some(SubjectIdentifier::Pesel(p)) => Ident::new("Pesel", &p),
        _ => Ident::new("Fingerprint", &cert.fingerprint_sha256()),
    };
    let now = sim.now();
    let mut st = sim.state();
    let entry = st
        .issued
        .entry(serial.clone())
        .or_insert_with(|| issued(&cert, r.name.clone(), kind.into(), subject.clone(), now));
    entry.revoked = r.revoked;
    Ok(axum::Json(json!({
        "certificateSerialNumber": serial, "type": kind,
        "subjectIdentifier": {"type": subject.kind, "value": subject.value},
    })))
}
