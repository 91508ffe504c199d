//! Online (interactive) sessions (DIGEST §7, §8, §10): request builders for open, send,
//! status, close and UPO, and the mapping of KSeF's invoice statuses to the product's
//! statuses (waiting for sending → verifying in KSeF → accepted with the KSeF number and
//! "Sukces" / rejected with KSeF's description and details).

use serde::{Deserialize, Serialize};

use crate::api::{
    ApiError, EncryptionInfo, FormCode, HttpRequest, Method, OpenOnlineSessionRequest,
    SendInvoiceRequest, SessionInvoiceStatus,
};
use crate::crypto::InvoiceEncryptionKey;

/// `POST /sessions/online` for FA(3) with the session key wrapped for the MF key.
///
/// # Errors
/// [`ApiError::Encode`] if the body cannot be serialized.
pub fn open_request(encryption: EncryptionInfo) -> Result<HttpRequest, ApiError> {
    HttpRequest::api(Method::Post, "/sessions/online").json(&OpenOnlineSessionRequest {
        form_code: FormCode::fa3(),
        encryption,
    })
}

/// An invoice encrypted for a session: the request body and the plaintext hash, which
/// identifies the invoice in KSeF's lists (for resuming, issue 5 item 7).
#[derive(Debug, Clone)]
pub struct PreparedInvoice {
    /// The send request body.
    pub body: SendInvoiceRequest,
}

impl PreparedInvoice {
    /// Encrypts `xml` with the session key (§7). `offline_mode` marks an invoice issued
    /// in an offline mode; `corrected_hash` (Base64 SHA-256 of the rejected offline
    /// invoice) makes it a technical correction (§15).
    pub fn new(
        key: &InvoiceEncryptionKey,
        xml: &[u8],
        offline_mode: bool,
        corrected_hash: Option<String>,
    ) -> Self {
        Self {
            body: SendInvoiceRequest {
                invoice: key.encrypt_invoice(xml),
                offline_mode,
                hash_of_corrected_invoice: corrected_hash,
            },
        }
    }

    /// Base64 SHA-256 of the plaintext (`invoiceHash`).
    pub fn invoice_hash(&self) -> &str {
        &self.body.invoice.invoice_hash
    }

    /// `POST /sessions/online/{session}/invoices`.
    ///
    /// # Errors
    /// [`ApiError::Encode`] if the body cannot be serialized.
    pub fn request(&self, session: &str) -> Result<HttpRequest, ApiError> {
        HttpRequest::api(Method::Post, format!("/sessions/online/{session}/invoices"))
            .json(&self.body)
    }
}

/// `GET /sessions/{session}/invoices/{invoice}`.
pub fn invoice_status_request(session: &str, invoice: &str) -> HttpRequest {
    HttpRequest::api(
        Method::Get,
        format!("/sessions/{session}/invoices/{invoice}"),
    )
}

/// `POST /sessions/online/{session}/close` (204).
pub fn close_request(session: &str) -> HttpRequest {
    HttpRequest::api(Method::Post, format!("/sessions/online/{session}/close"))
}

/// `GET /sessions/{session}`.
pub fn session_status_request(session: &str) -> HttpRequest {
    HttpRequest::api(Method::Get, format!("/sessions/{session}"))
}

/// `GET /sessions/{session}/invoices/{invoice}/upo` (XML).
pub fn invoice_upo_request(session: &str, invoice: &str) -> HttpRequest {
    HttpRequest::api(
        Method::Get,
        format!("/sessions/{session}/invoices/{invoice}/upo"),
    )
}

/// `GET /sessions/{session}/upo/{upo}` (XML, one page of the session UPO).
pub fn session_upo_request(session: &str, upo: &str) -> HttpRequest {
    HttpRequest::api(Method::Get, format!("/sessions/{session}/upo/{upo}"))
}

/// `GET /sessions/{session}/invoices?pageSize=…` with an optional continuation token.
pub fn session_invoices_request(
    session: &str,
    page_size: u32,
    continuation: Option<&str>,
) -> HttpRequest {
    let r = HttpRequest::api(
        Method::Get,
        format!("/sessions/{session}/invoices?pageSize={page_size}"),
    );
    match continuation {
        Some(t) if !t.is_empty() => r.header("x-continuation-token", t),
        _ => r,
    }
}

