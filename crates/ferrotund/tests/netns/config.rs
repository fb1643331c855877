//! Configuration through the real `wg` only: the same commands (setconf, set, addconf,
//! syncconf) go to ferrotund and to wireguard-go, each alone in its own namespace with the
//! same pinned ListenPort, and after every step `wg showconf`, `wg show`, `wg show IF dump`,
//! every single-field `wg show IF FIELD` and `wg show all dump` must say the same for both.
//!
//! `wg` sorts nothing: peer order comes from the daemon (wireguard-go: map order, ferrotund:
//! creation order), so peers are compared as sets. Everything else is compared exactly, except
//! the handshake and transfer columns (see `quiet` for those).

use crate::cmd::{root, Cmd, TempDir};
use crate::daemon::{Daemon, Impl};
use crate::netns::Netns;
use crate::wg::{genpsk, parse_dump, pubkey, IfConf, Keypair, PeerConf};
use std::collections::BTreeSet;

/// ferrotund and wireguard-go side by side. Field order is drop order.
struct Pair {
    f: Daemon,
    g: Daemon,
    _nf: Netns,
    _ng: Netns,
    dir: TempDir,
}

/// Text with each daemon's interface name replaced by `IF`, so outputs compare.
fn norm(d: &Daemon, text: &str) -> String {
    text.replace(&d.ifname, "IF")
}

/// Splits text into blocks separated by blank lines: the first is the interface part,
/// the rest (peers) form a set.
fn blocks(text: &str) -> (String, BTreeSet<String>) {
    let mut parts = text
        .split("\n\n")
        .map(|b| b.trim().to_string())
        .filter(|b| !b.is_empty());
    (parts.next().unwrap_or_default(), parts.collect())
}

fn lines(text: &str) -> BTreeSet<String> {
    text.lines().map(str::to_string).collect()
}

impl Pair {
    fn new() -> Pair {
        let dir = TempDir::new();
        let nf = Netns::new("cf");
        let ng = Netns::new("cg");
        let f = Daemon::start(&nf, Impl::Ferrotund, "cf");
        let g = Daemon::start(&ng, Impl::WireguardGo, "cg");
        Pair {
            f,
            g,
            _nf: nf,
            _ng: ng,
            dir,
        }
    }

    /// Runs `wg ARGS` against both (IF = each one's interface); both must succeed.
    #[track_caller]
    fn both(&self, args: &[&str]) {
        let (f, g) = (self.f.wg(args), self.g.wg(args));
        assert!(
            f.success() && g.success(),
            "`wg {}` must succeed on both:\nferrotund: {f}\nwireguard-go: {g}",
            args.join(" ")
        );
    }

    /// Compares an (interface part, set of peer parts) view; the message lists what only
    /// one side has.
    #[track_caller]
    fn same<A: PartialEq + std::fmt::Debug, B: Ord + std::fmt::Debug>(
        &self,
        step: &str,
        what: &str,
        f: (A, BTreeSet<B>),
        g: (A, BTreeSet<B>),
    ) {
        if f == g {
            return;
        }
        let only = |x: &BTreeSet<B>, y: &BTreeSet<B>| {
            x.difference(y)
                .map(|e| format!("{e:?}"))
                .collect::<Vec<_>>()
                .join("\n  ")
        };
        panic!(
            "after {step}: `{what}` differs (peer order aside)\ninterface part, ferrotund:    {:?}\ninterface part, wireguard-go: {:?}\nonly ferrotund has:\n  {}\nonly wireguard-go has:\n  {}",
            f.0,
            g.0,
            only(&f.1, &g.1),
            only(&g.1, &f.1)
        );
    }

