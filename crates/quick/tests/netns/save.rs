//! `save` and `SaveConfig = true` on a live interface changed behind the file's back with
//! the real `wg` and `ip`: the file keeps its comments and order, changes only what
//! changed, loses the removed peer with its comment, gains the new one, and ends up 0600.

use crate::harness::{in_namespace, options, require_root, sh, Sandbox, PRIVATE};
use ferrotun_quick::cmd;
use std::os::unix::fs::PermissionsExt as _;

const A: &str = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=";
const B: &str = "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=";
const C: &str = "AwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM=";

fn head() -> String {
    format!(
        "# my tunnel\n[Interface]\nPrivateKey = {PRIVATE}   # secret\nAddress = 10.80.0.2/24\n\
         SaveConfig = true\nListenPort = 51790\n\n# alice\n[Peer]\nPublicKey = {A}\n"
    )
}

/// Bob goes, Alice gets a prefix and a keepalive, Carol comes, the link an address.
fn change_behind_the_files_back(ns: &str, interface: &str) {
    for args in [
        &["wg", "set", interface, "peer", B, "remove"][..],
        &[
            "wg",
            "set",
            interface,
            "peer",
            A,
            "allowed-ips",
            "10.81.0.0/16,10.83.0.0/16",
            "persistent-keepalive",
            "25",
        ],
        &[
            "wg",
            "set",
            interface,
            "peer",
            C,
            "allowed-ips",
            "10.84.0.0/16",
            "endpoint",
            "10.213.1.9:51820",
        ],
        &[
            "ip",
            "-n",
            ns,
            "addr",
            "add",
            "10.80.1.2/24",
            "dev",
            interface,
        ],
    ] {
        sh(args);
    }
}

#[test]
fn save_edits_the_file_in_place() {
    require_root!();
    let mut sandbox = Sandbox::new("sv");
    let ns = sandbox.namespace("n");
    let interface = sandbox.interface("n");
    let original = format!(
        "{}AllowedIPs = 10.81.0.0/16\n\n# bob (leaves)\n[Peer]\nPublicKey = {B}\n\
         AllowedIPs = 10.82.0.0/16\n",
        head()
    );
    let file = sandbox.config(&interface, &original);
    let options = options();
    in_namespace(&ns, || cmd::up(&file, &options)).expect("up");
    change_behind_the_files_back(&ns, &interface);
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    in_namespace(&ns, || cmd::save(&file, &options)).expect("save");
    let expected = format!(
        "{}AllowedIPs = 10.81.0.0/16, 10.83.0.0/16\nPersistentKeepalive = 25\n\n\
         [Peer]\nPublicKey = {C}\nAllowedIPs = 10.84.0.0/16\nEndpoint = 10.213.1.9:51820\n",
        head().replace(
            "Address = 10.80.0.2/24",
            "Address = 10.80.0.2/24, 10.80.1.2/24"
        )
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), expected);
    let mode = std::fs::metadata(&file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);

    // `down` with SaveConfig saves again, and nothing is left over.
    sh(&[
        "wg",
        "set",
        &interface,
        "peer",
        A,
        "persistent-keepalive",
        "off",
    ]);
    in_namespace(&ns, || cmd::down(&file, &options)).expect("down");
    let saved = std::fs::read_to_string(&file).unwrap();
    assert_eq!(saved, expected.replace("PersistentKeepalive = 25\n", ""));
    assert!(!std::path::Path::new(&format!("{file}.tmp")).exists());
    assert_eq!(sh(&["ip", "-n", &ns, "-o", "link"]).lines().count(), 1);
}
