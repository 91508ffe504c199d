//! Checks a draft field by field and turns it into typed values, collecting every problem
//! with its JSON path. Limits follow the XSD types listed in `shared/ksef/FA3.md` §9
//! (`TKwotowy`, `TKwotowy2`, `TIlosci`, `TZnakowy*`, `TDataT`) and §11 (identifiers).

use rust_decimal::Decimal;
use time::Date;
use time::macros::date;

use super::calc::Pricing;
use super::error::{Errors, FieldError};
use super::input::{Address, BankAccount, Dec, InvoiceRef, Line};
use super::kind::Kind;
use super::rate::{RATE_LIST, VatRate};
use crate::ident::{KsefNumber, check_nip};

/// `TZnakowy`: 1–256 characters.
pub(crate) const TEXT: usize = 256;
/// `TZnakowy512`.
pub(crate) const TEXT512: usize = 512;
/// `TZnakowy50`.
pub(crate) const TEXT50: usize = 50;

/// Integer and fraction digits allowed for a decimal field: `TKwotowy` amounts.
pub(crate) const AMOUNT: (u32, u32) = (16, 2);
/// `TKwotowy2`: unit prices (`P_9A`, `P_9B`).
pub(crate) const PRICE: (u32, u32) = (14, 8);
/// `TKwotowy2` with grosz precision: line discounts (`P_10`).
pub(crate) const DISCOUNT: (u32, u32) = (14, 2);
/// `TIlosci`: quantities and exchange rates.
pub(crate) const QUANTITY: (u32, u32) = (16, 6);

/// A checked line.
#[derive(Debug, Clone)]
pub(crate) struct CLine {
    pub(crate) quantity: Decimal,
    pub(crate) unit_price: Decimal,
    pub(crate) discount: Decimal,
    pub(crate) rate: VatRate,
    pub(crate) delivery_date: Option<Date>,
}

/// A checked reference to an earlier invoice.
#[derive(Debug, Clone)]
pub(crate) struct CRef {
    pub(crate) ksef: Option<KsefNumber>,
    pub(crate) issue_date: Option<Date>,
    pub(crate) amount: Option<Decimal>,
}

/// Buyer identification (`Podmiot2/DaneIdentyfikacyjne`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BuyerId {
    Nip(String),
    EuVat { prefix: String, number: String },
    Other { country: Option<String>, id: String },
    None,
}

/// The typed values of a draft that passed every check.
#[derive(Debug, Clone)]
pub(crate) struct Checked {
    pub(crate) kind: Kind,
    pub(crate) issue_date: Date,
    pub(crate) sale_date: Option<Date>,
    pub(crate) sale_period: Option<(Date, Date)>,
    pub(crate) exchange_rate: Option<Decimal>,
    pub(crate) rate_date: Option<Date>,
    pub(crate) pricing: Pricing,
    /// Plain lines (VAT, UPR, ROZ; ZAL: order lines).
    pub(crate) lines: Vec<CLine>,
    /// Correction pairs (before?, after).
    pub(crate) pairs: Vec<(Option<CLine>, CLine)>,
    pub(crate) corrected: Vec<CRef>,
    pub(crate) advances: Vec<CRef>,
    pub(crate) advance_amount: Option<Decimal>,
    pub(crate) total_before: Option<Decimal>,
    pub(crate) buyer_id: BuyerId,
    pub(crate) due_date: Option<Date>,
    pub(crate) paid_date: Option<Date>,
    pub(crate) payment_method: Option<u8>,
}

/// Field-level checking context.
pub(crate) struct Ctx {
    pub(crate) errors: Errors,
}

impl Ctx {
    fn err(&mut self, e: FieldError) {
        self.errors.push(e);
    }

    /// A required text: non-empty after trimming, at most `max` characters.
    pub(crate) fn req_text(&mut self, path: &str, v: &str, max: usize, what: &str) {
        if v.trim().is_empty() {
            self.err(FieldError::missing(path, what));
        } else {
            self.len(path, v, max);
        }
    }

    /// An optional text: when present, non-empty and at most `max` characters.
    pub(crate) fn opt_text(&mut self, path: &str, v: Option<&str>, max: usize) {
        if let Some(v) = v {
            if v.trim().is_empty() {
                self.err(FieldError::missing(
                    path,
                    format!("a non-empty text of at most {max} characters"),
                ));
            } else {
                self.len(path, v, max);
            }
        }
    }

