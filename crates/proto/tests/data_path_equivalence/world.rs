//! Two copies of one small network, a hub device and its remote peers: `World` applies an
//! [`Op`] to its hub through the device alone or through a `DataPath`, delivers every
//! datagram until the network is quiet, and logs everything the hub's caller can see.

use ferrotun_proto::device::{DataPath, Device, Inbound, Outbound, PeerId};
use ferrotun_proto::keys::PrivateKey;
use ferrotun_proto::peer::Endpoint;
use ferrotun_proto::time::{Duration, Instant, WallClock};
use rand_core::SeedableRng;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Remote peers of the hub: 0 and 1 are reached first by the hub, 2 reaches the hub
/// first, 3 has no endpoint at the hub until it sends.
pub(crate) const REMOTES: usize = 4;
pub(crate) const HUB_TUN: Ipv4Addr = Ipv4Addr::new(10, 8, 0, 1);

#[derive(Debug, Clone)]
pub(crate) enum Op {
    /// The hub sends a packet to one of several destinations (peers' prefixes, their host
    /// routes, an address nobody routes) or a packet that is not IP.
    HubSends { dst: u8, len: u8, not_ip: bool },
    /// A remote sends a packet to the hub, from its own prefix or a spoofed one.
    RemoteSends { remote: u8, spoofed: bool, len: u8 },
    /// Time passes (up to past REJECT_AFTER_TIME); timers run.
    Wait { millis: u32 },
    /// The hub's MTU changes (0: unknown, no padding).
    SetMtu(usize),
    /// The hub drops or restores a remote's /24.
    ToggleRoute { remote: u8 },
}

/// A wall clock following the world's virtual clock, so handshake timestamps advance.
struct Clock(Arc<AtomicU64>);

impl WallClock for Clock {
    fn now_since_unix_epoch(&self) -> Duration {
        Duration::from_secs(1_700_000_000) + Duration::from_nanos(self.0.load(Ordering::Relaxed))
    }
}

pub(crate) struct World {
    pub(crate) hub: Device,
    pub(crate) path: Option<DataPath>,
    pub(crate) remotes: Vec<Device>,
    /// Remote `i` as the hub knows it.
    pub(crate) at_hub: Vec<PeerId>,
    routed: Vec<bool>,
    pub(crate) now: Instant,
    clock: Arc<AtomicU64>,
    /// Everything observable, in order.
    pub(crate) log: Vec<String>,
}

fn hub_addr() -> SocketAddr {
    SocketAddr::from(([192, 0, 2, 100], 51820))
}

fn remote_addr(i: usize) -> SocketAddr {
    SocketAddr::from(([192, 0, 2, i as u8 + 1], 51820))
}

fn remote_prefix(i: usize) -> Ipv4Addr {
    Ipv4Addr::new(10, 0, i as u8, 0)
}

fn host_route(i: usize) -> Ipv4Addr {
    Ipv4Addr::new(10, 9, 0, i as u8 + 1)
}

pub(crate) fn ipv4(src: Ipv4Addr, dst: Ipv4Addr, payload_len: usize) -> Vec<u8> {
    let total = 20 + payload_len;
    let mut p = vec![0u8; total];
    p[0] = 0x45;
    p[2..4].copy_from_slice(&(total as u16).to_be_bytes());
    p[8] = 64;
    p[9] = 253;
    p[12..16].copy_from_slice(&src.octets());
    p[16..20].copy_from_slice(&dst.octets());
    for (i, b) in p[20..].iter_mut().enumerate() {
        *b = i as u8;
    }
    p
}

fn device(seed: u64, key: u8, clock: &Arc<AtomicU64>) -> Device {
    let rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed);
    let mut dev = Device::new(Box::new(rng), Box::new(Clock(Arc::clone(clock))));
    dev.set_private_key(Some(PrivateKey::from_bytes([key; 32])));
    dev
}

