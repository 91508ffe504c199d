//! Parties: `Podmiot1` (seller), `Podmiot2` (buyer), `Podmiot3` (third
//! parties), `PodmiotUpowazniony`, and the shared `TAdres`, `TPodmiot1/2/3`
//! types. FA3.md §4–§6.

use rust_decimal::Decimal;

use crate::xml::macros::{xml_choice, xml_seq};

use super::codes::{KodKraju, KodyKrajowUE};
use super::enums::{
    RolaPodmiotu3, RolaPodmiotuUpowaznionego, StatusInfoPodatnika, Wybor1, Wybor12,
};

xml_seq! {
    /// `TAdres`: a free-form address (`Adres`, `AdresKoresp`, `WysylkaZ`, ...).
    pub struct Adres {
        /// `KodKraju`: country.
        kod_kraju: one KodKraju = "KodKraju",
        /// `AdresL1`: first address line.
        adres_l1: one String = "AdresL1",
        /// `AdresL2`: second address line.
        adres_l2: opt String = "AdresL2",
        /// `GLN`: Global Location Number.
        gln: opt String = "GLN",
    }
}

xml_seq! {
    /// `TPodmiot1`: identification of the seller or authorised entity (NIP + name).
    pub struct DanePodmiotu1 {
        /// `NIP`: Polish tax identification number.
        nip: one String = "NIP",
        /// `Nazwa`: full name.
        nazwa: one String = "Nazwa",
    }
}

xml_seq! {
    /// EU VAT identification (`KodUE` + `NrVatUE`) in `TPodmiot2`/`TPodmiot3`.
    pub struct IdVatUE {
        /// `KodUE`: EU VAT prefix.
        kod_ue: one KodyKrajowUE = "KodUE",
        /// `NrVatUE`: VAT number without the prefix.
        nr_vat_ue: one String = "NrVatUE",
    }
}

xml_seq! {
    /// Another tax identifier (`KodKraju`? + `NrID`) in `TPodmiot2`/`TPodmiot3`.
    pub struct IdInny {
        /// `KodKraju`: issuing country.
        kod_kraju: opt KodKraju = "KodKraju",
        /// `NrID`: the identifier.
        nr_id: one String = "NrID",
    }
}

xml_choice! {
    /// The identifier choice of `TPodmiot2`: NIP | EU VAT | other id | none.
    pub enum IdPodmiotu2 {
        /// `NIP`: Polish NIP.
        elem Nip { nip: String = "NIP" },
        /// `KodUE` + `NrVatUE`.
        seq VatUE(IdVatUE),
        /// `KodKraju`? + `NrID`.
        seq Inny(IdInny),
        /// `BrakID`: no identifier.
        elem BrakId { brak_id: Wybor1 = "BrakID" },
    }
}

xml_seq! {
    /// `TPodmiot2`: buyer-like identification (identifier choice + optional name).
    pub struct DanePodmiotu2 {
        /// The identifier.
        id: group IdPodmiotu2,
        /// `Nazwa`: name.
        nazwa: opt String = "Nazwa",
    }
}

xml_choice! {
    /// The identifier choice of `TPodmiot3`: like [`IdPodmiotu2`] plus `IDWew`.
    pub enum IdPodmiotu3 {
        /// `NIP`: Polish NIP.
        elem Nip { nip: String = "NIP" },
        /// `IDWew`: internal identifier `NIP-nnnnn`.
        elem IdWew { id_wew: String = "IDWew" },
        /// `KodUE` + `NrVatUE`.
        seq VatUE(IdVatUE),
        /// `KodKraju`? + `NrID`.
        seq Inny(IdInny),
        /// `BrakID`: no identifier.
        elem BrakId { brak_id: Wybor1 = "BrakID" },
    }
}

xml_seq! {
    /// `TPodmiot3`: third-party identification (identifier choice + optional name).
    pub struct DanePodmiotu3 {
        /// The identifier.
        id: group IdPodmiotu3,
        /// `Nazwa`: name.
        nazwa: opt String = "Nazwa",
    }
}

xml_seq! {
    /// `DaneKontaktowe` of `Podmiot1`/`Podmiot2`/`Podmiot3`.
    pub struct DaneKontaktowe {
        /// `Email`.
        email: opt String = "Email",
        /// `Telefon`.
        telefon: opt String = "Telefon",
    }
}

