//! `up` and `down` with the real executor in a fresh namespace, compared with the stock
//! `wg-quick up` (running the same daemon) in a twin namespace.

use crate::harness::{in_namespace, options, require_root, sh, state, Sandbox, PEER, PRIVATE};
use ferrotun_quick::cmd::{self, Options};
use std::path::PathBuf;

/// A namespace with `lo` up, a default route over it and 1400- and 1500-byte routes to the
/// endpoints' networks (for the derived MTU). The endpoints are local to the namespace.
fn underlay(ns: &str) {
    sh(&["ip", "-n", ns, "route", "add", "default", "dev", "lo"]);
    for (net, mtu) in [("10.213.1.0/24", "1400"), ("10.213.2.0/24", "1500")] {
        sh(&["ip", "-n", ns, "route", "add", net, "dev", "lo", "mtu", mtu]);
    }
}

const ALLOWED: &str = "10.77.0.0/24, 10.78.0.0/16, 10.79.1.1/32, fd78::/48";

/// The test file; `allowed` may carry extra `[Interface]` lines after a `|`.
fn config_text(allowed: &str) -> String {
    let (allowed, extra) = allowed.split_once('|').unwrap_or((allowed, ""));
    format!(
        "[Interface]\nPrivateKey = {PRIVATE}\nAddress = 10.77.0.2/24, fd77::2/64\n{extra}\n\
         PostUp = echo up %i\n\n[Peer]\nPublicKey = {PEER}\n\
         AllowedIPs = {allowed}\nEndpoint = 10.213.1.5:51820\n"
    )
}

/// Two namespaces with the same file: `ours` for ferrotun, `reference` for stock wg-quick.
struct Twins {
    ours: (String, String),
    reference: (String, String),
    options: Options,
    before: Vec<String>,
    sandbox: Sandbox,
}

impl Twins {
    fn new(tag: &str) -> Self {
        let mut sandbox = Sandbox::new(tag);
        let ours = (sandbox.namespace("o"), sandbox.interface("o"));
        let reference = (sandbox.namespace("r"), sandbox.interface("r"));
        underlay(&ours.0);
        underlay(&reference.0);
        let before = state(&ours.0, &ours.1);
        Twins {
            ours,
            reference,
            options: options(),
            before,
            sandbox,
        }
    }

    fn config(&self, text: &str) -> String {
        self.sandbox.config(&self.ours.1, text)
    }

    /// Brings both up and checks that they look the same.
    fn up_both(&self, text: &str) {
        let file = self.sandbox.config(&self.reference.1, text);
        let env = format!("WG_QUICK_USERSPACE_IMPLEMENTATION={}", self.options.daemon);
        let ns = &self.reference.0;
        sh(&[
            "ip", "netns", "exec", ns, "env", &env, "wg-quick", "up", &file,
        ]);
        let config = self.config(text);
        in_namespace(&self.ours.0, || cmd::up(&config, &self.options)).expect("ferrotun up");
        assert_eq!(
            state(&self.ours.0, &self.ours.1),
            state(&self.reference.0, &self.reference.1)
        );
    }

    /// Takes ours down and checks that the namespace is as it was.
    fn down_ours(&self, text: &str) {
        let config = self.config(text);
        in_namespace(&self.ours.0, || cmd::down(&config, &self.options)).expect("ferrotun down");
        assert_eq!(state(&self.ours.0, &self.ours.1), self.before);
    }
}

#[test]
fn up_and_down_match_wg_quick() {
    require_root!();
    let twins = Twins::new("a");
    twins.up_both(&config_text(ALLOWED));
    twins.down_ours(&config_text(ALLOWED));
}

/// `Table = 1234`: every route, `/0` included, goes to that table, and no rules.
#[test]
fn numbered_table_matches_wg_quick() {
    require_root!();
    let twins = Twins::new("t");
    let text = config_text("0.0.0.0/0, 10.78.0.0/16, fd78::/48|Table = 1234");
    twins.up_both(&text);
    let routes = sh(&["ip", "-n", &twins.ours.0, "route", "show", "table", "1234"]);
    assert!(routes.contains("default dev"), "{routes}");
    twins.down_ours(&text);
}

/// The whole default-route scheme (rules, table 51820, nftables) against stock wg-quick;
/// needs `nft`.
#[test]
fn default_route_matches_wg_quick() {
    require_root!();
    if !ferrotun_testkit::require_tool("nft") {
        return;
    }
    let twins = Twins::new("d");
    let text = config_text("0.0.0.0/0, ::/0");
    twins.up_both(&text);
    let mark = sh(&[
        "ip",
        "netns",
        "exec",
        &twins.ours.0,
        "cat",
        "/proc/sys/net/ipv4/conf/all/src_valid_mark",
    ]);
    assert_eq!(mark.trim(), "1");
    twins.down_ours(&text);
}

