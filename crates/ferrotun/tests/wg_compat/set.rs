//! `set`: the same arguments through both tools must print the same, exit the same, send
//! the same request, and leave the daemon in the same state.

use crate::daemon::{Daemon, Impl};
use crate::fixtures::{self, keypair, temp_file, TempFile};
use crate::replay::{raw_get, Replay};
use crate::sandbox::Sandbox;
use crate::{canonical_conf, ferrotund_available, prerequisites};

/// Resets `name` to `base`, applies `args` with `tool`, and returns the tool's run and the
/// resulting `showconf`.
fn apply(
    sandbox: &Sandbox,
    name: &str,
    base: &str,
    tool: &str,
    args: &[String],
) -> (crate::Run, String) {
    let reset = sandbox.wg(&["setconf", name, base]);
    assert_eq!(reset.code, 0, "reset: {reset}");
    let mut argv: Vec<&str> = vec!["set", name];
    argv.extend(args.iter().map(String::as_str));
    let run = if tool == "wg" {
        sandbox.wg(&argv)
    } else {
        sandbox.ferrotun(&argv)
    };
    (run, sandbox.wg(&["showconf", name]).out())
}

/// Both tools, same arguments, same result on the daemon `name`.
fn twin(sandbox: &Sandbox, name: &str, base: &str, args: &[String], canonical: bool) {
    let (wg, wg_conf) = apply(sandbox, name, base, "wg", args);
    let (ours, our_conf) = apply(sandbox, name, base, "ferrotun", args);
    assert_eq!(
        wg,
        ours,
        "`set {}`:\n=== wg ===\n{wg}\n=== ferrotun ===\n{ours}",
        args.join(" ")
    );
    let (wg_conf, our_conf) = if canonical {
        (canonical_conf(&wg_conf), canonical_conf(&our_conf))
    } else {
        (wg_conf, our_conf)
    };
    assert_eq!(wg_conf, our_conf, "state after `set {}`", args.join(" "));
}

/// The scenarios: argument lists, using the peers of the base configuration.
fn scenarios(peers: &[String], files: &Files) -> Vec<Vec<String>> {
    let mut all = device_scenarios(files);
    all.extend(peer_scenarios(peers, files));
    all.extend(bad_scenarios(peers, files));
    all
}

fn strings(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|p| (*p).to_string()).collect()
}

fn device_scenarios(files: &Files) -> Vec<Vec<String>> {
    let port = fixtures::port().to_string();
    vec![
        strings(&["listen-port", &port, "fwmark", "0x10"]),
        strings(&["fwmark", "off"]),
        strings(&["private-key", &files.private]),
        strings(&["private-key", "/dev/null"]),
    ]
}

fn peer_scenarios(peers: &[String], files: &Files) -> Vec<Vec<String>> {
    let new = keypair().public;
    vec![
        strings(&[
            "peer",
            &new,
            "allowed-ips",
            "10.50.0.0/16,fd50::/64",
            "endpoint",
            "127.0.0.9:9",
            "persistent-keepalive",
            "15",
            "preshared-key",
            &files.psk,
        ]),
        strings(&["peer", &peers[0], "remove"]),
        strings(&[
            "peer",
            &peers[0],
            "preshared-key",
            "/dev/null",
            "persistent-keepalive",
            "off",
        ]),
        strings(&["peer", &peers[1], "allowed-ips", ""]),
        strings(&[
            "peer",
            &peers[1],
            "allowed-ips",
            " 10.1.2.3/32 , 10.4.0.0/16",
            "endpoint",
            "[fe80::5%lo]:77",
        ]),
        strings(&[
            "peer",
            &peers[2],
            "endpoint",
            "localhost:88",
            "peer",
            &peers[3],
            "allowed-ips",
            "10.2.0.0/24",
        ]),
        strings(&["peer", &peers[2], "allowed-ips", "10.0.0.1/24"]),
        strings(&[
            "peer",
            &peers[2],
            "allowed-ips",
            "10.0.0.0/24",
            "allowed-ips",
            "10.7.0.0/24",
        ]),
    ]
}

fn bad_scenarios(peers: &[String], files: &Files) -> Vec<Vec<String>> {
    vec![
        strings(&["peer", "not-a-key"]),
        strings(&["peer", &peers[2], "listen-port", "1"]),
        strings(&["peer", &peers[2], "endpoint", "127.0.0.1"]),
        strings(&["peer", &peers[2], "allowed-ips", "10.0.0.0/33"]),
        strings(&["private-key", &files.bad_key]),
        strings(&["fwmark", "0x100000000"]),
        strings(&["remove"]),
        strings(&["listen-port", "no-such-service"]),
    ]
}

