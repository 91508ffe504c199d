//! Verification of a signed `AuthTokenRequest` (DIGEST §5.2 rules, KSeF codes
//! 9101–9105; XML-DSig 1.1 §3.2 core validation; XAdES 1.3.2 §7.2.2
//! `SigningCertificate`).
//!
//! Order of the checks, so that the first error names the real problem: input
//! limits and well-formedness; root and exactly one enveloped `ds:Signature`;
//! structure and supported algorithms and transforms (every unsupported URI is
//! reported); reference targets (the document and `xades:SignedProperties` must
//! both be referenced); the certificate and its key; the `SignatureValue` over the
//! canonical `SignedInfo`; each Reference digest; the `SigningCertificate` binding
//! (CertDigest, IssuerSerial); and finally the request fields.

use super::cert::{CertInfo, Hash, SigMethod, dn_matches, normalize_decimal};
use super::request::{
    AllowedIps, AuthTokenRequest, AuthTokenVersion, ContextIdentifier, RequestError,
};
use super::xml::{self, attr_of, child, children, elements, is, name_of, text_of};
use super::{Result, XadesError, uri};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bergshamra_c14n::C14nMode;
use bergshamra_xml::NodeSet;
use std::collections::HashMap;
use uppsala::{Document, NodeId};

/// The largest document [`verify`] accepts (1 MiB; a signed request is about 4 KiB).
pub const MAX_DOCUMENT_SIZE: usize = 1 << 20;
const MAX_REFERENCES: usize = 16;
const MAX_TRANSFORMS: usize = 8;
const MAX_CERTIFICATES: usize = 16;
const EXC_C14N_NS: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";

/// What a `ds:Reference` points at.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReferenceTarget {
    /// The `AuthTokenRequest` document (`URI=""`).
    Document,
    /// `xades:SignedProperties`.
    SignedProperties,
    /// Another element of the document, by its `URI` (e.g. `ds:KeyInfo`).
    Other(String),
}

impl std::fmt::Display for ReferenceTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReferenceTarget::Document => f.write_str("the document (reference URI=\"\")"),
            ReferenceTarget::SignedProperties => f.write_str("xades:SignedProperties"),
            ReferenceTarget::Other(u) => write!(f, "reference {u:?}"),
        }
    }
}

/// A valid signed `AuthTokenRequest`: what the KSeF simulator needs to authenticate.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Verified {
    /// The signed request fields (challenge, context, subject identifier type, IPs).
    pub request: AuthTokenRequest,
    /// The signing certificate, DER exactly as embedded (its
    /// [`fingerprint_sha256`](crate::crypto::Certificate::fingerprint_sha256) is the
    /// `certificateFingerprint`, its
    /// [`subject_identifiers`](crate::crypto::Certificate::subject_identifiers) the
    /// `certificateSubject`).
    pub certificate: crate::crypto::Certificate,
    /// `xades:SigningTime`, if present.
    pub signing_time: Option<time::OffsetDateTime>,
    /// The `ds:SignatureMethod` URI.
    pub signature_method: String,
}

/// One parsed `ds:Reference`, resolved and with its transforms checked.
struct Reference {
    target: ReferenceTarget,
    node: Option<NodeId>,
    enveloped: bool,
    c14n: Option<(C14nMode, Vec<String>)>,
    hash: Hash,
    digest: Vec<u8>,
}

