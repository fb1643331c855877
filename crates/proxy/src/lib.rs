//! # ferrotun-proxy
//!
//! The rootless mode (`ferrotun proxy`): one unprivileged process runs the WireGuard data
//! path, a userspace TCP/IP stack in place of a TUN device, and listeners on the host —
//! SOCKS5, an HTTP proxy and port forwards — that reach addresses inside the tunnel.
#![forbid(unsafe_code)]
#![warn(missing_docs, unreachable_pub)]

pub mod http;
pub mod socks5;
