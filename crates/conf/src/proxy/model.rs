//! The proxy's configuration as typed data: the WireGuard part (the wg-quick model) and the
//! listeners and forwards of the proxy sections.

use crate::model::Config;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

/// The MTU of the tunnel when the file gives none (wireproxy's default).
pub const DEFAULT_MTU: u32 = 1420;

/// How often the `CheckAlive` addresses are pinged when `CheckAliveInterval` is absent
/// (wireproxy's default).
pub const DEFAULT_CHECK_ALIVE_INTERVAL: Duration = Duration::from_secs(5);

/// How long a UDP forward keeps an idle flow when `InactivityTimeout` is absent. wireproxy
/// keeps such flows forever; ferrotun bounds the memory they hold (docs/proxy-config.md).
pub const DEFAULT_UDP_INACTIVITY: Duration = Duration::from_secs(180);

/// A whole proxy configuration file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProxyConfig {
    /// `[Interface]` and `[Peer]`, read as wg-quick reads them (from this file, or from the
    /// file `WGConfig` names).
    pub wireguard: Config,
    /// Where the WireGuard part came from.
    pub source: WireGuardSource,
    /// `CheckAlive` and `CheckAliveInterval`, if the file has them.
    pub check_alive: Option<CheckAlive>,
    /// `[Socks5]` and `[http]` sections, in file order.
    pub listeners: Vec<Listener>,
    /// The tunnel sections, in file order.
    pub forwards: Vec<Forward>,
}

impl ProxyConfig {
    /// The tunnel's MTU: `MTU` from `[Interface]`, or [`DEFAULT_MTU`].
    #[must_use]
    pub fn mtu(&self) -> u32 {
        self.wireguard.interface.quick.mtu.unwrap_or(DEFAULT_MTU)
    }
}

/// Where `[Interface]` and `[Peer]` were read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum WireGuardSource {
    /// From the proxy's file itself.
    #[default]
    Inline,
    /// From the file a top-level `WGConfig` line names.
    Imported {
        /// The line of `WGConfig` in the proxy's file.
        line: usize,
        /// The path as written.
        written: String,
        /// The path that was read (relative paths are taken from the proxy file's
        /// directory).
        path: PathBuf,
    },
}

/// wireproxy's liveness check: the tunnel addresses to ping, and how often.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckAlive {
    /// `CheckAlive`: addresses inside the tunnel.
    pub targets: Vec<IpAddr>,
    /// `CheckAliveInterval`, or [`DEFAULT_CHECK_ALIVE_INTERVAL`].
    pub interval: Duration,
}

/// Which proxy protocol a listener speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ListenerKind {
    /// `[Socks5]`: SOCKS5 (RFC 1928), with username/password (RFC 1929) when set.
    Socks5,
    /// `[http]`: an HTTP proxy, with Basic authentication when set.
    Http,
}

impl ListenerKind {
    /// The section header, as wireproxy's README writes it.
    #[must_use]
    pub fn section(self) -> &'static str {
        match self {
            ListenerKind::Socks5 => "[Socks5]",
            ListenerKind::Http => "[http]",
        }
    }
}

/// A `[Socks5]` or `[http]` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listener {
    /// The line of the section header.
    pub line: usize,
    /// SOCKS5 or HTTP.
    pub kind: ListenerKind,
    /// `BindAddress`; absent means loopback, port chosen by the system
    /// ([`BindAddress::default_listener`]).
    pub bind: BindAddress,
    /// `Username` and `Password`.
    pub auth: Auth,
}

/// Whether a listener asks its clients for credentials.
#[derive(Clone, PartialEq, Eq)]
pub enum Auth {
    /// Neither `Username` nor `Password`: anyone who can connect may use the proxy.
    None,
    /// Both given (an HTTP listener also takes a `Password` with no `Username`, as
    /// wireproxy does: the user name is then empty).
    UserPassword {
        /// `Username`.
        username: String,
        /// `Password`; never shown by `Debug`.
        password: String,
    },
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::None => f.write_str("None"),
            Auth::UserPassword { username, .. } => f
                .debug_struct("UserPassword")
                .field("username", username)
                .field("password", &"(hidden)")
                .finish(),
        }
    }
}

/// A host-side address to listen on, as Go's `host:port` syntax writes it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum BindAddress {
    /// `IP:port` or `[IPv6]:port`.
    Socket(SocketAddr),
    /// `:port`: every address of the host, IPv4 and IPv6.
    Any(u16),
    /// `name:port`, e.g. `localhost:1080`: the name is resolved when the listener starts.
    Host {
        /// The host name.
        name: String,
        /// The port.
        port: u16,
    },
}

