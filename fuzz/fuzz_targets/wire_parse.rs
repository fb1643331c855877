//! Arbitrary bytes through `wire::parse` and every message type's own `parse`.
//!
//! Checks, for every input: no panic; `wire::parse` agrees with `message_type` and with the
//! per-type parsers; errors describe the input exactly; and every accepted message
//! serializes back to the very bytes it was parsed from.
#![no_main]

use ferrotun_proto::wire::{
    self, CookieReply, HandshakeInitiation, HandshakeResponse, Message, TransportHeader, WireError,
    MESSAGE_COOKIE_REPLY, MESSAGE_INITIATION, MESSAGE_RESPONSE, MESSAGE_TRANSPORT,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| check(data));

fn check(data: &[u8]) {
    let kind = wire::message_type(data);
    match kind {
        Ok(k) => assert_eq!(k.to_le_bytes(), data[..4]),
        Err(e) => {
            assert_eq!(e, WireError::TooShort);
            assert!(data.len() < 4);
        }
    }

    let parsed = wire::parse(data);
    let init = HandshakeInitiation::parse(data);
    let resp = HandshakeResponse::parse(data);
    let reply = CookieReply::parse(data);
    let transport = TransportHeader::parse(data);

    // The per-type parsers accept exactly what `wire::parse` dispatches to them.
    match &parsed {
        Ok(Message::Initiation(m)) => assert_eq!(init.as_ref(), Ok(m)),
        _ => assert!(init.is_err()),
    }
    match &parsed {
        Ok(Message::Response(m)) => assert_eq!(resp.as_ref(), Ok(m)),
        _ => assert!(resp.is_err()),
    }
    match &parsed {
        Ok(Message::CookieReply(m)) => assert_eq!(reply.as_ref(), Ok(m)),
        _ => assert!(reply.is_err()),
    }
    match &parsed {
        Ok(Message::Transport(h, body)) => assert_eq!(transport, Ok((*h, *body))),
        _ => assert!(transport.is_err()),
    }

    match parsed {
        Ok(Message::Initiation(m)) => {
            assert_eq!(kind, Ok(MESSAGE_INITIATION));
            assert_eq!(m.to_bytes()[..], data[..]);
            assert_eq!(data.len(), HandshakeInitiation::LEN);
            assert_eq!(
                data[HandshakeInitiation::MAC1_OFFSET..HandshakeInitiation::MAC2_OFFSET],
                m.mac1
            );
            assert_eq!(data[HandshakeInitiation::MAC2_OFFSET..], m.mac2);
        }
        Ok(Message::Response(m)) => {
            assert_eq!(kind, Ok(MESSAGE_RESPONSE));
            assert_eq!(m.to_bytes()[..], data[..]);
            assert_eq!(data.len(), HandshakeResponse::LEN);
            assert_eq!(
                data[HandshakeResponse::MAC1_OFFSET..HandshakeResponse::MAC2_OFFSET],
                m.mac1
            );
            assert_eq!(data[HandshakeResponse::MAC2_OFFSET..], m.mac2);
        }
        Ok(Message::CookieReply(m)) => {
            assert_eq!(kind, Ok(MESSAGE_COOKIE_REPLY));
            assert_eq!(m.to_bytes()[..], data[..]);
            assert_eq!(data.len(), CookieReply::LEN);
        }
        Ok(Message::Transport(h, body)) => {
            assert_eq!(kind, Ok(MESSAGE_TRANSPORT));
            assert!(data.len() >= TransportHeader::MIN_LEN);
            let mut header = [0u8; TransportHeader::LEN];
            h.write(&mut header);
            assert_eq!(header[..], data[..TransportHeader::LEN]);
            assert_eq!(body, &data[TransportHeader::LEN..]);
            // The body is a suffix of the input, not a copy.
            assert_eq!(body.as_ptr(), data[TransportHeader::LEN..].as_ptr());
        }
        Err(WireError::TooShort) => assert!(data.len() < 4),
        Err(WireError::UnknownType(t)) => {
            assert_eq!(kind, Ok(t));
            assert!(!matches!(
                t,
                MESSAGE_INITIATION | MESSAGE_RESPONSE | MESSAGE_COOKIE_REPLY | MESSAGE_TRANSPORT
            ));
        }
        Err(WireError::WrongLength { kind: k, len }) => {
            assert_eq!(kind, Ok(k));
            assert_eq!(len, data.len());
            let ok_len = match k {
                MESSAGE_INITIATION => len == HandshakeInitiation::LEN,
                MESSAGE_RESPONSE => len == HandshakeResponse::LEN,
                MESSAGE_COOKIE_REPLY => len == CookieReply::LEN,
                MESSAGE_TRANSPORT => len >= TransportHeader::MIN_LEN,
                other => panic!("WrongLength for unknown type {other:#x}"),
            };
            assert!(
                !ok_len,
                "length {len} is valid for type {k} but was rejected"
            );
        }
    }
}
