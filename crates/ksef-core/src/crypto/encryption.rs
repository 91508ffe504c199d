//! Invoice encryption and decryption, byte-exact.
//!
//! Spec: DIGEST §7: a per-session 32-byte AES key K and 16-byte IV from the caller's RNG;
//! `encryptedSymmetricKey` = Base64(RSA-OAEP-SHA256-MGF1-SHA256(K)) with the MF key of
//! usage `SymmetricKeyEncryption`; `initializationVector` = Base64(IV) (24 characters);
//! each invoice or batch part is `C = AES-256-CBC-PKCS#7(K, IV, P)` with the **IV not
//! prepended**; `invoiceHash` = Base64(SHA-256(P)), `invoiceSize` = len(P) in bytes, and the
//! same for C. §9 (batch parts use the same K/IV).
//!
//! Decryption (for the simulator) is opaque on failure: wrong key, bad padding and corrupt
//! data all give [`CryptoError::Decryption`].

use aes::cipher::block_padding::Pkcs7;
use aes::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand_core::CryptoRng;
use sha2::Sha256;
use zeroize::Zeroizing;

use super::error::{CredentialError, CryptoError};
use super::key::PrivateKey;
use super::mf::MfPublicKey;
use crate::hash::Sha256Hash;

type Aes256CbcEnc = cbc::Encryptor<aes::Aes256>;
type Aes256CbcDec = cbc::Decryptor<aes::Aes256>;

/// The `encryption` object of `POST /sessions/online` and `/sessions/batch` (OAS
/// `EncryptionInfo`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EncryptionInfo {
    /// Base64 of the OAEP-wrapped AES key (344 characters with RSA-2048).
    pub encrypted_symmetric_key: String,
    /// Base64 of the 16-byte IV (24 characters).
    pub initialization_vector: String,
    /// The MF key's `publicKeyId` (44-character Base64), since API 2.5.0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key_id: Option<String>,
}

impl EncryptionInfo {
    /// Builds the object from the raw wrapped key, the IV and the MF `publicKeyId`.
    pub fn new(wrapped_key: &[u8], iv: &[u8; 16], public_key_id: &str) -> Self {
        Self {
            encrypted_symmetric_key: STANDARD.encode(wrapped_key),
            initialization_vector: STANDARD.encode(iv),
            public_key_id: Some(public_key_id.to_owned()),
        }
    }
}

/// The invoice fields of `POST /sessions/online/{ref}/invoices` (OAS `SendInvoiceRequest`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EncryptedInvoice {
    /// Base64(SHA-256(plaintext)).
    pub invoice_hash: String,
    /// Plaintext length in bytes.
    pub invoice_size: u64,
    /// Base64(SHA-256(ciphertext)).
    pub encrypted_invoice_hash: String,
    /// Ciphertext length in bytes (`(len(P) / 16 + 1) * 16`).
    pub encrypted_invoice_size: u64,
    /// Base64 of the ciphertext (no IV prefix).
    pub encrypted_invoice_content: String,
}

/// One encrypted batch part (DIGEST §9 step 2–3): the raw bytes to upload and the
/// `fileParts[]` fields of `POST /sessions/batch`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncryptedPart {
    /// The ciphertext to PUT (raw, IV not prepended).
    pub content: Vec<u8>,
    /// `fileSize`: ciphertext length in bytes.
    pub file_size: u64,
    /// `fileHash`: Base64(SHA-256(ciphertext)).
    pub file_hash: String,
}

/// The per-session AES-256 key and IV (zeroized on drop; `Debug` hides the key).
#[derive(Clone)]
pub struct InvoiceEncryptionKey {
    key: Zeroizing<[u8; 32]>,
    iv: [u8; 16],
}

impl core::fmt::Debug for InvoiceEncryptionKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("InvoiceEncryptionKey")
            .field("key", &"<secret>")
            .field("iv", &hex::encode(self.iv))
            .finish()
    }
}

impl InvoiceEncryptionKey {
    /// Draws a fresh 32-byte key and 16-byte IV from `rng` (key first, then IV).
    pub fn generate(rng: &mut impl CryptoRng) -> Self {
        let mut key = Zeroizing::new([0u8; 32]);
        let mut iv = [0u8; 16];
        rng.fill_bytes(key.as_mut());
        rng.fill_bytes(&mut iv);
        Self { key, iv }
    }

