use super::*;
use crate::model::{AllowedIpOp, InterfaceAddress};
use std::net::IpAddr;

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

#[test]
fn a_full_file() {
    let config = parse(&format!(
        "# a comment\n[Interface]\nPrivateKey = {PRIV}\nListenPort = 51820\nFwMark = 0x10\n\n\
         [Peer]\nPublicKey = {KEY1}\nPresharedKey = {PSK}\nAllowedIPs = 10.0.0.2/32, fd00::2/128\n\
         AllowedIPs = 10.1.0.0/16\nEndpoint = 192.0.2.1:51820\nPersistentKeepalive = 25\n\n\
         [Peer]\nPublicKey = {KEY2}\nEndpoint = [2001:db8::1]:443\n"
    ));
    let interface = &config.interface;
    assert_eq!(interface.line, Some(2));
    assert_eq!(
        interface
            .private_key
            .as_ref()
            .unwrap()
            .as_ref()
            .unwrap()
            .to_base64(),
        PRIV
    );
    assert_eq!(interface.listen_port, Some(51820));
    assert_eq!(interface.fwmark, Some(16));
    assert_eq!(config.peers.len(), 2);
    let peer = &config.peers[0];
    assert_eq!(peer.line, 7);
    assert_eq!(peer.public_key.to_base64(), KEY1);
    assert_eq!(peer.preshared_key.as_ref().unwrap().to_base64(), PSK);
    let allowed: Vec<_> = peer.allowed_ips.iter().map(|a| (a.ip, a.cidr)).collect();
    assert_eq!(
        allowed,
        [
            (ip("10.0.0.2"), 32),
            (ip("fd00::2"), 128),
            (ip("10.1.0.0"), 16)
        ]
    );
    assert!(peer.replace_allowed_ips);
    let endpoint = peer.endpoint.as_ref().unwrap();
    assert_eq!(endpoint.text, "192.0.2.1:51820");
    assert_eq!(endpoint.addr, "192.0.2.1:51820".parse().unwrap());
    assert_eq!(peer.persistent_keepalive, Some(25));
    let second = &config.peers[1];
    assert!(second.allowed_ips.is_empty() && second.replace_allowed_ips);
    assert_eq!(
        second.endpoint.as_ref().unwrap().addr,
        "[2001:db8::1]:443".parse().unwrap()
    );
}

#[test]
fn absent_keys_stay_absent() {
    let config = parse(&format!("[Interface]\n[Peer]\nPublicKey={KEY1}\n"));
    assert_eq!(config.interface.private_key, None);
    assert_eq!(config.interface.listen_port, None);
    assert_eq!(config.interface.fwmark, None);
    assert_eq!(config.peers[0].preshared_key, None);
    assert_eq!(config.peers[0].persistent_keepalive, None);
    assert_eq!(parse(""), Config::default());
    assert_eq!(parse("\n\n# only comments\n   \n"), Config::default());
}

#[test]
fn whitespace_case_and_comments_as_wg() {
    let config = parse(&format!(
        "  [ iNtErFaCe ]  # trailing comment\r\n\tlisten port\t=\t5 1 8 2 0\r\n\
         fwmark=OFF\n[PEER]\npublic KEY = {}\nallowedips=10.0.0.0/8#,10.1.0.0/16\n\
         persistentkeepalive = off\n",
        KEY1.replace('=', " = ")
    ));
    assert_eq!(config.interface.listen_port, Some(51820));
    assert_eq!(config.interface.fwmark, Some(0));
    assert_eq!(config.peers[0].public_key.to_base64(), KEY1);
    assert_eq!(config.peers[0].allowed_ips.len(), 1);
    assert_eq!(config.peers[0].persistent_keepalive, Some(0));
}

#[test]
fn a_nul_byte_ends_the_line() {
    let config = parse("[Interface]\nListenPort = 1\0garbage\n");
    assert_eq!(config.interface.listen_port, Some(1));
}

#[test]
fn incremental_allowed_ips() {
    let config = parse(&format!(
        "[Peer]\nPublicKey = {KEY1}\nAllowedIPs = +10.0.0.3/32, -10.0.0.1/32\n\
         [Peer]\nPublicKey = {KEY2}\nAllowedIPs = +10.0.0.4/32\nAllowedIPs = 10.0.0.5/32\n"
    ));
    let first = &config.peers[0];
    assert!(!first.replace_allowed_ips);
    assert_eq!(first.allowed_ips[1].op, AllowedIpOp::Remove);
    // A later plain line turns replacement back on, as in `wg`.
    assert!(config.peers[1].replace_allowed_ips);
}

#[test]
fn zero_keys_and_special_values() {
    let zero = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    let config = parse(&format!(
        "[Interface]\nPrivateKey = {zero}\nListenPort = 0\n[Peer]\nPublicKey = {KEY1}\n\
         PresharedKey = {zero}\nEndpoint = vpn.example.com:51820\n"
    ));
    assert_eq!(config.interface.private_key, Some(None));
    assert!(config.peers[0].preshared_key.as_ref().unwrap().is_zero());
    assert_eq!(
        config.peers[0].endpoint.as_ref().unwrap().addr,
        "192.0.2.80:51820".parse().unwrap()
    );
}

