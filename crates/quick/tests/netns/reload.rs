//! `reload`: a client brought up with file A is reloaded with file B while a tunnel to a
//! server (stock wg-quick, same daemon) is in use. Afterwards the client interface must
//! look exactly as `up` of B makes it in a fresh namespace, and the session must have
//! survived: same handshake on both sides, same daemon, traffic still flowing.

use crate::harness::{
    device_state, genkey, handshakes, in_namespace, ns_ok, options, pubkey, real_wg_quick,
    require_root, sh, wait_ping, Sandbox, PRIVATE,
};
use ferrotun_quick::cmd;
use std::os::unix::fs::MetadataExt as _;

const GONE: &str = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=";
const NEW: &str = "AwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM=";

fn file_a(server: &str) -> String {
    format!(
        "# client, first version\n[Interface]\nPrivateKey = {PRIVATE}\nListenPort = 51777\n\
         Address = 10.60.0.2/24, fd60::2/64\nMTU = 1400\n\n\
         # the server\n[Peer]\nPublicKey = {server}\nEndpoint = 10.201.1.2:51888\n\
         AllowedIPs = 10.60.0.1/32, 10.61.0.0/16\n\n\
         # a peer that goes\n[Peer]\nPublicKey = {GONE}\nAllowedIPs = 10.62.0.0/16\n"
    )
}

fn file_b(server: &str) -> String {
    format!(
        "# client, second version\n[Interface]\nPrivateKey = {PRIVATE}\nListenPort = 51777\n\
         Address = 10.60.0.2/24, 10.63.0.2/24\nMTU = 1380\n\n\
         [Peer]\nPublicKey = {server}\nEndpoint = 10.201.1.2:51888\n\
         AllowedIPs = 10.60.0.1/32, 10.64.0.0/16\n\n\
         # a peer that comes\n[Peer]\nPublicKey = {NEW}\nAllowedIPs = 10.65.0.0/16, fd65::/48\n"
    )
}

/// Client and server namespaces joined by a veth, the server up (stock wg-quick).
struct World {
    sandbox: Sandbox,
    client: (String, String),
    server: (String, String),
    server_file: String,
    server_pub: String,
    client_pub: String,
}

impl World {
    fn new() -> Self {
        let mut sandbox = Sandbox::new("rl");
        let client = (sandbox.namespace("c"), sandbox.interface("c"));
        let server = (sandbox.namespace("s"), sandbox.interface("s"));
        sandbox.veth((&client.0, "10.201.1.1"), (&server.0, "10.201.1.2"));
        let server_key = genkey();
        let client_pub = pubkey(PRIVATE);
        let server_file = sandbox.config(
            &server.1,
            &format!(
                "[Interface]\nPrivateKey = {server_key}\nListenPort = 51888\n\
                 Address = 10.60.0.1/24\n\n[Peer]\nPublicKey = {client_pub}\n\
                 AllowedIPs = 10.60.0.2/32, 10.63.0.2/32\n"
            ),
        );
        real_wg_quick(&server.0, "up", &server_file);
        World {
            sandbox,
            client,
            server,
            server_file,
            server_pub: pubkey(&server_key),
            client_pub,
        }
    }

    /// What shows that the session is the same: both sides' handshake time with each
    /// other, the client's received bytes, the daemon's socket.
    fn session(&self) -> (Option<u64>, Option<u64>, u64, u64) {
        let at = |interface: &str, key: &str| {
            handshakes(interface)
                .into_iter()
                .find(|(k, _)| k == key)
                .map(|(_, at)| at)
        };
        let rx = sh(&["wg", "show", &self.client.1, "transfer"])
            .lines()
            .find_map(|l| {
                let rest = l.strip_prefix(&self.server_pub)?;
                rest.split_whitespace().next()?.parse().ok()
            })
            .unwrap_or(0);
        let socket = format!("/var/run/wireguard/{}.sock", self.client.1);
        (
            at(&self.client.1, &self.server_pub),
            at(&self.server.1, &self.client_pub),
            rx,
            std::fs::metadata(socket).map_or(0, |m| m.ino()),
        )
    }
}

#[test]
fn reload_matches_a_fresh_up_and_keeps_the_session() {
    require_root!();
    let mut world = World::new();
    let (c, ci) = world.client.clone();
    let options = options();
    let client_file = world.sandbox.config(&ci, &file_a(&world.server_pub));
    in_namespace(&c, || cmd::up(&client_file, &options)).expect("up A");
    assert!(
        wait_ping(&c, "10.60.0.1", 10),
        "no tunnel before the reload"
    );
    let before = world.session();
    assert!(before.0.is_some_and(|at| at != 0), "{before:?}");
    // A new handshake after this would carry a later time.
    std::thread::sleep(std::time::Duration::from_millis(2100));

    world.sandbox.config(&ci, &file_b(&world.server_pub));
    in_namespace(&c, || cmd::reload(&client_file, &options)).expect("reload B");
    let ping = ["ping", "-c", "3", "-i", "0.2", "-W", "2", "10.60.0.1"];
    assert!(
        ns_ok(&c, &ping),
        "the tunnel does not work after the reload"
    );
    assert!(ns_ok(
        &world.server.0,
        &["ping", "-c", "1", "-W", "2", "10.60.0.2"]
    ));
    let after = world.session();
    assert_eq!(
        (after.0, after.1),
        (before.0, before.1),
        "a side re-handshook"
    );
    assert!(
        after.2 > before.2,
        "counters were reset: {before:?} {after:?}"
    );
    assert_eq!(after.3, before.3, "the daemon was restarted");

    let (f, fi) = (world.sandbox.namespace("f"), world.sandbox.interface("f"));
    let fresh_file = world.sandbox.config(&fi, &file_b(&world.server_pub));
    in_namespace(&f, || cmd::up(&fresh_file, &options)).expect("up B in a fresh namespace");
    let (reloaded, fresh) = (device_state(&c, &ci), device_state(&f, &fi));
    assert_eq!(reloaded, fresh);
    assert!(reloaded.contains(&"mtu 1380".to_string()), "{reloaded:#?}");

    in_namespace(&c, || cmd::down(&client_file, &options)).expect("down");
    in_namespace(&f, || cmd::down(&fresh_file, &options)).expect("down fresh");
    real_wg_quick(&world.server.0, "down", &world.server_file);
}
