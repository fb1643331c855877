use super::*;
use crate::socks5::Response;

const VECTOR: [u8; 13] = [
    1, 4, b'u', b's', b'e', b'r', 6, b's', b'e', b'c', b'r', b'e', b't',
];

fn credentials() -> Credentials {
    Credentials::new("user", "secret")
}

#[test]
fn the_rfc_1929_request_parses_and_verifies() {
    let (request, used) = parse_auth(&VECTOR).expect("valid").done().expect("done");
    assert_eq!(used, VECTOR.len());
    assert_eq!(request.username, b"user");
    assert_eq!(request.password, b"secret");
    assert!(request.matches(&credentials()));
    assert_eq!(write_auth_status(AuthStatus::Success), [1, 0]);
}

#[test]
fn wrong_short_or_long_credentials_fail() {
    let c = credentials();
    assert!(!c.verify(b"user", b"secret!"));
    assert!(!c.verify(b"user", b"secre"));
    assert!(!c.verify(b"user", b"Secret"));
    assert!(!c.verify(b"usr", b"secret"));
    assert!(!c.verify(b"", b""));
    assert!(c.verify(b"user", b"secret"));
    assert_eq!(write_auth_status(AuthStatus::Failure), [1, 1]);
}

#[test]
fn every_truncation_is_incomplete_and_what_follows_is_not_used() {
    for cut in 0..VECTOR.len() {
        assert_eq!(parse_auth(&VECTOR[..cut]), Ok(Parsed::Incomplete), "{cut}");
    }
    let mut longer = VECTOR.to_vec();
    longer.extend_from_slice(&[5, 1, 0]);
    let (_, used) = parse_auth(&longer).expect("valid").done().expect("done");
    assert_eq!(used, VECTOR.len());
}

#[test]
fn empty_fields_parse_and_fail_verification() {
    let (request, used) = parse_auth(&[1, 0, 0]).expect("valid").done().expect("done");
    assert_eq!(used, 3);
    assert!(!request.matches(&credentials()));
}

#[test]
fn a_wrong_version_gets_the_failure_status() {
    let err = parse_auth(&[5, 4]).unwrap_err();
    assert_eq!(err, Error::AuthVersion(5));
    assert_eq!(err.response(), Response::AuthFailure);
}

#[test]
fn debug_never_shows_a_password() {
    let (request, _) = parse_auth(&VECTOR).expect("valid").done().expect("done");
    for text in [format!("{request:?}"), format!("{:?}", credentials())] {
        assert!(text.contains("user"), "{text}");
        assert!(!text.contains("secret"), "{text}");
    }
}
