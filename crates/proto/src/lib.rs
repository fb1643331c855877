//! # ferrotun-proto
//!
//! A sans-IO implementation of the WireGuard protocol: Noise_IKpsk2 handshakes, cookies,
//! timers, replay protection, keypair rotation and cryptokey routing, byte-compatible with
//! the Linux kernel and wireguard-go. It opens no sockets, starts no threads, reads no clock
//! and draws no OS randomness: the caller passes the monotonic time into every call and
//! injects the RNG (which also seeds the hash tables) and the wall clock at construction.
//! That makes it embeddable anywhere, testable on a virtual clock, and deterministic on a
//! seeded RNG.
//!
//! ## Driving a [`Device`](device::Device)
//!
//! ```
//! use ferrotun_proto::device::{Device, Inbound, Outbound};
//! use ferrotun_proto::keys::PrivateKey;
//! use ferrotun_proto::peer::Endpoint;
//! use ferrotun_proto::time::{Duration, FixedWallClock, Instant};
//! # use rand_core::SeedableRng;
//! # let rng = rand_chacha::ChaCha20Rng::seed_from_u64(0);
//! // Production code passes an OS-seeded CSPRNG and the system clock.
//! let mut dev = Device::new(Box::new(rng), Box::new(FixedWallClock(Duration::from_secs(1_700_000_000))));
//! dev.set_private_key(Some(PrivateKey::from_bytes([7; 32])));
//! let peer = dev.add_peer(PrivateKey::from_bytes([8; 32]).public_key()).unwrap();
//! dev.add_allowed_ip(peer, "10.0.0.2".parse().unwrap(), 32).unwrap();
//! dev.set_endpoint(peer, "192.0.2.2:51820".parse().unwrap()).unwrap();
//!
//! let now = Instant::from_nanos(1); // e.g. CLOCK_BOOTTIME
//! let ip_packet = [0x45, 0, 0, 20, 0, 0, 0, 0, 64, 1, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2];
//! let mut out = [0u8; 2048];
//! match dev.encapsulate(now, &ip_packet, &mut out) {
//!     Ok(Outbound::Transmit { dst, len, .. }) => { /* send out[..len] to dst.addr */ }
//!     Ok(Outbound::Queued(_)) => { /* staged: a handshake was started */ }
//!     Err(e) => { /* no route, no endpoint…: ICMP unreachable */ let _ = e; }
//! }
//! // Datagrams the device wants sent (handshakes, keepalives, cookie replies):
//! while let Some(t) = dev.poll_transmit() {
//!     assert_eq!(t.data.len(), 148); // our handshake initiation
//! }
//! // A datagram from the network:
//! let mut datagram = [0u8; 32];
//! match dev.handle_datagram(now, Endpoint::from("192.0.2.2:51820".parse::<std::net::SocketAddr>().unwrap()), &mut datagram) {
//!     Ok(Inbound::Tunnel { range, .. }) => { /* write datagram[range] to the TUN device */ let _ = range; }
//!     Ok(Inbound::Handled) => {}
//!     Err(reason) => { /* counted in dev.drop_stats() */ let _ = reason; }
//! }
//! // No tick: sleep until the exact next deadline.
//! if let Some(deadline) = dev.poll_timeout() {
//!     dev.handle_timeout(deadline);
//! }
//! ```
//!
//! The data path can also run on several threads: [`Device::current_keypair`](device::Device::current_keypair)
//! hands out an `Arc<`[`Keypair`](keypair::Keypair)`>` that seals and opens concurrently.
//!
//! ## Modules
//! Each module is one protocol concept, named as in the whitepaper: [`wire`] (the four
//! messages), [`crypto`], [`keys`], [`noise`] (the handshake), [`cookie`], [`ratelimiter`],
//! [`replay`], [`keypair`], [`timers`], [`allowed_ips`], [`peer`], [`device`].
#![forbid(unsafe_code)]
#![warn(missing_docs, unreachable_pub)]

pub mod allowed_ips;
pub mod consts;
pub mod cookie;
pub mod crypto;
pub mod device;
mod hash;
pub mod keypair;
pub mod keys;
pub mod noise;
pub mod peer;
pub mod ratelimiter;
pub mod replay;
pub mod time;
pub mod timers;
pub mod wire;

#[cfg(test)]
mod test_vectors;