/// The product's invoice statuses (issue 5, item 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ProductStatus {
    /// Not sent yet.
    WaitingForSending,
    /// Sent; KSeF is verifying it (invoice status 100 / 150).
    Verifying,
    /// Accepted: KSeF number assigned (status 200 "Sukces").
    Accepted,
    /// Rejected (status ≥ 400) with KSeF's description and details.
    Rejected,
    /// Issued in an offline mode and waiting to be sent (§15).
    SentOffline,
}

/// One invoice's outcome, as the history table shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceOutcome {
    /// The product status.
    pub status: ProductStatus,
    /// KSeF's status code.
    pub code: i64,
    /// KSeF's description ("Sukces", "Duplikat faktury", …).
    pub description: String,
    /// KSeF's details.
    pub details: Vec<String>,
    /// The KSeF number (accepted).
    pub ksef_number: Option<String>,
    /// The invoice reference (`…-EE-…`).
    pub reference_number: String,
    /// The session reference.
    pub session_reference_number: String,
    /// `P_2`, once KSeF read it.
    pub invoice_number: Option<String>,
    /// `Online` | `Offline`.
    pub invoicing_mode: Option<String>,
    /// When KSeF accepted the invoice for processing (`invoicingDate`).
    pub invoicing_date: String,
    /// When the KSeF number was assigned.
    pub acquisition_date: Option<String>,
    /// For a 440 duplicate, the KSeF number of the original (`extensions`).
    pub original_ksef_number: Option<String>,
    /// The file name inside a batch archive.
    pub invoice_file_name: Option<String>,
    /// Base64 SHA-256 of the invoice XML (`invoiceHash`).
    pub invoice_hash: String,
}

impl InvoiceOutcome {
    /// Maps a session invoice status (§10) to the product status.
    pub fn from_status(session: &str, s: &SessionInvoiceStatus) -> Self {
        let status = match s.status.code {
            0..=199 => ProductStatus::Verifying,
            200..=299 => ProductStatus::Accepted,
            _ => ProductStatus::Rejected,
        };
        Self {
            status,
            code: s.status.code,
            description: s.status.description.clone(),
            details: s.status.details().to_vec(),
            ksef_number: s.ksef_number.clone(),
            reference_number: s.reference_number.clone(),
            session_reference_number: session.to_owned(),
            invoice_number: s.invoice_number.clone(),
            invoicing_mode: s.invoicing_mode.clone(),
            invoicing_date: s.invoicing_date.clone(),
            acquisition_date: s.acquisition_date.clone(),
            original_ksef_number: s.status.extension("originalKsefNumber").map(str::to_owned),
            invoice_file_name: s.invoice_file_name.clone(),
            invoice_hash: s.invoice_hash.clone(),
        }
    }

    /// An invoice KSeF refused synchronously (HTTP 400 on send, e.g. 21405): no
    /// reference and no dates; code, description and details from the error.
    pub fn refused(session: &str, invoice_hash: &str, error: &ApiError) -> Self {
        let first = error.errors().first();
        Self {
            status: ProductStatus::Rejected,
            code: error
                .code()
                .unwrap_or_else(|| i64::from(error.status().unwrap_or(0))),
            description: first
                .map(|d| d.description.clone())
                .unwrap_or_else(|| error.to_string()),
            details: first.map(|d| d.details.clone()).unwrap_or_default(),
            ksef_number: None,
            reference_number: String::new(),
            session_reference_number: session.to_owned(),
            invoice_number: None,
            invoicing_mode: None,
            invoicing_date: String::new(),
            acquisition_date: None,
            original_ksef_number: None,
            invoice_file_name: None,
            invoice_hash: invoice_hash.to_owned(),
        }
    }

    /// Whether KSeF has finished with the invoice.
    pub fn is_final(&self) -> bool {
        self.code >= 200
    }
}
