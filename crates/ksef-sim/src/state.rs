//! In-memory state of the simulator (one `Mutex`, never held across an `await`).

use std::collections::{HashMap, HashSet};

use ksef_core::crypto::InvoiceEncryptionKey;
use serde_json::Value;
use time::OffsetDateTime;

use crate::keys::MfKey;

/// A `{type, value}` identifier (context or subject).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Ident {
    /// `Nip`, `InternalId`, `NipVatUe`, `PeppolId`, `Pesel`, `Fingerprint`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The value.
    pub value: String,
}

impl Ident {
    /// A new identifier.
    pub fn new(kind: &str, value: &str) -> Self {
        Ident {
            kind: kind.to_owned(),
            value: value.to_owned(),
        }
    }
}

/// A `{code, description, details?}` status.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Status {
    /// Code.
    pub code: u16,
    /// Polish description.
    pub description: String,
    /// Details.
    pub details: Vec<String>,
    /// Invoice status extensions.
    pub extensions: Vec<(String, String)>,
}

impl Status {
    /// A status without details.
    pub fn new(code: u16, description: &str) -> Self {
        Status {
            code,
            description: description.to_owned(),
            ..Status::default()
        }
    }

    /// Adds a detail line.
    pub fn detail(mut self, d: impl Into<String>) -> Self {
        self.details.push(d.into());
        self
    }

    /// JSON (`StatusInfo` / `InvoiceStatusInfo`).
    pub fn to_json(&self) -> Value {
        let mut v = serde_json::json!({"code": self.code, "description": self.description});
        if let Some(o) = v.as_object_mut() {
            if !self.details.is_empty() {
                o.insert("details".into(), serde_json::json!(self.details));
            }
            if !self.extensions.is_empty() {
                let m: serde_json::Map<String, Value> = self
                    .extensions
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                    .collect();
                o.insert("extensions".into(), Value::Object(m));
            }
        }
        v
    }
}

/// An issued challenge (DIGEST §5.1).
#[derive(Debug, Clone)]
pub struct Challenge {
    /// When it was issued.
    pub issued: OffsetDateTime,
    /// `timestampMs`.
    pub timestamp_ms: i64,
    /// Used by an authentication request already.
    pub used: bool,
}

/// An authentication operation (`…-AU-…`).
#[derive(Debug, Clone)]
pub struct AuthOp {
    /// Reference number.
    pub reference: String,
    /// `startDate`.
    pub start: OffsetDateTime,
    /// Deprecated `authenticationMethod`.
    pub method: &'static str,
    /// `authenticationMethodInfo` (category, code, displayName).
    pub method_info: (&'static str, &'static str, &'static str),
    /// Current status.
    pub status: Status,
    /// Final status to move to after the auth delay.
    pub pending_final: Option<Status>,
    /// The context.
    pub context: Ident,
    /// The authenticated subject.
    pub subject: Ident,
    /// Base64 SHA-256 of the signed document (UPO `SkrotDokumentuUwierzytelniajacego`).
    pub document_hash: String,
    /// Tokens redeemed.
    pub redeemed: bool,
    /// Last refresh.
    pub last_refresh: Option<OffsetDateTime>,
    /// Refresh token expiry (after redeem).
    pub refresh_valid_until: Option<OffsetDateTime>,
    /// Revoked (auth session closed).
    pub revoked: bool,
    /// `AuthorizationPolicy/AllowedIps` (empty = any IP).
    pub allowed_ips: Option<crate::ipfilter::AllowedIps>,
    /// The KSeF token used (token authentication), by reference number.
    pub token_ref: Option<String>,
    /// Subject attributes of the XAdES certificate: (dotted OID, value); empty for tokens.
    pub cert_subject: Vec<(String, String)>,
}

/// A certificate enrollment (`…-EH-…`, DIGEST §13).
#[derive(Debug, Clone)]
pub struct Enrollment {
    /// When requested.
    pub requested: OffsetDateTime,
    /// Context and subject of the requester.
    pub context: Ident,
    /// The requester.
    pub subject: Ident,
    /// Serial (uppercase hex) of the issued certificate.
    pub serial: String,
}

/// A certificate issued by the simulator's CA.
#[derive(Debug, Clone)]
pub struct IssuedCertificate {
    /// DER.
    pub der: Vec<u8>,
    /// `certificateName`.
    pub name: String,
    /// `Authentication` or `Offline`.
    pub kind: String,
    /// The owner (NIP, PESEL or fingerprint).
    pub subject: Ident,
    /// Common name.
    pub common_name: String,
    /// Revoked.
    pub revoked: bool,
    /// Validity.
    pub valid_from: OffsetDateTime,
    /// Validity.
    pub valid_to: OffsetDateTime,
    /// Requested.
    pub requested: OffsetDateTime,
}

/// A KSeF token (DIGEST §6).
#[derive(Debug, Clone)]
pub struct KsefToken {
    /// `…-EC-…` reference.
    pub reference: String,
    /// The full secret token string.
    pub token: String,
    /// Who created it.
    pub author: Ident,
    /// Its context.
    pub context: Ident,
    /// Description.
    pub description: String,
    /// Permissions.
    pub permissions: Vec<String>,
    /// Created.
    pub created: OffsetDateTime,
    /// Last use.
    pub last_use: Option<OffsetDateTime>,
    /// Revoked with `DELETE /tokens/{ref}`.
    pub revoked: bool,
}

/// A person created with `/testdata/person`.
#[derive(Debug, Clone)]
pub struct Person {
    /// PESEL linked to the NIP.
    pub pesel: String,
    /// Court bailiff.
    pub is_bailiff: bool,
    /// Deceased (auth → 470).
    pub is_deceased: bool,
}

/// A permission grant (`/testdata/permissions`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Grant {
    /// Context NIP.
    pub context_nip: String,
    /// Authorized subject.
    pub subject: Ident,
    /// Permission type.
    pub permission: String,
}

