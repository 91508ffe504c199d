use super::*;

fn tokens(access_until: &str) -> Tokens {
    Tokens {
        access: TokenInfo {
            token: "A".into(),
            valid_until: access_until.into(),
        },
        refresh: TokenInfo {
            token: "R".into(),
            valid_until: "2030-01-08T00:00:00+00:00".into(),
        },
        reference: "AU".into(),
    }
}

fn at(s: &str) -> OffsetDateTime {
    parse_datetime(s).unwrap()
}

#[test]
fn refuses_until_accepted() {
    let mut a = Authorization::new();
    let now = at("2030-01-01T00:00:00Z");
    assert_eq!(a.bearer(now), Err(NotAuthorized::NotAuthenticated));
    a.begin();
    assert_eq!(a.bearer(now), Err(NotAuthorized::InProgress));
    a.fail(AuthFailure::Blocked {
        description: "Uwierzytelnienie zablokowane".into(),
        details: vec![],
    });
    let e = a.bearer(now).unwrap_err();
    assert!(e.to_string().starts_with("cannot send to ksef"), "{e}");
    assert!(e.to_string().contains("480"), "{e}");
    a.accept(tokens("2030-01-01T00:15:00+00:00"));
    assert_eq!(a.bearer(now), Ok("A"));
    assert_eq!(
        a.bearer(at("2030-01-01T00:15:00Z")),
        Err(NotAuthorized::Expired)
    );
}

#[test]
fn refresh_is_due_two_minutes_before_expiry() {
    let mut a = Authorization::new();
    a.accept(tokens("2030-01-01T00:15:00.1234567+00:00"));
    assert!(!a.needs_refresh(at("2030-01-01T00:12:00Z")));
    assert!(a.needs_refresh(at("2030-01-01T00:13:30Z")));
    let req = a.refresh_request().unwrap();
    assert_eq!(req.header_value("authorization"), Some("Bearer R"));
    let ok = HttpResponse {
        status: 200,
        headers: vec![],
        body: br#"{"accessToken":{"token":"B","validUntil":"2030-01-01T00:30:00+00:00"}}"#.to_vec(),
    };
    a.on_refresh(&ok).unwrap();
    assert_eq!(a.bearer(at("2030-01-01T00:20:00Z")), Ok("B"));
    let bad = HttpResponse {
        status: 400,
        headers: vec![],
        body: r#"{"exception":{"exceptionDetailList":[{"exceptionCode":21301,"exceptionDescription":"Brak autoryzacji.","details":["Token KSeF został unieważniony."]}]}}"#.as_bytes().to_vec(),
    };
    let f = a.on_refresh(&bad).unwrap_err();
    assert!(matches!(
        f,
        AuthFailure::Rejected {
            code: Some(21301),
            ..
        }
    ));
    assert!(matches!(a.state(), AuthState::Error { .. }));
}

#[test]
fn statuses_map_to_reasons() {
    assert!(matches!(
        AuthFailure::from_status(415, "x".into(), vec![]),
        AuthFailure::NoPermissions { .. }
    ));
    assert!(matches!(
        AuthFailure::from_status(480, "x".into(), vec![]),
        AuthFailure::Blocked { .. }
    ));
    assert!(matches!(
        AuthFailure::from_status(460, "x".into(), vec![]),
        AuthFailure::CertificateRejected {
            code: Some(460),
            ..
        }
    ));
    assert_eq!(
        AuthFailure::from_credential(&CredentialError::WrongPassword),
        AuthFailure::WrongPassword
    );
    assert!(matches!(
        AuthFailure::from_credential(&CredentialError::PasswordRequired),
        AuthFailure::MissingCredentials(_)
    ));
}
