use super::*;
use std::net::IpAddr;

const KEY: &str = "jfw84P2V2ofy8SqprSFTLlminUGUguAsnKOfArz2S0w=";

fn message<T: std::fmt::Debug>(r: Result<T, Error>) -> String {
    r.unwrap_err().message
}

#[test]
fn keys_need_44_canonical_characters() {
    assert_eq!(parse_public_key(KEY).unwrap().to_base64(), KEY);
    for bad in [
        "",
        "abc",
        &KEY[..43],
        &format!("{KEY}="),
        "jfw84P2V2ofy8SqprSFTLlminUGUguAsnKOfArz2S0x=",
    ] {
        assert_eq!(
            message(parse_key(bad)),
            format!("Key is not the correct length or format: `{bad}'")
        );
    }
    let zero = parse_key("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=").unwrap();
    assert!(private_key_from_raw(&zero).is_none());
}

#[test]
fn fwmark_forms() {
    assert_eq!(parse_fwmark("off").unwrap(), 0);
    assert_eq!(parse_fwmark("OFF").unwrap(), 0);
    assert_eq!(parse_fwmark("0").unwrap(), 0);
    assert_eq!(parse_fwmark("51820").unwrap(), 51820);
    assert_eq!(parse_fwmark("0xca6c").unwrap(), 0xca6c);
    assert_eq!(parse_fwmark("0xFFFFFFFF").unwrap(), u32::MAX);
    assert_eq!(parse_fwmark("007").unwrap(), 7);
    for bad in [
        "0X10",
        "0x",
        "-1",
        "4294967296",
        "0x100000000",
        "1k",
        " 1",
        "on",
        "",
    ] {
        assert_eq!(
            message(parse_fwmark(bad)),
            format!("Fwmark is neither 0/off nor 0-0xffffffff: `{bad}'"),
            "{bad}"
        );
    }
}

#[test]
fn keepalive_forms() {
    assert_eq!(parse_keepalive("Off").unwrap(), 0);
    assert_eq!(parse_keepalive("25").unwrap(), 25);
    assert_eq!(parse_keepalive("65535").unwrap(), 65535);
    for bad in ["65536", "-1", "+5", "0x10", "x"] {
        assert!(message(parse_keepalive(bad)).starts_with("Persistent keepalive interval"));
    }
}

#[test]
fn allowed_ips_lists() {
    let list = parse_allowed_ips("10.0.0.1/32,fd00::/64,192.168.0.1").unwrap();
    assert!(list.replace);
    let ips: Vec<_> = list.entries.iter().map(|a| (a.ip, a.cidr)).collect();
    assert_eq!(ips[0], ("10.0.0.1".parse::<IpAddr>().unwrap(), 32));
    assert_eq!(ips[1], ("fd00::".parse::<IpAddr>().unwrap(), 64));
    assert_eq!(ips[2], ("192.168.0.1".parse::<IpAddr>().unwrap(), 32));
    assert!(list.warnings.is_empty());

    let list = parse_allowed_ips("10.0.0.2/32,-10.0.0.1/32,+fd00::1").unwrap();
    assert!(!list.replace);
    let ops: Vec<_> = list.entries.iter().map(|a| a.op).collect();
    assert_eq!(
        ops,
        [AllowedIpOp::Add, AllowedIpOp::Remove, AllowedIpOp::Add]
    );

    let empty = parse_allowed_ips("").unwrap();
    assert!(empty.replace && empty.entries.is_empty());

    let warned = parse_allowed_ips("10.0.0.1/24").unwrap();
    assert_eq!(
        warned.warnings,
        ["Warning: AllowedIP has nonzero host part: 10.0.0.1/24"]
    );
    assert_eq!(parse_allowed_ips("10.0.0.0/08").unwrap().entries[0].cidr, 8);
}

#[test]
fn bad_allowed_ips() {
    let cases = [
        (
            "10.0.0.1/33",
            "AllowedIP is not in the correct format: `10.0.0.1/33'",
        ),
        (
            "fd00::/129",
            "AllowedIP is not in the correct format: `fd00::/129'",
        ),
        (
            "-10.0.0.1/x",
            "AllowedIP is not in the correct format: `10.0.0.1/x'",
        ),
        (
            "10.0.0.1/",
            "AllowedIP is not in the correct format: `10.0.0.1/'",
        ),
        (
            "10.0.0.1/8/8",
            "AllowedIP is not in the correct format: `10.0.0.1/8/8'",
        ),
        (
            "10.0.0.1/+8",
            "AllowedIP is not in the correct format: `10.0.0.1/+8'",
        ),
        ("10.0.0.256/32", "Unable to parse IP address: `10.0.0.256'"),
        ("10.0.0.1,,10.0.0.2", "Unable to parse IP address: `'"),
        ("10.0.0.1,", "Unable to parse IP address: `'"),
        (
            "fe80::1%eth0/64",
            "Unable to parse IP address: `fe80::1%eth0'",
        ),
        ("+-10.0.0.1", "Unable to parse IP address: `-10.0.0.1'"),
    ];
    for (value, expected) in cases {
        assert_eq!(message(parse_allowed_ips(value)), expected, "{value}");
    }
}

#[test]
fn endpoint_splitting() {
    assert_eq!(
        split_endpoint("1.2.3.4:51820").unwrap(),
        ("1.2.3.4", "51820")
    );
    assert_eq!(
        split_endpoint("[fe80::1%eth0]:1").unwrap(),
        ("fe80::1%eth0", "1")
    );
    assert_eq!(
        split_endpoint("host.example:https").unwrap(),
        ("host.example", "https")
    );
    assert_eq!(split_endpoint("::1:5").unwrap(), ("::1", "5"));
    assert_eq!(
        message(split_endpoint("")),
        "Unable to parse empty endpoint"
    );
    assert_eq!(
        message(split_endpoint("[::1:5")),
        "Unable to find matching brace of endpoint: `[::1:5'"
    );
    for bad in ["[::1]", "[::1]:", "[::1]5", "host", "host:"] {
        assert_eq!(
            message(split_endpoint(bad)),
            format!("Unable to find port of endpoint: `{bad}'")
        );
    }
}

#[test]
fn whitespace_is_wgs() {
    assert_eq!(strip_spaces(" a\tb\r\n\x0b\x0cc "), "abc");
    // Non-ASCII spaces are not whitespace to `wg`.
    assert_eq!(strip_spaces("a\u{a0}b"), "a\u{a0}b");
}
