//! `Naglowek` (`TNaglowek`): form code, variant, creation time, system info. FA3.md §3.

use crate::xml::macros::xml_seq;
use crate::xml::read::{Elem, Path, XmlText, XmlValue, no_attrs, structure_error, value_error};
use crate::xml::write::Writer;
use crate::xml::{ReadError, WriteError};

use super::enums::{KodFormularzaWartosc, WariantFormularza};
use super::types::DateTime;

/// `Naglowek/KodFormularza`: the form code `FA` with its fixed attributes.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct KodFormularza {
    /// Attribute `kodSystemowy` (fixed `FA (3)`).
    #[serde(rename = "kodSystemowy")]
    pub kod_systemowy: String,
    /// Attribute `wersjaSchemy` (fixed `1-0E`).
    #[serde(rename = "wersjaSchemy")]
    pub wersja_schemy: String,
    /// Element text (`FA`).
    #[serde(rename = "value")]
    pub value: KodFormularzaWartosc,
}

impl KodFormularza {
    /// The only valid value: `FA` with `kodSystemowy="FA (3)"`, `wersjaSchemy="1-0E"`.
    pub fn fa3() -> Self {
        KodFormularza {
            kod_systemowy: "FA (3)".into(),
            wersja_schemy: "1-0E".into(),
            value: KodFormularzaWartosc::Fa,
        }
    }
}

impl XmlValue for KodFormularza {
    fn read_elem(e: &Elem<'_>, path: &Path<'_>) -> Result<Self, ReadError> {
        no_attrs(e, path, &["kodSystemowy", "wersjaSchemy"])?;
        let attr = |name: &'static str| {
            e.attrs
                .iter()
                .find(|(k, _)| &**k == name)
                .map(|(_, v)| v.clone().into_owned())
                .ok_or_else(|| {
                    structure_error(path, e, format!("attribute `{name}`"), "no such attribute")
                })
        };
        let kod_systemowy = attr("kodSystemowy")?;
        let wersja_schemy = attr("wersjaSchemy")?;
        let text = text_of_any(e, path)?;
        let value =
            KodFormularzaWartosc::parse_text(text).map_err(|m| value_error(e, path, text, m))?;
        Ok(KodFormularza {
            kod_systemowy,
            wersja_schemy,
            value,
        })
    }

    fn write_elem(&self, name: &'static str, w: &mut Writer) -> Result<(), WriteError> {
        w.start_with_attrs(
            name,
            &[
                ("kodSystemowy", &self.kod_systemowy),
                ("wersjaSchemy", &self.wersja_schemy),
            ],
        )?;
        w.text(self.value.as_str())?;
        w.end(name);
        Ok(())
    }
}

/// Checks that `e` has no child elements (attributes are checked by the caller).
pub(crate) fn text_of_any<'x>(e: &'x Elem<'_>, path: &Path<'_>) -> Result<&'x str, ReadError> {
    if let Some(c) = e.children.first() {
        return Err(structure_error(
            path,
            c,
            "text only",
            format!("element `{}`", c.name),
        ));
    }
    Ok(&e.text)
}

xml_seq! {
    /// `Faktura/Naglowek` (`TNaglowek`): the document header.
    pub struct Naglowek {
        /// `KodFormularza`: form code with `kodSystemowy`/`wersjaSchemy`.
        kod_formularza: one KodFormularza = "KodFormularza",
        /// `WariantFormularza`: form variant (`3`).
        wariant_formularza: one WariantFormularza = "WariantFormularza",
        /// `DataWytworzeniaFa`: when the invoice document was created.
        data_wytworzenia_fa: one DateTime = "DataWytworzeniaFa",
        /// `SystemInfo`: name of the issuing system.
        system_info: opt String = "SystemInfo",
    }
}

impl Naglowek {
    /// The FA(3) header: `FA` / `FA (3)` / `1-0E`, variant 3, created at `created`.
    pub fn fa3(created: DateTime) -> Self {
        Naglowek {
            kod_formularza: KodFormularza::fa3(),
            wariant_formularza: WariantFormularza::Fa3,
            data_wytworzenia_fa: created,
            system_info: None,
        }
    }
}
