use super::*;
use ferrotun_uapi::client::PeerInfo;

fn key(n: u8) -> PublicKey {
    PublicKey::from_bytes([n; 32])
}

fn running(peers: &[(u8, bool, u16)]) -> DeviceInfo {
    DeviceInfo {
        peers: peers
            .iter()
            .map(|&(n, psk, keepalive)| PeerInfo {
                preshared_key: psk.then(|| PresharedKey::from_bytes([9; 32])),
                persistent_keepalive: keepalive,
                ..PeerInfo::new(key(n))
            })
            .collect(),
        ..DeviceInfo::default()
    }
}

fn request(keys: &[u8]) -> SetRequest {
    SetRequest {
        peers: keys.iter().map(|n| PeerChange::new(key(*n))).collect(),
        ..SetRequest::default()
    }
}

#[test]
fn removes_absent_peers_first_in_descending_order() {
    let mut req = request(&[2, 5]);
    sync_peers(
        &mut req,
        &running(&[(1, false, 0), (2, false, 0), (3, false, 0)]),
    );
    let order: Vec<(u8, bool)> = req
        .peers
        .iter()
        .map(|p| (p.public_key.as_bytes()[0], p.remove))
        .collect();
    assert_eq!(order, [(3, true), (1, true), (2, false), (5, false)]);
}

#[test]
fn clears_dropped_psk_and_keepalive_only() {
    let mut req = request(&[1, 2, 3]);
    req.peers[2].persistent_keepalive = Some(10);
    sync_peers(
        &mut req,
        &running(&[(1, true, 25), (2, false, 0), (3, true, 5)]),
    );
    let first = &req.peers[0];
    assert!(first
        .preshared_key
        .as_ref()
        .is_some_and(PresharedKey::is_zero));
    assert_eq!(first.persistent_keepalive, Some(0));
    let second = &req.peers[1];
    assert_eq!(
        (second.preshared_key.is_none(), second.persistent_keepalive),
        (true, None)
    );
    // Peer 3 names a keepalive, keeps it, and loses its preshared key.
    assert_eq!(req.peers[2].persistent_keepalive, Some(10));
    assert!(req.peers[2]
        .preshared_key
        .as_ref()
        .is_some_and(PresharedKey::is_zero));
}

#[test]
fn a_file_without_peers_removes_every_running_peer() {
    let mut req = request(&[]);
    sync_peers(&mut req, &running(&[(4, false, 0), (7, true, 25)]));
    let order: Vec<(u8, bool)> = req
        .peers
        .iter()
        .map(|p| (p.public_key.as_bytes()[0], p.remove))
        .collect();
    assert_eq!(order, [(7, true), (4, true)]);
}

#[test]
fn syncconf_stops_replacing_peers_only_when_both_sides_have_some() {
    let mut both = request(&[2]);
    both.replace_peers = true;
    syncconf(&mut both, &running(&[(1, false, 0), (2, false, 0)]));
    assert!(!both.replace_peers);
    assert!(both.peers[0].remove && !both.peers[1].remove);
    // An empty file or a fresh device: plain `setconf`.
    let mut empty_file = request(&[]);
    empty_file.replace_peers = true;
    syncconf(&mut empty_file, &running(&[(1, false, 0)]));
    assert!(empty_file.replace_peers && empty_file.peers.is_empty());
    let mut fresh_device = request(&[1]);
    fresh_device.replace_peers = true;
    syncconf(&mut fresh_device, &running(&[]));
    assert!(fresh_device.replace_peers && fresh_device.peers.len() == 1);
}
