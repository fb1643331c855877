//! # ferrotun-conf
//!
//! WireGuard configuration files (`wg setconf`, `wg-quick up`) as typed data, read exactly as
//! wireguard-tools reads them (docs/protocol.md §14.1):
//!
//! * comments, whitespace removal and case-insensitive keys as in `config.c`
//!   ([`parse`] explains the line rules);
//! * `[Interface]`: `PrivateKey`, `ListenPort` (a number or a UDP service name), `FwMark`
//!   (`off`, decimal or `0x` hex), and with [`Dialect::WgQuick`] also `Address`, `DNS`,
//!   `MTU`, `Table`, `PreUp`, `PostUp`, `PreDown`, `PostDown` and `SaveConfig`;
//! * `[Peer]`: `PublicKey` (required), `PresharedKey`, `AllowedIPs` (with `+`/`-` for
//!   incremental changes), `Endpoint` (host names resolved with `wg`'s retry policy, see
//!   [`resolve`]) and `PersistentKeepalive`.
//!
//! Errors read `file:line: problem`, where the problem is `wg`'s own text. [`parse_bytes`]
//! stops at the first, as `wg` does; [`check_bytes`] reports them all, and [`lint()`] adds
//! warnings for what is valid but probably a mistake (both for `ferrotun check`).
//!
//! ```
//! use ferrotun_conf::{parse_bytes, Dialect, ParseOptions, SystemResolver};
//!
//! let text = b"[Interface]\nListenPort = 51820\n\n[Peer]\n\
//!     PublicKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\n\
//!     AllowedIPs = 10.0.0.2/32, fd00::2\nEndpoint = 192.0.2.1:51820\n";
//! let mut notify = |_: &str| {};
//! let mut warn = |_: &ferrotun_conf::Warning| {};
//! let mut resolver = SystemResolver::new(&mut notify);
//! let mut options = ParseOptions { dialect: Dialect::Wg, resolver: &mut resolver, warn: &mut warn };
//! let config = parse_bytes(text, Some("wg0.conf"), &mut options).unwrap();
//! assert_eq!(config.interface.listen_port, Some(51820));
//! assert_eq!(config.peers[0].allowed_ips.len(), 2);
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs, unreachable_pub)]

pub mod error;
pub mod lint;
pub mod model;
pub mod parse;
pub mod proxy;
mod quick;
pub mod resolve;
pub mod value;

pub use error::{Error, ErrorKind, Warning};
pub use lint::lint;
pub use model::{
    AllowedIp, AllowedIpOp, Config, Endpoint, Interface, InterfaceAddress, Peer, QuickSettings,
};
pub use parse::{check_bytes, check_file, parse_bytes, parse_file, Checked, Dialect, ParseOptions};
pub use resolve::{OfflineResolver, Resolver, SystemResolver};
