//! `Fa/Rozliczenie`: additional charges and deductions. FA3.md §7.4.

use rust_decimal::Decimal;

use crate::xml::macros::{xml_choice, xml_seq};

xml_seq! {
    /// `Obciazenia` / `Odliczenia`: one charge or deduction.
    pub struct KwotaPowod {
        /// `Kwota`: amount.
        kwota: one Decimal = "Kwota",
        /// `Powod`: reason.
        powod: one String = "Powod",
    }
}

xml_choice! {
    /// `DoZaplaty` (amount due) | `DoRozliczenia` (overpayment to settle).
    pub enum WynikRozliczenia {
        /// `DoZaplaty`.
        elem DoZaplaty { do_zaplaty: Decimal = "DoZaplaty" },
        /// `DoRozliczenia`.
        elem DoRozliczenia { do_rozliczenia: Decimal = "DoRozliczenia" },
    }
}

xml_seq! {
    /// `Fa/Rozliczenie`: settlement of charges and deductions.
    pub struct Rozliczenie {
        /// `Obciazenia` (0..100): charges.
        obciazenia: vec KwotaPowod = "Obciazenia" (0, 100),
        /// `SumaObciazen`: sum of charges.
        suma_obciazen: opt Decimal = "SumaObciazen",
        /// `Odliczenia` (0..100): deductions.
        odliczenia: vec KwotaPowod = "Odliczenia" (0, 100),
        /// `SumaOdliczen`: sum of deductions.
        suma_odliczen: opt Decimal = "SumaOdliczen",
        /// `DoZaplaty` | `DoRozliczenia`.
        wynik: opt_group WynikRozliczenia,
    }
}
