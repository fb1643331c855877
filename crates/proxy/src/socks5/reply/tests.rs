use super::*;
use crate::socks5::Domain;
use std::net::Ipv6Addr;

const ALL: [ReplyCode; 9] = [
    ReplyCode::Succeeded,
    ReplyCode::GeneralFailure,
    ReplyCode::NotAllowed,
    ReplyCode::NetworkUnreachable,
    ReplyCode::HostUnreachable,
    ReplyCode::ConnectionRefused,
    ReplyCode::TtlExpired,
    ReplyCode::CommandNotSupported,
    ReplyCode::AddressTypeNotSupported,
];

#[test]
fn codes_are_rfc_1928_section_6() {
    let codes: Vec<u8> = ALL.iter().map(|c| c.code()).collect();
    assert_eq!(codes, (0..=8).collect::<Vec<u8>>());
}

#[test]
fn a_failure_reply_carries_an_all_zero_ipv4_address() {
    for code in ALL {
        let bytes = Reply::failure(code).to_bytes();
        assert_eq!(bytes, [5, code.code(), 0, 1, 0, 0, 0, 0, 0, 0]);
    }
}

#[test]
fn bound_addresses_of_each_type() {
    let v4 = Reply {
        code: ReplyCode::Succeeded,
        bound: Target::Addr("10.0.0.2:1080".parse().expect("literal")),
    };
    assert_eq!(v4.to_bytes(), [5, 0, 0, 1, 10, 0, 0, 2, 0x04, 0x38]);
    let v6 = Reply {
        code: ReplyCode::Succeeded,
        bound: Target::Addr(SocketAddr::new(Ipv6Addr::LOCALHOST.into(), 2)),
    };
    let mut want = vec![5, 0, 0, 4];
    want.extend_from_slice(&Ipv6Addr::LOCALHOST.octets());
    want.extend_from_slice(&[0, 2]);
    assert_eq!(v6.to_bytes(), want);
    let name = Reply {
        code: ReplyCode::Succeeded,
        bound: Target::Domain(Domain::new(b"proxy.lan").expect("valid"), 1080),
    };
    let mut want = vec![5, 0, 0, 3, 9];
    want.extend_from_slice(b"proxy.lan");
    want.extend_from_slice(&[0x04, 0x38]);
    assert_eq!(name.to_bytes(), want);
}

#[test]
fn the_longest_name_is_written_whole() {
    let label = "a".repeat(63);
    let name = format!("{}.", [label.as_str(); 4].join(".")[..253].to_owned());
    let reply = Reply {
        code: ReplyCode::Succeeded,
        bound: Target::Domain(Domain::new(name.as_bytes()).expect("valid"), 1),
    };
    let bytes = reply.to_bytes();
    assert_eq!(bytes[4], 254);
    assert_eq!(&bytes[5..259], name.as_bytes());
    assert_eq!(bytes.len(), 5 + 254 + 2);
}

#[test]
fn connect_failures_map_to_their_codes() {
    use io::ErrorKind as K;
    let cases = [
        (K::ConnectionRefused, ReplyCode::ConnectionRefused),
        (K::ConnectionReset, ReplyCode::ConnectionRefused),
        (K::HostUnreachable, ReplyCode::HostUnreachable),
        (K::TimedOut, ReplyCode::HostUnreachable),
        (K::NetworkUnreachable, ReplyCode::NetworkUnreachable),
        (K::AddrNotAvailable, ReplyCode::NetworkUnreachable),
        (K::PermissionDenied, ReplyCode::NotAllowed),
        (K::Other, ReplyCode::GeneralFailure),
    ];
    for (kind, code) in cases {
        assert_eq!(ReplyCode::from_io(kind), code, "{kind:?}");
    }
}
