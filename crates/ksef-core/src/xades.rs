//! XAdES-BES signatures over `AuthTokenRequest` (KSeF `POST /auth/xades-signature`).
//!
//! Spec: `shared/ksef/DIGEST.md` §5.1 (challenge) and §5.2 (document, XAdES rules and
//! the official client's exact signature shape), `spec/auth/podpis-xades.md`;
//! XML-DSig 1.1 (<https://www.w3.org/TR/xmldsig-core1/>), Exclusive XML
//! Canonicalization 1.0 (<https://www.w3.org/TR/xml-exc-c14n/>), RFC 6931 (the
//! `xmldsig-more` algorithm URIs), RFC 4050 §3.3 (raw `R || S` ECDSA values) and
//! ETSI XAdES 1.3.2 (<https://www.w3.org/TR/XAdES/>, `QualifyingProperties`).
//!
//! What is produced (the shape of the official C# client, `SignatureService.cs`):
//! an enveloped `ds:Signature Id="Signature"` appended to the root, a Reference
//! `URI=""` (enveloped-signature + exc-c14n, SHA-256), a Reference `#SignedProperties`
//! (`Type="http://uri.etsi.org/01903#SignedProperties"`, exc-c14n, SHA-256),
//! `xades:QualifyingProperties Target="#Signature"` with `SigningTime`,
//! `SigningCertificate/Cert` (SHA-256 of the certificate DER and `IssuerSerial` with the
//! RFC 4514 issuer and the decimal serial) and `KeyInfo/X509Data`.
//!
//! Signing is two-step so a browser can sign with a non-extractable WebCrypto key:
//! [`prepare`] builds the document and returns a [`Prepared`] whose
//! [`Prepared::sign_request`] holds the exact exc-C14N bytes of `ds:SignedInfo`;
//! [`Prepared::finish`] assembles the final XML from the signature. [`sign_with`] does
//! both with a signing closure, [`sign`] with an [`AuthSigningKey`](crate::crypto::AuthSigningKey). Every digest is taken over bytes produced by
//! `bergshamra-c14n` from the parsed document, the same bytes a verifier computes.
//!
//! [`verify`] checks a signed `AuthTokenRequest` the way KSeF does (codes 9101–9105)
//! and says exactly what is wrong in an [`XadesError`].
//!
//! ```no_run
//! use ksef_core::crypto::SignatureAlgorithm;
//! use ksef_core::xades::{self, AuthTokenRequest, ContextIdentifier, SubjectIdentifierType};
//! # fn webcrypto_sign(_: &[u8]) -> Vec<u8> { unimplemented!() }
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let cert_der = std::fs::read("cert.der")?;
//! let request = AuthTokenRequest::new(
//!     "20250604-CR-461EA5B000-537A6BA15D-D7",
//!     ContextIdentifier::Nip("5265877635".into()),
//!     SubjectIdentifierType::CertificateSubject,
//! )?;
//! let signing_time = time::OffsetDateTime::now_utc() - time::Duration::minutes(1);
//! let prepared = xades::prepare(
//!     &request,
//!     &cert_der,
//!     signing_time,
//!     SignatureAlgorithm::EcdsaP256Sha256P1363,
//! )?;
//! let to_sign = prepared.sign_request(); // the canonical SignedInfo bytes, not a digest
//! let signature = webcrypto_sign(&to_sign.message); // ECDSA P-256 / SHA-256, raw R || S
//! let signed_xml = prepared.finish(&signature)?;
//! let verified = xades::verify(&signed_xml)?;
//! assert_eq!(verified.request, request);
//! # Ok(())
//! # }
//! ```

mod cert;
mod request;
mod sign;
mod verify;
mod xml;

pub use request::{
    AllowedIps, AuthTokenRequest, AuthTokenVersion, ContextIdentifier, RequestError,
    SubjectIdentifierType,
};
pub use sign::{Prepared, prepare, sign, sign_with};
pub use verify::{MAX_DOCUMENT_SIZE, ReferenceTarget, Verified, verify};

