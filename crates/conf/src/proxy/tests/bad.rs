use super::*;

/// `wg()` and then `body`, whose first line is line 8.
fn after_wg(body: &str) -> String {
    format!("{}{body}", wg())
}

/// Each case: the lines after `wg()`, and the errors (file shown as `proxy.conf`).
fn assert_cases(cases: &[(&str, &[&str])]) {
    for (body, expected) in cases {
        assert_eq!(errors(&after_wg(body)), *expected, "for:\n{body}");
    }
}

const BIND_FORMAT: &str = "BindAddress is not an address and port such as 127.0.0.1:1080, \
                           [::1]:1080 or :1080";
const TARGET_FORMAT: &str = "Target is not a host and port such as 10.0.0.1:80, \
                             [fd00::1]:80 or example.com:80";

#[test]
fn bad_bind_addresses() {
    for value in [
        "127.0.0.1",
        "127.0.0.1:65536",
        "127.0.0.1:-1",
        "127.0.0.1:http",
        "::1:1080",
        "[10.0.0.1]:1080",
        "[::1]1080",
        "bad_host!:1080",
        "999.1.1.1:80",
    ] {
        assert_eq!(
            errors(&after_wg(&format!("[Socks5]\nBindAddress = {value}\n"))),
            [format!("proxy.conf:9: {BIND_FORMAT}: `{value}'")],
        );
    }
}

#[test]
fn bad_targets() {
    for value in [
        "10.0.0.1",
        "10.0.0.1:0",
        "fd00::1:80",
        "[fd00::1]",
        "a b:80",
        ":80",
    ] {
        let text = format!("[STDIOTunnel]\nTarget = {value}\n");
        assert_eq!(
            errors(&after_wg(&text)),
            [format!("proxy.conf:9: {TARGET_FORMAT}: `{value}'")],
        );
    }
}

#[test]
fn bad_keys_and_lines() {
    assert_cases(&[
        ("[Socks5]\nBindAddress =\n", &["proxy.conf:9: BindAddress has no value"]),
        (
            "[Socks5]\nBindAdress = 127.0.0.1:1\n",
            &["proxy.conf:9: unknown key `BindAdress' in [Socks5] (it takes BindAddress, Username, Password)"],
        ),
        // The value of a misspelt key may be a secret: it is not shown.
        (
            "[http]\nPasword = hunter2\n",
            &["proxy.conf:9: unknown key `Pasword' in [http] (it takes BindAddress, Username, Password)"],
        ),
        (
            "[Socks5]\nBindAddress 127.0.0.1:1\n",
            &["proxy.conf:9: Line unrecognized in [Socks5]: expected Key = Value"],
        ),
        (
            "[Socks5]\nBindAddress = 127.0.0.1:1\nbindaddress = 127.0.0.1:2\n",
            &["proxy.conf:10: BindAddress is given again in this section (first at line 9)"],
        ),
        (
            "[TCPClientTunnel]\nBindAddress = 127.0.0.1:1\nTarget = 10.0.0.1:22\nInactivityTimeout = 1\n",
            &["proxy.conf:11: unknown key `InactivityTimeout' in [TCPClientTunnel] (it takes BindAddress, Target)"],
        ),
        ("[Unknown]\nFoo = bar\n", &["proxy.conf:8: Line unrecognized: `[Unknown]'"]),
        (
            "[Socks5]\nPassword = $NOT_SET\nUsername = u\n",
            &["proxy.conf:9: Password references unset environment variable $NOT_SET"],
        ),
    ]);
}

#[test]
fn missing_keys() {
    assert_cases(&[
        (
            "[TCPClientTunnel]\n",
            &[
                "proxy.conf:8: [TCPClientTunnel] has no BindAddress",
                "proxy.conf:8: [TCPClientTunnel] has no Target",
            ],
        ),
        (
            "[UDPProxyTunnel]\nTarget = 10.0.0.1:1\n",
            &["proxy.conf:8: [UDPProxyTunnel] has no BindAddress"],
        ),
        (
            "[TCPServerTunnel]\nTarget = 127.0.0.1:1\n",
            &["proxy.conf:8: [TCPServerTunnel] has no ListenPort"],
        ),
        (
            "[UDPServerTunnel]\nListenPort = 1\n",
            &["proxy.conf:8: [UDPServerTunnel] has no Target"],
        ),
        (
            "[STDIOTunnel]\n",
            &["proxy.conf:8: [STDIOTunnel] has no Target"],
        ),
        // A key that is there but bad is not also missing.
        (
            "[STDIOTunnel]\nTarget = $NOPE\n",
            &["proxy.conf:9: Target references unset environment variable $NOPE"],
        ),
        (
            "[TCPServerTunnel]\nListenPort =\nTarget = 127.0.0.1:1\n",
            &["proxy.conf:9: ListenPort has no value"],
        ),
    ]);
}

