//! SHA-256 of the exact invoice bytes.
//!
//! Spec: `shared/ksef/DIGEST.md` §2 (`Sha256HashBase64`: standard Base64 with padding,
//! 44 characters), §7 (`invoiceHash` over the plaintext bytes) and §14 (KOD I uses
//! Base64url without padding, 43 characters).

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};

/// A SHA-256 digest of some exact bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sha256Hash(pub [u8; 32]);

impl Sha256Hash {
    /// Hashes `bytes` exactly as given (no normalisation, no BOM handling).
    pub fn of(bytes: &[u8]) -> Self {
        Self(Sha256::digest(bytes).into())
    }

    /// Standard Base64 with padding (44 characters), as the KSeF API expects.
    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0)
    }

    /// Base64url without padding (43 characters), as in the KOD I / KOD II URLs.
    pub fn to_base64url(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }

    /// Lower-case hex.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Parses either Base64 form (44-char padded standard or 43-char url-safe).
    pub fn from_base64_any(s: &str) -> Option<Self> {
        let bytes = if s.len() == 44 {
            STANDARD.decode(s).ok()?
        } else {
            URL_SAFE_NO_PAD.decode(s).ok()?
        };
        Some(Self(bytes.try_into().ok()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_answer() {
        // FIPS 180-2 "abc".
        let h = Sha256Hash::of(b"abc");
        assert_eq!(
            h.to_hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            h.to_base64(),
            "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="
        );
        assert_eq!(
            h.to_base64url(),
            "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0"
        );
        assert_eq!(Sha256Hash::from_base64_any(&h.to_base64()), Some(h));
        assert_eq!(Sha256Hash::from_base64_any(&h.to_base64url()), Some(h));
    }
}
