//! Editing files that people wrote by hand: comments everywhere, odd spacing and case,
//! keys split over lines, host names, incremental allowed IPs.

use super::*;
use crate::testutil::{config as parse, PRIVATE};
use ferrotun_proto::keys::{PresharedKey, PublicKey};
use ferrotun_uapi::client::PeerInfo;

const A: &str = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=";
const B: &str = "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=";
const C: &str = "AwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM=";
const PSK: &str = "BAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ=";

/// The device `up` of `config` makes, as a `get` reply shows it.
fn device(config: &Config) -> DeviceInfo {
    let peers = config
        .peers
        .iter()
        .map(|p| {
            let mut live = PeerInfo::new(p.public_key);
            live.preshared_key = p.preshared_key.clone().filter(|k| !k.is_zero());
            live.endpoint = p.endpoint.as_ref().map(|e| e.addr);
            live.persistent_keepalive = p.persistent_keepalive.unwrap_or(0);
            for allowed in &p.allowed_ips {
                let prefix = ferrotun_uapi::model::mask(allowed.ip, allowed.cidr);
                live.allowed_ips.retain(|have| *have != prefix);
                if allowed.op == AllowedIpOp::Add {
                    live.allowed_ips.push(prefix);
                }
            }
            live
        })
        .collect();
    DeviceInfo {
        private_key: config.interface.private_key.clone().flatten(),
        public_key: None,
        listen_port: config.interface.listen_port.unwrap_or(0),
        fwmark: config.interface.fwmark.unwrap_or(0),
        peers,
    }
}

fn addresses(config: &Config) -> Vec<Prefix> {
    config
        .interface
        .quick
        .addresses
        .iter()
        .map(|a| Prefix {
            ip: a.ip,
            len: a.prefix,
        })
        .collect()
}

fn key(text: &str) -> PublicKey {
    PublicKey::from_base64(text).unwrap()
}

fn peer_mut<'a>(device: &'a mut DeviceInfo, text: &str) -> &'a mut PeerInfo {
    let key = key(text);
    device
        .peers
        .iter_mut()
        .find(|p| p.public_key == key)
        .unwrap()
}

fn save(text: &str, device: &DeviceInfo, addresses: &[Prefix], mtu: Option<u32>) -> String {
    let saved = Saved {
        addresses,
        mtu,
        device,
    };
    let out = edit(text, &parse(text), &saved);
    // Whatever it wrote must read back as the running state.
    let back = parse(&out);
    assert_eq!(&self::device(&back), device, "{out}");
    out
}

fn messy() -> String {
    format!(
        "# wg0: office tunnel\n\
         # managed by hand\n\
         \n\
         [Interface]\n\
         privatekey={PRIVATE}   # do not share\n\
         Address = 10.0.0.1/24, fd00::1/64\n\
         Address = 10.0.0.9/32 # extra\n\
         ListenPort = 51820\n\
         DNS = 10.0.0.53, corp.example\n\
         PostUp = echo up # kept, with its #\n\
         SaveConfig = true\n\
         \n\
         # Alice's laptop\n\
         # (since 2023)\n\
         [Peer]\n\
         PublicKey = {A}\n\
         Allowed IPs = 10.0.0.2/32 , fd00::2/128\n\
         # PersistentKeepalive = 10\n\
         \n\
         # Bob\n\
         [peer]\n\
         PUBLICKEY = {B}\n\
         AllowedIPs = 10.0.0.3/32\n\
         Endpoint = 192.0.2.3:51820\n\
         PersistentKeepalive = 25\n"
    )
}

#[test]
fn unchanged_state_leaves_the_file_byte_for_byte() {
    let text = messy();
    let config = parse(&text);
    assert_eq!(
        save(&text, &device(&config), &addresses(&config), None),
        text
    );
    let no_newline = text.trim_end().to_string();
    assert_eq!(
        save(&no_newline, &device(&config), &addresses(&config), None),
        no_newline
    );
}

