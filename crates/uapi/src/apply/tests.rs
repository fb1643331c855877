use super::*;
use crate::testutil::{private, public, Fixture, NOW};
use ferrotun_proto::device::Inbound;
use ferrotun_proto::peer::Endpoint;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

const A_ADDR: &str = "192.0.2.1:51820";
const B_ADDR: &str = "192.0.2.2:51820";

fn ep(s: &str) -> Endpoint {
    Endpoint::from(s.parse::<SocketAddr>().unwrap())
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

/// A (key 1) and B (key 2) configured through the UAPI, with a completed handshake and one
/// data packet from A to B.
fn connected_pair() -> (Fixture, Fixture) {
    let (mut a, mut b) = (Fixture::new(1), Fixture::new(2));
    a.set(&format!(
        "private_key={}\npublic_key={}\nendpoint={B_ADDR}\nallowed_ip=10.0.0.2/32\n",
        private(1).to_hex(),
        public(2).to_hex()
    ))
    .unwrap();
    b.set(&format!(
        "private_key={}\npublic_key={}\nallowed_ip=10.0.0.1/32\n",
        private(2).to_hex(),
        public(1).to_hex()
    ))
    .unwrap();
    let packet = [
        0x45u8, 0, 0, 20, 0, 0, 0, 0, 64, 1, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
    ];
    a.device.encapsulate(NOW, &packet, &mut [0u8; 256]).unwrap();
    let mut init = a.device.poll_transmit().unwrap().data;
    assert_eq!(
        b.device.handle_datagram(NOW, ep(A_ADDR), &mut init),
        Ok(Inbound::Handled)
    );
    let mut response = b.device.poll_transmit().unwrap().data;
    assert_eq!(
        a.device.handle_datagram(NOW, ep(B_ADDR), &mut response),
        Ok(Inbound::Handled)
    );
    deliver(&mut a, &mut b);
    (a, b)
}

/// Sends everything A has queued to B; returns how many datagrams went.
fn deliver(a: &mut Fixture, b: &mut Fixture) -> usize {
    let mut sent = 0;
    while let Some(t) = a.device.poll_transmit() {
        let mut data = t.data;
        let _ = b.device.handle_datagram(NOW, ep(A_ADDR), &mut data);
        sent += 1;
    }
    sent
}

#[test]
fn updating_an_existing_peer_keeps_its_session() {
    let (mut a, mut b) = connected_pair();
    let id = a.device.peer_id(&public(2)).unwrap();
    let peer = a.device.peer_info(id).unwrap();
    let (rx, tx) = (peer.rx_bytes(), peer.tx_bytes());
    assert!(rx > 0 && tx > 0 && peer.has_session(NOW));
    let keypair = a.device.current_keypair(id).unwrap();

    // What `wg syncconf` sends for a changed endpoint and allowed IPs.
    a.set(&format!(
        "public_key={}\npreshared_key={}\nendpoint=192.0.2.22:51820\n\
         persistent_keepalive_interval=0\nreplace_allowed_ips=true\n\
         allowed_ip=10.0.0.2/32\nallowed_ip=10.0.2.0/24\n",
        public(2).to_hex(),
        "0".repeat(64)
    ))
    .unwrap();

    assert_eq!(a.device.peer_id(&public(2)), Some(id), "same peer");
    let peer = a.device.peer_info(id).unwrap();
    assert_eq!(
        (peer.rx_bytes(), peer.tx_bytes()),
        (rx, tx),
        "counters kept"
    );
    assert!(peer.has_session(NOW), "session kept");
    assert!(Arc::ptr_eq(
        &keypair,
        &a.device.current_keypair(id).unwrap()
    ));
    assert_eq!(
        peer.endpoint().unwrap().addr,
        "192.0.2.22:51820".parse().unwrap()
    );
    assert_eq!(
        a.device.allowed_ips(id),
        vec![(ip("10.0.0.2"), 32), (ip("10.0.2.0"), 24)]
    );
    assert_eq!(deliver(&mut a, &mut b), 0, "nothing was sent");
}

#[test]
fn keepalive_is_sent_when_turned_on_only() {
    let (mut a, mut b) = connected_pair();
    let set_ka = |a: &mut Fixture, secs: u16| {
        a.set(&format!(
            "public_key={}\npersistent_keepalive_interval={secs}\n",
            public(2).to_hex()
        ))
        .unwrap();
    };
    set_ka(&mut a, 25);
    let t = a.device.poll_transmit().expect("a keepalive at once");
    assert_eq!(t.data.len(), 32, "an empty transport message");
    set_ka(&mut a, 30);
    set_ka(&mut a, 0);
    assert_eq!(deliver(&mut a, &mut b), 0, "25→30 and 30→0 send nothing");
    set_ka(&mut a, 5);
    assert_eq!(deliver(&mut a, &mut b), 1);
    let id = a.device.peer_id(&public(2)).unwrap();
    assert_eq!(a.device.peer_info(id).unwrap().persistent_keepalive(), 5);
}

#[test]
fn update_only_remove_and_replace_peers() {
    let mut fx = Fixture::new(3);
    let (p2, p3, p4) = (public(2).to_hex(), public(3).to_hex(), public(4).to_hex());
    fx.set(&format!(
        "public_key={p2}\nupdate_only=true\nallowed_ip=10.0.0.2/32\n"
    ))
    .unwrap();
    assert_eq!(fx.device.peer_count(), 0, "update_only does not create");

    fx.set(&format!("public_key={p2}\npublic_key={p3}\n"))
        .unwrap();
    let id2 = fx.device.peer_id(&public(2)).unwrap();
    fx.set(&format!(
        "public_key={p2}\nupdate_only=true\nallowed_ip=10.0.0.2/32\n"
    ))
    .unwrap();
    assert_eq!(
        fx.device.allowed_ips(id2),
        vec![(ip("10.0.0.2"), 32)],
        "but updates"
    );

    fx.set(&format!(
        "public_key={p3}\nremove=true\npublic_key={p4}\nremove=true\n"
    ))
    .unwrap();
    assert_eq!(
        fx.device.peer_ids(),
        vec![id2],
        "remove; removing a stranger is fine"
    );

    fx.set(&format!("replace_peers=true\npublic_key={p4}\n"))
        .unwrap();
    assert_eq!(fx.device.peer_count(), 1);
    assert!(fx.device.peer_id(&public(2)).is_none());
    assert!(fx.device.peer_id(&public(4)).is_some());
}

#[test]
fn allowed_ips_replace_move_and_remove() {
    let mut fx = Fixture::new(4);
    let (p2, p3) = (public(2).to_hex(), public(3).to_hex());
    fx.set(&format!(
        "public_key={p2}\nallowed_ip=10.0.0.0/24\nallowed_ip=10.1.0.0/16\nallowed_ip=fd00::/64\n\
         public_key={p3}\nallowed_ip=10.1.0.0/16\n"
    ))
    .unwrap();
    let (id2, id3) = (
        fx.device.peer_id(&public(2)).unwrap(),
        fx.device.peer_id(&public(3)).unwrap(),
    );
    assert_eq!(
        fx.device.allowed_ips(id2),
        vec![(ip("10.0.0.0"), 24), (ip("fd00::"), 64)],
        "10.1/16 moved to the second peer"
    );
    assert_eq!(fx.device.allowed_ips(id3), vec![(ip("10.1.0.0"), 16)]);

    // Removal needs the exact prefix and the owner.
    fx.set(&format!(
        "public_key={p2}\nallowed_ip=-10.0.0.0/25\nallowed_ip=-10.1.0.0/16\nallowed_ip=-fd00::5/64\n"
    ))
    .unwrap();
    assert_eq!(fx.device.allowed_ips(id2), vec![(ip("10.0.0.0"), 24)]);
    assert_eq!(fx.device.allowed_ips(id3), vec![(ip("10.1.0.0"), 16)]);

    fx.set(&format!(
        "public_key={p3}\nreplace_allowed_ips=true\nallowed_ip=192.168.7.77/24\n"
    ))
    .unwrap();
    assert_eq!(
        fx.device.allowed_ips(id3),
        vec![(ip("192.168.7.0"), 24)],
        "masked"
    );
}

#[test]
fn own_key_sections_are_ignored_and_a_new_key_removes_its_peer() {
    let mut fx = Fixture::new(5);
    fx.set(&format!(
        "private_key={}\npublic_key={}\nallowed_ip=10.0.0.1/32\npublic_key={}\n",
        private(1).to_hex(),
        public(1).to_hex(),
        public(2).to_hex()
    ))
    .unwrap();
    assert_eq!(
        fx.device.peer_count(),
        1,
        "own key section ignored, no error"
    );
    assert!(fx.device.peer_id(&public(1)).is_none());

    // Taking peer 2's key removes peer 2; a section for it in the same request is ignored.
    fx.set(&format!(
        "private_key={}\npublic_key={}\nendpoint=192.0.2.2:1\n",
        private(2).to_hex(),
        public(2).to_hex()
    ))
    .unwrap();
    assert_eq!(fx.device.peer_count(), 0);
    assert_eq!(fx.device.public_key(), Some(&public(2)));

    fx.set(&format!("private_key={}\n", "0".repeat(64)))
        .unwrap();
    assert!(fx.device.private_key().is_none(), "zeros remove the key");
}

#[test]
fn busy_port_or_refused_mark_changes_nothing() {
    let mut fx = Fixture::new(6);
    fx.set(&format!(
        "private_key={}\nlisten_port=51820\nfwmark=1\npublic_key={}\n",
        private(1).to_hex(),
        public(2).to_hex()
    ))
    .unwrap();
    let before = fx.get();
    fx.iface.busy_ports = vec![51821];
    let request = format!(
        "private_key={}\nlisten_port=51821\nfwmark=7\nreplace_peers=true\npublic_key={}\n",
        private(9).to_hex(),
        public(3).to_hex()
    );
    let err = fx.set(&request).unwrap_err();
    assert_eq!(err.errno(), Errno::EADDRINUSE);
    assert_eq!(err.errno().code(), -98, "Linux number, negative");
    assert_eq!(fx.get(), before, "mark restored, nothing else applied");

    fx.iface.busy_ports.clear();
    fx.iface.mark_fails = true;
    assert_eq!(fx.set(&request).unwrap_err().errno(), Errno::EADDRINUSE);
    assert_eq!(fx.get(), before);

    fx.iface.mark_fails = false;
    fx.set(&request).unwrap();
    assert!(fx.get().contains("listen_port=51821\nfwmark=7\n"));
}

#[test]
fn random_port_is_reported_as_bound() {
    let mut fx = Fixture::new(7);
    fx.set("listen_port=0\n").unwrap();
    assert_eq!(fx.get(), "listen_port=40000\n");
}

fn request(replace_peers: bool, peers: Vec<PeerChange>) -> SetRequest {
    SetRequest {
        replace_peers,
        peers,
        ..SetRequest::default()
    }
}

fn add(n: u8) -> PeerChange {
    PeerChange::new(public(n))
}

fn with(n: u8, f: impl FnOnce(&mut PeerChange)) -> PeerChange {
    let mut p = PeerChange::new(public(n));
    f(&mut p);
    p
}

#[test]
fn peer_limit_is_checked_on_the_net_effect() {
    let mut fx = Fixture::new(8);
    fx.set(&format!(
        "private_key={}\npublic_key={}\npublic_key={}\npublic_key={}\n",
        private(1).to_hex(),
        public(2).to_hex(),
        public(3).to_hex(),
        public(4).to_hex()
    ))
    .unwrap();
    let d = &fx.device;
    let check = |r: &SetRequest, limit| check_capacity(d, r, limit).map_err(|e| e.errno());
    assert_eq!(check(&request(false, vec![add(5)]), 3), Err(Errno::EINVAL));
    assert_eq!(check(&request(false, vec![add(5)]), 4), Ok(()));
    assert_eq!(
        check(&request(false, vec![add(2), add(3), add(5), add(5)]), 4),
        Ok(()),
        "existing and repeated keys"
    );
    assert_eq!(
        check(
            &request(false, vec![with(2, |p| p.remove = true), add(5)]),
            3
        ),
        Ok(())
    );
    assert_eq!(
        check(
            &request(false, vec![add(5), with(2, |p| p.remove = true)]),
            3
        ),
        Err(Errno::EINVAL),
        "order matters"
    );
    assert_eq!(
        check(&request(false, vec![with(5, |p| p.update_only = true)]), 3),
        Ok(())
    );
    assert_eq!(check(&request(false, vec![add(1)]), 3), Ok(()), "own key");
    assert_eq!(
        check(&request(true, vec![add(5), add(6), add(7)]), 3),
        Ok(())
    );
    assert_eq!(
        check(&request(true, vec![add(5), add(6), add(7), add(8)]), 3),
        Err(Errno::EINVAL)
    );
    let mut rekey = request(false, vec![add(5)]);
    rekey.private_key = Some(Some(private(2)));
    assert_eq!(check(&rekey, 3), Ok(()), "the new key's peer goes away");
}