xml_seq! {
    /// `Faktura/Podmiot1`: the seller.
    pub struct Podmiot1 {
        /// `PrefiksPodatnika`: VAT prefix (`PL`).
        prefiks_podatnika: opt KodyKrajowUE = "PrefiksPodatnika",
        /// `NrEORI`: EORI number.
        nr_eori: opt String = "NrEORI",
        /// `DaneIdentyfikacyjne`: NIP and name.
        dane_identyfikacyjne: one DanePodmiotu1 = "DaneIdentyfikacyjne",
        /// `Adres`: address.
        adres: one Adres = "Adres",
        /// `AdresKoresp`: correspondence address.
        adres_koresp: opt Adres = "AdresKoresp",
        /// `DaneKontaktowe` (0..3).
        dane_kontaktowe: vec DaneKontaktowe = "DaneKontaktowe" (0, 3),
        /// `StatusInfoPodatnika`: liquidation, restructuring, ...
        status_info_podatnika: opt StatusInfoPodatnika = "StatusInfoPodatnika",
    }
}

xml_seq! {
    /// `Faktura/Podmiot2`: the buyer.
    pub struct Podmiot2 {
        /// `NrEORI`: EORI number.
        nr_eori: opt String = "NrEORI",
        /// `DaneIdentyfikacyjne`: identifier and name.
        dane_identyfikacyjne: one DanePodmiotu2 = "DaneIdentyfikacyjne",
        /// `Adres`: address.
        adres: opt Adres = "Adres",
        /// `AdresKoresp`: correspondence address.
        adres_koresp: opt Adres = "AdresKoresp",
        /// `DaneKontaktowe` (0..3).
        dane_kontaktowe: vec DaneKontaktowe = "DaneKontaktowe" (0, 3),
        /// `NrKlienta`: customer number.
        nr_klienta: opt String = "NrKlienta",
        /// `IDNabywcy`: buyer id linking corrections.
        id_nabywcy: opt String = "IDNabywcy",
        /// `JST`: the invoice concerns a local-government unit (1 yes, 2 no).
        jst: one Wybor12 = "JST",
        /// `GV`: the invoice concerns a VAT-group member (1 yes, 2 no).
        gv: one Wybor12 = "GV",
    }
}

xml_seq! {
    /// `RolaInna` + `OpisRoli`: a role outside `TRolaPodmiotu3`.
    pub struct RolaInna {
        /// `RolaInna`: flag `1`.
        rola_inna: one Wybor1 = "RolaInna",
        /// `OpisRoli`: description of the role.
        opis_roli: one String = "OpisRoli",
    }
}

xml_choice! {
    /// The role choice of `Podmiot3`: `Rola` | `RolaInna` + `OpisRoli`.
    pub enum RolaPodmiotu3Wybor {
        /// `Rola`: a listed role.
        elem Rola { rola: RolaPodmiotu3 = "Rola" },
        /// Another role.
        seq Inna(RolaInna),
    }
}

xml_seq! {
    /// `Faktura/Podmiot3`: a third party (factor, recipient, additional buyer, ...).
    pub struct Podmiot3 {
        /// `IDNabywcy`: buyer id linking corrections.
        id_nabywcy: opt String = "IDNabywcy",
        /// `NrEORI`: EORI number.
        nr_eori: opt String = "NrEORI",
        /// `DaneIdentyfikacyjne`: identifier and name.
        dane_identyfikacyjne: one DanePodmiotu3 = "DaneIdentyfikacyjne",
        /// `Adres`: address.
        adres: opt Adres = "Adres",
        /// `AdresKoresp`: correspondence address.
        adres_koresp: opt Adres = "AdresKoresp",
        /// `DaneKontaktowe` (0..3).
        dane_kontaktowe: vec DaneKontaktowe = "DaneKontaktowe" (0, 3),
        /// `Rola` or `RolaInna` + `OpisRoli`.
        rola: group RolaPodmiotu3Wybor,
        /// `Udzial`: share (%) of an additional buyer.
        udzial: opt Decimal = "Udzial",
        /// `NrKlienta`: customer number.
        nr_klienta: opt String = "NrKlienta",
    }
}

xml_seq! {
    /// `DaneKontaktowe` of `PodmiotUpowazniony`.
    pub struct DaneKontaktowePU {
        /// `EmailPU`.
        email_pu: opt String = "EmailPU",
        /// `TelefonPU`.
        telefon_pu: opt String = "TelefonPU",
    }
}

xml_seq! {
    /// `Faktura/PodmiotUpowazniony`: enforcement authority, bailiff or tax representative.
    pub struct PodmiotUpowazniony {
        /// `NrEORI`: EORI number.
        nr_eori: opt String = "NrEORI",
        /// `DaneIdentyfikacyjne`: NIP and name.
        dane_identyfikacyjne: one DanePodmiotu1 = "DaneIdentyfikacyjne",
        /// `Adres`: address.
        adres: one Adres = "Adres",
        /// `AdresKoresp`: correspondence address.
        adres_koresp: opt Adres = "AdresKoresp",
        /// `DaneKontaktowe` (0..3).
        dane_kontaktowe: vec DaneKontaktowePU = "DaneKontaktowe" (0, 3),
        /// `RolaPU`: role.
        rola_pu: one RolaPodmiotuUpowaznionego = "RolaPU",
    }
}