/// Verifies a signed `AuthTokenRequest` and returns its fields and certificate.
///
/// Never panics; input over [`MAX_DOCUMENT_SIZE`], DTDs and deep nesting are
/// refused. The certificate chain and validity period are not checked here (KSeF
/// TEST accepts self-signed certificates; the caller decides on trust and time).
pub fn verify(xml_bytes: &[u8]) -> Result<Verified> {
    if xml_bytes.len() > MAX_DOCUMENT_SIZE {
        return Err(XadesError::TooLarge {
            size: xml_bytes.len(),
            max: MAX_DOCUMENT_SIZE,
        });
    }
    let bytes = xml_bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(xml_bytes);
    let bom = xml_bytes.len() - bytes.len();
    let text =
        std::str::from_utf8(bytes).map_err(|e| XadesError::Encoding(bom + e.valid_up_to()))?;
    let doc = xml::parse(text)?;
    let root = doc
        .document_element()
        .ok_or_else(|| XadesError::Malformed("no root element".into()))?;
    let version = doc
        .element(root)
        .filter(|e| e.name.local_name == "AuthTokenRequest")
        .and_then(|e| e.name.namespace_uri.as_deref())
        .and_then(AuthTokenVersion::from_namespace)
        .ok_or_else(|| XadesError::NotAuthTokenRequest(name_of(&doc, root)))?;

    // Exactly one signature, enveloped.
    let all = xml::all_elements(&doc);
    let sigs: Vec<NodeId> = all
        .iter()
        .copied()
        .filter(|&n| is(&doc, n, uri::DSIG_NS, "Signature"))
        .collect();
    let sig = match sigs.as_slice() {
        [] => return Err(XadesError::NoSignature),
        [one] => *one,
        many => return Err(XadesError::TooManySignatures(many.len())),
    };
    if doc.parent(sig) != Some(root) {
        return Err(XadesError::NotEnveloped);
    }
    let ids = id_map(&doc, &all)?;

    // Structure of ds:Signature.
    let sig_children = elements(&doc, sig);
    let signed_info = sig_children
        .first()
        .copied()
        .filter(|&n| is(&doc, n, uri::DSIG_NS, "SignedInfo"))
        .ok_or(XadesError::MissingElement("ds:SignedInfo"))?;
    let signature_value = child(&doc, sig, uri::DSIG_NS, "SignatureValue")
        .ok_or(XadesError::MissingElement("ds:SignatureValue"))?;
    let c14n_el = child(&doc, signed_info, uri::DSIG_NS, "CanonicalizationMethod")
        .ok_or(XadesError::MissingElement("ds:CanonicalizationMethod"))?;
    let c14n_uri = algorithm(&doc, c14n_el, "ds:CanonicalizationMethod")?;
    let si_mode = C14nMode::from_uri(c14n_uri)
        .ok_or_else(|| XadesError::UnsupportedCanonicalization(c14n_uri.to_owned()))?;
    let si_prefixes = inclusive_prefixes(&doc, c14n_el);
    let method_el = child(&doc, signed_info, uri::DSIG_NS, "SignatureMethod")
        .ok_or(XadesError::MissingElement("ds:SignatureMethod"))?;
    let method_uri = algorithm(&doc, method_el, "ds:SignatureMethod")?;
    let method = SigMethod::from_uri(method_uri)
        .ok_or_else(|| XadesError::UnsupportedSignatureMethod(method_uri.to_owned()))?;

    // xades:SignedProperties inside this signature's ds:Object.
    let (props, signed_sig_props) = signed_properties(&doc, sig)?;

    // References: resolve and check transforms before any digest is computed.
    let ref_els = children(&doc, signed_info, uri::DSIG_NS, "Reference");
    if ref_els.is_empty() {
        return Err(XadesError::MissingElement("ds:Reference"));
    }
    if ref_els.len() > MAX_REFERENCES {
        return Err(invalid(
            "ds:SignedInfo",
            format!("{} references, at most {MAX_REFERENCES}", ref_els.len()),
        ));
    }
    let refs = ref_els
        .iter()
        .map(|&r| reference(&doc, r, root, props, &ids))
        .collect::<Result<Vec<_>>>()?;
    if !refs.iter().any(|r| r.target == ReferenceTarget::Document) {
        return Err(XadesError::DocumentNotSigned);
    }
    if !refs
        .iter()
        .any(|r| r.target == ReferenceTarget::SignedProperties)
    {
        return Err(XadesError::SignedPropertiesNotReferenced);
    }

    // Certificates in ds:KeyInfo and the signing certificate entries.
    let key_certs = key_info_certificates(&doc, sig)?;
    let cert_refs = signing_certificates(&doc, signed_sig_props)?;
    let signer = choose_signer(&key_certs, &cert_refs);
    let cert = CertInfo::from_der(&key_certs[signer])?;
    cert.check_method(method, method_uri)?;

    // SignatureValue over the canonical SignedInfo.
    let sig_bytes = b64(&text_of(&doc, signature_value))
        .map_err(|e| XadesError::MalformedSignatureValue(format!("not base64: {e}")))?;
    let si_set = xml::subtree(&doc, signed_info, si_mode);
    let si_bytes = xml::c14n(&doc, si_mode, Some(&si_set), &si_prefixes)?;
    cert.key.verify(method, method_uri, &si_bytes, &sig_bytes)?;

    // Reference digests.
    for r in &refs {
        let data = reference_octets(&doc, r, sig)?;
        if r.hash.digest(&data) != r.digest {
            return Err(XadesError::DigestMismatch(r.target.clone()));
        }
    }

    // The SigningCertificate binding.
    check_binding(&cert, &cert_refs)?;
    let signing_time = child(&doc, signed_sig_props, uri::XADES_NS, "SigningTime")
        .map(|t| parse_time(text_of(&doc, t).trim()))
        .transpose()?;

    let request = parse_request(&doc, root, version, sig)?;
    Ok(Verified {
        request,
        certificate: cert.cert,
        signing_time,
        signature_method: method_uri.to_owned(),
    })
}

