//! `Fa/Adnotacje`: the mandatory annotations block and its choices
//! (`Zwolnienie`, `NoweSrodkiTransportu`, `PMarzy`). FA3.md §7.1.

use crate::xml::macros::{xml_choice, xml_seq};

use super::enums::{Wybor1, Wybor12};
use super::types::Date;

xml_choice! {
    /// Legal basis of an exemption: `P_19A` | `P_19B` | `P_19C`.
    pub enum PodstawaZwolnienia {
        /// `P_19A`: provision of the Polish VAT Act.
        elem P19A { p_19a: String = "P_19A" },
        /// `P_19B`: provision of Directive 2006/112/EC.
        elem P19B { p_19b: String = "P_19B" },
        /// `P_19C`: another legal basis.
        elem P19C { p_19c: String = "P_19C" },
    }
}

xml_seq! {
    /// `P_19` = 1 with the exemption basis.
    pub struct ZwolnienieTak {
        /// `P_19`: exempt supply flag.
        p_19: one Wybor1 = "P_19",
        /// `P_19A` | `P_19B` | `P_19C`.
        podstawa: group PodstawaZwolnienia,
    }
}

xml_choice! {
    /// `Adnotacje/Zwolnienie`: exempt supply (with basis) or `P_19N`.
    pub enum Zwolnienie {
        /// Exempt supply.
        seq Tak(ZwolnienieTak),
        /// `P_19N`: no exempt supply.
        elem Nie { p_19n: Wybor1 = "P_19N" },
    }
}

xml_choice! {
    /// Land-vehicle registration data: `P_22B1` | `P_22B2` | `P_22B3` | `P_22B4`.
    pub enum IdPojazdu {
        /// `P_22B1`: VIN.
        elem P22B1 { p_22b1: String = "P_22B1" },
        /// `P_22B2`: chassis number.
        elem P22B2 { p_22b2: String = "P_22B2" },
        /// `P_22B3`: frame number.
        elem P22B3 { p_22b3: String = "P_22B3" },
        /// `P_22B4`: type.
        elem P22B4 { p_22b4: String = "P_22B4" },
    }
}

xml_seq! {
    /// Land vehicle (`P_22B` mileage, optional id, `P_22BT` type).
    pub struct PojazdLadowy {
        /// `P_22B`: mileage.
        p_22b: one String = "P_22B",
        /// One of `P_22B1`..`P_22B4`.
        id: opt_group IdPojazdu,
        /// `P_22BT`: vehicle type.
        p_22bt: opt String = "P_22BT",
    }
}

xml_seq! {
    /// Vessel (`P_22C` hours of use, `P_22C1` hull number).
    pub struct JednostkaPlywajaca {
        /// `P_22C`: hours of use.
        p_22c: one String = "P_22C",
        /// `P_22C1`: hull number.
        p_22c1: opt String = "P_22C1",
    }
}

xml_seq! {
    /// Aircraft (`P_22D` flight hours, `P_22D1` serial number).
    pub struct StatekPowietrzny {
        /// `P_22D`: flight hours.
        p_22d: one String = "P_22D",
        /// `P_22D1`: serial number.
        p_22d1: opt String = "P_22D1",
    }
}

xml_choice! {
    /// Kind of new means of transport: land vehicle | vessel | aircraft.
    pub enum RodzajSrodkaTransportu {
        /// Land vehicle.
        seq Pojazd(PojazdLadowy),
        /// Vessel.
        seq Jednostka(JednostkaPlywajaca),
        /// Aircraft.
        seq Statek(StatekPowietrzny),
    }
}

xml_seq! {
    /// `NoweSrodkiTransportu/NowySrodekTransportu`: one new means of transport.
    pub struct NowySrodekTransportu {
        /// `P_22A`: date of first use.
        p_22a: one Date = "P_22A",
        /// `P_NrWierszaNST`: invoice line number of the vehicle.
        p_nr_wiersza_nst: one u64 = "P_NrWierszaNST",
        /// `P_22BMK`: make.
        p_22bmk: opt String = "P_22BMK",
        /// `P_22BMD`: model.
        p_22bmd: opt String = "P_22BMD",
        /// `P_22BK`: colour.
        p_22bk: opt String = "P_22BK",
        /// `P_22BNR`: registration number.
        p_22bnr: opt String = "P_22BNR",
        /// `P_22BRP`: year of production.
        p_22brp: opt String = "P_22BRP",
        /// Vehicle, vessel or aircraft data.
        rodzaj: group RodzajSrodkaTransportu,
    }
}

