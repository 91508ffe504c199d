//! Serde types for the endpoints the client uses, field names as in `open-api.json`
//! (DIGEST §5, §8–§10). Unknown fields are ignored so newer KSeF versions still decode.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use crate::crypto::{EncryptedInvoice, EncryptionInfo, PublicKeyCertificate};

/// `StatusInfo` / `InvoiceStatusInfo` (DIGEST §2): code, Polish description, details,
/// and for invoices `extensions` (e.g. `originalKsefNumber` on 440).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusInfo {
    /// The status code (100, 200, 415, 440, …).
    pub code: i64,
    /// The description, verbatim.
    pub description: String,
    /// Details, verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Vec<String>>,
    /// Invoice status extensions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extensions: Option<BTreeMap<String, Option<String>>>,
}

impl StatusInfo {
    /// The details, or an empty slice.
    pub fn details(&self) -> &[String] {
        self.details.as_deref().unwrap_or_default()
    }

    /// One extension value, e.g. `originalKsefNumber`.
    pub fn extension(&self, name: &str) -> Option<&str> {
        self.extensions
            .as_ref()
            .and_then(|m| m.get(name))
            .and_then(|v| v.as_deref())
    }
}

/// `POST /auth/challenge` → `AuthenticationChallengeResponse` (§5.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChallengeResponse {
    /// The challenge (valid 10 minutes, single use).
    pub challenge: String,
    /// Server time.
    pub timestamp: String,
    /// Server time in Unix milliseconds (used by KSeF-token login).
    pub timestamp_ms: i64,
    /// The IP address KSeF sees.
    pub client_ip: String,
}

/// `TokenInfo`: a JWT and its expiry.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenInfo {
    /// The opaque token (treat as secret).
    pub token: String,
    /// Expiry, ISO 8601.
    pub valid_until: String,
}

impl core::fmt::Debug for TokenInfo {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TokenInfo")
            .field("token", &"<redacted>")
            .field("valid_until", &self.valid_until)
            .finish()
    }
}

/// `POST /auth/xades-signature` / `/auth/ksef-token` → 202 `AuthenticationInitResponse`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthInitResponse {
    /// The `…-AU-…` reference of the authentication operation.
    pub reference_number: String,
    /// The authenticationToken for status polling and redeem.
    pub authentication_token: TokenInfo,
}

/// `authenticationMethodInfo`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthMethodInfo {
    /// `XadesSignature` | `NationalNode` | `Token` | `Other`.
    #[serde(default)]
    pub category: Option<String>,
    /// E.g. `xades.qualified-seal`.
    #[serde(default)]
    pub code: Option<String>,
    /// Display name.
    #[serde(default)]
    pub display_name: Option<String>,
}

/// `GET /auth/{ref}` → `AuthenticationOperationStatusResponse` (§5.4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthStatusResponse {
    /// Start of the operation.
    pub start_date: String,
    /// Deprecated method enum.
    #[serde(default)]
    pub authentication_method: Option<String>,
    /// The method details.
    #[serde(default)]
    pub authentication_method_info: Option<AuthMethodInfo>,
    /// 100 in progress, 200 success, 415/425/450/460/470/480/500/550 failures.
    pub status: StatusInfo,
    /// Whether the tokens were already redeemed.
    #[serde(default)]
    pub is_token_redeemed: Option<bool>,
    /// Last refresh.
    #[serde(default)]
    pub last_token_refresh_date: Option<String>,
    /// Refresh token expiry.
    #[serde(default)]
    pub refresh_token_valid_until: Option<String>,
}

/// `POST /auth/token/redeem` → `AuthenticationTokensResponse` (§5.5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokensResponse {
    /// The access token (≈15 min).
    pub access_token: TokenInfo,
    /// The refresh token (7 days).
    pub refresh_token: TokenInfo,
}

/// `POST /auth/token/refresh` → `AuthenticationTokenRefreshResponse` (§5.6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefreshResponse {
    /// The new access token.
    pub access_token: TokenInfo,
}

/// `FormCode` (§8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FormCode {
    /// E.g. `FA (3)`.
    pub system_code: String,
    /// E.g. `1-0E`.
    pub schema_version: String,
    /// E.g. `FA`.
    pub value: String,
}

impl FormCode {
    /// FA(3), schema 1-0E.
    pub fn fa3() -> Self {
        Self {
            system_code: "FA (3)".into(),
            schema_version: "1-0E".into(),
            value: "FA".into(),
        }
    }
}

/// `POST /sessions/online` body (§8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenOnlineSessionRequest {
    /// The form code.
    pub form_code: FormCode,
    /// The wrapped session key and IV.
    pub encryption: EncryptionInfo,
}

/// `POST /sessions/online` → 201 `OpenOnlineSessionResponse`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenOnlineSessionResponse {
    /// The `…-SO-…` reference.
    pub reference_number: String,
    /// Auto-close time (12 h after creation).
    pub valid_until: String,
}

/// `POST /sessions/online/{ref}/invoices` body (§8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendInvoiceRequest {
    /// Hashes, sizes and ciphertext.
    #[serde(flatten)]
    pub invoice: EncryptedInvoice,
    /// Offline-mode invoice (§15).
    pub offline_mode: bool,
    /// Technical correction: Base64 SHA-256 of the corrected invoice (§15).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash_of_corrected_invoice: Option<String>,
}