    fn len(&mut self, path: &str, v: &str, max: usize) {
        // Fast path, one byte scan: printable ASCII and two-byte characters from U+00C0
        // (Polish letters among them), all accepted; the length is the number of bytes
        // that start a character.
        let mut n = 0usize;
        let plain = v.bytes().all(|b| {
            n += usize::from(!(0x80..0xC0).contains(&b));
            matches!(b, 0x20..=0x7E | 0x80..=0xBF | 0xC3..=0xDF)
        });
        if plain {
            if n > max {
                self.err(FieldError::invalid(
                    path,
                    format!("{n} characters"),
                    format!("at most {max} characters"),
                ));
            }
            return;
        }
        // One pass: the first character KSeF rejects, and the length in characters.
        let mut n = 0usize;
        let mut bad = None;
        for c in v.chars() {
            n += 1;
            if bad.is_none() && !crate::xml::write::is_allowed_char(c) {
                bad = Some(c);
            }
        }
        if let Some(c) = bad {
            self.err(FieldError::invalid(
                path,
                format!("a text with character U+{:04X}", u32::from(c)),
                "text without control characters or other characters KSeF rejects",
            ));
        }
        if n > max {
            self.err(FieldError::invalid(
                path,
                format!("{n} characters"),
                format!("at most {max} characters"),
            ));
        }
    }

    /// A decimal with at most `scale` decimals.
    pub(crate) fn dec(
        &mut self,
        path: &str,
        v: &Dec,
        (ints, scale): (u32, u32),
    ) -> Option<Decimal> {
        let expected =
            || format!("a decimal number with a dot and at most {scale} decimals, e.g. \"12.5\"");
        let text = match v {
            Dec::Text(t) => t,
            Dec::NotANumber(what) => {
                self.err(FieldError::invalid(path, what.clone(), expected()));
                return None;
            }
        };
        if !is_plain_decimal(text) {
            self.err(FieldError::invalid(path, text.clone(), expected()));
            return None;
        }
        match text.parse::<Decimal>() {
            Ok(d) if d.abs() >= Decimal::from(10_i64.pow(ints)) => {
                self.err(FieldError::invalid(
                    path,
                    text.clone(),
                    format!("a number with at most {ints} integer digits"),
                ));
                None
            }
            Ok(d) if d.scale() <= scale => Some(d),
            Ok(d) if d.normalize().scale() <= scale => Some(d.normalize()),
            Ok(_) => {
                self.err(FieldError::invalid(path, text.clone(), expected()));
                None
            }
            Err(_) => {
                self.err(FieldError::invalid(
                    path,
                    text.clone(),
                    "a number within range",
                ));
                None
            }
        }
    }

    /// A required decimal.
    pub(crate) fn req_dec(
        &mut self,
        path: &str,
        v: Option<&Dec>,
        digits: (u32, u32),
        what: &str,
    ) -> Option<Decimal> {
        match v {
            Some(v) => self.dec(path, v, digits),
            None => {
                self.err(FieldError::missing(path, what));
                None
            }
        }
    }

    /// A date `YYYY-MM-DD` within 2006-01-01 … 2050-01-01 (`TDataT`).
    pub(crate) fn date(&mut self, path: &str, v: &str) -> Option<Date> {
        match crate::fa3::calendar_date(v, false) {
            Some(d) if (date!(2006 - 01 - 01)..=date!(2050 - 01 - 01)).contains(&d) => Some(d),
            Some(_) => {
                self.err(FieldError::invalid(
                    path,
                    v,
                    "a date between 2006-01-01 and 2050-01-01",
                ));
                None
            }
            None => {
                self.err(FieldError::invalid(path, v, "a date as YYYY-MM-DD"));
                None
            }
        }
    }

    pub(crate) fn opt_date(&mut self, path: &str, v: Option<&str>) -> Option<Date> {
        v.and_then(|v| self.date(path, v))
    }

    pub(crate) fn address(&mut self, path: &str, a: &Address) {
        match a.lines.len() {
            1 | 2 => {
                for (i, l) in a.lines.iter().enumerate() {
                    self.req_text(&format!("{path}.lines[{i}]"), l, TEXT512, "an address line");
                }
            }
            0 => self.err(FieldError::missing(
                format!("{path}.lines"),
                "one or two address lines",
            )),
            n => self.err(FieldError::invalid(
                format!("{path}.lines"),
                format!("{n} lines"),
                "one or two address lines",
            )),
        }
        if let Some(c) = &a.country {
            self.country(&format!("{path}.country"), c);
        }
    }

