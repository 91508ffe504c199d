//! Batch sessions (DIGEST §9): the invoices go into one archive, split into parts of at
//! most 100 MB (before encryption), each part encrypted with the session key; the open
//! request declares the archive and the parts, KSeF answers with one pre-signed upload
//! per part (no bearer token), then close and poll.
//!
//! The archive is a Deflate ZIP, a stored ZIP or a tar.gz ([`super::archive`], ZIP64
//! when an offset passes 4 GiB). Encryption of the parts goes through
//! [`super::Transport::encrypt_aes256_cbc`] in the driver, so the browser can use
//! WebCrypto; [`BatchPlan::new`] is the synchronous pure-Rust equivalent.

use super::archive::ArchiveFormat;
use crate::api::{
    ApiError, BatchFile, BatchFilePart, EncryptionInfo, FormCode, HttpRequest, Method,
    OpenBatchSessionRequest, PartUploadRequest, Target,
};
use crate::crypto::{EncryptedPart, InvoiceEncryptionKey};
use crate::hash::Sha256Hash;

/// The largest part before encryption: 100 MB (10^8 bytes).
pub const MAX_PART_SIZE: usize = 100_000_000;
/// At most 50 parts.
pub const MAX_PARTS: usize = 50;
/// The whole archive is at most 5 GB (DIGEST §9 step 2).
pub const MAX_ARCHIVE_SIZE: u64 = 5_000_000_000;
/// Invoices per session (`maxInvoices` of `GET /limits/context`, DIGEST §17); a batch
/// above it ends with session status 420.
pub const MAX_INVOICES_PER_SESSION: usize = 10_000;

/// Splits `archive` binarily into slices of at most `part_size` bytes (§9 step 2).
///
/// # Errors
/// [`BatchError::BadPartSize`] (0 or above 100 MB), [`BatchError::Empty`],
/// [`BatchError::TooLarge`] (more than 50 parts or 5 GB).
pub fn split(archive: &[u8], part_size: usize) -> Result<Vec<&[u8]>, BatchError> {
    if part_size == 0 || part_size > MAX_PART_SIZE {
        return Err(BatchError::BadPartSize(part_size));
    }
    if archive.is_empty() {
        return Err(BatchError::Empty);
    }
    if archive.len() as u64 > MAX_ARCHIVE_SIZE || archive.len().div_ceil(part_size) > MAX_PARTS {
        return Err(BatchError::TooLarge(archive.len() as u64));
    }
    Ok(archive.chunks(part_size).collect())
}

/// Why a batch could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BatchError {
    /// No invoices.
    #[error("a batch needs at least one invoice")]
    Empty,
    /// A file name is not usable inside the archive.
    #[error("invalid file name in batch: {0:?}")]
    BadName(String),
    /// Two invoices share a file name.
    #[error("duplicate file name in batch: {0}")]
    DuplicateName(String),
    /// An entry of 4 GiB or more, or an archive above KSeF's 5 GB / 50 parts.
    #[error("the batch archive is too large ({0} bytes; KSeF takes at most 5 GB in 50 parts)")]
    TooLarge(u64),
    /// The part size is 0 or above 100 MB.
    #[error("invalid part size {0}: a part holds 1 to 100 000 000 bytes (DIGEST §9)")]
    BadPartSize(usize),
    /// More invoices than one batch session takes (`maxInvoices`, DIGEST §17).
    #[error("{count} invoices in one batch: a batch session takes at most {max}")]
    TooManyInvoices {
        /// Invoices given.
        count: usize,
        /// The session limit.
        max: usize,
    },
    /// Deflate or gzip failed.
    #[error("compressing the batch archive failed: {0}")]
    Compression(String),
}

pub use super::archive::crc32;

/// Writes a ZIP archive of stored entries (`files`: name, content). Names must be
/// non-empty, relative, without `..`, and unique. See [`super::archive`] for Deflate,
/// tar.gz and ZIP64.
///
/// # Errors
/// [`BatchError`] for bad or duplicate names, no files, or an entry of 4 GiB or more.
pub fn zip_stored(files: &[(String, Vec<u8>)]) -> Result<Vec<u8>, BatchError> {
    super::archive::zip(files, false, false)
}

/// An archive split and encrypted for upload, and the open request describing it.
#[derive(Debug, Clone)]
pub struct BatchPlan {
    /// The encrypted parts, in order (ordinal number = index + 1).
    pub parts: Vec<EncryptedPart>,
    /// `batchFile` of the open request.
    pub batch_file: BatchFile,
}

impl BatchPlan {
    /// Splits `archive` (a ZIP) into parts of at most `part_size` bytes (≤ 100 MB) and
    /// encrypts each with `key` in pure Rust (§9 steps 2–3).
    ///
    /// # Errors
    /// [`BatchError::BadPartSize`], [`BatchError::TooLarge`] (more than 50 parts).
    pub fn new(
        key: &InvoiceEncryptionKey,
        archive: &[u8],
        part_size: usize,
    ) -> Result<Self, BatchError> {
        let parts = split(archive, part_size)?
            .into_iter()
            .map(|c| key.encrypt_bytes(c))
            .collect();
        Self::from_encrypted(archive, ArchiveFormat::ZipStored, parts)
    }