/// A 202/201 answer carrying only a reference number (send invoice).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReferenceResponse {
    /// The reference (`…-EE-…` for an invoice).
    pub reference_number: String,
}

/// One UPO page (`UpoPageResponse`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpoPage {
    /// The `…-EU-…` reference.
    pub reference_number: String,
    /// Pre-signed download URL.
    pub download_url: String,
    /// URL expiry.
    pub download_url_expiration_date: String,
}

/// `UpoResponse`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Upo {
    /// The pages (≤ 10 000 documents each).
    pub pages: Vec<UpoPage>,
}

/// `GET /sessions/{ref}` → `SessionStatusResponse` (§10).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionStatusResponse {
    /// Session status (online 100/170/200/415/440/445/500, batch 100/150/200/4xx).
    pub status: StatusInfo,
    /// Creation.
    pub date_created: String,
    /// Last update.
    pub date_updated: String,
    /// Auto-close time.
    #[serde(default)]
    pub valid_until: Option<String>,
    /// Session UPO, once generated.
    #[serde(default)]
    pub upo: Option<Upo>,
    /// Invoices received (nullable).
    #[serde(default)]
    pub invoice_count: Option<u64>,
    /// Accepted invoices (nullable).
    #[serde(default)]
    pub successful_invoice_count: Option<u64>,
    /// Rejected invoices (nullable, may be null instead of 0).
    #[serde(default)]
    pub failed_invoice_count: Option<u64>,
}

/// `SessionInvoiceStatusResponse` (§10).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionInvoiceStatus {
    /// Position in the session.
    pub ordinal_number: u64,
    /// `P_2`, once read.
    #[serde(default)]
    pub invoice_number: Option<String>,
    /// The KSeF number (status 200).
    #[serde(default)]
    pub ksef_number: Option<String>,
    /// The `…-EE-…` reference.
    pub reference_number: String,
    /// Base64 SHA-256 of the plaintext.
    pub invoice_hash: String,
    /// File name inside the batch archive.
    #[serde(default)]
    pub invoice_file_name: Option<String>,
    /// When the KSeF number was assigned.
    #[serde(default)]
    pub acquisition_date: Option<String>,
    /// When the invoice was accepted for processing.
    pub invoicing_date: String,
    /// When stored permanently.
    #[serde(default)]
    pub permanent_storage_date: Option<String>,
    /// Pre-signed UPO URL.
    #[serde(default)]
    pub upo_download_url: Option<String>,
    /// Its expiry.
    #[serde(default)]
    pub upo_download_url_expiration_date: Option<String>,
    /// `Online` | `Offline`.
    #[serde(default)]
    pub invoicing_mode: Option<String>,
    /// Status (100, 150, 200, 405–450, 500, 550).
    pub status: StatusInfo,
}

/// `GET /sessions/{ref}/invoices[/failed]` → `SessionInvoicesResponse`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionInvoicesResponse {
    /// Token for the next page (null or empty = last page).
    #[serde(default)]
    pub continuation_token: Option<String>,
    /// This page.
    pub invoices: Vec<SessionInvoiceStatus>,
}

/// `BatchFilePartInfo` (§9).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchFilePart {
    /// 1-based part number.
    pub ordinal_number: u32,
    /// Encrypted part size.
    pub file_size: u64,
    /// Base64 SHA-256 of the encrypted part.
    pub file_hash: String,
}

/// `BatchFileInfo` (§9).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchFile {
    /// Unencrypted archive size.
    pub file_size: u64,
    /// Base64 SHA-256 of the whole unencrypted archive.
    pub file_hash: String,
    /// `Zip` (default) or `TarGz`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compression_type: Option<String>,
    /// The parts.
    pub file_parts: Vec<BatchFilePart>,
}

/// `POST /sessions/batch` body (§9).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenBatchSessionRequest {
    /// The form code.
    pub form_code: FormCode,
    /// The archive description.
    pub batch_file: BatchFile,
    /// The wrapped session key and IV.
    pub encryption: EncryptionInfo,
    /// Offline-mode invoices.
    #[serde(default)]
    pub offline_mode: bool,
}

/// `PartUploadRequest`: where and how to upload one part (no bearer token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartUploadRequest {
    /// The part number.
    pub ordinal_number: u32,
    /// HTTP method (`PUT`).
    pub method: String,
    /// Pre-signed URL.
    pub url: String,
    /// Headers to send (`x-ms-blob-type: BlockBlob`).
    #[serde(default)]
    pub headers: BTreeMap<String, Option<String>>,
}

/// `POST /sessions/batch` → 201 `OpenBatchSessionResponse`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenBatchSessionResponse {
    /// The `…-SB-…` reference.
    pub reference_number: String,
    /// One per part.
    pub part_upload_requests: Vec<PartUploadRequest>,
}

/// `GET /limits/context` (DIGEST §17): per-session limits of the current context.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContextLimitsResponse {
    /// Online sessions.
    pub online_session: SessionKindLimits,
    /// Batch sessions.
    pub batch_session: SessionKindLimits,
}

/// One session kind's limits in [`ContextLimitsResponse`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionKindLimits {
    /// Largest invoice without attachments, MB (10^6 B).
    #[serde(default)]
    pub max_invoice_size_in_mb: u64,
    /// Largest invoice with attachments, MB.
    #[serde(default)]
    pub max_invoice_with_attachment_size_in_mb: u64,
    /// Invoices per session (10 000 by default).
    pub max_invoices: u64,
}
