use super::*;
use crate::http::{parse_request, Limits};

fn head(text: &str) -> RequestHead {
    let (head, _) = parse_request(text.as_bytes(), &Limits::default())
        .expect("valid")
        .done()
        .expect("complete");
    head
}

#[test]
fn hop_by_hop_fields_are_removed_and_host_comes_from_the_uri() {
    let request = head(
        "POST http://example.com:8080/submit?x=1 HTTP/1.1\r\n\
         Host: elsewhere.example\r\n\
         Connection: X-Trace, keep-alive, Content-Length\r\n\
         X-Trace: 1\r\n\
         Keep-Alive: timeout=5\r\n\
         Proxy-Authorization: Basic dXNlcjpwdw==\r\n\
         Proxy-Connection: keep-alive\r\n\
         TE: trailers\r\n\
         Upgrade: websocket\r\n\
         Accept: */*\r\n\
         Content-Length: 3\r\n\r\n",
    );
    let want = "POST /submit?x=1 HTTP/1.1\r\n\
                Host: example.com:8080\r\n\
                Accept: */*\r\n\
                Content-Length: 3\r\n\
                Via: 1.1 ferrotun\r\n\
                Connection: close\r\n\r\n";
    let got = request.origin_head(Persistence::Close).expect("forward");
    assert_eq!(String::from_utf8_lossy(&got), want);
}

#[test]
fn a_kept_alive_upstream_gets_no_connection_field_and_1_0_is_named_in_via() {
    let request = head("GET http://h/ HTTP/1.0\r\nUser-Agent: x\r\n\r\n");
    let got = request
        .origin_head(Persistence::KeepAlive)
        .expect("forward");
    let want = "GET / HTTP/1.1\r\nHost: h\r\nUser-Agent: x\r\nVia: 1.0 ferrotun\r\n\r\n";
    assert_eq!(String::from_utf8_lossy(&got), want);
}

#[test]
fn connect_has_no_origin_head() {
    assert_eq!(
        head("CONNECT h:443 HTTP/1.1\r\n\r\n").origin_head(Persistence::Close),
        None
    );
}

#[test]
fn client_persistence_follows_rfc_9112_section_9_3() {
    let cases = [
        ("HTTP/1.1", "", Persistence::KeepAlive),
        (
            "HTTP/1.1",
            "Connection: keep-alive\r\n",
            Persistence::KeepAlive,
        ),
        ("HTTP/1.1", "Connection: close\r\n", Persistence::Close),
        (
            "HTTP/1.1",
            "Connection: Keep-Alive, Close\r\n",
            Persistence::Close,
        ),
        (
            "HTTP/1.1",
            "Proxy-Connection: close\r\n",
            Persistence::Close,
        ),
        ("HTTP/1.0", "", Persistence::Close),
        ("HTTP/1.0", "Connection: keep-alive\r\n", Persistence::Close),
    ];
    for (version, fields, want) in cases {
        let request = head(&format!("GET http://h/ {version}\r\n{fields}\r\n"));
        assert_eq!(request.client_persistence(), want, "{version} {fields}");
    }
}