impl BindAddress {
    /// Where a `[Socks5]` or `[http]` section without `BindAddress` listens: loopback, on a
    /// port the system picks (wireproxy listens on every address then).
    #[must_use]
    pub fn default_listener() -> Self {
        BindAddress::Socket(SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// The port.
    #[must_use]
    pub fn port(&self) -> u16 {
        match self {
            BindAddress::Socket(addr) => addr.port(),
            BindAddress::Any(port) | BindAddress::Host { port, .. } => *port,
        }
    }

    /// Whether only this host can reach the address: a loopback IP or the name `localhost`.
    #[must_use]
    pub fn is_loopback(&self) -> bool {
        match self {
            BindAddress::Socket(addr) => addr.ip().is_loopback(),
            BindAddress::Any(_) => false,
            BindAddress::Host { name, .. } => {
                let name = name.strip_suffix('.').unwrap_or(name);
                name.eq_ignore_ascii_case("localhost")
                    || name.to_ascii_lowercase().ends_with(".localhost")
            }
        }
    }
}

impl fmt::Display for BindAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BindAddress::Socket(addr) => write!(f, "{addr}"),
            BindAddress::Any(port) => write!(f, ":{port}"),
            BindAddress::Host { name, port } => write!(f, "{name}:{port}"),
        }
    }
}

/// Where a forward connects: an address or a name, and a port.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Target {
    /// The host.
    pub host: TargetHost,
    /// The port (never 0).
    pub port: u16,
}

/// The host part of a [`Target`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TargetHost {
    /// A literal address.
    Ip(IpAddr),
    /// A name: inside the tunnel it is resolved with the `DNS` servers of `[Interface]`, on
    /// the host side (server tunnels) with the host's resolver.
    Name(String),
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.host {
            TargetHost::Ip(IpAddr::V6(ip)) => write!(f, "[{ip}]:{}", self.port),
            TargetHost::Ip(ip) => write!(f, "{ip}:{}", self.port),
            TargetHost::Name(name) => write!(f, "{name}:{}", self.port),
        }
    }
}

/// How long a UDP forward keeps a flow that carries no datagrams.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Inactivity {
    /// `InactivityTimeout = 0`: never closed for idleness.
    Never,
    /// Closed after this long without a datagram either way.
    After(Duration),
}

/// One tunnel section: a port forward, or the standard input and output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Forward {
    /// `[TCPClientTunnel]`: a host TCP port whose connections are forwarded into the tunnel.
    TcpClient {
        /// The line of the section header.
        line: usize,
        /// `BindAddress` (host side).
        bind: BindAddress,
        /// `Target` (in the tunnel).
        target: Target,
    },
    /// `[UDPProxyTunnel]`: a host UDP port whose datagrams are forwarded into the tunnel,
    /// one flow per client address.
    UdpClient {
        /// The line of the section header.
        line: usize,
        /// `BindAddress` (host side).
        bind: BindAddress,
        /// `Target` (in the tunnel).
        target: Target,
        /// `InactivityTimeout`.
        inactivity: Inactivity,
    },
    /// `[TCPServerTunnel]`: a TCP port on the proxy's tunnel addresses whose connections
    /// are forwarded to the host side.
    TcpServer {
        /// The line of the section header.
        line: usize,
        /// `ListenPort` (tunnel side).
        listen_port: u16,
        /// `Target` (host side).
        target: Target,
    },
    /// `[UDPServerTunnel]` (ferrotun's addition): a UDP port on the tunnel addresses whose
    /// datagrams are forwarded to the host side, one flow per peer address.
    UdpServer {
        /// The line of the section header.
        line: usize,
        /// `ListenPort` (tunnel side).
        listen_port: u16,
        /// `Target` (host side).
        target: Target,
        /// `InactivityTimeout`.
        inactivity: Inactivity,
    },
    /// `[STDIOTunnel]`: standard input and output joined to one TCP connection in the
    /// tunnel (for `ssh -o ProxyCommand=...`).
    Stdio {
        /// The line of the section header.
        line: usize,
        /// `Target` (in the tunnel).
        target: Target,
    },
}

impl Forward {
    /// The line of the section header.
    #[must_use]
    pub fn line(&self) -> usize {
        match self {
            Forward::TcpClient { line, .. }
            | Forward::UdpClient { line, .. }
            | Forward::TcpServer { line, .. }
            | Forward::UdpServer { line, .. }
            | Forward::Stdio { line, .. } => *line,
        }
    }
}
