//! The standard two-namespace tunnel most tests start from: the initiator in namespace A,
//! the responder in namespace B. Only the initiator knows the other's endpoint, so it sends
//! the first handshake and the responder must learn (roam to) the initiator's address.

use crate::cmd::{unique, unix_now, TempDir};
use crate::daemon::{Daemon, Impl};
use crate::netns::{Netns, Underlay, A4, A6, B4, B6};
use crate::wg::{genpsk, IfConf, Keypair, PeerConf};

/// Tunnel addresses: A (initiator) and B (responder).
pub const TA4: &str = "10.99.0.1";
pub const TB4: &str = "10.99.0.2";
pub const TA6: &str = "fd00:99::1";
pub const TB6: &str = "fd00:99::2";
pub const RESP_PORT: u16 = 51820;

#[derive(Clone, Copy, Debug)]
pub struct Spec {
    pub initiator: Impl,
    pub responder: Impl,
    /// Outer (underlay) endpoint family: IPv6 if true.
    pub outer6: bool,
    pub psk: bool,
}

/// Field order is drop order: daemons stop before their namespaces go.
pub struct Tunnel {
    pub init: Daemon,
    pub resp: Daemon,
    pub init_keys: Keypair,
    pub resp_keys: Keypair,
    pub psk: Option<String>,
    pub under: Underlay,
    _dir: TempDir,
    pub spec: Spec,
}

/// `host:port` in wg's notation.
pub fn endpoint(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// Adds the tunnel addresses to `ifname` in `ns` and sets it up.
pub fn address_up(ns: &Netns, ifname: &str, v4: &str, v6: &str) {
    ns.ip(&["addr", "add", &format!("{v4}/24"), "dev", ifname]);
    ns.ip(&["addr", "add", &format!("{v6}/64"), "dev", ifname, "nodad"]);
    ns.ip(&["link", "set", ifname, "up"]);
}

impl Tunnel {
    pub fn build(spec: Spec) -> Tunnel {
        Tunnel::build_env(spec, &[])
    }

    /// [`Tunnel::build`] with extra environment variables for both daemons.
    /// ferrotund at both ends, IPv4 outside.
    pub fn ferrotund_pair(psk: bool) -> Tunnel {
        Tunnel::build(Spec {
            initiator: Impl::Ferrotund,
            responder: Impl::Ferrotund,
            outer6: false,
            psk,
        })
    }

    pub fn build_env(spec: Spec, env: &[(&str, &str)]) -> Tunnel {
        let dir = TempDir::new();
        let under = Underlay::new();
        let init = Daemon::start_named_env(&under.a, spec.initiator, &unique("i"), env);
        let resp = Daemon::start_named_env(&under.b, spec.responder, &unique("r"), env);
        let (init_keys, resp_keys) = (Keypair::generate(), Keypair::generate());
        let psk = spec.psk.then(genpsk);
        let resp_conf = IfConf {
            private: Some(resp_keys.private.clone()),
            port: Some(RESP_PORT),
            peers: vec![PeerConf {
                psk: psk.clone(),
                ..PeerConf::new(
                    &init_keys.public,
                    &[&format!("{TA4}/32"), &format!("{TA6}/128")],
                )
            }],
            ..IfConf::default()
        };
        resp.setconf(&dir, &resp_conf);
        let server = if spec.outer6 { B6 } else { B4 };
        let init_conf = IfConf {
            private: Some(init_keys.private.clone()),
            peers: vec![PeerConf {
                psk: psk.clone(),
                endpoint: Some(endpoint(server, RESP_PORT)),
                ..PeerConf::new(
                    &resp_keys.public,
                    &[&format!("{TB4}/32"), &format!("{TB6}/128")],
                )
            }],
            ..IfConf::default()
        };
        init.setconf(&dir, &init_conf);
        address_up(&under.a, &init.ifname, TA4, TA6);
        address_up(&under.b, &resp.ifname, TB4, TB6);
        Tunnel {
            init,
            resp,
            init_keys,
            resp_keys,
            psk,
            under,
            _dir: dir,
            spec,
        }
    }

    /// The initiator's outer address as the responder should see it.
    pub fn init_outer(&self) -> &'static str {
        if self.spec.outer6 {
            A6
        } else {
            A4
        }
    }

    /// Both sides report a completed handshake with a plausible absolute time
    /// (docs/compatibility.md UAPI-2).
    #[track_caller]
    pub fn assert_handshake(&self) {
        let now = unix_now();
        for (d, peer) in [
            (&self.init, &self.resp_keys.public),
            (&self.resp, &self.init_keys.public),
        ] {
            let t = d.latest_handshake(peer);
            assert!(
                t != 0 && t + 120 >= now && t <= now + 5,
                "{} ({}) reports latest handshake {t} (now {now}); want a current Unix time\n{}",
                d.ifname,
                d.imp.label(),
                d.show("dump")
            );
        }
    }

    /// Both sides show the preshared key (or none).
    #[track_caller]
    pub fn assert_psk(&self) {
        let want = self.psk.clone().unwrap_or_else(|| "(none)".to_string());
        for (d, peer) in [
            (&self.init, &self.resp_keys.public),
            (&self.resp, &self.init_keys.public),
        ] {
            assert_eq!(
                d.peer_field("preshared-keys", peer).as_deref(),
                Some(want.as_str()),
                "{} ({}) preshared key",
                d.ifname,
                d.imp.label()
            );
        }
    }

    /// The responder learned the initiator's endpoint (outer address and listen port).
    #[track_caller]
    pub fn assert_learned_endpoint(&self, host: &str) {
        let want = endpoint(host, self.init.listen_port());
        let got = self.resp.peer_field("endpoints", &self.init_keys.public);
        assert_eq!(
            got.as_deref(),
            Some(want.as_str()),
            "{} ({}) endpoint of its peer:\n{}",
            self.resp.ifname,
            self.resp.imp.label(),
            self.resp.show("dump")
        );
    }
}

/// wireguard-go in B as the fixed far end (key `own`, ListenPort 51820, tunnel addresses
/// TB4/TB6, link up) for a peer `peer` that will use A's tunnel addresses.
pub fn reference_responder(under: &Underlay, dir: &TempDir, own: &Keypair, peer: &str) -> Daemon {
    let d = Daemon::start(&under.b, Impl::WireguardGo, "rr");
    let conf = IfConf {
        private: Some(own.private.clone()),
        port: Some(RESP_PORT),
        peers: vec![PeerConf::new(
            peer,
            &[&format!("{TA4}/32"), &format!("{TA6}/128")],
        )],
        ..IfConf::default()
    };
    d.setconf(dir, &conf);
    address_up(&under.b, &d.ifname, TB4, TB6);
    d
}

/// A's peer section for B: endpoint B's underlay IPv4 address, B's tunnel addresses.
pub fn peer_b(public: &str) -> PeerConf {
    PeerConf {
        endpoint: Some(endpoint(B4, RESP_PORT)),
        ..PeerConf::new(public, &[&format!("{TB4}/32"), &format!("{TB6}/128")])
    }
}
