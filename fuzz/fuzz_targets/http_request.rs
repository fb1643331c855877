//! An HTTP proxy's request head (RFC 9110, RFC 9112) from arbitrary client bytes.
//!
//! Input: byte 0 picks the limits (bits 0–1: head limit 64, 256, 1024 or 16384 bytes; bits
//! 2–4: 1 to 7 header fields, or 100 when all three are set) and the read size for a chunked
//! body (bits 5–7: 1 to 8 bytes); the rest is the client's bytes, also read as an origin
//! server's response.
//!
//! Checks, for every input: no panic; `Incomplete` only below the head limit; a complete head
//! used no more than the limit and the buffer, parses the same from its own bytes, and every
//! shorter prefix of it is `Incomplete`; an error has a status whose response is a complete,
//! closing HTTP/1.1 response (407 with its challenge); for a forwarded request, the origin
//! head is a well-formed request in origin-form with exactly one `Host` (the URI's), no
//! hop-by-hop field and the same body framing; a chunked body's end (or error) does not
//! depend on how it was split into reads; the Basic check and the persistence rule never
//! panic; as a response, a complete head gives a client head that parses with the same
//! status, and the client's connection closes exactly when the body runs until close.
#![no_main]

use ferrotun_proxy::http::{
    self, check_basic, Body, ChunkedBody, Credentials, Limits, Parsed, Persistence, RequestForm,
    RequestHead, ResponseBody, Scan, Status,
};
use libfuzzer_sys::fuzz_target;

/// Fields that must never reach the origin server.
const HOP_BY_HOP: [&str; 6] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authorization",
    "te",
    "upgrade",
];

fuzz_target!(|data: &[u8]| {
    let Some((&control, client)) = data.split_first() else {
        return;
    };
    let limits = Limits {
        max_head_bytes: [64, 256, 1024, 16384][usize::from(control & 3)],
        max_headers: match (control >> 2) & 7 {
            7 => 100,
            n => usize::from(n) + 1,
        },
    };
    match http::parse_request(client, &limits) {
        Ok(Parsed::Incomplete) => assert!(client.len() < limits.max_head_bytes),
        Ok(Parsed::Done { msg, used }) => {
            check_head(client, &limits, &msg, used);
            if msg.body == Body::Chunked {
                check_chunked(&client[used..], usize::from(control >> 5) + 1);
            }
        }
        Err(e) => check_response(e.status()),
    }
    check_origin_response(client, &limits);
});

/// The chunked scanner finds the same end (or error) whatever the reads.
fn check_chunked(body: &[u8], piece: usize) {
    let scan = |piece: usize| {
        let mut scanner = ChunkedBody::new();
        let mut offset = 0;
        for chunk in body.chunks(piece) {
            match scanner.feed(chunk) {
                Ok(Scan::End(n)) => {
                    assert!(n <= chunk.len());
                    return Ok(Some(offset + n));
                }
                Ok(Scan::More) => offset += chunk.len(),
                Err(e) => return Err(e),
            }
        }
        Ok(None)
    };
    assert_eq!(scan(body.len().max(1)), scan(piece));
}

/// The same bytes as an origin server's response: the head the client would get parses.
fn check_origin_response(bytes: &[u8], limits: &Limits) {
    let Ok(Parsed::Done { msg, used }) = http::parse_response(bytes, limits, "GET") else {
        return;
    };
    assert!(used <= bytes.len());
    let client = msg.client_persistence(Persistence::KeepAlive);
    assert_eq!(
        client == Persistence::Close,
        msg.body == ResponseBody::UntilClose
    );
    let head = msg.client_head(client);
    let mut fields = vec![httparse::EMPTY_HEADER; msg.headers.len() + 2];
    let mut response = httparse::Response::new(&mut fields);
    let parsed = response.parse(&head);
    assert!(matches!(parsed, Ok(httparse::Status::Complete(n)) if n == head.len()));
    assert_eq!(response.code, Some(msg.code));
}

fn check_head(client: &[u8], limits: &Limits, head: &RequestHead, used: usize) {
    assert!(used <= client.len() && used <= limits.max_head_bytes);
    let alone = http::parse_request(&client[..used], limits);
    assert_eq!(
        alone,
        Ok(Parsed::Done {
            msg: head.clone(),
            used
        })
    );
    for cut in (0..used).step_by(1 + used / 64) {
        let prefix = http::parse_request(&client[..cut], limits);
        assert_eq!(prefix, Ok(Parsed::Incomplete), "prefix of {cut} bytes");
    }
    let _ = check_basic(head, &Credentials::new("user", "pw"));
    let _ = head.client_persistence();
    match &head.form {
        RequestForm::Connect => {
            assert_eq!(head.method, "CONNECT");
            assert_eq!(head.body, Body::None);
            assert!(head.origin_head(Persistence::Close).is_none());
        }
        RequestForm::Forward { host, path } => check_origin(head, host, path),
    }
}

fn check_origin(head: &RequestHead, host: &str, path: &str) {
    let origin = head
        .origin_head(Persistence::Close)
        .expect("a forwarded request");
    let mut fields = vec![httparse::EMPTY_HEADER; head.headers.len() + 3];
    let mut request = httparse::Request::new(&mut fields);
    let parsed = request.parse(&origin);
    assert!(matches!(parsed, Ok(httparse::Status::Complete(n)) if n == origin.len()));
    assert_eq!(request.method, Some(head.method.as_str()));
    assert_eq!(request.path, Some(path));
    assert!(path.starts_with('/'));
    assert_eq!(request.version, Some(1));
    let sent = request.headers;
    assert_eq!(values(sent, "host"), [host.as_bytes()]);
    assert_eq!(values(sent, "connection"), [&b"close"[..]]);
    for hop in &HOP_BY_HOP[1..] {
        assert!(values(sent, hop).is_empty(), "{hop} forwarded");
    }
    // The origin sees the same framing the proxy will forward the body with.
    let lengths = |h: &[httparse::Header<'_>]| {
        h.iter()
            .filter(|f| f.name.eq_ignore_ascii_case("content-length"))
            .count()
    };
    assert_eq!(lengths(sent), lengths(&to_fields(head)));
}

fn values<'a>(fields: &[httparse::Header<'a>], name: &str) -> Vec<&'a [u8]> {
    fields
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case(name))
        .map(|h| h.value)
        .collect()
}

fn to_fields(head: &RequestHead) -> Vec<httparse::Header<'_>> {
    head.headers
        .iter()
        .map(|h| httparse::Header {
            name: &h.name,
            value: &h.value,
        })
        .collect()
}

fn check_response(status: Status) {
    let bytes = status.response();
    let mut fields = [httparse::EMPTY_HEADER; 8];
    let mut response = httparse::Response::new(&mut fields);
    let parsed = response.parse(&bytes);
    let Ok(httparse::Status::Complete(head)) = parsed else {
        panic!("{status:?}: not a complete response");
    };
    assert_eq!(response.code, Some(status.code_and_reason().0));
    assert!(head < bytes.len());
    let challenge = response
        .headers
        .iter()
        .any(|h| h.name == "Proxy-Authenticate" && h.value.starts_with(b"Basic realm="));
    assert_eq!(challenge, status == Status::ProxyAuthRequired);
}
