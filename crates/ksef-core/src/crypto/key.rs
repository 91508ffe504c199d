//! Private keys: PKCS#8 (plain or PBES2-encrypted with PBKDF2 or scrypt and AES-CBC),
//! PKCS#1 RSA and SEC1 EC, in PEM or DER, auto-detected.
//!
//! Spec: DIGEST §13 (keys are RSA-2048 or EC P-256; MF-issued keys are EC in encrypted
//! PKCS#8), §5.2 (RSA ≥ 2048). RFC 5208/5958 (PKCS#8), RFC 8018 (PBES2), RFC 7914 (scrypt),
//! RFC 8017 (PKCS#1), RFC 5915 (SEC1).
//!
//! Secrets are zeroized: the decoded DER buffers are `Zeroizing`, and the key types
//! (`rsa::PrivateKey`, `p256::ecdsa::SigningKey`) zeroize on drop. `Debug` prints only the
//! algorithm.

use der::Decode;
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use spki::ObjectIdentifier;
use zeroize::Zeroizing;

use super::cert::{Certificate, KeyAlgorithm, OID_EC, OID_P256, OID_RSA, algorithm_name};
use super::error::CredentialError;
use super::input::{self, Input};
use super::public::{MIN_RSA_BITS, PublicKey, uint_bits};

/// A private key of a supported kind (RSA ≥ 2048 or EC P-256).
#[derive(Clone)]
#[non_exhaustive]
pub enum PrivateKey {
    /// RSA, at least 2048 bits.
    Rsa(Box<rsa::PrivateKey>),
    /// ECDSA on P-256.
    EcP256(p256::ecdsa::SigningKey),
}

impl core::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "PrivateKey({})", self.algorithm())
    }
}

/// The container format a key was found in (reported by `ksef cert inspect`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum KeyFormat {
    /// Unencrypted PKCS#8 `PrivateKeyInfo`.
    Pkcs8,
    /// PBES2-encrypted PKCS#8 `EncryptedPrivateKeyInfo`.
    EncryptedPkcs8,
    /// PKCS#1 `RSAPrivateKey`.
    Pkcs1,
    /// SEC1 `ECPrivateKey`.
    Sec1,
}

enum Structure {
    Pkcs8,
    EncryptedPkcs8,
    Pkcs1,
    Sec1,
}

impl PrivateKey {
    /// Loads a private key from PEM or DER (auto-detected), decrypting it with `password`
    /// if it is encrypted PKCS#8.
    ///
    /// # Errors
    /// Every [`CredentialError`] about files and keys: [`CredentialError::PasswordRequired`],
    /// [`CredentialError::PasswordNotExpected`], [`CredentialError::WrongPassword`],
    /// [`CredentialError::UnsupportedAlgorithm`] (e.g. `RSA-1024`, `EC P-384`, `Ed25519`),
    /// [`CredentialError::Truncated`], [`CredentialError::BadBase64`], …
    pub fn from_pem_or_der(bytes: &[u8], password: Option<&str>) -> Result<Self, CredentialError> {
        Self::load(bytes, password).map(|(k, _)| k)
    }

    /// Like [`PrivateKey::from_pem_or_der`], also telling the container format.
    ///
    /// # Errors
    /// As [`PrivateKey::from_pem_or_der`].
    pub fn load(
        bytes: &[u8],
        password: Option<&str>,
    ) -> Result<(Self, KeyFormat), CredentialError> {
        match input::decode(bytes)? {
            Input::Der(der) => {
                let structure = classify(&der)?;
                decode_structure(structure, &der, password)
            }
            Input::Pem(blocks) => {
                for b in &blocks {
                    let structure = match b.label.as_str() {
                        "PRIVATE KEY" => Structure::Pkcs8,
                        "ENCRYPTED PRIVATE KEY" => Structure::EncryptedPkcs8,
                        "RSA PRIVATE KEY" => Structure::Pkcs1,
                        "EC PRIVATE KEY" => Structure::Sec1,
                        "DSA PRIVATE KEY" => {
                            return Err(CredentialError::UnsupportedAlgorithm {
                                algorithm: "DSA (1.2.840.10040.4.1)".to_owned(),
                            });
                        }
                        "OPENSSH PRIVATE KEY" => {
                            return Err(CredentialError::UnsupportedAlgorithm {
                                algorithm:
                                    "OpenSSH key format (convert with ssh-keygen -p -m PKCS8)"
                                        .to_owned(),
                            });
                        }
                        _ => continue,
                    };
                    input::check_der_envelope(&b.der)?;
                    return decode_structure(structure, &b.der, password);
                }
                Err(CredentialError::WrongPemLabel {
                    expected: "private key",
                    found: input::labels(&blocks),
                })
            }
        }
    }

    /// Generates an EC P-256 key (what KSeF recommends for new certificates, DIGEST §13).
    pub fn generate_p256(rng: &mut impl rand_core::CryptoRng) -> Self {
        use p256::elliptic_curve::Generate;
        Self::EcP256(p256::ecdsa::SigningKey::generate_from_rng(rng))
    }