#[test]
fn scoped_link_local_endpoint() {
    let config = parse(&format!(
        "[Peer]\nPublicKey = {KEY1}\nEndpoint = [fe80::1%lo]:51820\n"
    ));
    let SocketAddr::V6(addr) = config.peers[0].endpoint.as_ref().unwrap().addr else {
        panic!("not IPv6");
    };
    assert_ne!(addr.scope_id(), 0);
}

#[test]
fn host_bits_warn_with_location() {
    let (result, warnings) = parse_as(
        Dialect::Wg,
        &format!("[Peer]\nPublicKey = {KEY1}\nAllowedIPs = 10.0.0.1/24\n"),
    );
    assert!(result.is_ok());
    assert_eq!(warnings.len(), 1);
    assert_eq!(
        warnings[0].to_string(),
        "test.conf:3: Warning: AllowedIP has nonzero host part: 10.0.0.1/24"
    );
}

#[test]
fn interface_after_peers_is_fine() {
    let config = parse(&format!(
        "[Peer]\nPublicKey = {KEY1}\n[Interface]\nListenPort = 7\n"
    ));
    assert_eq!(config.interface.listen_port, Some(7));
}

#[test]
fn wg_quick_keys() {
    let text = format!(
        "[Interface]\nAddress = 10.0.0.1/24, fd00::1/64\nAddress = 10.0.1.1\n\
         DNS = 1.1.1.1, 2606:4700::1111 ,example.com\nMTU = 1420\nTable = off\n\
         PostUp = iptables -A FORWARD -i %i -j ACCEPT  # comment\nPreDown = echo  two  spaces\n\
         SaveConfig = TRUE\nPrivateKey = {PRIV}\n[Peer]\nPublicKey = {KEY1}\n"
    );
    let config = parse_as(Dialect::WgQuick, &text).0.unwrap();
    let quick = &config.interface.quick;
    assert_eq!(
        quick.addresses,
        [
            InterfaceAddress {
                ip: ip("10.0.0.1"),
                prefix: 24
            },
            InterfaceAddress {
                ip: ip("fd00::1"),
                prefix: 64
            },
            InterfaceAddress {
                ip: ip("10.0.1.1"),
                prefix: 32
            },
        ]
    );
    assert_eq!(quick.dns_servers, ["1.1.1.1", "2606:4700::1111"]);
    assert_eq!(quick.dns_search, ["example.com"]);
    assert_eq!(quick.mtu, Some(1420));
    assert_eq!(quick.table.as_deref(), Some("off"));
    // Hooks keep their `#` (wireguard-tools 90deacd); see `hooks_keep_their_hash`.
    assert_eq!(
        quick.post_up,
        ["iptables -A FORWARD -i %i -j ACCEPT  # comment"]
    );
    assert_eq!(quick.pre_down, ["echo  two  spaces"]);
    assert_eq!(quick.save_config, Some(true));
    assert!(config.interface.private_key.is_some());
    // wg(8) does not know these keys.
    assert_eq!(
        error(&text),
        "test.conf:2: Line unrecognized: `Address=10.0.0.1/24,fd00::1/64'"
    );
}

#[test]
fn hooks_keep_their_hash() {
    let text = "[Interface]\n\
        PreUp = echo $# ${HOME#/} # the shell drops this\n\
        postup=printf '%s\\n' a#b\n\
        PreDown = # only a comment for the shell\n\
        PostDown = echo done\t# tab before\t \r\n\
        # PostUp = commented out entirely\n\
        Address = 10.0.0.1/24 # not a hook: stripped\n\
        DNS = 10.0.0.53 # neither\n\
        Table = off#comment\n\
        SaveConfig = false # and here\n";
    let config = parse_as(Dialect::WgQuick, text).0.unwrap();
    let quick = &config.interface.quick;
    assert_eq!(quick.pre_up, ["echo $# ${HOME#/} # the shell drops this"]);
    assert_eq!(quick.post_up, ["printf '%s\\n' a#b"]);
    assert_eq!(quick.pre_down, ["# only a comment for the shell"]);
    assert_eq!(quick.post_down, ["echo done\t# tab before"]);
    assert_eq!(quick.addresses.len(), 1);
    assert_eq!(quick.dns_servers, ["10.0.0.53"]);
    assert!(quick.dns_search.is_empty());
    assert_eq!(quick.table.as_deref(), Some("off"));
    assert_eq!(quick.save_config, Some(false));
}

#[test]
fn the_hook_key_is_read_without_the_comment() {
    // As `${line#*=}`: the value starts after the first `=` of the whole line, even when the
    // key part ends at a `#`.
    let config = parse_as(Dialect::WgQuick, "[Interface]\nPostUp # x = y\n")
        .0
        .unwrap();
    assert_eq!(config.interface.quick.post_up, ["y"]);
    let config = parse_as(Dialect::WgQuick, "[Interface]\nPostUp\n")
        .0
        .unwrap();
    assert_eq!(config.interface.quick.post_up, ["PostUp"]);
}
