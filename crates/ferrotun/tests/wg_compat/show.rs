//! `show`, `show <field>`, `dump` and `showconf`: live daemons configured by the real `wg`,
//! and fake daemons replaying chosen replies.

use crate::daemon::{Daemon, Impl};
use crate::fixtures::{self, keypair, now, psk, ReplyPeer};
use crate::replay::{raw_get, Replay};
use crate::sandbox::Sandbox;
use crate::{assert_same, ferrotund_available, prerequisites};

const FIELDS: [&str; 13] = [
    "public-key",
    "private-key",
    "listen-port",
    "fwmark",
    "peers",
    "preshared-keys",
    "endpoints",
    "allowed-ips",
    "latest-handshakes",
    "persistent-keepalive",
    "transfer",
    "dump",
    "no-such-field",
];

/// No colour variable (output is a pipe), colour off, colour on, and keys shown.
const ENVS: [&[(&str, &str)]; 4] = [
    &[],
    &[("WG_COLOR_MODE", "never")],
    &[("WG_COLOR_MODE", "always")],
    &[("WG_HIDE_KEYS", "never"), ("WG_COLOR_MODE", "always")],
];

/// Every per-interface command, in every environment.
pub fn compare_interface(sandbox: &Sandbox, name: &str) {
    for env in ENVS {
        assert_same(sandbox, &["show", name], env);
        assert_same(sandbox, &["showconf", name], env);
    }
    for field in FIELDS {
        assert_same(sandbox, &["show", name, field], &[]);
    }
}

/// Every whole-system command. Only for sandboxes whose daemons list peers in a fixed order.
pub fn compare_all(sandbox: &Sandbox) {
    for env in ENVS {
        assert_same(sandbox, &[], env);
        assert_same(sandbox, &["show"], env);
        assert_same(sandbox, &["show", "all"], env);
    }
    assert_same(sandbox, &["show", "interfaces"], &[]);
    for field in FIELDS.iter().filter(|f| **f != "endpoints") {
        assert_same(sandbox, &["show", "all", field], &[]);
    }
    // wg 1.0.20210914 prefixes only the first line here; current wireguard-tools (and
    // ferrotun) prefix every line, like every other field.
    let names = sandbox.wg(&["show", "interfaces"]).out();
    let mut expected = String::new();
    for name in names.split_whitespace() {
        for line in sandbox.wg(&["show", name, "endpoints"]).out().lines() {
            expected.push_str(&format!("{name}\t{line}\n"));
        }
    }
    let ours = sandbox.ferrotun(&["show", "all", "endpoints"]);
    assert_eq!((ours.out(), ours.code), (expected, 0), "show all endpoints");
}

#[test]
fn ferrotund_with_many_peers() {
    if !prerequisites() || !ferrotund_available() {
        return;
    }
    let sandbox = Sandbox::new();
    let daemon = Daemon::start(&sandbox, Impl::Ferrotund);
    let conf = fixtures::temp_file(
        "many.conf",
        &fixtures::config(fixtures::port(), Some("0xca6c"), 40),
    );
    let run = sandbox.wg(&["setconf", &daemon.name, &conf]);
    assert_eq!(run.code, 0, "{run}");
    compare_interface(&sandbox, &daemon.name);
    // A second, empty interface and a fake one make `all` interesting.
    let empty = Daemon::start(&sandbox, Impl::Ferrotund);
    let _replay = Replay::start(&sandbox, synthetic_reply().as_bytes());
    compare_interface(&sandbox, &empty.name);
    compare_all(&sandbox);
}

#[test]
fn wireguard_go_live_and_replayed() {
    if !prerequisites() {
        return;
    }
    let sandbox = Sandbox::new();
    // One peer: wireguard-go's order cannot vary.
    let single = Daemon::start(&sandbox, Impl::WireguardGo);
    let one = fixtures::temp_file(
        "one.conf",
        &fixtures::config(fixtures::port(), Some("1234"), 1),
    );
    assert_eq!(sandbox.wg(&["setconf", &single.name, &one]).code, 0);
    compare_interface(&sandbox, &single.name);
    // Many peers: capture one reply and replay it, so both tools read the same order.
    let many = Daemon::start(&sandbox, Impl::WireguardGo);
    let conf = fixtures::temp_file(
        "go.conf",
        &fixtures::config(fixtures::port(), Some("0xffffffff"), 18),
    );
    assert_eq!(sandbox.wg(&["setconf", &many.name, &conf]).code, 0);
    let replay = Replay::start(&sandbox, &raw_get(&sandbox, &many.name));
    compare_interface(&sandbox, &replay.name);
}

