//! Access (issue #6): the UAPI socket is root's alone (mode 0600), so an unprivileged user
//! can neither read nor change the configuration; and ferrotund needs no capability but
//! CAP_NET_ADMIN: started with every other one dropped from its bounding set, it creates
//! its interface and socket, binds its port, sets its fwmark and carries traffic.

use crate::attack_uapi::start_wrapped;
use crate::cmd::{root, TempDir};
use crate::daemon::{Daemon, Impl};
use crate::fwmark::mark_only_route;
use crate::netns::{Netns, Underlay};
use crate::traffic::{ping_all, wait_ping};
use crate::tunnel::{address_up, peer_b, reference_responder, TA4, TA6, TB4};
use crate::wg::{IfConf, Keypair};
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::time::Duration;

const NOBODY: [&str; 4] = [
    "setpriv",
    "--reuid=nobody",
    "--regid=nogroup",
    "--clear-groups",
];
/// Only CAP_NET_ADMIN, for the daemon and whatever it executes (it re-executes itself).
const NET_ADMIN_ONLY: [&str; 4] = [
    "setpriv",
    "--inh-caps=-all,+net_admin",
    "--bounding-set=-all,+net_admin",
    "--",
];
/// The capability sets' value with CAP_NET_ADMIN (12) alone.
const NET_ADMIN_MASK: &str = "0000000000001000";

#[test]
fn ferrotund_uapi_socket_refuses_unprivileged_users() {
    if !root() {
        return;
    }
    let ns = Netns::new("p");
    let d = Daemon::start(&ns, Impl::Ferrotund, "p");
    let meta = std::fs::symlink_metadata(d.socket()).expect("socket file");
    assert!(meta.file_type().is_socket());
    assert_eq!(
        (meta.uid(), meta.permissions().mode() & 0o7777),
        (0, 0o600),
        "{} must be root's, mode 0600",
        d.socket().display()
    );
    let before = d.wg(&["showconf", "IF"]).ok().stdout;
    for args in [vec!["show", "IF"], vec!["set", "IF", "listen-port", "4242"]] {
        let mut argv: Vec<&str> = NOBODY.to_vec();
        argv.push("wg");
        argv.extend(
            args.iter()
                .map(|a| if *a == "IF" { d.ifname.as_str() } else { a }),
        );
        let out = ns.run(&argv);
        assert!(
            !out.success() && out.stderr.contains("Permission denied"),
            "an unprivileged user ran `wg {}`: {out}",
            args.join(" ")
        );
    }
    assert_eq!(d.wg(&["showconf", "IF"]).ok().stdout, before);
}

/// The daemon's capability sets from /proc: (effective, permitted, bounding).
fn capabilities(d: &Daemon) -> (String, String, String) {
    let status = std::fs::read_to_string(format!("/proc/{}/status", d.pid)).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    (field("CapEff:"), field("CapPrm:"), field("CapBnd:"))
}

#[test]
fn ferrotund_runs_with_only_cap_net_admin_and_sets_fwmark() {
    if !root() {
        return;
    }
    let dir = TempDir::new();
    let under = Underlay::new();
    let (ka, kb) = (Keypair::generate(), Keypair::generate());
    let _peer = reference_responder(&under, &dir, &kb, &ka.public);
    let d = start_wrapped(&under.a, &dir, &NET_ADMIN_ONLY, "c");
    let mask = NET_ADMIN_MASK.to_string();
    assert_eq!(
        capabilities(&d),
        (mask.clone(), mask.clone(), mask),
        "ferrotund should run with CAP_NET_ADMIN alone"
    );
    mark_only_route(&under);
    let conf = IfConf {
        private: Some(ka.private.clone()),
        port: Some(51_822),
        fwmark: Some("0x77".into()),
        peers: vec![peer_b(&kb.public)],
        ..IfConf::default()
    };
    d.setconf(&dir, &conf);
    assert_eq!(d.show("fwmark").trim(), "0x77");
    assert_eq!(d.listen_port(), 51_822);
    address_up(&under.a, &d.ifname, TA4, TA6);
    // Only marked packets reach B: the handshake and the pings prove the mark is set.
    wait_ping(&under.a.name, TB4, Duration::from_secs(10));
    ping_all(&under.b.name, TA4, 3);
}
