use super::*;

fn ipv4(src: [u8; 4], dst: [u8; 4], proto: u8, payload: &[u8]) -> Vec<u8> {
    let mut p = vec![0x45, 0, 0, 0, 0, 0, 0, 0, 64, proto, 0, 0];
    p.extend_from_slice(&src);
    p.extend_from_slice(&dst);
    p.extend_from_slice(payload);
    let len = p.len() as u16;
    p[2..4].copy_from_slice(&len.to_be_bytes());
    p
}

#[test]
fn v4_reply_goes_back_to_the_sender_with_valid_checksums() {
    let orig = ipv4(
        [10, 0, 0, 1],
        [10, 0, 0, 9],
        17,
        &[1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
    let reply = host_unreachable(&orig).unwrap();
    assert_eq!(&reply[12..16], &[10, 0, 0, 9]);
    assert_eq!(&reply[16..20], &[10, 0, 0, 1]);
    assert_eq!((reply[20], reply[21]), (3, 1));
    assert_eq!(checksum(&[&reply[..20]]), 0, "header checksum verifies");
    assert_eq!(checksum(&[&reply[20..]]), 0, "ICMP checksum verifies");
    assert_eq!(&reply[28..], &orig[..]);
}

#[test]
fn v6_reply_has_valid_checksum() {
    let mut orig = vec![0u8; 48];
    orig[0] = 0x60;
    orig[5] = 8;
    orig[6] = 17;
    orig[8..24].copy_from_slice(&[0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    orig[24..40].copy_from_slice(&[0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9]);
    let reply = host_unreachable(&orig).unwrap();
    assert_eq!((reply[40], reply[41]), (1, 3));
    let len = ((reply.len() - 40) as u32).to_be_bytes();
    assert_eq!(
        checksum(&[&reply[8..40], &len, &[0, 0, 0, 58], &reply[40..]]),
        0
    );
}

#[test]
fn no_reply_to_errors_garbage_or_multicast() {
    assert!(host_unreachable(&ipv4(
        [10, 0, 0, 1],
        [10, 0, 0, 9],
        1,
        &[3, 1, 0, 0, 0, 0, 0, 0]
    ))
    .is_none());
    assert!(host_unreachable(&ipv4([224, 0, 0, 1], [10, 0, 0, 9], 17, &[])).is_none());
    assert!(host_unreachable(&[0x45, 0, 0]).is_none());
    assert!(host_unreachable(&[]).is_none());
    assert!(host_unreachable(&[0x60; 20]).is_none());
}
