//! Snapshot tests: a file and a made-up host in, the `[#]` lines of the plan out.

use super::*;
use crate::action::{Action, DnsBackend, Family};
use crate::testutil::{config, inv, PEER_A, PEER_B, PRIVATE};

fn lines(actions: &[Action]) -> Vec<String> {
    actions.iter().map(|a| format!("[#] {a}")).collect()
}

fn up(text: &str, env: &Environment) -> Vec<String> {
    lines(&plan_up(&inv(), &config(text), env).expect("plan"))
}

fn file(interface_extra: &str, allowed: &str) -> String {
    format!(
        "[Interface]\nPrivateKey = {PRIVATE}\n{interface_extra}\n\
         [Peer]\nPublicKey = {PEER_A}\nAllowedIPs = {allowed}\nEndpoint = 192.0.2.1:51820\n"
    )
}

#[test]
fn plain_config() {
    let text = file(
        "Address = 10.0.0.2/24, fd00::2/64",
        "10.0.0.0/24, 10.9.0.0/16, 10.9.8.7, fd00::/64, fd01::/48",
    );
    assert_eq!(
        up(&text, &Environment::default()),
        [
            "[#] ferrotund wg0",
            "[#] wg addconf wg0 /dev/stdin",
            "[#] ip -4 address add 10.0.0.2/24 dev wg0",
            "[#] ip -6 address add fd00::2/64 dev wg0",
            "[#] ip link set mtu 1420 up dev wg0",
            // 10.0.0.0/24 and fd00::/64 are covered by the addresses' own prefix routes.
            "[#] ip -6 route add fd01::/48 dev wg0",
            "[#] ip -4 route add 10.9.8.7/32 dev wg0",
            "[#] ip -4 route add 10.9.0.0/16 dev wg0",
        ]
    );
}

#[test]
fn table_off_adds_no_routes() {
    let text = file(
        "Address = 10.0.0.2/24\nTable = off",
        "0.0.0.0/0, 10.9.0.0/16",
    );
    let got = up(&text, &Environment::default());
    assert!(
        got.iter()
            .all(|l| !l.contains("route") && !l.contains("rule")),
        "{got:?}"
    );
}

#[test]
fn table_number_gets_every_route_plainly() {
    let text = file(
        "Address = 10.0.0.2/24\nTable = 1234",
        "0.0.0.0/0, 10.0.0.0/24, ::/0",
    );
    let got = up(&text, &Environment::default());
    assert_eq!(
        got[4..],
        [
            "[#] ip -4 route add 10.0.0.0/24 dev wg0 table 1234",
            "[#] ip -6 route add ::/0 dev wg0 table 1234",
            "[#] ip -4 route add 0.0.0.0/0 dev wg0 table 1234",
        ]
    );
}

#[test]
fn default_route_v4_and_v6() {
    let text = file("Address = 10.0.0.2/32, fd00::2/128", "0.0.0.0/0, ::/0");
    let mut env = Environment::default();
    env.nonempty_tables.extend([51820, 51821]);
    let actions = plan_up(&inv(), &config(&text), &env).unwrap();
    assert_eq!(
        lines(&actions)[5..],
        [
            "[#] wg set wg0 fwmark 51822",
            "[#] ip -6 rule add not fwmark 51822 table 51822",
            "[#] ip -6 rule add table main suppress_prefixlength 0",
            "[#] ip -6 route add ::/0 dev wg0 table 51822",
            "[#] ip6tables-restore -n",
            "[#] ip -4 rule add not fwmark 51822 table 51822",
            "[#] ip -4 rule add table main suppress_prefixlength 0",
            "[#] ip -4 route add 0.0.0.0/0 dev wg0 table 51822",
            "[#] sysctl -q net.ipv4.conf.all.src_valid_mark=1",
            "[#] iptables-restore -n",
        ]
    );
}

