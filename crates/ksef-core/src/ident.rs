//! Identifiers: NIP, PESEL, internal id, KSeF numbers and reference numbers.
//!
//! Spec: `shared/ksef/DIGEST.md` §3 (identifier table, KSeF number, reference numbers)
//! and `FA3.md` §11. The KSeF number checksum is CRC-8/SMBUS (poly 0x07, init 0,
//! no reflection, no final XOR) over the ASCII bytes of the first 32 characters,
//! hyphens included (`spec/faktury/numer-ksef.md`). The same CRC over the first 33
//! characters closes every reference number (observed, DIGEST §3).

use std::fmt;
use std::str::FromStr;

/// Why an identifier was refused. Messages name what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdentError {
    /// The value has the wrong number of characters.
    #[error("{kind}: expected {expected} characters, got {got}")]
    Length {
        /// Identifier kind, e.g. "NIP".
        kind: &'static str,
        /// Expected length description.
        expected: &'static str,
        /// Actual character count.
        got: usize,
    },
    /// A character is not allowed at this position.
    #[error("{kind}: unexpected character {ch:?} at position {pos} ({expected})")]
    Char {
        /// Identifier kind.
        kind: &'static str,
        /// The offending character.
        ch: char,
        /// 1-based position.
        pos: usize,
        /// What was expected there.
        expected: &'static str,
    },
    /// The value breaks the format rule (for example a NIP starting with 0).
    #[error("{kind}: {reason}")]
    Format {
        /// Identifier kind.
        kind: &'static str,
        /// Human readable reason.
        reason: String,
    },
    /// The checksum does not match.
    #[error("{kind}: checksum mismatch (expected {expected}, found {found})")]
    Checksum {
        /// Identifier kind.
        kind: &'static str,
        /// Expected check value.
        expected: String,
        /// Check value found in the input.
        found: String,
    },
}

/// Result alias for identifier checks.
pub type Result<T> = std::result::Result<T, IdentError>;

/// CRC-8/SMBUS: polynomial 0x07, init 0x00, MSB first, no reflection, no final XOR.
pub fn crc8(data: &[u8]) -> u8 {
    let mut crc: u8 = 0;
    for &b in data {
        crc ^= b;
        for _ in 0..8 {
            crc = if crc & 0x80 != 0 {
                (crc << 1) ^ 0x07
            } else {
                crc << 1
            };
        }
    }
    crc
}

fn digits(kind: &'static str, s: &str, len: usize, expected: &'static str) -> Result<Vec<u32>> {
    let count = s.chars().count();
    if count != len {
        return Err(IdentError::Length {
            kind,
            expected,
            got: count,
        });
    }
    s.chars()
        .enumerate()
        .map(|(i, ch)| {
            ch.to_digit(10).ok_or(IdentError::Char {
                kind,
                ch,
                pos: i + 1,
                expected: "a digit",
            })
        })
        .collect()
}

/// Checks a Polish NIP (10 digits, XSD pattern `[1-9]((\d[1-9])|([1-9]\d))\d{7}`,
/// weights 6,5,7,2,3,4,5,6,7, `sum % 11` = last digit, 10 never valid).
pub fn check_nip(nip: &str) -> Result<()> {
    check_nip_pattern(nip)?;
    let d = digits("NIP", nip, 10, "10")?;
    const W: [u32; 9] = [6, 5, 7, 2, 3, 4, 5, 6, 7];
    let sum: u32 = d.iter().zip(W).map(|(a, w)| a * w).sum();
    let c = sum % 11;
    if c == 10 || c != d[9] {
        return Err(IdentError::Checksum {
            kind: "NIP",
            expected: if c == 10 {
                "none (sum % 11 = 10, no valid NIP)".into()
            } else {
                c.to_string()
            },
            found: d[9].to_string(),
        });
    }
    Ok(())
}

/// Checks only the XSD pattern of a NIP (what KSeF TEST enforces), not the checksum.
pub fn check_nip_pattern(nip: &str) -> Result<()> {
    let d = digits("NIP", nip, 10, "10")?;
    if d[0] == 0 {
        return Err(IdentError::Format {
            kind: "NIP",
            reason: "the first digit must not be 0".into(),
        });
    }
    if d[1] == 0 && d[2] == 0 {
        return Err(IdentError::Format {
            kind: "NIP",
            reason: "digits 2 and 3 must not both be 0".into(),
        });
    }
    Ok(())
}

