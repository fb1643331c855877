use super::*;
use crate::socks5::Domain;

const DNS_QUERY: [u8; 14] = [0, 0, 0, 1, 10, 0, 0, 1, 0, 53, 0xab, 0xcd, 1, 0];

#[test]
fn a_datagram_splits_into_target_and_payload() {
    let datagram = parse_udp_datagram(&DNS_QUERY).expect("valid");
    assert_eq!(datagram.target.to_string(), "10.0.0.1:53");
    assert_eq!(datagram.payload, &[0xab, 0xcd, 1, 0]);
    let empty = parse_udp_datagram(&DNS_QUERY[..10]).expect("valid");
    assert_eq!(empty.payload, &[] as &[u8]);
}

#[test]
fn every_truncated_header_is_dropped() {
    for cut in 0..10 {
        assert_eq!(
            parse_udp_datagram(&DNS_QUERY[..cut]),
            Err(UdpError::Truncated),
            "{cut}"
        );
    }
}

#[test]
fn fragments_bad_types_and_bad_names_are_dropped() {
    let mut fragment = DNS_QUERY;
    fragment[2] = 1;
    assert_eq!(parse_udp_datagram(&fragment), Err(UdpError::Fragmented(1)));
    let mut atyp = DNS_QUERY;
    atyp[3] = 2;
    assert_eq!(parse_udp_datagram(&atyp), Err(UdpError::AddressType(2)));
    assert_eq!(
        parse_udp_datagram(&[0, 0, 0, 3, 1, b'*', 0, 53]),
        Err(UdpError::Domain(DomainError::BadByte(b'*')))
    );
}

#[test]
fn written_headers_parse_back_for_each_address_type() {
    let targets = [
        Target::Addr("192.0.2.7:5353".parse().expect("literal")),
        Target::Addr("[2001:db8::7]:53".parse().expect("literal")),
        Target::Domain(Domain::new(b"dns.example").expect("valid"), 53),
    ];
    for target in targets {
        let mut datagram = Vec::new();
        write_udp_header(&target, &mut datagram);
        assert_eq!(&datagram[..3], &[0, 0, 0]);
        datagram.extend_from_slice(b"payload");
        let parsed = parse_udp_datagram(&datagram).expect("valid");
        assert_eq!((parsed.target, parsed.payload), (target, &b"payload"[..]));
    }
}
