//! A deterministic in-memory network of ferrotun-proto devices.
//!
//! [`SimNet`] owns a virtual clock that jumps straight to the next event (a datagram arriving
//! or a device's `poll_timeout`), so a scenario spanning minutes of protocol time runs in
//! milliseconds. Randomness is seeded; every datagram can be captured, dropped, delayed or
//! replayed by the test.

mod node;
mod packet;

pub use node::Node;
pub use packet::{ipv4_packet, ipv6_packet};

use ferrotun_proto::device::{Device, Inbound, Outbound, PeerId};
use ferrotun_proto::keys::PrivateKey;
use ferrotun_proto::peer::Endpoint;
use ferrotun_proto::time::{Duration, Instant, WallClock};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Unix time at which every simulation starts.
pub const SIM_EPOCH_UNIX_SECS: u64 = 1_700_000_000;

/// A wall clock that follows the simulation's virtual clock.
#[derive(Clone)]
pub struct SimWallClock(Arc<AtomicU64>);

impl WallClock for SimWallClock {
    fn now_since_unix_epoch(&self) -> Duration {
        Duration::from_secs(SIM_EPOCH_UNIX_SECS)
            + Duration::from_nanos(self.0.load(Ordering::Relaxed))
    }
}

/// A datagram in flight or captured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Datagram {
    /// Sender's address.
    pub from: SocketAddr,
    /// Receiver's address.
    pub to: SocketAddr,
    /// UDP payload.
    pub data: Vec<u8>,
}

type Filter = Box<dyn FnMut(Instant, &Datagram) -> bool>;

/// The simulated network.
pub struct SimNet {
    now: Instant,
    clock: Arc<AtomicU64>,
    seed: u64,
    /// Nodes by index.
    pub nodes: Vec<Node>,
    in_flight: BinaryHeap<Reverse<(Instant, u64, usize)>>,
    datagrams: Vec<Option<Datagram>>,
    seq: u64,
    /// One-way latency of every datagram.
    pub latency: Duration,
    /// Every datagram handed to the network, in send order.
    pub captured: Vec<(Instant, Datagram)>,
    /// Returns false to drop a datagram (loss, partitions).
    pub filter: Option<Filter>,
}

impl SimNet {
    /// An empty network; `seed` makes every run identical.
    #[must_use]
    pub fn new(seed: u64) -> Self {
        SimNet {
            now: Instant::from_nanos(1_000_000_000),
            clock: Arc::new(AtomicU64::new(1_000_000_000)),
            seed,
            nodes: Vec::new(),
            in_flight: BinaryHeap::new(),
            datagrams: Vec::new(),
            seq: 0,
            latency: Duration::from_millis(10),
            captured: Vec::new(),
            filter: None,
        }
    }

    /// The virtual time.
    #[must_use]
    pub fn now(&self) -> Instant {
        self.now
    }

    /// Adds a host with a device keyed by `key` at `addr`; returns its node index.
    pub fn add_node(&mut self, key: PrivateKey, addr: SocketAddr) -> usize {
        let index = self.nodes.len() as u64;
        let rng = ChaCha20Rng::seed_from_u64(self.seed.wrapping_mul(1000).wrapping_add(index));
        let mut device = Device::new(
            Box::new(rng),
            Box::new(SimWallClock(Arc::clone(&self.clock))),
        );
        device.set_private_key(Some(key));
        self.nodes.push(Node::new(device, addr));
        self.nodes.len() - 1
    }

    /// Makes `a` and `b` peers: each routes `b_tunnel`/`a_tunnel` (a /32 or /128) to the other
    /// and knows the other's address when `endpoints` is true.
    pub fn connect(
        &mut self,
        a: usize,
        b: usize,
        a_tunnel: IpAddr,
        b_tunnel: IpAddr,
        endpoints: bool,
    ) -> (PeerId, PeerId) {
        let a_pub = *self.nodes[a].device.public_key().expect("key set");
        let b_pub = *self.nodes[b].device.public_key().expect("key set");
        let (a_addr, b_addr) = (self.nodes[a].addr, self.nodes[b].addr);
        let b_at_a = self.nodes[a].device.add_peer(b_pub).expect("add peer");
        let a_at_b = self.nodes[b].device.add_peer(a_pub).expect("add peer");
        let host = |ip: IpAddr| if ip.is_ipv4() { 32 } else { 128 };
        self.nodes[a]
            .device
            .add_allowed_ip(b_at_a, b_tunnel, host(b_tunnel))
            .expect("allowed ip");
        self.nodes[b]
            .device
            .add_allowed_ip(a_at_b, a_tunnel, host(a_tunnel))
            .expect("allowed ip");
        if endpoints {
            self.nodes[a]
                .device
                .set_endpoint(b_at_a, b_addr)
                .expect("endpoint");
            self.nodes[b]
                .device
                .set_endpoint(a_at_b, a_addr)
                .expect("endpoint");
        }
        (b_at_a, a_at_b)
    }

