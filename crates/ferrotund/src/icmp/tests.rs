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
    assert!(checksum::verifies(0, &reply[..20]), "header checksum");
    assert!(checksum::verifies(0, &reply[20..]), "ICMP checksum");
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
    let len = u32::try_from(reply.len() - 40).unwrap();
    let pseudo = checksum::pseudo_header(&reply[8..24], &reply[24..40], 58, len);
    assert!(checksum::verifies(pseudo, &reply[40..]), "ICMPv6 checksum");
    // Computed independently, as for IPv4 below.
    assert_eq!(reply[42..44], [0x99, 0x6a]);
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

/// The checksums of one reply, computed independently (RFC 1071 by hand, in Python), so
/// the test fails if the checksum code and its verification drift together.
#[test]
fn v4_reply_checksums_match_known_values() {
    let orig = ipv4([192, 0, 2, 1], [198, 51, 100, 7], 17, &[0xab; 9]);
    let reply = host_unreachable(&orig).unwrap();
    assert_eq!(reply[10..12], KNOWN_V4_HEADER_SUM);
    assert_eq!(reply[22..24], KNOWN_V4_ICMP_SUM);
}

const KNOWN_V4_HEADER_SUM: [u8; 2] = [0x8e, 0x88];
const KNOWN_V4_ICMP_SUM: [u8; 2] = [0x31, 0xe4];