fn invalid(element: &'static str, reason: impl Into<String>) -> XadesError {
    XadesError::InvalidElement {
        element,
        reason: reason.into(),
    }
}

/// Base64 with any XML whitespace removed (XML-DSig `base64Binary` content).
fn b64(s: &str) -> std::result::Result<Vec<u8>, base64::DecodeError> {
    let clean: String = s.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    STANDARD.decode(clean)
}

/// The `Algorithm` attribute of `el`.
fn algorithm<'d>(doc: &'d Document<'_>, el: NodeId, name: &'static str) -> Result<&'d str> {
    attr_of(doc, el, "Algorithm").ok_or_else(|| invalid(name, "no Algorithm attribute"))
}

/// The `ec:InclusiveNamespaces/@PrefixList` under a c14n method or transform.
fn inclusive_prefixes(doc: &Document<'_>, el: NodeId) -> Vec<String> {
    child(doc, el, EXC_C14N_NS, "InclusiveNamespaces")
        .and_then(|n| attr_of(doc, n, "PrefixList"))
        .map(|l| l.split_whitespace().take(64).map(str::to_owned).collect())
        .unwrap_or_default()
}

/// Maps every `Id`/`ID`/`id` attribute value to its element; a repeated value is an
/// error (it would make a `#id` reference ambiguous).
fn id_map(doc: &Document<'_>, all: &[NodeId]) -> Result<HashMap<String, NodeId>> {
    let mut map = HashMap::new();
    for &n in all {
        for name in ["Id", "ID", "id"] {
            if let Some(v) = attr_of(doc, n, name)
                && map.insert(v.to_owned(), n).is_some()
            {
                return Err(XadesError::DuplicateId(v.to_owned()));
            }
        }
    }
    Ok(map)
}

/// Finds `ds:Object/xades:QualifyingProperties/xades:SignedProperties` in `sig`,
/// checks `Target`, and returns it with its `SignedSignatureProperties`.
fn signed_properties(doc: &Document<'_>, sig: NodeId) -> Result<(NodeId, NodeId)> {
    let qps: Vec<NodeId> = children(doc, sig, uri::DSIG_NS, "Object")
        .into_iter()
        .flat_map(|o| children(doc, o, uri::XADES_NS, "QualifyingProperties"))
        .collect();
    let qp = match qps.as_slice() {
        [] => return Err(XadesError::MissingSignedProperties),
        [one] => *one,
        _ => {
            return Err(invalid(
                "xades:QualifyingProperties",
                "more than one in the signature",
            ));
        }
    };
    let expected = format!("#{}", attr_of(doc, sig, "Id").unwrap_or_default());
    let found = attr_of(doc, qp, "Target").unwrap_or_default();
    if found != expected {
        return Err(XadesError::QualifyingPropertiesTarget {
            expected,
            found: found.to_owned(),
        });
    }
    let props = child(doc, qp, uri::XADES_NS, "SignedProperties")
        .ok_or(XadesError::MissingSignedProperties)?;
    let ssp = child(doc, props, uri::XADES_NS, "SignedSignatureProperties").ok_or(
        XadesError::MissingElement("xades:SignedSignatureProperties"),
    )?;
    Ok((props, ssp))
}

