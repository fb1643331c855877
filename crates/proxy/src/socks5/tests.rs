//! Properties of every SOCKS5 parser over random input.

use super::*;
use proptest::prelude::*;
use std::fmt::Debug;

/// For any input: no panic; a complete message used no more than the buffer and parses the
/// same from its own bytes alone; every shorter prefix of it is incomplete; and an error
/// stays the same error when more bytes arrive (the server may answer at once).
fn check_incremental<T: Debug + PartialEq>(
    parse: fn(&[u8]) -> Result<Parsed<T>, Error>,
    bytes: &[u8],
) {
    match parse(bytes) {
        Ok(Parsed::Done { msg, used }) => {
            assert!(used <= bytes.len());
            for cut in 0..used {
                assert_eq!(parse(&bytes[..cut]), Ok(Parsed::Incomplete), "cut {cut}");
            }
            assert_eq!(parse(&bytes[..used]), Ok(Parsed::Done { msg, used }));
        }
        Ok(Parsed::Incomplete) => {}
        Err(e) => {
            let _ = e.response();
            let mut longer = bytes.to_vec();
            longer.extend_from_slice(&[0; 300]);
            assert_eq!(parse(&longer).err(), Some(e));
        }
    }
}

fn target() -> impl Strategy<Value = Target> {
    prop_oneof![
        // Scope ids and flow labels have no place on the wire, so no SocketAddr strategy.
        (any::<std::net::IpAddr>(), any::<u16>())
            .prop_map(|(ip, port)| Target::Addr(std::net::SocketAddr::new(ip, port))),
        (
            "[a-zA-Z0-9_-]{1,63}(\\.[a-zA-Z0-9_-]{1,63}){0,2}\\.?",
            any::<u16>()
        )
            .prop_filter_map("address literal", |(name, port)| Domain::new(
                name.as_bytes()
            )
            .ok()
            .map(|d| Target::Domain(d, port))),
    ]
}

fn command() -> impl Strategy<Value = Command> {
    prop::sample::select(vec![Command::Connect, Command::Bind, Command::UdpAssociate])
}

proptest! {
    #[test]
    fn random_greetings(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        check_incremental(parse_greeting, &bytes);
    }

    #[test]
    fn random_auth_requests(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        check_incremental(parse_auth, &bytes);
    }

    #[test]
    fn random_requests(mut bytes in prop::collection::vec(any::<u8>(), 0..300), fix in any::<u8>()) {
        // Often a valid version, command and type so that the address parser is reached.
        if fix % 2 == 0 && bytes.len() > 3 {
            bytes[0] = 5;
            bytes[1] = 1 + fix % 3;
            bytes[3] = [1, 3, 4][usize::from(fix / 2 % 3)];
        }
        check_incremental(parse_request, &bytes);
    }

    #[test]
    fn random_datagrams(mut bytes in prop::collection::vec(any::<u8>(), 0..300), fix in any::<u8>()) {
        if fix % 2 == 0 && bytes.len() > 3 {
            bytes[2] = 0;
            bytes[3] = [1, 3, 4][usize::from(fix / 2 % 3)];
        }
        if let Ok(datagram) = parse_udp_datagram(&bytes) {
            let mut again = Vec::new();
            write_udp_header(&datagram.target, &mut again);
            again.extend_from_slice(datagram.payload);
            prop_assert_eq!(parse_udp_datagram(&again), Ok(datagram));
        }
    }

    #[test]
    fn written_requests_replies_and_headers_parse_back(target in target(), command in command()) {
        let request = Request { command, target: target.clone() };
        let mut bytes = Vec::new();
        write_request(&request, &mut bytes);
        prop_assert_eq!(parse_request(&bytes), Ok(Parsed::Done { msg: request, used: bytes.len() }));
        // A reply has the request's layout with REP in CMD's place.
        let reply = Reply { code: ReplyCode::Succeeded, bound: target.clone() }.to_bytes();
        prop_assert_eq!(&reply[3..], &bytes[3..]);
        let mut header = Vec::new();
        write_udp_header(&target, &mut header);
        prop_assert_eq!(&header[3..], &bytes[3..]);
    }
}