    pub(crate) fn country(&mut self, path: &str, c: &str) {
        if c != "PL" && c.parse::<crate::fa3::KodKraju>().is_err() {
            self.err(FieldError::invalid(
                path,
                c,
                "an ISO 3166-1 alpha-2 country code (TKodKraju), e.g. PL",
            ));
        }
    }

    pub(crate) fn nip(&mut self, path: &str, nip: &str) {
        if nip.is_empty() {
            self.err(FieldError::missing(path, "a 10-digit Polish NIP"));
        } else if let Err(e) = check_nip(nip) {
            self.err(FieldError::invalid(
                path,
                nip,
                format!("a valid 10-digit Polish NIP ({e})"),
            ));
        }
    }

    pub(crate) fn bank_account(&mut self, path: &str, b: &BankAccount) {
        let n: String = b.number.chars().filter(|c| !c.is_whitespace()).collect();
        if n.is_empty() {
            self.err(FieldError::missing(
                format!("{path}.number"),
                "an account number",
            ));
        } else if !(10..=34).contains(&n.len()) || !n.bytes().all(|c| c.is_ascii_alphanumeric()) {
            self.err(FieldError::invalid(
                format!("{path}.number"),
                b.number.clone(),
                "an account number (NRB or IBAN) of 10 to 34 letters and digits",
            ));
        }
        if let Some(s) = &b.swift
            && !(8..=11).contains(&s.len())
        {
            self.err(FieldError::invalid(
                format!("{path}.swift"),
                s.clone(),
                "a SWIFT/BIC code of 8 or 11 characters",
            ));
        }
        self.opt_text(&format!("{path}.bankName"), b.bank_name.as_deref(), TEXT);
    }

    /// A line; `pricing` is fixed by the first line seen and enforced on the others.
    pub(crate) fn line(
        &mut self,
        path: &str,
        l: &Line,
        pricing: &mut Option<(Pricing, String)>,
    ) -> Option<CLine> {
        let mut p = SubPath::new(path);
        self.req_text(
            p.at("name"),
            &l.name,
            TEXT512,
            "the name of the goods or service",
        );
        self.opt_text(p.at("unit"), l.unit.as_deref(), TEXT);
        self.opt_text(p.at("pkwiu"), l.pkwiu.as_deref(), TEXT50);
        self.opt_text(p.at("cn"), l.cn.as_deref(), TEXT50);
        self.opt_text(p.at("index"), l.index.as_deref(), TEXT50);
        self.opt_text(p.at("uuid"), l.uuid.as_deref(), TEXT50);
        if let Some(g) = &l.gtu
            && g.parse::<crate::fa3::Gtu>().is_err()
        {
            self.err(FieldError::invalid(
                p.at("gtu"),
                g.clone(),
                "one of GTU_01 … GTU_13",
            ));
        }
        let delivery_date = self.opt_date(p.at("deliveryDate"), l.delivery_date.as_deref());
        let quantity = self.req_dec(
            p.at("quantity"),
            l.quantity.as_ref(),
            QUANTITY,
            "a quantity (decimal, at most 6 decimals)",
        );
        let (mode, price) = match (&l.unit_net_price, &l.unit_gross_price) {
            (Some(_), Some(_)) => {
                self.err(FieldError::conflict(
                    format!("{path}.unitGrossPrice"),
                    format!("{path}.unitNetPrice"),
                ));
                (None, None)
            }
            (Some(v), None) => (
                Some((Pricing::Net, "unitNetPrice")),
                self.dec(p.at("unitNetPrice"), v, PRICE),
            ),
            (None, Some(v)) => (
                Some((Pricing::Gross, "unitGrossPrice")),
                self.dec(p.at("unitGrossPrice"), v, PRICE),
            ),
            (None, None) => {
                self.err(FieldError::missing(
                    p.at("unitNetPrice"),
                    "unitNetPrice or unitGrossPrice",
                ));
                (None, None)
            }
        };
        if let Some((m, field)) = mode {
            match pricing {
                None => *pricing = Some((m, p.at(field).to_owned())),
                Some((mode, first)) if *mode != m => {
                    self.err(FieldError::not_allowed(
                        p.at(field),
                        format!("one pricing mode per invoice, and {first} was given"),
                    ));
                }
                Some(_) => {}
            }
        }
        let discount = match &l.discount {
            Some(d) => self.dec(p.at("discount"), d, DISCOUNT),
            None => Some(Decimal::ZERO),
        };
        let rate = if l.vat_rate.is_empty() {
            self.err(FieldError::missing(p.at("vatRate"), RATE_LIST));
            None
        } else {
            match l.vat_rate.parse::<VatRate>() {
                Ok(r) => Some(r),
                Err(_) => {
                    self.err(FieldError::invalid(
                        p.at("vatRate"),
                        l.vat_rate.clone(),
                        RATE_LIST,
                    ));
                    None
                }
            }
        };
        Some(CLine {
            quantity: quantity?,
            unit_price: price?,
            discount: discount?,
            rate: rate?,
            delivery_date,
        })
    }

