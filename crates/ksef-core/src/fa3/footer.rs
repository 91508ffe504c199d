//! `Faktura/Stopka`: footer texts and registry numbers. FA3.md §2.

use crate::xml::macros::xml_seq;

xml_seq! {
    /// `Stopka/Informacje`: a footer text block.
    pub struct Informacje {
        /// `StopkaFaktury`: footer text.
        stopka_faktury: opt String = "StopkaFaktury",
    }
}

xml_seq! {
    /// `Stopka/Rejestry`: registry numbers.
    pub struct Rejestry {
        /// `PelnaNazwa`: full name.
        pelna_nazwa: opt String = "PelnaNazwa",
        /// `KRS`: National Court Register number.
        krs: opt String = "KRS",
        /// `REGON`: statistical number.
        regon: opt String = "REGON",
        /// `BDO`: waste database number.
        bdo: opt String = "BDO",
    }
}

xml_seq! {
    /// `Faktura/Stopka`: the footer.
    pub struct Stopka {
        /// `Informacje` (0..3).
        informacje: vec Informacje = "Informacje" (0, 3),
        /// `Rejestry` (0..100).
        rejestry: vec Rejestry = "Rejestry" (0, 100),
    }
}
