//! The rootless proxy's UDP tunnels (wireproxy's `[UDPProxyTunnel]`): DNS queries through a
//! forward to the DNS server inside the tunnel, answered with what only that server knows,
//! and iperf3's UDP test through a forward pair (TCP for its control connection, UDP for
//! its data).

use crate::cmd::root;
use crate::daemon::Impl;
use crate::proxy_net::{dns_server, ProxyWorld};
use crate::traffic::{iperf_client, iperf_server, json_u64};
use crate::tunnel::TB4;
use std::time::Duration;

/// Asks 127.0.0.1:5353 for NAME's A record (plain DNS over UDP) and prints the address.
const DNS_QUERY: &str = r#"
import socket, struct, sys
name = sys.argv[1]
q = struct.pack(">HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0)
q += b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"
q += struct.pack(">HH", 1, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5)
s.sendto(q, ("127.0.0.1", 5353))
r, _ = s.recvfrom(4096)
assert r[:2] == b"\x12\x34", "wrong id"
print(socket.inet_ntoa(r[-4:]) if struct.unpack(">H", r[6:8])[0] else "none")
"#;

fn world() -> ProxyWorld {
    let sections = format!(
        "[UDPProxyTunnel]\nBindAddress = 127.0.0.1:5353\nTarget = {TB4}:53\n\n\
         [UDPProxyTunnel]\nBindAddress = 127.0.0.1:5201\nTarget = {TB4}:5201\n\
         InactivityTimeout = 30\n\n\
         [TCPClientTunnel]\nBindAddress = 127.0.0.1:5201\nTarget = {TB4}:5201\n"
    );
    ProxyWorld::with_sections(Impl::Ferrotund, &[], &sections)
}

#[test]
fn proxy_udp_forward_carries_dns_queries_to_the_tunnels_server() {
    if !root() {
        return;
    }
    let w = world();
    let record = format!("only.tunnel.test,{TB4}");
    let _dns = dns_server(&w.under.b.name, TB4, &[&record]);
    for _ in 0..3 {
        let out = w
            .under
            .a
            .cmd(&["python3", "-c", DNS_QUERY, "only.tunnel.test"])
            .timeout(Duration::from_secs(20))
            .run();
        assert!(
            out.success(),
            "the DNS query through the UDP forward failed: {out}"
        );
        assert_eq!(out.stdout.trim(), TB4, "{out}");
    }
}

#[test]
fn proxy_udp_forward_carries_iperf3_udp() {
    if !root() {
        return;
    }
    let w = world();
    let server = iperf_server(&w.under.b.name, TB4);
    let extra = ["-u", "-b", "200M", "-l", "1200"];
    let client = iperf_client(&w.under.a.name, "127.0.0.1", 2, &extra, 20).run();
    drop(server);
    assert!(
        client.success(),
        "iperf3 -u through the forwards failed: {client}"
    );
    let packets = json_u64(&client.stdout, "sum", "packets").unwrap_or(0);
    let lost = json_u64(&client.stdout, "sum", "lost_packets").unwrap_or(u64::MAX);
    eprintln!("iperf3 -u through the proxy: {lost} of {packets} datagrams lost");
    assert!(packets > 10_000, "too few datagrams crossed: {client}");
    assert!(
        lost * 20 < packets,
        "more than 5 % lost ({lost} of {packets})"
    );
}
