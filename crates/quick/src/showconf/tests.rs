use super::*;
use crate::testutil::PEER_A;
use ferrotun_proto::keys::PublicKey;

#[test]
fn ntop_matches_glibc() {
    let cases = [
        ("::2", "::2"),
        ("::1.2.3.4", "::1.2.3.4"),
        ("::ffff:1.2.3.4", "::ffff:1.2.3.4"),
        ("::", "::"),
        ("::1", "::1"),
        ("1::", "1::"),
        ("::1:0:0:1", "::1:0:0:1"),
        ("::fffe:102:304", "::fffe:102:304"),
        ("::0.1.0.0", "::0.1.0.0"),
        ("2001:db8:0:1:0:1:0:1", "2001:db8:0:1:0:1:0:1"),
        ("2001:db8::1:0:0:1", "2001:db8::1:0:0:1"),
        ("fe80::1", "fe80::1"),
        ("10.0.0.1", "10.0.0.1"),
    ];
    for (input, expected) in cases {
        assert_eq!(ntop(input.parse().unwrap()), expected, "{input}");
    }
}

#[test]
fn ntop_agrees_with_getnameinfo() {
    // Deterministic pseudo-random addresses with many zero words.
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..2000 {
        let mut words = [0u16; 8];
        for word in &mut words {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            *word = if (state >> 60) < 9 {
                0
            } else {
                (state >> 16) as u16
            };
        }
        let ip = IpAddr::V6(Ipv6Addr::from(words));
        let addr = SocketAddr::new(ip, 0);
        let (host, _) = dns_lookup::getnameinfo(&addr, libc::NI_NUMERICHOST).unwrap();
        assert_eq!(ntop(ip), host, "{words:?}");
    }
}

#[test]
fn showconf_layout() {
    let key = PublicKey::from_base64(PEER_A).unwrap();
    let mut peer = PeerInfo::new(key);
    peer.allowed_ips = vec![
        ("10.0.0.0".parse().unwrap(), 24),
        ("::".parse().unwrap(), 0),
    ];
    peer.endpoint = Some("[2001:db8::1]:51820".parse().unwrap());
    peer.persistent_keepalive = 25;
    let info = DeviceInfo {
        private_key: None,
        public_key: None,
        listen_port: 51820,
        fwmark: 51820,
        peers: vec![peer.clone(), peer],
    };
    let one = "[Peer]\nPublicKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\n\
               AllowedIPs = 10.0.0.0/24, ::/0\nEndpoint = [2001:db8::1]:51820\n\
               PersistentKeepalive = 25\n";
    assert_eq!(
        render(&info),
        format!("[Interface]\nListenPort = 51820\nFwMark = 0xca6c\n\n{one}\n{one}")
    );
}
