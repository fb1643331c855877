//! # ferrotun-uapi
//!
//! The cross-platform WireGuard configuration protocol ("UAPI", docs/protocol.md §13), as
//! wireguard-go speaks it, so that the stock `wg` and `wg-quick` drive ferrotun unchanged.
//!
//! The daemon side, in the order a request flows:
//!
//! * [`socket::UapiListener`] binds `/var/run/wireguard/<name>.sock` (Unix only);
//! * [`accept::accept_loop`] accepts on it within limits (connections, idle time);
//! * [`server::serve`] runs one connection: framing, limits, replies;
//! * [`parse`] turns a `set` body into a [`SetRequest`], validating all of it first;
//! * [`apply::apply`] applies it to a [`Device`](ferrotun_proto::device::Device) and to the
//!   daemon's [`Interface`] (port, fwmark), all or nothing;
//! * [`get::write_get`] writes the `get` reply.
//!
//! Pieces a client can reuse: [`model`], [`text`] (value encodings), [`SetRequest::encode`]
//! and [`Errno`].
//!
//! ## Wiring it up
//!
//! ```no_run
//! use ferrotun_uapi::{apply, get, server, Error, Interface, SetRequest};
//! use std::sync::{Arc, Mutex};
//! # use ferrotun_proto::device::Device;
//! # fn now() -> ferrotun_proto::time::Instant { ferrotun_proto::time::Instant::ZERO }
//!
//! struct Shared<I> { device: Device, iface: I }
//! struct Conn<I>(Arc<Mutex<Shared<I>>>);
//!
//! impl<I: Interface> server::Handler for Conn<I> {
//!     fn get(&mut self, out: &mut Vec<u8>) -> Result<(), Error> {
//!         let s = self.0.lock().unwrap();
//!         get::write_get(&s.device, &s.iface, out);
//!         Ok(())
//!     }
//!     fn set(&mut self, request: SetRequest) -> Result<(), Error> {
//!         let s = &mut *self.0.lock().unwrap();
//!         apply::apply(&mut s.device, &mut s.iface, now(), request)
//!     }
//! }
//! # fn run<I: Interface + Send + 'static>(shared: Arc<Mutex<Shared<I>>>) -> std::io::Result<()> {
//! let socket = ferrotun_uapi::socket::UapiListener::bind("wg0")?;
//! for stream in socket.listener().incoming() {
//!     let mut handler = Conn(shared.clone());
//!     std::thread::spawn(move || {
//!         let _ = server::serve(stream?, &mut handler, &server::Limits::default());
//!         std::io::Result::Ok(())
//!     });
//! }
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(unix)]
pub mod accept;
pub mod apply;
pub mod client;
mod encode;
pub mod error;
pub mod get;
pub mod model;
pub mod parse;
pub mod server;
#[cfg(unix)]
pub mod socket;
pub mod text;

#[cfg(test)]
mod testutil;

pub use apply::{apply, Interface};
pub use error::{Errno, Error};
pub use get::write_get;
pub use model::{AllowedIpChange, AllowedIpOp, PeerChange, SetRequest};
pub use parse::parse_set;
pub use server::{serve, Handler, Limits};