/// The derived MTU takes the smallest path MTU of all endpoints (wireguard-tools 5150cd6).
/// The wg-quick installed here may be older and take the largest; its choice is shown, not
/// required.
#[test]
fn derived_mtu_is_the_smallest_endpoint_path_minus_80() {
    require_root!();
    let twins = Twins::new("m");
    let second = "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=";
    let text = format!(
        "{}\n[Peer]\nPublicKey = {second}\nAllowedIPs = 10.90.0.0/16\n\
         Endpoint = 10.213.2.5:51820\n",
        config_text(ALLOWED)
    );
    let config = twins.config(&text);
    in_namespace(&twins.ours.0, || cmd::up(&config, &twins.options)).expect("up");
    let link = sh(&["ip", "-n", &twins.ours.0, "link", "show", &twins.ours.1]);
    assert!(link.contains(" mtu 1320 "), "{link}");
    let file = twins.sandbox.config(&twins.reference.1, &text);
    let env = format!("WG_QUICK_USERSPACE_IMPLEMENTATION={}", twins.options.daemon);
    let ns = &twins.reference.0;
    sh(&[
        "ip", "netns", "exec", ns, "env", &env, "wg-quick", "up", &file,
    ]);
    let theirs = sh(&["ip", "-n", ns, "link", "show", &twins.reference.1]);
    let theirs = theirs
        .split(" mtu ")
        .nth(1)
        .and_then(|r| r.split(' ').next());
    eprintln!("installed wg-quick chose MTU {theirs:?} (1320: smallest path, 1420: largest)");
    assert!(matches!(theirs, Some("1320" | "1420")), "{theirs:?}");
    twins.down_ours(&text);
}

/// A failing `PostUp` hook makes `up` roll everything back (rules, firewall, link). Then,
/// with the firewall actions left out of the plan (so that no nft or iptables is needed),
/// the rules and table-51820 routes are checked on any host, and `down` must remove them.
#[test]
fn default_route_rolls_back_and_comes_and_goes() {
    use ferrotun_quick::exec::{linux::LinuxExecutor, run_up};
    use ferrotun_quick::{plan, probe, Action};
    require_root!();
    let twins = Twins::new("r");
    let (ns, interface) = (&twins.ours.0, &twins.ours.1);
    let text = config_text("0.0.0.0/0, ::/0");
    let failing = twins.config(&text.replace("PostUp = echo up %i", "PostUp = false"));
    assert!(in_namespace(ns, || cmd::up(&failing, &twins.options)).is_err());
    assert_eq!(state(ns, interface), twins.before);
    let config_path = twins.config(&text);
    in_namespace(ns, || {
        let path = PathBuf::from(&config_path);
        let config = ferrotun_conf::parse_file(&path, &mut parse_options()).unwrap();
        let env = probe::probe(interface, &config, None).unwrap();
        let inv = plan::Invocation {
            interface: interface.clone(),
            path,
            daemon: twins.options.daemon.clone(),
            netns: None,
        };
        let mut actions = plan::plan_up(&inv, &config, &env).unwrap();
        actions.retain(|a| !matches!(a, Action::Firewall { .. }));
        run_up(&mut LinuxExecutor::new().unwrap(), &actions).unwrap();
    });
    let rules = state(ns, interface).join("\n");
    for expected in [
        "from all lookup main suppress_prefixlength 0",
        "not from all fwmark 0xca6c lookup 51820",
        "default dev IF table 51820 scope link",
        "default dev IF table 51820 metric 1024 pref medium",
    ] {
        assert!(rules.contains(expected), "missing `{expected}' in\n{rules}");
    }
    twins.down_ours(&text);
}

pub fn parse_options() -> ferrotun_conf::ParseOptions<'static> {
    let notify: &'static mut dyn FnMut(&str) = Box::leak(Box::new(|_: &str| {}));
    let resolver = Box::leak(Box::new(ferrotun_conf::SystemResolver::new(notify)));
    ferrotun_conf::ParseOptions {
        dialect: ferrotun_conf::Dialect::WgQuick,
        resolver,
        warn: Box::leak(Box::new(|_: &ferrotun_conf::Warning| {})),
    }
}

/// `reload` from a full tunnel (the fwmark scheme, nftables) to a split one and back: each
/// time the namespace must be exactly what `up` of that file makes in a fresh one.
#[test]
fn reload_between_full_and_split_tunnel_matches_fresh_up() {
    require_root!();
    if !ferrotun_testkit::require_tool("nft") {
        return;
    }
    let twins = Twins::new("f");
    let full = config_text("0.0.0.0/0, ::/0, 10.78.0.0/16");
    let split = config_text("10.78.0.0/16, 10.79.0.0/16|MTU = 1380");
    let (ours, fresh) = (&twins.ours, &twins.reference);
    let ours_file = twins.config(&full);
    let fresh_file = |text: &str| twins.sandbox.config(&fresh.1, text);
    let run = |ns: &str, f: &(dyn Fn() -> Result<(), cmd::Error> + Sync)| {
        in_namespace(ns, f).unwrap_or_else(|e| panic!("{e}"));
    };
    run(&ours.0, &|| cmd::up(&ours_file, &twins.options));
    for (text, previous) in [(&split, None), (&full, Some(&split))] {
        twins.config(text);
        run(&ours.0, &|| cmd::reload(&ours_file, &twins.options));
        if let Some(previous) = previous {
            let file = fresh_file(previous);
            run(&fresh.0, &|| cmd::down(&file, &twins.options));
        }
        let file = fresh_file(text);
        run(&fresh.0, &|| cmd::up(&file, &twins.options));
        assert_eq!(state(&ours.0, &ours.1), state(&fresh.0, &fresh.1));
    }
    let file = fresh_file(&full);
    run(&fresh.0, &|| cmd::down(&file, &twins.options));
    twins.down_ours(&full);
}