/// URIs of the algorithms, transforms and namespaces used in XAdES signatures.
pub mod uri {
    /// XML-DSig namespace (`ds:`).
    pub const DSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
    /// XAdES 1.3.2 namespace (`xades:`).
    pub const XADES_NS: &str = "http://uri.etsi.org/01903/v1.3.2#";
    /// XAdES 1.4.1 namespace (unsigned/validation data; never signed properties).
    pub const XADES141_NS: &str = "http://uri.etsi.org/01903/v1.4.1#";
    /// The `Type` of a Reference to `xades:SignedProperties`.
    pub const SIGNED_PROPERTIES_TYPE: &str = "http://uri.etsi.org/01903#SignedProperties";
    /// Exclusive C14N 1.0 without comments.
    pub const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
    /// Exclusive C14N 1.0 with comments.
    pub const EXC_C14N_WITH_COMMENTS: &str = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments";
    /// Canonical XML 1.0 without comments.
    pub const C14N: &str = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";
    /// Canonical XML 1.0 with comments.
    pub const C14N_WITH_COMMENTS: &str =
        "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments";
    /// Canonical XML 1.1 without comments.
    pub const C14N11: &str = "http://www.w3.org/2006/12/xml-c14n11";
    /// Canonical XML 1.1 with comments.
    pub const C14N11_WITH_COMMENTS: &str = "http://www.w3.org/2006/12/xml-c14n11#WithComments";
    /// The enveloped-signature transform.
    pub const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
    /// The XPath 1.0 transform (only `not(ancestor-or-self::ds:Signature)` is supported).
    pub const XPATH: &str = "http://www.w3.org/TR/1999/REC-xpath-19991116";
    /// SHA-256 digest.
    pub const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";
    /// SHA-384 digest.
    pub const SHA384: &str = "http://www.w3.org/2001/04/xmldsig-more#sha384";
    /// SHA-512 digest.
    pub const SHA512: &str = "http://www.w3.org/2001/04/xmlenc#sha512";
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    pub const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    pub const RSA_SHA384: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384";
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    pub const RSA_SHA512: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512";
    /// RSASSA-PSS with SHA-256 and MGF1-SHA-256 (salt length 32).
    pub const RSA_PSS_SHA256: &str = "http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1";
    /// RSASSA-PSS with SHA-384 and MGF1-SHA-384 (salt length 48).
    pub const RSA_PSS_SHA384: &str = "http://www.w3.org/2007/05/xmldsig-more#sha384-rsa-MGF1";
    /// RSASSA-PSS with SHA-512 and MGF1-SHA-512 (salt length 64).
    pub const RSA_PSS_SHA512: &str = "http://www.w3.org/2007/05/xmldsig-more#sha512-rsa-MGF1";
    /// ECDSA with SHA-256 (`SignatureValue` is raw `R || S`).
    pub const ECDSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256";
    /// ECDSA with SHA-384.
    pub const ECDSA_SHA384: &str = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384";
    /// ECDSA with SHA-512.
    pub const ECDSA_SHA512: &str = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512";
}

