//! A parsed configuration file as typed data.
//!
//! Every field records whether the file said something, because the commands give absence a
//! meaning of their own: `wg setconf` treats a missing `ListenPort` as 0, `wg addconf` leaves
//! the port alone. Keys are kept as the file gave them, except that a private key is stored
//! clamped (every daemon clamps it anyway).

use ferrotun_proto::keys::{PresharedKey, PrivateKey, PublicKey};
use std::net::{IpAddr, SocketAddr};

/// The whole file: one `[Interface]` section and any number of `[Peer]` sections.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// The `[Interface]` section (all fields empty if the file has none).
    pub interface: Interface,
    /// The `[Peer]` sections, in file order.
    pub peers: Vec<Peer>,
}

/// The `[Interface]` section.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Interface {
    /// The line of the `[Interface]` header, if there is one.
    pub line: Option<usize>,
    /// `PrivateKey`: `Some(None)` when the file gives the all-zero key, which removes the
    /// device's key (as `wg` passes it through).
    pub private_key: Option<Option<PrivateKey>>,
    /// `ListenPort`, already resolved if it was a service name.
    pub listen_port: Option<u16>,
    /// `FwMark` (`off` is 0).
    pub fwmark: Option<u32>,
    /// The wg-quick(8) keys; always empty when parsed for wg(8).
    pub quick: QuickSettings,
}

/// The keys wg-quick(8) reads from `[Interface]` and does not pass on to wg(8).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuickSettings {
    /// `Address` entries, in order (a missing prefix length is stored as /32 or /128).
    pub addresses: Vec<InterfaceAddress>,
    /// `DNS` entries that are IP addresses: the nameservers.
    pub dns_servers: Vec<String>,
    /// `DNS` entries that are not addresses: the search domains.
    pub dns_search: Vec<String>,
    /// `MTU`.
    pub mtu: Option<u32>,
    /// `Table`: `auto`, `off`, a number or a table name, as written.
    pub table: Option<String>,
    /// `PreUp` commands, in order, inner whitespace kept.
    pub pre_up: Vec<String>,
    /// `PostUp` commands.
    pub post_up: Vec<String>,
    /// `PreDown` commands.
    pub pre_down: Vec<String>,
    /// `PostDown` commands.
    pub post_down: Vec<String>,
    /// `SaveConfig`.
    pub save_config: Option<bool>,
}

/// One `Address` entry of wg-quick.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct InterfaceAddress {
    /// The address as written (host bits are meaningful here).
    pub ip: IpAddr,
    /// The prefix length.
    pub prefix: u8,
}

/// One `[Peer]` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peer {
    /// The line of the `[Peer]` header.
    pub line: usize,
    /// `PublicKey` (required).
    pub public_key: PublicKey,
    /// `PresharedKey`; the all-zero key means "no preshared key" and is kept as given.
    pub preshared_key: Option<PresharedKey>,
    /// `Endpoint`, resolved.
    pub endpoint: Option<Endpoint>,
    /// `PersistentKeepalive` in seconds (`off` is 0).
    pub persistent_keepalive: Option<u16>,
    /// Whether the peer's allowed IPs are replaced (true unless a `+`/`-` entry appears on the
    /// section's last `AllowedIPs` line that has one, exactly as `wg` decides it).
    pub replace_allowed_ips: bool,
    /// `AllowedIPs` entries in file order.
    pub allowed_ips: Vec<AllowedIp>,
}

/// An `Endpoint` value: what the file said and what it resolved to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// The text after `Endpoint =`, whitespace removed.
    pub text: String,
    /// The first address the name resolved to.
    pub addr: SocketAddr,
}

/// Whether an `AllowedIPs` entry adds its prefix (plain or `+`) or removes it (`-`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AllowedIpOp {
    /// A plain or `+` entry.
    Add,
    /// A `-` entry.
    Remove,
}

/// One `AllowedIPs` entry. Host bits are kept as written; daemons mask them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AllowedIp {
    /// Add or remove.
    pub op: AllowedIpOp,
    /// The address.
    pub ip: IpAddr,
    /// The prefix length (at most 32 or 128).
    pub cidr: u8,
}
