//! `Fa/Zamowienie`: the order (or contract) an advance invoice relates to
//! (ZAL / KOR_ZAL). FA3.md §7.

use rust_decimal::Decimal;

use crate::xml::macros::xml_seq;

use super::enums::{Gtu, OznaczenieProceduryZ, StawkaPodatku, Wybor1};

xml_seq! {
    /// `Zamowienie/ZamowienieWiersz`: one order line.
    pub struct ZamowienieWiersz {
        /// `NrWierszaZam`: line number.
        nr_wiersza_zam: one u64 = "NrWierszaZam",
        /// `UU_IDZ`: universal unique line id.
        uu_idz: opt String = "UU_IDZ",
        /// `P_7Z`: name of goods or service.
        p_7z: opt String = "P_7Z",
        /// `IndeksZ`: internal product code.
        indeks_z: opt String = "IndeksZ",
        /// `GTINZ`: GTIN.
        gtin_z: opt String = "GTINZ",
        /// `PKWiUZ`: PKWiU code.
        pkwiu_z: opt String = "PKWiUZ",
        /// `CNZ`: CN code.
        cn_z: opt String = "CNZ",
        /// `PKOBZ`: PKOB code.
        pkob_z: opt String = "PKOBZ",
        /// `P_8AZ`: unit of measure.
        p_8az: opt String = "P_8AZ",
        /// `P_8BZ`: quantity.
        p_8bz: opt Decimal = "P_8BZ",
        /// `P_9AZ`: net unit price.
        p_9az: opt Decimal = "P_9AZ",
        /// `P_11NettoZ`: net value.
        p_11netto_z: opt Decimal = "P_11NettoZ",
        /// `P_11VatZ`: tax amount.
        p_11vat_z: opt Decimal = "P_11VatZ",
        /// `P_12Z`: VAT rate code.
        p_12z: opt StawkaPodatku = "P_12Z",
        /// `P_12Z_XII`: OSS VAT rate (%).
        p_12z_xii: opt Decimal = "P_12Z_XII",
        /// `P_12Z_Zal_15`: Annex 15 flag.
        p_12z_zal_15: opt Wybor1 = "P_12Z_Zal_15",
        /// `GTUZ`: goods/services group.
        gtu_z: opt Gtu = "GTUZ",
        /// `ProceduraZ`: procedure marker.
        procedura_z: opt OznaczenieProceduryZ = "ProceduraZ",
        /// `KwotaAkcyzyZ`: excise duty amount.
        kwota_akcyzy_z: opt Decimal = "KwotaAkcyzyZ",
        /// `StanPrzedZ`: this row shows the state before correction.
        stan_przed_z: opt Wybor1 = "StanPrzedZ",
    }
}

xml_seq! {
    /// `Fa/Zamowienie`: order value and lines.
    pub struct Zamowienie {
        /// `WartoscZamowienia`: total order value.
        wartosc_zamowienia: one Decimal = "WartoscZamowienia",
        /// `ZamowienieWiersz` (1..10000).
        zamowienie_wiersz: vec ZamowienieWiersz = "ZamowienieWiersz" (1, 10000),
    }
}