    /// Hands an IP packet to `node`'s tunnel side. Returns what `encapsulate` said.
    pub fn send_ip(
        &mut self,
        node: usize,
        packet: &[u8],
    ) -> Result<Outbound, ferrotun_proto::device::SendError> {
        let mut out = vec![0u8; packet.len() + 64];
        let now = self.now;
        let result = self.nodes[node].encapsulate(now, packet, &mut out);
        if let Ok(Outbound::Transmit { dst, len, .. }) = result {
            let from = self.nodes[node].addr;
            self.send(Datagram {
                from,
                to: dst.addr,
                data: out[..len].to_vec(),
            });
        }
        self.flush(node);
        result
    }

    /// Puts a datagram on the wire (it arrives after `latency`, unless filtered).
    pub fn send(&mut self, datagram: Datagram) {
        self.captured.push((self.now, datagram.clone()));
        if let Some(filter) = &mut self.filter {
            if !filter(self.now, &datagram) {
                return;
            }
        }
        self.seq += 1;
        self.datagrams.push(Some(datagram));
        let slot = self.datagrams.len() - 1;
        self.in_flight
            .push(Reverse((self.now + self.latency, self.seq, slot)));
    }

    /// Delivers a datagram to whichever node has `datagram.to`, immediately.
    pub fn inject(&mut self, datagram: Datagram) {
        self.deliver(datagram);
    }

    /// Sends whatever `node` queued and records its events (the harness does this after
    /// every device call it makes; tests call it after configuring a device directly).
    pub fn flush(&mut self, node: usize) {
        let from = self.nodes[node].addr;
        while let Some(t) = self.nodes[node].device.poll_transmit() {
            let from = match t.dst.local_ip {
                Some(ip) => SocketAddr::new(ip, from.port()),
                None => from,
            };
            self.send(Datagram {
                from,
                to: t.dst.addr,
                data: t.data,
            });
        }
        let now = self.now;
        while let Some(e) = self.nodes[node].device.poll_event() {
            self.nodes[node].events.push((now, e));
        }
    }

    fn deliver(&mut self, datagram: Datagram) {
        let Some(node) = self.nodes.iter().position(|n| n.addr == datagram.to) else {
            return;
        };
        let mut buf = datagram.data.clone();
        let from = Endpoint {
            addr: datagram.from,
            local_ip: Some(datagram.to.ip()),
        };
        let now = self.now;
        match self.nodes[node].receive(now, from, &mut buf) {
            Ok(Inbound::Tunnel { peer, range }) => {
                self.nodes[node].delivered.push((peer, buf[range].to_vec()))
            }
            Ok(Inbound::Handled) => {}
            Err(reason) => self.nodes[node].drops.push(reason.to_string()),
        }
        self.flush(node);
    }

    fn next_event(&self) -> Option<Instant> {
        let wire = self.in_flight.peek().map(|Reverse((t, _, _))| *t);
        let timers = self.nodes.iter().filter_map(|n| n.device.poll_timeout());
        wire.into_iter().chain(timers).min()
    }

    fn set_now(&mut self, now: Instant) {
        self.now = self.now.max(now);
        self.clock.store(self.now.as_nanos(), Ordering::Relaxed);
    }

    /// Processes every event up to and including `until`, then sets the clock to `until`.
    pub fn run_until(&mut self, until: Instant) {
        while let Some(t) = self.next_event().filter(|t| *t <= until) {
            self.set_now(t);
            while let Some(Reverse((at, _, slot))) = self.in_flight.peek().copied() {
                if at > self.now {
                    break;
                }
                self.in_flight.pop();
                if let Some(d) = self.datagrams[slot].take() {
                    self.deliver(d);
                }
            }
            for node in 0..self.nodes.len() {
                if self.nodes[node]
                    .device
                    .poll_timeout()
                    .is_some_and(|d| d <= self.now)
                {
                    self.nodes[node].device.handle_timeout(self.now);
                    self.flush(node);
                }
            }
        }
        self.set_now(until);
    }

    /// Runs for `d` of virtual time.
    pub fn run_for(&mut self, d: Duration) {
        let until = self.now + d;
        self.run_until(until);
    }
}
