//! Distinguished names: RFC 4514 strings (as Python `cryptography` prints them, the form
//! of the KSeF test vectors), attribute lists, and the subject-identifier patterns of
//! DIGEST §5.2 (`(TINPL|NIP).*?(\d{10})`, `(PNOPL|PESEL).*?(\d{11})`, `(VATPL).*?(\d{10})`).

use der::asn1::{Ia5StringRef, PrintableStringRef, TeletexStringRef, Utf8StringRef};
use der::{Encode, Tag, Tagged};
use spki::ObjectIdentifier;

/// One attribute of a distinguished name, in certificate order.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NameAttribute {
    /// Short name (`CN`, `O`, `serialNumber`, `organizationIdentifier`…) or dotted OID.
    pub name: String,
    /// Dotted OID.
    pub oid: String,
    /// The value as text (`None` if it is not a string type).
    pub value: Option<String>,
}

pub(crate) fn attr_string(value: &der::Any) -> Option<String> {
    let s = match value.tag() {
        Tag::Utf8String => Utf8StringRef::try_from(value).ok()?.as_str().to_owned(),
        Tag::PrintableString => PrintableStringRef::try_from(value)
            .ok()?
            .as_str()
            .to_owned(),
        Tag::Ia5String => Ia5StringRef::try_from(value).ok()?.as_str().to_owned(),
        Tag::TeletexString => TeletexStringRef::try_from(value).ok()?.as_str().to_owned(),
        _ => return None,
    };
    Some(s)
}

fn short_name(oid: &ObjectIdentifier) -> String {
    match oid.to_string().as_str() {
        "2.5.4.3" => "CN",
        "2.5.4.4" => "SN",
        "2.5.4.5" => "serialNumber",
        "2.5.4.6" => "C",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "2.5.4.12" => "title",
        "2.5.4.42" => "GN",
        "2.5.4.45" => "x500UniqueIdentifier",
        "2.5.4.97" => "organizationIdentifier",
        "1.2.840.113549.1.9.1" => "emailAddress",
        other => return other.to_owned(),
    }
    .to_owned()
}

/// RFC 4514 keys Python `cryptography` uses; any other type prints as a dotted OID.
fn rfc4514_key(oid: &ObjectIdentifier) -> String {
    match oid.to_string().as_str() {
        "2.5.4.3" => "CN",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "2.5.4.6" => "C",
        "2.5.4.9" => "STREET",
        "0.9.2342.19200300.100.1.25" => "DC",
        "0.9.2342.19200300.100.1.1" => "UID",
        other => return other.to_owned(),
    }
    .to_owned()
}

fn rfc4514_escape(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for c in v.chars() {
        match c {
            '\\' | '"' | '+' | ',' | ';' | '<' | '>' => {
                out.push('\\');
                out.push(c);
            }
            '\0' => out.push_str("\\00"),
            _ => out.push(c),
        }
    }
    if out.starts_with('#') || out.starts_with(' ') {
        out.insert(0, '\\');
    }
    if out.ends_with(' ') {
        out.pop();
        out.push_str("\\ ");
    }
    out
}

pub(crate) fn rfc4514(name: &x509_cert::name::Name) -> String {
    let rdns: Vec<String> = name
        .iter_rdn()
        .map(|rdn| {
            rdn.iter()
                .map(|atv| {
                    let value = match attr_string(&atv.value) {
                        Some(s) => rfc4514_escape(&s),
                        None => format!("#{}", hex::encode(atv.value.to_der().unwrap_or_default())),
                    };
                    format!("{}={value}", rfc4514_key(&atv.oid))
                })
                .collect::<Vec<_>>()
                .join("+")
        })
        .collect();
    rdns.into_iter().rev().collect::<Vec<_>>().join(",")
}

pub(crate) fn name_attributes(name: &x509_cert::name::Name) -> Vec<NameAttribute> {
    name.iter()
        .map(|atv| NameAttribute {
            name: short_name(&atv.oid),
            oid: atv.oid.to_string(),
            value: attr_string(&atv.value),
        })
        .collect()
}

/// `(PREFIX1|PREFIX2).*?(\d{n})`, unanchored, like the C# regexes in DIGEST §5.2.
pub(crate) fn find_id(value: &str, prefixes: &[&str], n: usize) -> Option<String> {
    let start = prefixes
        .iter()
        .filter_map(|p| value.find(p).map(|i| i + p.len()))
        .min()?;
    let bytes = value.as_bytes();
    (start..bytes.len().saturating_sub(n - 1))
        .find(|&i| bytes[i..i + n].iter().all(u8::is_ascii_digit))
        .map(|i| value[i..i + n].to_owned())
}

/// Big-endian unsigned bytes → decimal string.
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifier_regexes() {
        assert_eq!(
            find_id("TINPL-5265877635", &["TINPL", "NIP"], 10).as_deref(),
            Some("5265877635")
        );
        assert_eq!(find_id("NIP: 526-587-7635", &["TINPL", "NIP"], 10), None);
        assert_eq!(
            find_id("PNOPL-90010112345", &["PNOPL", "PESEL"], 11).as_deref(),
            Some("90010112345")
        );
        assert_eq!(
            find_id("VATPL-5265877635", &["VATPL"], 10).as_deref(),
            Some("5265877635")
        );
        assert_eq!(find_id("5265877635", &["VATPL"], 10), None);
    }
}
