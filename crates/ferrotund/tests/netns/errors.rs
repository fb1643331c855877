//! Failing `wg` commands print the same text (stdout, stderr) and exit with the same code
//! against ferrotund as against wireguard-go. Both run in one namespace and each holds the
//! UDP port the other is asked to take ("Address already in use" comes from the daemon as
//! errno -98; the other failures are rejected by `wg` itself and check that nothing reaches
//! or upsets the daemon).

use crate::cmd::{root, Out, TempDir};
use crate::daemon::{Daemon, Impl};
use crate::netns::Netns;
use crate::wg::Keypair;

const F_PORT: &str = "41001";
const G_PORT: &str = "41002";

/// Exit code, stdout and stderr with the interface name replaced by `IF`.
fn outcome(d: &Daemon, out: &Out) -> (Option<i32>, String, String) {
    (out.code, out.stdout.replace(&d.ifname, "IF"), out.stderr.replace(&d.ifname, "IF"))
}

struct Case {
    what: &'static str,
    args: Vec<String>,
    /// Whether the daemon reports it (errno), rather than `wg` itself.
    from_daemon: bool,
}

/// The failing commands; `busy` is the port the other daemon holds.
fn cases(dir: &TempDir, peer: &str, busy: &str) -> Vec<Case> {
    let bad_key = dir.file("bad.key", "bad\n");
    let good_key = dir.file("good.key", &format!("{}\n", Keypair::generate().private));
    let bad_conf = dir.file("bad.conf", "[Interface]\nListenPort = 1\nNoSuchKey = 1\n");
    let busy_conf = dir.file(&format!("busy{busy}.conf"), &format!("[Interface]\nPrivateKey = {}\nListenPort = {busy}\n", Keypair::generate().private));
    let case = |what, args: &[&str], from_daemon| Case { what, args: args.iter().map(|s| s.to_string()).collect(), from_daemon };
    vec![
        case("listen-port in use", &["set", "IF", "listen-port", busy], true),
        case("listen-port in use, with other changes", &["set", "IF", "fwmark", "0x7", "private-key", &good_key, "listen-port", busy, "peer", peer, "allowed-ips", "10.9.0.1/32"], true),
        case("setconf with a busy ListenPort", &["setconf", "IF", &busy_conf], true),
        case("bad private key file", &["set", "IF", "private-key", &bad_key], false),
        case("bad peer key", &["set", "IF", "peer", "notakey"], false),
        case("bad allowed IP", &["set", "IF", "peer", peer, "allowed-ips", "10.0.0.0/33"], false),
        case("bad endpoint port", &["set", "IF", "peer", peer, "endpoint", "[fd00::1]:99999"], false),
        case("bad keepalive", &["set", "IF", "peer", peer, "persistent-keepalive", "70000"], false),
        case("unknown config key", &["setconf", "IF", &bad_conf], false),
    ]
}

fn run_case(d: &Daemon, case: &Case) -> Out {
    d.wg(&case.args.iter().map(String::as_str).collect::<Vec<_>>())
}

#[test]
fn wg_set_errors_match_wireguard_go() {
    if !root() {
        return;
    }
    let dir = TempDir::new();
    let ns = Netns::new("e");
    let f = Daemon::start(&ns, Impl::Ferrotund, "ef");
    let g = Daemon::start(&ns, Impl::WireguardGo, "eg");
    let peer = Keypair::generate().public;
    f.wg(&["set", "IF", "listen-port", F_PORT, "peer", &peer, "allowed-ips", "10.1.0.1/32"]).ok();
    g.wg(&["set", "IF", "listen-port", G_PORT, "peer", &peer, "allowed-ips", "10.1.0.1/32"]).ok();
    let before = f.dump();
    for (fc, gc) in cases(&dir, &peer, G_PORT).into_iter().zip(cases(&dir, &peer, F_PORT)) {
        let case = &fc;
        let fo = run_case(&f, &fc);
        let go = run_case(&g, &gc);
        assert!(!go.success(), "harness: the case {:?} does not fail with wireguard-go: {go}", case.what);
        assert_eq!(outcome(&f, &fo), outcome(&g, &go), "{:?}: ferrotund and wireguard-go differ\nferrotund: {fo}\nwireguard-go: {go}", case.what);
        assert!(f.alive(), "ferrotund died after {:?}: {fo}\n{}", case.what, f.log_text());
        if case.from_daemon {
            assert!(go.stderr.contains("Address already in use"), "harness: wireguard-go did not report the busy port: {go}");
        }
        // ferrotund applies a failing set not at all (README); wireguard-go applies the lines
        // before the bad one and drops its socket, so only ferrotund's state is compared.
        assert_eq!(f.dump(), before, "ferrotund's configuration changed after the failing {:?}: {fo}", case.what);
        g.wg(&["set", "IF", "listen-port", G_PORT]).ok();
    }
    f.wg(&["set", "IF", "listen-port", "41003"]).ok();
    assert_eq!(f.listen_port(), 41003, "ferrotund after a successful port change");
}
