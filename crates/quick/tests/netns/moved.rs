//! `up --netns NAME`: the interface lives in namespace NAME, which has nothing but `lo` and
//! the tunnel, while the daemon and its UDP socket stay in the caller's namespace, the only
//! one with a path to the server. Run from a namespace the test made as the caller (as
//! `ip netns exec CALLER ferrotun up --netns INNER ...` would).

use crate::harness::{
    genkey, in_namespace, ns_ok, options, pubkey, real_wg_quick, require_root, sh, state,
    wait_ping, Sandbox, PRIVATE,
};
use ferrotun_quick::cmd::{self, Options};
use std::path::Path;

/// The PIDs of processes named `comm` in namespace `ns`.
fn processes(ns: &str, comm: &str) -> Vec<String> {
    sh(&["ip", "netns", "pids", ns])
        .split_whitespace()
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim() == comm)
        })
        .map(str::to_string)
        .collect()
}

fn udp_bound(ns: &str, port: &str) -> bool {
    let sport = format!("sport = :{port}");
    let out = sh(&["ip", "netns", "exec", ns, "ss", "-uanH", &sport]);
    !out.trim().is_empty()
}

/// Removes `/etc/netns` at the end if this test created it (DNS for the namespace goes
/// into `/etc/netns/NAME/resolv.conf`).
struct EtcNetns(bool, String);

impl Drop for EtcNetns {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(format!("/etc/netns/{}", self.1));
        if self.0 {
            let _ = std::fs::remove_dir("/etc/netns");
        }
    }
}

/// The caller's namespace with a veth to the server's (stock wg-quick up there), and an
/// empty inner namespace.
struct World {
    _etc_netns: EtcNetns,
    sandbox: Sandbox,
    caller: String,
    inner: String,
    server: (String, String),
    server_file: String,
    server_pub: String,
}

impl World {
    fn new() -> Self {
        let mut sandbox = Sandbox::new("nn");
        let caller = sandbox.namespace("k");
        let inner = sandbox.namespace("i");
        let server = (sandbox.namespace("s"), sandbox.interface("s"));
        sandbox.veth((&caller, "10.202.1.1"), (&server.0, "10.202.1.2"));
        let server_key = genkey();
        let server_file = sandbox.config(
            &server.1,
            &format!(
                "[Interface]\nPrivateKey = {server_key}\nListenPort = 51889\n\
                 Address = 10.70.0.1/24\n\n[Peer]\nPublicKey = {}\n\
                 AllowedIPs = 10.70.0.2/32, 10.71.0.2/32\n",
                pubkey(PRIVATE)
            ),
        );
        real_wg_quick(&server.0, "up", &server_file);
        World {
            _etc_netns: EtcNetns(!Path::new("/etc/netns").exists(), inner.clone()),
            sandbox,
            caller,
            inner,
            server,
            server_file,
            server_pub: pubkey(&server_key),
        }
    }

    fn client_text(&self) -> String {
        format!(
            "[Interface]\nPrivateKey = {PRIVATE}\nAddress = 10.70.0.2/24\n\
             DNS = 10.70.0.53, corp.example\n\n[Peer]\nPublicKey = {}\n\
             Endpoint = 10.202.1.2:51889\nAllowedIPs = 0.0.0.0/0\n",
            self.server_pub
        )
    }

    /// After `up --netns`: where the link, the daemon and its socket are, and how the inner
    /// namespace routes.
    fn check_placement(&self, interface: &str) {
        let (caller, inner) = (&self.caller, &self.inner);
        let inner_links = sh(&["ip", "-n", inner, "-o", "link", "show"]);
        assert_eq!(inner_links.lines().count(), 2, "{inner_links}");
        assert!(inner_links.contains(interface));
        assert!(!ns_ok(caller, &["ip", "link", "show", interface]));
        assert_eq!(processes(caller, "ferrotund").len(), 1);
        assert!(processes(inner, "ferrotund").is_empty());
        if ferrotun_testkit::require_tool("ss") {
            let port = sh(&["wg", "show", interface, "listen-port"]);
            assert!(udp_bound(caller, port.trim()) && !udp_bound(inner, port.trim()));
        }
        // A plain default route (the daemon's packets never enter this namespace), no rules.
        let routes = sh(&["ip", "-n", inner, "route", "show"]);
        assert!(
            routes.contains(&format!("default dev {interface}")),
            "{routes}"
        );
        let rules = sh(&["ip", "-n", inner, "rule", "show"]);
        assert!(!rules.contains("51820"), "{rules}");
    }
}

#[test]
fn interface_in_a_namespace_daemon_and_socket_in_the_callers() {
    require_root!();
    let mut world = World::new();
    let ci = world.sandbox.interface("c");
    let text = world.client_text();
    let file = world.sandbox.config(&ci, &text);
    let (caller, inner) = (world.caller.clone(), world.inner.clone());
    let before = state(&inner, &ci);
    let plain = options();
    let netns = Options {
        netns: Some(inner.clone()),
        ..plain.clone()
    };
    in_namespace(&caller, || cmd::up(&file, &netns)).expect("up --netns");
    world.check_placement(&ci);
    let resolv = format!("/etc/netns/{inner}/resolv.conf");
    let dns = std::fs::read_to_string(&resolv).unwrap();
    assert!(
        dns.contains("nameserver 10.70.0.53\nsearch corp.example\n"),
        "{dns}"
    );
    assert!(wait_ping(&inner, "10.70.0.1", 10), "no tunnel from {inner}");

    // reload finds the link in the namespace too; without --netns, down says where to look.
    let more = text.replace("10.70.0.2/24", "10.70.0.2/24, 10.71.0.2/24");
    world.sandbox.config(&ci, &more);
    in_namespace(&caller, || cmd::reload(&file, &netns)).expect("reload --netns");
    let addresses = sh(&["ip", "-n", &inner, "-o", "addr", "show", "dev", &ci]);
    assert!(addresses.contains("10.71.0.2/24"), "{addresses}");
    assert!(ns_ok(&inner, &["ping", "-c", "1", "-W", "2", "10.70.0.1"]));
    let error = in_namespace(&caller, || cmd::down(&file, &plain)).unwrap_err();
    assert!(error.to_string().contains("--netns"), "{error}");

    in_namespace(&caller, || cmd::down(&file, &netns)).expect("down --netns");
    assert_eq!(state(&inner, &ci), before);
    assert!(!Path::new(&resolv).exists());
    // `up` created /etc/netns/INNER for the DNS: `down` removes it (and only a directory it
    // created: crates/quick/src/exec/netns_resolv.rs tests the other cases).
    assert!(!Path::new(&format!("/etc/netns/{inner}")).exists());
    let gone = (0..50).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(100));
        processes(&caller, "ferrotund").is_empty()
    });
    assert!(gone, "the daemon outlived its interface");
    let (server, server_file) = (&world.server.0, &world.server_file);
    real_wg_quick(server, "down", server_file);
}
