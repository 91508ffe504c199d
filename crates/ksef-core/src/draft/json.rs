//! Reading a draft from JSON, with the JSON path of a structural error (syntax, wrong type,
//! unknown field) recovered from serde_json's line/column.

use super::error::{DraftError, FieldError, Problem};
use super::input::InvoiceDraft;

/// Parses a draft from JSON bytes. Structural problems come back as one [`FieldError`] with
/// the path where reading stopped; field-level problems are found later by
/// [`super::build`] / [`super::compute`], all at once.
pub fn from_json(bytes: &[u8]) -> Result<InvoiceDraft, DraftError> {
    // serde would also read a struct from a JSON array (fields by position): only objects.
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'[') {
        return Err(DraftError::Invalid(vec![FieldError {
            path: "$".to_owned(),
            problem: Problem::Json {
                message: "expected a JSON object, found an array".to_owned(),
            },
        }]));
    }
    serde_json::from_slice(bytes).map_err(|e| {
        let offset = offset_of(bytes, e.line(), e.column());
        let message = strip_position(&e.to_string());
        DraftError::Invalid(vec![FieldError {
            path: path_at(bytes, offset),
            problem: Problem::Json { message },
        }])
    })
}

/// serde_json appends " at line L column C"; the path replaces it.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg.to_owned(),
    }
}

fn offset_of(bytes: &[u8], line: usize, column: usize) -> usize {
    let mut l = 1;
    let mut start = 0;
    for (i, b) in bytes.iter().enumerate() {
        if l == line {
            break;
        }
        if *b == b'\n' {
            l += 1;
            start = i + 1;
        }
    }
    (start + column).min(bytes.len())
}

enum Frame {
    Obj { key: Option<String>, want_key: bool },
    Arr { index: usize },
}

/// The JSON path (`lines[3].vatRate`) of the value being read at byte `offset`.
pub(crate) fn path_at(bytes: &[u8], offset: usize) -> String {
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    while i < offset.min(bytes.len()) {
        match bytes[i] {
            b'{' => stack.push(Frame::Obj {
                key: None,
                want_key: true,
            }),
            b'[' => stack.push(Frame::Arr { index: 0 }),
            b'}' | b']' => {
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(Frame::Arr { index }) => *index += 1,
                Some(Frame::Obj { key, want_key }) => {
                    *key = None;
                    *want_key = true;
                }
                None => {}
            },
            b'"' => {
                let start = i + 1;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                if let Some(Frame::Obj { key, want_key }) = stack.last_mut()
                    && *want_key
                {
                    let end = i.min(bytes.len());
                    *key = Some(String::from_utf8_lossy(&bytes[start..end]).into_owned());
                    *want_key = false;
                }
            }
            _ => {}
        }
        i += 1;
    }
    let mut path = String::new();
    for f in &stack {
        match f {
            Frame::Obj { key: Some(k), .. } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
            }
            Frame::Obj { key: None, .. } => {}
            Frame::Arr { index } => path.push_str(&format!("[{index}]")),
        }
    }
    if path.is_empty() {
        "$".to_owned()
    } else {
        path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_of_structural_errors() {
        let e = from_json(
            br#"{"invoiceNumber": "1", "lines": [{"name": "a"}, {"name": "b", "vatRat": "23"}]}"#,
        )
        .unwrap_err();
        let f = &e.field_errors()[0];
        assert_eq!(f.path, "lines[1].vatRat");
        assert!(f.to_string().contains("unknown field `vatRat`"), "{f}");

        let e = from_json(b"{\n \"seller\": {\"nip\": 5}\n}").unwrap_err();
        assert_eq!(e.field_errors()[0].path, "seller.nip");

        let e = from_json(b"{\"lines\": [").unwrap_err();
        assert_eq!(e.field_errors()[0].path, "lines[0]");
        let e = from_json(b" [\"VAT\"]").unwrap_err();
        assert_eq!(e.field_errors()[0].path, "$");
        let e = from_json(b"\"x\"").unwrap_err();
        assert_eq!(e.field_errors()[0].path, "$");
    }

    #[test]
    fn decimal_fields_accept_numbers_and_keep_bad_values() {
        let d =
            from_json(br#"{"lines": [{"quantity": 2.5, "unitNetPrice": "10", "discount": true}]}"#)
                .unwrap();
        assert_eq!(d.lines[0].quantity, Some("2.5".into()));
        assert_eq!(
            d.lines[0].discount,
            Some(super::super::Dec::NotANumber("true".into()))
        );
    }
}
