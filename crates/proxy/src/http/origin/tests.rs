use super::*;

fn parsed(bytes: &[u8], method: &str) -> (ResponseHead, usize) {
    parse_response(bytes, &Limits::default(), method)
        .expect("valid")
        .done()
        .expect("complete")
}

const OK: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\
Keep-Alive: timeout=5\r\nServer: x\r\n\r\nhello";

#[test]
fn a_response_head_and_its_body_length() {
    let (head, used) = parsed(OK, "GET");
    assert_eq!(used, OK.len() - 5);
    assert_eq!((head.code, head.reason.as_str()), (200, "OK"));
    assert_eq!(head.body, ResponseBody::Length(5));
    for cut in 0..used {
        let got = parse_response(&OK[..cut], &Limits::default(), "GET");
        assert_eq!(got, Ok(Parsed::Incomplete), "{cut}");
    }
}

#[test]
fn framing_by_method_status_and_fields() {
    let cases: [(&[u8], &str, ResponseBody); 8] = [
        (OK, "HEAD", ResponseBody::None),
        (
            b"HTTP/1.1 204 No Content\r\nContent-Length: 9\r\n\r\n",
            "GET",
            ResponseBody::None,
        ),
        (
            b"HTTP/1.1 304 Not Modified\r\n\r\n",
            "GET",
            ResponseBody::None,
        ),
        (b"HTTP/1.1 100 Continue\r\n\r\n", "POST", ResponseBody::None),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
            "GET",
            ResponseBody::Chunked,
        ),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
            "GET",
            ResponseBody::UntilClose,
        ),
        (b"HTTP/1.0 200 OK\r\n\r\n", "GET", ResponseBody::UntilClose),
        (
            b"HTTP/1.1 101 Switching Protocols\r\n\r\n",
            "GET",
            ResponseBody::UntilClose,
        ),
    ];
    for (bytes, method, body) in cases {
        let (head, _) = parsed(bytes, method);
        assert_eq!(head.body, body, "{}", String::from_utf8_lossy(bytes));
        assert_eq!(head.is_interim(), head.code == 100);
    }
}

#[test]
fn untrustworthy_framing_and_garbage_are_errors() {
    for bytes in [
        &b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n"[..],
        b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        b"HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
        b"HTTP/1.1 2000 OK\r\n\r\n",
        b"HTTP/1.1 099 Low\r\n\r\n",
        b"SSH-2.0-OpenSSH_9.6\r\n\r\n",
    ] {
        assert!(parse_response(bytes, &Limits::default(), "GET").is_err());
    }
}

#[test]
fn the_client_head_drops_hop_by_hop_fields() {
    let (head, _) = parsed(OK, "GET");
    let want = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nServer: x\r\nVia: 1.1 ferrotun\r\n\r\n";
    let client = head.client_persistence(Persistence::KeepAlive);
    assert_eq!(client, Persistence::KeepAlive);
    assert_eq!(String::from_utf8_lossy(&head.client_head(client)), want);
    let (until_close, _) = parsed(b"HTTP/1.0 200 OK\r\nServer: x\r\n\r\n", "GET");
    let client = until_close.client_persistence(Persistence::KeepAlive);
    assert_eq!(client, Persistence::Close);
    let want = "HTTP/1.1 200 OK\r\nServer: x\r\nVia: 1.0 ferrotun\r\nConnection: close\r\n\r\n";
    assert_eq!(
        String::from_utf8_lossy(&until_close.client_head(client)),
        want
    );
}
