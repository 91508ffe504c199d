//! The draft input: a small JSON document in the shape a TMS has (camelCase).
//!
//! Decimal fields ([`Dec`]) and codes stay text here and are checked by
//! [`super::build`], so that every problem is reported at once with its JSON path.
//! Unknown fields are rejected (`deny_unknown_fields`): no data is silently dropped.
//! The format is documented with complete examples in `docs/draft-format.md`.

use std::fmt;

use serde::de::{self, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A decimal number as given in the JSON (a string like `"1626.01"`, or a JSON number).
///
/// Kept as text until the draft is checked; anything that is not a string or a number is
/// kept as [`Dec::NotANumber`] so it is reported with its path instead of failing the parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dec {
    /// The number's text (JSON numbers are converted with their shortest exact text).
    Text(String),
    /// A JSON value of another type (`true`, `null`, an object …), described.
    NotANumber(String),
}

impl Dec {
    /// A decimal from its text.
    pub fn new(text: impl Into<String>) -> Self {
        Dec::Text(text.into())
    }
}

impl From<&str> for Dec {
    fn from(s: &str) -> Self {
        Dec::Text(s.to_owned())
    }
}

impl Serialize for Dec {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Dec::Text(t) | Dec::NotANumber(t) => s.serialize_str(t),
        }
    }
}