    /// Generates an RSA key of `bits` (2048 for KSeF; at least [`MIN_RSA_BITS`]).
    ///
    /// # Errors
    /// [`CredentialError::UnsupportedAlgorithm`] below 2048 bits or if generation fails.
    pub fn generate_rsa(
        rng: &mut impl rand_core::CryptoRng,
        bits: usize,
    ) -> Result<Self, CredentialError> {
        let unsupported = || CredentialError::UnsupportedAlgorithm {
            algorithm: format!("RSA-{bits}"),
        };
        if bits < MIN_RSA_BITS {
            return Err(unsupported());
        }
        let k = rsa::PrivateKey::new(rng, bits).map_err(|_| unsupported())?;
        Ok(Self::Rsa(Box::new(k)))
    }

    /// The key's algorithm (and RSA size).
    pub fn algorithm(&self) -> KeyAlgorithm {
        match self {
            Self::Rsa(k) => KeyAlgorithm::Rsa {
                bits: rsa::traits::PublicKeyParts::size(k.as_ref()) * 8,
            },
            Self::EcP256(_) => KeyAlgorithm::EcP256,
        }
    }

    /// The matching public key.
    pub fn public_key(&self) -> PublicKey {
        match self {
            Self::Rsa(k) => PublicKey::Rsa(k.to_public_key()),
            Self::EcP256(k) => PublicKey::EcP256(*k.verifying_key()),
        }
    }

    /// Whether `cert` certifies this key (same public key).
    pub fn matches(&self, cert: &Certificate) -> bool {
        cert.public_key().is_ok_and(|p| p == self.public_key())
    }

    /// Exports the key as unencrypted PKCS#8 DER (for `crypto.subtle.importKey("pkcs8", …)`),
    /// in a buffer that is zeroized on drop.
    ///
    /// # Errors
    /// [`CredentialError::DerParse`] if encoding fails (it does not for valid keys).
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, CredentialError> {
        let doc = match self {
            Self::Rsa(k) => k.to_pkcs8_der(),
            Self::EcP256(k) => k.to_pkcs8_der(),
        }
        .map_err(|e| CredentialError::DerParse {
            what: "PKCS#8 export",
            detail: e.to_string(),
        })?;
        Ok(doc.to_bytes())
    }
}

/// Tells the four DER structures apart by trying each decoder (they are disjoint).
fn classify(der: &[u8]) -> Result<Structure, CredentialError> {
    if pkcs8::PrivateKeyInfoRef::from_der(der).is_ok() {
        return Ok(Structure::Pkcs8);
    }
    match pkcs8::EncryptedPrivateKeyInfoRef::from_der(der) {
        Ok(_) => return Ok(Structure::EncryptedPkcs8),
        // An encryption scheme the parser does not know (e.g. PBES2 with 3DES): still an
        // encrypted PKCS#8, reported as an unsupported scheme by `decrypt_pkcs8`.
        Err(e) if matches!(e.kind(), der::ErrorKind::OidUnknown { .. }) => {
            return Ok(Structure::EncryptedPkcs8);
        }
        Err(_) => {}
    }
    if rsa::pkcs1::RsaPrivateKeyRef::try_from(der).is_ok() {
        return Ok(Structure::Pkcs1);
    }
    if sec1::EcPrivateKey::from_der(der).is_ok() {
        return Ok(Structure::Sec1);
    }
    if x509_cert::Certificate::from_der(der).is_ok() {
        return Err(CredentialError::WrongPemLabel {
            expected: "private key",
            found: "a DER certificate".to_owned(),
        });
    }
    Err(CredentialError::DerParse {
        what: "private key",
        detail: "not PKCS#8, encrypted PKCS#8, PKCS#1 or SEC1".to_owned(),
    })
}

fn decode_structure(
    s: Structure,
    der: &[u8],
    password: Option<&str>,
) -> Result<(PrivateKey, KeyFormat), CredentialError> {
    let encrypted = matches!(s, Structure::EncryptedPkcs8);
    match (encrypted, password) {
        (true, None) => return Err(CredentialError::PasswordRequired),
        (false, Some(_)) => return Err(CredentialError::PasswordNotExpected),
        _ => {}
    }
    match s {
        Structure::Pkcs8 => decode_pkcs8(der).map(|k| (k, KeyFormat::Pkcs8)),
        Structure::EncryptedPkcs8 => {
            let plain = decrypt_pkcs8(der, password.unwrap_or_default())?;
            decode_pkcs8(&plain).map(|k| (k, KeyFormat::EncryptedPkcs8))
        }
        Structure::Pkcs1 => decode_pkcs1(der).map(|k| (k, KeyFormat::Pkcs1)),
        Structure::Sec1 => decode_sec1(der).map(|k| (k, KeyFormat::Sec1)),
    }
}

