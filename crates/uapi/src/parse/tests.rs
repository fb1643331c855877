use super::*;
use crate::testutil::{private, public, Fixture};
use std::net::SocketAddr;

fn eth0(name: &str) -> Option<u32> {
    (name == "eth0").then_some(2)
}

fn parse(body: &str) -> Result<SetRequest, Error> {
    parse_set(body.as_bytes(), &eth0)
}

/// What `wg setconf` sends for a two-peer config plus a removal (tools
/// `userspace_set_device` order).
fn setconf_body() -> String {
    format!(
        "private_key={}\nlisten_port=51820\nfwmark=0\nreplace_peers=true\n\
         public_key={}\npreshared_key={}\nendpoint=192.0.2.2:51820\n\
         persistent_keepalive_interval=25\nreplace_allowed_ips=true\n\
         allowed_ip=10.0.0.2/32\nallowed_ip=fd00::2/128\n\
         public_key={}\nendpoint=[fe80::3%eth0]:51820\npersistent_keepalive_interval=0\n\
         replace_allowed_ips=true\nallowed_ip=10.0.3.0/24\n\
         public_key={}\nremove=true\n",
        private(1).to_hex(),
        public(2).to_hex(),
        "ab".repeat(32),
        public(3).to_hex(),
        public(4).to_hex(),
    )
}

#[test]
fn accepts_what_wg_setconf_sends() {
    let req = parse(&setconf_body()).unwrap();
    assert_eq!(req.private_key, Some(Some(private(1))));
    assert_eq!(req.listen_port, Some(51820));
    assert_eq!(req.fwmark, Some(0));
    assert!(req.replace_peers);
    assert_eq!(req.peers.len(), 3);

    let p = &req.peers[0];
    assert_eq!(p.public_key, public(2));
    assert_eq!(p.preshared_key, Some(PresharedKey::from_bytes([0xab; 32])));
    assert_eq!(p.endpoint, Some("192.0.2.2:51820".parse().unwrap()));
    assert_eq!(p.persistent_keepalive, Some(25));
    assert!(p.replace_allowed_ips && !p.remove && !p.update_only);
    let add = |ip: &str, cidr| AllowedIpChange::new(AllowedIpOp::Add, ip.parse().unwrap(), cidr);
    assert_eq!(
        p.allowed_ips,
        vec![add("10.0.0.2", 32), add("fd00::2", 128)]
    );

    let p = &req.peers[1];
    let SocketAddr::V6(ep) = p.endpoint.unwrap() else {
        panic!("v6 endpoint")
    };
    assert_eq!((ep.scope_id(), ep.port()), (2, 51820));
    assert_eq!(p.persistent_keepalive, Some(0));
    assert_eq!(p.allowed_ips, vec![add("10.0.3.0", 24)]);

    assert!(req.peers[2].remove);
}

#[test]
fn accepts_what_wg_set_and_wgctrl_send() {
    // `wg set wg0 peer P allowed-ips +10.0.0.5/32,-10.0.0.2/32` (tools 2025+).
    let body = format!(
        "public_key={}\nallowed_ip=10.0.0.5/32\nallowed_ip=-10.0.0.2/32\n",
        public(2).to_hex()
    );
    let req = parse(&body).unwrap();
    let ips = &req.peers[0].allowed_ips;
    assert_eq!(ips[0].op, AllowedIpOp::Add);
    assert_eq!(ips[1].op, AllowedIpOp::Remove);
    assert_eq!(ips[1].ip, "10.0.0.2".parse::<std::net::IpAddr>().unwrap());

    // wgctrl-go: protocol_version and update_only; keys in upper case hex.
    let body = format!(
        "public_key={}\nprotocol_version=1\nupdate_only=true\n",
        public(2).to_hex().to_uppercase()
    );
    let req = parse(&body).unwrap();
    assert_eq!(req.peers[0].public_key, public(2));
    assert!(req.peers[0].update_only);
    assert_eq!(req.peers[0].protocol_version, Some(1));

    // Zero private key removes it; `listen-port 0`; `fwmark off`.
    let body = format!("private_key={}\nlisten_port=0\nfwmark=0\n", "0".repeat(64));
    let req = parse(&body).unwrap();
    assert_eq!(req.private_key, Some(None));
    assert_eq!((req.listen_port, req.fwmark), (Some(0), Some(0)));
}

#[test]
fn empty_body_and_blank_line_and_crlf() {
    assert_eq!(parse("").unwrap(), SetRequest::default());
    assert_eq!(parse("\n").unwrap(), SetRequest::default());
    assert_eq!(parse("listen_port=7\r\n\r\n").unwrap().listen_port, Some(7));
    assert_eq!(
        parse("listen_port=7\n\nlisten_port=8\n")
            .unwrap_err()
            .errno(),
        Errno::EPROTO
    );
}

#[test]
fn host_bits_are_masked_and_last_value_wins() {
    let body = format!(
        "listen_port=1\nlisten_port=2\npublic_key={}\nallowed_ip=10.1.2.3/8\n\
         allowed_ip=fd00::1:2/112\npersistent_keepalive_interval=5\n\
         persistent_keepalive_interval=6\n",
        public(2).to_hex()
    );
    let req = parse(&body).unwrap();
    assert_eq!(req.listen_port, Some(2));
    let p = &req.peers[0];
    assert_eq!(p.persistent_keepalive, Some(6));
    assert_eq!(
        p.allowed_ips[0].ip,
        "10.0.0.0".parse::<std::net::IpAddr>().unwrap()
    );
    assert_eq!(
        p.allowed_ips[1].ip,
        "fd00::1:0".parse::<std::net::IpAddr>().unwrap()
    );
}

