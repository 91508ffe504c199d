//! Mechanical check of every response the tests receive through the [`Sim`](super::Sim)
//! helpers against `open-api.json`: the status code must be documented for the operation,
//! and a JSON body must match the response schema for its content type (`$ref`, `allOf`,
//! `type`, `required`, `properties` — undocumented fields are errors —, `items`, `enum`,
//! `nullable`, string lengths).

use std::sync::OnceLock;

use serde_json::Value;

fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        let p = super::schemas().join("../spec/open-api.json");
        serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
    })
}

fn resolve(s: &Value) -> &Value {
    match s.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r.rsplit('/').next().unwrap();
            resolve(&spec()["components"]["schemas"][name])
        }
        None => s,
    }
}

/// The documented operation for a concrete `/v2/...` path, best (most literal) match.
fn operation(method: &str, path: &str) -> Option<(&'static str, &'static Value)> {
    let rel = path.strip_prefix("/v2")?;
    let segs: Vec<&str> = rel.split('/').collect();
    let mut best: Option<(usize, &str, &Value)> = None;
    for (tpl, item) in spec()["paths"].as_object()? {
        let t: Vec<&str> = tpl.split('/').collect();
        if t.len() != segs.len() {
            continue;
        }
        let mut literal = 0;
        let ok = t.iter().zip(&segs).all(|(a, b)| {
            if a.starts_with('{') {
                true
            } else {
                literal += 1;
                a == b
            }
        });
        if ok
            && let Some(op) = item.get(method)
            && best.is_none_or(|(l, _, _)| literal > l)
        {
            best = Some((literal, tpl.as_str(), op));
        }
    }
    best.map(|(_, t, op)| (t, op))
}

fn check(schema: &Value, v: &Value, at: &str, errs: &mut Vec<String>) {
    let s = resolve(schema);
    if v.is_null() {
        if s.get("nullable") != Some(&Value::Bool(true)) && s.get("allOf").is_none() {
            errs.push(format!("{at}: null not allowed"));
        }
        return;
    }
    if let Some(all) = s.get("allOf").and_then(Value::as_array) {
        for sub in all {
            check(sub, v, at, errs);
        }
    }
    if let Some(e) = s.get("enum").and_then(Value::as_array)
        && !e.contains(v)
    {
        errs.push(format!("{at}: {v} not in enum"));
    }
    match s.get("type").and_then(Value::as_str) {
        Some("object") => {
            let Some(o) = v.as_object() else {
                errs.push(format!("{at}: expected object"));
                return;
            };
            for r in s
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let r = r.as_str().unwrap();
                if !o.contains_key(r) {
                    errs.push(format!("{at}: missing required {r}"));
                }
            }
            let props = s.get("properties").and_then(Value::as_object);
            let additional = s.get("additionalProperties");
            for (k, val) in o {
                match props.and_then(|p| p.get(k)) {
                    Some(ps) => {
                        let nullable = ps.get("nullable") == Some(&Value::Bool(true));
                        if !(val.is_null() && nullable) {
                            check(ps, val, &format!("{at}.{k}"), errs);
                        }
                    }
                    None => match additional {
                        Some(a) if a.is_object() => check(a, val, &format!("{at}.{k}"), errs),
                        Some(Value::Bool(true)) => {}
                        _ => errs.push(format!("{at}: undocumented field {k}")),
                    },
                }
            }
        }
        Some("array") => match v.as_array() {
            Some(a) => {
                for (i, x) in a.iter().enumerate() {
                    check(&s["items"], x, &format!("{at}[{i}]"), errs);
                }
            }
            None => errs.push(format!("{at}: expected array")),
        },
        Some("string") => match v.as_str() {
            Some(x) => {
                let n = x.chars().count() as u64;
                if s.get("maxLength")
                    .and_then(Value::as_u64)
                    .is_some_and(|m| n > m)
                    || s.get("minLength")
                        .and_then(Value::as_u64)
                        .is_some_and(|m| n < m)
                {
                    errs.push(format!("{at}: length {n} out of bounds"));
                }
            }
            None => errs.push(format!("{at}: expected string")),
        },
        Some("integer") if !(v.is_i64() || v.is_u64()) => {
            errs.push(format!("{at}: expected integer"))
        }
        Some("number") if !v.is_number() => errs.push(format!("{at}: expected number")),
        Some("boolean") if !v.is_boolean() => errs.push(format!("{at}: expected boolean")),
        _ => {}
    }
}

/// Panics unless the response is documented and its JSON body matches the schema.
pub fn validate(method: &str, path: &str, status: u16, content_type: &str, body: &[u8]) {
    let Some((tpl, op)) = operation(method, path) else {
        return; // not a KSeF path (control API, storage, Latarnia)
    };
    let Some(resp) = op["responses"].get(status.to_string()) else {
        panic!("{method} {tpl}: status {status} is not documented");
    };
    let ct = content_type.split(';').next().unwrap_or("").trim();
    if body.is_empty() || ct == "application/xml" || ct == "application/octet-stream" {
        return;
    }
    let Some(schema) = resp["content"].get(ct).map(|c| &c["schema"]) else {
        panic!("{method} {tpl} {status}: content type {ct} is not documented");
    };
    let v: Value =
        serde_json::from_slice(body).unwrap_or_else(|e| panic!("{method} {tpl}: bad JSON {e}"));
    let mut errs = Vec::new();
    check(schema, &v, "$", &mut errs);
    assert!(errs.is_empty(), "{method} {tpl} {status}: {errs:?}\n{v}");
}
