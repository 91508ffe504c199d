//! Strict reading of the JSON form of the model (the serde form, with the XSD
//! element names as keys). Plain `serde_json::from_*` ignores unknown keys
//! (flattened groups rule out `deny_unknown_fields`); [`Faktura::from_json`]
//! also reports any key the model does not know, with its path.

use serde_json::Value;

use super::Faktura;

/// Why a JSON document is not a valid model.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JsonError {
    /// Not JSON, or a value does not fit the model (serde's message).
    #[error("invalid model json: {0}")]
    Invalid(String),
    /// A key the model does not know (misspelled, or a choice mixing branches).
    #[error("unknown key at {path}")]
    UnknownKey {
        /// Path of the key, e.g. `Fa/FaWiersz[2]/P_12x`.
        path: String,
    },
}

impl Faktura {
    /// Reads the JSON form of the model, rejecting unknown keys.
    pub fn from_json(json: &[u8]) -> Result<Faktura, JsonError> {
        let model: Faktura =
            serde_json::from_slice(json).map_err(|e| JsonError::Invalid(e.to_string()))?;
        let input: Value =
            serde_json::from_slice(json).map_err(|e| JsonError::Invalid(e.to_string()))?;
        let known = serde_json::to_value(&model).map_err(|e| JsonError::Invalid(e.to_string()))?;
        match unknown_key(&input, &known, "") {
            Some(path) => Err(JsonError::UnknownKey { path }),
            None => Ok(model),
        }
    }
}

/// The first key of `input` that `known` (the model re-serialized) lacks.
/// Null values and empty arrays stand for absent optional elements.
fn unknown_key(input: &Value, known: &Value, path: &str) -> Option<String> {
    let join = |k: &str| {
        if path.is_empty() {
            k.to_owned()
        } else {
            format!("{path}/{k}")
        }
    };
    match (input, known) {
        (Value::Object(a), Value::Object(b)) => a.iter().find_map(|(k, v)| match b.get(k) {
            Some(w) => unknown_key(v, w, &join(k)),
            None if v.is_null() || v.as_array().is_some_and(Vec::is_empty) => None,
            None => Some(join(k)),
        }),
        (Value::Array(a), Value::Array(b)) => a
            .iter()
            .zip(b)
            .enumerate()
            .find_map(|(i, (v, w))| unknown_key(v, w, &format!("{path}[{}]", i + 1))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"{
      "Naglowek": {"KodFormularza": {"kodSystemowy": "FA (3)", "wersjaSchemy": "1-0E", "value": "FA"},
                   "WariantFormularza": "3", "DataWytworzeniaFa": "2026-02-01T10:00:00Z"},
      "Podmiot1": {"DaneIdentyfikacyjne": {"NIP": "5265877635", "Nazwa": "S"},
                   "Adres": {"KodKraju": "PL", "AdresL1": "A"}},
      "Podmiot2": {"DaneIdentyfikacyjne": {"BrakID": "1"}, "JST": "2", "GV": "2"},
      "Fa": {"KodWaluty": "PLN", "P_1": "2026-02-01", "P_2": "1", "P_15": "0",
             "Adnotacje": {"P_16": "2", "P_17": "2", "P_18": "2", "P_18A": "2",
                           "Zwolnienie": {"P_19N": "1"}, "NoweSrodkiTransportu": {"P_22N": "1"},
                           "P_23": "2", "PMarzy": {"P_PMarzyN": "1"}},
             "RodzajFaktury": "VAT", "WZ": [], "P_1M": null,
             "FaWiersz": [{"NrWierszaFa": 1}, {"NrWierszaFa": 2, "P_12": "23"}]}
    }"#;

    #[test]
    fn accepts_the_model_and_rejects_unknown_keys_with_their_path() {
        let m = Faktura::from_json(MINIMAL.as_bytes()).unwrap();
        assert_eq!(m.fa.fa_wiersz.len(), 2);
        let bad = MINIMAL.replace(r#""P_12": "23""#, r#""P_12x": "23""#);
        assert_eq!(
            Faktura::from_json(bad.as_bytes()).unwrap_err(),
            JsonError::UnknownKey {
                path: "Fa/FaWiersz[2]/P_12x".into()
            }
        );
        // A choice mixing two branches: the second branch's key is unknown.
        let bad = MINIMAL.replace(r#"{"P_19N": "1"}"#, r#"{"P_19N": "1", "P_19": "1"}"#);
        assert_eq!(
            Faktura::from_json(bad.as_bytes()).unwrap_err(),
            JsonError::UnknownKey {
                path: "Fa/Adnotacje/Zwolnienie/P_19".into()
            }
        );
        let bad = MINIMAL.replace(r#""RodzajFaktury": "VAT""#, r#""RodzajFaktury": "FV""#);
        assert!(matches!(
            Faktura::from_json(bad.as_bytes()),
            Err(JsonError::Invalid(m)) if m.contains("invalid TRodzajFaktury value \"FV\"")
        ));
    }
}
