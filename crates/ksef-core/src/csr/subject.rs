//! The enrollment data (`GET /certificates/enrollments/data`, DIGEST §13) as an X.500
//! subject.
//!
//! Attribute order and string types follow the official C# client
//! (CIRFMF/ksef-client-csharp `CryptographyService.CreateSubjectDistinguishedName`): one
//! RDN per attribute, in the order CN, surname, givenName, O, organizationIdentifier, C,
//! serialNumber, uniqueIdentifier; `countryName` and `serialNumber` are PrintableString,
//! all others UTF8String. Empty optional values are left out. `givenName` may be a list
//! (DOCS `certyfikaty-KSeF.md`: "może pojawić się wielokrotnie"): one RDN per name.

use der::asn1::{Any, PrintableStringRef, Utf8StringRef};
use der::oid::ObjectIdentifier;
use der::{Decode, Encode};
use serde::Deserialize;
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};

use super::{CsrError, Result, encoding};

const CN: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");
const SURNAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.4");
const SERIAL_NUMBER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.5");
const COUNTRY: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.6");
const ORGANIZATION: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.10");
const GIVEN_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.42");
const UNIQUE_IDENTIFIER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.45");
const ORGANIZATION_IDENTIFIER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.97");

/// The subject attributes returned by `/certificates/enrollments/data` (camelCase JSON).
/// Unknown fields are refused rather than dropped: the CSR must carry the DN unchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EnrollmentSubject {
    /// `commonName` (2.5.4.3), required.
    pub common_name: String,
    /// `countryName` (2.5.4.6), required, two letters.
    pub country_name: String,
    /// `givenName` (2.5.4.42): one string or a list.
    #[serde(default, rename = "givenName", deserialize_with = "one_or_many")]
    pub given_names: Vec<String>,
    /// `surname` (2.5.4.4).
    #[serde(default)]
    pub surname: Option<String>,
    /// `serialNumber` (2.5.4.5), e.g. `TINPL-…` or `PNOPL-…`.
    #[serde(default)]
    pub serial_number: Option<String>,
    /// `uniqueIdentifier` (2.5.4.45).
    #[serde(default)]
    pub unique_identifier: Option<String>,
    /// `organizationName` (2.5.4.10).
    #[serde(default)]
    pub organization_name: Option<String>,
    /// `organizationIdentifier` (2.5.4.97), e.g. `VATPL-…`.
    #[serde(default)]
    pub organization_identifier: Option<String>,
}

fn one_or_many<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match Option::<OneOrMany>::deserialize(d)? {
        None => Vec::new(),
        Some(OneOrMany::One(s)) => vec![s],
        Some(OneOrMany::Many(v)) => v,
    })
}

#[derive(Clone, Copy)]
enum StringType {
    Utf8,
    Printable,
}

impl EnrollmentSubject {
    /// Parses the JSON body of `/certificates/enrollments/data`.
    pub fn from_json(json: &[u8]) -> Result<Self> {
        serde_json::from_slice(json).map_err(|e| CsrError::InvalidJson(e.to_string()))
    }

    /// The subject name, checked: `commonName` and `countryName` present, `countryName` two
    /// upper-case letters, PrintableString values in the PrintableString alphabet.
    pub fn to_name(&self) -> Result<Name> {
        if self.common_name.is_empty() {
            return Err(CsrError::MissingField("commonName"));
        }
        if self.country_name.is_empty() {
            return Err(CsrError::MissingField("countryName"));
        }
        if !(self.country_name.len() == 2
            && self.country_name.bytes().all(|b| b.is_ascii_uppercase()))
        {
            return Err(CsrError::InvalidField {
                field: "countryName",
                value: self.country_name.clone(),
                reason: "expected an ISO 3166 code of two upper-case letters".into(),
            });
        }
        let mut seq = RdnSequence::default();
        for (field, oid, value, t) in self.ordered() {
            let bad = |reason: String| CsrError::InvalidField {
                field,
                value: value.clone(),
                reason,
            };
            let any = match t {
                StringType::Utf8 => Utf8StringRef::new(&value)
                    .map_err(|e| bad(e.to_string()))
                    .and_then(|s| Any::encode_from(&s).map_err(encoding))?,
                StringType::Printable => PrintableStringRef::new(&value)
                    .map_err(
                        |_| bad("not a PrintableString (A-Z a-z 0-9 space '()+,-./:=?)".into()),
                    )
                    .and_then(|s| Any::encode_from(&s).map_err(encoding))?,
            };
            let mut rdn = RelativeDistinguishedName::default();
            rdn.insert(AttributeTypeAndValue { oid, value: any })
                .map_err(encoding)?;
            seq.push(rdn);
        }
        // `Name` has no public constructor from an `RdnSequence`: go through DER.
        Name::from_der(&seq.to_der().map_err(encoding)?).map_err(encoding)
    }

