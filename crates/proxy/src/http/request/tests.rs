use super::*;
use crate::http::Status;

const CURL_CONNECT: &[u8] = b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\
User-Agent: curl/8.5.0\r\nProxy-Connection: Keep-Alive\r\n\r\n";
const PLAIN_GET: &[u8] =
    b"GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n";

fn parsed(bytes: &[u8]) -> (RequestHead, usize) {
    parse_request(bytes, &Limits::default())
        .expect("valid")
        .done()
        .expect("complete")
}

fn error(bytes: &[u8], limits: &Limits) -> Error {
    parse_request(bytes, limits).expect_err("refused")
}

#[test]
fn curl_connect() {
    let (head, used) = parsed(CURL_CONNECT);
    assert_eq!(used, CURL_CONNECT.len());
    assert_eq!(
        (head.method.as_str(), head.form.clone()),
        ("CONNECT", RequestForm::Connect)
    );
    assert_eq!(head.target.to_string(), "example.com:443");
    assert_eq!((head.version, head.body), (Version::Http11, Body::None));
    assert_eq!(head.headers.len(), 3);
    assert_eq!(
        head.values("user-agent").collect::<Vec<_>>(),
        [b"curl/8.5.0"]
    );
}

#[test]
fn plain_get_and_its_following_bytes() {
    let mut bytes = PLAIN_GET.to_vec();
    bytes.extend_from_slice(b"GET http://next/ HTTP/1.1\r\n");
    let (head, used) = parsed(&bytes);
    assert_eq!(used, PLAIN_GET.len());
    let path = RequestForm::Forward {
        host: "example.com".into(),
        path: "/".into(),
    };
    assert_eq!(
        (head.form, head.target.to_string()),
        (path, "example.com:80".into())
    );
}

#[test]
fn every_truncation_is_incomplete() {
    for bytes in [CURL_CONNECT, PLAIN_GET] {
        for cut in 0..bytes.len() {
            let got = parse_request(&bytes[..cut], &Limits::default());
            assert_eq!(got, Ok(Parsed::Incomplete), "{cut}");
        }
    }
}

#[test]
fn any_method_is_forwarded_and_leading_empty_lines_are_skipped() {
    for method in [
        "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "PROPFIND", "get",
    ] {
        let text = format!("\r\n{method} http://h/x HTTP/1.0\r\n\r\n");
        let (head, _) = parsed(text.as_bytes());
        assert_eq!(
            (head.method.as_str(), head.version),
            (method, Version::Http10)
        );
    }
}

#[test]
fn body_framing() {
    let head = |fields: &str| format!("POST http://h/ HTTP/1.1\r\n{fields}\r\n");
    let cases = [
        ("", Body::None),
        ("Content-Length: 0\r\n", Body::None),
        ("Content-Length: 5\r\n", Body::Length(5)),
        (
            "Content-Length: 5, 5\r\nContent-Length: 5\r\n",
            Body::Length(5),
        ),
        ("Transfer-Encoding: chunked\r\n", Body::Chunked),
        (
            "Transfer-Encoding: gzip\r\nTransfer-Encoding: Chunked\r\n",
            Body::Chunked,
        ),
    ];
    for (fields, body) in cases {
        assert_eq!(parsed(head(fields).as_bytes()).0.body, body, "{fields}");
    }
    // CONNECT has no body whatever it says: the bytes after the head are the tunnel's.
    let connect = b"CONNECT h:1 HTTP/1.1\r\nContent-Length: 9\r\n\r\n";
    assert_eq!(parsed(connect).0.body, Body::None);
}

#[test]
fn framing_the_proxy_cannot_trust_is_400() {
    for fields in [
        "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
        "Transfer-Encoding: \r\nContent-Length: 5\r\n",
        "Transfer-Encoding: chunked, gzip\r\n",
        "Content-Length: 5\r\nContent-Length: 6\r\n",
        "Content-Length: -1\r\n",
        "Content-Length: +5\r\n",
        "Content-Length: 99999999999999999999\r\n",
    ] {
        let text = format!("POST http://h/ HTTP/1.1\r\n{fields}\r\n");
        let err = error(text.as_bytes(), &Limits::default());
        assert!(matches!(err, Error::Framing(_)), "{fields}: {err:?}");
        assert_eq!(err.status(), Status::BadRequest);
    }
    let old = b"POST http://h/ HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n";
    assert!(matches!(error(old, &Limits::default()), Error::Framing(_)));
}

#[test]
fn oversized_heads_get_431_and_oversized_request_lines_414() {
    let limits = Limits {
        max_head_bytes: 64,
        max_headers: 4,
    };
    let long_field = format!("GET http://h/ HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(60));
    assert_eq!(error(long_field.as_bytes(), &limits), Error::HeadTooLarge);
    // Still incomplete but already over the limit: refused without waiting for more.
    let partial = &long_field.as_bytes()[..64];
    assert_eq!(
        error(partial, &limits).status(),
        Status::HeaderFieldsTooLarge
    );
    let long_uri = format!("GET http://h/{} HTTP/1.1\r\n\r\n", "a".repeat(60));
    assert_eq!(error(long_uri.as_bytes(), &limits), Error::UriTooLong);
    assert_eq!(Error::UriTooLong.status(), Status::UriTooLong);
    let many = "GET http://h/ HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\n\r\n";
    let roomy = Limits {
        max_head_bytes: 1024,
        ..limits
    };
    assert_eq!(error(many.as_bytes(), &roomy), Error::TooManyHeaders);
    assert_eq!(Error::TooManyHeaders.status(), Status::HeaderFieldsTooLarge);
}

#[test]
fn a_head_of_exactly_the_limit_is_accepted() {
    let limits = Limits {
        max_head_bytes: PLAIN_GET.len(),
        max_headers: 2,
    };
    assert!(matches!(
        parse_request(PLAIN_GET, &limits),
        Ok(Parsed::Done { .. })
    ));
    let tighter = Limits {
        max_head_bytes: PLAIN_GET.len() - 1,
        ..limits
    };
    assert_eq!(error(PLAIN_GET, &tighter), Error::HeadTooLarge);
}

#[test]
fn malformed_heads_are_400_and_http_2_is_505() {
    let cases: [&[u8]; 6] = [
        b"GET http://h/ HTTP/1.1\r\nBad Header\r\n\r\n",
        b"GET http://h/ HTTP/1.1\r\nX: a\r\n folded\r\n\r\n",
        b"GET http://h/ HTTP/1.1\r\nX: a\rb\r\n\r\n",
        b"GET http://h/a b HTTP/1.1\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: h\r\n\r\n",
        b"CONNECT /x HTTP/1.1\r\n\r\n",
    ];
    for bytes in cases {
        let err = error(bytes, &Limits::default());
        assert_eq!(err.status(), Status::BadRequest, "{err:?}");
    }
    let preface = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
    assert_eq!(
        error(preface, &Limits::default()).status(),
        Status::VersionNotSupported
    );
    let tls = b"GET https://h/ HTTP/1.1\r\n\r\n";
    assert_eq!(
        error(tls, &Limits::default()).status(),
        Status::NotImplemented
    );
}
