//! Low-level operations, for verifiers and builders that need them (CONVENTIONS §8).
//!
//! Spec: DIGEST §5.2 and §14 (signature algorithms; ECDSA verifiers accept P1363 and DER).
//! Prefer the role types ([`super::AuthSigningKey`], [`super::OfflineSigningKey`]) for
//! signing: they check the certificate type and validity first.

use rand_core::CryptoRng;

use super::cert::Certificate;
use super::error::CryptoError;
use super::key::PrivateKey;
use super::public::PublicKey;
use super::{SignRequest, SignatureAlgorithm};

/// Verifies `signature` over `message` with the public key of `cert`, for `algorithm`.
/// ECDSA accepts both IEEE P1363 `R||S` and DER, whichever of the two ECDSA algorithms is
/// named. The certificate's validity and type are **not** checked.
///
/// # Errors
/// [`CryptoError::Credential`] if the certificate's key is unsupported,
/// [`CryptoError::AlgorithmMismatch`], or the opaque [`CryptoError::InvalidSignature`].
pub fn verify_with_certificate(
    cert: &Certificate,
    algorithm: SignatureAlgorithm,
    message: &[u8],
    signature: &[u8],
) -> Result<(), CryptoError> {
    cert.public_key()?.verify(algorithm, message, signature)
}

/// Verifies with a bare public key (see [`PublicKey::verify`]).
///
/// # Errors
/// As [`PublicKey::verify`].
pub fn verify(
    key: &PublicKey,
    algorithm: SignatureAlgorithm,
    message: &[u8],
    signature: &[u8],
) -> Result<(), CryptoError> {
    key.verify(algorithm, message, signature)
}

/// Signs a request with a bare key, with no role or certificate check (CSR self-signature,
/// tests).
///
/// # Errors
/// [`CryptoError::AlgorithmMismatch`] or [`CryptoError::Signing`].
pub fn sign(
    key: &PrivateKey,
    request: &SignRequest,
    rng: &mut impl CryptoRng,
) -> Result<Vec<u8>, CryptoError> {
    super::signer::sign_with(key, request, rng)
}
