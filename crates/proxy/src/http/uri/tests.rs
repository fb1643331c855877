use super::*;
use crate::socks5::DomainError;

#[test]
fn connect_targets_in_authority_form() {
    for (text, want) in [
        ("example.com:443", "example.com:443"),
        ("10.0.0.1:22", "10.0.0.1:22"),
        ("[::1]:8080", "[::1]:8080"),
        ("[2001:db8::1]:443", "[2001:db8::1]:443"),
    ] {
        assert_eq!(parse_authority_form(text).expect(text).to_string(), want);
    }
}

#[test]
fn connect_needs_a_host_and_a_port() {
    for text in [
        "example.com",
        "example.com:",
        "example.com:0",
        "example.com:65536",
        "example.com:123456",
        "example.com:+80",
        "example.com:8o",
        "[::1]",
        "[::1",
        "[::1]x:80",
        "a:b:80",
    ] {
        assert!(parse_authority_form(text).is_err(), "{text}");
    }
    assert_eq!(
        parse_authority_form(":443"),
        Err(Error::Host(DomainError::Empty))
    );
}

#[test]
fn absolute_uris_give_target_host_and_origin_form() {
    let cases = [
        ("http://example.com", "example.com:80", "example.com", "/"),
        (
            "http://example.com:8080/a/b?c=d#frag",
            "example.com:8080",
            "example.com:8080",
            "/a/b?c=d",
        ),
        (
            "HTTP://Example.com?q",
            "Example.com:80",
            "Example.com",
            "/?q",
        ),
        ("http://[::1]:81/", "[::1]:81", "[::1]:81", "/"),
        ("http://10.0.0.1#top", "10.0.0.1:80", "10.0.0.1", "/"),
        (
            "http://example.com:/x",
            "example.com:80",
            "example.com:",
            "/x",
        ),
    ];
    for (uri, target, host, path) in cases {
        let form = parse_absolute_form(uri).expect(uri);
        assert_eq!(form.target.to_string(), target, "{uri}");
        assert_eq!(
            (form.host.as_str(), form.path.as_str()),
            (host, path),
            "{uri}"
        );
    }
}

#[test]
fn other_targets_are_refused_with_their_reason() {
    assert_eq!(
        parse_absolute_form("/index.html"),
        Err(Error::NotProxyRequest)
    );
    assert_eq!(parse_absolute_form("*"), Err(Error::NotProxyRequest));
    assert_eq!(
        parse_absolute_form("https://example.com/"),
        Err(Error::UnsupportedScheme)
    );
    assert_eq!(
        parse_absolute_form("ftp://example.com/"),
        Err(Error::UnsupportedScheme)
    );
    assert_eq!(
        parse_absolute_form("http://user:pw@example.com/"),
        Err(Error::BadTarget("user information in the URI"))
    );
    assert_eq!(
        parse_absolute_form("http:///x"),
        Err(Error::Host(DomainError::Empty))
    );
    assert_eq!(
        parse_absolute_form("http://ex%61mple.com/"),
        Err(Error::Host(DomainError::BadByte(b'%')))
    );
}
