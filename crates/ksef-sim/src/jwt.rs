//! Bearer JWTs (HS256), as KSeF issues them (DIGEST §5.4–§5.6).
//!
//! Claims: `typ` (`AuthenticationToken` | `ContextToken` | `RefreshToken`), `arn` (the
//! authentication operation's reference number), `cit`/`civ` (context type and value),
//! `sut`/`suv` (subject identifier type and value), `per` (permissions, access tokens
//! only), `iat`, `exp`, `iss`/`aud` = `ksef-api-te`, `jti`. Clients must treat them as
//! opaque; the simulator checks signature, expiry and type.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// Lifetime of an authenticationToken (observed 2700 s).
pub const AUTH_TOKEN_SECS: i64 = 45 * 60;
/// Lifetime of an access token (observed 15 min).
pub const ACCESS_TOKEN_SECS: i64 = 15 * 60;
/// Lifetime of a refresh token (7 days).
pub const REFRESH_TOKEN_SECS: i64 = 7 * 24 * 3600;

/// The kind of a token (`typ` claim).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum TokenType {
    /// Returned by `POST /auth/xades-signature`; only for `GET /auth/{ref}` and redeem.
    AuthenticationToken,
    /// The access token for business endpoints.
    ContextToken,
    /// Only for `POST /auth/token/refresh` (and `DELETE /auth/sessions/current`).
    RefreshToken,
}

/// The claims of a simulator JWT.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Claims {
    /// Token type.
    pub typ: TokenType,
    /// Authentication operation reference number.
    pub arn: String,
    /// Context identifier type (`Nip`, `InternalId`, …).
    pub cit: String,
    /// Context identifier value.
    pub civ: String,
    /// Subject identifier type (`Nip`, `Pesel`, `Fingerprint`).
    pub sut: String,
    /// Subject identifier value.
    pub suv: String,
    /// Permissions (access tokens).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub per: Vec<String>,
    /// Issued at (Unix seconds).
    pub iat: i64,
    /// Expires (Unix seconds).
    pub exp: i64,
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// Unique id.
    pub jti: String,
}

/// Why a token was refused (all become HTTP 401).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JwtError {
    /// Not three Base64url parts of JSON.
    #[error("malformed token")]
    Malformed,
    /// Wrong signature.
    #[error("bad signature")]
    Signature,
    /// Past `exp`.
    #[error("expired")]
    Expired,
    /// Wrong `typ` for this endpoint.
    #[error("wrong token type")]
    WrongType,
}

/// Signs claims.
pub fn sign(secret: &[u8], claims: &Claims) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap_or_default());
    let input = format!("{header}.{payload}");
    let sig = URL_SAFE_NO_PAD.encode(mac(secret, input.as_bytes()));
    format!("{input}.{sig}")
}

fn mac(secret: &[u8], data: &[u8]) -> Vec<u8> {
    match <Hmac<Sha256> as KeyInit>::new_from_slice(secret) {
        Ok(mut m) => {
            m.update(data);
            m.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

/// Verifies signature, expiry (against `now_unix`) and type.
pub fn verify(
    secret: &[u8],
    token: &str,
    now_unix: i64,
    allowed: &[TokenType],
) -> Result<Claims, JwtError> {
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwtError::Malformed);
    };
    let sig = URL_SAFE_NO_PAD.decode(s).map_err(|_| JwtError::Malformed)?;
    let Ok(mut m) = <Hmac<Sha256> as KeyInit>::new_from_slice(secret) else {
        return Err(JwtError::Signature);
    };
    m.update(format!("{h}.{p}").as_bytes());
    m.verify_slice(&sig).map_err(|_| JwtError::Signature)?;
    let payload = URL_SAFE_NO_PAD.decode(p).map_err(|_| JwtError::Malformed)?;
    let claims: Claims = serde_json::from_slice(&payload).map_err(|_| JwtError::Malformed)?;
    if now_unix >= claims.exp {
        return Err(JwtError::Expired);
    }
    if !allowed.contains(&claims.typ) {
        return Err(JwtError::WrongType);
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(typ: TokenType) -> Claims {
        Claims {
            typ,
            arn: "x".into(),
            cit: "Nip".into(),
            civ: "5265877635".into(),
            sut: "Nip".into(),
            suv: "5265877635".into(),
            per: vec![],
            iat: 100,
            exp: 200,
            iss: "ksef-api-te".into(),
            aud: "ksef-api-te".into(),
            jti: "j".into(),
        }
    }

    #[test]
    fn round_trip_and_refusals() {
        let t = sign(b"secret", &claims(TokenType::ContextToken));
        assert!(verify(b"secret", &t, 150, &[TokenType::ContextToken]).is_ok());
        assert_eq!(
            verify(b"other", &t, 150, &[TokenType::ContextToken]),
            Err(JwtError::Signature)
        );
        assert_eq!(
            verify(b"secret", &t, 200, &[TokenType::ContextToken]),
            Err(JwtError::Expired)
        );
        assert_eq!(
            verify(b"secret", &t, 150, &[TokenType::RefreshToken]),
            Err(JwtError::WrongType)
        );
        let mut bad = t.clone();
        bad.push('x');
        assert!(verify(b"secret", &bad, 150, &[TokenType::ContextToken]).is_err());
    }
}