    /// Compares every `wg show`/`showconf` view. Handshake and transfer columns are left
    /// out: the `quiet` tests check them.
    #[track_caller]
    fn compare(&self, step: &str) {
        let showconf = |d: &Daemon| blocks(&norm(d, &d.wg(&["showconf", "IF"]).ok().stdout));
        self.same(step, "wg showconf IF", showconf(&self.f), showconf(&self.g));
        let dump = |d: &Daemon| {
            let dump = d.dump();
            let peers = dump
                .peers
                .into_iter()
                .map(|p| [&p[..4], &p[7..]].concat())
                .collect::<BTreeSet<_>>();
            (dump.iface, peers)
        };
        self.same(step, "wg show IF dump", dump(&self.f), dump(&self.g));
        let pretty = |d: &Daemon| {
            let text = norm(d, &d.wg(&["show", "IF"]).ok().stdout);
            let keep = |l: &&str| !(l.contains("latest handshake:") || l.contains("transfer:"));
            blocks(
                &text
                    .lines()
                    .filter(keep)
                    .map(|l| format!("{l}\n"))
                    .collect::<String>(),
            )
        };
        self.same(step, "wg show IF", pretty(&self.f), pretty(&self.g));
        for field in [
            "public-key",
            "private-key",
            "listen-port",
            "fwmark",
            "peers",
            "preshared-keys",
            "endpoints",
            "allowed-ips",
            "persistent-keepalive",
        ] {
            self.same(
                step,
                &format!("wg show IF {field}"),
                ((), lines(&self.f.show(field))),
                ((), lines(&self.g.show(field))),
            );
        }
    }
}

struct Peers {
    p: Vec<Keypair>,
    psk1: String,
    psk2: String,
}

fn base_conf(own: &Keypair, k: &Peers) -> IfConf {
    let p = &k.p;
    IfConf {
        private: Some(own.private.clone()),
        port: Some(51900),
        fwmark: Some("0x1234".into()),
        extra: vec![],
        peers: vec![
            PeerConf {
                psk: Some(k.psk1.clone()),
                endpoint: Some("[fd00:5::1]:51820".into()),
                keepalive: Some(25),
                ..PeerConf::new(&p[1].public, &["10.1.0.0/16", "fd00:1::/64", "10.0.0.5/32"])
            },
            PeerConf {
                endpoint: Some("10.5.0.2:51822".into()),
                ..PeerConf::new(&p[2].public, &["10.2.0.0/24"])
            },
            PeerConf::new(&p[3].public, &["fd00:3::/48"]),
            PeerConf {
                psk: Some(k.psk2.clone()),
                endpoint: Some("[fd00:5::4]:4".into()),
                keepalive: Some(1),
                ..PeerConf::new(&p[4].public, &[])
            },
        ],
    }
}

/// setconf, then `wg set` with several peers at once (remove, move an allowed IP, a peer
/// with the device's own key, which must be ignored).
fn steps_set(pair: &Pair, own: &Keypair, k: &Peers) {
    let base = pair.dir.file("base.conf", &base_conf(own, k).render());
    pair.both(&["setconf", "IF", &base]);
    pair.compare("setconf base.conf");
    let psk = pair.dir.file("psk5", &format!("{}\n", genpsk()));
    let p = &k.p;
    #[rustfmt::skip]
    let args = [
        "set", "IF", "listen-port", "51901", "fwmark", "off",
        "peer", &p[2].public, "endpoint", "[fd00:6::2]:2222", "persistent-keepalive", "10", "allowed-ips", "10.2.1.0/24,fd00:2::/64",
        "peer", &p[3].public, "remove",
        "peer", &p[5].public, "preshared-key", &psk, "allowed-ips", "10.5.0.1/32,10.0.0.5/32",
        "peer", &own.public, "allowed-ips", "10.66.0.1/32",
    ];
    pair.both(&args);
    pair.compare("wg set (ports, endpoints, remove, new peer, moved allowed IP, own key)");
}

/// A new private key drops the peer that has the new public key; then addconf.
fn steps_key_addconf(pair: &Pair, k: &Peers) -> Keypair {
    let new = Keypair::generate();
    pair.both(&[
        "set",
        "IF",
        "peer",
        &new.public,
        "allowed-ips",
        "10.6.0.0/24",
    ]);
    let keyfile = pair.dir.file("new.key", &format!("{}\n", new.private));
    pair.both(&["set", "IF", "private-key", &keyfile]);
    pair.compare("wg set private-key (equal to a peer's key)");
    assert_eq!(
        pair.f.show("public-key").trim(),
        pubkey(&new.private),
        "ferrotund public key after a new private key"
    );
    let p = &k.p;
    let add = IfConf {
        port: Some(51902),
        peers: vec![
            PeerConf {
                endpoint: Some("10.5.0.7:7".into()),
                ..PeerConf::new(&p[7].public, &["10.7.0.0/24"])
            },
            PeerConf {
                endpoint: Some("[fd00:5::11]:51821".into()),
                ..PeerConf::new(&p[1].public, &["10.1.0.0/16", "10.11.0.0/16"])
            },
        ],
        ..IfConf::default()
    };
    let add = pair.dir.file("add.conf", &add.render());
    pair.both(&["addconf", "IF", &add]);
    pair.compare("wg addconf");
    new
}