#[test]
fn default_route_nft_script_matches_wg_quick() {
    let text = file("Address = 10.0.0.2/32\nFwMark = 0x1234", "0.0.0.0/0");
    let env = Environment {
        has_nft: true,
        src_valid_mark: true,
        ..Environment::default()
    };
    let actions = plan_up(&inv(), &config(&text), &env).unwrap();
    // The file's mark is the table; no `wg set`, no sysctl.
    assert!(!actions
        .iter()
        .any(|a| matches!(a, Action::SetFwmark { .. } | Action::SetSysctl { .. })));
    let Some(Action::Firewall {
        interface,
        family,
        mark,
        nft: true,
    }) = actions.last()
    else {
        panic!("{actions:?}")
    };
    let addresses = ["10.0.0.2".parse().unwrap(), "fe80::1".parse().unwrap()];
    assert_eq!(
        firewall_script(interface, *family, *mark, &addresses, true),
        "add table ip wg-quick-wg0\n\
         add chain ip wg-quick-wg0 preraw { type filter hook prerouting priority -300; }\n\
         add chain ip wg-quick-wg0 premangle { type filter hook prerouting priority -150; }\n\
         add chain ip wg-quick-wg0 postmangle { type filter hook postrouting priority -150; }\n\
         add rule ip wg-quick-wg0 preraw iifname != \"wg0\" ip daddr 10.0.0.2 fib saddr type != local drop\n\
         add rule ip wg-quick-wg0 postmangle meta l4proto udp mark 4660 ct mark set mark \n\
         add rule ip wg-quick-wg0 premangle meta l4proto udp meta mark set ct mark \n"
    );
}

#[test]
fn iptables_script_matches_wg_quick() {
    let addresses = ["10.0.0.2".parse().unwrap(), "fd00::2".parse().unwrap()];
    assert_eq!(
        firewall_script("wg0", Family::V6, 51820, &addresses, false),
        "*raw\n\
         -I PREROUTING ! -i wg0 -d fd00::2 -m addrtype ! --src-type LOCAL -j DROP -m comment --comment \"wg-quick(8) rule for wg0\"\n\
         COMMIT\n*mangle\n\
         -I POSTROUTING -m mark --mark 51820 -p udp -j CONNMARK --save-mark -m comment --comment \"wg-quick(8) rule for wg0\"\n\
         -I PREROUTING -p udp -j CONNMARK --restore-mark -m comment --comment \"wg-quick(8) rule for wg0\"\nCOMMIT\n"
    );
}

#[test]
fn dns_with_resolvconf_and_resolved() {
    let text = file(
        "Address = 10.0.0.2/32\nDNS = 10.0.0.1, fd00::1, example.com",
        "10.0.0.1/32",
    );
    let mut env = Environment {
        dns: Some(DnsBackend::Resolvconf("tun.".into())),
        ..Environment::default()
    };
    assert_eq!(up(&text, &env)[4], "[#] resolvconf -a tun.wg0 -m 0 -x");
    env.dns = Some(DnsBackend::Resolved);
    assert_eq!(
        up(&text, &env)[4],
        "[#] resolvectl dns wg0 10.0.0.1 fd00::1\n[#] resolvectl domain wg0 ~. example.com"
    );
    env.dns = None;
    assert_eq!(
        plan_up(&inv(), &config(&text), &env),
        Err(PlanError::NoDnsBackend)
    );
    // Search domains without a nameserver set nothing, as in wg-quick.
    let search_only = file("Address = 10.0.0.2/32\nDNS = example.com", "10.0.0.1/32");
    assert!(!up(&search_only, &env).iter().any(|l| l.contains("resolv")));
}

#[test]
fn mtu_explicit_and_derived() {
    let mut env = Environment {
        default_route_mtu: Some(9000),
        ..Environment::default()
    };
    let explicit = file("MTU = 1280", "10.0.0.1/32");
    assert!(up(&explicit, &env).contains(&"[#] ip link set mtu 1280 up dev wg0".to_string()));
    let derived = file("", "10.0.0.1/32");
    assert!(up(&derived, &env).contains(&"[#] ip link set mtu 8920 up dev wg0".to_string()));
    // The smallest endpoint route wins over the default route.
    let two = format!("{derived}\n[Peer]\nPublicKey = {PEER_B}\nEndpoint = 198.51.100.1:1\n");
    env.endpoint_mtus.insert("192.0.2.1".parse().unwrap(), 1500);
    env.endpoint_mtus
        .insert("198.51.100.1".parse().unwrap(), 1400);
    assert!(up(&two, &env).contains(&"[#] ip link set mtu 1320 up dev wg0".to_string()));
}

#[test]
fn hooks_replace_percent_i_in_order() {
    let text = file(
        "PreUp = echo pre %i\nPostUp = echo post %i; echo %i\nPreDown = echo pd %i\nPostDown = echo done",
        "10.0.0.1/32",
    );
    let got = up(&text, &Environment::default());
    assert_eq!(got[1], "[#] echo pre wg0");
    assert_eq!(got.last().unwrap(), "[#] echo post wg0; echo wg0");
    let env = Environment {
        is_wireguard: true,
        ..Environment::default()
    };
    let down = lines(&plan_down(&inv(), &config(&text), &env).unwrap());
    assert_eq!(
        down,
        [
            "[#] echo pd wg0",
            "[#] ip link delete dev wg0",
            "[#] # remove firewall of wg0",
            "[#] echo done",
        ]
    );
}

