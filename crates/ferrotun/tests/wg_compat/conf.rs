//! `setconf`, `addconf` and `syncconf`: same files through both tools, same daemon state and
//! same requests; and configuration errors reported with `wg`'s words.

use crate::daemon::{Daemon, Impl};
use crate::fixtures::{self, keypair, peer_section, temp_file, TempFile};
use crate::replay::{raw_get, Replay};
use crate::sandbox::Sandbox;
use crate::{canonical_conf, ferrotund_available, prerequisites};
use std::fmt::Write as _;

/// The files: a base, a changed version of it (peers dropped, added and changed, one
/// preshared key and one keepalive dropped), an addition, a file without `[Interface]`, and
/// an empty file.
struct Files {
    base: TempFile,
    changed: TempFile,
    addition: TempFile,
    peers_only: TempFile,
    empty: TempFile,
}

fn files(tag: &str) -> Files {
    let keys: Vec<String> = (0..8).map(|_| keypair().public).collect();
    let private = keypair().private;
    let port = fixtures::port();
    let mut base =
        format!("[Interface]\nPrivateKey = {private}\nListenPort = {port}\nFwMark = 0x20\n");
    for (i, key) in keys.iter().enumerate().take(6) {
        let _ = write!(base, "\n{}", peer_section(i, key));
    }
    // Peer 0 has a preshared key and keepalive 25 in the base (i % 3 == 0, i % 4 == 0).
    let mut changed = format!("[Interface]\nPrivateKey = {private}\nListenPort = {port}\n");
    // An endpoint cannot be removed, so the kept peer names one: the goal state is then
    // the file's for both setconf and syncconf.
    let _ = write!(
        changed,
        "\n[Peer]\nPublicKey = {}\nAllowedIPs = 10.0.0.0/24\nEndpoint = 127.0.0.6:6\n",
        keys[0]
    );
    let _ = write!(changed, "\n{}", peer_section(3, &keys[3]));
    let _ = write!(
        changed,
        "\n[Peer]\nPublicKey = {}\nAllowedIPs = 10.2.0.0/16\nEndpoint = 127.0.0.5:5\n",
        keys[2]
    );
    let _ = write!(changed, "\n{}", peer_section(7, &keys[6]));
    let addition = format!(
        "[Peer]\nPublicKey = {}\nAllowedIPs = 10.77.0.0/16\n\n[Peer]\nPublicKey = {}\nPersistentKeepalive = 5\n",
        keys[7], keys[1]
    );
    let peers_only = format!(
        "{}\n{}",
        peer_section(9, &keys[4]),
        peer_section(10, &keys[5])
    );
    Files {
        base: temp_file(&format!("{tag}-base"), &base),
        changed: temp_file(&format!("{tag}-changed"), &changed),
        addition: temp_file(&format!("{tag}-addition"), &addition),
        peers_only: temp_file(&format!("{tag}-peers"), &peers_only),
        empty: temp_file(&format!("{tag}-empty"), "# nothing\n"),
    }
}

/// Resets to the base, runs `command` with `tool`; returns the run and the state.
fn apply(
    sandbox: &Sandbox,
    name: &str,
    base: &str,
    tool: &str,
    command: &str,
    file: &str,
) -> (crate::Run, String) {
    let reset = sandbox.wg(&["setconf", name, base]);
    assert_eq!(
        reset.code, 0,
        "resetting {name} to {base} failed: {reset:?}"
    );
    let args = [command, name, file];
    let run = if tool == "wg" {
        sandbox.wg(&args)
    } else {
        sandbox.ferrotun(&args)
    };
    (run, sandbox.wg(&["showconf", name]).out())
}

fn run_matrix(sandbox: &Sandbox, daemon: &Daemon, canonical: bool) {
    let f = files(&daemon.name);
    for command in ["setconf", "addconf", "syncconf"] {
        for file in [
            &*f.base,
            &*f.changed,
            &*f.addition,
            &*f.peers_only,
            &*f.empty,
        ] {
            // Without a ListenPort, setconf and syncconf ask for a random port.
            let random_port = command != "addconf"
                && !std::fs::read_to_string(file)
                    .unwrap()
                    .contains("ListenPort");
            let norm = |text: String| {
                let text = if canonical {
                    canonical_conf(&text)
                } else {
                    text
                };
                if random_port {
                    text.lines()
                        .filter(|l| !l.starts_with("ListenPort = "))
                        .map(|l| format!("{l}\n"))
                        .collect()
                } else {
                    text
                }
            };
            let (wg, wg_state) = apply(sandbox, &daemon.name, &f.base, "wg", command, file);
            let (ours, our_state) =
                apply(sandbox, &daemon.name, &f.base, "ferrotun", command, file);
            assert_eq!(wg, ours, "`{command}` {file}");
            if command == "syncconf" && file == &*f.changed {
                // Current wireguard-tools also clears the dropped preshared key and
                // keepalive; the installed `wg` does not. The goal state is the file's.
                let (_, goal) = apply(sandbox, &daemon.name, &f.base, "wg", "setconf", file);
                assert_eq!(norm(our_state.clone()), norm(goal), "syncconf {file}");
                assert_ne!(
                    norm(wg_state),
                    norm(our_state.clone()),
                    "old wg kept the PSK?"
                );
            } else {
                assert_eq!(
                    norm(wg_state),
                    norm(our_state),
                    "state after `{command}` {file}"
                );
            }
        }
    }
}

