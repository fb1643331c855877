//! The example files of wireproxy's README, rewritten with our own names and values but the
//! same structure (comments, sections, keys), must read without error.

use super::*;
use crate::proxy::{Auth, Forward, Inactivity, WireGuardSource};
use std::time::Duration;

const SAMPLE: &str = include_str!("fixtures/sample.conf");
const IMPORT: &str = include_str!("fixtures/import.conf");
const WG_CLIENT: &str = include_str!("fixtures/wg-client.conf");
const PEERS: &str = include_str!("fixtures/peers.conf");
const SERVER: &str = include_str!("fixtures/server.conf");

fn shown(warnings: &[Warning]) -> Vec<String> {
    warnings.iter().map(ToString::to_string).collect()
}

#[test]
fn the_full_sample() {
    let checked = World::default().check(SAMPLE);
    assert_eq!(checked.errors, vec![]);
    let config = checked.config;
    assert_eq!(config.mtu(), 1420);
    assert_eq!(config.wireguard.interface.quick.dns_servers, ["10.77.0.1"]);
    let endpoint = config.wireguard.peers[0].endpoint.as_ref().unwrap();
    assert_eq!(endpoint.text, "gateway.example.net:51900");
    assert_eq!(config.listeners.len(), 2);
    assert!(config.listeners.iter().all(|l| l.auth == Auth::None));
    let kinds: Vec<&str> = config
        .forwards
        .iter()
        .map(|f| match f {
            Forward::TcpClient { .. } => "tcp-client",
            Forward::TcpServer { .. } => "tcp-server",
            Forward::UdpClient { .. } => "udp-client",
            Forward::UdpServer { .. } => "udp-server",
            Forward::Stdio { .. } => "stdio",
        })
        .collect();
    assert_eq!(kinds, ["tcp-client", "tcp-server", "udp-client", "stdio"]);
    assert!(matches!(
        config.forwards[2],
        Forward::UdpClient { inactivity: Inactivity::After(d), .. } if d == Duration::from_secs(45)
    ));
    // The README's peer has no AllowedIPs, which the proxy routes by.
    assert_eq!(
        shown(&checked.warnings),
        ["proxy.conf:10: Warning: this peer has no AllowedIPs: the proxy sends nothing to it"]
    );
}

#[test]
fn the_import_sample() {
    let world = World::default().file("/cfg/tunnel/wg-client.conf", WG_CLIENT);
    let checked = world.check(IMPORT);
    assert_eq!(checked.errors, vec![]);
    assert_eq!(shown(&checked.warnings), Vec::<String>::new());
    assert!(matches!(
        checked.config.source,
        WireGuardSource::Imported { line: 1, .. }
    ));
    assert_eq!(checked.config.forwards.len(), 2);
    assert_eq!(checked.config.listeners.len(), 1);
}

#[test]
fn the_several_peers_sample() {
    let checked = World::default().check(PEERS);
    assert_eq!(checked.errors, vec![]);
    assert_eq!(shown(&checked.warnings), Vec::<String>::new());
    assert_eq!(checked.config.wireguard.peers.len(), 2);
    assert_eq!(checked.config.wireguard.peers[1].allowed_ips.len(), 2);
    assert_eq!(checked.config.forwards.len(), 3);
}

#[test]
fn the_server_sample() {
    let checked = World::default().check(SERVER);
    assert_eq!(checked.errors, vec![]);
    assert_eq!(shown(&checked.warnings), Vec::<String>::new());
    let wg = &checked.config.wireguard;
    assert_eq!(wg.interface.listen_port, Some(5500));
    assert_eq!(wg.peers[0].endpoint, None);
}

#[test]
fn the_samples_are_proxy_files() {
    for text in [SAMPLE, IMPORT, PEERS, SERVER] {
        assert!(crate::proxy::is_proxy_config(text.as_bytes()));
    }
    assert!(!crate::proxy::is_proxy_config(WG_CLIENT.as_bytes()));
}

#[test]
fn the_example_in_the_docs() {
    let doc = include_str!("../../../../../docs/proxy-config.md");
    let example = doc
        .split("```ini\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("docs/proxy-config.md has an ini example");
    let world = World::default().var("PROXY_PRIVATE_KEY", PRIV);
    let checked = world.check(example);
    assert_eq!(checked.errors, vec![]);
    assert_eq!(shown(&checked.warnings), Vec::<String>::new());
    assert_eq!(checked.config.listeners.len(), 2);
    assert_eq!(checked.config.forwards.len(), 2);
}
