use super::*;
use std::net::{Ipv4Addr, Ipv6Addr};

#[test]
fn host_names_that_dns_can_carry_are_kept_as_received() {
    let label63 = "a".repeat(63);
    let longest = [label63.as_str(); 4].join(".")[..253].to_owned();
    for name in [
        "example.com",
        "a",
        "EXAMPLE.com.",
        "_sip._udp.x-y.example",
        "1.2.3",
        label63.as_str(),
        longest.as_str(),
        &format!("{longest}."),
    ] {
        let domain = Domain::new(name.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(domain.as_str(), name);
    }
}

#[test]
fn anything_else_is_refused_with_its_reason() {
    let label64 = "a".repeat(64);
    let long = ["a".repeat(60).as_str(); 5].join(".");
    let cases: [(&[u8], DomainError); 12] = [
        (b"", DomainError::Empty),
        (b".", DomainError::Empty),
        (b"a..b", DomainError::BadLabel),
        (b".a", DomainError::BadLabel),
        (b"a.b..", DomainError::BadLabel),
        (label64.as_bytes(), DomainError::BadLabel),
        (long.as_bytes(), DomainError::TooLong),
        (b"a b", DomainError::BadByte(b' ')),
        (b"a\0", DomainError::BadByte(0)),
        ("é.fr".as_bytes(), DomainError::BadByte(0xc3)),
        (b"a:80", DomainError::BadByte(b':')),
        (b"x/y", DomainError::BadByte(b'/')),
    ];
    for (bytes, want) in cases {
        assert_eq!(Domain::new(bytes), Err(want), "{bytes:?}");
    }
    assert_eq!(Domain::new(&[b'a'; 254]), Err(DomainError::TooLong));
}

#[test]
fn address_literals_in_a_name_field_become_addresses() {
    let v4 = SocketAddr::new(Ipv4Addr::new(10, 0, 0, 1).into(), 80);
    let v6 = SocketAddr::new(Ipv6Addr::LOCALHOST.into(), 443);
    assert_eq!(Target::from_host(b"10.0.0.1", 80), Ok(Target::Addr(v4)));
    assert_eq!(Target::from_host(b"::1", 443), Ok(Target::Addr(v6)));
    assert_eq!(Target::from_host(b"[::1]", 443), Ok(Target::Addr(v6)));
    assert_eq!(
        Target::from_host(b"[::1", 443),
        Err(DomainError::BadByte(b'['))
    );
}

#[test]
fn targets_display_as_host_and_port() {
    let name = Target::from_host(b"example.com", 8080).expect("valid");
    assert_eq!(name.to_string(), "example.com:8080");
    assert_eq!(name.port(), 8080);
    let v6 = Target::from_host(b"2001:db8::1", 53).expect("valid");
    assert_eq!(v6.to_string(), "[2001:db8::1]:53");
}
