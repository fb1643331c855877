use super::*;

#[test]
fn unknown_and_misplaced_keys() {
    assert_eq!(
        error("ListenPort = 1\n"),
        "test.conf:1: Line unrecognized: `ListenPort=1'"
    );
    assert_eq!(
        error("[Interface]\nListenPort = 1\nBogus = 2\n"),
        "test.conf:3: Line unrecognized: `Bogus=2'"
    );
    assert_eq!(
        error(&format!("[Peer]\nPublicKey = {KEY1}\nListenPort = 1\n")),
        "test.conf:3: Line unrecognized: `ListenPort=1'"
    );
    assert_eq!(
        error(&format!("[Interface]\nPublicKey = {KEY1}\n")),
        format!("test.conf:2: Line unrecognized: `PublicKey={KEY1}'")
    );
    assert_eq!(
        error("[Interfaces]\n"),
        "test.conf:1: Line unrecognized: `[Interfaces]'"
    );
    assert_eq!(
        error("[Interface\n"),
        "test.conf:1: Line unrecognized: `[Interface'"
    );
    // A key needs a value.
    assert_eq!(
        error("[Interface]\nListenPort =\n"),
        "test.conf:2: Line unrecognized: `ListenPort='"
    );
    assert_eq!(
        error("[Interface]\nListenPort\n"),
        "test.conf:2: Line unrecognized: `ListenPort'"
    );
}

#[test]
fn duplicate_sections() {
    assert_eq!(
        error("[Interface]\nListenPort = 1\n\n[Interface]\n"),
        "test.conf:4: duplicate [Interface] section (the first one is at line 1)"
    );
    assert_eq!(
        error(&format!(
            "[Peer]\nPublicKey = {KEY1}\n[Peer]\nPublicKey = {KEY2}\n[Peer]\nPublicKey = {KEY1}\n"
        )),
        format!("test.conf:6: duplicate [Peer] for public key {KEY1} (the first one is at line 2)")
    );
}

#[test]
fn bad_keys() {
    assert_eq!(
        error("[Interface]\nPrivateKey = abc\n"),
        "test.conf:2: Key is not the correct length or format: `abc'"
    );
    let truncated = &KEY2[..43];
    assert_eq!(
        error(&format!("[Peer]\nPublicKey = {truncated}\n")),
        format!("test.conf:2: Key is not the correct length or format: `{truncated}'")
    );
    assert_eq!(
        error(&format!(
            "[Peer]\nPublicKey = {KEY1}\nPresharedKey = {KEY1}x\n"
        )),
        format!("test.conf:3: Key is not the correct length or format: `{KEY1}x'")
    );
}

#[test]
fn bad_cidrs_and_addresses() {
    let peer = format!("[Peer]\nPublicKey = {KEY1}\n");
    assert_eq!(
        error(&format!("{peer}AllowedIPs = 10.0.0.0/33\n")),
        "test.conf:3: AllowedIP is not in the correct format: `10.0.0.0/33'"
    );
    assert_eq!(
        error(&format!("{peer}AllowedIPs = 10.0.0.0/8, fd00::/200\n")),
        "test.conf:3: AllowedIP is not in the correct format: `fd00::/200'"
    );
    assert_eq!(
        error(&format!("{peer}AllowedIPs = 10.0.0.300/32\n")),
        "test.conf:3: Unable to parse IP address: `10.0.0.300'"
    );
}

#[test]
fn bad_values() {
    let peer = format!("[Peer]\nPublicKey = {KEY1}\n");
    assert_eq!(
        error("[Interface]\nFwMark = 0xfffffffff\n"),
        "test.conf:2: Fwmark is neither 0/off nor 0-0xffffffff: `0xfffffffff'"
    );
    assert_eq!(
        error("[Interface]\nListenPort = nosuchservice\n"),
        "test.conf:2: Servname not supported for ai_socktype: `nosuchservice'"
    );
    assert_eq!(
        error(&format!("{peer}PersistentKeepalive = 70000\n")),
        "test.conf:3: Persistent keepalive interval is neither 0/off nor 1-65535: `70000'"
    );
    assert_eq!(
        error(&format!("{peer}Endpoint = 192.0.2.1\n")),
        "test.conf:3: Unable to find port of endpoint: `192.0.2.1'"
    );
    assert_eq!(
        error(&format!("{peer}Endpoint = nosuch.invalid:1\n")),
        "test.conf:3: Name or service not known: `nosuch.invalid:1'"
    );
}

#[test]
fn a_peer_without_a_key() {
    assert_eq!(
        error(&format!(
            "[Peer]\nPublicKey = {KEY1}\n\n[Peer]\nAllowedIPs = 10.0.0.1/32\n"
        )),
        "test.conf:4: A peer is missing a public key"
    );
    // As with `wg`, a syntax error anywhere wins over the missing key.
    assert_eq!(
        error("[Peer]\n[Interface]\nBogus = 1\n"),
        "test.conf:3: Line unrecognized: `Bogus=1'"
    );
    assert_eq!(
        parse_as(Dialect::Wg, "[Peer]\n").0.unwrap_err().kind,
        crate::ErrorKind::Invalid
    );
}