/// A reply with everything `show` formats: handshake ages from now to over a year and in
/// the future, byte counts at every unit boundary and at rounding ties, every endpoint
/// form, and addresses glibc prints specially.
pub fn synthetic_reply() -> String {
    let t = now();
    let handshakes = [
        (t, 5),
        (t - 1, 0),
        (t - 61, 0),
        (t - 3723, 0),
        (t - 86_400 * 400 - 7, 0),
        (t + 3600, 0),
        (0, 0),
        (0, 7),
        (t - 2 * 86_400, 999_999_999),
    ];
    let counters = [
        0,
        1023,
        1024,
        1152,
        1408,
        1 << 20,
        5 << 30,
        3 << 40,
        u64::MAX,
    ];
    let endpoints = [
        "127.0.0.1:51820",
        "[::1]:1",
        "[fe80::1%lo]:2",
        "[fe80::2%1]:3",
        "[::ffff:127.0.0.1]:4",
        "[2001:db8::1%1]:5",
        "[ff02::1%1]:6",
        "[::1.2.3.4]:7",
        "127.0.0.2:65535",
    ];
    let peers: Vec<ReplyPeer> = (0..handshakes.len())
        .map(|i| ReplyPeer {
            public_hex: keypair().public_hex,
            psk_hex: (i % 2 == 0).then(|| psk().1),
            endpoint: (i != 4).then(|| endpoints[i].to_string()),
            handshake: handshakes[i],
            rx: counters[i],
            tx: counters[(i + 3) % counters.len()],
            keepalive: [0, 1, 25, 61, 3600, 65535, 0, 86, 7][i],
            allowed: match i {
                0 => vec![],
                1 => vec![
                    "::1.2.3.4/128".into(),
                    "::ffff:10.0.0.1/128".into(),
                    "::/0".into(),
                ],
                2 => vec!["0.0.0.0/0".into(), "10.0.0.0/288".into()],
                _ => vec![
                    format!("10.{i}.0.0/16"),
                    format!("fd00:{i}::/64"),
                    "2001:db8:0:1:0:1:0:1/128".into(),
                ],
            },
        })
        .collect();
    fixtures::reply(Some(&keypair().private_hex), 51820, 0xca6c, &peers)
}

#[test]
fn synthetic_state() {
    if !prerequisites() {
        return;
    }
    let sandbox = Sandbox::new();
    let replay = Replay::start(&sandbox, synthetic_reply().as_bytes());
    compare_interface(&sandbox, &replay.name);
    let bare = Replay::start(&sandbox, b"errno=0\n\n");
    compare_interface(&sandbox, &bare.name);
    compare_all(&sandbox);
}

#[test]
fn malformed_and_failing_replies() {
    if !prerequisites() {
        return;
    }
    let sandbox = Sandbox::new();
    let key = keypair().public_hex;
    let replies = [
        "errno=5\n\n".to_string(),
        "errno=-22\n\n".into(),
        "\n".into(),
        "listen_port=1\n".into(),
        "listen_port=1\nerrno=0".into(),
        "listen_port=65536\nerrno=0\n\n".into(),
        "private_key=xyz\nerrno=0\n\n".into(),
        "garbage\nerrno=0\n\n".into(),
        format!("public_key={key}\nallowed_ip=10.0.0.0/33\nerrno=0\n\n"),
        format!("public_key={key}\nendpoint=[::1]\nerrno=0\n\n"),
        format!("public_key={key}\nrx_bytes=99999999999999999999999\nerrno=0\n\n"),
        format!("public_key={key}\nlisten_port=5\nunknown=1\nerrno=0\n\n"),
        format!(
            "public_key={key}\npreshared_key={}\nerrno=0\n\n",
            "0".repeat(64)
        ),
    ];
    let replay = Replay::start(&sandbox, b"errno=0\n\n");
    for reply in replies {
        replay.set_reply(reply.as_bytes());
        assert_same(&sandbox, &["show", &replay.name], &[]);
        assert_same(&sandbox, &["showconf", &replay.name], &[]);
        assert_same(&sandbox, &["show", &replay.name, "dump"], &[]);
        assert_same(&sandbox, &["show", "all"], &[]);
    }
}

#[test]
fn colour_on_a_terminal() {
    if !prerequisites() || !ferrotun_testkit::require_tool("script") {
        return;
    }
    let sandbox = Sandbox::new();
    let replay = Replay::start(&sandbox, synthetic_reply().as_bytes());
    let tty = |program: &str| {
        let command = format!("exec -a wg {program} show {}", replay.name);
        sandbox.run_as(
            "script",
            "script",
            &["-qec", &format!("bash -c '{command}'"), "/dev/null"],
            &[],
            b"",
        )
    };
    for attempt in 0..3 {
        let (wg, ours) = (tty("wg"), tty(crate::sandbox::ferrotun_bin()));
        assert!(
            wg.out().contains("\x1b[32m"),
            "wg did not colour a terminal: {wg}"
        );
        // "N seconds ago" may cross a second between the two runs.
        if wg.out() == ours.out() || attempt == 2 {
            assert_eq!(wg.out(), ours.out());
            break;
        }
    }
}
