//! Two-step XAdES-BES signing of an `AuthTokenRequest` (DIGEST §5.2, the official
//! client's shape; XML-DSig §3.1 core generation).
//!
//! The document is always produced by one serializer ([`Parts::render`]) from
//! structured parts. Digests are computed by parsing what the serializer emitted and
//! canonicalizing it with `bergshamra-c14n`, so the bytes hashed and signed are the
//! bytes a verifier reconstructs from the final document, namespace context included.

use super::cert::{CertInfo, Key, SigMethod, ecdsa_signature};
use super::xml::{self, attr, text};
use super::{AuthTokenRequest, Result, XadesError, uri};
use crate::crypto::{AuthSigningKey, SignRequest, SignatureAlgorithm};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bergshamra_c14n::C14nMode;
use bergshamra_xml::NodeSet;
use rsa::traits::PublicKeyParts;

/// `Id` of `ds:Signature` (as in the official client).
const SIGNATURE_ID: &str = "Signature";
/// `Id` of `xades:SignedProperties` (as in the official client).
const SIGNED_PROPERTIES_ID: &str = "SignedProperties";

/// Everything the serializer needs; digests and the signature are filled in steps.
#[derive(Debug, Clone)]
struct Parts {
    head: String,
    method_uri: &'static str,
    doc_digest: String,
    props_digest: String,
    cert_b64: String,
    cert_digest: String,
    issuer: String,
    serial: String,
    signing_time: String,
}

impl Parts {
    /// Serializes the whole signed document with `signature_value` (Base64) in place.
    fn render(&self, signature_value: &str) -> String {
        let mut o = String::with_capacity(self.head.len() + self.cert_b64.len() + 2800);
        o.push_str(&self.head);
        o.push_str("  <ds:Signature xmlns:ds=\"");
        o.push_str(uri::DSIG_NS);
        o.push_str("\" Id=\"");
        o.push_str(SIGNATURE_ID);
        o.push_str("\"><ds:SignedInfo>");
        alg(&mut o, "CanonicalizationMethod", uri::EXC_C14N);
        alg(&mut o, "SignatureMethod", self.method_uri);
        o.push_str("<ds:Reference URI=\"\"><ds:Transforms>");
        alg(&mut o, "Transform", uri::ENVELOPED);
        alg(&mut o, "Transform", uri::EXC_C14N);
        o.push_str("</ds:Transforms>");
        alg(&mut o, "DigestMethod", uri::SHA256);
        o.push_str("<ds:DigestValue>");
        o.push_str(&self.doc_digest);
        o.push_str("</ds:DigestValue></ds:Reference><ds:Reference Type=\"");
        attr(&mut o, uri::SIGNED_PROPERTIES_TYPE);
        o.push_str("\" URI=\"#");
        o.push_str(SIGNED_PROPERTIES_ID);
        o.push_str("\"><ds:Transforms>");
        alg(&mut o, "Transform", uri::EXC_C14N);
        o.push_str("</ds:Transforms>");
        alg(&mut o, "DigestMethod", uri::SHA256);
        o.push_str("<ds:DigestValue>");
        o.push_str(&self.props_digest);
        o.push_str("</ds:DigestValue></ds:Reference></ds:SignedInfo><ds:SignatureValue>");
        o.push_str(signature_value);
        o.push_str("</ds:SignatureValue><ds:KeyInfo><ds:X509Data><ds:X509Certificate>");
        o.push_str(&self.cert_b64);
        o.push_str("</ds:X509Certificate></ds:X509Data></ds:KeyInfo><ds:Object>");
        o.push_str("<xades:QualifyingProperties xmlns:xades=\"");
        o.push_str(uri::XADES_NS);
        o.push_str("\" Target=\"#");
        o.push_str(SIGNATURE_ID);
        o.push_str("\"><xades:SignedProperties Id=\"");
        o.push_str(SIGNED_PROPERTIES_ID);
        o.push_str("\"><xades:SignedSignatureProperties><xades:SigningTime>");
        o.push_str(&self.signing_time);
        o.push_str("</xades:SigningTime><xades:SigningCertificate><xades:Cert><xades:CertDigest>");
        alg(&mut o, "DigestMethod", uri::SHA256);
        o.push_str("<ds:DigestValue>");
        o.push_str(&self.cert_digest);
        o.push_str("</ds:DigestValue></xades:CertDigest><xades:IssuerSerial><ds:X509IssuerName>");
        text(&mut o, &self.issuer);
        o.push_str("</ds:X509IssuerName><ds:X509SerialNumber>");
        o.push_str(&self.serial);
        o.push_str("</ds:X509SerialNumber></xades:IssuerSerial></xades:Cert>");
        o.push_str("</xades:SigningCertificate></xades:SignedSignatureProperties>");
        o.push_str("</xades:SignedProperties></xades:QualifyingProperties></ds:Object>");
        o.push_str("</ds:Signature>\n</AuthTokenRequest>\n");
        o
    }
}