struct Files {
    private: TempFile,
    psk: TempFile,
    bad_key: TempFile,
}

fn files() -> Files {
    Files {
        private: temp_file("set-private", &format!("{}\n", keypair().private)),
        psk: temp_file("set-psk", &format!("{}\n", fixtures::psk().0)),
        bad_key: temp_file("set-bad", "short\n"),
    }
}

/// Public keys of the base configuration, in file order.
fn peer_keys(config: &str) -> Vec<String> {
    config
        .lines()
        .filter_map(|l| l.strip_prefix("PublicKey = ").map(str::to_string))
        .collect()
}

fn run_matrix(sandbox: &Sandbox, daemon: &Daemon, canonical: bool) {
    let base_text = fixtures::config(fixtures::port(), Some("7"), 6);
    let base = temp_file(&format!("set-base-{}", daemon.name), &base_text);
    let files = files();
    for args in scenarios(&peer_keys(&base_text), &files) {
        twin(sandbox, &daemon.name, &base, &args, canonical);
    }
}

#[test]
fn set_on_ferrotund() {
    if !prerequisites() || !ferrotund_available() {
        return;
    }
    let sandbox = Sandbox::new();
    let daemon = Daemon::start(&sandbox, Impl::Ferrotund);
    run_matrix(&sandbox, &daemon, true);
    incremental_allowed_ips(&sandbox, &daemon);
}

#[test]
fn set_on_wireguard_go() {
    if !prerequisites() {
        return;
    }
    let sandbox = Sandbox::new();
    let daemon = Daemon::start(&sandbox, Impl::WireguardGo);
    run_matrix(&sandbox, &daemon, true);
}

/// `allowed-ips +a,-b` (newer than the installed `wg`): the result must equal setting the
/// final list with the old syntax.
fn incremental_allowed_ips(sandbox: &Sandbox, daemon: &Daemon) {
    let peer = keypair().public;
    let base = temp_file(
        "incr-base",
        &format!("[Interface]\nListenPort = {}\n[Peer]\nPublicKey = {peer}\nAllowedIPs = 10.0.0.1/32, 10.0.0.2/32\n", fixtures::port()),
    );
    let ours = |list: &str| {
        apply(
            sandbox,
            &daemon.name,
            &base,
            "ferrotun",
            &[
                "peer".into(),
                peer.clone(),
                "allowed-ips".into(),
                list.into(),
            ],
        )
    };
    let wg = |list: &str| {
        apply(
            sandbox,
            &daemon.name,
            &base,
            "wg",
            &[
                "peer".into(),
                peer.clone(),
                "allowed-ips".into(),
                list.into(),
            ],
        )
    };
    let (run, got) = ours("+10.0.0.3/32,-10.0.0.1/32");
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(got, wg("10.0.0.2/32,10.0.0.3/32").1);
    assert_eq!(
        ours("+10.0.0.9/32").1,
        wg("10.0.0.1/32,10.0.0.2/32,10.0.0.9/32").1
    );
}

/// The request bytes themselves, through a fake daemon. ferrotun writes an IPv6 zone as its
/// number where `wg` writes the interface name; both mean the same to a daemon.
#[test]
fn set_requests_are_identical() {
    if !prerequisites() {
        return;
    }
    let sandbox = Sandbox::new();
    let daemon = Daemon::start(&sandbox, Impl::WireguardGo);
    let base_text = fixtures::config(fixtures::port(), None, 6);
    let base = temp_file("body-base", &base_text);
    assert_eq!(sandbox.wg(&["setconf", &daemon.name, &base]).code, 0);
    let replay = Replay::start(&sandbox, &raw_get(&sandbox, &daemon.name));
    let files = files();
    for args in scenarios(&peer_keys(&base_text), &files) {
        let mut argv = vec!["set", replay.name.as_str()];
        argv.extend(args.iter().map(String::as_str));
        let wg = sandbox.wg(&argv);
        let wg_sets = replay.take_sets();
        let ours = sandbox.ferrotun(&argv);
        let our_sets = replay.take_sets();
        assert_eq!(wg, ours, "{argv:?}");
        let normalize = |sets: Vec<Vec<u8>>| crate::canonical_request(&sets.concat());
        assert_eq!(
            normalize(wg_sets),
            normalize(our_sets),
            "request for {argv:?}"
        );
    }
}
