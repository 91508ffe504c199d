//! Batch sessions (DIGEST §9): the invoices go into one archive, split into parts of at
//! most 100 MB (before encryption), each part encrypted with the session key; the open
//! request declares the archive and the parts, KSeF answers with one pre-signed upload
//! per part (no bearer token), then close and poll.
//!
//! The archive is a ZIP with *stored* (uncompressed) entries, written here without
//! dependencies so the core stays small and wasm-friendly; entries are ≤ 4 GiB and the
//! archive has no ZIP64 records (KSeF caps the archive at 5 GB; more than 4 GiB needs
//! ZIP64, not done yet). Deflate and tar.gz are left for later.

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
    /// The archive is too large for the stored-ZIP writer or for KSeF.
    #[error("the batch archive is too large ({0} bytes)")]
    TooLarge(u64),
    /// The part size is 0 or above 100 MB.
    #[error("invalid part size {0}")]
    BadPartSize(usize),
}

/// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), as ZIP requires.
pub fn crc32(data: &[u8]) -> u32 {
    let mut table = [0u32; 256];
    for (i, slot) in table.iter_mut().enumerate() {
        let mut c = i as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
        *slot = c;
    }
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc = table[((crc ^ u32::from(b)) & 0xFF) as usize] ^ (crc >> 8);
    }
    crc ^ 0xFFFF_FFFF
}

/// Writes a ZIP archive of stored entries (`files`: name, content). Names must be
/// non-empty, relative, without `..`, and unique.
///
/// # Errors
/// [`BatchError`] for bad or duplicate names, no files, or more than 4 GiB.
pub fn zip_stored(files: &[(String, Vec<u8>)]) -> Result<Vec<u8>, BatchError> {
    if files.is_empty() {
        return Err(BatchError::Empty);
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in files {
        if name.is_empty()
            || name.starts_with('/')
            || name.split(['/', '\\']).any(|s| s == "..")
            || name.len() > usize::from(u16::MAX)
        {
            return Err(BatchError::BadName(name.clone()));
        }
        if !seen.insert(name.as_str()) {
            return Err(BatchError::DuplicateName(name.clone()));
        }
        let size =
            u32::try_from(data.len()).map_err(|_| BatchError::TooLarge(data.len() as u64))?;
        let offset =
            u32::try_from(out.len()).map_err(|_| BatchError::TooLarge(out.len() as u64))?;
        let crc = crc32(data);
        let name_len = name.len() as u16;
        // Local file header. Flag bit 11: names are UTF-8.
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        out.extend_from_slice(&20u16.to_le_bytes()); // version needed
        out.extend_from_slice(&0x0800u16.to_le_bytes()); // flags
        out.extend_from_slice(&0u16.to_le_bytes()); // method: stored
        out.extend_from_slice(&0u16.to_le_bytes()); // time
        out.extend_from_slice(&0x0021u16.to_le_bytes()); // date 1980-01-01
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&name_len.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes()); // extra
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
        // Central directory entry.
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes()); // version made by
        central.extend_from_slice(&20u16.to_le_bytes()); // version needed
        central.extend_from_slice(&0x0800u16.to_le_bytes());
        central.extend_from_slice(&0u16.to_le_bytes());
        central.extend_from_slice(&0u16.to_le_bytes());
        central.extend_from_slice(&0x0021u16.to_le_bytes());
        central.extend_from_slice(&crc.to_le_bytes());
        central.extend_from_slice(&size.to_le_bytes());
        central.extend_from_slice(&size.to_le_bytes());
        central.extend_from_slice(&name_len.to_le_bytes());
        central.extend_from_slice(&[0u8; 8]); // extra, comment, disk, internal attrs
        central.extend_from_slice(&0u32.to_le_bytes()); // external attrs
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let cd_offset = u32::try_from(out.len()).map_err(|_| BatchError::TooLarge(out.len() as u64))?;
    let cd_size = central.len() as u32;
    let count = u16::try_from(files.len()).map_err(|_| BatchError::TooLarge(files.len() as u64))?;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0u8; 4]); // disk numbers
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&cd_size.to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes()); // comment
    Ok(out)
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
    /// Splits `archive` into parts of at most `part_size` bytes (≤ 100 MB) and encrypts
    /// each with `key` (§9 steps 2–3).
    ///
    /// # Errors
    /// [`BatchError::BadPartSize`], [`BatchError::TooLarge`] (more than 50 parts).
    pub fn new(
        key: &InvoiceEncryptionKey,
        archive: &[u8],
        part_size: usize,
    ) -> Result<Self, BatchError> {
        if part_size == 0 || part_size > MAX_PART_SIZE {
            return Err(BatchError::BadPartSize(part_size));
        }
        if archive.is_empty() {
            return Err(BatchError::Empty);
        }
        let parts: Vec<EncryptedPart> = archive
            .chunks(part_size)
            .map(|c| key.encrypt_part(c))
            .collect();
        if parts.len() > MAX_PARTS {
            return Err(BatchError::TooLarge(archive.len() as u64));
        }
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
                compression_type: None,
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
    fn crc32_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

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
        assert!(BatchPlan::new(&key, &archive, 0).is_err());
        assert!(BatchPlan::new(&key, &archive, MAX_PART_SIZE + 1).is_err());
    }
}