#[test]
fn bad_numbers() {
    assert_cases(&[
        (
            "[UDPProxyTunnel]\nBindAddress = 127.0.0.1:1\nTarget = 10.0.0.1:2\nInactivityTimeout = -1\n",
            &["proxy.conf:11: InactivityTimeout is not a number of seconds: `-1'"],
        ),
        (
            "[UDPServerTunnel]\nListenPort = 1\nTarget = 127.0.0.1:2\nInactivityTimeout = 99999999999\n",
            &["proxy.conf:11: InactivityTimeout is not a number of seconds: `99999999999'"],
        ),
        (
            "[TCPServerTunnel]\nListenPort = 0\nTarget = 127.0.0.1:1\n",
            &["proxy.conf:9: ListenPort is not a port from 1 to 65535: `0'"],
        ),
        (
            "[UDPServerTunnel]\nListenPort = http\nTarget = 127.0.0.1:1\n",
            &["proxy.conf:9: ListenPort is not a port from 1 to 65535: `http'"],
        ),
    ]);
}

#[test]
fn credentials() {
    let long = "x".repeat(256);
    assert_cases(&[
        (
            "[Socks5]\nPassword = x\n",
            &["proxy.conf:8: [Socks5] has a Password but no Username; SOCKS5 needs both (wireproxy would run this proxy without authentication)"],
        ),
        (
            &format!("[Socks5]\nUsername = u\nPassword = {long}\n"),
            &["proxy.conf:10: Password is longer than 255 bytes, which SOCKS5 cannot carry"],
        ),
        (
            &format!("[Socks5]\nUsername = {long}\n"),
            &["proxy.conf:9: Username is longer than 255 bytes, which SOCKS5 cannot carry"],
        ),
        // HTTP carries any length.
        (&format!("[http]\nUsername = {long}\nPassword = {long}\n"), &[]),
    ]);
}

#[test]
fn conflicts() {
    assert_cases(&[
        (
            "[STDIOTunnel]\nTarget = 10.0.0.1:1\n[STDIOTunnel]\nTarget = 10.0.0.1:2\n",
            &["proxy.conf:10: a second [STDIOTunnel] (the first is at line 8); there is only one standard input"],
        ),
        (
            "[Socks5]\nBindAddress = 127.0.0.1:1\n[http]\nBindAddress = 127.0.0.1:1\n",
            &["proxy.conf:10: BindAddress 127.0.0.1:1 is already used by the section at line 8"],
        ),
        (
            "[Socks5]\nBindAddress = :1\n[TCPClientTunnel]\nBindAddress = [::1]:1\nTarget = 10.0.0.1:1\n",
            &["proxy.conf:10: BindAddress [::1]:1 is already used by the section at line 8"],
        ),
        (
            "[TCPServerTunnel]\nListenPort = 80\nTarget = 127.0.0.1:1\n[TCPServerTunnel]\nListenPort = 80\nTarget = 127.0.0.1:2\n",
            &["proxy.conf:11: ListenPort 80 is already used by the section at line 8"],
        ),
        // TCP and UDP ports are separate; port 0 is picked afresh each time.
        ("[UDPProxyTunnel]\nBindAddress = 127.0.0.1:1\nTarget = 10.0.0.1:1\n[Socks5]\nBindAddress = 127.0.0.1:1\n", &[]),
        ("[TCPServerTunnel]\nListenPort = 1\nTarget = 127.0.0.1:1\n[UDPServerTunnel]\nListenPort = 1\nTarget = 127.0.0.1:1\n", &[]),
        ("[Socks5]\n[http]\n", &[]),
        ("[Socks5]\nBindAddress = 127.0.0.1:1\n[http]\nBindAddress = 127.0.0.2:1\n", &[]),
    ]);
}

