//! The rootless proxy's SOCKS5 server (RFC 1928) with real clients: curl reaching a web
//! server inside the tunnel by a name only the tunnel's DNS server knows, the reply codes
//! a client sees for each failure, and malformed requests from a raw client, after which
//! the proxy still serves.

use crate::cmd::root;
use crate::daemon::Impl;
use crate::proxy_net::{serve_by_name, NamedWeb, ProxyWorld};
use crate::tunnel::TB4;
use std::time::Duration;

const PAGE: &str = "served inside the tunnel, found by name\n";
const SOCKS: &str = "127.0.0.1:1080";

/// A proxy with a SOCKS5 listener, the web page and its name served behind the server; `None`
/// without root (the skip is logged, or fails under `FERROTUN_REQUIRE_ALL=1`).
#[track_caller]
fn world() -> Option<(ProxyWorld, NamedWeb)> {
    if !root() {
        return None;
    }
    let w = ProxyWorld::new(Impl::Ferrotund, &["--socks5", SOCKS]);
    let served = serve_by_name(&w, PAGE);
    Some((w, served))
}

/// curl through the SOCKS5 proxy, the name resolved by the proxy (`--socks5-hostname`).
fn curl(w: &ProxyWorld, url: &str) -> crate::cmd::Out {
    w.under
        .a
        .cmd(&[
            "curl",
            "-sS",
            "--max-time",
            "15",
            "--socks5-hostname",
            SOCKS,
            url,
        ])
        .timeout(Duration::from_secs(30))
        .run()
}

#[test]
fn proxy_socks5_reaches_a_name_only_the_tunnels_dns_knows() {
    let Some((w, _served)) = world() else {
        return;
    };
    // The host cannot resolve the name: only the DNS server inside the tunnel knows it.
    let host = w.under.a.run(&["getent", "hosts", "web.tunnel.test"]);
    assert!(!host.success(), "the host resolved the test name: {host}");
    let page = curl(&w, "http://web.tunnel.test:8000/");
    assert!(page.success(), "curl through SOCKS5 failed: {page}");
    assert_eq!(page.stdout, PAGE);
    // An address literal works without DNS.
    let page = curl(&w, &format!("http://{TB4}:8000/"));
    assert_eq!(page.stdout, PAGE, "{page}");
}

#[test]
fn proxy_socks5_reply_codes_say_what_failed() {
    let Some((w, _served)) = world() else {
        return;
    };
    // curl prints the server's reply code in parentheses.
    for (url, code, what) in [
        (
            "http://missing.tunnel.test:8000/",
            "(4)",
            "a name the DNS server does not know",
        ),
        (
            &format!("http://{TB4}:8001/")[..],
            "(5)",
            "a closed port (reset)",
        ),
        (
            "http://10.123.0.1:80/",
            "(3)",
            "an address no peer's allowed IPs cover",
        ),
    ] {
        let out = curl(&w, url);
        assert!(!out.success(), "{what}: curl succeeded: {out}");
        assert!(
            out.stderr.contains(code),
            "{what}: expected SOCKS5 reply {code}: {out}"
        );
    }
    let page = curl(&w, "http://web.tunnel.test:8000/");
    assert_eq!(page.stdout, PAGE, "the proxy stopped serving: {page}");
}

/// A raw client: sends each hex message in turn on one connection, then prints what came
/// back (hex), or `closed` if the proxy closed without a byte.
const RAW_CLIENT: &str = r#"
import socket, sys
s = socket.create_connection(("127.0.0.1", 1080), timeout=5)
for part in sys.argv[1:]:
    s.sendall(bytes.fromhex(part))
got = b""
try:
    while True:
        chunk = s.recv(4096)
        if not chunk:
            break
        got += chunk
except socket.timeout:
    pass
print(got.hex() if got else "closed")
"#;

fn raw(w: &ProxyWorld, parts: &[&str]) -> String {
    let mut argv = vec!["python3", "-c", RAW_CLIENT];
    argv.extend_from_slice(parts);
    let out = w.under.a.cmd(&argv).timeout(Duration::from_secs(20)).run();
    assert!(out.success(), "the raw client failed: {out}");
    out.stdout.trim().to_string()
}