    /// A reference to an earlier invoice; `need_date` for corrected invoices,
    /// `need_amount` for advances settled by ROZ / KOR_ROZ.
    pub(crate) fn invoice_ref(
        &mut self,
        path: &str,
        r: &InvoiceRef,
        need_date: bool,
        need_amount: bool,
    ) -> Option<CRef> {
        self.req_text(
            &format!("{path}.invoiceNumber"),
            &r.invoice_number,
            TEXT,
            "the invoice's number",
        );
        let issue_date = match (&r.issue_date, need_date) {
            (Some(d), _) => self.date(&format!("{path}.issueDate"), d),
            (None, true) => {
                self.err(FieldError::missing(
                    format!("{path}.issueDate"),
                    "the invoice's issue date",
                ));
                None
            }
            (None, false) => None,
        };
        let ksef = match (&r.ksef_number, r.issued_outside_ksef) {
            (Some(_), true) => {
                self.err(FieldError::conflict(
                    format!("{path}.issuedOutsideKsef"),
                    format!("{path}.ksefNumber"),
                ));
                None
            }
            (Some(n), false) => match n.parse::<KsefNumber>() {
                Ok(k) => Some(k),
                Err(e) => {
                    self.err(FieldError::invalid(
                        format!("{path}.ksefNumber"),
                        n.clone(),
                        format!("a valid KSeF number ({e})"),
                    ));
                    None
                }
            },
            (None, true) => None,
            (None, false) => {
                self.err(FieldError::missing(
                    format!("{path}.ksefNumber"),
                    "the invoice's KSeF number, or issuedOutsideKsef: true",
                ));
                None
            }
        };
        let amount = match (&r.amount, need_amount) {
            (Some(a), true) => self.dec(&format!("{path}.amount"), a, AMOUNT),
            (None, true) => {
                self.err(FieldError::missing(
                    format!("{path}.amount"),
                    "the gross advance amount of that invoice",
                ));
                None
            }
            (Some(_), false) => {
                self.err(FieldError::not_allowed(
                    format!("{path}.amount"),
                    "only advances settled by ROZ / KOR_ROZ carry an amount",
                ));
                None
            }
            (None, false) => None,
        };
        Some(CRef {
            ksef,
            issue_date,
            amount,
        })
    }

    pub(crate) fn buyer_id(&mut self, b: &super::input::Buyer) -> BuyerId {
        let given: Vec<&str> = [
            b.nip.as_ref().map(|_| "buyer.nip"),
            b.eu_vat_id.as_ref().map(|_| "buyer.euVatId"),
            b.tax_id.as_ref().map(|_| "buyer.taxId"),
        ]
        .into_iter()
        .flatten()
        .collect();
        if given.len() > 1 {
            self.err(FieldError::conflict(given[1], given[0]));
        }
        if b.tax_id_country.is_some() && b.tax_id.is_none() {
            self.err(FieldError::not_allowed(
                "buyer.taxIdCountry",
                "only together with buyer.taxId",
            ));
        }
        if let Some(n) = &b.nip {
            self.nip("buyer.nip", n);
            BuyerId::Nip(n.clone())
        } else if let Some(v) = &b.eu_vat_id {
            let v: String = v.chars().filter(|c| !c.is_whitespace()).collect();
            let (prefix, number) = v.split_at(v.len().min(2));
            let ok_prefix = prefix.parse::<crate::fa3::KodyKrajowUE>().is_ok();
            let ok_number = (1..=12).contains(&number.len())
                && number.bytes().all(|c| {
                    c.is_ascii_digit() || c.is_ascii_uppercase() || c == b'+' || c == b'*'
                });
            if prefix == "PL" {
                self.err(FieldError::not_allowed(
                    "buyer.euVatId",
                    "a Polish buyer is identified by buyer.nip",
                ));
            } else if !(ok_prefix && ok_number) {
                self.err(FieldError::invalid(
                    "buyer.euVatId",
                    v.clone(),
                    "an EU VAT number with its country prefix (Greece EL, Northern Ireland XI), e.g. DE123456789",
                ));
            }
            BuyerId::EuVat {
                prefix: prefix.to_owned(),
                number: number.to_owned(),
            }
        } else if let Some(id) = &b.tax_id {
            self.req_text("buyer.taxId", id, TEXT50, "a tax identifier");
            if let Some(c) = &b.tax_id_country {
                self.country("buyer.taxIdCountry", c);
            }
            BuyerId::Other {
                country: b.tax_id_country.clone(),
                id: id.clone(),
            }
        } else {
            BuyerId::None
        }
    }
}