/// Parses one `ds:Reference`: URI, transforms, digest method and value.
fn reference(
    doc: &Document<'_>,
    r: NodeId,
    root: NodeId,
    props: NodeId,
    ids: &HashMap<String, NodeId>,
) -> Result<Reference> {
    let uri = attr_of(doc, r, "URI")
        .ok_or_else(|| XadesError::UnsupportedReference("(no URI attribute)".into()))?
        .to_owned();
    let (target, node) = if uri.is_empty() {
        (ReferenceTarget::Document, None)
    } else if let Some(id) = uri
        .strip_prefix('#')
        .filter(|i| !i.is_empty() && !i.starts_with("xpointer("))
    {
        let n = *ids
            .get(id)
            .ok_or_else(|| XadesError::UnresolvedReference(uri.clone()))?;
        let t = if n == props {
            ReferenceTarget::SignedProperties
        } else if n == root {
            ReferenceTarget::Document
        } else {
            ReferenceTarget::Other(uri.clone())
        };
        (t, Some(n))
    } else {
        return Err(XadesError::UnsupportedReference(uri));
    };

    let mut enveloped = false;
    let mut c14n = None;
    if let Some(ts) = child(doc, r, uri::DSIG_NS, "Transforms") {
        let list = children(doc, ts, uri::DSIG_NS, "Transform");
        if list.len() > MAX_TRANSFORMS {
            return Err(invalid(
                "ds:Transforms",
                format!("{} transforms, at most {MAX_TRANSFORMS}", list.len()),
            ));
        }
        for t in list {
            let alg = algorithm(doc, t, "ds:Transform")?;
            if c14n.is_some() {
                return Err(XadesError::UnsupportedTransform(format!(
                    "{alg} after a canonicalization transform"
                )));
            }
            match alg {
                uri::ENVELOPED => enveloped = true,
                uri::XPATH if is_not_signature_xpath(doc, t) => enveloped = true,
                _ => match C14nMode::from_uri(alg) {
                    Some(mode) => c14n = Some((mode, inclusive_prefixes(doc, t))),
                    None => {
                        let what = if alg == uri::XPATH {
                            format!("{alg} (only not(ancestor-or-self::ds:Signature) is supported)")
                        } else {
                            alg.to_owned()
                        };
                        return Err(XadesError::UnsupportedTransform(what));
                    }
                },
            }
        }
    }
    // Only the enveloped transform removes anything: a document reference that keeps
    // the signature cannot verify, so it is checked as such (it will fail the digest).
    let dm = child(doc, r, uri::DSIG_NS, "DigestMethod")
        .ok_or(XadesError::MissingElement("ds:DigestMethod"))?;
    let dm_uri = algorithm(doc, dm, "ds:DigestMethod")?;
    let hash = Hash::from_uri(dm_uri)
        .ok_or_else(|| XadesError::UnsupportedDigestMethod(dm_uri.to_owned()))?;
    let dv = child(doc, r, uri::DSIG_NS, "DigestValue")
        .ok_or(XadesError::MissingElement("ds:DigestValue"))?;
    let digest = b64(&text_of(doc, dv))
        .map_err(|e| invalid("ds:DigestValue", format!("not base64: {e}")))?;
    Ok(Reference {
        target,
        node,
        enveloped,
        c14n,
        hash,
        digest,
    })
}

/// Whether an XPath transform is exactly `not(ancestor-or-self::ds:Signature)` with
/// `ds` bound to the XML-DSig namespace (the form KSeF lists).
fn is_not_signature_xpath(doc: &Document<'_>, t: NodeId) -> bool {
    let Some(x) = child(doc, t, uri::DSIG_NS, "XPath") else {
        return false;
    };
    let expr: String = text_of(doc, x).split_whitespace().collect();
    if expr != "not(ancestor-or-self::ds:Signature)" {
        return false;
    }
    let mut cur = Some(x);
    while let Some(n) = cur {
        if let Some(e) = doc.element(n)
            && let Some((_, ns)) = e.namespace_declarations.iter().find(|(p, _)| p == "ds")
        {
            return ns == uri::DSIG_NS;
        }
        cur = doc.parent(n);
    }
    false
}

/// The octets a reference digests: its node set after the transforms, serialized
/// by the final canonicalization (Canonical XML 1.0 when none is given).
fn reference_octets(doc: &Document<'_>, r: &Reference, sig: NodeId) -> Result<Vec<u8>> {
    let (mode, prefixes) = r.c14n.clone().unwrap_or((C14nMode::Inclusive, Vec::new()));
    // Same-document references never include comments (XML-DSig §4.4.3.3).
    let mut set = match r.node {
        None => NodeSet::all_without_comments(doc),
        Some(n) => NodeSet::tree_without_comments(n, doc),
    };
    if r.enveloped {
        set = set.subtract(&NodeSet::tree_with_comments(sig, doc));
    }
    xml::c14n(doc, mode, Some(&set), &prefixes)
}

