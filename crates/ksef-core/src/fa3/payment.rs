//! `Fa/Platnosc`: payment status, terms, form, bank accounts, discount,
//! payment link. FA3.md §7.4.

use rust_decimal::Decimal;

use crate::xml::macros::{xml_choice, xml_seq};

use super::enums::{FormaPlatnosci, RachunekWlasnyBanku, Wybor1, Wybor12};
use super::types::Date;

xml_seq! {
    /// `PlatnoscInna` = 1 + `OpisPlatnosci`: a form of payment outside `TFormaPlatnosci`.
    pub struct PlatnoscInna {
        /// `PlatnoscInna`: flag.
        platnosc_inna: one Wybor1 = "PlatnoscInna",
        /// `OpisPlatnosci`: description.
        opis_platnosci: one String = "OpisPlatnosci",
    }
}

xml_choice! {
    /// `FormaPlatnosci` | `PlatnoscInna` + `OpisPlatnosci`.
    pub enum FormaPlatnosciWybor {
        /// `FormaPlatnosci`: a listed form.
        elem Forma { forma_platnosci: FormaPlatnosci = "FormaPlatnosci" },
        /// Another form.
        seq Inna(PlatnoscInna),
    }
}

xml_seq! {
    /// `Zaplacono` = 1 + `DataZaplaty`: paid in full.
    pub struct Zaplacono {
        /// `Zaplacono`: flag.
        zaplacono: one Wybor1 = "Zaplacono",
        /// `DataZaplaty`: payment date.
        data_zaplaty: one Date = "DataZaplaty",
    }
}

xml_seq! {
    /// `Platnosc/ZaplataCzesciowa`: one partial payment.
    pub struct ZaplataCzesciowa {
        /// `KwotaZaplatyCzesciowej`: amount.
        kwota_zaplaty_czesciowej: one Decimal = "KwotaZaplatyCzesciowej",
        /// `DataZaplatyCzesciowej`: date.
        data_zaplaty_czesciowej: one Date = "DataZaplatyCzesciowej",
        /// Form of payment.
        forma: opt_group FormaPlatnosciWybor,
    }
}

xml_seq! {
    /// `ZnacznikZaplatyCzesciowej` + `ZaplataCzesciowa` (1..100): partial payments.
    pub struct ZaplataCzesciowaGrupa {
        /// `ZnacznikZaplatyCzesciowej`: 1 partially paid, 2 paid in full in parts.
        znacznik_zaplaty_czesciowej: one Wybor12 = "ZnacznikZaplatyCzesciowej",
        /// `ZaplataCzesciowa` (1..100).
        zaplata_czesciowa: vec ZaplataCzesciowa = "ZaplataCzesciowa" (1, 100),
    }
}

xml_choice! {
    /// Payment status: paid in full | partial payments.
    pub enum StatusZaplaty {
        /// Paid in full.
        seq Zaplacono(Zaplacono),
        /// Partial payments.
        seq Czesciowa(ZaplataCzesciowaGrupa),
    }
}

xml_seq! {
    /// `TerminPlatnosci/TerminOpis`: a relative due date (e.g. 30 days from receipt).
    pub struct TerminOpis {
        /// `Ilosc`: number of units.
        ilosc: one i64 = "Ilosc",
        /// `Jednostka`: unit (e.g. `Dzień`).
        jednostka: one String = "Jednostka",
        /// `ZdarzeniePoczatkowe`: starting event.
        zdarzenie_poczatkowe: one String = "ZdarzeniePoczatkowe",
    }
}

xml_seq! {
    /// `Platnosc/TerminPlatnosci`: one payment due date.
    pub struct TerminPlatnosci {
        /// `Termin`: due date.
        termin: opt Date = "Termin",
        /// `TerminOpis`: relative due date.
        termin_opis: opt TerminOpis = "TerminOpis",
    }
}

xml_seq! {
    /// `TRachunekBankowy`: a bank account (`RachunekBankowy`, `RachunekBankowyFaktora`).
    pub struct RachunekBankowy {
        /// `NrRB`: account number.
        nr_rb: one String = "NrRB",
        /// `SWIFT`: SWIFT/BIC code.
        swift: opt String = "SWIFT",
        /// `RachunekWlasnyBanku`: kind of the bank's own account.
        rachunek_wlasny_banku: opt RachunekWlasnyBanku = "RachunekWlasnyBanku",
        /// `NazwaBanku`: bank name.
        nazwa_banku: opt String = "NazwaBanku",
        /// `OpisRachunku`: account description.
        opis_rachunku: opt String = "OpisRachunku",
    }
}

xml_seq! {
    /// `Platnosc/Skonto`: cash discount.
    pub struct Skonto {
        /// `WarunkiSkonta`: conditions.
        warunki_skonta: one String = "WarunkiSkonta",
        /// `WysokoscSkonta`: amount or rate.
        wysokosc_skonta: one String = "WysokoscSkonta",
    }
}

xml_seq! {
    /// `Fa/Platnosc`: payment information.
    pub struct Platnosc {
        /// Paid in full | partial payments.
        status: opt_group StatusZaplaty,
        /// `TerminPlatnosci` (0..100).
        termin_platnosci: vec TerminPlatnosci = "TerminPlatnosci" (0, 100),
        /// `FormaPlatnosci` | `PlatnoscInna` + `OpisPlatnosci`.
        forma: opt_group FormaPlatnosciWybor,
        /// `RachunekBankowy` (0..100).
        rachunek_bankowy: vec RachunekBankowy = "RachunekBankowy" (0, 100),
        /// `RachunekBankowyFaktora` (0..20).
        rachunek_bankowy_faktora: vec RachunekBankowy = "RachunekBankowyFaktora" (0, 20),
        /// `Skonto`: cash discount.
        skonto: opt Skonto = "Skonto",
        /// `LinkDoPlatnosci`: payment link.
        link_do_platnosci: opt String = "LinkDoPlatnosci",
        /// `IPKSeF`: KSeF payment identifier.
        ipksef: opt String = "IPKSeF",
    }
}
