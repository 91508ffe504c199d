//! `Fa/FaWiersz`: invoice lines. FA3.md §7.3.

use rust_decimal::Decimal;

use crate::xml::macros::xml_seq;

use super::enums::{Gtu, OznaczenieProcedury, StawkaPodatku, Wybor1};
use super::types::Date;

xml_seq! {
    /// `Fa/FaWiersz`: one invoice line.
    pub struct FaWiersz {
        /// `NrWierszaFa`: line number.
        nr_wiersza_fa: one u64 = "NrWierszaFa",
        /// `UU_ID`: universal unique line id.
        uu_id: opt String = "UU_ID",
        /// `P_6A`: delivery date of this line.
        p_6a: opt Date = "P_6A",
        /// `P_7`: name of goods or service.
        p_7: opt String = "P_7",
        /// `Indeks`: internal product code.
        indeks: opt String = "Indeks",
        /// `GTIN`: Global Trade Item Number.
        gtin: opt String = "GTIN",
        /// `PKWiU`: Polish classification of products and services.
        pkwiu: opt String = "PKWiU",
        /// `CN`: Combined Nomenclature code.
        cn: opt String = "CN",
        /// `PKOB`: Polish classification of buildings.
        pkob: opt String = "PKOB",
        /// `P_8A`: unit of measure.
        p_8a: opt String = "P_8A",
        /// `P_8B`: quantity.
        p_8b: opt Decimal = "P_8B",
        /// `P_9A`: net unit price.
        p_9a: opt Decimal = "P_9A",
        /// `P_9B`: gross unit price.
        p_9b: opt Decimal = "P_9B",
        /// `P_10`: discounts not included in the unit price.
        p_10: opt Decimal = "P_10",
        /// `P_11`: net value.
        p_11: opt Decimal = "P_11",
        /// `P_11A`: gross value.
        p_11a: opt Decimal = "P_11A",
        /// `P_11Vat`: tax amount of the line.
        p_11vat: opt Decimal = "P_11Vat",
        /// `P_12`: VAT rate code.
        p_12: opt StawkaPodatku = "P_12",
        /// `P_12_XII`: OSS VAT rate (%).
        p_12_xii: opt Decimal = "P_12_XII",
        /// `P_12_Zal_15`: Annex 15 goods/services flag.
        p_12_zal_15: opt Wybor1 = "P_12_Zal_15",
        /// `KwotaAkcyzy`: excise duty amount.
        kwota_akcyzy: opt Decimal = "KwotaAkcyzy",
        /// `GTU`: goods/services group.
        gtu: opt Gtu = "GTU",
        /// `Procedura`: procedure marker.
        procedura: opt OznaczenieProcedury = "Procedura",
        /// `KursWaluty`: exchange rate of the line.
        kurs_waluty: opt Decimal = "KursWaluty",
        /// `StanPrzed`: this row shows the state before correction.
        stan_przed: opt Wybor1 = "StanPrzed",
    }
}