/// Decoded `ds:KeyInfo/ds:X509Data/ds:X509Certificate` values.
fn key_info_certificates(doc: &Document<'_>, sig: NodeId) -> Result<Vec<Vec<u8>>> {
    let ki = child(doc, sig, uri::DSIG_NS, "KeyInfo").ok_or(XadesError::MissingCertificate)?;
    let els: Vec<NodeId> = children(doc, ki, uri::DSIG_NS, "X509Data")
        .into_iter()
        .flat_map(|d| children(doc, d, uri::DSIG_NS, "X509Certificate"))
        .collect();
    if els.is_empty() {
        return Err(XadesError::MissingCertificate);
    }
    if els.len() > MAX_CERTIFICATES {
        return Err(invalid(
            "ds:X509Data",
            format!("{} certificates, at most {MAX_CERTIFICATES}", els.len()),
        ));
    }
    els.iter()
        .map(|&e| {
            b64(&text_of(doc, e)).map_err(|e| {
                XadesError::Certificate(format!("ds:X509Certificate is not base64: {e}"))
            })
        })
        .collect()
}

/// One `xades:Cert` of `SigningCertificate` / `SigningCertificateV2`.
struct CertRef {
    hash_uri: String,
    digest: Vec<u8>,
    issuer_serial: Option<(String, String)>,
}

fn signing_certificates(doc: &Document<'_>, ssp: NodeId) -> Result<Vec<CertRef>> {
    let sc = child(doc, ssp, uri::XADES_NS, "SigningCertificate")
        .or_else(|| child(doc, ssp, uri::XADES_NS, "SigningCertificateV2"))
        .ok_or(XadesError::MissingSigningCertificate)?;
    let certs = children(doc, sc, uri::XADES_NS, "Cert");
    if certs.is_empty() || certs.len() > MAX_CERTIFICATES {
        return Err(invalid(
            "xades:SigningCertificate",
            format!("{} xades:Cert entries", certs.len()),
        ));
    }
    certs
        .into_iter()
        .map(|c| {
            let cd = child(doc, c, uri::XADES_NS, "CertDigest")
                .ok_or(XadesError::MissingElement("xades:CertDigest"))?;
            let dm = child(doc, cd, uri::DSIG_NS, "DigestMethod").ok_or(
                XadesError::MissingElement("xades:CertDigest/ds:DigestMethod"),
            )?;
            let hash_uri = algorithm(doc, dm, "ds:DigestMethod")?.to_owned();
            let dv = child(doc, cd, uri::DSIG_NS, "DigestValue").ok_or(
                XadesError::MissingElement("xades:CertDigest/ds:DigestValue"),
            )?;
            let digest = b64(&text_of(doc, dv))
                .map_err(|e| invalid("xades:CertDigest", format!("not base64: {e}")))?;
            let issuer_serial = match child(doc, c, uri::XADES_NS, "IssuerSerial") {
                Some(is) => {
                    let name = child(doc, is, uri::DSIG_NS, "X509IssuerName").ok_or(
                        XadesError::MissingElement("xades:IssuerSerial/ds:X509IssuerName"),
                    )?;
                    let serial = child(doc, is, uri::DSIG_NS, "X509SerialNumber").ok_or(
                        XadesError::MissingElement("xades:IssuerSerial/ds:X509SerialNumber"),
                    )?;
                    Some((text_of(doc, name), text_of(doc, serial)))
                }
                None => None,
            };
            Ok(CertRef {
                hash_uri,
                digest,
                issuer_serial,
            })
        })
        .collect()
}

/// The index of the signing certificate in `ds:KeyInfo`: the only one, or the first
/// whose digest matches a `xades:Cert`, or else the first.
fn choose_signer(certs: &[Vec<u8>], refs: &[CertRef]) -> usize {
    if certs.len() == 1 {
        return 0;
    }
    certs
        .iter()
        .position(|c| refs.iter().any(|r| cert_digest_matches(c, r)))
        .unwrap_or(0)
}

fn cert_digest_matches(der: &[u8], r: &CertRef) -> bool {
    Hash::from_uri(&r.hash_uri).is_some_and(|h| h.digest(der) == r.digest)
}