/// syncconf removes a peer and clears a PSK and a keepalive; then the showconf round trip.
fn steps_sync(pair: &Pair, own: &Keypair, k: &Peers) {
    let p = &k.p;
    let sync = IfConf {
        private: Some(own.private.clone()),
        port: Some(51903),
        fwmark: Some("0x99".into()),
        extra: vec![],
        peers: vec![
            PeerConf {
                endpoint: Some("[fd00:5::11]:51821".into()),
                ..PeerConf::new(&p[1].public, &["10.1.0.0/16"])
            },
            PeerConf {
                endpoint: Some("[fd00:6::2]:2222".into()),
                keepalive: Some(10),
                ..PeerConf::new(&p[2].public, &["10.2.1.0/24", "fd00:2::/64"])
            },
            PeerConf {
                psk: Some(k.psk2.clone()),
                ..PeerConf::new(&p[5].public, &["10.5.0.1/32"])
            },
            PeerConf::new(&p[7].public, &["10.7.0.0/24"]),
        ],
    };
    let sync = pair.dir.file("sync.conf", &sync.render());
    pair.both(&["syncconf", "IF", &sync]);
    pair.compare("wg syncconf");
    let shown = pair.f.wg(&["showconf", "IF"]).ok().stdout;
    let file = pair.dir.file("roundtrip.conf", &shown);
    pair.both(&["setconf", "IF", &file]);
    pair.compare("wg setconf of ferrotund's own showconf");
    let again = pair.f.wg(&["showconf", "IF"]).ok().stdout;
    assert_eq!(
        blocks(&again),
        blocks(&shown),
        "ferrotund's showconf changed after setconf of its own showconf"
    );
}

/// `wg show all dump` lists both interfaces (among any other test's) with the same lines as
/// the per-interface dumps.
fn step_show_all(pair: &Pair) {
    let all = Cmd::new(&["wg", "show", "all", "dump"]).run();
    let mut views = Vec::new();
    for d in [&pair.f, &pair.g] {
        let prefix = format!("{}\t", d.ifname);
        let mine: String = all
            .stdout
            .lines()
            .filter_map(|l| l.strip_prefix(&prefix))
            .map(|l| format!("{l}\n"))
            .collect();
        assert!(
            !mine.is_empty(),
            "`wg show all dump` does not list {} ({}): {all}",
            d.ifname,
            d.imp.label()
        );
        assert!(
            !all.stderr.contains(&d.ifname),
            "`wg show all dump` had trouble with {}: {all}",
            d.ifname
        );
        let own = d.show("dump");
        assert_eq!(
            lines(&mine),
            lines(&own),
            "`wg show all dump` and `wg show {} dump` differ for {}",
            d.ifname,
            d.imp.label()
        );
        let dump = parse_dump(&mine);
        views.push((dump.iface, dump.peers.into_iter().collect::<BTreeSet<_>>()));
    }
    let [f, g] = [&views[0], &views[1]].map(|(iface, peers)| {
        (
            iface.clone(),
            peers
                .iter()
                .map(|p| [&p[..4], &p[7..]].concat())
                .collect::<BTreeSet<_>>(),
        )
    });
    pair.same("all steps", "wg show all dump", f, g);
}

#[test]
fn same_views_as_wireguard_go() {
    if !root() {
        return;
    }
    let pair = Pair::new();
    let own = Keypair::generate();
    let k = Peers {
        p: (0..8).map(|_| Keypair::generate()).collect(),
        psk1: genpsk(),
        psk2: genpsk(),
    };
    steps_set(&pair, &own, &k);
    let own = steps_key_addconf(&pair, &k);
    steps_sync(&pair, &own, &k);
    step_show_all(&pair);
    for d in [&pair.f, &pair.g] {
        Cmd::new(&["ip", "-n", &d.ns, "link", "set", &d.ifname, "up"])
            .run()
            .ok();
    }
    pair.compare("ip link set up");
    assert!(
        pair.f.alive(),
        "ferrotund died during the configuration steps:\n{}",
        pair.f.log_text()
    );
}
