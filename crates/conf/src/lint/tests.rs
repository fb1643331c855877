use super::*;
use crate::parse::{check_bytes, ParseOptions};
use crate::resolve::OfflineResolver;

const KEY1: &str = "jfw84P2V2ofy8SqprSFTLlminUGUguAsnKOfArz2S0w=";
const KEY2: &str = "Dc4KBWL3qfFjh2q36U+dwFQYHztU+ZS/Vd9cssjM0Ho=";
const KEY3: &str = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=";
/// Not the private key of any of the public keys above.
const PRIV: &str = "E2mzhd39E1UXjmTR5Csthlkb5h2x0P6Boh8lK4q4Cnw=";

/// The warnings for `text` as `t.conf`, each as `line: message`.
fn warnings(dialect: Dialect, text: &str) -> Vec<String> {
    let mut warn = |_: &Warning| {};
    let mut resolver = OfflineResolver;
    let mut options = ParseOptions {
        dialect,
        resolver: &mut resolver,
        warn: &mut warn,
    };
    let checked = check_bytes(text.as_bytes(), Some("t.conf"), &mut options);
    lint(text.as_bytes(), Some("t.conf"), &checked.config, dialect)
        .iter()
        .map(ToString::to_string)
        .collect()
}

fn quick(text: &str) -> Vec<String> {
    warnings(Dialect::WgQuick, text)
}

fn interface() -> String {
    format!("[Interface]\nPrivateKey = {PRIV}\nAddress = 10.0.0.1/24\n")
}

#[test]
fn a_clean_file_has_no_warnings() {
    let text = format!(
        "{}DNS = 10.0.0.53, example.com\nMTU = 1420\n[Peer]\nPublicKey = {KEY1}\n\
         AllowedIPs = 10.0.0.2/32, fd00::2/128\n[Peer]\nPublicKey = {KEY2}\nAllowedIPs = 10.0.0.3/32\n",
        interface()
    );
    assert_eq!(quick(&text), Vec::<String>::new());
    assert_eq!(
        warnings(Dialect::Wg, &format!("[Peer]\nPublicKey = {KEY1}\n")),
        Vec::<String>::new()
    );
}

#[test]
fn single_valued_keys_given_twice() {
    let text = format!(
        "{}ListenPort = 1\nlisten port = 2\n[Peer]\nPublicKey = {KEY1}\nAllowedIPs = 10.0.0.2/32\n\
         Endpoint = 192.0.2.1:1\nAllowedIPs = 10.0.0.9/32\nENDPOINT = 192.0.2.2:1\n[Interface]\nMTU = 1400\nListenPort = 3\n",
        interface()
    );
    assert_eq!(
        quick(&text),
        [
            "t.conf:5: Warning: ListenPort is given again (first at line 4); only the last one counts",
            "t.conf:11: Warning: Endpoint is given again (first at line 9); only the last one counts",
            "t.conf:14: Warning: ListenPort is given again (first at line 4); only the last one counts",
        ]
    );
}

#[test]
fn peers_sharing_a_prefix() {
    let text = format!(
        "{}[Peer]\nPublicKey = {KEY1}\nAllowedIPs = 10.0.0.0/24, fd00::/64\n\
         [Peer]\nPublicKey = {KEY2}\nAllowedIPs = 10.0.0.7/24\nAllowedIPs = fd00::1/128\n\
         [Peer]\nPublicKey = {KEY3}\nAllowedIPs = 10.0.0.0/8, 10.0.0.0/8\n",
        interface()
    );
    assert_eq!(
        quick(&text),
        [
            "t.conf:9: Warning: AllowedIPs 10.0.0.7/24 is also in the [Peer] at line 4 (10.0.0.0/24); \
             a prefix belongs to one peer only, and the peer set last takes it from the other",
            "t.conf:10: Warning: AllowedIPs fd00::1/128 overlaps fd00::/64 of the [Peer] at line 4; \
             the longer prefix wins for the addresses they share",
            // Each prefix is reported once, against the nearest prefix that holds it.
            "t.conf:13: Warning: AllowedIPs 10.0.0.0/8 overlaps 10.0.0.0/24 of the [Peer] at line 4; \
             the longer prefix wins for the addresses they share",
        ]
    );
}

#[test]
fn default_routes_and_families_do_not_mix() {
    let text = format!(
        "{}[Peer]\nPublicKey = {KEY1}\nAllowedIPs = 0.0.0.0/0\n[Peer]\nPublicKey = {KEY2}\nAllowedIPs = ::/0\n\
         [Peer]\nPublicKey = {KEY3}\nAllowedIPs = 0.0.0.0/0, -10.0.0.0/8\n",
        interface()
    );
    let found = quick(&text);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0]
        .starts_with("t.conf:12: Warning: AllowedIPs 0.0.0.0/0 is also in the [Peer] at line 4"));
}

