//! The rule catalogue: every rule id with its default severity, what it checks and where
//! the rule comes from. `docs/validation-rules.md` renders the same table (a test keeps
//! the two in sync).

use serde::Serialize;

use super::Severity;
use Severity::{Error, Warning};

/// One validation rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// Stable id, e.g. `FA3-NIP-CHECKSUM`.
    pub id: &'static str,
    /// Default severity.
    pub severity: Severity,
    /// What it checks (English, one line).
    pub checks: &'static str,
    /// Where the rule comes from.
    pub source: &'static str,
}

macro_rules! rules {
    ($($name:ident = $id:literal, $sev:ident, $checks:literal, $source:literal;)*) => {
        $(
            #[doc = concat!("`", $id, "`: ", $checks)]
            pub const $name: Rule = Rule { id: $id, severity: $sev, checks: $checks, source: $source };
        )*
        /// Every rule, in documentation order.
        pub const RULES: &[Rule] = &[$($name),*];
    };
}

rules! {
    XML_BOM = "FA3-XML-BOM", Error, "file starts with a UTF-8 byte order mark", "KSeF verification (weryfikacja-faktury.md)";
    XML_UTF8 = "FA3-XML-UTF8", Error, "file is not valid UTF-8", "KSeF verification; XML 1.0 §4.3.3";
    XML_ENCODING = "FA3-XML-ENCODING", Error, "XML declaration names an encoding other than UTF-8", "KSeF verification";
    XML_PI = "FA3-XML-PI", Error, "processing instruction present", "KSeF verification";
    XML_DOCTYPE = "FA3-XML-DOCTYPE", Error, "document type declaration present (not allowed by the schema validator, entity risk)", "XML hardening; KSeF schema validation";
    XML_CHAR_FORBIDDEN = "FA3-XML-CHAR-FORBIDDEN", Error, "character outside the XML 1.0 Char production (e.g. control characters)", "XML 1.0 §2.2";
    XML_CHAR_DISCOURAGED = "FA3-XML-CHAR-DISCOURAGED", Error, "discouraged Unicode character (#x7F-#x84, #x86-#x9F, #xFDD0-#xFDEF, #xnFFFE-#xnFFFF)", "KSeF verification; XML 1.0 §2.2";
    XML_SIZE = "FA3-XML-SIZE", Error, "file larger than 1 000 000 bytes (3 000 000 with Zalacznik)", "KSeF verification";
    XML_MALFORMED = "FA3-XML-MALFORMED", Error, "not well-formed XML", "XML 1.0";
    XSD_ROOT = "FA3-XSD-ROOT", Error, "root element is not Faktura", "XSD";
    XSD_NAMESPACE = "FA3-XSD-NAMESPACE", Error, "element not in the FA(3) namespace `http://crd.gov.pl/wzor/2025/06/25/13775/`", "XSD targetNamespace";
    XSD_UNKNOWN = "FA3-XSD-UNKNOWN", Error, "element or attribute not allowed at this place", "XSD content model";
    XSD_ORDER = "FA3-XSD-ORDER", Error, "element out of the schema's sequence order", "XSD xsd:sequence";
    XSD_CHOICE = "FA3-XSD-CHOICE", Error, "elements from two alternatives of an xsd:choice (e.g. NIP and BrakID, P_19 and P_19N)", "XSD xsd:choice";
    XSD_MISSING = "FA3-XSD-MISSING", Error, "mandatory element or attribute missing", "XSD minOccurs / use=required";
    XSD_COUNT = "FA3-XSD-COUNT", Error, "element repeated more often than allowed (e.g. Podmiot3 > 100)", "XSD maxOccurs";
    XSD_TEXT = "FA3-XSD-TEXT", Error, "text inside an element that only holds elements", "XSD element-only content";
    XSD_LENGTH = "FA3-XSD-LENGTH", Error, "text shorter or longer than allowed (after xsd:token whitespace collapsing)", "XSD minLength / maxLength / length";
    XSD_DECIMAL = "FA3-XSD-DECIMAL", Error, "amount or quantity not in the TKwotowy (2 decimals) / TKwotowy2 (8) / TIlosci (6) format", "XSD pattern / fractionDigits / totalDigits";
    XSD_INTEGER = "FA3-XSD-INTEGER", Error, "not an integer", "XSD xsd:integer";
    XSD_DATE = "FA3-XSD-DATE", Error, "not a date YYYY-MM-DD (or xsd:dateTime)", "XSD xsd:date / xsd:dateTime";
    XSD_RANGE = "FA3-XSD-RANGE", Error, "value outside the allowed range (dates 2006-01-01..2050-01-01, percentages 0..100, …)", "XSD minInclusive / maxInclusive / minExclusive";
    XSD_ENUM = "FA3-XSD-ENUM", Error, "value not in the enumeration (rate code, currency, country, role, flag …)", "XSD enumeration";
    XSD_PATTERN = "FA3-XSD-PATTERN", Error, "value does not match the schema pattern (EU VAT number, SWIFT, REGON, …)", "XSD pattern";
    NIP_PATTERN = "FA3-NIP-PATTERN", Error, "NIP is not 10 digits [1-9]((\\d[1-9])|([1-9]\\d))\\d{7}", "XSD etd:TNrNIP";
    IDWEW_PATTERN = "FA3-IDWEW-PATTERN", Error, "IDWew is not NIP-NNNNN", "XSD TNIPIdWew";
    KSEFNR_PATTERN = "FA3-KSEFNR-PATTERN", Error, "KSeF number does not match TNumerKSeF", "XSD TNumerKSeF";
    NIP_CHECKSUM = "FA3-NIP-CHECKSUM", Error, "NIP checksum of Podmiot1/2/3/PodmiotUpowazniony (weights 6,5,7,2,3,4,5,6,7); a warning under the TEST profile", "KSeF verification (PROD only); VAT Act art. 106e ust. 1 pkt 5";
    IDWEW_CHECKSUM = "FA3-IDWEW-CHECKSUM", Error, "checksum of the Podmiot3 internal id IDWew; a warning under the TEST profile", "KSeF verification (PROD only)";
    JST_ROLE = "FA3-JST-ROLE", Error, "Podmiot2/JST=1 requires a Podmiot3 with Rola 8 (and Rola 8 expects JST=1)", "XSD annotation of JST; MF FA(3) brochure";
    GV_ROLE = "FA3-GV-ROLE", Error, "Podmiot2/GV=1 requires a Podmiot3 with Rola 10 (and Rola 10 expects GV=1)", "XSD annotation of GV; MF FA(3) brochure";
    UDZIAL_ROLE = "FA3-UDZIAL-ROLE", Error, "Udzial only for a Podmiot3 with Rola 4 (additional buyer)", "XSD annotation of Udzial";
    BUYER_NAME = "FA3-BUYER-NAME", Warning, "buyer without Nazwa on an invoice that is not simplified (UPR)", "VAT Act art. 106e ust. 1 pkt 3";
    KOR_DATA_MISSING = "FA3-KOR-DATA-MISSING", Error, "a correction (KOR, KOR_ZAL, KOR_ROZ) without DaneFaKorygowanej", "VAT Act art. 106j ust. 2 pkt 2; XSD annotation";
    KOR_DATA_UNEXPECTED = "FA3-KOR-DATA-UNEXPECTED", Error, "correction elements (DaneFaKorygowanej, PrzyczynaKorekty, TypKorekty, Podmiot1K, …) on an invoice that is not a correction", "XSD annotation (correction group applies to KOR/KOR_ZAL/KOR_ROZ)";
    KOR_KSEFNR = "FA3-KOR-KSEFNR", Error, "NrKSeF=1 without NrKSeFFaKorygowanej", "XSD DaneFaKorygowanej choice";
    KOR_DATE = "FA3-KOR-DATE", Error, "the corrected invoice is dated after the correction (DataWystFaKorygowanej > P_1)", "VAT Act art. 106j (a correction follows the invoice)";
    KSEFNR_CRC = "FA3-KSEFNR-CRC", Warning, "CRC-8 of a referenced KSeF number does not match (MF samples fail it too)", "numer-ksef.md (CRC-8, poly 0x07)";
    KSEFNR_SELLER = "FA3-KSEFNR-SELLER", Warning, "referenced KSeF number does not start with the seller's NIP (Podmiot1)", "numer-ksef.md (the number starts with the seller NIP)";
    ROZ_ADVANCES = "FA3-ROZ-ADVANCES", Error, "a settlement invoice (ROZ) without FakturaZaliczkowa references", "VAT Act art. 106f ust. 3; XSD annotation of FakturaZaliczkowa";
    ADVANCES_UNEXPECTED = "FA3-ADVANCES-UNEXPECTED", Warning, "FakturaZaliczkowa on an invoice that is not ROZ / KOR_ROZ", "XSD annotation of FakturaZaliczkowa";
    ZAMOWIENIE_TYPE = "FA3-ZAMOWIENIE-TYPE", Error, "Zamowienie on an invoice that is not ZAL / KOR_ZAL", "XSD annotation of Zamowienie (art. 106f ust. 1 pkt 4)";
    ZAL_ORDER = "FA3-ZAL-ORDER", Warning, "advance invoice (ZAL) without Zamowienie (the order or contract and its value)", "VAT Act art. 106f ust. 1 pkt 4";
    ZAMOWIENIE_TOTAL = "FA3-ZAMOWIENIE-TOTAL", Warning, "WartoscZamowienia differs from the sum of the order lines, or the advance exceeds the order value", "VAT Act art. 106f ust. 1 pkt 4";
    CUR_P14W_PLN = "FA3-CUR-P14W-PLN", Error, "P_14_xW (tax in PLN) on a PLN invoice", "XSD annotation of P_14_xW";
    CUR_P14W_MISSING = "FA3-CUR-P14W-MISSING", Error, "foreign-currency invoice with tax in P_14_x but no P_14_xW (tax in PLN)", "VAT Act art. 106e ust. 11";
    CUR_P14W_VALUE = "FA3-CUR-P14W-VALUE", Warning, "P_14_xW differs from P_14_x × the exchange rate of the lines (when they share one rate)", "VAT Act art. 106e ust. 11, art. 31a";
    CUR_RATE_PLN = "FA3-CUR-RATE-PLN", Error, "exchange rate (KursWaluty, KursWalutyZ, KursWalutyZW, KursWalutyZK) on a PLN invoice", "XSD annotations of the exchange-rate elements";
    TOTAL_NET = "FA3-TOTAL-NET", Warning, "sum of line net values per rate differs from P_13_x (VAT invoices)", "VAT Act art. 106e ust. 1 pkt 13; MF practice";
    TOTAL_TAX = "FA3-TOTAL-TAX", Warning, "P_14_x differs from P_13_x × rate beyond rounding", "VAT Act art. 106e ust. 1 pkt 14; rounding to the grosz";
    TOTAL_DUE = "FA3-TOTAL-DUE", Warning, "P_15 differs from the sum of P_13_x and P_14_x (MF01 itself is off by 0.01)", "VAT Act art. 106e ust. 1 pkt 15";
    TOTAL_NEGATIVE = "FA3-TOTAL-NEGATIVE", Warning, "negative amount due P_15 on an invoice that is not a correction", "VAT Act art. 106j (reductions are corrections)";
    TOTAL_SETTLEMENT = "FA3-TOTAL-SETTLEMENT", Warning, "Rozliczenie sums (SumaObciazen, SumaOdliczen, DoZaplaty) inconsistent with their items and P_15", "XSD annotation of Rozliczenie";
    RATE_BUCKET = "FA3-RATE-BUCKET", Warning, "line rate (P_12) without the matching P_13_x total, or a total without lines at that rate", "VAT Act art. 106e ust. 1 pkt 12-14";
    ZW_BASIS = "FA3-ZW-BASIS", Error, "exempt lines (zw, P_13_7) without Zwolnienie/P_19=1 and a legal basis P_19A/B/C (or P_19 without exempt supply: warning)", "VAT Act art. 106e ust. 1 pkt 19";
    OO_P18 = "FA3-OO-P18", Error, "reverse-charge lines (oo, P_13_10) without P_18=1 (or P_18=1 without them: warning)", "VAT Act art. 106e ust. 1 pkt 18";
    MARGIN = "FA3-MARGIN", Error, "margin-scheme total P_13_11 without PMarzy/P_PMarzy=1 (or the flag without P_13_11: warning)", "VAT Act art. 106e ust. 2-3";
    WDT_BUYER = "FA3-WDT-BUYER", Warning, "0 % intra-EU supply (0 WDT, P_13_6_2) to a buyer without an EU VAT number (KodUE + NrVatUE)", "VAT Act art. 42 ust. 1 pkt 1";
    SPLIT_PAYMENT = "FA3-SPLIT-PAYMENT", Warning, "Annex 15 goods (P_12_Zal_15) and P_15 > 15 000 PLN without P_18A=1, or P_18A=1 without them", "VAT Act art. 106e ust. 1 pkt 18a";
    UPR_LIMIT = "FA3-UPR-LIMIT", Warning, "simplified invoice (UPR) above 450 PLN / 100 EUR", "VAT Act art. 106e ust. 5 pkt 3";
    LINE_DUPLICATE = "FA3-LINE-DUPLICATE", Error, "duplicate line number (NrWierszaFa / NrWierszaZam; a StanPrzed row may repeat its after-row's number)", "XSD annotation (unique line numbering)";
    LINE_VALUE = "FA3-LINE-VALUE", Warning, "line value differs from quantity × unit price − discount (P_8B × P_9A − P_10 vs P_11; P_9B vs P_11A)", "VAT Act art. 106e ust. 1 pkt 11";
    DATE_FUTURE = "FA3-DATE-FUTURE", Error, "issue date P_1 after today (Europe/Warsaw; checked only when today is given)", "KSeF verification (P_1 not later than acceptance)";
    DATE_PERIOD = "FA3-DATE-PERIOD", Error, "OkresFa: P_6_Od after P_6_Do", "XSD annotation of OkresFa";
    DATE_ISSUE = "FA3-DATE-ISSUE", Warning, "VAT invoice issued after the 15th of the month following delivery, or more than 30 days before it", "VAT Act art. 106i ust. 1 and 7";
    BANK_ACCOUNT = "FA3-BANK-ACCOUNT", Warning, "bank account NrRB (Polish NRB or IBAN) fails the ISO 7064 mod-97 check", "ISO 13616 / NRB checksum";
    DATE_DUE = "FA3-DATE-DUE", Warning, "payment due date (TerminPlatnosci/Termin) before the issue date P_1", "MF practice";
    READ = "FA3-READ", Error, "the FA(3) reader could not map the document to the model", "XSD (structure the model cannot hold)";
}