impl World {
    pub(crate) fn new(seed: u64, through_data_path: bool) -> World {
        let clock = Arc::new(AtomicU64::new(0));
        let mut hub = device(seed, 100, &clock);
        let hub_public = *hub.public_key().unwrap();
        let (mut remotes, mut at_hub) = (Vec::new(), Vec::new());
        for i in 0..REMOTES {
            let mut remote = device(seed + 1 + i as u64, i as u8 + 1, &clock);
            let id = hub.add_peer(*remote.public_key().unwrap()).unwrap();
            hub.add_allowed_ip(id, remote_prefix(i).into(), 24).unwrap();
            hub.add_allowed_ip(id, host_route(i).into(), 32).unwrap();
            if i != 3 {
                hub.set_endpoint(id, remote_addr(i)).unwrap();
            }
            let hub_at_remote = remote.add_peer(hub_public).unwrap();
            remote
                .add_allowed_ip(hub_at_remote, HUB_TUN.into(), 32)
                .unwrap();
            remote.set_endpoint(hub_at_remote, hub_addr()).unwrap();
            remotes.push(remote);
            at_hub.push(id);
        }
        let path = through_data_path.then(|| hub.data_path());
        let mut world = World {
            hub,
            path,
            remotes,
            at_hub,
            routed: vec![true; REMOTES],
            now: Instant::from_nanos(1_000_000_000),
            clock,
            log: Vec::new(),
        };
        // Sessions with 0 and 1 (the hub initiates), 2 and 3 (they do).
        for dst in [0, 1] {
            world.apply(&Op::HubSends {
                dst,
                len: 8,
                not_ip: false,
            });
        }
        for remote in [2, 3] {
            world.apply(&Op::RemoteSends {
                remote,
                spoofed: false,
                len: 8,
            });
        }
        world
    }

    pub(crate) fn destination(&self, dst: u8) -> Ipv4Addr {
        let i = usize::from(dst) % REMOTES;
        match dst / REMOTES as u8 {
            0 => Ipv4Addr::from(u32::from(remote_prefix(i)) + 7),
            1 => host_route(i),
            _ => Ipv4Addr::new(10, 7, 0, dst),
        }
    }

    /// Applies one operation, then delivers every datagram until the network is quiet.
    pub(crate) fn apply(&mut self, op: &Op) {
        self.log.push(format!("{op:?}"));
        match *op {
            Op::HubSends { dst, len, not_ip } => {
                let mut packet = ipv4(HUB_TUN, self.destination(dst), usize::from(len));
                if not_ip {
                    packet[0] = 0x15;
                }
                self.hub_sends(&packet);
            }
            Op::RemoteSends {
                remote,
                spoofed,
                len,
            } => {
                let i = usize::from(remote);
                let owner = if spoofed { (i + 1) % REMOTES } else { i };
                let src = Ipv4Addr::from(u32::from(remote_prefix(owner)) + 9);
                let packet = ipv4(src, HUB_TUN, usize::from(len));
                let mut out = vec![0u8; packet.len() + 64];
                let now = self.now;
                let result = self.remotes[i].encapsulate(now, &packet, &mut out);
                self.log.push(format!("remote {i} sends: {result:?}"));
                if let Ok(Outbound::Transmit { len, .. }) = result {
                    self.hub_receives(remote_addr(i), out[..len].to_vec());
                }
            }
            Op::Wait { millis } => {
                let until = self.now + Duration::from_millis(u64::from(millis));
                self.run_timers(until);
            }
            Op::SetMtu(mtu) => self.hub.set_mtu(mtu),
            Op::ToggleRoute { remote } => {
                let i = usize::from(remote);
                let (id, prefix) = (self.at_hub[i], remote_prefix(i).into());
                if self.routed[i] {
                    self.hub.remove_allowed_ip(id, prefix, 24);
                } else {
                    self.hub.add_allowed_ip(id, prefix, 24).unwrap();
                }
                self.routed[i] = !self.routed[i];
            }
        }
        self.deliver_all();
        self.observe();
    }

