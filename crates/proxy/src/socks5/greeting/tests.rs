use super::*;

#[test]
fn a_greeting_offering_no_auth_gets_no_auth() {
    let parsed = parse_greeting(&[5, 1, 0]).expect("valid");
    let greeting = Greeting { methods: vec![0] };
    assert_eq!(
        parsed,
        Parsed::Done {
            msg: greeting.clone(),
            used: 3
        }
    );
    assert_eq!(greeting.select(AuthPolicy::NoAuth), Method::NoAuth);
    assert_eq!(write_method_selection(Method::NoAuth), [5, 0]);
}

#[test]
fn a_server_requiring_a_password_never_takes_no_auth() {
    let (greeting, _) = parse_greeting(&[5, 1, 0])
        .expect("valid")
        .done()
        .expect("done");
    assert_eq!(greeting.select(AuthPolicy::UserPass), Method::NoAcceptable);
    assert_eq!(write_method_selection(Method::NoAcceptable), [5, 0xff]);
    // curl with credentials offers both; the server's setting decides.
    let (both, _) = parse_greeting(&[5, 2, 0, 2])
        .expect("valid")
        .done()
        .expect("done");
    assert_eq!(both.select(AuthPolicy::UserPass), Method::UserPass);
    assert_eq!(both.select(AuthPolicy::NoAuth), Method::NoAuth);
    assert_eq!(write_method_selection(Method::UserPass), [5, 2]);
}

#[test]
fn only_gssapi_or_no_methods_at_all_is_no_acceptable_method() {
    for bytes in [&[5, 0][..], &[5, 1, 1], &[5, 2, 0x80, 0xfe]] {
        let (greeting, used) = parse_greeting(bytes).expect("valid").done().expect("done");
        assert_eq!(used, bytes.len());
        assert_eq!(greeting.select(AuthPolicy::NoAuth), Method::NoAcceptable);
        assert_eq!(greeting.select(AuthPolicy::UserPass), Method::NoAcceptable);
    }
}

#[test]
fn every_truncation_is_incomplete_and_what_follows_is_not_used() {
    let bytes = [5, 3, 0, 1, 2, 5, 1];
    for cut in 0..5 {
        assert_eq!(
            parse_greeting(&bytes[..cut]),
            Ok(Parsed::Incomplete),
            "{cut}"
        );
    }
    let (greeting, used) = parse_greeting(&bytes).expect("valid").done().expect("done");
    assert_eq!((greeting.methods, used), (vec![0, 1, 2], 5));
}

#[test]
fn a_version_other_than_5_is_closed_without_a_reply() {
    for version in [0, 4, 6, b'G'] {
        let err = parse_greeting(&[version]).unwrap_err();
        assert_eq!(err, Error::GreetingVersion(version));
        assert_eq!(err.response(), super::super::Response::Close);
    }
}
