//! The correction group of `Fa` (`PrzyczynaKorekty` … `KursWalutyZK`) used by
//! `KOR`, `KOR_ZAL` and `KOR_ROZ` invoices. FA3.md §7.2.

use rust_decimal::Decimal;

use crate::xml::macros::{xml_choice, xml_seq};

use super::codes::KodyKrajowUE;
use super::enums::{TypKorekty, Wybor1};
use super::parties::{Adres, DanePodmiotu1, DanePodmiotu2};
use super::types::Date;

xml_seq! {
    /// `NrKSeF` = 1 + `NrKSeFFaKorygowanej`: the corrected invoice is in KSeF.
    pub struct KorygowanaWKsef {
        /// `NrKSeF`: flag.
        nr_ksef: one Wybor1 = "NrKSeF",
        /// `NrKSeFFaKorygowanej`: KSeF number of the corrected invoice.
        nr_ksef_fa_korygowanej: one String = "NrKSeFFaKorygowanej",
    }
}

xml_choice! {
    /// Where the corrected invoice lives: in KSeF (with its number) or `NrKSeFN`.
    pub enum NrKsefKorygowanej {
        /// In KSeF.
        seq WKsef(KorygowanaWKsef),
        /// `NrKSeFN`: issued outside KSeF.
        elem PozaKsef { nr_ksef_n: Wybor1 = "NrKSeFN" },
    }
}

xml_seq! {
    /// `Fa/DaneFaKorygowanej`: one corrected invoice.
    pub struct DaneFaKorygowanej {
        /// `DataWystFaKorygowanej`: issue date of the corrected invoice.
        data_wyst_fa_korygowanej: one Date = "DataWystFaKorygowanej",
        /// `NrFaKorygowanej`: number (`P_2`) of the corrected invoice.
        nr_fa_korygowanej: one String = "NrFaKorygowanej",
        /// KSeF number or the outside-KSeF flag.
        nr_ksef: group NrKsefKorygowanej,
    }
}

xml_seq! {
    /// `Fa/Podmiot1K`: seller data as on the corrected invoice.
    pub struct Podmiot1K {
        /// `PrefiksPodatnika`: VAT prefix.
        prefiks_podatnika: opt KodyKrajowUE = "PrefiksPodatnika",
        /// `DaneIdentyfikacyjne`: NIP and name.
        dane_identyfikacyjne: one DanePodmiotu1 = "DaneIdentyfikacyjne",
        /// `Adres`: address.
        adres: one Adres = "Adres",
    }
}

xml_seq! {
    /// `Fa/Podmiot2K`: buyer data as on the corrected invoice.
    pub struct Podmiot2K {
        /// `DaneIdentyfikacyjne`: identifier and name.
        dane_identyfikacyjne: one DanePodmiotu2 = "DaneIdentyfikacyjne",
        /// `Adres`: address.
        adres: opt Adres = "Adres",
        /// `IDNabywcy`: buyer id.
        id_nabywcy: opt String = "IDNabywcy",
    }
}

xml_seq! {
    /// `P_15ZK` (+ `KursWalutyZK`): amount before correction of a ZAL/ROZ invoice.
    pub struct KwotaPrzedKorekta {
        /// `P_15ZK`: amount paid before the correction.
        p_15zk: one Decimal = "P_15ZK",
        /// `KursWalutyZK`: exchange rate before the correction.
        kurs_waluty_zk: opt Decimal = "KursWalutyZK",
    }
}

xml_seq! {
    /// The correction group of `Fa` (present on correction invoices).
    pub struct Korekta {
        /// `PrzyczynaKorekty`: reason.
        przyczyna_korekty: opt String = "PrzyczynaKorekty",
        /// `TypKorekty`: when the correction takes effect.
        typ_korekty: opt TypKorekty = "TypKorekty",
        /// `DaneFaKorygowanej` (1..50000): corrected invoices.
        dane_fa_korygowanej: vec DaneFaKorygowanej = "DaneFaKorygowanej" (1, 50000),
        /// `OkresFaKorygowanej`: period of a collective correction.
        okres_fa_korygowanej: opt String = "OkresFaKorygowanej",
        /// `NrFaKorygowany`: the correct invoice number.
        nr_fa_korygowany: opt String = "NrFaKorygowany",
        /// `Podmiot1K`: seller data being corrected.
        podmiot1k: opt Podmiot1K = "Podmiot1K",
        /// `Podmiot2K` (0..101): buyer data being corrected.
        podmiot2k: vec Podmiot2K = "Podmiot2K" (0, 101),
        /// `P_15ZK` + `KursWalutyZK`.
        kwota_przed_korekta: opt_group KwotaPrzedKorekta,
    }
}