/// One invoice in a session.
#[derive(Debug, Clone)]
pub struct Invoice {
    /// `ordinalNumber` (1-based).
    pub ordinal: u32,
    /// `…-EE-…` reference.
    pub reference: String,
    /// Declared Base64 SHA-256 of the plaintext.
    pub invoice_hash: String,
    /// Declared plaintext size.
    pub invoice_size: u64,
    /// The ciphertext as sent.
    pub encrypted: Vec<u8>,
    /// `offlineMode` flag.
    pub offline_mode: bool,
    /// `hashOfCorrectedInvoice`.
    pub hash_of_corrected: Option<String>,
    /// When it was accepted for processing (`invoicingDate`).
    pub invoicing_date: OffsetDateTime,
    /// Current status.
    pub status: Status,
    /// `invoiceNumber` (P_2), once parsed.
    pub invoice_number: Option<String>,
    /// Seller NIP (Podmiot1), once parsed.
    pub seller_nip: Option<String>,
    /// `P_1`, once parsed.
    pub issue_date: Option<time::Date>,
    /// `RodzajFaktury`, once parsed.
    pub kind: Option<String>,
    /// KSeF number (status 200).
    pub ksef_number: Option<String>,
    /// `acquisitionDate`.
    pub acquisition_date: Option<OffsetDateTime>,
    /// `permanentStorageDate`.
    pub permanent_storage_date: Option<OffsetDateTime>,
    /// Offline (explicit or detected).
    pub offline: bool,
    /// The decrypted XML (status 200).
    pub xml: Option<Vec<u8>>,
    /// Reference of a successful technical correction of this invoice.
    pub corrected_by: Option<String>,
    /// File name inside the batch archive (`invoiceFileName`).
    pub file_name: Option<String>,
    /// The plaintext, for batch invoices (already decrypted and unpacked).
    pub plain: Option<Vec<u8>>,
}

/// Kind of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    /// Interactive.
    Online,
    /// Batch.
    Batch,
}

/// One declared part of a batch archive.
#[derive(Debug, Clone)]
pub struct BatchPart {
    /// `ordinalNumber`.
    pub ordinal: u32,
    /// Declared encrypted size.
    pub size: u64,
    /// Declared Base64 SHA-256 of the encrypted part.
    pub hash: String,
    /// Uploaded bytes.
    pub data: Option<Vec<u8>>,
}

/// Batch-specific session data (DIGEST §9).
#[derive(Debug, Clone)]
pub struct BatchInfo {
    /// Declared archive size (before encryption).
    pub file_size: u64,
    /// Declared Base64 SHA-256 of the archive.
    pub file_hash: String,
    /// `Zip` or `TarGz`.
    pub compression: String,
    /// Declared parts.
    pub parts: Vec<BatchPart>,
    /// `offlineMode` of the whole batch.
    pub offline_mode: bool,
    /// End of the upload window (parts × 20 min).
    pub upload_deadline: OffsetDateTime,
}

/// A session (`…-SO-…`).
#[derive(Debug, Clone)]
pub struct Session {
    /// Reference number.
    pub reference: String,
    /// Kind.
    pub kind: SessionKind,
    /// `formCode.systemCode`, e.g. `FA (3)`.
    pub system_code: String,
    /// `formCode.schemaVersion`.
    pub schema_version: String,
    /// `formCode.value`.
    pub form_value: String,
    /// The unwrapped session key (None → status 415).
    pub key: Option<InvoiceEncryptionKey>,
    /// Status.
    pub status: Status,
    /// `dateCreated`.
    pub created: OffsetDateTime,
    /// `dateUpdated`.
    pub updated: OffsetDateTime,
    /// `validUntil`.
    pub valid_until: OffsetDateTime,
    /// Context.
    pub context: Ident,
    /// The authenticated subject that opened it.
    pub subject: Ident,
    /// Auth reference and document hash (UPO `Uwierzytelnienie`).
    pub auth_document_hash: String,
    /// KSeF token reference, when the session was opened after token authentication.
    pub auth_token_reference: Option<String>,
    /// Permissions of the opener in the context.
    pub permissions: Vec<String>,
    /// Invoices.
    pub invoices: Vec<Invoice>,
    /// Session UPO pages: (`…-EU-…` reference, XML).
    pub upo_pages: Vec<(String, Vec<u8>)>,
    /// Batch data (batch sessions only).
    pub batch: Option<BatchInfo>,
}

