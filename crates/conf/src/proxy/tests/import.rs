use super::*;
use crate::proxy::WireGuardSource;

const SOCKS: &str = "[Socks5]\nBindAddress = 127.0.0.1:1080\n";

#[test]
fn a_relative_path_is_taken_from_the_files_directory() {
    let world = World::default().file("/cfg/tunnel/wg0.conf", &wg());
    let checked = world.check(&format!("WGConfig = tunnel/wg0.conf\n\n{SOCKS}"));
    assert_eq!(checked.errors, vec![]);
    let config = checked.config;
    assert_eq!(
        config.source,
        WireGuardSource::Imported {
            line: 1,
            written: "tunnel/wg0.conf".into(),
            path: "/cfg/tunnel/wg0.conf".into(),
        }
    );
    assert_eq!(config.wireguard.peers.len(), 1);
    assert_eq!(config.listeners.len(), 1);
}

#[test]
fn an_absolute_path_is_used_as_is_and_the_key_is_case_insensitive() {
    let world = World::default().file("/etc/wireguard/wg0.conf", &wg());
    let checked = world.check(&format!(
        "# the tunnel\nwgconfig = /etc/wireguard/wg0.conf\n{SOCKS}"
    ));
    assert_eq!(checked.errors, vec![]);
    assert!(matches!(
        checked.config.source,
        WireGuardSource::Imported { line: 2, .. }
    ));
}

#[test]
fn check_alive_comes_from_the_imported_file() {
    let wg = wg().replace("DNS", "CheckAlive = 10.9.0.1\nDNS");
    let world = World::default().file("/cfg/wg0.conf", &wg);
    let checked = world.check(&format!("WGConfig = wg0.conf\n{SOCKS}"));
    assert_eq!(checked.errors, vec![]);
    assert!(checked.config.check_alive.is_some());
}

#[test]
fn a_missing_file() {
    assert_eq!(
        errors(&format!("WGConfig = missing.conf\n{SOCKS}")),
        ["proxy.conf:1: WGConfig: cannot read `/cfg/missing.conf': entity not found"]
    );
}

#[test]
fn errors_in_the_imported_file_are_located_there_and_sorted_at_the_import() {
    let bad = format!("[Interface]\nPrivateKey = abc\nAddress = 10.9.0.2/32\n[Peer]\nPublicKey = {KEY2}\n[Socks5]\nWGConfig = x\n");
    let world = World::default().file("/cfg/wg0.conf", &bad);
    let text = "Bogus = 1\nWGConfig = wg0.conf\n[http]\nBindAddress = 1\n";
    assert_eq!(
        errors_in(&world, text),
        [
            "proxy.conf:1: `Bogus' is outside any section; only WGConfig can be given there",
            "/cfg/wg0.conf:6: [Socks5] belongs in the proxy's own file, not in one that WGConfig imports",
            "/cfg/wg0.conf:2: Key is not the correct length or format: `abc'",
            "proxy.conf:4: BindAddress is not an address and port such as 127.0.0.1:1080, [::1]:1080 or :1080: `1'",
        ]
    );
}

#[test]
fn wgconfig_stands_alone() {
    let world = World::default().file("/cfg/wg0.conf", &wg()).file(
        "/cfg/nested.conf",
        &format!("WGConfig = wg0.conf\n{}", wg()),
    );
    assert_eq!(
        errors_in(&world, &format!("WGConfig = wg0.conf\n{}{SOCKS}", wg())),
        ["proxy.conf:2: this file imports [Interface] and [Peer] from `wg0.conf' (WGConfig, line 1), so it cannot have its own"]
    );
    assert_eq!(
        errors_in(
            &world,
            &format!("WGConfig = wg0.conf\nWGConfig = wg0.conf\n{SOCKS}")
        ),
        ["proxy.conf:2: WGConfig is given again (first at line 1)"]
    );
    assert_eq!(
        errors_in(&world, &format!("WGConfig = nested.conf\n{SOCKS}")),
        ["/cfg/nested.conf:1: WGConfig cannot be used in a file that WGConfig imports"]
    );
    assert_eq!(
        errors_in(&world, &format!("WGConfig =\n{SOCKS}")),
        ["proxy.conf:1: WGConfig has no value"]
    );
}

#[test]
fn an_imported_file_needs_an_interface() {
    let world = World::default().file("/cfg/empty.conf", "# nothing\n");
    assert_eq!(
        errors_in(&world, &format!("WGConfig = empty.conf\n{SOCKS}")),
        ["/cfg/empty.conf: there is no [Interface] section; the proxy needs its PrivateKey and Address"]
    );
}