/// Checks a PESEL (11 digits, weights 1,3,7,9,1,3,7,9,1,3, check = (10 − sum % 10) % 10,
/// month field 01–12 / 21–32 / 41–52 / 61–72 / 81–92 as in the OpenAPI pattern).
pub fn check_pesel(pesel: &str) -> Result<()> {
    let d = digits("PESEL", pesel, 11, "11")?;
    let month = d[2] * 10 + d[3];
    let m = month % 20;
    if !(1..=12).contains(&m) {
        return Err(IdentError::Format {
            kind: "PESEL",
            reason: format!("month field {month:02} is not a valid encoded month"),
        });
    }
    const W: [u32; 10] = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3];
    let sum: u32 = d.iter().zip(W).map(|(a, w)| a * w).sum();
    let c = (10 - sum % 10) % 10;
    if c != d[10] {
        return Err(IdentError::Checksum {
            kind: "PESEL",
            expected: c.to_string(),
            found: d[10].to_string(),
        });
    }
    Ok(())
}

/// Checks an internal id `NIP-NNNNN` (16 characters): the NIP part must match the NIP
/// pattern and the 15 digits, weights 1,3,1,3… over the first 14, give `sum % 10` =
/// the last digit (DIGEST §3, OpenAPI `POST /permissions/subunits/grants`).
pub fn check_internal_id(id: &str) -> Result<()> {
    let count = id.chars().count();
    if count != 16 {
        return Err(IdentError::Length {
            kind: "internal id",
            expected: "16 (NIP-NNNNN)",
            got: count,
        });
    }
    let (nip, rest) = id.split_at(10);
    if !rest.starts_with('-') {
        let ch = rest.chars().next().unwrap_or('?');
        return Err(IdentError::Char {
            kind: "internal id",
            ch,
            pos: 11,
            expected: "'-'",
        });
    }
    check_nip_pattern(nip).map_err(|e| IdentError::Format {
        kind: "internal id",
        reason: e.to_string(),
    })?;
    let suffix = digits("internal id", &rest[1..], 5, "5 after the hyphen")?;
    let all: Vec<u32> = digits("internal id", nip, 10, "10")?
        .into_iter()
        .chain(suffix)
        .collect();
    let sum: u32 = all[..14]
        .iter()
        .enumerate()
        .map(|(i, d)| d * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    let c = sum % 10;
    if c != all[14] {
        return Err(IdentError::Checksum {
            kind: "internal id",
            expected: c.to_string(),
            found: all[14].to_string(),
        });
    }
    Ok(())
}

/// A parsed, checksum-valid KSeF number `NNNNNNNNNN-YYYYMMDD-TTTTTTTTTTTT-CC`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KsefNumber(String);

impl KsefNumber {
    /// Builds a KSeF number from its parts, computing the CRC-8.
    ///
    /// `technical` must be 12 upper-case hex characters; `date` is `YYYYMMDD`.
    pub fn new(seller_nip: &str, date: &str, technical: &str) -> Result<Self> {
        let body = format!("{seller_nip}-{date}-{technical}");
        let full = format!("{body}-{:02X}", crc8(body.as_bytes()));
        full.parse()
    }

    /// The seller NIP (first 10 characters).
    pub fn seller_nip(&self) -> &str {
        &self.0[..10]
    }

    /// The acceptance date part, `YYYYMMDD`.
    pub fn date(&self) -> &str {
        &self.0[11..19]
    }

    /// The full 35-character string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for KsefNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn expect_char(
    kind: &'static str,
    s: &[char],
    pos: usize,
    ok: impl Fn(char) -> bool,
    what: &'static str,
) -> Result<()> {
    let ch = s[pos];
    if ok(ch) {
        Ok(())
    } else {
        Err(IdentError::Char {
            kind,
            ch,
            pos: pos + 1,
            expected: what,
        })
    }
}

fn is_upper_hex(c: char) -> bool {
    c.is_ascii_digit() || ('A'..='F').contains(&c)
}

fn check_yyyymmdd(kind: &'static str, s: &str) -> Result<()> {
    let y: u32 = s[0..4].parse().unwrap_or(0);
    let m: u32 = s[4..6].parse().unwrap_or(0);
    let d: u32 = s[6..8].parse().unwrap_or(0);
    if y < 2020 || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return Err(IdentError::Format {
            kind,
            reason: format!("date part {s} is not a valid YYYYMMDD date"),
        });
    }
    Ok(())
}

impl FromStr for KsefNumber {
    type Err = IdentError;

    fn from_str(s: &str) -> Result<Self> {
        const K: &str = "KSeF number";
        let c: Vec<char> = s.chars().collect();
        if c.len() != 35 {
            return Err(IdentError::Length {
                kind: K,
                expected: "35 (NIP-YYYYMMDD-XXXXXXXXXXXX-CC)",
                got: c.len(),
            });
        }
        for (i, ch) in c.iter().enumerate() {
            let ok = match i {
                10 | 19 | 32 => *ch == '-',
                0..=9 | 11..=18 => ch.is_ascii_digit(),
                _ => is_upper_hex(*ch),
            };
            if !ok {
                let what = match i {
                    10 | 19 | 32 => "'-'",
                    0..=9 | 11..=18 => "a digit",
                    _ => "an upper-case hex digit",
                };
                expect_char(K, &c, i, |_| false, what)?;
            }
        }
        check_nip_pattern(&s[..10]).map_err(|e| IdentError::Format {
            kind: K,
            reason: e.to_string(),
        })?;
        check_yyyymmdd(K, &s[11..19])?;
        let expected = format!("{:02X}", crc8(&s.as_bytes()[..32]));
        if expected != s[33..] {
            return Err(IdentError::Checksum {
                kind: K,
                expected,
                found: s[33..].to_string(),
            });
        }
        Ok(Self(s.to_string()))
    }
}