impl<'de> Deserialize<'de> for Dec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Dec;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a decimal number (string or number)")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Dec, E> {
                Ok(Dec::Text(v.to_owned()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Dec, E> {
                Ok(Dec::Text(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Dec, E> {
                Ok(Dec::Text(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Dec, E> {
                Ok(Dec::Text(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Dec, E> {
                Ok(Dec::NotANumber(v.to_string()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Dec, E> {
                Ok(Dec::NotANumber("null".into()))
            }
            fn visit_none<E: de::Error>(self) -> Result<Dec, E> {
                Ok(Dec::NotANumber("null".into()))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Dec, A::Error> {
                while m.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Dec::NotANumber("an object".into()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Dec, A::Error> {
                while s.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Dec::NotANumber("an array".into()))
            }
        }
        d.deserialize_any(V)
    }
}

/// An invoice draft: everything needed to produce one FA(3) invoice.
///
/// Required text fields default to empty so that a missing one is reported together with
/// every other problem (see [`super::DraftError`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InvoiceDraft {
    /// `RodzajFaktury`: `VAT` (default), `KOR`, `ZAL`, `ROZ`, `UPR`, `KOR_ZAL`, `KOR_ROZ`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// `P_2`: the invoice number.
    #[serde(default)]
    pub invoice_number: String,
    /// `P_1`: issue date, `YYYY-MM-DD`.
    #[serde(default)]
    pub issue_date: String,
    /// `P_1M`: place of issue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place_of_issue: Option<String>,
    /// `P_6`: date of supply / service (or, on ZAL, of receiving the advance).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sale_date: Option<String>,
    /// `OkresFa`: billing period instead of `saleDate`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sale_period: Option<Period>,
    /// `KodWaluty`: ISO 4217 code, default `PLN`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// PLN per unit of `currency` (required when it is not PLN), ≤ 6 decimals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange_rate: Option<Dec>,
    /// Date of the exchange rate table (recorded in `DodatkowyOpis`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange_rate_date: Option<String>,
    /// `Podmiot1`.
    #[serde(default)]
    pub seller: Seller,
    /// `Podmiot2`.
    #[serde(default)]
    pub buyer: Buyer,
    /// The invoice lines (on ZAL: the order lines, `Zamowienie`). Empty on corrections,
    /// whose lines are `correction.lines`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<Line>,
    /// Correction data (KOR, KOR_ZAL, KOR_ROZ).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correction: Option<Correction>,
    /// Advance received (ZAL, KOR_ZAL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advance: Option<Advance>,
    /// Advance invoices settled (ROZ, KOR_ROZ).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settlement: Option<Settlement>,
    /// `Platnosc`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment: Option<Payment>,
    /// `DodatkowyOpis`: free key/value notes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Note>,
    /// `Stopka/Informacje/StopkaFaktury`: footer text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub footer: Option<String>,
    /// `Adnotacje` flags.
    #[serde(default)]
    pub annotations: Annotations,
    /// `Naglowek/SystemInfo`: name of the issuing system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_info: Option<String>,
}

/// A billing period (`OkresFa`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Period {
    /// `P_6_Od`, `YYYY-MM-DD`.
    #[serde(default)]
    pub from: String,
    /// `P_6_Do`, `YYYY-MM-DD`.
    #[serde(default)]
    pub to: String,
}

/// A postal address in FA(3) form: one or two free lines and a country code.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Address {
    /// `AdresL1` and optional `AdresL2` (1 or 2 lines, ≤ 512 chars each).
    #[serde(default)]
    pub lines: Vec<String>,
    /// `KodKraju`, ISO 3166-1 alpha-2; default `PL`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// The seller (`Podmiot1`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Seller {
    /// Polish NIP, 10 digits (checksum verified).
    #[serde(default)]
    pub nip: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Address.
    #[serde(default)]
    pub address: Address,
    /// `DaneKontaktowe/Email`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// `DaneKontaktowe/Telefon` (≤ 16 chars).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Default bank account for transfers (used when `payment.bankAccount` is absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_account: Option<BankAccount>,
}

/// The buyer (`Podmiot2`). At most one of `nip`, `euVatId`, `taxId`; none = consumer (`BrakID`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Buyer {
    /// Polish NIP (checksum verified).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nip: Option<String>,
    /// EU VAT number with its prefix, e.g. `DE123456789` (split into `KodUE` + `NrVatUE`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eu_vat_id: Option<String>,
    /// Another tax identifier (`NrID`), e.g. of a non-EU buyer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_id: Option<String>,
    /// Country of `taxId` (`KodKraju`), optional.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_id_country: Option<String>,
    /// Name (required except on UPR).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Address (required except on UPR).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    /// `DaneKontaktowe/Email`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// `DaneKontaktowe/Telefon`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// `NrKlienta`: the buyer's number in the TMS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_number: Option<String>,
}

/// One invoice (or order) line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Line {
    /// `P_7`: name of the goods or service.
    #[serde(default)]
    pub name: String,
    /// `P_8A`: unit of measure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// `P_8B`: quantity (≤ 6 decimals).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<Dec>,
    /// `P_9A`: unit net price (≤ 8 decimals). Exactly one of `unitNetPrice` / `unitGrossPrice`,
    /// and the same one on every line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_net_price: Option<Dec>,
    /// `P_9B`: unit gross price (≤ 8 decimals).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_gross_price: Option<Dec>,
    /// `P_10`: discount amount on the line, in the pricing mode's terms (≤ 2 decimals).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount: Option<Dec>,
    /// `P_12`: VAT rate code (`23`, `8`, `0 WDT`, `zw`, `np I`, …).
    #[serde(default)]
    pub vat_rate: String,
    /// `GTU`: `GTU_01` … `GTU_13`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gtu: Option<String>,
    /// `PKWiU` classification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pkwiu: Option<String>,
    /// `CN` code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cn: Option<String>,
    /// `Indeks`: the TMS's own item code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<String>,
    /// `P_6A`: this line's date of supply, when lines differ.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_date: Option<String>,
    /// `UU_ID`: a stable line id (≤ 50 chars), useful to pair corrections.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
}

/// A corrected line: its state on the corrected invoice and after the correction.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LinePair {
    /// The line as on the corrected invoice (`StanPrzed=1` row); absent for an added line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<Line>,
    /// The line after the correction (quantity 0 removes it).
    #[serde(default)]
    pub after: Line,
}

/// Data of a correction invoice (`KOR`, `KOR_ZAL`, `KOR_ROZ`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Correction {
    /// `PrzyczynaKorekty`: reason (≤ 256 chars).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// `TypKorekty`: 1 (effective on the original's date), 2 (on the correction's date), 3 (other).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#type: Option<u8>,
    /// `DaneFaKorygowanej`: the corrected invoice(s), at least one.
    #[serde(default)]
    pub corrected: Vec<InvoiceRef>,
    /// Before/after line pairs (KOR, KOR_ROZ: invoice lines; KOR_ZAL: order lines).
    #[serde(default)]
    pub lines: Vec<LinePair>,
    /// `P_15ZK`: the corrected invoice's `P_15` (KOR_ZAL: advance before; KOR_ROZ: amount due
    /// before). Defaults to the advance (KOR_ZAL) or to what the before lines give (KOR_ROZ).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_before: Option<Dec>,
}

/// A reference to an earlier invoice: either its KSeF number, or `issuedOutsideKsef: true`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InvoiceRef {
    /// Its number (`P_2`).
    #[serde(default)]
    pub invoice_number: String,
    /// Its issue date (`P_1`), required for corrected invoices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue_date: Option<String>,
    /// Its KSeF number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ksef_number: Option<String>,
    /// `true` when it was issued outside KSeF (then no KSeF number).
    #[serde(default)]
    pub issued_outside_ksef: bool,
    /// ROZ / KOR_ROZ advances only: the gross advance this invoice documented.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Dec>,
}

/// An advance received (ZAL; on KOR_ZAL the advance after the correction).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Advance {
    /// Gross amount received (`P_15`), ≤ 2 decimals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Dec>,
}

/// Advance invoices settled by a final invoice (ROZ, KOR_ROZ).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Settlement {
    /// `FakturaZaliczkowa`: each advance invoice with the gross amount it documented.
    #[serde(default)]
    pub advances: Vec<InvoiceRef>,
}

/// Payment terms (`Platnosc`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Payment {
    /// `TerminPlatnosci/Termin`, `YYYY-MM-DD` (or use `dueDays`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date: Option<String>,
    /// Days after the issue date; the due date is computed from it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_days: Option<u16>,
    /// `FormaPlatnosci`: `cash`, `card`, `voucher`, `cheque`, `credit`, `transfer`, `mobile`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// `RachunekBankowy` (defaults to the seller's account for transfers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_account: Option<BankAccount>,
    /// `Zaplacono=1`: already paid.
    #[serde(default)]
    pub paid: bool,
    /// `DataZaplaty` (required when `paid`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid_date: Option<String>,
}

/// A bank account (`RachunekBankowy`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BankAccount {
    /// `NrRB`: account number (NRB or IBAN, 10–34 chars; spaces are removed).
    #[serde(default)]
    pub number: String,
    /// `SWIFT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub swift: Option<String>,
    /// `NazwaBanku`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_name: Option<String>,
}

/// A free note (`DodatkowyOpis`: `Klucz` / `Wartosc`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Note {
    /// `Klucz` (default `uwagi`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// `Wartosc`.
    #[serde(default)]
    pub value: String,
}

/// `Adnotacje` flags; everything defaults to "no".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Annotations {
    /// `P_18A=1`: split payment mechanism.
    #[serde(default)]
    pub split_payment: bool,
    /// `P_18=1`: reverse charge (also implied by any `oo` line).
    #[serde(default)]
    pub reverse_charge: bool,
    /// `P_16=1`: cash accounting.
    #[serde(default)]
    pub cash_accounting: bool,
    /// `P_17=1`: self-billing.
    #[serde(default)]
    pub self_billing: bool,
    /// `Zwolnienie`: legal basis of the exemption, required when a line is `zw`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exemption: Option<Exemption>,
}

/// Legal basis of a VAT exemption (`P_19A` / `P_19B` / `P_19C`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Exemption {
    /// `statute` (Polish act, `P_19A`), `directive` (2006/112/EC, `P_19B`) or `other` (`P_19C`).
    #[serde(default)]
    pub basis: String,
    /// The provision, e.g. `art. 43 ust. 1 pkt 37 ustawy o VAT`.
    #[serde(default)]
    pub text: String,
}
