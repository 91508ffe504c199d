//! `Faktura/Fa`: the invoice body: currency, dates, number, the per-rate
//! amount groups `P_13_x`/`P_14_x`/`P_14_xW`, `P_15`, and the sub-blocks in
//! schema order. FA3.md §7, §8.

use rust_decimal::Decimal;

use crate::xml::macros::{xml_choice, xml_seq};

use super::annotations::Adnotacje;
use super::codes::KodWaluty;
use super::corrections::Korekta;
use super::enums::{RodzajFaktury, Wybor1};
use super::lines::FaWiersz;
use super::order::Zamowienie;
use super::payment::Platnosc;
use super::settlement::Rozliczenie;
use super::transaction::WarunkiTransakcji;
use super::types::Date;

xml_seq! {
    /// `Fa/OkresFa`: the billing period.
    pub struct OkresFa {
        /// `P_6_Od`: start of the period.
        p_6_od: one Date = "P_6_Od",
        /// `P_6_Do`: end of the period.
        p_6_do: one Date = "P_6_Do",
    }
}

xml_choice! {
    /// `P_6` (supply date common to all lines) | `OkresFa` (billing period).
    pub enum DataDostawy {
        /// `P_6`: date of supply or completion of the service.
        elem P6 { p_6: Date = "P_6" },
        /// `OkresFa`: billing period.
        elem Okres { okres_fa: OkresFa = "OkresFa" },
    }
}

xml_seq! {
    /// `P_13_1`, `P_14_1`, `P_14_1W`: basic rate (23 % / 22 %).
    pub struct StawkaPodstawowa {
        /// `P_13_1`: net amount.
        p_13_1: one Decimal = "P_13_1",
        /// `P_14_1`: tax amount.
        p_14_1: one Decimal = "P_14_1",
        /// `P_14_1W`: tax amount in PLN (foreign-currency invoices).
        p_14_1w: opt Decimal = "P_14_1W",
    }
}

xml_seq! {
    /// `P_13_2`, `P_14_2`, `P_14_2W`: first reduced rate (8 % / 7 %).
    pub struct StawkaObnizona1 {
        /// `P_13_2`: net amount.
        p_13_2: one Decimal = "P_13_2",
        /// `P_14_2`: tax amount.
        p_14_2: one Decimal = "P_14_2",
        /// `P_14_2W`: tax amount in PLN.
        p_14_2w: opt Decimal = "P_14_2W",
    }
}

xml_seq! {
    /// `P_13_3`, `P_14_3`, `P_14_3W`: second reduced rate (5 %).
    pub struct StawkaObnizona2 {
        /// `P_13_3`: net amount.
        p_13_3: one Decimal = "P_13_3",
        /// `P_14_3`: tax amount.
        p_14_3: one Decimal = "P_14_3",
        /// `P_14_3W`: tax amount in PLN.
        p_14_3w: opt Decimal = "P_14_3W",
    }
}

xml_seq! {
    /// `P_13_4`, `P_14_4`, `P_14_4W`: flat-rate taxi (ryczałt).
    pub struct StawkaRyczalt {
        /// `P_13_4`: net amount.
        p_13_4: one Decimal = "P_13_4",
        /// `P_14_4`: tax amount.
        p_14_4: one Decimal = "P_14_4",
        /// `P_14_4W`: tax amount in PLN.
        p_14_4w: opt Decimal = "P_14_4W",
    }
}

xml_seq! {
    /// `P_13_5`, `P_14_5`: OSS special procedure.
    pub struct ProceduraOss {
        /// `P_13_5`: net amount.
        p_13_5: one Decimal = "P_13_5",
        /// `P_14_5`: tax amount.
        p_14_5: opt Decimal = "P_14_5",
    }
}

xml_seq! {
    /// `Fa/ZaliczkaCzesciowa`: one of several advance payments on one invoice.
    pub struct ZaliczkaCzesciowa {
        /// `P_6Z`: date the advance was received.
        p_6z: one Date = "P_6Z",
        /// `P_15Z`: advance amount.
        p_15z: one Decimal = "P_15Z",
        /// `KursWalutyZW`: exchange rate of the advance.
        kurs_waluty_zw: opt Decimal = "KursWalutyZW",
    }
}

xml_seq! {
    /// `TKluczWartosc` (`Fa/DodatkowyOpis`): a free key/value entry.
    pub struct KluczWartosc {
        /// `NrWiersza`: line the entry refers to.
        nr_wiersza: opt u64 = "NrWiersza",
        /// `Klucz`: key.
        klucz: one String = "Klucz",
        /// `Wartosc`: value.
        wartosc: one String = "Wartosc",
    }
}

xml_seq! {
    /// `NrKSeFZN` = 1 + `NrFaZaliczkowej`: advance invoice issued outside KSeF.
    pub struct FakturaZaliczkowaPozaKsef {
        /// `NrKSeFZN`: flag.
        nr_ksef_zn: one Wybor1 = "NrKSeFZN",
        /// `NrFaZaliczkowej`: number of the advance invoice.
        nr_fa_zaliczkowej: one String = "NrFaZaliczkowej",
    }
}

