//! `Fa/WarunkiTransakcji`: contracts, orders, batches, delivery terms,
//! contractual rate and `Transport`. FA3.md §7.4.

use rust_decimal::Decimal;

use crate::xml::macros::{xml_choice, xml_seq};

use super::codes::KodWaluty;
use super::enums::{Ladunek, RodzajTransportu, Wybor1};
use super::parties::{Adres, DanePodmiotu2};
use super::types::{Date, DateTime};

xml_seq! {
    /// `WarunkiTransakcji/Umowy`: a contract reference.
    pub struct Umowa {
        /// `DataUmowy`: contract date.
        data_umowy: opt Date = "DataUmowy",
        /// `NrUmowy`: contract number.
        nr_umowy: opt String = "NrUmowy",
    }
}

xml_seq! {
    /// `WarunkiTransakcji/Zamowienia`: an order reference.
    pub struct ZamowienieRef {
        /// `DataZamowienia`: order date.
        data_zamowienia: opt Date = "DataZamowienia",
        /// `NrZamowienia`: order number.
        nr_zamowienia: opt String = "NrZamowienia",
    }
}

xml_seq! {
    /// `KursUmowny` + `WalutaUmowna`: the contractual exchange rate.
    pub struct KursUmowny {
        /// `KursUmowny`: rate.
        kurs_umowny: one Decimal = "KursUmowny",
        /// `WalutaUmowna`: currency.
        waluta_umowna: one KodWaluty = "WalutaUmowna",
    }
}

xml_seq! {
    /// `TransportInny` = 1 + `OpisInnegoTransportu`.
    pub struct TransportInny {
        /// `TransportInny`: flag.
        transport_inny: one Wybor1 = "TransportInny",
        /// `OpisInnegoTransportu`: description.
        opis_innego_transportu: one String = "OpisInnegoTransportu",
    }
}

xml_choice! {
    /// `RodzajTransportu` | `TransportInny` + `OpisInnegoTransportu`.
    pub enum RodzajTransportuWybor {
        /// `RodzajTransportu`: a listed mode.
        elem Rodzaj { rodzaj_transportu: RodzajTransportu = "RodzajTransportu" },
        /// Another mode.
        seq Inny(TransportInny),
    }
}

xml_seq! {
    /// `Transport/Przewoznik`: the carrier.
    pub struct Przewoznik {
        /// `DaneIdentyfikacyjne`: identifier and name.
        dane_identyfikacyjne: one DanePodmiotu2 = "DaneIdentyfikacyjne",
        /// `AdresPrzewoznika`: address.
        adres_przewoznika: one Adres = "AdresPrzewoznika",
    }
}

xml_seq! {
    /// `LadunekInny` = 1 + `OpisInnegoLadunku`.
    pub struct LadunekInny {
        /// `LadunekInny`: flag.
        ladunek_inny: one Wybor1 = "LadunekInny",
        /// `OpisInnegoLadunku`: description.
        opis_innego_ladunku: one String = "OpisInnegoLadunku",
    }
}

xml_choice! {
    /// `OpisLadunku` | `LadunekInny` + `OpisInnegoLadunku`.
    pub enum LadunekWybor {
        /// `OpisLadunku`: a listed packaging.
        elem Opis { opis_ladunku: Ladunek = "OpisLadunku" },
        /// Other cargo.
        seq Inny(LadunekInny),
    }
}

xml_seq! {
    /// `WarunkiTransakcji/Transport`: one transport.
    pub struct Transport {
        /// Mode of transport.
        rodzaj: group RodzajTransportuWybor,
        /// `Przewoznik`: carrier.
        przewoznik: opt Przewoznik = "Przewoznik",
        /// `NrZleceniaTransportu`: transport order number.
        nr_zlecenia_transportu: opt String = "NrZleceniaTransportu",
        /// Cargo.
        ladunek: group LadunekWybor,
        /// `JednostkaOpakowania`: packaging unit.
        jednostka_opakowania: opt String = "JednostkaOpakowania",
        /// `DataGodzRozpTransportu`: start of transport.
        data_godz_rozp_transportu: opt DateTime = "DataGodzRozpTransportu",
        /// `DataGodzZakTransportu`: end of transport.
        data_godz_zak_transportu: opt DateTime = "DataGodzZakTransportu",
        /// `WysylkaZ`: dispatch address.
        wysylka_z: opt Adres = "WysylkaZ",
        /// `WysylkaPrzez` (0..20): intermediate addresses.
        wysylka_przez: vec Adres = "WysylkaPrzez" (0, 20),
        /// `WysylkaDo`: destination address.
        wysylka_do: opt Adres = "WysylkaDo",
    }
}

xml_seq! {
    /// `Fa/WarunkiTransakcji`: terms of the transaction.
    pub struct WarunkiTransakcji {
        /// `Umowy` (0..100): contracts.
        umowy: vec Umowa = "Umowy" (0, 100),
        /// `Zamowienia` (0..100): orders.
        zamowienia: vec ZamowienieRef = "Zamowienia" (0, 100),
        /// `NrPartiiTowaru` (0..1000): batch numbers.
        nr_partii_towaru: vec String = "NrPartiiTowaru" (0, 1000),
        /// `WarunkiDostawy`: delivery terms (Incoterms).
        warunki_dostawy: opt String = "WarunkiDostawy",
        /// `KursUmowny` + `WalutaUmowna`.
        kurs_umowny: opt_group KursUmowny,
        /// `Transport` (0..20).
        transport: vec Transport = "Transport" (0, 20),
        /// `PodmiotPosredniczacy`: intermediary entity flag.
        podmiot_posredniczacy: opt Wybor1 = "PodmiotPosredniczacy",
    }
}