#[test]
fn save_config_comes_before_the_link_goes() {
    let text = file("SaveConfig = true\nDNS = 1.1.1.1", "0.0.0.0/0");
    let env = Environment {
        is_wireguard: true,
        running_fwmark: 51820,
        running_has_default: true,
        dns: Some(DnsBackend::Resolvconf(String::new())),
        ..Environment::default()
    };
    assert_eq!(
        lines(&plan_down(&inv(), &config(&text), &env).unwrap()),
        [
            "[#] wg showconf wg0",
            "[#] ip -4 rule delete table 51820",
            "[#] ip -4 rule delete table main suppress_prefixlength 0",
            "[#] ip -6 rule delete table 51820",
            "[#] ip -6 rule delete table main suppress_prefixlength 0",
            "[#] ip link delete dev wg0",
            "[#] resolvconf -d wg0 -f",
            "[#] # remove firewall of wg0",
        ]
    );
}

#[test]
fn refusals_are_clear() {
    let text = file("Address = fd00::2/64", "10.0.0.1/32");
    let env = Environment {
        ipv6_available: false,
        ..Environment::default()
    };
    let error = plan_up(&inv(), &config(&text), &env).unwrap_err();
    assert!(error.to_string().contains("IPv6 is disabled"), "{error}");
    let routes_only = file("", "::/0");
    assert!(matches!(
        plan_up(&inv(), &config(&routes_only), &env),
        Err(PlanError::Ipv6Disabled(_))
    ));
    let exists = Environment {
        link_exists: true,
        ..Environment::default()
    };
    assert_eq!(
        plan_up(&inv(), &config(&routes_only), &exists)
            .unwrap_err()
            .to_string(),
        "`wg0' already exists"
    );
    let not_wg = plan_down(&inv(), &config(&routes_only), &Environment::default());
    assert_eq!(not_wg, Err(PlanError::NotWireGuard("wg0".into())));
    let named = file("Table = nosuch", "10.0.0.1/32");
    assert_eq!(
        plan_up(&inv(), &config(&named), &Environment::default()),
        Err(PlanError::UnknownTable("nosuch".into()))
    );
}

#[test]
fn wg_part_is_addconf_of_the_file() {
    let text = file("Address = 10.0.0.2/32\nListenPort = 51000", "10.0.0.7/24");
    let actions = plan_up(&inv(), &config(&text), &Environment::default()).unwrap();
    let Action::ApplyWgConfig { request, .. } = &actions[1] else {
        panic!()
    };
    assert!(!request.replace_peers);
    assert_eq!(request.listen_port, Some(51000));
    assert_eq!(request.peers[0].allowed_ips[0].ip.to_string(), "10.0.0.0");
}

#[test]
fn netns_moves_the_link_and_needs_no_default_route_scheme() {
    let text = file("Address = 10.0.0.2/24\nDNS = 10.0.0.53", "0.0.0.0/0, ::/0");
    let inv = Invocation {
        netns: Some("blue".into()),
        ..inv()
    };
    let env = Environment {
        dns: Some(DnsBackend::NetnsFile("blue".into())),
        ..Environment::default()
    };
    assert_eq!(
        lines(&plan_up(&inv, &config(&text), &env).unwrap()),
        [
            "[#] ferrotund wg0",
            "[#] ip link set dev wg0 netns blue",
            "[#] wg addconf wg0 /dev/stdin",
            "[#] ip -4 address add 10.0.0.2/24 dev wg0",
            "[#] ip link set mtu 1420 up dev wg0",
            "[#] # write /etc/netns/blue/resolv.conf",
            // The daemon's own packets never enter the namespace: plain default routes.
            "[#] ip -6 route add ::/0 dev wg0",
            "[#] ip -4 route add 0.0.0.0/0 dev wg0",
        ]
    );
    let mut running = Environment {
        is_wireguard: true,
        running_fwmark: 51820,
        running_has_default: true,
        netns_dns_set: true,
        ..env
    };
    assert_eq!(
        lines(&plan_down(&inv, &config(&text), &running).unwrap()),
        [
            "[#] ip link delete dev wg0",
            "[#] # restore /etc/netns/blue/resolv.conf",
            "[#] # remove firewall of wg0",
        ]
    );
    // Nothing of ours in the namespace's resolv.conf: no restore step.
    running.netns_dns_set = false;
    assert_eq!(
        lines(&plan_down(&inv, &config(&text), &running).unwrap()),
        ["[#] ip link delete dev wg0", "[#] # remove firewall of wg0"]
    );
}