#[test]
fn conf_commands_on_ferrotund() {
    if !prerequisites() || !ferrotund_available() {
        return;
    }
    let sandbox = Sandbox::new();
    let daemon = Daemon::start(&sandbox, Impl::Ferrotund);
    run_matrix(&sandbox, &daemon, true);
}

#[test]
fn conf_commands_on_wireguard_go() {
    if !prerequisites() {
        return;
    }
    let sandbox = Sandbox::new();
    let daemon = Daemon::start(&sandbox, Impl::WireguardGo);
    run_matrix(&sandbox, &daemon, true);
}

/// The requests, against a fake daemon that reports the base state (so `syncconf` diffs
/// against it).
#[test]
fn conf_requests_are_identical() {
    if !prerequisites() {
        return;
    }
    let sandbox = Sandbox::new();
    let daemon = Daemon::start(&sandbox, Impl::WireguardGo);
    let f = files("requests");
    assert_eq!(sandbox.wg(&["setconf", &daemon.name, &f.base]).code, 0);
    let replay = Replay::start(&sandbox, &raw_get(&sandbox, &daemon.name));
    for command in ["setconf", "addconf", "syncconf"] {
        for file in [
            &*f.base,
            &*f.changed,
            &*f.addition,
            &*f.peers_only,
            &*f.empty,
        ] {
            let wg = sandbox.wg(&[command, &replay.name, file]);
            let wg_sets = replay.take_sets();
            let ours = sandbox.ferrotun(&[command, &replay.name, file]);
            let our_sets = replay.take_sets();
            assert_eq!(wg, ours, "{command} {file}");
            let text = |sets: Vec<Vec<u8>>| crate::canonical_request(&sets.concat());
            let (wg_body, our_body) = (text(wg_sets), text(our_sets));
            if command == "syncconf" && file == &*f.changed {
                // The newer `syncconf` also clears the preshared key and keepalives that the file
                // dropped for kept peers; the installed `wg` sends neither line.
                let zero_psk = format!("preshared_key={}\n", "0".repeat(64));
                assert!(our_body.contains(&zero_psk), "{our_body}");
                assert!(
                    our_body.contains("persistent_keepalive_interval=0\n"),
                    "{our_body}"
                );
                let stripped = our_body
                    .replace(&zero_psk, "")
                    .replace("persistent_keepalive_interval=0\n", "");
                assert_eq!(wg_body, stripped);
            } else {
                assert_eq!(wg_body, our_body, "request for {command} {file}");
            }
        }
    }
}

/// Bad files: a tag, the text, and the line the error is on.
fn error_cases() -> Vec<(&'static str, String, usize)> {
    let key = keypair().public;
    vec![
        (
            "unknown",
            "[Interface]\nListenPort = 1\nBogus = 2\n".to_string(),
            3,
        ),
        ("outside", "ListenPort = 1\n".into(), 1),
        ("badkey", "[Interface]\nPrivateKey = abc\n".into(), 2),
        (
            "badcidr",
            format!("[Peer]\nPublicKey = {key}\nAllowedIPs = 10.0.0.0/33\n"),
            3,
        ),
        (
            "badip",
            format!("[Peer]\nPublicKey = {key}\nAllowedIPs = 10.0.0.300/8\n"),
            3,
        ),
        (
            "noport",
            format!("[Peer]\nPublicKey = {key}\nEndpoint = 127.0.0.1\n"),
            3,
        ),
        ("fwmark", "[Interface]\nFwMark = 0x1ffffffff\n".into(), 2),
        (
            "keepalive",
            format!("[Peer]\nPublicKey = {key}\nPersistentKeepalive = -1\n"),
            3,
        ),
        ("nokey", "[Peer]\nAllowedIPs = 10.0.0.1/32\n".into(), 1),
        (
            "misplaced",
            format!("[Peer]\nPublicKey = {key}\nListenPort = 5\n"),
            3,
        ),
        ("section", "[Interfaces]\n".into(), 1),
    ]
}

/// Bad files: `wg`'s message with ferrotun's `file:line: ` in front, the same trailer and
/// exit status, and nothing sent.
#[test]
fn configuration_errors() {
    if !prerequisites() {
        return;
    }
    let sandbox = Sandbox::new();
    let replay = Replay::start(&sandbox, b"errno=0\n\n");
    for (tag, text, line) in error_cases() {
        let path = temp_file(&format!("err-{tag}"), &text);
        for command in ["setconf", "addconf", "syncconf"] {
            let wg = sandbox.wg(&[command, &replay.name, &path]);
            let ours = sandbox.ferrotun(&[command, &replay.name, &path]);
            let prefix = format!("{path}:{line}: ");
            let stripped = ours.err().replacen(&prefix, "", 1);
            assert!(ours.err().starts_with(&prefix), "{tag}: {ours}");
            assert_eq!(
                (wg.out(), wg.err(), wg.code),
                (ours.out(), stripped, ours.code),
                "{tag}"
            );
            assert!(replay.take_sets().is_empty(), "{tag}: something was sent");
        }
    }
    let missing = sandbox.ferrotun(&["setconf", &replay.name, "/nonexistent/x.conf"]);
    assert_eq!(
        (missing.err(), missing.code),
        ("/nonexistent/x.conf: No such file or directory\n".into(), 1)
    );
    let duplicate = temp_file("err-dup", "[Interface]\n[Interface]\n");
    let ours = sandbox.ferrotun(&["setconf", &replay.name, &duplicate]);
    assert_eq!(
        ours.err(),
        format!("{duplicate}:2: duplicate [Interface] section (the first one is at line 1)\nConfiguration parsing error\n")
    );
}
