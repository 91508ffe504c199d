//! The FA(3) structured invoice model (`schemat_FA(3)_v1-0E.xsd`, namespace
//! `http://crd.gov.pl/wzor/2025/06/25/13775/`); see `shared/ksef/FA3.md`.
//!
//! One Rust type per XSD sequence (struct), choice (untagged enum) and
//! enumeration (enum), fields in schema order. Field names are snake_case with
//! `#[serde(rename)]` to the exact XSD name, so the JSON form of the model
//! speaks the XSD vocabulary (`"P_1"`, `"FaWiersz"`, ...); inline XSD groups
//! and choices are flattened into their parent's JSON object. Facets (lengths,
//! patterns, digit counts, date ranges) are not enforced by the model or the
//! reader (the validator reports them); structure and enumeration values are.
//!
//! Read and write with [`Faktura::from_xml`] and [`Faktura::to_xml`]; read the
//! JSON form strictly (unknown keys rejected) with [`Faktura::from_json`].
//!
//! ```
//! use ksef_core::fa3::{Faktura, RodzajFaktury};
//!
//! let xml = include_bytes!("../tests/fixtures/fa3/zalacznik-tabele.xml");
//! let mut invoice = Faktura::from_xml(xml)?;
//! assert_eq!(invoice.fa.rodzaj_faktury, RodzajFaktury::Vat);
//! invoice.fa.p_2 = "E/8/2026".into();
//! let out = invoice.to_xml()?; // deterministic bytes, schema order
//! assert_eq!(Faktura::from_xml(&out)?, invoice);
//! // The JSON form uses the XSD names.
//! let json = serde_json::to_string(&invoice).unwrap();
//! assert!(json.contains(r#""P_2":"E/8/2026""#));
//! assert_eq!(Faktura::from_json(json.as_bytes())?, invoice);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod annotations;
mod attachment;
mod body;
mod codes;
mod corrections;
mod enums;
mod footer;
mod header;
mod json;
mod lines;
mod order;
mod parties;
mod payment;
mod settlement;
mod transaction;
mod types;
pub(crate) use types::calendar_date;

pub use annotations::{
    Adnotacje, IdPojazdu, JednostkaPlywajaca, NoweSrodkiTransportu, NoweSrodkiTransportuTak,
    NowySrodekTransportu, PMarzy, PMarzyTak, PodstawaZwolnienia, PojazdLadowy, RodzajMarzy,
    RodzajSrodkaTransportu, StatekPowietrzny, Zwolnienie, ZwolnienieTak,
};
pub use attachment::{
    BlokDanych, Kol, KolTresc, MetaDane, Suma, TMetaDane, TNaglowek, Tabela, Tekst, Wiersz,
    Zalacznik,
};
pub use body::{
    DataDostawy, Fa, FakturaZaliczkowa, FakturaZaliczkowaPozaKsef, KluczWartosc, OkresFa,
    ProceduraOss, StawkaObnizona1, StawkaObnizona2, StawkaPodstawowa, StawkaRyczalt,
    ZaliczkaCzesciowa,
};
pub use codes::{KodKraju, KodWaluty, KodyKrajowUE};
pub use corrections::{
    DaneFaKorygowanej, Korekta, KorygowanaWKsef, KwotaPrzedKorekta, NrKsefKorygowanej, Podmiot1K,
    Podmiot2K,
};
pub use enums::{
    FormaPlatnosci, Gtu, KodFormularzaWartosc, Ladunek, OznaczenieProcedury, OznaczenieProceduryZ,
    RachunekWlasnyBanku, RodzajFaktury, RodzajTransportu, RolaPodmiotu3, RolaPodmiotuUpowaznionego,
    StatusInfoPodatnika, StawkaPodatku, TypKolumny, TypKorekty, WariantFormularza, Wybor1, Wybor12,
};
pub use footer::{Informacje, Rejestry, Stopka};
pub use header::{KodFormularza, Naglowek};
pub use json::JsonError;
pub use lines::FaWiersz;
pub use order::{Zamowienie, ZamowienieWiersz};
pub use parties::{
    Adres, DaneKontaktowe, DaneKontaktowePU, DanePodmiotu1, DanePodmiotu2, DanePodmiotu3, IdInny,
    IdPodmiotu2, IdPodmiotu3, IdVatUE, Podmiot1, Podmiot2, Podmiot3, PodmiotUpowazniony, RolaInna,
    RolaPodmiotu3Wybor,
};
pub use payment::{
    FormaPlatnosciWybor, Platnosc, PlatnoscInna, RachunekBankowy, Skonto, StatusZaplaty,
    TerminOpis, TerminPlatnosci, Zaplacono, ZaplataCzesciowa, ZaplataCzesciowaGrupa,
};
pub use settlement::{KwotaPowod, Rozliczenie, WynikRozliczenia};
pub use transaction::{
    KursUmowny, LadunekInny, LadunekWybor, Przewoznik, RodzajTransportuWybor, Transport,
    TransportInny, Umowa, WarunkiTransakcji, ZamowienieRef,
};
pub use types::{Date, DateTime, ParseDateError, ParseEnumError, Timezone};

use crate::xml::macros::xml_seq;
use crate::xml::read::{Content, Path, parse_tree, read_content};
use crate::xml::write::Writer;
use crate::xml::{NS, ReadError, WriteError};

xml_seq! {
    /// `Faktura`: the root element of an FA(3) invoice.
    pub struct Faktura {
        /// `Naglowek`: header.
        naglowek: one Naglowek = "Naglowek",
        /// `Podmiot1`: seller.
        podmiot1: one Podmiot1 = "Podmiot1",
        /// `Podmiot2`: buyer.
        podmiot2: one Podmiot2 = "Podmiot2",
        /// `Podmiot3` (0..100): third parties.
        podmiot3: vec Podmiot3 = "Podmiot3" (0, 100),
        /// `PodmiotUpowazniony`: authorised entity.
        podmiot_upowazniony: opt PodmiotUpowazniony = "PodmiotUpowazniony",
        /// `Fa`: invoice body.
        fa: one Fa = "Fa",
        /// `Stopka`: footer.
        stopka: opt Stopka = "Stopka",
        /// `Zalacznik`: structured attachment.
        zalacznik: opt Zalacznik = "Zalacznik",
    }
}

impl Faktura {
    /// Reads an FA(3) document (UTF-8, any namespace prefix, comments, CDATA).
    ///
    /// Structure (order, required elements, cardinalities, unknown elements)
    /// and enumeration values are checked; facets are not.
    pub fn from_xml(xml: &[u8]) -> Result<Faktura, ReadError> {
        let (root, text) = parse_tree(xml)?;
        let path = Path::root("Faktura", text);
        if root.name != "Faktura" {
            let (line, column) = path.at(&root);
            return Err(ReadError::Structure {
                path: root.name.to_string(),
                line,
                column,
                expected: "root element `Faktura`".into(),
                found: format!("`{}`", root.name),
            });
        }
        read_content(&root, &path)
    }

    /// Writes the invoice as deterministic FA(3) XML (UTF-8, no BOM, default
    /// namespace, schema order, two-space indentation).
    pub fn to_xml(&self) -> Result<Vec<u8>, WriteError> {
        let mut w = Writer::new(4096 + 1024 * self.fa.fa_wiersz.len());
        w.start_with_attrs("Faktura", &[("xmlns", NS)])?;
        Content::write(self, &mut w)?;
        w.end("Faktura");
        Ok(w.finish())
    }
}
