//! What KSeF says about one of its certificates (DIGEST §13 step 7,
//! `POST /certificates/query`).
//!
//! Why a client asks: a KSeF certificate can be revoked or blocked in the KSeF
//! certificate module while its own validity dates still run, and KOD II signed with such
//! an `Offline` certificate fails verification when a buyer scans it (DIGEST §14, "What
//! KSeF checks": the certificate exists, is valid, not revoked, blocked or expired). The
//! certificate file cannot tell; only KSeF can.
//!
//! The query lists only the certificates of the authenticated subject (the NIP, PESEL or
//! fingerprint of the login), so "not found" means "not a KSeF certificate of this
//! subject" (a self-signed TEST certificate, or one enrolled by another person), not
//! "revoked".

use serde::{Deserialize, Serialize};

use crate::api::{ApiError, HttpRequest, Method};
use crate::qr::CertSerial;

/// The body of `POST /certificates/query` (every field optional).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryCertificatesRequest {
    /// One certificate by serial.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_serial_number: Option<String>,
    /// `Authentication` or `Offline`.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub certificate_type: Option<String>,
    /// `Active`, `Blocked`, `Revoked` or `Expired`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// One certificate of the answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificateEntry {
    /// The serial (uppercase hex).
    pub certificate_serial_number: String,
    /// The name given at enrollment.
    #[serde(default)]
    pub name: String,
    /// `Authentication` or `Offline`.
    #[serde(rename = "type")]
    pub certificate_type: String,
    /// The subject's common name.
    #[serde(default)]
    pub common_name: String,
    /// `Active`, `Blocked`, `Revoked` or `Expired` (verbatim; a newer KSeF may add more).
    pub status: String,
    /// Validity start (ISO 8601).
    #[serde(default)]
    pub valid_from: String,
    /// Validity end (ISO 8601).
    #[serde(default)]
    pub valid_to: String,
    /// Last use, if KSeF reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_use_date: Option<String>,
}

impl CertificateEntry {
    /// KSeF holds the certificate as usable (`Active`).
    pub fn is_active(&self) -> bool {
        self.status == "Active"
    }
}

/// The answer of `POST /certificates/query`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryCertificatesResponse {
    /// One page of certificates.
    #[serde(default)]
    pub certificates: Vec<CertificateEntry>,
    /// More pages follow.
    #[serde(default)]
    pub has_more: bool,
}

impl QueryCertificatesResponse {
    /// The entry for `serial`, if listed.
    pub fn find(&self, serial: &CertSerial) -> Option<&CertificateEntry> {
        let serial = serial.to_string();
        self.certificates
            .iter()
            .find(|c| c.certificate_serial_number.eq_ignore_ascii_case(&serial))
    }
}

/// `POST /certificates/query?pageSize=10` for one serial (the smallest page KSeF allows).
///
/// # Errors
/// [`ApiError::Encode`] (not expected: the body is plain strings).
pub fn query_request(serial: &CertSerial) -> Result<HttpRequest, ApiError> {
    HttpRequest::api(Method::Post, "/certificates/query?pageSize=10").json(
        &QueryCertificatesRequest {
            certificate_serial_number: Some(serial.to_string()),
            ..QueryCertificatesRequest::default()
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_and_the_answer_follow_the_openapi_names() {
        let s = CertSerial::parse("01F20A5D352AE590").unwrap();
        let r = query_request(&s).unwrap();
        assert_eq!(r.method, Method::Post);
        assert_eq!(
            r.target,
            crate::api::Target::Api("/certificates/query?pageSize=10".into())
        );
        assert_eq!(
            String::from_utf8(r.body).unwrap(),
            r#"{"certificateSerialNumber":"01F20A5D352AE590"}"#
        );
        // The shape of open-api.json's QueryCertificatesResponse example, with a null
        // lastUseDate and a field a newer KSeF might add.
        let body = r#"{"certificates":[{"certificateSerialNumber":"0321c82da41b4362",
            "name":"Cert 00023","type":"Offline","commonName":"Jan Kowalski",
            "status":"Revoked","subjectIdentifier":{"type":"Nip","value":"1111111111"},
            "validFrom":"2025-08-24T14:15:22+00:00","validTo":"2027-08-24T14:15:22+00:00",
            "lastUseDate":null,"requestDate":"2025-08-24T14:15:22+00:00","future":1}],
            "hasMore":false}"#;
        let r: QueryCertificatesResponse = serde_json::from_str(body).unwrap();
        let found = r
            .find(&CertSerial::parse("0321C82DA41B4362").unwrap())
            .unwrap();
        assert_eq!(found.certificate_type, "Offline");
        assert_eq!(found.status, "Revoked");
        assert!(!found.is_active());
        assert_eq!(found.valid_to, "2027-08-24T14:15:22+00:00");
        assert!(r.find(&s).is_none());
    }
}