fn decrypt_pkcs8(der: &[u8], password: &str) -> Result<Zeroizing<Vec<u8>>, CredentialError> {
    let info = pkcs8::EncryptedPrivateKeyInfoRef::from_der(der).map_err(|e| match e.kind() {
        der::ErrorKind::OidUnknown { oid } => CredentialError::UnsupportedEncryption {
            oid: oid.to_string(),
        },
        _ => CredentialError::DerParse {
            what: "encrypted PKCS#8",
            detail: e.to_string(),
        },
    })?;
    if info.encryption_algorithm.pbes2().is_none() {
        return Err(CredentialError::UnsupportedEncryption {
            oid: format!("{} (PBES1)", info.encryption_algorithm.oid()),
        });
    }
    match info.decrypt(password) {
        Ok(doc) => {
            let bytes = doc.to_bytes();
            // A wrong password yields garbage; with 1/256 chance the CBC padding is still
            // valid, so also require a well-formed PrivateKeyInfo.
            if pkcs8::PrivateKeyInfoRef::from_der(&bytes).is_err() {
                return Err(CredentialError::WrongPassword);
            }
            Ok(bytes)
        }
        Err(pkcs8::Error::EncryptedPrivateKey(pkcs8::pkcs5::Error::UnsupportedAlgorithm {
            oid,
        }))
        | Err(pkcs8::Error::EncryptedPrivateKey(
            pkcs8::pkcs5::Error::AlgorithmParametersInvalid { oid },
        )) => Err(CredentialError::UnsupportedEncryption {
            oid: oid.to_string(),
        }),
        Err(pkcs8::Error::EncryptedPrivateKey(pkcs8::pkcs5::Error::NoPbes1CryptSupport)) => {
            Err(CredentialError::UnsupportedEncryption {
                oid: format!("{} (PBES1)", info.encryption_algorithm.oid()),
            })
        }
        Err(_) => Err(CredentialError::WrongPassword),
    }
}

fn der_err(what: &'static str) -> impl Fn(String) -> CredentialError {
    move |detail| CredentialError::DerParse { what, detail }
}

fn decode_pkcs8(der: &[u8]) -> Result<PrivateKey, CredentialError> {
    let info = pkcs8::PrivateKeyInfoRef::from_der(der)
        .map_err(|e| der_err("PKCS#8 private key")(e.to_string()))?;
    let oid = info.algorithm.oid;
    let curve = info
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
    if oid == OID_RSA {
        check_rsa_size(info.private_key.as_bytes())?;
        let k = rsa::PrivateKey::from_pkcs8_der(der)
            .map_err(|e| der_err("PKCS#8 RSA key")(e.to_string()))?;
        return Ok(PrivateKey::Rsa(Box::new(k)));
    }
    if oid == OID_EC && curve == Some(OID_P256) {
        let k = p256::ecdsa::SigningKey::from_pkcs8_der(der)
            .map_err(|e| der_err("PKCS#8 EC key")(e.to_string()))?;
        return Ok(PrivateKey::EcP256(k));
    }
    Err(CredentialError::UnsupportedAlgorithm {
        algorithm: algorithm_name(&oid, curve.as_ref()),
    })
}

fn check_rsa_size(pkcs1_der: &[u8]) -> Result<(), CredentialError> {
    let k = rsa::pkcs1::RsaPrivateKeyRef::try_from(pkcs1_der)
        .map_err(|e| der_err("PKCS#1 RSA key")(e.to_string()))?;
    let bits = uint_bits(k.modulus.as_bytes());
    if bits < MIN_RSA_BITS {
        return Err(CredentialError::UnsupportedAlgorithm {
            algorithm: format!("RSA-{bits} (KSeF requires at least {MIN_RSA_BITS} bits)"),
        });
    }
    Ok(())
}

fn decode_pkcs1(der: &[u8]) -> Result<PrivateKey, CredentialError> {
    check_rsa_size(der)?;
    let k = rsa::PrivateKey::from_pkcs1_der(der)
        .map_err(|e| der_err("PKCS#1 RSA key")(e.to_string()))?;
    Ok(PrivateKey::Rsa(Box::new(k)))
}

fn decode_sec1(der: &[u8]) -> Result<PrivateKey, CredentialError> {
    let k = sec1::EcPrivateKey::from_der(der).map_err(|e| der_err("SEC1 EC key")(e.to_string()))?;
    let curve = k.parameters.and_then(|p| p.named_curve());
    if let Some(c) = curve
        && c != OID_P256
    {
        return Err(CredentialError::UnsupportedAlgorithm {
            algorithm: algorithm_name(&OID_EC, Some(&c)),
        });
    }
    let sk =
        p256::SecretKey::from_sec1_der(der).map_err(|e| der_err("SEC1 EC key")(e.to_string()))?;
    Ok(PrivateKey::EcP256(sk.into()))
}
