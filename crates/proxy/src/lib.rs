//! # ferrotun-proxy
//!
//! The rootless mode (`ferrotun proxy`): one unprivileged process runs the WireGuard engine
//! on a userspace TCP/IP stack (smoltcp) in place of a TUN device, and listeners on the host
//! — SOCKS5, an HTTP proxy and port forwards — that reach addresses inside the tunnel.
//!
//! | part | file |
//! |---|---|
//! | start-up | `run.rs` |
//! | the proxy thread | `event_loop.rs` |
//! | the stack, and its device on the engine's port | `netstack.rs`, `port_device.rs` |
//! | a relayed TCP connection | `relay.rs` |
//! | listeners | `listener.rs` |
//! | server tunnels (peers to host services) | `server_tunnel.rs` |
//! | UDP tunnels (host UDP ports into the tunnel) | `udp_tunnel.rs` |
//! | SOCKS5 UDP associations | `association.rs` |
//! | the standard-input tunnel | `stdio_tunnel.rs` |
#![forbid(unsafe_code)]
#![warn(missing_docs, unreachable_pub)]

mod association;
mod client;
mod conn;
mod dns;
mod event_loop;
pub mod http;
mod http_session;
mod listener;
mod netstack;
mod opening;
mod port_device;
mod relay;
mod run;
mod server_tunnel;
pub mod socks5;
mod socks_session;
mod stdio_tunnel;
mod udp_tunnel;

pub use listener::{ListenerSpec, Service};
pub use run::{run, ProxyOptions};
pub use server_tunnel::ServerTunnelSpec;
pub use udp_tunnel::UdpTunnelSpec;