    /// The attributes in DN order: (JSON name, OID, value, string type).
    fn ordered(&self) -> Vec<(&'static str, ObjectIdentifier, String, StringType)> {
        use StringType::{Printable, Utf8};
        let nonempty =
            |v: &Option<String>| v.as_deref().filter(|v| !v.is_empty()).map(str::to_owned);
        let mut out = vec![("commonName", CN, self.common_name.clone(), Utf8)];
        if let Some(v) = nonempty(&self.surname) {
            out.push(("surname", SURNAME, v, Utf8));
        }
        for g in self.given_names.iter().filter(|g| !g.is_empty()) {
            out.push(("givenName", GIVEN_NAME, g.clone(), Utf8));
        }
        if let Some(v) = nonempty(&self.organization_name) {
            out.push(("organizationName", ORGANIZATION, v, Utf8));
        }
        if let Some(v) = nonempty(&self.organization_identifier) {
            out.push(("organizationIdentifier", ORGANIZATION_IDENTIFIER, v, Utf8));
        }
        out.push(("countryName", COUNTRY, self.country_name.clone(), Printable));
        if let Some(v) = nonempty(&self.serial_number) {
            out.push(("serialNumber", SERIAL_NUMBER, v, Printable));
        }
        if let Some(v) = nonempty(&self.unique_identifier) {
            out.push(("uniqueIdentifier", UNIQUE_IDENTIFIER, v, Utf8));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_shapes() {
        let s = EnrollmentSubject::from_json(
            br#"{"commonName":"Jan Kowalski","countryName":"PL","givenName":"Jan","surname":"Kowalski","serialNumber":"PNOPL-80010112345"}"#,
        )
        .unwrap();
        assert_eq!(s.given_names, ["Jan"]);
        let s = EnrollmentSubject::from_json(
            br#"{"commonName":"A","countryName":"PL","givenName":["Jan","Maria"],"surname":null}"#,
        )
        .unwrap();
        assert_eq!(s.given_names, ["Jan", "Maria"]);
        assert!(EnrollmentSubject::from_json(br#"{"countryName":"PL"}"#).is_err());
        assert!(
            EnrollmentSubject::from_json(br#"{"commonName":"A","countryName":"PL","title":"x"}"#)
                .is_err()
        );
    }

    #[test]
    fn string_types() {
        let s = EnrollmentSubject {
            common_name: "Zażółć".into(),
            country_name: "PL".into(),
            serial_number: Some("TINPL-5265877635".into()),
            ..Default::default()
        };
        let der = s.to_name().unwrap().to_der().unwrap();
        // CN as UTF8String (0x0c), C and serialNumber as PrintableString (0x13).
        let hex = hex::encode(&der);
        assert!(
            hex.contains(
                "0603550403" /* 2.5.4.3 */
                    .to_owned()
                    .as_str()
            )
        );
        assert!(hex.contains("06035504061302504c"), "{hex}");
        assert!(hex.contains("0603550405131054494e504c2d35323635383737363335"));
        let bad = EnrollmentSubject {
            serial_number: Some("ż".into()),
            ..s.clone()
        };
        assert!(matches!(
            bad.to_name(),
            Err(CsrError::InvalidField {
                field: "serialNumber",
                ..
            })
        ));
        let bad = EnrollmentSubject {
            country_name: "pl".into(),
            ..s
        };
        assert!(bad.to_name().is_err());
    }
}