/// A parsed, checksum-valid reference number `YYYYMMDD-TT-HHHHHHHHHH-HHHHHHHHHH-CC`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReferenceNumber(String);

impl ReferenceNumber {
    /// Builds a reference number from the date, the two-letter type code and 20 hex
    /// characters, computing the CRC-8.
    pub fn new(date: &str, type_code: &str, hex20: &str) -> Result<Self> {
        if hex20.len() != 20 {
            return Err(IdentError::Length {
                kind: "reference number",
                expected: "20 hex characters",
                got: hex20.len(),
            });
        }
        let body = format!("{date}-{type_code}-{}-{}", &hex20[..10], &hex20[10..]);
        format!("{body}-{:02X}", crc8(body.as_bytes())).parse()
    }

    /// The two-letter type code (`SO`, `EE`, `AU`, …).
    pub fn type_code(&self) -> &str {
        &self.0[9..11]
    }

    /// The full 36-character string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ReferenceNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for ReferenceNumber {
    type Err = IdentError;

    fn from_str(s: &str) -> Result<Self> {
        const K: &str = "reference number";
        let c: Vec<char> = s.chars().collect();
        if c.len() != 36 {
            return Err(IdentError::Length {
                kind: K,
                expected: "36 (YYYYMMDD-TT-XXXXXXXXXX-XXXXXXXXXX-CC)",
                got: c.len(),
            });
        }
        for (i, ch) in c.iter().enumerate() {
            let (ok, what) = match i {
                8 | 11 | 22 | 33 => (*ch == '-', "'-'"),
                0..=7 => (ch.is_ascii_digit(), "a digit"),
                9 | 10 => (
                    ch.is_ascii_uppercase() || ch.is_ascii_digit(),
                    "an upper-case letter or digit",
                ),
                _ => (is_upper_hex(*ch), "an upper-case hex digit"),
            };
            if !ok {
                return Err(IdentError::Char {
                    kind: K,
                    ch: *ch,
                    pos: i + 1,
                    expected: what,
                });
            }
        }
        check_yyyymmdd(K, &s[..8])?;
        let expected = format!("{:02X}", crc8(&s.as_bytes()[..33]));
        if expected != s[34..] {
            return Err(IdentError::Checksum {
                kind: K,
                expected,
                found: s[34..].to_string(),
            });
        }
        Ok(Self(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc8_check_value() {
        // CRC-8/SMBUS catalogue check value for "123456789".
        assert_eq!(crc8(b"123456789"), 0xF4);
    }

    #[test]
    fn nip_errors_are_specific() {
        assert!(matches!(
            check_nip("123"),
            Err(IdentError::Length { got: 3, .. })
        ));
        assert!(matches!(
            check_nip("52658776a5"),
            Err(IdentError::Char { pos: 9, .. })
        ));
        assert!(matches!(
            check_nip("0265877635"),
            Err(IdentError::Format { .. })
        ));
        assert!(matches!(
            check_nip("1234567890"),
            Err(IdentError::Checksum { .. })
        ));
        assert!(check_nip("5265877635").is_ok());
    }

    #[test]
    fn internal_id_from_openapi_example() {
        assert!(check_internal_id("6824515772-12343").is_ok());
        assert!(matches!(
            check_internal_id("6824515772-12344"),
            Err(IdentError::Checksum { .. })
        ));
        assert!(matches!(
            check_internal_id("5265877635-12345"),
            Err(IdentError::Checksum { .. })
        ));
    }

    #[test]
    fn ksef_number_roundtrip_and_errors() {
        let n = KsefNumber::new("5265877635", "20250826", "0100001AF629").unwrap();
        assert_eq!(n.as_str(), "5265877635-20250826-0100001AF629-AF");
        assert_eq!(n.seller_nip(), "5265877635");
        let e = "5265877635-20250826-0100001AF629-AE"
            .parse::<KsefNumber>()
            .unwrap_err();
        assert!(matches!(e, IdentError::Checksum { .. }), "{e}");
        let e = "5265877635-20250826-0100001af629-AF"
            .parse::<KsefNumber>()
            .unwrap_err();
        assert!(matches!(e, IdentError::Char { pos: 28, .. }), "{e}");
    }

    #[test]
    fn pesel() {
        assert!(check_pesel("44051401359").is_ok());
        assert!(check_pesel("44051401358").is_err());
        assert!(check_pesel("44151401359").is_err());
    }
}
