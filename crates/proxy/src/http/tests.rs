//! The proxy's own responses, and properties of the request parser over random input.

use super::*;
use proptest::prelude::*;

const ALL: [Status; 8] = [
    Status::BadRequest,
    Status::ProxyAuthRequired,
    Status::UriTooLong,
    Status::HeaderFieldsTooLarge,
    Status::NotImplemented,
    Status::BadGateway,
    Status::GatewayTimeout,
    Status::VersionNotSupported,
];

#[test]
fn the_407_response_byte_for_byte() {
    let want = "HTTP/1.1 407 Proxy Authentication Required\r\n\
                Proxy-Authenticate: Basic realm=\"ferrotun\", charset=\"UTF-8\"\r\n\
                Content-Type: text/plain; charset=utf-8\r\n\
                Content-Length: 34\r\n\
                Connection: close\r\n\r\n\
                407 Proxy Authentication Required\n";
    assert_eq!(
        String::from_utf8_lossy(&Status::ProxyAuthRequired.response()),
        want
    );
}

#[test]
fn every_error_response_is_a_well_formed_closing_response() {
    for status in ALL {
        let bytes = status.response();
        let mut fields = [httparse::EMPTY_HEADER; 8];
        let mut response = httparse::Response::new(&mut fields);
        let Ok(httparse::Status::Complete(head)) = response.parse(&bytes) else {
            panic!("{status:?} is not a response");
        };
        let (code, reason) = status.code_and_reason();
        assert_eq!((response.code, response.reason), (Some(code), Some(reason)));
        let field = |name: &str| {
            let found = response
                .headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case(name));
            found.map(|h| h.value.to_vec())
        };
        let length = field("content-length").expect("has a length");
        assert_eq!(length, (bytes.len() - head).to_string().as_bytes());
        assert_eq!(field("connection").as_deref(), Some(&b"close"[..]));
        let challenged = field("proxy-authenticate").is_some();
        assert_eq!(
            challenged,
            status == Status::ProxyAuthRequired,
            "{status:?}"
        );
    }
    assert_eq!(
        CONNECT_ESTABLISHED,
        b"HTTP/1.1 200 Connection established\r\n\r\n"
    );
}

/// Byte strings that look like request heads often enough to get past the request line.
fn headish() -> impl Strategy<Value = Vec<u8>> {
    let pieces = prop::sample::select(vec![
        &b"GET "[..],
        b"CONNECT ",
        b"http://",
        b"h.example",
        b"[::1]",
        b":80",
        b":",
        b"/",
        b" HTTP/1.1",
        b" HTTP/1.0",
        b"\r\n",
        b"\n",
        b"Host: x",
        b"Content-Length: 7",
        b"Transfer-Encoding: chunked",
        b"Connection: close, x",
        b"x: y",
        b"Proxy-Authorization: Basic dXNlcjpwdw==",
        b"@",
        b"%",
        b" ",
        b"\0",
    ]);
    prop::collection::vec(pieces, 0..24).prop_map(|v| v.concat())
}

fn check_any(bytes: &[u8]) {
    let limits = Limits {
        max_head_bytes: 256,
        max_headers: 8,
    };
    let credentials = Credentials::new("user", "pw");
    match parse_request(bytes, &limits) {
        Ok(Parsed::Done { msg, used }) => {
            assert!(used <= bytes.len() && used <= limits.max_head_bytes);
            // The head alone parses to the same thing: nothing after it was looked at.
            assert_eq!(
                parse_request(&bytes[..used], &limits),
                Ok(Parsed::Done {
                    msg: msg.clone(),
                    used
                })
            );
            let _ = check_basic(&msg, &credentials);
            let _ = msg.client_persistence();
            if let Some(origin) = msg.origin_head(Persistence::Close) {
                // What we send on parses as a request again.
                let mut fields = [httparse::EMPTY_HEADER; 16];
                let parsed = httparse::Request::new(&mut fields).parse(&origin);
                assert!(matches!(parsed, Ok(httparse::Status::Complete(n)) if n == origin.len()));
            }
        }
        Ok(Parsed::Incomplete) => assert!(bytes.len() < limits.max_head_bytes),
        Err(e) => {
            let _ = e.status().response();
        }
    }
}

/// Where a chunked body ends (or that it is invalid), read in pieces of `piece` bytes.
fn chunked_end(body: &[u8], piece: usize) -> Result<Option<usize>, ChunkError> {
    let mut scanner = ChunkedBody::new();
    let mut offset = 0;
    for chunk in body.chunks(piece) {
        if let Scan::End(n) = scanner.feed(chunk)? {
            assert!(n <= chunk.len());
            return Ok(Some(offset + n));
        }
        offset += chunk.len();
    }
    Ok(None)
}

fn chunkish() -> impl Strategy<Value = Vec<u8>> {
    let pieces = prop::sample::select(vec![
        &b"0"[..],
        b"1",
        b"a",
        b"F",
        b"\r\n",
        b"\r",
        b"\n",
        b";x=y",
        b" ",
        b"data",
        b"X: y",
    ]);
    prop::collection::vec(pieces, 0..32).prop_map(|v| v.concat())
}

proptest! {
    #[test]
    fn chunked_ends_do_not_depend_on_reads(body in chunkish(), piece in 1usize..9) {
        prop_assert_eq!(chunked_end(&body, body.len().max(1)), chunked_end(&body, piece));
    }

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        check_any(&bytes);
    }

    #[test]
    fn head_like_bytes_never_panic(bytes in headish()) {
        check_any(&bytes);
    }
}