#[test]
fn proxy_socks5_answers_malformed_requests_and_goes_on() {
    let Some((w, _served)) = world() else {
        return;
    };
    // A SOCKS4 greeting: not our protocol, closed without a reply.
    assert_eq!(raw(&w, &["0401005000000001"]), "closed");
    // No acceptable method (only GSSAPI offered): X'FF', then closed.
    assert_eq!(raw(&w, &["050101"]), "05ff");
    // An unknown command (9): reply 7, command not supported.
    assert_eq!(raw(&w, &["050100", "05090001"]), "050005070001000000000000");
    // An unknown address type (9): reply 8.
    assert_eq!(raw(&w, &["050100", "05010009"]), "050005080001000000000000");
    // BIND is not served: reply 7.
    assert_eq!(
        raw(&w, &["050100", "050200010a6300020050"]),
        "050005070001000000000000"
    );
    // A truncated request and a close: nothing to answer, nothing breaks.
    assert_eq!(raw(&w, &["050100", "0501"]), "0500");
    let page = curl(&w, "http://web.tunnel.test:8000/");
    assert_eq!(page.stdout, PAGE, "the proxy stopped serving: {page}");
}

/// Holds 1,000 connections that sent one byte of a greeting, runs `curl` meanwhile, then
/// closes them; prints curl's exit status and output.
const HALF_OPEN: &str = r#"
import resource, socket, subprocess, sys
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
held = []
for _ in range(1000):
    s = socket.create_connection(("127.0.0.1", 1080), timeout=5)
    s.sendall(b"\x05")
    held.append(s)
out = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(out.returncode)
print(out.stdout, end="")
"#;

#[test]
fn proxy_socks5_serves_while_a_thousand_connections_hang_half_open() {
    let Some((w, _served)) = world() else {
        return;
    };
    let argv = [
        "python3",
        "-c",
        HALF_OPEN,
        "curl",
        "-sS",
        "--max-time",
        "15",
        "--socks5-hostname",
        SOCKS,
        "http://web.tunnel.test:8000/",
    ];
    let out = w.under.a.cmd(&argv).timeout(Duration::from_secs(60)).run();
    assert!(out.success(), "the half-open client failed: {out}");
    assert_eq!(out.stdout, format!("0\n{PAGE}"), "{out}");
    let page = curl(&w, "http://web.tunnel.test:8000/");
    assert_eq!(page.stdout, PAGE, "the proxy stopped serving: {page}");
}

/// A SOCKS5 UDP client: UDP ASSOCIATE on 127.0.0.1:1080, then an A query for NAME to the DNS
/// server at SERVER:53 through the relay; prints the address in the answer and the source
/// the relay's header names.
const UDP_ASSOCIATE: &str = r#"
import ipaddress, socket, struct, sys
name, server = sys.argv[1], sys.argv[2]
c = socket.create_connection(("127.0.0.1", 1080), timeout=5)
c.sendall(b"\x05\x01\x00")
assert c.recv(2) == b"\x05\x00"
c.sendall(b"\x05\x03\x00\x01" + b"\0" * 6)
r = c.recv(10)
assert r[:4] == b"\x05\x00\x00\x01", r.hex()
relay = (socket.inet_ntoa(r[4:8]), struct.unpack(">H", r[8:10])[0])
q = struct.pack(">HHHHHH", 0x4321, 0x0100, 1, 0, 0, 0)
q += b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"
q += struct.pack(">HH", 1, 1)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.settimeout(5)
u.sendto(b"\0\0\0\x01" + socket.inet_aton(server) + struct.pack(">H", 53) + q, relay)
d, _ = u.recvfrom(4096)
assert d[:4] == b"\0\0\0\x01", d[:10].hex()
source = socket.inet_ntoa(d[4:8]) + ":" + str(struct.unpack(">H", d[8:10])[0])
answer = d[10:]
assert answer[:2] == b"\x43\x21", "wrong id"
print(socket.inet_ntoa(answer[-4:]), source)
"#;

#[test]
fn proxy_socks5_udp_associate_carries_dns_to_the_tunnels_server() {
    let Some((w, _served)) = world() else {
        return;
    };
    let argv = ["python3", "-c", UDP_ASSOCIATE, "web.tunnel.test", TB4];
    let out = w.under.a.cmd(&argv).timeout(Duration::from_secs(20)).run();
    assert!(
        out.success(),
        "DNS through SOCKS5 UDP ASSOCIATE failed: {out}"
    );
    assert_eq!(out.stdout.trim(), format!("{TB4} {TB4}:53"), "{out}");
}