#[test]
fn late_replace_allowed_ips_discards_earlier_lines_of_the_section() {
    let body = format!(
        "public_key={}\nallowed_ip=10.0.0.1/32\nreplace_allowed_ips=true\nallowed_ip=10.0.0.2/32\n",
        public(2).to_hex()
    );
    let p = &parse(&body).unwrap().peers[0];
    assert!(p.replace_allowed_ips);
    assert_eq!(p.allowed_ips.len(), 1);
    assert_eq!(
        p.allowed_ips[0].ip,
        "10.0.0.2".parse::<std::net::IpAddr>().unwrap()
    );
}

#[test]
fn encode_round_trips() {
    let req = parse(&setconf_body()).unwrap();
    let wire = req.encode();
    assert!(wire.starts_with(b"set=1\n") && wire.ends_with(b"\n\n"));
    let again = parse_set(&wire[6..], &eth0).unwrap();
    assert_eq!(again, req);
}

/// Device-section lines wireguard-go refuses with `-EINVAL`.
const BAD_DEVICE_LINES: &[&str] = &[
    "private_key=",
    "listen_port=65536",
    "listen_port=+5",
    "listen_port=-1",
    "listen_port= 5",
    "listen_port=",
    "fwmark=4294967296",
    "fwmark=0x10",
    "replace_peers=false",
    "replace_peers=TRUE",
    "unknown_key=1",
    "=1",
    "set=1",
    "errno=0",
];

/// Peer-section lines wireguard-go refuses with `-EINVAL`.
const BAD_PEER_LINES: &[&str] = &[
    "listen_port=1",
    "fwmark=1",
    "replace_peers=true",
    "remove=false",
    "update_only=1",
    "replace_allowed_ips=yes",
    "protocol_version=2",
    "protocol_version=01",
    "preshared_key=00",
    "endpoint=example.com:1",
    "endpoint=[fe80::1%nosuch]:1",
    "endpoint=",
    "persistent_keepalive_interval=65536",
    "allowed_ip=10.0.0.1/33",
    "allowed_ip=--10.0.0.1/32",
    "allowed_ip=10.0.0.1",
    "allowed_ip=",
    "bogus=1",
    // Validated even after `remove=true`.
    "remove=true\nendpoint=nonsense",
    // A good section then a bad line: the peer must not appear.
    "endpoint=192.0.2.9:9\nallowed_ip=10.9.0.0/16\nallowed_ip=x",
];

fn bad_requests() -> Vec<(String, Errno)> {
    let (pk, k2) = (public(5).to_hex(), private(9).to_hex());
    let mut cases: Vec<(String, Errno)> = vec![
        (
            format!("listen_port=51821\nprivate_key={k2}\nnonsense"),
            Errno::EPROTO,
        ),
        ("listen_port=51821\n\u{1}".into(), Errno::EPROTO),
        (format!("public_key={pk}\nendpoint"), Errno::EPROTO),
        (format!("private_key={}", "zz".repeat(32)), Errno::EINVAL),
        (format!("private_key={}", &k2[..63]), Errno::EINVAL),
        (format!("private_key={k2}00"), Errno::EINVAL),
        (format!("public_key={}", &pk[..62]), Errno::EINVAL),
        (format!("public_key={pk}\nprivate_key={k2}"), Errno::EINVAL),
    ];
    let device = BAD_DEVICE_LINES
        .iter()
        .map(|l| format!("listen_port=51821\n{l}"));
    let peer = BAD_PEER_LINES
        .iter()
        .map(|l| format!("public_key={pk}\n{l}"));
    cases.extend(device.chain(peer).map(|body| (body, Errno::EINVAL)));
    cases
}

/// Bad requests: the errno wireguard-go returns, and the device exactly as before.
#[test]
fn rejects_bad_input_with_the_right_errno_and_changes_nothing() {
    let mut fx = Fixture::new(1);
    fx.iface.zones = vec![("eth0".into(), 2)];
    fx.set(&setconf_body()).unwrap();
    let before = fx.get();
    assert!(before.contains("listen_port=51820"));
    for (body, errno) in bad_requests() {
        let err = fx.set(&body).unwrap_err();
        assert_eq!(err.errno(), errno, "{body:?}: {err}");
        assert_eq!(fx.get(), before, "{body:?} changed the device");
    }
}

#[test]
fn lines_that_are_not_utf8() {
    assert_eq!(
        parse_set(b"private_key=\xff", &eth0).unwrap_err().errno(),
        Errno::EINVAL
    );
    assert_eq!(
        parse_set(b"\xff\xfe", &eth0).unwrap_err().errno(),
        Errno::EPROTO
    );
}

#[test]
fn error_messages_name_the_line_and_stay_short() {
    let long = format!("endpoint={}", "9".repeat(10_000));
    let body = format!("public_key={}\n{long}\n", public(2).to_hex());
    let err = parse(&body).unwrap_err();
    assert!(
        err.message().starts_with("line 2: failed to set endpoint"),
        "{err}"
    );
    assert!(err.message().len() < 300, "{}", err.message().len());
    assert!(err.to_string().starts_with("IPC error -22: "));
}