/// Checks that a `xades:Cert` names `cert`: digest, then issuer and serial.
fn check_binding(cert: &CertInfo, refs: &[CertRef]) -> Result<()> {
    if let Some(bad) = refs.iter().find(|r| Hash::from_uri(&r.hash_uri).is_none()) {
        return Err(XadesError::UnsupportedDigestMethod(bad.hash_uri.clone()));
    }
    let r = refs
        .iter()
        .find(|r| cert_digest_matches(cert.cert.der(), r))
        .ok_or(XadesError::CertDigestMismatch)?;
    if let Some((issuer, serial)) = &r.issuer_serial {
        let expected = cert.cert.serial_decimal();
        if normalize_decimal(serial).as_deref() != Some(expected.as_str()) {
            return Err(XadesError::SerialNumberMismatch {
                expected,
                found: serial.trim().to_owned(),
            });
        }
        if !dn_matches(cert.cert.x509().tbs_certificate().issuer(), issuer) {
            return Err(XadesError::IssuerNameMismatch {
                expected: cert.cert.issuer(),
                found: issuer.trim().to_owned(),
            });
        }
    }
    Ok(())
}

/// Parses an `xsd:dateTime` (a missing time zone is taken as UTC).
fn parse_time(s: &str) -> Result<time::OffsetDateTime> {
    use time::format_description::well_known::Rfc3339;
    time::OffsetDateTime::parse(s, &Rfc3339)
        .or_else(|_| time::OffsetDateTime::parse(&format!("{s}Z"), &Rfc3339))
        .map_err(|_| XadesError::InvalidSigningTime(s.to_owned()))
}

/// Reads the request fields, in schema order, from the root's children.
fn parse_request(
    doc: &Document<'_>,
    root: NodeId,
    version: AuthTokenVersion,
    sig: NodeId,
) -> Result<AuthTokenRequest> {
    let ns = version.namespace();
    let kids: Vec<NodeId> = elements(doc, root)
        .into_iter()
        .filter(|&n| n != sig)
        .collect();
    let mut it = kids.into_iter();
    let mut expect = |local: &'static str| -> std::result::Result<NodeId, RequestError> {
        match it.next() {
            Some(n) if is(doc, n, ns, local) => Ok(n),
            Some(n) => Err(RequestError::Structure {
                expected: local,
                found: name_of(doc, n),
            }),
            None => Err(RequestError::Structure {
                expected: local,
                found: "end of AuthTokenRequest".into(),
            }),
        }
    };
    let challenge = text_of(doc, expect("Challenge")?);
    let ctx_el = expect("ContextIdentifier")?;
    let subject = text_of(doc, expect("SubjectIdentifierType")?);
    let policy = match expect("AuthorizationPolicy") {
        Ok(p) => Some(p),
        Err(RequestError::Structure { found, .. }) if found.starts_with("end of") => None,
        Err(e) => return Err(e.into()),
    };
    if let Some(extra) = it.next() {
        return Err(RequestError::Structure {
            expected: "ds:Signature or the end of AuthTokenRequest",
            found: name_of(doc, extra),
        }
        .into());
    }

    let ctx = match elements(doc, ctx_el).as_slice() {
        [one] => {
            let local = doc
                .element(*one)
                .filter(|e| e.name.namespace_uri.as_deref() == Some(ns))
                .map(|e| e.name.local_name.to_string())
                .unwrap_or_else(|| name_of(doc, *one));
            ContextIdentifier::parse(&local, &text_of(doc, *one))?
        }
        _ => {
            return Err(RequestError::Structure {
                expected: "one of Nip, InternalId, NipVatUe, PeppolId",
                found: format!(
                    "{} elements in ContextIdentifier",
                    elements(doc, ctx_el).len()
                ),
            }
            .into());
        }
    };
    let mut req = AuthTokenRequest::new(challenge.trim(), ctx, subject.trim().parse()?)?
        .with_version(version);
    if let Some(p) = policy {
        let allowed = child(doc, p, ns, "AllowedIps").ok_or(RequestError::Structure {
            expected: "AllowedIps",
            found: "nothing".into(),
        })?;
        let mut ips = AllowedIps::default();
        for n in elements(doc, allowed) {
            let v = text_of(doc, n).trim().to_owned();
            let list = match doc.element(n).map(|e| e.name.local_name.as_ref()) {
                Some("Ip4Address") => &mut ips.ip4_addresses,
                Some("Ip4Range") => &mut ips.ip4_ranges,
                Some("Ip4Mask") => &mut ips.ip4_masks,
                _ => {
                    return Err(RequestError::Structure {
                        expected: "Ip4Address, Ip4Range or Ip4Mask",
                        found: name_of(doc, n),
                    }
                    .into());
                }
            };
            list.push(v);
        }
        req = req.with_allowed_ips(ips)?;
    }
    Ok(req)
}
