use super::*;

fn resp(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
    HttpResponse {
        status,
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        body: body.as_bytes().to_vec(),
    }
}

#[test]
fn exception_response_decodes() {
    let r = resp(
        400,
        &[("content-type", "application/json")],
        r#"{"exception":{"exceptionDetailList":[{"exceptionCode":21180,
        "exceptionDescription":"Status sesji nie pozwala na wykonanie operacji.",
        "details":["Status sesji (415) uniemożliwia wysyłkę faktur."]}],
        "serviceCode":"00-abc-def-00","timestamp":"2025-10-02T07:18:00.3050391Z"}}"#,
    );
    let e = ApiError::from_response(&r);
    assert_eq!(e.status(), Some(400));
    assert_eq!(e.code(), Some(21180));
    assert_eq!(
        e.errors()[0].details,
        ["Status sesji (415) uniemożliwia wysyłkę faktur."]
    );
    let msg = e.to_string();
    assert!(msg.contains("21180 Status sesji nie pozwala"), "{msg}");
    assert!(msg.contains("(415)"), "{msg}");
}

#[test]
fn problem_400_decodes() {
    let r = resp(
        400,
        &[("content-type", "application/problem+json")],
        r#"{"title":"Bad Request","status":400,"instance":"/x","detail":"d",
        "errors":[{"code":21405,"description":"Błąd walidacji danych wejściowych.","details":["a","b"]}],
        "timestamp":"t","traceId":"tr"}"#,
    );
    let e = ApiError::from_response(&r);
    assert_eq!(e.code(), Some(21405));
    assert_eq!(e.errors()[0].details, ["a", "b"]);
    assert!(
        matches!(&e, ApiError::Status { trace_id: Some(t), title: Some(ti), .. } if t == "tr" && ti == "Bad Request")
    );
}

#[test]
fn problem_403_keeps_reason_code() {
    let r = resp(
        403,
        &[],
        r#"{"title":"Forbidden","status":403,"detail":"Brak uprawnień.","reasonCode":"missing-permissions",
        "security":{"requiredAnyOfPermissions":["InvoiceWrite"],"presentPermissions":[]},"traceId":"x","timestamp":"t"}"#,
    );
    let e = ApiError::from_response(&r);
    assert!(
        matches!(&e, ApiError::Status { reason_code: Some(c), .. } if c == "missing-permissions")
    );
    assert_eq!(e.errors()[0].description, "Brak uprawnień.");
    assert!(e.errors()[0].details[0].contains("InvoiceWrite"));
    assert_eq!(e.code(), None);
}

#[test]
fn problem_401_has_description() {
    let r = resp(
        401,
        &[],
        r#"{"title":"Unauthorized","status":401,"detail":"Wymagane jest uwierzytelnienie.","timestamp":"t"}"#,
    );
    let e = ApiError::from_response(&r);
    assert_eq!(e.errors()[0].description, "Wymagane jest uwierzytelnienie.");
    assert!(!e.is_transient());
}

#[test]
fn rate_limit_both_forms_keep_retry_after() {
    let json = resp(
        429,
        &[("Retry-After", "30")],
        r#"{"status":{"code":429,"description":"Too Many Requests","details":["Przekroczono limit 20 żądań na minutę. Spróbuj ponownie po 30 sekundach."]}}"#,
    );
    let e = ApiError::from_response(&json);
    assert_eq!(e.retry_after(), Some(30));
    assert_eq!(e.code(), Some(429));
    assert!(e.errors()[0].details[0].starts_with("Przekroczono limit"));
    assert!(e.is_transient());
    let problem = resp(
        429,
        &[("retry-after", "7")],
        r#"{"title":"Too Many Requests","status":429,"detail":"Przekroczono limit.","timestamp":"t","traceId":"x"}"#,
    );
    let e = ApiError::from_response(&problem);
    assert_eq!(e.retry_after(), Some(7));
    assert_eq!(e.errors()[0].description, "Przekroczono limit.");
}

#[test]
fn non_json_body_is_kept() {
    let e = ApiError::from_response(&resp(502, &[], "bad gateway"));
    assert_eq!(e.errors()[0].description, "bad gateway");
    assert!(e.is_transient());
}

#[test]
fn invoice_status_with_extensions_decodes() {
    let body = r#"{"ordinalNumber":2,"invoiceNumber":"FV/1","referenceNumber":"20250101-EE-1",
      "invoiceHash":"h","invoicingDate":"2025-07-11T12:23:56.0154302+00:00","invoicingMode":"Online",
      "status":{"code":440,"description":"Duplikat faktury","details":["Duplikat faktury. ..."],
      "extensions":{"originalKsefNumber":"5265877635-20250101-0100001AF629-AF","originalSessionReferenceNumber":"S"}}}"#;
    let s: SessionInvoiceStatus = resp(200, &[], body).json().unwrap();
    assert_eq!(s.status.code, 440);
    assert_eq!(
        s.status.extension("originalKsefNumber"),
        Some("5265877635-20250101-0100001AF629-AF")
    );
    assert!(parse_datetime(&s.invoicing_date).is_some());
}

#[test]
fn send_request_is_flat() {
    let req = SendInvoiceRequest {
        invoice: EncryptedInvoice {
            invoice_hash: "a".into(),
            invoice_size: 1,
            encrypted_invoice_hash: "b".into(),
            encrypted_invoice_size: 16,
            encrypted_invoice_content: "c".into(),
        },
        offline_mode: false,
        hash_of_corrected_invoice: None,
    };
    let v = serde_json::to_value(&req).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"invoiceHash":"a","invoiceSize":1,"encryptedInvoiceHash":"b",
        "encryptedInvoiceSize":16,"encryptedInvoiceContent":"c","offlineMode":false})
    );
}
