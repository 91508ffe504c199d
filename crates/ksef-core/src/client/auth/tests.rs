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

fn login() -> XadesLogin {
    XadesLogin::new(
        vec![0x30, 0x00],
        SignatureAlgorithm::EcdsaP256Sha256P1363,
        ContextIdentifier::Nip("5265877635".into()),
    )
}

#[test]
fn flow_starts_with_the_challenge_and_maps_errors() {
    let now = at("2030-01-01T00:00:00Z");
    let (mut flow, action) = AuthFlow::start(login());
    match action {
        AuthAction::Send(r) => {
            assert_eq!(r.method, Method::Post);
            assert_eq!(r.target, crate::api::Target::Api("/auth/challenge".into()));
        }
        other => panic!("{other:?}"),
    }
    let bad = HttpResponse {
        status: 400,
        headers: vec![],
        body: r#"{"exception":{"exceptionDetailList":[{"exceptionCode":21115,"exceptionDescription":"Nieprawidłowy certyfikat.","details":[]}]}}"#.as_bytes().to_vec(),
    };
    match flow.on_response(&bad, now) {
        AuthAction::Failed(AuthFailure::CertificateRejected {
            code, description, ..
        }) => {
            assert_eq!(code, Some(21115));
            assert_eq!(description, "Nieprawidłowy certyfikat.");
        }
        other => panic!("{other:?}"),
    }
    assert!(flow.failure().is_some());
    let (mut flow, _) = AuthFlow::start(login());
    assert!(matches!(
        flow.on_network_error("connection refused"),
        AuthAction::Failed(AuthFailure::Network(_))
    ));
}

#[test]
fn a_certificate_that_does_not_parse_fails_at_signing() {
    let (mut flow, _) = AuthFlow::start(login());
    let challenge = HttpResponse {
        status: 200,
        headers: vec![],
        body: br#"{"challenge":"20250514-CR-226FB7B000-3ACF9BE4C0-10","timestamp":"2025-07-11T12:23:56.0154302+00:00","timestampMs":1752236636015,"clientIp":"127.0.0.1"}"#.to_vec(),
    };
    assert!(matches!(
        flow.on_response(&challenge, at("2030-01-01T00:00:00Z")),
        AuthAction::Failed(AuthFailure::Signing(_))
    ));
}
