use super::*;
use crate::socks5::{Domain, DomainError, ReplyCode, Response};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};

const CONNECT_V4: [u8; 10] = [5, 1, 0, 1, 192, 0, 2, 1, 0, 80];
const CONNECT_V6: [u8; 22] = [
    5, 1, 0, 4, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 187,
];
const CONNECT_NAME: [u8; 18] = [
    5, 1, 0, 3, 11, b'e', b'x', b'a', b'm', b'p', b'l', b'e', b'.', b'c', b'o', b'm', 0x1f, 0x90,
];

fn parsed(bytes: &[u8]) -> (Request, usize) {
    parse_request(bytes)
        .expect("valid")
        .done()
        .expect("complete")
}

#[test]
fn connect_to_each_address_type() {
    let v4 = SocketAddr::new(Ipv4Addr::new(192, 0, 2, 1).into(), 80);
    let v6 = SocketAddr::new(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1).into(), 443);
    let name = Domain::new(b"example.com").expect("valid");
    let cases = [
        (&CONNECT_V4[..], Target::Addr(v4)),
        (&CONNECT_V6[..], Target::Addr(v6)),
        (&CONNECT_NAME[..], Target::Domain(name, 8080)),
    ];
    for (bytes, target) in cases {
        let (request, used) = parsed(bytes);
        assert_eq!(used, bytes.len());
        assert_eq!(
            request,
            Request {
                command: Command::Connect,
                target
            }
        );
    }
}

#[test]
fn bind_and_udp_associate() {
    let (bind, _) = parsed(&[5, 2, 0, 1, 0, 0, 0, 0, 0, 0]);
    assert_eq!(bind.command, Command::Bind);
    let (udp, _) = parsed(&[5, 3, 0, 1, 0, 0, 0, 0, 0, 0]);
    assert_eq!(udp.command, Command::UdpAssociate);
    assert_eq!(udp.target.to_string(), "0.0.0.0:0");
}

#[test]
fn every_truncation_is_incomplete_and_what_follows_is_not_used() {
    for bytes in [&CONNECT_V4[..], &CONNECT_V6, &CONNECT_NAME] {
        for cut in 0..bytes.len() {
            assert_eq!(
                parse_request(&bytes[..cut]),
                Ok(Parsed::Incomplete),
                "{cut}"
            );
        }
        let mut longer = bytes.to_vec();
        longer.extend_from_slice(b"GET / HTTP/1.1\r\n");
        assert_eq!(parsed(&longer).1, bytes.len());
    }
}

#[test]
fn an_unknown_command_gets_reply_7_as_soon_as_it_arrives() {
    for code in [0, 4, 0x80, 0xff] {
        let err = parse_request(&[5, code]).unwrap_err();
        assert_eq!(err, Error::Command(code));
        assert_eq!(
            err.response(),
            Response::Reply(ReplyCode::CommandNotSupported)
        );
    }
}

#[test]
fn an_unknown_address_type_gets_reply_8() {
    for atyp in [0, 2, 5, 0xff] {
        let err = parse_request(&[5, 1, 0, atyp]).unwrap_err();
        assert_eq!(err, Error::AddressType(atyp));
        assert_eq!(
            err.response(),
            Response::Reply(ReplyCode::AddressTypeNotSupported)
        );
    }
}

#[test]
fn a_bad_name_gets_host_unreachable() {
    let cases: [(&[u8], DomainError); 3] = [
        (&[5, 1, 0, 3, 0, 0, 80], DomainError::Empty),
        (
            &[5, 1, 0, 3, 3, b'a', b' ', b'b', 0, 80],
            DomainError::BadByte(b' '),
        ),
        (
            &[5, 1, 0, 3, 3, b'a', b'.', b'.', 0, 80],
            DomainError::BadLabel,
        ),
    ];
    for (bytes, why) in cases {
        let err = parse_request(bytes).unwrap_err();
        assert_eq!(err, Error::Domain(why));
        assert_eq!(err.response(), Response::Reply(ReplyCode::HostUnreachable));
    }
}

#[test]
fn a_wrong_version_gets_general_failure() {
    let err = parse_request(&[4, 1, 0, 80]).unwrap_err();
    assert_eq!(err, Error::RequestVersion(4));
    assert_eq!(err.response(), Response::Reply(ReplyCode::GeneralFailure));
}

#[test]
fn rsv_is_ignored_and_address_literals_in_names_are_addresses() {
    let mut bytes = CONNECT_V4;
    bytes[2] = 0xff;
    assert_eq!(parsed(&bytes).0.target.to_string(), "192.0.2.1:80");
    let literal = [5, 1, 0, 3, 5, b'[', b':', b':', b'1', b']', 0, 53];
    assert_eq!(parsed(&literal).0.target.to_string(), "[::1]:53");
}

#[test]
fn written_requests_are_the_vectors() {
    for bytes in [&CONNECT_V4[..], &CONNECT_V6, &CONNECT_NAME] {
        let mut out = Vec::new();
        write_request(&parsed(bytes).0, &mut out);
        assert_eq!(out, bytes);
    }
}