    /// Builds a key from known parts (tests, the simulator after unwrapping).
    pub fn from_parts(key: [u8; 32], iv: [u8; 16]) -> Self {
        Self {
            key: Zeroizing::new(key),
            iv,
        }
    }

    /// The IV.
    pub fn iv(&self) -> &[u8; 16] {
        &self.iv
    }

    /// The raw AES key. Low-level: for interop tests and key escrow only.
    pub fn hazmat_key_bytes(&self) -> &[u8; 32] {
        &self.key
    }

    /// The session's `encryption` object: wraps the key for `mf` (RSA-OAEP-SHA256) and
    /// adds the IV and `publicKeyId`.
    ///
    /// # Errors
    /// [`CryptoError::Encryption`] if OAEP fails.
    pub fn encryption_info(
        &self,
        mf: &MfPublicKey,
        rng: &mut impl CryptoRng,
    ) -> Result<EncryptionInfo, CryptoError> {
        let wrapped = self.wrap_for(mf, rng)?;
        Ok(EncryptionInfo::new(&wrapped, &self.iv, mf.public_key_id()))
    }

    /// The raw OAEP-wrapped key for `mf` (256 bytes with RSA-2048); Base64 of it is
    /// `encryptedSymmetricKey`.
    ///
    /// # Errors
    /// [`CryptoError::Encryption`] if OAEP fails.
    pub fn wrap_for(
        &self,
        mf: &MfPublicKey,
        rng: &mut impl CryptoRng,
    ) -> Result<Vec<u8>, CryptoError> {
        mf.oaep_encrypt(self.key.as_ref(), rng)
    }

    /// AES-256-CBC + PKCS#7 of raw bytes (an invoice or a batch part), IV not prepended.
    pub fn encrypt_bytes(&self, plaintext: &[u8]) -> Vec<u8> {
        Aes256CbcEnc::new(&(*self.key).into(), &self.iv.into())
            .encrypt_padded_vec::<Pkcs7>(plaintext)
    }

    /// Decrypts raw ciphertext (no IV prefix).
    ///
    /// CBC is unauthenticated: with a wrong key the padding is occasionally valid and
    /// garbage comes back. [`InvoiceEncryptionKey::decrypt_invoice`] also checks the hashes.
    ///
    /// # Errors
    /// The opaque [`CryptoError::Decryption`] (length or padding; no detail).
    pub fn decrypt_bytes(&self, ciphertext: &[u8]) -> Result<Vec<u8>, CryptoError> {
        if ciphertext.is_empty() || !ciphertext.len().is_multiple_of(16) {
            return Err(CryptoError::Decryption);
        }
        Aes256CbcDec::new(&(*self.key).into(), &self.iv.into())
            .decrypt_padded_vec::<Pkcs7>(ciphertext)
            .map_err(|_| CryptoError::Decryption)
    }

    /// Encrypts one batch part (a slice of the ZIP, ≤ 100 MB before encryption) and
    /// computes its `fileSize` / `fileHash` (DIGEST §9).
    pub fn encrypt_part(&self, part: &[u8]) -> EncryptedPart {
        let content = self.encrypt_bytes(part);
        EncryptedPart {
            file_size: content.len() as u64,
            file_hash: Sha256Hash::of(&content).to_base64(),
            content,
        }
    }

    /// Encrypts one invoice and computes the request metadata (DIGEST §7 step 5).
    pub fn encrypt_invoice(&self, invoice: &[u8]) -> EncryptedInvoice {
        let ct = self.encrypt_bytes(invoice);
        EncryptedInvoice {
            invoice_hash: Sha256Hash::of(invoice).to_base64(),
            invoice_size: invoice.len() as u64,
            encrypted_invoice_hash: Sha256Hash::of(&ct).to_base64(),
            encrypted_invoice_size: ct.len() as u64,
            encrypted_invoice_content: STANDARD.encode(&ct),
        }
    }