/// Why a document could not be signed or why a signature was rejected.
///
/// Each variant names one problem, so the message answers "why was my login
/// rejected". The comment on a variant gives the KSeF error code it corresponds to
/// where there is one (DIGEST §19: 9101 invalid document, 9102 no signature, 9103 too
/// many signatures, 9105 invalid signature, 21115 invalid certificate).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum XadesError {
    /// The `AuthTokenRequest` fields are invalid (KSeF 21401 / 21111 / 21117).
    #[error(transparent)]
    Request(#[from] RequestError),
    /// The document is larger than [`MAX_DOCUMENT_SIZE`].
    #[error("document is {size} bytes, more than the {max}-byte limit")]
    TooLarge {
        /// Size of the input.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// The bytes are not UTF-8 (KSeF 21217).
    #[error("document is not valid UTF-8 at byte {0}")]
    Encoding(usize),
    /// The document is not well-formed XML, or declares a DTD (KSeF 9101).
    #[error("document is not well-formed XML: {0}")]
    Malformed(String),
    /// The root element is not `AuthTokenRequest` in a KSeF auth namespace (KSeF 9101).
    #[error(
        "root element is {0}, expected AuthTokenRequest in http://ksef.mf.gov.pl/auth/token/2.0 or 2.1"
    )]
    NotAuthTokenRequest(String),
    /// The document carries no `ds:Signature` (KSeF 9102).
    #[error("document has no ds:Signature")]
    NoSignature,
    /// The document carries more than one `ds:Signature` (KSeF 9103).
    #[error("document has {0} ds:Signature elements, exactly one is allowed")]
    TooManySignatures(usize),
    /// The signature is not enveloped (a child of the `AuthTokenRequest` root).
    #[error("ds:Signature must be a child of the AuthTokenRequest root (enveloped signature)")]
    NotEnveloped,
    /// A required element is missing from the signature.
    #[error("missing element {0}")]
    MissingElement(&'static str),
    /// An element of the signature has the wrong structure.
    #[error("invalid {element}: {reason}")]
    InvalidElement {
        /// The element, e.g. `ds:Reference`.
        element: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// `ds:CanonicalizationMethod` (of `SignedInfo`) names an unsupported algorithm.
    #[error("unsupported canonicalization method {0}")]
    UnsupportedCanonicalization(String),
    /// `ds:SignatureMethod` names an unsupported algorithm.
    #[error("unsupported signature method {0}")]
    UnsupportedSignatureMethod(String),
    /// A `ds:DigestMethod` names an unsupported algorithm.
    #[error("unsupported digest method {0}")]
    UnsupportedDigestMethod(String),
    /// A `ds:Transform` names an unsupported algorithm or is used in an unsupported order.
    #[error("unsupported transform {0}")]
    UnsupportedTransform(String),
    /// A Reference URI points outside the document (detached signatures are rejected).
    #[error(
        "unsupported reference URI {0:?}: only \"\" and same-document \"#id\" references are allowed"
    )]
    UnsupportedReference(String),
    /// A `#id` Reference names no element.
    #[error("reference {0:?} does not resolve to any element")]
    UnresolvedReference(String),
    /// Two elements carry the same `Id` (a signature-wrapping attempt or a broken document).
    #[error("id {0:?} is used by more than one element")]
    DuplicateId(String),
    /// No Reference covers the `AuthTokenRequest` document itself.
    #[error(
        "no ds:Reference covers the document (expected URI=\"\" with the enveloped-signature transform)"
    )]
    DocumentNotSigned,
    /// The signature has no `xades:SignedProperties` (it is plain XML-DSig, not XAdES).
    #[error(
        "missing xades:SignedProperties (XAdES-BES requires QualifyingProperties/SignedProperties)"
    )]
    MissingSignedProperties,
    /// `xades:SignedProperties` exists but no Reference in `SignedInfo` covers it.
    #[error("xades:SignedProperties is not referenced from ds:SignedInfo")]
    SignedPropertiesNotReferenced,
    /// `xades:QualifyingProperties/@Target` does not point at the signature.
    #[error("xades:QualifyingProperties Target is {found:?}, expected {expected:?}")]
    QualifyingPropertiesTarget {
        /// `#` + the `Id` of `ds:Signature`.
        expected: String,
        /// The Target found.
        found: String,
    },
    /// The digest of a referenced part does not match its `ds:DigestValue` (KSeF 9105).
    #[error("digest of {0} does not match its ds:DigestValue (the signed content was changed)")]
    DigestMismatch(ReferenceTarget),
    /// `ds:KeyInfo/ds:X509Data/ds:X509Certificate` is missing.
    #[error("missing signing certificate in ds:KeyInfo/ds:X509Data/ds:X509Certificate")]
    MissingCertificate,
    /// A certificate could not be decoded, or is unusable (KSeF 21115).
    #[error("invalid certificate: {0}")]
    Certificate(String),
    /// `xades:SigningCertificate` is missing.
    #[error(
        "missing xades:SigningCertificate or xades:SigningCertificateV2 in SignedSignatureProperties"
    )]
    MissingSigningCertificate,
    /// The `CertDigest` does not match any embedded certificate.
    #[error("xades:CertDigest does not match the certificate in ds:KeyInfo")]
    CertDigestMismatch,
    /// `IssuerSerial/X509SerialNumber` does not match the certificate's serial.
    #[error(
        "xades:IssuerSerial serial number {found} does not match the certificate serial {expected}"
    )]
    SerialNumberMismatch {
        /// Serial of the certificate, decimal.
        expected: String,
        /// Serial in the signature.
        found: String,
    },
    /// `IssuerSerial/X509IssuerName` does not name the certificate's issuer.
    #[error(
        "xades:IssuerSerial issuer {found:?} does not match the certificate issuer {expected:?}"
    )]
    IssuerNameMismatch {
        /// Issuer of the certificate (RFC 4514).
        expected: String,
        /// Issuer in the signature.
        found: String,
    },
    /// `xades:SigningTime` is not an `xsd:dateTime`.
    #[error("invalid xades:SigningTime {0:?}")]
    InvalidSigningTime(String),
    /// The certificate key is of an unsupported type or curve (KSeF: RSA or EC ≥ 256 bits).
    #[error("unsupported key: {0}")]
    UnsupportedKey(String),
    /// The RSA key is shorter than 2048 bits.
    #[error("rsa key has {0} bits, at least 2048 are required")]
    WeakKey(usize),
    /// The signature method does not fit the certificate's key.
    #[error("signature method {method} does not fit a {key} key")]
    KeyAlgorithmMismatch {
        /// The `SignatureMethod` URI.
        method: String,
        /// The key type (`rsa`, `ec p-256`).
        key: &'static str,
    },
    /// The algorithm requested for signing cannot be used for XAdES.
    #[error(
        "algorithm {0:?} cannot be used for xades (use RsaPkcs1v15Sha256, RsaPssSha256 or EcdsaP256Sha256P1363)"
    )]
    UnsupportedAlgorithm(crate::crypto::SignatureAlgorithm),
    /// `ds:SignatureValue` is not Base64 or has the wrong length for the key.
    #[error("malformed signature value: {0}")]
    MalformedSignatureValue(String),
    /// `ds:SignatureValue` does not verify over the canonical `SignedInfo` (KSeF 9105).
    #[error("signature value does not verify over ds:SignedInfo with the certificate key")]
    BadSignature,
    /// Canonicalization failed.
    #[error("canonicalization failed: {0}")]
    Canonicalization(String),
    /// The signing callback failed.
    #[error("signer failed: {0}")]
    Signer(String),
}

impl XadesError {
    /// The KSeF error code `POST /auth/xades-signature` answers for this problem
    /// (DIGEST §19), or `None` for errors that only occur while signing.
    ///
    /// Mapping: unreadable or wrong document 9101, no signature 9102, too many 9103,
    /// any other signature problem 9105, undecodable certificate 21115, not UTF-8
    /// 21217, request fields failing the schema 21401.
    pub fn ksef_code(&self) -> Option<u16> {
        use XadesError as E;
        match self {
            E::Request(_) => Some(21401),
            E::TooLarge { .. } | E::Malformed(_) | E::NotAuthTokenRequest(_) => Some(9101),
            E::Encoding(_) => Some(21217),
            E::NoSignature => Some(9102),
            E::TooManySignatures(_) => Some(9103),
            E::Certificate(_) => Some(21115),
            E::UnsupportedAlgorithm(_) | E::Signer(_) | E::Canonicalization(_) => None,
            _ => Some(9105),
        }
    }
}

/// Result alias for XAdES operations.
pub type Result<T> = std::result::Result<T, XadesError>;
