//! The model pass: drives the [`Walker`] from the model's serde tree, whose keys are the
//! XSD element names (`fa3` module convention), so the same table checks the values the
//! model can hold out of facet.

use super::Walker;
use crate::validate::Report;
use crate::validate::tree::El;

/// Walks the model's serde tree (keys are XSD names) through the same table: values,
/// attributes and counts. Order and presence are the model's business (serde maps are
/// not ordered like the XSD, and the model's types make mandatory elements mandatory).
pub(crate) fn scan_value(value: &serde_json::Value, report: &mut Report) -> Option<El> {
    let mut w = Walker::new(report, false);
    walk_value(&mut w, "Faktura", value);
    w.root.take()
}

fn scalar(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(if *b { "1" } else { "0" }.to_string()),
        _ => None,
    }
}

fn walk_value(w: &mut Walker<'_>, name: &str, v: &serde_json::Value) {
    use serde_json::Value;
    match v {
        Value::Null => {}
        Value::Array(items) => {
            for item in items {
                walk_value(w, name, item);
            }
        }
        Value::Object(map) => {
            if !w.start(name) {
                w.end();
                return;
            }
            let simple = w
                .stack
                .last()
                .and_then(|f| f.node)
                .is_some_and(|n| n.ty.is_some());
            for (k, child) in map {
                if simple {
                    let Some(s) = scalar(child) else { continue };
                    if k == "value" {
                        w.text(&s);
                    } else {
                        w.attribute(k, &s);
                    }
                } else if let Some(s) = scalar(child).filter(|_| w.is_attribute(k)) {
                    // The model keeps attributes of complex elements (`Kol/@Typ`) as fields.
                    w.attribute(k, &s);
                } else {
                    walk_value(w, k, child);
                }
            }
            w.end();
        }
        other => {
            let opened = w.start(name);
            if let (true, Some(s)) = (opened, scalar(other)) {
                w.text(&s);
            }
            w.end();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fa3::Faktura;

    /// Every key of the model's serde form of every MF sample is a schema path, so the
    /// model pass checks every value the XML pass checks.
    #[test]
    fn model_json_maps_onto_the_schema() {
        let shared = std::env::var("KSEF_SHARED").map_or_else(
            |_| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
            std::path::PathBuf::from,
        );
        let dir = shared.join("ksef/samples/fa3-mf-official");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return; // shared/ not beside the repo: covered by tests/validate.rs
        };
        for e in entries {
            let path = e.unwrap().path();
            let f = Faktura::from_xml(&std::fs::read(&path).unwrap()).unwrap();
            let v = serde_json::to_value(&f).unwrap();
            let mut report = Report::default();
            let mut w = Walker::new(&mut report, false);
            walk_value(&mut w, "Faktura", &v);
            assert!(
                w.unmapped.is_empty(),
                "{}: {:?}",
                path.display(),
                w.unmapped
            );
            assert!(w.root.is_some());
        }
    }
}