#[test]
fn only_the_first_error_is_reported() {
    assert_eq!(
        error("[Interface]\nFoo = 1\nBar = 2\n"),
        "test.conf:2: Line unrecognized: `Foo=1'"
    );
}

#[test]
fn bad_wg_quick_values() {
    let cases = [
        (
            "Address = 10.0.0.1/33",
            "Address is not an IP address with an optional /prefix: `10.0.0.1/33'",
        ),
        (
            "Address = banana",
            "Address is not an IP address with an optional /prefix: `banana'",
        ),
        ("MTU = big", "MTU is not a positive number: `big'"),
        ("SaveConfig = yes", "`yes' is neither true nor false"),
    ];
    for (line, message) in cases {
        assert_eq!(
            error_as(Dialect::WgQuick, &format!("[Interface]\n{line}\n")),
            format!("test.conf:2: {message}")
        );
    }
    // wg-quick keys only belong in [Interface].
    assert_eq!(
        error_as(
            Dialect::WgQuick,
            &format!("[Peer]\nPublicKey = {KEY1}\nDNS = 1.1.1.1\n")
        ),
        "test.conf:3: Line unrecognized: `DNS=1.1.1.1'"
    );
}

/// Every error of `text`, as `check_bytes` reports them.
fn all_errors(dialect: Dialect, text: &str) -> Vec<String> {
    check_as(dialect, text)
        .errors
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn checking_reports_every_error_once() {
    let text = format!(
        "[Interface]\nFoo = 1\nListenPort = x\nAddress = 10.0.0.1/33\n\
         [Peer]\nPublicKey = {KEY1}\nAllowedIPs = 10.0.0.0/40\nEndpoint = 192.0.2.1\n\
         [Peer]\nAllowedIPs = 10.0.0.9/32\n\
         [Peer]\nPublicKey = abc\n\
         [Peer]\nPublicKey = {KEY1}\n"
    );
    assert_eq!(
        all_errors(Dialect::WgQuick, &text),
        [
            "test.conf:2: Line unrecognized: `Foo=1'".to_string(),
            "test.conf:3: Servname not supported for ai_socktype: `x'".to_string(),
            "test.conf:4: Address is not an IP address with an optional /prefix: `10.0.0.1/33'"
                .to_string(),
            "test.conf:7: AllowedIP is not in the correct format: `10.0.0.0/40'".to_string(),
            "test.conf:8: Unable to find port of endpoint: `192.0.2.1'".to_string(),
            "test.conf:12: Key is not the correct length or format: `abc'".to_string(),
            format!(
                "test.conf:14: duplicate [Peer] for public key {KEY1} (the first one is at line 6)"
            ),
            // Found at the end; the peers whose key line failed are not reported again.
            "test.conf:9: A peer is missing a public key".to_string(),
        ]
    );
    // The first-error parser still stops at line 2.
    assert_eq!(
        error_as(Dialect::WgQuick, &text),
        "test.conf:2: Line unrecognized: `Foo=1'"
    );
}

#[test]
fn checking_recovers_from_bad_sections() {
    // An unknown header is one error; its keys are not reported one by one.
    let text = format!(
        "[Peers]\nPublicKey = {KEY1}\nAllowedIPs = x\n[Peer]\nPublicKey = {KEY2}\nBad = 1\n"
    );
    assert_eq!(
        all_errors(Dialect::Wg, &text),
        [
            "test.conf:1: Line unrecognized: `[Peers]'",
            "test.conf:6: Line unrecognized: `Bad=1'"
        ]
    );
    // A second [Interface] is one error, and its keys are still read and checked.
    let text = "[Interface]\nListenPort = 1\n[Interface]\nFwMark = nope\nListenPort = 2\n";
    assert_eq!(
        all_errors(Dialect::Wg, text),
        [
            "test.conf:3: duplicate [Interface] section (the first one is at line 1)",
            "test.conf:4: Fwmark is neither 0/off nor 0-0xffffffff: `nope'"
        ]
    );
    let checked = with_options(Dialect::Wg, |options| {
        check_bytes(text.as_bytes(), None, options)
    });
    assert_eq!(checked.config.interface.listen_port, Some(2));
    assert_eq!(
        checked.errors[0].to_string(),
        "line 3: duplicate [Interface] section (the first one is at line 1)"
    );
}

#[test]
fn checking_a_missing_file() {
    let path = std::path::Path::new("/nonexistent/ferrotun/wg0.conf");
    let checked = with_options(Dialect::WgQuick, |options| {
        crate::parse::check_file(path, options)
    });
    let errors: Vec<String> = checked.errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        errors,
        ["/nonexistent/ferrotun/wg0.conf: No such file or directory"]
    );
}