#[test]
fn changed_values_change_in_place() {
    let text = messy();
    let config = parse(&text);
    let mut live = device(&config);
    live.listen_port = 40000;
    let bob = peer_mut(&mut live, B);
    bob.endpoint = Some("198.51.100.7:1234".parse().unwrap());
    bob.persistent_keepalive = 0;
    bob.preshared_key = Some(PresharedKey::from_base64(PSK).unwrap());
    let alice = peer_mut(&mut live, A);
    alice.allowed_ips = vec![
        ("10.0.0.2".parse().unwrap(), 32),
        ("10.8.0.0".parse().unwrap(), 16),
    ];
    let mut address = addresses(&config);
    address.retain(|p| p.len != 64);
    let out = save(&text, &live, &address, None);
    let expected = messy()
        .replace("ListenPort = 51820", "ListenPort = 40000")
        .replace(
            "Address = 10.0.0.1/24, fd00::1/64\n",
            "Address = 10.0.0.1/24\n",
        )
        .replace(
            "Allowed IPs = 10.0.0.2/32 , fd00::2/128\n",
            "Allowed IPs = 10.0.0.2/32, 10.8.0.0/16\n",
        )
        .replace("192.0.2.3:51820", "198.51.100.7:1234")
        .replace(
            "PersistentKeepalive = 25\n",
            &format!("PresharedKey = {PSK}\n"),
        );
    assert_eq!(out, expected);
}

#[test]
fn gone_peer_goes_with_its_comments_and_new_peer_is_appended() {
    let text = messy();
    let config = parse(&text);
    let mut live = device(&config);
    live.peers.retain(|p| p.public_key != key(A));
    let mut carol = PeerInfo::new(key(C));
    carol.allowed_ips = vec![("10.0.0.4".parse().unwrap(), 32)];
    carol.endpoint = Some("[2001:db8::4]:51820".parse().unwrap());
    live.peers.push(carol);
    let out = save(&text, &live, &addresses(&config), None);
    assert!(!out.contains("Alice"), "{out}");
    assert!(!out.contains(A), "{out}");
    assert!(
        out.contains("SaveConfig = true\n\n# Bob\n[peer]\n"),
        "{out}"
    );
    assert!(
        out.ends_with(&format!(
            "PersistentKeepalive = 25\n\n[Peer]\nPublicKey = {C}\n\
             AllowedIPs = 10.0.0.4/32\nEndpoint = [2001:db8::4]:51820\n"
        )),
        "{out}"
    );
}

#[test]
fn removing_the_last_peer_leaves_no_trailing_blank_lines() {
    let text = messy();
    let config = parse(&text);
    let mut live = device(&config);
    live.peers.retain(|p| p.public_key != key(B));
    let out = save(&text, &live, &addresses(&config), None);
    assert!(out.ends_with("# PersistentKeepalive = 10\n"), "{out:?}");
    assert!(!out.contains("Bob"));
}

#[test]
fn addresses_split_over_lines() {
    let text = messy();
    let config = parse(&text);
    let wanted: Vec<Prefix> = ["10.0.0.1/24", "10.0.0.5/24"]
        .iter()
        .map(|t| {
            let (ip, len) = t.split_once('/').unwrap();
            Prefix {
                ip: ip.parse().unwrap(),
                len: len.parse().unwrap(),
            }
        })
        .collect();
    let out = save(&text, &device(&config), &wanted, None);
    // The gone entries are cut out, the line that empties goes with its comment, and the
    // new address joins the last line that stays.
    assert!(
        out.contains("Address = 10.0.0.1/24, 10.0.0.5/24\nListenPort"),
        "{out}"
    );
    assert!(!out.contains("extra"), "{out}");
    let out = save(&text, &device(&config), &[], None);
    assert!(!out.contains("Address"), "{out}");
}