xml_choice! {
    /// `Fa/FakturaZaliczkowa`: an advance invoice settled by this one.
    pub enum FakturaZaliczkowa {
        /// Issued outside KSeF.
        seq PozaKsef(FakturaZaliczkowaPozaKsef),
        /// `NrKSeFFaZaliczkowej`: KSeF number of the advance invoice.
        elem WKsef { nr_ksef_fa_zaliczkowej: String = "NrKSeFFaZaliczkowej" },
    }
}

xml_seq! {
    /// `Faktura/Fa`: the invoice body.
    pub struct Fa {
        /// `KodWaluty`: invoice currency.
        kod_waluty: one KodWaluty = "KodWaluty",
        /// `P_1`: issue date.
        p_1: one Date = "P_1",
        /// `P_1M`: place of issue.
        p_1m: opt String = "P_1M",
        /// `P_2`: invoice number.
        p_2: one String = "P_2",
        /// `WZ` (0..1000): warehouse dispatch document numbers.
        wz: vec String = "WZ" (0, 1000),
        /// `P_6` | `OkresFa`.
        data_dostawy: opt_group DataDostawy,
        /// Basic rate group.
        stawka_podstawowa: opt_group StawkaPodstawowa,
        /// First reduced rate group.
        stawka_obnizona1: opt_group StawkaObnizona1,
        /// Second reduced rate group.
        stawka_obnizona2: opt_group StawkaObnizona2,
        /// Flat-rate taxi group.
        stawka_ryczalt: opt_group StawkaRyczalt,
        /// OSS procedure group.
        procedura_oss: opt_group ProceduraOss,
        /// `P_13_6_1`: 0 % domestic supplies.
        p_13_6_1: opt Decimal = "P_13_6_1",
        /// `P_13_6_2`: 0 % intra-community supplies.
        p_13_6_2: opt Decimal = "P_13_6_2",
        /// `P_13_6_3`: 0 % exports.
        p_13_6_3: opt Decimal = "P_13_6_3",
        /// `P_13_7`: exempt supplies.
        p_13_7: opt Decimal = "P_13_7",
        /// `P_13_8`: supplies outside Poland.
        p_13_8: opt Decimal = "P_13_8",
        /// `P_13_9`: art. 100 ust. 1 pkt 4 services.
        p_13_9: opt Decimal = "P_13_9",
        /// `P_13_10`: domestic reverse charge.
        p_13_10: opt Decimal = "P_13_10",
        /// `P_13_11`: margin scheme.
        p_13_11: opt Decimal = "P_13_11",
        /// `P_15`: total amount due.
        p_15: one Decimal = "P_15",
        /// `KursWalutyZ`: exchange rate for an advance invoice.
        kurs_waluty_z: opt Decimal = "KursWalutyZ",
        /// `Adnotacje`: annotations.
        adnotacje: one Adnotacje = "Adnotacje",
        /// `RodzajFaktury`: invoice kind.
        rodzaj_faktury: one RodzajFaktury = "RodzajFaktury",
        /// The correction group (`PrzyczynaKorekty` … `KursWalutyZK`).
        korekta: opt_group Korekta,
        /// `ZaliczkaCzesciowa` (0..31): several advance payments.
        zaliczka_czesciowa: vec ZaliczkaCzesciowa = "ZaliczkaCzesciowa" (0, 31),
        /// `FP`: invoice per art. 109 ust. 3d (issued to a receipt).
        fp: opt Wybor1 = "FP",
        /// `TP`: related parties.
        tp: opt Wybor1 = "TP",
        /// `DodatkowyOpis` (0..10000): free key/value entries.
        dodatkowy_opis: vec KluczWartosc = "DodatkowyOpis" (0, 10000),
        /// `FakturaZaliczkowa` (0..100): settled advance invoices.
        faktura_zaliczkowa: vec FakturaZaliczkowa = "FakturaZaliczkowa" (0, 100),
        /// `ZwrotAkcyzy`: excise refund flag.
        zwrot_akcyzy: opt Wybor1 = "ZwrotAkcyzy",
        /// `FaWiersz` (0..10000): invoice lines.
        fa_wiersz: vec FaWiersz = "FaWiersz" (0, 10000),
        /// `Rozliczenie`: charges and deductions.
        rozliczenie: opt Rozliczenie = "Rozliczenie",
        /// `Platnosc`: payment.
        platnosc: opt Platnosc = "Platnosc",
        /// `WarunkiTransakcji`: terms of the transaction.
        warunki_transakcji: opt WarunkiTransakcji = "WarunkiTransakcji",
        /// `Zamowienie`: the order of an advance invoice.
        zamowienie: opt Zamowienie = "Zamowienie",
    }
}