    /// The plan for `archive` packed as `format` whose parts were encrypted elsewhere
    /// (the driver's [`super::Transport::encrypt_aes256_cbc`] hook); `parts` are the
    /// ciphertexts of [`split`]'s slices, in order.
    ///
    /// # Errors
    /// [`BatchError::Empty`], [`BatchError::TooLarge`] (more than 50 parts or 5 GB).
    pub fn from_encrypted(
        archive: &[u8],
        format: ArchiveFormat,
        parts: Vec<Vec<u8>>,
    ) -> Result<Self, BatchError> {
        if archive.is_empty() || parts.is_empty() {
            return Err(BatchError::Empty);
        }
        if parts.len() > MAX_PARTS || archive.len() as u64 > MAX_ARCHIVE_SIZE {
            return Err(BatchError::TooLarge(archive.len() as u64));
        }
        let parts: Vec<EncryptedPart> = parts
            .into_iter()
            .map(|content| EncryptedPart {
                file_size: content.len() as u64,
                file_hash: Sha256Hash::of(&content).to_base64(),
                content,
            })
            .collect();
        let file_parts = parts
            .iter()
            .zip(1u32..)
            .map(|(p, n)| BatchFilePart {
                ordinal_number: n,
                file_size: p.file_size,
                file_hash: p.file_hash.clone(),
            })
            .collect();
        Ok(Self {
            parts,
            batch_file: BatchFile {
                file_size: archive.len() as u64,
                file_hash: Sha256Hash::of(archive).to_base64(),
                compression_type: Some(format.compression_type().to_owned()),
                file_parts,
            },
        })
    }

    /// `POST /sessions/batch` for FA(3).
    ///
    /// # Errors
    /// [`ApiError::Encode`].
    pub fn open_request(
        &self,
        encryption: EncryptionInfo,
        offline_mode: bool,
    ) -> Result<HttpRequest, ApiError> {
        HttpRequest::api(Method::Post, "/sessions/batch").json(&OpenBatchSessionRequest {
            form_code: FormCode::fa3(),
            batch_file: self.batch_file.clone(),
            encryption,
            offline_mode,
        })
    }

    /// The upload of one part as KSeF asked for it (absolute URL, its headers, no
    /// bearer), or `None` if no part has that ordinal number.
    pub fn upload_request(&self, upload: &PartUploadRequest) -> Option<HttpRequest> {
        let index = usize::try_from(upload.ordinal_number)
            .ok()?
            .checked_sub(1)?;
        let part = self.parts.get(index)?;
        let mut r = HttpRequest {
            method: Method::parse(&upload.method).unwrap_or(Method::Put),
            target: Target::Absolute(upload.url.clone()),
            headers: Vec::new(),
            body: part.content.clone(),
        };
        for (k, v) in &upload.headers {
            if let Some(v) = v {
                r = r.header(k.clone(), v.clone());
            }
        }
        Some(r)
    }
}

/// `POST /sessions/batch/{session}/close` (204).
pub fn close_request(session: &str) -> HttpRequest {
    HttpRequest::api(Method::Post, format!("/sessions/batch/{session}/close"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zip_layout() {
        let z = zip_stored(&[
            ("a.xml".into(), b"<a/>".to_vec()),
            ("b.xml".into(), b"bb".to_vec()),
        ])
        .unwrap();
        assert_eq!(&z[..4], b"PK\x03\x04");
        let eocd = &z[z.len() - 22..];
        assert_eq!(&eocd[..4], b"PK\x05\x06");
        assert_eq!(u16::from_le_bytes([eocd[10], eocd[11]]), 2);
        assert_eq!(zip_stored(&[]), Err(BatchError::Empty));
        assert!(matches!(
            zip_stored(&[("a".into(), vec![]), ("a".into(), vec![])]),
            Err(BatchError::DuplicateName(_))
        ));
        assert!(matches!(
            zip_stored(&[("../x".into(), vec![])]),
            Err(BatchError::BadName(_))
        ));
    }

    #[test]
    fn plan_splits_and_declares_parts() {
        let key = InvoiceEncryptionKey::from_parts([7; 32], [9; 16]);
        let archive = vec![1u8; 100];
        let plan = BatchPlan::new(&key, &archive, 40).unwrap();
        assert_eq!(plan.parts.len(), 3);
        assert_eq!(plan.batch_file.file_size, 100);
        assert_eq!(plan.batch_file.file_parts[2].ordinal_number, 3);
        // 20 plaintext bytes → 32 ciphertext bytes (PKCS#7).
        assert_eq!(plan.batch_file.file_parts[2].file_size, 32);
        let joined: Vec<u8> = plan
            .parts
            .iter()
            .flat_map(|p| key.decrypt_bytes(&p.content).unwrap())
            .collect();
        assert_eq!(joined, archive);
        assert_eq!(
            BatchPlan::new(&key, &archive, 0).unwrap_err(),
            BatchError::BadPartSize(0)
        );
        assert!(BatchPlan::new(&key, &archive, MAX_PART_SIZE + 1).is_err());
        // 51 parts are refused before anything is encrypted.
        assert_eq!(split(&[0u8; 51], 1).unwrap_err(), BatchError::TooLarge(51));
        assert_eq!(split(&[0u8; 50], 1).unwrap().len(), 50);
        assert_eq!(plan.batch_file.compression_type.as_deref(), Some("Zip"));
    }
}
