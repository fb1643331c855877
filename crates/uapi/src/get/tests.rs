use crate::testutil::{private, public, Fixture, WALL_SECS};

#[test]
fn empty_device_writes_nothing() {
    assert_eq!(Fixture::new(1).get(), "");
}

/// Two peers (IPv4 and IPv6 endpoints, a PSK, a keepalive, several prefixes): the reply
/// byte for byte as wireguard-go writes it.
#[test]
fn two_peers_byte_exact() {
    let mut fx = Fixture::new(1);
    let psk = "0123456789ABCDEF".repeat(4);
    fx.set(&format!(
        "private_key={}\nlisten_port=51820\nfwmark=51\n\
         public_key={}\npreshared_key={psk}\nendpoint=192.0.2.2:51820\n\
         persistent_keepalive_interval=25\nallowed_ip=10.0.0.2/32\nallowed_ip=10.2.0.0/16\n\
         public_key={}\nendpoint=[2001:db8::3]:443\nallowed_ip=fd00::3/128\nallowed_ip=10.3.9.9/24\n",
        private(1).to_hex(),
        public(2).to_hex(),
        public(3).to_hex(),
    ))
    .unwrap();
    // Turning the keepalive on started a handshake with peer 2: one initiation sent.
    let expected = format!(
        "private_key={}\nlisten_port=51820\nfwmark=51\n\
         public_key={}\npreshared_key={}\nprotocol_version=1\nendpoint=192.0.2.2:51820\n\
         last_handshake_time_sec=0\nlast_handshake_time_nsec=0\ntx_bytes=148\nrx_bytes=0\n\
         persistent_keepalive_interval=25\nallowed_ip=10.0.0.2/32\nallowed_ip=10.2.0.0/16\n\
         public_key={}\npreshared_key={}\nprotocol_version=1\nendpoint=[2001:db8::3]:443\n\
         last_handshake_time_sec=0\nlast_handshake_time_nsec=0\ntx_bytes=0\nrx_bytes=0\n\
         persistent_keepalive_interval=0\nallowed_ip=fd00::3/128\nallowed_ip=10.3.9.0/24\n",
        private(1).to_hex(),
        public(2).to_hex(),
        psk.to_lowercase(),
        public(3).to_hex(),
        "0".repeat(64),
    );
    assert_eq!(fx.get(), expected);
}

#[test]
fn clamped_private_key_and_zone_names() {
    let mut fx = Fixture::new(2);
    fx.iface.zones = vec![("eth0".into(), 2)];
    fx.set(&format!(
        "private_key={}\npublic_key={}\nendpoint=[fe80::1%eth0]:51820\n\
         public_key={}\nendpoint=[fe80::1%9]:1\n",
        "ff".repeat(32),
        public(2).to_hex(),
        public(3).to_hex()
    ))
    .unwrap();
    let out = fx.get();
    let clamped = format!("f8{}7f", "ff".repeat(30));
    assert!(
        out.starts_with(&format!("private_key={clamped}\n")),
        "{out}"
    );
    assert!(out.contains("endpoint=[fe80::1%eth0]:51820\n"), "{out}");
    assert!(out.contains("endpoint=[fe80::1%9]:1\n"), "{out}");
}

#[test]
fn last_handshake_is_absolute_unix_time() {
    let (mut a, mut b) = (Fixture::new(3), Fixture::new(4));
    a.set(&format!(
        "private_key={}\npublic_key={}\nendpoint=192.0.2.2:1\n",
        private(1).to_hex(),
        public(2).to_hex()
    ))
    .unwrap();
    b.set(&format!(
        "private_key={}\npublic_key={}\n",
        private(2).to_hex(),
        public(1).to_hex()
    ))
    .unwrap();
    a.set(&format!(
        "public_key={}\npersistent_keepalive_interval=1\n",
        public(2).to_hex()
    ))
    .unwrap();
    let from =
        |s: &str| ferrotun_proto::peer::Endpoint::from(s.parse::<std::net::SocketAddr>().unwrap());
    let mut init = a.device.poll_transmit().unwrap().data;
    b.device
        .handle_datagram(crate::testutil::NOW, from("192.0.2.1:1"), &mut init)
        .unwrap();
    let mut resp = b.device.poll_transmit().unwrap().data;
    a.device
        .handle_datagram(crate::testutil::NOW, from("192.0.2.2:1"), &mut resp)
        .unwrap();
    let out = a.get();
    assert!(
        out.contains(&format!(
            "last_handshake_time_sec={WALL_SECS}\nlast_handshake_time_nsec=0\n"
        )),
        "{out}"
    );
}