#[test]
fn host_name_endpoint_stays_while_it_resolves_to_the_peer() {
    let text = format!(
        "[Interface]\nPrivateKey = {PRIVATE}\n\n[Peer]\nPublicKey = {A}\n\
         Endpoint = localhost:51820\nAllowedIPs = 10.1.0.0/16\n"
    );
    let config = parse(&text);
    let live = device(&config);
    assert_eq!(save(&text, &live, &[], None), text);
    let mut roamed = live.clone();
    roamed.peers[0].endpoint = Some("192.0.2.77:4444".parse().unwrap());
    let out = save(&text, &roamed, &[], None);
    assert!(out.contains("Endpoint = 192.0.2.77:4444\n"), "{out}");
}

#[test]
fn incremental_allowed_ips_become_one_plain_line() {
    let text = format!(
        "[Interface]\nPrivateKey = {PRIVATE}\n[Peer]\nPublicKey = {A}\n\
         AllowedIPs = 10.1.0.0/16 # base\nAllowedIPs = +10.2.0.0/16, -10.1.0.0/16\n"
    );
    let config = parse(&text);
    let out = save(&text, &device(&config), &[], None);
    assert!(
        out.ends_with(&format!(
            "PublicKey = {A}\nAllowedIPs = 10.2.0.0/16 # base\n"
        )),
        "{out}"
    );
}

#[test]
fn interface_keys_come_and_go() {
    let text = format!(
        "[Interface]\n# key first\nPrivateKey = {PRIVATE}\nFwMark = 1234\nMTU = 1400\n\
         Table = off\n\n[Peer]\nPublicKey = {A}\n"
    );
    let config = parse(&text);
    let mut live = device(&config);
    live.fwmark = 0;
    live.listen_port = 51999;
    let out = save(&text, &live, &[], Some(1380));
    assert_eq!(
        out,
        format!(
            "[Interface]\n# key first\nPrivateKey = {PRIVATE}\nMTU = 1380\n\
             Table = off\nListenPort = 51999\n\n[Peer]\nPublicKey = {A}\n"
        )
    );
    // The mark of the default-route scheme is written as `wg showconf` writes it.
    live.fwmark = 51820;
    let out = save(&text, &live, &[], Some(1400));
    assert!(out.contains("FwMark = 0xca6c\n"), "{out}");
}

#[test]
fn a_file_without_interface_section_gets_one() {
    let text = format!("[Peer]\nPublicKey = {A}\n");
    let config = parse(&text);
    let mut live = device(&config);
    live.listen_port = 7;
    let out = save(&text, &live, &[], None);
    assert_eq!(
        out,
        format!("[Interface]\nListenPort = 7\n[Peer]\nPublicKey = {A}\n")
    );
}

#[test]
fn commented_out_keys_are_not_keys() {
    let text = format!(
        "[Interface]\n#ListenPort = 1\n#PrivateKey = x\nPrivateKey = {PRIVATE}\n\n\
         [Peer]\n#PublicKey = {B}\nPublicKey = {A}\n#AllowedIPs = 10.9.9.9/32\n"
    );
    let config = parse(&text);
    let mut live = device(&config);
    live.peers[0].allowed_ips = vec![("10.9.9.9".parse().unwrap(), 32)];
    let out = save(&text, &live, &[], None);
    assert!(
        out.ends_with(&format!(
            "PublicKey = {A}\nAllowedIPs = 10.9.9.9/32\n#AllowedIPs = 10.9.9.9/32\n"
        )),
        "{out}"
    );
    assert!(out.contains("#ListenPort = 1\n#PrivateKey = x\n"), "{out}");
}

#[test]
fn odd_lines_never_panic_and_stay() {
    let live = DeviceInfo::default();
    for text in [
        "",
        "\n\n",
        "=\n[\n]\n",
        "[Interface]\n=x\nAddress=\nAddress = ,, ,\nMTU = é\n# ü = [Peer]\n",
        "[Peer]\nPublicKey = not-a-key\nAllowedIPs = 1.2.3.4/99\n[Unknown]\nX = y\n",
        "[Interface]\r\nListenPort = 1\r\n",
    ] {
        let saved = Saved {
            addresses: &[],
            mtu: None,
            device: &live,
        };
        let out = edit(text, &Config::default(), &saved);
        assert!(!out.contains("PrivateKey"), "{text:?} -> {out:?}");
    }
}