xml_seq! {
    /// `P_22` = 1: intra-community supply of new means of transport.
    pub struct NoweSrodkiTransportuTak {
        /// `P_22`: flag.
        p_22: one Wybor1 = "P_22",
        /// `P_42_5`: obligation under art. 42 ust. 5 (1 yes, 2 no).
        p_42_5: one Wybor12 = "P_42_5",
        /// `NowySrodekTransportu` (1..10000).
        nowy_srodek_transportu: vec NowySrodekTransportu = "NowySrodekTransportu" (1, 10000),
    }
}

xml_choice! {
    /// `Adnotacje/NoweSrodkiTransportu`: supply of new means of transport or `P_22N`.
    pub enum NoweSrodkiTransportu {
        /// Supply of new means of transport.
        seq Tak(NoweSrodkiTransportuTak),
        /// `P_22N`: none.
        elem Nie { p_22n: Wybor1 = "P_22N" },
    }
}

xml_choice! {
    /// Margin-scheme kind: `P_PMarzy_2` | `P_PMarzy_3_1` | `P_PMarzy_3_2` | `P_PMarzy_3_3`.
    pub enum RodzajMarzy {
        /// `P_PMarzy_2`: travel agencies.
        elem BiuraPodrozy { p_pmarzy_2: Wybor1 = "P_PMarzy_2" },
        /// `P_PMarzy_3_1`: second-hand goods.
        elem TowaryUzywane { p_pmarzy_3_1: Wybor1 = "P_PMarzy_3_1" },
        /// `P_PMarzy_3_2`: works of art.
        elem DzielaSztuki { p_pmarzy_3_2: Wybor1 = "P_PMarzy_3_2" },
        /// `P_PMarzy_3_3`: collectors' items and antiques.
        elem Antyki { p_pmarzy_3_3: Wybor1 = "P_PMarzy_3_3" },
    }
}

xml_seq! {
    /// `P_PMarzy` = 1 with the margin-scheme kind.
    pub struct PMarzyTak {
        /// `P_PMarzy`: margin-scheme flag.
        p_pmarzy: one Wybor1 = "P_PMarzy",
        /// The margin-scheme kind.
        rodzaj: group RodzajMarzy,
    }
}

xml_choice! {
    /// `Adnotacje/PMarzy`: margin scheme or `P_PMarzyN`.
    pub enum PMarzy {
        /// Margin scheme applies.
        seq Tak(PMarzyTak),
        /// `P_PMarzyN`: no margin scheme.
        elem Nie { p_pmarzy_n: Wybor1 = "P_PMarzyN" },
    }
}

xml_seq! {
    /// `Fa/Adnotacje`: annotations (all mandatory).
    pub struct Adnotacje {
        /// `P_16`: cash accounting (1 yes, 2 no).
        p_16: one Wybor12 = "P_16",
        /// `P_17`: self-billing.
        p_17: one Wybor12 = "P_17",
        /// `P_18`: reverse charge.
        p_18: one Wybor12 = "P_18",
        /// `P_18A`: split payment.
        p_18a: one Wybor12 = "P_18A",
        /// `Zwolnienie`: exemption.
        zwolnienie: one Zwolnienie = "Zwolnienie",
        /// `NoweSrodkiTransportu`: new means of transport.
        nowe_srodki_transportu: one NoweSrodkiTransportu = "NoweSrodkiTransportu",
        /// `P_23`: simplified triangular procedure.
        p_23: one Wybor12 = "P_23",
        /// `PMarzy`: margin scheme.
        p_marzy: one PMarzy = "PMarzy",
    }
}

impl Adnotacje {
    /// The annotations of an ordinary invoice: every flag `2` (no), and
    /// `P_19N`, `P_22N`, `P_PMarzyN` chosen (FA3.md §7.1).
    pub fn standard() -> Self {
        Adnotacje {
            p_16: Wybor12::Nie,
            p_17: Wybor12::Nie,
            p_18: Wybor12::Nie,
            p_18a: Wybor12::Nie,
            zwolnienie: Zwolnienie::Nie { p_19n: Wybor1::Tak },
            nowe_srodki_transportu: NoweSrodkiTransportu::Nie { p_22n: Wybor1::Tak },
            p_23: Wybor12::Nie,
            p_marzy: PMarzy::Nie {
                p_pmarzy_n: Wybor1::Tak,
            },
        }
    }
}
