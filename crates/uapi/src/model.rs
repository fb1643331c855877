//! A `set` request as typed data: what [`parse_set`](crate::parse::parse_set) produces,
//! what [`apply`](crate::apply()) consumes, and what a client
//! [encodes](SetRequest::encode).
//!
//! Every value in here is already valid (keys are 32 bytes, prefixes are masked and in
//! range, `protocol_version` is 1), so applying it can only fail on the host side (binding
//! a port, setting a mark) or on the peer limit, both of which are checked before anything
//! changes.

use ferrotun_proto::keys::{PresharedKey, PrivateKey, PublicKey};
use std::net::{IpAddr, SocketAddr};

/// One `set=1` request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SetRequest {
    /// `private_key=`: `Some(None)` removes the key (the line was all zeros), `Some(Some(k))`
    /// sets it (stored clamped). The last line wins.
    pub private_key: Option<Option<PrivateKey>>,
    /// `listen_port=` (0 asks for a random port). The last line wins.
    pub listen_port: Option<u16>,
    /// `fwmark=` (0 turns the mark off). The last line wins.
    pub fwmark: Option<u32>,
    /// `replace_peers=true`: remove every existing peer before the peer sections apply.
    pub replace_peers: bool,
    /// The peer sections, in request order. A key may appear in several sections; they
    /// apply one after the other.
    pub peers: Vec<PeerChange>,
}

/// One peer section: a `public_key=` line and the lines up to the next one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerChange {
    /// Selects the peer, creating it unless `update_only` is set. A key equal to the
    /// device's own public key (after this request's `private_key`) makes the whole section
    /// a silent no-op, as in wireguard-go and the kernel.
    pub public_key: PublicKey,
    /// `remove=true`: remove the peer if it exists; every other field is then ignored
    /// (its lines were still validated).
    pub remove: bool,
    /// `update_only=true`: change the peer only if it already exists.
    pub update_only: bool,
    /// `preshared_key=` (all zeros: no PSK). The last line wins.
    pub preshared_key: Option<PresharedKey>,
    /// `endpoint=`, with an IPv6 zone already resolved to a scope id. The last line wins.
    pub endpoint: Option<SocketAddr>,
    /// `persistent_keepalive_interval=` in seconds (0: off). The last line wins.
    pub persistent_keepalive: Option<u16>,
    /// `replace_allowed_ips=true`: drop the peer's allowed IPs before `allowed_ips` apply.
    pub replace_allowed_ips: bool,
    /// `allowed_ip=` lines in request order, after any `replace_allowed_ips`.
    pub allowed_ips: Vec<AllowedIpChange>,
    /// `protocol_version=` (only 1 is accepted; it changes nothing).
    pub protocol_version: Option<u32>,
}

impl PeerChange {
    /// A section that only selects (or creates) the peer.
    #[must_use]
    pub fn new(public_key: PublicKey) -> Self {
        PeerChange {
            public_key,
            remove: false,
            update_only: false,
            preshared_key: None,
            endpoint: None,
            persistent_keepalive: None,
            replace_allowed_ips: false,
            allowed_ips: Vec::new(),
            protocol_version: None,
        }
    }
}

/// Whether an `allowed_ip=` line adds or removes its prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AllowedIpOp {
    /// `allowed_ip=ip/cidr`: route the prefix to this peer, moving it from any other peer.
    Add,
    /// `allowed_ip=-ip/cidr`: remove exactly this prefix if this peer has it.
    Remove,
}

/// One `allowed_ip=` line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AllowedIpChange {
    /// Add or remove.
    pub op: AllowedIpOp,
    /// The network address, host bits already cleared.
    pub ip: IpAddr,
    /// The prefix length, at most 32 for IPv4 and 128 for IPv6.
    pub cidr: u8,
}

impl AllowedIpChange {
    /// A change with host bits of `ip` beyond `cidr` cleared (the kernel and wireguard-go
    /// mask silently: `10.0.0.7/24` means `10.0.0.0/24`). `cidr` is clamped to the family's
    /// width.
    #[must_use]
    pub fn new(op: AllowedIpOp, ip: IpAddr, cidr: u8) -> Self {
        let (ip, cidr) = mask(ip, cidr);
        AllowedIpChange { op, ip, cidr }
    }
}

/// `ip` with every bit past `cidr` cleared, and `cidr` clamped to the address width.
#[must_use]
pub fn mask(ip: IpAddr, cidr: u8) -> (IpAddr, u8) {
    match ip {
        IpAddr::V4(a) => {
            let cidr = cidr.min(32);
            let bits = u32::from(a)
                .checked_shr(32 - u32::from(cidr))
                .map_or(0, |b| b << (32 - u32::from(cidr)));
            (IpAddr::V4(bits.into()), cidr)
        }
        IpAddr::V6(a) => {
            let cidr = cidr.min(128);
            let bits = u128::from(a)
                .checked_shr(128 - u32::from(cidr))
                .map_or(0, |b| b << (128 - u32::from(cidr)));
            (IpAddr::V6(bits.into()), cidr)
        }
    }
}