#[test]
fn many_peers_are_checked_precisely() {
    // 5000 disjoint /32s and one /16 that holds them all: exactly 5000 overlaps.
    let mut text = interface();
    text.push_str(&format!(
        "[Peer]\nPublicKey = {KEY1}\nAllowedIPs = 10.1.0.0/16\n"
    ));
    for i in 0..5000u32 {
        let key = ferrotun_proto::keys::PublicKey::from_bytes({
            let mut bytes = [7u8; 32];
            bytes[..4].copy_from_slice(&i.to_be_bytes());
            bytes
        });
        text.push_str(&format!(
            "[Peer]\nPublicKey = {}\nAllowedIPs = 10.1.{}.{}/32\n",
            key.to_base64(),
            i / 256,
            i % 256
        ));
    }
    let found = quick(&text);
    assert_eq!(found.len(), 5000);
    assert!(found
        .iter()
        .all(|w| w.contains("overlaps 10.1.0.0/16 of the [Peer] at line 4")));
}

#[test]
fn a_peer_that_is_the_interface_itself() {
    let own = crate::value::private_key_from_raw(&crate::value::parse_key(PRIV).unwrap())
        .unwrap()
        .public_key()
        .to_base64();
    let text = format!(
        "{}[Peer]\nPublicKey = {own}\nAllowedIPs = 10.0.0.2/32\n",
        interface()
    );
    assert_eq!(
        quick(&text),
        ["t.conf:4: Warning: this peer's PublicKey is the interface's own public key (from its PrivateKey)"]
    );
}

#[test]
fn wg_quick_only_lints() {
    let text = format!(
        "[Interface]\nAddress = 10.0.0.1/24\nDNS = example.com\n[Peer]\nPublicKey = {KEY1}\n"
    );
    assert_eq!(
        quick(&text),
        [
            "t.conf:1: Warning: [Interface] has no PrivateKey: the interface can neither send nor \
             receive until one is set (by a PostUp hook, say)",
            "t.conf:3: Warning: DNS has search domains but no nameserver, so no DNS settings are applied at all",
            "t.conf:4: Warning: this peer has no AllowedIPs: nothing is sent to it or accepted from it",
        ]
    );
    assert_eq!(
        quick(&format!(
            "[Peer]\nPublicKey = {KEY1}\nAllowedIPs = 10.0.0.2/32\n"
        )),
        ["t.conf: Warning: there is no [Interface] section, so no PrivateKey or Address"]
    );
    // A bad PrivateKey is an error of its own, not also a missing one.
    assert_eq!(
        quick("[Interface]\nPrivateKey = x\nAddress = 10.0.0.1/24\n"),
        Vec::<String>::new()
    );
    // wg(8) files (for `setconf`/`addconf`) often have no key or allowed IPs on purpose.
    assert_eq!(
        warnings(
            Dialect::Wg,
            &format!("[Interface]\nListenPort = 1\n[Peer]\nPublicKey = {KEY1}\n")
        ),
        Vec::<String>::new()
    );
}

#[test]
fn mtus_a_link_cannot_have() {
    let with = |mtu: &str, extra: &str| {
        quick(&format!(
            "{}MTU = {mtu}\n{extra}[Peer]\nPublicKey = {KEY1}\nAllowedIPs = 10.0.0.2/32\n",
            interface()
        ))
    };
    assert_eq!(with("1280", "Address = fd00::1/64\n"), Vec::<String>::new());
    assert_eq!(with("1000", ""), Vec::<String>::new());
    assert_eq!(
        with("1000", "Address = fd00::1/64\n"),
        ["t.conf:4: Warning: MTU 1000 is below 1280, so IPv6 is disabled on the interface, but the configuration uses IPv6"]
    );
    assert_eq!(
        with("70000", ""),
        ["t.conf:4: Warning: MTU 70000 is outside 68-65535, so setting it will fail"]
    );
}

#[test]
fn bad_entries_and_duplicate_peers_add_no_noise() {
    let text = format!(
        "{}[Peer]\nPublicKey = {KEY1}\nAllowedIPs = 10.0.0.2/32\n[Peer]\nPublicKey = {KEY1}\n\
         AllowedIPs = 10.0.0.2/32\n[Peer]\nPublicKey = {KEY2}\nAllowedIPs = 10.0.0.0/99, 10.0.0.2/32\n",
        interface()
    );
    // The second KEY1 section is a parse error of its own; the bad /99 does not hide the
    // good entry next to it.
    assert_eq!(
        quick(&text),
        ["t.conf:12: Warning: AllowedIPs 10.0.0.2/32 is also in the [Peer] at line 4 (10.0.0.2/32); \
          a prefix belongs to one peer only, and the peer set last takes it from the other"]
    );
}

#[test]
fn interface_keys_are_found_by_line() {
    let text = b"[Interface]\n listenport = 1\n# ListenPort = 2\nListenPort=3 # x\n[Peer]\nListenPort = 4\n";
    assert_eq!(super::interface_key_line(text, "ListenPort"), Some(4));
    assert_eq!(super::interface_key_line(text, "MTU"), None);
}
