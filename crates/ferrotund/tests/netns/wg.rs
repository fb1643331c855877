//! Keys, configuration files and `wg` helpers. Configuration always goes through the real
//! `wg` (setconf from a file in a temporary directory, set, show, dump).

use crate::cmd::{Cmd, TempDir};
use crate::daemon::Daemon;

pub struct Keypair {
    pub private: String,
    pub public: String,
}

impl Keypair {
    pub fn generate() -> Keypair {
        let private = Cmd::new(&["wg", "genkey"])
            .run()
            .ok()
            .stdout_trim()
            .to_string();
        Keypair {
            public: pubkey(&private),
            private,
        }
    }
}

pub fn pubkey(private: &str) -> String {
    Cmd::new(&["wg", "pubkey"])
        .stdin(&format!("{private}\n"))
        .run()
        .ok()
        .stdout_trim()
        .to_string()
}

pub fn genpsk() -> String {
    Cmd::new(&["wg", "genpsk"])
        .run()
        .ok()
        .stdout_trim()
        .to_string()
}

#[derive(Clone, Default)]
pub struct PeerConf {
    pub public: String,
    pub psk: Option<String>,
    pub allowed: Vec<String>,
    pub endpoint: Option<String>,
    pub keepalive: Option<u16>,
}

impl PeerConf {
    pub fn new(public: &str, allowed: &[&str]) -> PeerConf {
        PeerConf {
            public: public.to_string(),
            allowed: allowed.iter().map(|s| s.to_string()).collect(),
            ..PeerConf::default()
        }
    }
}

/// A wg(8) configuration file; `extra` holds additional `[Interface]` lines (wg-quick's
/// `Address = …`).
#[derive(Clone, Default)]
pub struct IfConf {
    pub private: Option<String>,
    pub port: Option<u16>,
    pub fwmark: Option<String>,
    pub extra: Vec<String>,
    pub peers: Vec<PeerConf>,
}

impl IfConf {
    pub fn render(&self) -> String {
        let mut s = String::from("[Interface]\n");
        for line in &self.extra {
            s += &format!("{line}\n");
        }
        if let Some(k) = &self.private {
            s += &format!("PrivateKey = {k}\n");
        }
        if let Some(p) = self.port {
            s += &format!("ListenPort = {p}\n");
        }
        if let Some(m) = &self.fwmark {
            s += &format!("FwMark = {m}\n");
        }
        for p in &self.peers {
            s += &format!("\n[Peer]\nPublicKey = {}\n", p.public);
            if let Some(k) = &p.psk {
                s += &format!("PresharedKey = {k}\n");
            }
            if !p.allowed.is_empty() {
                s += &format!("AllowedIPs = {}\n", p.allowed.join(", "));
            }
            if let Some(e) = &p.endpoint {
                s += &format!("Endpoint = {e}\n");
            }
            if let Some(k) = p.keepalive {
                s += &format!("PersistentKeepalive = {k}\n");
            }
        }
        s
    }
}

/// `wg show IF dump`, split at tabs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dump {
    /// private key, public key, listen port, fwmark
    pub iface: Vec<String>,
    /// public key, preshared key, endpoint, allowed IPs, latest handshake, rx, tx, keepalive
    pub peers: Vec<Vec<String>>,
}

pub fn parse_dump(text: &str) -> Dump {
    let mut lines = text
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| l.split('\t').map(str::to_string).collect::<Vec<_>>());
    let iface = lines.next().unwrap_or_default();
    assert_eq!(
        iface.len(),
        4,
        "dump interface line should have 4 fields: {text:?}"
    );
    let peers: Vec<_> = lines.collect();
    for p in &peers {
        assert_eq!(p.len(), 8, "dump peer line should have 8 fields: {text:?}");
    }
    Dump { iface, peers }
}

impl Daemon {
    /// `wg setconf IF FILE` with `conf` written to `dir/name`.
    #[track_caller]
    pub fn setconf(&self, dir: &TempDir, conf: &IfConf) {
        let file = dir.file(&format!("{}.conf", self.ifname), &conf.render());
        self.wg(&["setconf", "IF", &file]).ok();
    }

    /// `wg show IF FIELD`, which must succeed.
    #[track_caller]
    pub fn show(&self, field: &str) -> String {
        self.wg(&["show", "IF", field]).ok().stdout
    }

    #[track_caller]
    pub fn dump(&self) -> Dump {
        parse_dump(&self.show("dump"))
    }

    /// The second column of `wg show IF FIELD` for `peer`, if the peer is listed.
    #[track_caller]
    pub fn peer_field(&self, field: &str, peer: &str) -> Option<String> {
        let text = self.show(field);
        text.lines().find_map(|l| {
            l.strip_prefix(peer)
                .and_then(|rest| rest.strip_prefix('\t'))
                .map(str::to_string)
        })
    }

    #[track_caller]
    pub fn listen_port(&self) -> u16 {
        let text = self.show("listen-port");
        text.trim()
            .parse()
            .unwrap_or_else(|_| panic!("`wg show {} listen-port` printed {text:?}", self.ifname))
    }

    /// Latest handshake with `peer` in Unix seconds (0 = never).
    #[track_caller]
    pub fn latest_handshake(&self, peer: &str) -> u64 {
        let v = self
            .peer_field("latest-handshakes", peer)
            .unwrap_or_else(|| {
                panic!("{} has no peer {peer}:\n{}", self.ifname, self.show("dump"))
            });
        v.trim()
            .parse()
            .unwrap_or_else(|_| panic!("bad latest-handshakes value {v:?}"))
    }

    /// (rx, tx) bytes for `peer`.
    #[track_caller]
    pub fn transfer(&self, peer: &str) -> (u64, u64) {
        let v = self.peer_field("transfer", peer).unwrap_or_else(|| {
            panic!("{} has no peer {peer}:\n{}", self.ifname, self.show("dump"))
        });
        let mut it = v.split('\t').map(|n| {
            n.trim()
                .parse::<u64>()
                .unwrap_or_else(|_| panic!("bad transfer line {v:?}"))
        });
        (it.next().unwrap_or(0), it.next().unwrap_or(0))
    }
}