#[test]
fn the_wireguard_part() {
    let cases: Vec<(String, Vec<&str>)> = vec![
        (
            "Foo = 1\n[Socks5]\n".into(),
            vec![
                "proxy.conf:1: `Foo' is outside any section; only WGConfig can be given there",
                "proxy.conf: there is no [Interface] section; the proxy needs its PrivateKey and Address",
            ],
        ),
        (
            "garbage\n[Socks5]\n".into(),
            vec![
                "proxy.conf:1: Line unrecognized: `garbage'",
                "proxy.conf: there is no [Interface] section; the proxy needs its PrivateKey and Address",
            ],
        ),
        (
            "[Interface]\nAddress = 10.0.0.1/32\n[Socks5]\n".into(),
            vec!["proxy.conf:1: [Interface] has no PrivateKey; the proxy needs one"],
        ),
        (
            format!("[Interface]\nPrivateKey = {PRIV}\n[Socks5]\n"),
            vec!["proxy.conf:1: [Interface] has no Address; the proxy needs the tunnel address it sends from"],
        ),
        // wg-quick takes an empty Address as no address; the proxy needs one.
        (
            format!("[Interface]\nPrivateKey = {PRIV}\nAddress = ,\n[Socks5]\n"),
            vec!["proxy.conf:1: [Interface] has no Address; the proxy needs the tunnel address it sends from"],
        ),
        (
            "[Interface]\nPrivateKey = AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\nAddress = 10.0.0.1/32\n[Socks5]\n".into(),
            vec!["proxy.conf:1: [Interface] has the all-zero PrivateKey, which means no key"],
        ),
        // A bad key is reported once, not again as a missing one.
        (
            "[Interface]\nPrivateKey = abc\nAddress = 10.0.0.1/33\n[Socks5]\n".into(),
            vec![
                "proxy.conf:2: Key is not the correct length or format: `abc'",
                "proxy.conf:3: Address is not an IP address with an optional /prefix: `10.0.0.1/33'",
            ],
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(errors(&text), expected, "for:\n{text}");
    }
}

#[test]
fn the_wireguard_part_and_check_alive() {
    let cases: Vec<(String, Vec<&str>)> = vec![
        (
            format!("[Interface]\nPrivateKey = {PRIV}\nAddress = 10.0.0.1/32\nCheckAliveInterval = 3\n[Socks5]\n"),
            vec!["proxy.conf:4: CheckAliveInterval is only valid when CheckAlive is set"],
        ),
        (
            format!("[Interface]\nPrivateKey = {PRIV}\nAddress = 10.0.0.1/32\nCheckAlive = 10.0.0.1, bad\nCheckAliveInterval = 0\n[Socks5]\n"),
            vec![
                "proxy.conf:4: CheckAlive is not a list of IP addresses: `bad'",
                "proxy.conf:5: CheckAliveInterval is not a positive number of seconds: `0'",
            ],
        ),
        (
            format!("[Interface]\nPrivateKey = $NOPE\nAddress = 10.0.0.1/32\n[Peer]\nPublicKey = {KEY2}\nFoo = 2\n[Socks5]\n"),
            vec![
                "proxy.conf:2: PrivateKey references unset environment variable $NOPE",
                "proxy.conf:6: Line unrecognized: `Foo=2'",
            ],
        ),
        (
            format!("[Interface]\nPrivateKey = {PRIV}\nAddress = 10.0.0.1/32\n[Interface]\n[Socks5]\n"),
            vec!["proxy.conf:4: duplicate [Interface] section (the first one is at line 1)"],
        ),
        // CheckAlive belongs to [Interface] only.
        (
            format!("{}CheckAlive = 10.0.0.1\n[Socks5]\n", wg()),
            vec!["proxy.conf:8: Line unrecognized: `CheckAlive=10.0.0.1'"],
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(errors(&text), expected, "for:\n{text}");
    }
}

#[test]
fn an_environment_value_cannot_move_lines() {
    let world = World::default().var("TWO", "a\nb");
    let text = after_wg("[Socks5]\nUsername = $TWO\n");
    assert_eq!(
        errors_in(&world, &text),
        ["proxy.conf:9: Username: environment variable $TWO holds a line break or NUL byte"]
    );
}

#[test]
fn an_empty_variable_is_no_value() {
    let world = World::default().var("EMPTY", "");
    let text = after_wg("[Socks5]\nUsername = $EMPTY\nPassword = p\n");
    assert_eq!(
        errors_in(&world, &text),
        ["proxy.conf:9: Username has no value"]
    );
}

#[test]
fn one_error_is_enough() {
    assert_eq!(
        error(&after_wg("[http]\nBindAddress = nope\n")),
        format!("proxy.conf:9: {BIND_FORMAT}: `nope'")
    );
}