    fn hub_sends(&mut self, packet: &[u8]) {
        let mut out = vec![0u8; packet.len() + 64];
        let now = self.now;
        let result = match &mut self.path {
            Some(path) => path.encapsulate(&mut self.hub, now, packet, &mut out),
            None => self.hub.encapsulate(now, packet, &mut out),
        };
        self.log.push(format!("hub sends: {result:?}"));
        if let Ok(Outbound::Transmit { dst, len, .. }) = result {
            self.log.push(format!("sealed {:?}", &out[..len]));
            self.remote_receives(dst.addr, out[..len].to_vec());
        }
    }

    fn hub_receives(&mut self, from: SocketAddr, mut data: Vec<u8>) {
        let from = Endpoint {
            addr: from,
            local_ip: Some(hub_addr().ip()),
        };
        let now = self.now;
        let result = match &mut self.path {
            Some(path) => path.handle_datagram(&mut self.hub, now, from, &mut data),
            None => self.hub.handle_datagram(now, from, &mut data),
        };
        self.log.push(format!("hub receives: {result:?}"));
        if let Ok(Inbound::Tunnel { range, .. }) = result {
            self.log.push(format!("delivered {:?}", &data[range]));
        }
    }

    fn remote_receives(&mut self, to: SocketAddr, mut data: Vec<u8>) {
        let Some(i) = (0..REMOTES).find(|&i| remote_addr(i) == to) else {
            self.log.push(format!("to nowhere: {to}"));
            return;
        };
        let from = Endpoint::from(hub_addr());
        let result = self.remotes[i].handle_datagram(self.now, from, &mut data);
        self.log.push(format!("remote {i} receives: {result:?}"));
    }

    /// Hands every queued datagram to its receiver, until none is left.
    fn deliver_all(&mut self) {
        for _ in 0..100 {
            let mut quiet = true;
            while let Some(t) = self.hub.poll_transmit() {
                quiet = false;
                self.log
                    .push(format!("hub transmits {:?} {:?}", t.dst, t.data));
                self.remote_receives(t.dst.addr, t.data);
            }
            for i in 0..REMOTES {
                while let Some(t) = self.remotes[i].poll_transmit() {
                    quiet = false;
                    self.hub_receives(remote_addr(i), t.data);
                }
            }
            if quiet {
                return;
            }
        }
        panic!("the network never went quiet");
    }

    /// Runs every device's timers in deadline order up to `until`.
    fn run_timers(&mut self, until: Instant) {
        loop {
            let deadlines = std::iter::once(self.hub.poll_timeout())
                .chain(self.remotes.iter().map(Device::poll_timeout));
            let Some(next) = deadlines.flatten().min().filter(|t| *t <= until) else {
                break;
            };
            self.set_now(next.max(self.now));
            self.hub.handle_timeout(self.now);
            for remote in &mut self.remotes {
                remote.handle_timeout(self.now);
            }
            self.deliver_all();
        }
        self.set_now(until);
    }

    fn set_now(&mut self, now: Instant) {
        self.now = now;
        self.clock
            .store(now.as_nanos() - 1_000_000_000, Ordering::Relaxed);
    }

    /// What the caller of the hub can see besides the calls' results.
    fn observe(&mut self) {
        while let Some(event) = self.hub.poll_event() {
            self.log.push(format!("event {event:?}"));
        }
        self.log.push(format!("drops {:?}", self.hub.drop_stats()));
        self.log
            .push(format!("next deadline {:?}", self.hub.poll_timeout()));
        for (i, id) in self.at_hub.iter().enumerate() {
            let peer = self.hub.peer_info(*id).unwrap();
            self.log.push(format!(
                "peer {i}: tx {} rx {} endpoint {:?} handshake {:?} session {} staged {}",
                peer.tx_bytes(),
                peer.rx_bytes(),
                peer.endpoint(),
                peer.last_handshake(),
                peer.has_session(self.now),
                peer.staged_packets(),
            ));
        }
    }
}
