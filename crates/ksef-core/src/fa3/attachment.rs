//! `Faktura/Zalacznik`: the structured attachment (data blocks with key/value
//! metadata, paragraphs and tables). New in FA(3); FA3.md §2, §12.6.

use crate::xml::macros::xml_seq;
use crate::xml::read::{
    Elem, Path, XmlText, XmlValue, no_attrs, read_content_with_attrs, structure_error, value_error,
};
use crate::xml::write::Writer;
use crate::xml::{ReadError, WriteError};

use super::enums::TypKolumny;

xml_seq! {
    /// `BlokDanych/MetaDane`: a key/value pair.
    pub struct MetaDane {
        /// `ZKlucz`: key.
        z_klucz: one String = "ZKlucz",
        /// `ZWartosc`: value.
        z_wartosc: one String = "ZWartosc",
    }
}

xml_seq! {
    /// `BlokDanych/Tekst`: paragraphs.
    pub struct Tekst {
        /// `Akapit` (1..10): a paragraph.
        akapit: vec String = "Akapit" (1, 10),
    }
}

xml_seq! {
    /// `Tabela/TMetaDane`: a table key/value pair.
    pub struct TMetaDane {
        /// `TKlucz`: key.
        t_klucz: one String = "TKlucz",
        /// `TWartosc`: value.
        t_wartosc: one String = "TWartosc",
    }
}

xml_seq! {
    /// Content of `TNaglowek/Kol` (the `Typ` attribute is in [`Kol`]).
    pub struct KolTresc {
        /// `NKom`: column header text.
        n_kom: one String = "NKom",
    }
}

/// `Tabela/TNaglowek/Kol`: a column header with its type.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Kol {
    /// Attribute `Typ`: column data type.
    #[serde(rename = "Typ")]
    pub typ: TypKolumny,
    /// `NKom`: column header text.
    #[serde(rename = "NKom")]
    pub n_kom: String,
}

impl XmlValue for Kol {
    fn read_elem(e: &Elem<'_>, path: &Path<'_>) -> Result<Self, ReadError> {
        no_attrs(e, path, &["Typ"])?;
        let Some((_, raw)) = e.attrs.iter().find(|(k, _)| &**k == "Typ") else {
            return Err(structure_error(
                path,
                e,
                "attribute `Typ`",
                "no such attribute",
            ));
        };
        let typ = TypKolumny::parse_text(raw)
            .map_err(|m| value_error(e, &path.child("@Typ", None), raw, m))?;
        let tresc: KolTresc = read_content_with_attrs(e, path, &["Typ"])?;
        Ok(Kol {
            typ,
            n_kom: tresc.n_kom,
        })
    }

    fn write_elem(&self, name: &'static str, w: &mut Writer) -> Result<(), WriteError> {
        w.start_with_attrs(name, &[("Typ", self.typ.as_str())])?;
        w.text_elem("NKom", &self.n_kom)?;
        w.end(name);
        Ok(())
    }
}

xml_seq! {
    /// `Tabela/TNaglowek`: column headers.
    pub struct TNaglowek {
        /// `Kol` (1..20).
        kol: vec Kol = "Kol" (1, 20),
    }
}

xml_seq! {
    /// `Tabela/Wiersz`: a table row.
    pub struct Wiersz {
        /// `WKom` (1..20): cells.
        w_kom: vec String = "WKom" (1, 20),
    }
}

xml_seq! {
    /// `Tabela/Suma`: the totals row.
    pub struct Suma {
        /// `SKom` (1..20): cells.
        s_kom: vec String = "SKom" (1, 20),
    }
}

xml_seq! {
    /// `BlokDanych/Tabela`: a table.
    pub struct Tabela {
        /// `TMetaDane` (0..1000): table metadata.
        t_meta_dane: vec TMetaDane = "TMetaDane" (0, 1000),
        /// `Opis`: description.
        opis: opt String = "Opis",
        /// `TNaglowek`: column headers.
        t_naglowek: one TNaglowek = "TNaglowek",
        /// `Wiersz` (1..1000): rows.
        wiersz: vec Wiersz = "Wiersz" (1, 1000),
        /// `Suma`: totals row.
        suma: opt Suma = "Suma",
    }
}

xml_seq! {
    /// `Zalacznik/BlokDanych`: one data block.
    pub struct BlokDanych {
        /// `ZNaglowek`: block heading.
        z_naglowek: opt String = "ZNaglowek",
        /// `MetaDane` (1..1000): key/value pairs.
        meta_dane: vec MetaDane = "MetaDane" (1, 1000),
        /// `Tekst`: paragraphs.
        tekst: opt Tekst = "Tekst",
        /// `Tabela` (0..1000): tables.
        tabela: vec Tabela = "Tabela" (0, 1000),
    }
}

xml_seq! {
    /// `Faktura/Zalacznik`: the structured attachment.
    pub struct Zalacznik {
        /// `BlokDanych` (1..1000).
        blok_danych: vec BlokDanych = "BlokDanych" (1, 1000),
    }
}
