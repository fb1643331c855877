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
        replace_peers: true,
        peers: keys.iter().map(|n| PeerChange::new(key(*n))).collect(),
        ..SetRequest::default()
    }
}

#[test]
fn removes_absent_peers_first_in_descending_order() {
    let mut req = request(&[2, 5]);
    apply_diff(
        &mut req,
        &running(&[(1, false, 0), (2, false, 0), (3, false, 0)]),
    );
    assert!(!req.replace_peers);
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
    apply_diff(
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
fn nothing_to_diff_keeps_setconf_semantics() {
    let mut empty_file = request(&[]);
    apply_diff(&mut empty_file, &running(&[(1, false, 0)]));
    assert!(empty_file.replace_peers && empty_file.peers.is_empty());
    let mut fresh_device = request(&[1]);
    apply_diff(&mut fresh_device, &running(&[]));
    assert!(fresh_device.replace_peers);
}