impl Session {
    /// Number of invoices not yet final.
    pub fn pending(&self) -> usize {
        self.invoices.iter().filter(|i| i.status.code < 200).count()
    }
}

/// Latarnia message (DIGEST §1).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LatarniaMessage {
    /// Id.
    pub id: String,
    /// Event id.
    pub event_id: i64,
    /// `FAILURE` | `TOTAL_FAILURE` | `MAINTENANCE`.
    pub category: String,
    /// `FAILURE_START` | `FAILURE_END` | `MAINTENANCE_ANNOUNCEMENT`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Title.
    pub title: String,
    /// Text.
    pub text: String,
    /// Start.
    pub start: String,
    /// End.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
    /// Version.
    pub version: i64,
    /// Published.
    pub published: String,
}

/// Injected faults (control API).
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Extra latency per request (ms).
    pub latency_ms: u64,
    /// The next `n` requests answer HTTP 500.
    pub fail_next: u32,
    /// The next `n` requests drop the connection.
    pub drop_next: u32,
    /// Slow body: responses are sent in 64-byte chunks with this delay (ms) before each.
    pub slow_body_ms: u64,
}

/// Limits of one session kind (`/limits/context`, DIGEST §17); 1 MB = 10^6 B.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KindLimits {
    /// Maximum invoice size without attachments (MB).
    #[serde(rename = "maxInvoiceSizeInMB")]
    pub max_invoice_size_in_mb: u32,
    /// Maximum invoice size with attachments (MB).
    #[serde(rename = "maxInvoiceWithAttachmentSizeInMB")]
    pub max_invoice_with_attachment_size_in_mb: u32,
    /// Maximum invoices per session.
    pub max_invoices: u32,
}

/// Session limits of a context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionLimits {
    /// Online sessions.
    pub online_session: KindLimits,
    /// Batch sessions.
    pub batch_session: KindLimits,
}

impl SessionLimits {
    /// The published defaults with `max_invoices` per session.
    pub fn defaults(max_invoices: u32) -> Self {
        let k = KindLimits {
            max_invoice_size_in_mb: 1,
            max_invoice_with_attachment_size_in_mb: 3,
            max_invoices,
        };
        SessionLimits {
            online_session: k,
            batch_session: k,
        }
    }
}

/// All mutable state.
#[derive(Debug, Default)]
pub struct State {
    /// MF keys (including revoked ones).
    pub mf_keys: Vec<MfKey>,
    /// Challenges by value.
    pub challenges: HashMap<String, Challenge>,
    /// Auth operations by reference.
    pub auths: HashMap<String, AuthOp>,
    /// Persons by NIP.
    pub persons: HashMap<String, Person>,
    /// Permission grants.
    pub grants: HashSet<Grant>,
    /// Blocked contexts.
    pub blocked: HashSet<Ident>,
    /// NIPs with attachments enabled.
    pub attachments: HashSet<String>,
    /// Sessions by reference.
    pub sessions: HashMap<String, Session>,
    /// KSeF tokens by reference.
    pub tokens: HashMap<String, KsefToken>,
    /// Successful invoices: KSeF number → (session ref, index).
    pub by_ksef: HashMap<String, (String, usize)>,
    /// Duplicate key (seller NIP, kind, P_2) → (KSeF number, session ref).
    pub duplicates: HashMap<(String, String, String), (String, String)>,
    /// Invoice hash (Base64) → (session ref, index) for every processed invoice.
    pub by_hash: HashMap<String, Vec<(String, usize)>>,
    /// Latarnia messages.
    pub latarnia: Vec<LatarniaMessage>,
    /// Injected faults.
    pub faults: Faults,
    /// Effective rate limits (`GET /rate-limits`); `None` = the production table.
    pub rate_table: Option<crate::ratelimit::Table>,
    /// Rate-limit counters.
    pub limiter: crate::ratelimit::Limiter,
    /// 429 answers given since start or reset (`GET /_sim/stats`).
    pub too_many_requests: u64,
    /// Per-context session-limit overrides (`/testdata/limits/context/session`).
    pub context_limits: HashMap<Ident, SessionLimits>,
    /// Test subjects (`/testdata/subject`): NIP → subject type.
    pub subjects: HashMap<String, String>,
    /// Certificate enrollments by reference.
    pub enrollments: HashMap<String, Enrollment>,
    /// Certificates issued by the simulator's CA, by serial (uppercase hex).
    pub issued: HashMap<String, IssuedCertificate>,
}

impl State {
    /// The effective session limits of `context`.
    pub fn limits_for(&self, context: &Ident, default_max_invoices: u32) -> SessionLimits {
        self.context_limits
            .get(context)
            .copied()
            .unwrap_or_else(|| SessionLimits::defaults(default_max_invoices))
    }
}