/// Writes `<ds:{name} Algorithm="{uri}"/>`.
fn alg(o: &mut String, name: &str, algorithm: &str) {
    o.push_str("<ds:");
    o.push_str(name);
    o.push_str(" Algorithm=\"");
    attr(o, algorithm);
    o.push_str("\"/>");
}

/// The signing time as `xsd:dateTime` in UTC with second precision.
fn format_time(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// A document ready to be signed: step 1 of two-step signing.
///
/// Hand [`Prepared::sign_request`] to the signer (for example WebCrypto with a
/// non-extractable key), then call [`Prepared::finish`] with the signature.
#[derive(Debug, Clone)]
pub struct Prepared {
    parts: Parts,
    algorithm: SignatureAlgorithm,
    method: SigMethod,
    signed_info: Vec<u8>,
    key: Key,
}

/// Step 1: builds the signed document for `request` around the certificate
/// `cert_der` (DER), with `signing_time` as `xades:SigningTime` (the official client
/// uses the current UTC time minus one minute), for a signature made with
/// `algorithm`.
///
/// Fails if the certificate cannot be decoded, its key is not RSA ≥ 2048 bits or EC
/// P-256, or `algorithm` does not fit the key or cannot be used for XAdES.
pub fn prepare(
    request: &AuthTokenRequest,
    cert_der: &[u8],
    signing_time: time::OffsetDateTime,
    algorithm: SignatureAlgorithm,
) -> Result<Prepared> {
    let (method, method_uri) = SigMethod::from_algorithm(algorithm)?;
    let cert = CertInfo::from_der(cert_der)?;
    cert.check_method(method, method_uri)?;

    let mut head = String::with_capacity(512);
    request.write_open(&mut head);
    let mut parts = Parts {
        head,
        method_uri,
        doc_digest: String::new(),
        props_digest: String::new(),
        cert_b64: STANDARD.encode(cert.cert.der()),
        cert_digest: STANDARD.encode(super::cert::Hash::Sha256.digest(cert.cert.der())),
        issuer: cert.cert.issuer(),
        serial: cert.cert.serial_decimal(),
        signing_time: format_time(signing_time),
    };

    // Pass 1: the referenced content (neither depends on SignedInfo).
    let draft = parts.render("");
    let (doc_digest, props_digest) = {
        let doc = xml::parse(&draft)?;
        let (sig, _) = locate(&doc)?;
        let props = find_signed_properties(&doc, sig)?;
        let enveloped =
            NodeSet::all_without_comments(&doc).subtract(&NodeSet::tree_with_comments(sig, &doc));
        let d = xml::c14n(&doc, C14nMode::Exclusive, Some(&enveloped), &[])?;
        let p = xml::c14n(
            &doc,
            C14nMode::Exclusive,
            Some(&NodeSet::tree_without_comments(props, &doc)),
            &[],
        )?;
        (sha256_b64(&d), sha256_b64(&p))
    };
    parts.doc_digest = doc_digest;
    parts.props_digest = props_digest;

    // Pass 2: SignedInfo as it stands in the final document.
    let draft = parts.render("");
    let signed_info = {
        let doc = xml::parse(&draft)?;
        let (_, si) = locate(&doc)?;
        xml::c14n(
            &doc,
            C14nMode::Exclusive,
            Some(&NodeSet::tree_without_comments(si, &doc)),
            &[],
        )?
    };
    Ok(Prepared {
        parts,
        algorithm,
        method,
        signed_info,
        key: cert.key,
    })
}

fn sha256_b64(data: &[u8]) -> String {
    STANDARD.encode(super::cert::Hash::Sha256.digest(data))
}

/// Finds our `ds:Signature` (last element child of the root) and its `SignedInfo`.
fn locate(doc: &uppsala::Document<'_>) -> Result<(uppsala::NodeId, uppsala::NodeId)> {
    let root = doc
        .document_element()
        .ok_or(XadesError::MissingElement("AuthTokenRequest"))?;
    let sig = xml::child(doc, root, uri::DSIG_NS, "Signature").ok_or(XadesError::NoSignature)?;
    let si = xml::child(doc, sig, uri::DSIG_NS, "SignedInfo")
        .ok_or(XadesError::MissingElement("ds:SignedInfo"))?;
    Ok((sig, si))
}

fn find_signed_properties(
    doc: &uppsala::Document<'_>,
    sig: uppsala::NodeId,
) -> Result<uppsala::NodeId> {
    doc.descendants(sig)
        .into_iter()
        .find(|&n| xml::is(doc, n, uri::XADES_NS, "SignedProperties"))
        .ok_or(XadesError::MissingSignedProperties)
}

impl Prepared {
    /// What to sign: the exact exclusive-C14N bytes of `ds:SignedInfo` and the
    /// algorithm. The signer hashes the message itself (SHA-256).
    pub fn sign_request(&self) -> SignRequest {
        SignRequest {
            algorithm: self.algorithm,
            message: self.signed_info.clone(),
        }
    }

    /// The canonical `ds:SignedInfo` bytes (the message of [`Prepared::sign_request`]).
    pub fn signed_info(&self) -> &[u8] {
        &self.signed_info
    }

    /// The algorithm the signature must use.
    pub fn algorithm(&self) -> SignatureAlgorithm {
        self.algorithm
    }

    /// Step 2: assembles the signed document (UTF-8 XML) from `signature`.
    ///
    /// RSA signatures must be exactly the modulus length. ECDSA signatures should be
    /// raw `R || S` (64 bytes, what WebCrypto returns); an ASN.1 DER signature is
    /// converted to that form. The signature is checked against the certificate's
    /// key first, so a key that does not belong to the certificate is caught here
    /// instead of as KSeF error 9105.
    pub fn finish(&self, signature: &[u8]) -> Result<Vec<u8>> {
        let value = match &self.key {
            Key::Rsa(k) => {
                if signature.len() != k.size() {
                    return Err(XadesError::MalformedSignatureValue(format!(
                        "{} bytes, an rsa signature with this key has {}",
                        signature.len(),
                        k.size()
                    )));
                }
                signature.to_vec()
            }
            Key::P256(_) => ecdsa_signature(signature)?.to_bytes().to_vec(),
        };
        self.key.verify(
            self.method,
            self.parts.method_uri,
            &self.signed_info,
            &value,
        )?;
        Ok(self.parts.render(&STANDARD.encode(&value)).into_bytes())
    }
}

/// Signs `request` in one call: [`prepare`], then `signer` on the
/// [`SignRequest`], then [`Prepared::finish`].
pub fn sign_with<E: std::fmt::Display>(
    request: &AuthTokenRequest,
    cert_der: &[u8],
    signing_time: time::OffsetDateTime,
    algorithm: SignatureAlgorithm,
    signer: impl FnOnce(&SignRequest) -> std::result::Result<Vec<u8>, E>,
) -> Result<Vec<u8>> {
    let prepared = prepare(request, cert_der, signing_time, algorithm)?;
    let signature =
        signer(&prepared.sign_request()).map_err(|e| XadesError::Signer(e.to_string()))?;
    prepared.finish(&signature)
}

/// Signs `request` in pure Rust with an [`AuthSigningKey`] (its certificate and
/// algorithm: `rsa-sha256` for RSA, `ecdsa-sha256` raw `R || S` for P-256). `rng`
/// gives the RSA blinding; ECDSA is deterministic (RFC 6979).
pub fn sign(
    request: &AuthTokenRequest,
    key: &AuthSigningKey,
    signing_time: time::OffsetDateTime,
    rng: &mut impl rand_core::CryptoRng,
) -> Result<Vec<u8>> {
    let prepared = prepare(
        request,
        key.certificate().der(),
        signing_time,
        key.algorithm(),
    )?;
    let signature = key
        .sign(&prepared.sign_request(), rng)
        .map_err(|e| XadesError::Signer(e.to_string()))?;
    prepared.finish(&signature)
}