/// A reusable `base.field` path buffer, so checking a line allocates one string, not one
/// per field.
struct SubPath {
    buf: String,
    base: usize,
}

impl SubPath {
    fn new(base: &str) -> Self {
        let mut buf = String::with_capacity(base.len() + 16);
        buf.push_str(base);
        Self {
            buf,
            base: base.len(),
        }
    }

    fn at(&mut self, field: &str) -> &str {
        self.buf.truncate(self.base);
        self.buf.push('.');
        self.buf.push_str(field);
        &self.buf
    }
}

/// `-?digits(.digits)?`: what FA(3) amounts look like (no exponent, no comma, no `+`, no `_`).
fn is_plain_decimal(s: &str) -> bool {
    let body = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

/// `FormaPlatnosci` code for a method name.
pub(crate) fn payment_method(ctx: &mut Ctx, m: &str) -> Option<u8> {
    let code = match m {
        "cash" => 1,
        "card" => 2,
        "voucher" => 3,
        "cheque" => 4,
        "credit" => 5,
        "transfer" => 6,
        "mobile" => 7,
        _ => {
            ctx.err(FieldError::invalid(
                "payment.method",
                m,
                "one of cash, card, voucher, cheque, credit, transfer, mobile",
            ));
            return None;
        }
    };
    Some(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_decimals() {
        for ok in ["0", "12", "-1.5", "1626.01", "0.000001"] {
            assert!(is_plain_decimal(ok), "{ok}");
        }
        for bad in [
            "", "-", "1,5", "1e3", "+1", "1.", ".5", "1_000", " 1", "abc",
        ] {
            assert!(!is_plain_decimal(bad), "{bad}");
        }
    }

    #[test]
    fn decimal_scale_limits() {
        let mut c = Ctx {
            errors: Errors::default(),
        };
        assert_eq!(
            c.dec("q", &Dec::from("1.500000"), QUANTITY)
                .map(|d| d.to_string()),
            Some("1.500000".into())
        );
        assert_eq!(
            c.dec("q", &Dec::from("1.50000000"), AMOUNT)
                .map(|d| d.to_string()),
            Some("1.5".into())
        );
        assert!(c.dec("q", &Dec::from("1.123"), AMOUNT).is_none());
        assert!(
            c.dec("q", &Dec::NotANumber("true".into()), AMOUNT)
                .is_none()
        );
        assert_eq!(c.errors.0.len(), 2);
        assert_eq!(c.errors.0[0].path, "q");
    }

    #[test]
    fn text_length_counts_characters_and_rejects_what_ksef_rejects() {
        let errors = |v: &str, max: usize| {
            let mut c = Ctx {
                errors: Errors::default(),
            };
            c.len("t", v, max);
            c.errors.0.iter().map(|e| e.to_string()).collect::<Vec<_>>()
        };
        // Fast path (ASCII, Polish letters) and slow path (other scripts) agree.
        for (v, chars) in [
            ("abc", 3),
            ("żółć", 4),
            ("Zażółć gęślą jaźń", 17),
            ("€ 5", 3),
            ("a\u{85}b", 3),
            ("日本", 2),
            ("𝄞x", 2),
        ] {
            assert!(errors(v, chars).is_empty(), "{v}: {:?}", errors(v, chars));
            let too_long = errors(v, chars - 1);
            assert_eq!(too_long.len(), 1, "{v}");
            assert!(
                too_long[0].contains(&format!("{chars} characters")),
                "{too_long:?}"
            );
        }
        for bad in ["a\u{1}", "a\u{7F}", "a\u{86}", "\u{FDD0}", "x\u{FFFE}"] {
            let e = errors(bad, 10);
            assert_eq!(e.len(), 1, "{bad:?}");
            assert!(e[0].contains("U+"), "{e:?}");
        }
    }
}
