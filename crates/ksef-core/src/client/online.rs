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
use crate::hash::Sha256Hash;

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

    /// The request for `xml` whose AES-256-CBC ciphertext was computed elsewhere (the
    /// driver's [`super::Transport::encrypt_aes256_cbc`] hook, WebCrypto in the browser):
    /// fills the §7 step 5 metadata from both. Gives the same body as
    /// [`PreparedInvoice::new`] when `ciphertext` is the same.
    pub fn from_ciphertext(
        xml: &[u8],
        ciphertext: &[u8],
        offline_mode: bool,
        corrected_hash: Option<String>,
    ) -> Self {
        use base64::Engine;
        Self {
            body: SendInvoiceRequest {
                invoice: crate::crypto::EncryptedInvoice {
                    invoice_hash: Sha256Hash::of(xml).to_base64(),
                    invoice_size: xml.len() as u64,
                    encrypted_invoice_hash: Sha256Hash::of(ciphertext).to_base64(),
                    encrypted_invoice_size: ciphertext.len() as u64,
                    encrypted_invoice_content: base64::engine::general_purpose::STANDARD
                        .encode(ciphertext),
                },
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

/// Checks a `hashOfCorrectedInvoice` value (DIGEST §15: Base64 SHA-256 of the rejected
/// offline invoice) and returns it in standard padded Base64; the url-safe form is
/// accepted too.
///
/// # Errors
/// A message saying what is wrong: not Base64, or not 32 bytes.
pub fn parse_corrected_hash(s: &str) -> Result<String, String> {
    use base64::Engine;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};
    let t = s.trim();
    let bytes = STANDARD
        .decode(t)
        .or_else(|_| URL_SAFE.decode(t))
        .or_else(|_| URL_SAFE_NO_PAD.decode(t))
        .map_err(|e| {
            format!("the corrected invoice's hash {s:?} is not Base64 ({e}); expected the Base64 SHA-256 of the rejected file (44 characters)")
        })?;
    if bytes.len() != 32 {
        return Err(format!(
            "the corrected invoice's hash {s:?} decodes to {} bytes; a SHA-256 has 32 (44 Base64 characters)",
            bytes.len()
        ));
    }
    Ok(STANDARD.encode(bytes))
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

    /// An invoice issued in an offline mode (DIGEST §15: offline24, KSeF unavailability,
    /// emergency) that has not been sent to KSeF yet: [`ProductStatus::SentOffline`]
    /// ("wystawiona offline"), with its hash and issue date (`P_1`) and no KSeF data.
    /// Code 0 marks "not in KSeF", so [`InvoiceOutcome::is_final`] is false: it still has
    /// to be sent (with `offlineMode: true`) before its deadline.
    pub fn sent_offline(
        invoice_hash: &str,
        invoice_number: Option<String>,
        issue_date: &str,
    ) -> Self {
        Self {
            status: ProductStatus::SentOffline,
            code: 0,
            description: "Wystawiona w trybie offline, czeka na wysłanie do KSeF".into(),
            details: Vec::new(),
            ksef_number: None,
            reference_number: String::new(),
            session_reference_number: String::new(),
            invoice_number,
            invoicing_mode: Some("Offline".into()),
            invoicing_date: issue_date.to_owned(),
            acquisition_date: None,
            original_ksef_number: None,
            invoice_file_name: None,
            invoice_hash: invoice_hash.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offline_invoice_not_yet_sent_is_sent_offline() {
        let o = InvoiceOutcome::sent_offline("aGFzaA==", Some("FV/1".into()), "2026-11-23");
        assert_eq!(o.status, ProductStatus::SentOffline);
        assert!(!o.is_final(), "it still has to go to KSeF");
        assert_eq!(o.invoicing_mode.as_deref(), Some("Offline"));
        assert_eq!(o.ksef_number, None);
        let v = serde_json::to_value(&o).unwrap();
        assert_eq!(v["status"], "sent_offline");
        assert_eq!(v["invoiceHash"], "aGFzaA==");
    }

    #[test]
    fn corrected_hash_is_checked_and_normalised() {
        let h = Sha256Hash::of(b"x");
        assert_eq!(parse_corrected_hash(&h.to_base64()), Ok(h.to_base64()));
        assert_eq!(parse_corrected_hash(&h.to_base64url()), Ok(h.to_base64()));
        let e = parse_corrected_hash("nie-base64!").unwrap_err();
        assert!(e.contains("not Base64"), "{e}");
        let e = parse_corrected_hash("AAAA").unwrap_err();
        assert!(e.contains("decodes to 3 bytes"), "{e}");
    }

    #[test]
    fn from_ciphertext_equals_new() {
        let key = InvoiceEncryptionKey::from_parts([3; 32], [4; 16]);
        let xml = b"<Faktura>zaz\xc3\xb3\xc5\x82\xc4\x87</Faktura>";
        let a = PreparedInvoice::new(&key, xml, true, Some("h".into()));
        let b =
            PreparedInvoice::from_ciphertext(xml, &key.encrypt_bytes(xml), true, Some("h".into()));
        assert_eq!(a.body, b.body);
    }
}