    /// Decrypts `encryptedInvoiceContent` and checks every metadata field (sizes and both
    /// hashes), as KSeF does on receipt.
    ///
    /// # Errors
    /// The opaque [`CryptoError::Decryption`] for any mismatch or decryption failure.
    pub fn decrypt_invoice(&self, sent: &EncryptedInvoice) -> Result<Vec<u8>, CryptoError> {
        let ct = STANDARD
            .decode(&sent.encrypted_invoice_content)
            .map_err(|_| CryptoError::Decryption)?;
        let ok_ct = ct.len() as u64 == sent.encrypted_invoice_size
            && Sha256Hash::of(&ct).to_base64() == sent.encrypted_invoice_hash;
        if !ok_ct {
            return Err(CryptoError::Decryption);
        }
        let pt = self.decrypt_bytes(&ct)?;
        let ok_pt = pt.len() as u64 == sent.invoice_size
            && Sha256Hash::of(&pt).to_base64() == sent.invoice_hash;
        if !ok_pt {
            return Err(CryptoError::Decryption);
        }
        Ok(pt)
    }
}

/// The MF private key, for the local simulator: unwraps session keys and KSeF tokens.
#[derive(Clone, Debug)]
pub struct MfPrivateKey {
    key: Box<rsa::PrivateKey>,
}

impl MfPrivateKey {
    /// Uses an RSA private key as the MF key.
    ///
    /// # Errors
    /// [`CredentialError::UnsupportedAlgorithm`] for EC keys.
    pub fn new(key: PrivateKey) -> Result<Self, CredentialError> {
        match key {
            PrivateKey::Rsa(key) => Ok(Self { key }),
            other => Err(CredentialError::UnsupportedAlgorithm {
                algorithm: format!("{} (MF encryption keys are RSA)", other.algorithm()),
            }),
        }
    }

    /// RSAES-OAEP-SHA256 decryption (blinded with `rng`).
    ///
    /// # Errors
    /// The opaque [`CryptoError::Decryption`].
    pub fn oaep_decrypt(
        &self,
        ciphertext: &[u8],
        rng: &mut impl CryptoRng,
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        self.key
            .oaep_decrypt_with_rng::<Sha256, _>(rng, ciphertext)
            .map(Zeroizing::new)
            .map_err(|_| CryptoError::Decryption)
    }

    /// Recovers the session key from an `encryption` object.
    ///
    /// # Errors
    /// [`CryptoError::Malformed`] for bad Base64 or an IV that is not 16 bytes (KSeF reports
    /// those as validation errors, DIGEST §7 step 3); the opaque
    /// [`CryptoError::Decryption`] if unwrapping fails or K is not 32 bytes.
    pub fn unwrap_session_key(
        &self,
        info: &EncryptionInfo,
        rng: &mut impl CryptoRng,
    ) -> Result<InvoiceEncryptionKey, CryptoError> {
        let iv: [u8; 16] = STANDARD
            .decode(&info.initialization_vector)
            .ok()
            .and_then(|v| v.try_into().ok())
            .ok_or(CryptoError::Malformed {
                field: "initializationVector",
            })?;
        let wrapped = STANDARD
            .decode(&info.encrypted_symmetric_key)
            .map_err(|_| CryptoError::Malformed {
                field: "encryptedSymmetricKey",
            })?;
        let k = self.oaep_decrypt(&wrapped, rng)?;
        let key: [u8; 32] = k
            .as_slice()
            .try_into()
            .map_err(|_| CryptoError::Decryption)?;
        Ok(InvoiceEncryptionKey::from_parts(key, iv))
    }

    /// Decrypts an `encryptedToken` (DIGEST §5.3) into `(token, timestampMs)`.
    ///
    /// # Errors
    /// [`CryptoError::Malformed`] for bad Base64, the opaque [`CryptoError::Decryption`]
    /// otherwise (including a plaintext without `|` and a number).
    pub fn decrypt_ksef_token(
        &self,
        encrypted_token_b64: &str,
        rng: &mut impl CryptoRng,
    ) -> Result<(Zeroizing<String>, i64), CryptoError> {
        let ct = STANDARD
            .decode(encrypted_token_b64)
            .map_err(|_| CryptoError::Malformed {
                field: "encryptedToken",
            })?;
        let pt = self.oaep_decrypt(&ct, rng)?;
        let s = core::str::from_utf8(&pt).map_err(|_| CryptoError::Decryption)?;
        let (token, ts) = s.rsplit_once('|').ok_or(CryptoError::Decryption)?;
        let ts: i64 = ts.parse().map_err(|_| CryptoError::Decryption)?;
        Ok((Zeroizing::new(token.to_owned()), ts))
    }
}
