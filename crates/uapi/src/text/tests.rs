use super::*;

fn no_zones(_: &str) -> Option<u32> {
    None
}

fn eth0(name: &str) -> Option<u32> {
    (name == "eth0").then_some(2)
}

#[test]
fn decimal_is_go_parseuint_base_10() {
    assert_eq!(parse_decimal("0", 10), Some(0));
    assert_eq!(parse_decimal("65535", 65535), Some(65535));
    assert_eq!(
        parse_decimal("00080", 65535),
        Some(80),
        "leading zeros are fine"
    );
    for bad in ["", "+1", "-1", " 1", "1 ", "1_000", "0x10", "65536", "1e3"] {
        assert_eq!(parse_decimal(bad, 65535), None, "{bad:?}");
    }
    assert_eq!(
        parse_decimal("99999999999999999999999", u64::MAX),
        None,
        "overflow"
    );
    assert_eq!(
        parse_decimal("18446744073709551615", u64::MAX),
        Some(u64::MAX)
    );
}

#[test]
fn endpoints_v4_v6_and_zones() {
    let ok = |s: &str| parse_endpoint(s, &eth0).unwrap();
    assert_eq!(ok("192.0.2.1:51820"), "192.0.2.1:51820".parse().unwrap());
    assert_eq!(
        ok("[2001:db8::1]:443"),
        "[2001:db8::1]:443".parse().unwrap()
    );
    assert_eq!(
        ok("[::ffff:192.0.2.1]:1"),
        "[::ffff:192.0.2.1]:1".parse().unwrap()
    );
    assert_eq!(ok("192.0.2.1:0").port(), 0);
    assert_eq!(ok("192.0.2.1:080").port(), 80);
    let SocketAddr::V6(named) = ok("[fe80::1%eth0]:51820") else {
        panic!("not v6")
    };
    assert_eq!((named.scope_id(), named.port()), (2, 51820));
    let SocketAddr::V6(numeric) = ok("[fe80::1%7]:1") else {
        panic!("not v6")
    };
    assert_eq!(numeric.scope_id(), 7);
}

#[test]
fn endpoints_go_refuses_are_refused() {
    for bad in [
        "",
        "192.0.2.1",
        "192.0.2.1:",
        ":51820",
        "192.0.2.1:65536",
        "192.0.2.1:-1",
        "192.0.2.1:+1",
        "2001:db8::1:443",
        "[192.0.2.1]:443",
        "[2001:db8::1:443",
        "[2001:db8::1]",
        "[fe80::1%]:1",
        "[fe80::1%wlan9]:1",
        "[fe80::1%99999999999]:1",
        "192.0.2.1%eth0:1",
        "01.2.3.4:1",
        "example.com:51820",
        "256.0.0.1:1",
    ] {
        assert!(parse_endpoint(bad, &eth0).is_err(), "{bad:?} was accepted");
    }
    assert!(
        parse_endpoint("[fe80::1%eth0]:1", &no_zones).is_err(),
        "unknown name"
    );
}

#[test]
fn prefixes_are_go_parseprefix() {
    let ok = |s: &str| parse_prefix(s).unwrap();
    assert_eq!(ok("10.0.0.0/8"), ("10.0.0.0".parse().unwrap(), 8));
    assert_eq!(
        ok("10.1.2.3/8"),
        ("10.1.2.3".parse().unwrap(), 8),
        "host bits kept here"
    );
    assert_eq!(ok("0.0.0.0/0"), ("0.0.0.0".parse().unwrap(), 0));
    assert_eq!(ok("::/0"), ("::".parse().unwrap(), 0));
    assert_eq!(ok("fd00::1/128"), ("fd00::1".parse().unwrap(), 128));
    for bad in [
        "10.0.0.1",
        "10.0.0.1/",
        "10.0.0.1/33",
        "fd00::/129",
        "10.0.0.1/08",
        "10.0.0.1/+8",
        "10.0.0.1/-0",
        "10.0.0.1/00",
        "fe80::1%eth0/64",
        "[fd00::]/8",
        "/8",
        "10.0.0.1/8/8",
    ] {
        assert!(parse_prefix(bad).is_err(), "{bad:?} was accepted");
    }
}

#[test]
fn endpoint_output_matches_addrport_string() {
    let show = |s: &str, zones: &dyn Fn(u32) -> Option<String>| {
        let mut out = Vec::new();
        write_endpoint(&mut out, &parse_endpoint(s, &eth0).unwrap(), zones);
        String::from_utf8(out).unwrap()
    };
    let none = |_: u32| None;
    let names = |i: u32| (i == 2).then(|| "eth0".to_string());
    assert_eq!(show("192.0.2.1:51820", &none), "192.0.2.1:51820");
    assert_eq!(show("[2001:0db8:0:0::1]:1", &none), "[2001:db8::1]:1");
    assert_eq!(show("[fe80::1%eth0]:1", &none), "[fe80::1%2]:1");
    assert_eq!(show("[fe80::1%eth0]:1", &names), "[fe80::1%eth0]:1");
    assert_eq!(show("[::ffff:192.0.2.1]:1", &none), "[::ffff:192.0.2.1]:1");
}

#[test]
fn hex_is_lowercase() {
    let mut out = Vec::new();
    let mut key = [0u8; 32];
    key[0] = 0xAB;
    key[31] = 0x0F;
    write_hex(&mut out, &key);
    assert_eq!(out.len(), 64);
    assert!(out.starts_with(b"ab00"));
    assert!(out.ends_with(b"000f"));
}
