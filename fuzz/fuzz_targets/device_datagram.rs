//! The whole sans-IO device under a fuzzer-chosen sequence of datagrams, time steps and
//! tunnel packets.
//!
//! Two devices hold the reference vectors' keys: `A` (the vectors' responder) and `B` (the
//! initiator), each with the other as its only peer. The input is split into operations:
//! arbitrary datagrams from arbitrary source addresses into either device; delivery, loss,
//! reordering, mutation and replay of the datagrams the devices really send each other; time
//! steps (forwards, rarely backwards) with timer processing; tunnel packets to encapsulate;
//! load and preshared-key changes; removing and re-adding the peer. Because `B` answers for
//! real, the fuzzer reaches completed handshakes, transport data, cookies under load, rekeys
//! and timer paths, not just the first checks of `handle_datagram`.
//!
//! Input: a flags byte (bit 0: A knows B's endpoint; bit 1: both use the vectors' PSK; bit 2:
//! tunnel packets and datagrams go through a `DataPath`, as in ferrotund, so the same checks
//! hold for the lock-free path and its caches), then
//! operations, each an opcode byte (bit 7 picks the host) and its arguments. The seeds
//! `[0x00, 0x00, len_lo, len_hi, message…]` inject one vector message into A as a raw datagram
//! from B's address; `make_seeds.py` also writes handshake-and-traffic scripts.
//!
//! Checked on every step, besides "never panics":
//! * authenticity: a packet a device hands to its tunnel is exactly (up to the declared IP
//!   length, padding included) a packet its peer encapsulated, its source is in the peer's
//!   allowed IPs, and each is delivered at most once, whatever was replayed or mutated;
//! * `Inbound::Tunnel` ranges lie in the buffer after the 16-byte header;
//! * every dropped datagram is counted in exactly one `DropStats` counter, and nothing else is;
//! * everything a device transmits is a well-formed message, handshake messages carry a mac1
//!   valid for the receiving peer;
//! * events name the configured peer;
//! * `handle_timeout(now)` leaves `poll_timeout()` after `now` within a few calls (no busy loop).
#![no_main]

use ferrotun_fuzz::{case, Bytes};
use ferrotun_proto::cookie::{CookieChecker, MacVerdict};
use ferrotun_proto::device::{
    DataPath, Device, DropStats, Event, Inbound, Outbound, PeerId, SendError,
};
use ferrotun_proto::keys::{PresharedKey, PrivateKey, PublicKey};
use ferrotun_proto::peer::Endpoint;
use ferrotun_proto::time::{Duration, Instant, WallClock};
use ferrotun_proto::wire::{self, Message};
use libfuzzer_sys::fuzz_target;
use rand_core::SeedableRng;
use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Unix time of the vectors' initiation timestamp.
const EPOCH_UNIX_SECS: u64 = 1_700_000_000;
/// Datagrams each direction may have in flight before the oldest is lost.
const MAX_IN_FLIGHT: usize = 64;
/// Datagrams remembered for replays.
const HISTORY: usize = 32;
/// Largest tunnel packet the fuzzer builds (below the default MTU, so padding is to 16).
const MAX_PACKET: usize = 1200;

/// A wall clock that follows the monotonic time the harness passes in.
#[derive(Clone)]
struct Wall(Arc<AtomicU64>);

impl WallClock for Wall {
    fn now_since_unix_epoch(&self) -> Duration {
        Duration::from_secs(EPOCH_UNIX_SECS) + Duration::from_nanos(self.0.load(Ordering::Relaxed))
    }
}

struct Host {
    device: Device,
    addr: SocketAddr,
    /// The other host's static key, and its handle here.
    peer_key: PublicKey,
    peer: PeerId,
    /// Checks mac1 on handshake messages this host sends (keyed by the receiver's key).
    receiver_checker: CookieChecker,
    /// Tunnel source addresses the peer may use, as configured here.
    peer_v4: Ipv4Addr,
    peer_v6: Ipv6Addr,
    /// Datagrams sent and not yet delivered or lost.
    outbox: VecDeque<Vec<u8>>,
    /// Expected deliveries at the *other* host: plaintext → number of times sent.
    sent: HashMap<Vec<u8>, u32>,
    /// The data path packets go through, if the flags ask for one.
    path: Option<DataPath>,
}

struct World {
    hosts: [Host; 2],
    now: u64,
    wall: Arc<AtomicU64>,
    history: VecDeque<(usize, SocketAddr, Vec<u8>)>,
    packet_seq: u16,
}

fn stats_total(s: &DropStats) -> u64 {
    s.malformed
        + s.invalid_mac1
        + s.rate_limited
        + s.handshake
        + s.unknown_index
        + s.cookie
        + s.decrypt
        + s.replay
        + s.invalid_packet
        + s.source_not_allowed
}

/// The other host's side of the configuration, as seen from one host.
struct PeerConfig {
    key: PublicKey,
    endpoint: Option<SocketAddr>,
    v4: Ipv4Addr,
    v6: Ipv6Addr,
}

fn configure_peer(device: &mut Device, p: &PeerConfig) -> PeerId {
    let id = device.add_peer(p.key).expect("peer key is not our own");
    device
        .add_allowed_ip(id, IpAddr::V4(p.v4), 32)
        .expect("valid prefix");
    device
        .add_allowed_ip(id, IpAddr::V6(p.v6), 128)
        .expect("valid prefix");
    if let Some(ep) = p.endpoint {
        device.set_endpoint(id, ep).expect("peer exists");
    }
    id
}

fn host(
    own_private: [u8; 32],
    addr: SocketAddr,
    p: &PeerConfig,
    seed: u64,
    wall: &Arc<AtomicU64>,
) -> Host {
    let mut device = Device::new(
        Box::new(rand_chacha::ChaCha8Rng::seed_from_u64(seed)),
        Box::new(Wall(Arc::clone(wall))),
    );
    device.set_private_key(Some(PrivateKey::from_bytes(own_private)));
    let peer = configure_peer(&mut device, p);
    Host {
        device,
        addr,
        peer_key: p.key,
        peer,
        receiver_checker: CookieChecker::new(Some(&p.key)),
        peer_v4: p.v4,
        peer_v6: p.v6,
        outbox: VecDeque::new(),
        sent: HashMap::new(),
        path: None,
    }
}

const A_ADDR: ([u8; 4], u16) = ([192, 0, 2, 1], 51820);
const B_ADDR: ([u8; 4], u16) = ([192, 0, 2, 2], 51820);
const A_TUN4: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
const B_TUN4: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);
const A_TUN6: Ipv6Addr = Ipv6Addr::new(0xfd00, 0, 0, 0, 0, 0, 0, 1);
const B_TUN6: Ipv6Addr = Ipv6Addr::new(0xfd00, 0, 0, 0, 0, 0, 0, 2);

impl World {
    fn new(flags: u8) -> World {
        let v = case("handshake_zero_psk");
        let wall = Arc::new(AtomicU64::new(0));
        let (a_addr, b_addr) = (SocketAddr::from(A_ADDR), SocketAddr::from(B_ADDR));
        let a_key = PublicKey::from_bytes(v.b32("responder_static_public"));
        let b_key = PublicKey::from_bytes(v.b32("initiator_static_public"));
        // A knows B's endpoint only if flag 1 says so (else it learns it from B's handshake).
        let a = host(
            v.b32("responder_static_private"),
            a_addr,
            &PeerConfig {
                key: b_key,
                endpoint: (flags & 1 != 0).then_some(b_addr),
                v4: B_TUN4,
                v6: B_TUN6,
            },
            1,
            &wall,
        );
        let b = host(
            v.b32("initiator_static_private"),
            b_addr,
            &PeerConfig {
                key: a_key,
                endpoint: Some(a_addr),
                v4: A_TUN4,
                v6: A_TUN6,
            },
            2,
            &wall,
        );
        let mut w = World {
            hosts: [a, b],
            now: 1_000_000_000,
            wall,
            history: VecDeque::new(),
            packet_seq: 0,
        };
        if flags & 4 != 0 {
            for h in &mut w.hosts {
                h.path = Some(h.device.data_path());
            }
        }
        if flags & 2 != 0 {
            let psk = PresharedKey::from_bytes(case("handshake_with_psk").b32("preshared_key"));
            for h in &mut w.hosts {
                h.device
                    .set_preshared_key(h.peer, psk.clone())
                    .expect("peer exists");
            }
        }
        w
    }

    fn instant(&self) -> Instant {
        Instant::from_nanos(self.now)
    }

    fn set_time(&mut self, nanos: u64) {
        self.now = nanos;
        self.wall.store(nanos, Ordering::Relaxed);
    }

    /// Collects what host `i` wants to send and the events it reports, checking both.
    fn drain(&mut self, i: usize) {
        let h = &mut self.hosts[i];
        while let Some(t) = h.device.poll_transmit() {
            check_transmit(h, &t.data);
            if h.outbox.len() == MAX_IN_FLIGHT {
                h.outbox.pop_front();
            }
            h.outbox.push_back(t.data);
        }
        while let Some(e) = h.device.poll_event() {
            let id = match e {
                Event::HandshakeComplete(id)
                | Event::HandshakeGaveUp(id)
                | Event::KeysZeroed(id) => id,
            };
            assert_eq!(id, h.peer, "event {e:?} for a peer we do not have");
        }
    }

    /// Hands `data` to host `i` as a datagram from `from`.
    fn receive(&mut self, i: usize, from: SocketAddr, data: &[u8]) {
        let now = self.instant();
        let mut buf = data.to_vec();
        let h = &mut self.hosts[i];
        let before = stats_total(&h.device.drop_stats());
        let result = match &mut h.path {
            Some(dp) => dp.handle_datagram(&mut h.device, now, Endpoint::from(from), &mut buf),
            None => h
                .device
                .handle_datagram(now, Endpoint::from(from), &mut buf),
        };
        let after = stats_total(&h.device.drop_stats());
        match &result {
            Err(reason) => {
                assert_eq!(after, before + 1, "drop {reason:?} counted once");
            }
            Ok(_) => assert_eq!(after, before, "no drop counted for {result:?}"),
        }
        if let Ok(Inbound::Tunnel { peer, range }) = result {
            assert_eq!(peer, h.peer);
            assert_eq!(range.start, wire::TransportHeader::LEN);
            assert!(range.end <= buf.len() && range.start <= range.end);
            let packet = buf[range].to_vec();
            let allowed = match packet[0] >> 4 {
                4 => packet[12..16] == h.peer_v4.octets(),
                6 => packet[8..24] == h.peer_v6.octets(),
                v => panic!("tunnel packet of IP version {v}"),
            };
            assert!(allowed, "tunnel packet from a source the peer may not use");
            let other = &mut self.hosts[1 - i].sent;
            match other.get_mut(&packet) {
                Some(n) if *n > 0 => *n -= 1,
                Some(_) => panic!("tunnel packet delivered more often than sent: {packet:02x?}"),
                None => panic!("tunnel packet the peer never sent: {packet:02x?}"),
            }
        }
        if self.history.len() == HISTORY {
            self.history.pop_front();
        }
        self.history.push_back((i, from, data.to_vec()));
        self.drain(i);
    }

    /// Host `i` encapsulates a tunnel packet for its peer.
    fn send_packet(&mut self, i: usize, input: &mut Bytes) {
        let sel = input.u8();
        let payload = input.chunk(MAX_PACKET);
        self.packet_seq = self.packet_seq.wrapping_add(1);
        let seq = self.packet_seq.to_be_bytes();
        // Our tunnel addresses are what the other host allows for us.
        let (own4, own6) = (self.hosts[1 - i].peer_v4, self.hosts[1 - i].peer_v6);
        let (dst4, dst6) = (self.hosts[i].peer_v4, self.hosts[i].peer_v6);
        // Usually our real tunnel address; sometimes one the peer must refuse.
        let spoofed = sel & 0x10 != 0;
        let (src4, src6) = if !spoofed {
            (own4, own6)
        } else {
            (
                Ipv4Addr::new(10, 0, 0, 3),
                Ipv6Addr::new(0xfd00, 0, 0, 0, 0, 0, 0, 3),
            )
        };
        let mut packet = Vec::new();
        if sel & 1 == 0 {
            let total = 20 + payload.len();
            packet.extend_from_slice(&[0x45, 0]);
            packet.extend_from_slice(&(total as u16).to_be_bytes());
            packet.extend_from_slice(&[seq[0], seq[1], 0, 0, 64, 17, 0, 0]);
            packet.extend_from_slice(&src4.octets());
            packet.extend_from_slice(&dst4.octets());
        } else {
            packet.extend_from_slice(&[0x60, 0, 0, 0]);
            packet.extend_from_slice(&(payload.len() as u16).to_be_bytes());
            packet.extend_from_slice(&[17, 64]);
            packet.extend_from_slice(&src6.octets());
            packet.extend_from_slice(&dst6.octets());
            packet[1..3].copy_from_slice(&seq);
        }
        packet.extend_from_slice(payload);
        if sel & 0x20 != 0 {
            // A lying length field: the receiver must trim to it or drop the packet.
            let lie = input.u16().to_be_bytes();
            let at = if sel & 1 == 0 { 2 } else { 4 };
            packet[at..at + 2].copy_from_slice(&lie);
        }
        let mut out = vec![0u8; packet.len() + 32 + 15];
        let now = self.instant();
        let h = &mut self.hosts[i];
        let result = match &mut h.path {
            Some(dp) => dp.encapsulate(&mut h.device, now, &packet, &mut out),
            None => h.device.encapsulate(now, &packet, &mut out),
        };
        match result {
            Ok(Outbound::Transmit { peer, len, .. }) => {
                assert_eq!(peer, h.peer);
                check_transmit(h, &out[..len]);
                if h.outbox.len() == MAX_IN_FLIGHT {
                    h.outbox.pop_front();
                }
                h.outbox.push_back(out[..len].to_vec());
            }
            Ok(Outbound::Queued(peer)) => assert_eq!(peer, h.peer),
            Err(SendError::NoEndpoint(peer)) => {
                // Only A starts without B's endpoint, and it learns it from B's handshake.
                assert_eq!(peer, h.peer);
                let info = h.device.peer_info(peer).expect("peer exists");
                assert!(info.endpoint().is_none());
                return;
            }
            Err(e) => panic!("encapsulating a routable packet failed: {e:?}"),
        }
        if let Some(expected) = expected_delivery(&packet, sel & 1 == 0, spoofed) {
            *h.sent.entry(expected).or_default() += 1;
        }
        self.drain(i);
    }

    fn timers(&mut self) {
        let now = self.instant();
        for i in 0..2 {
            let mut calls = 0;
            while self.hosts[i]
                .device
                .poll_timeout()
                .is_some_and(|t| t <= now)
            {
                calls += 1;
                assert!(
                    calls <= 3,
                    "handle_timeout({now:?}) keeps the deadline in the past"
                );
                self.hosts[i].device.handle_timeout(now);
                self.drain(i);
            }
        }
    }
}

/// What the receiver must hand to its tunnel for `packet`: the packet with the sender's zero
/// padding (to a multiple of 16), cut to the IP header's length; `None` if it must be dropped
/// (bad length, or a source the receiver does not allow).
fn expected_delivery(packet: &[u8], v4: bool, spoofed: bool) -> Option<Vec<u8>> {
    if spoofed {
        return None;
    }
    let mut padded = packet.to_vec();
    padded.resize(packet.len().div_ceil(16) * 16, 0);
    let declared = if v4 {
        usize::from(u16::from_be_bytes([packet[2], packet[3]]))
    } else {
        40 + usize::from(u16::from_be_bytes([packet[4], packet[5]]))
    };
    let min = if v4 { 20 } else { 40 };
    (declared >= min && declared <= padded.len()).then(|| padded[..declared].to_vec())
}

/// Everything a host sends must parse, and its handshake messages must pass the receiver's
/// mac1 check.
fn check_transmit(h: &Host, data: &[u8]) {
    let msg = wire::parse(data).unwrap_or_else(|e| panic!("device sent a malformed message: {e}"));
    match msg {
        Message::Initiation(_) | Message::Response(_) => {
            let verdict =
                h.receiver_checker
                    .check(Instant::ZERO, data, SocketAddr::from(([0, 0, 0, 0], 0)));
            assert_ne!(
                verdict,
                MacVerdict::Invalid,
                "handshake message with a bad mac1"
            );
        }
        Message::CookieReply(_) => {}
        Message::Transport(_, body) => assert_eq!((body.len() - 16) % 16, 0, "unpadded transport"),
    }
}

/// A source address: the peer's real one, a roaming port, or anything.
fn source(input: &mut Bytes, real: SocketAddr) -> SocketAddr {
    match input.u8() % 8 {
        0..=3 => real,
        4 => SocketAddr::new(real.ip(), input.u16()),
        5 => SocketAddr::from((input.array::<4>(), input.u16())),
        6 => SocketAddr::from((input.array::<16>(), input.u16())),
        _ => SocketAddr::from(([192, 0, 2, 9], 51820)),
    }
}

fn mutate(input: &mut Bytes, data: &mut Vec<u8>) {
    if data.is_empty() {
        return;
    }
    let at = usize::from(input.u16()) % data.len();
    match input.u8() % 5 {
        0 => data[at] ^= 1 << (input.u8() % 8),
        1 => data.truncate(at),
        2 if data.len() >= 8 => data[4..8].copy_from_slice(&input.array::<4>()),
        3 if data.len() >= 16 => data[8..16].copy_from_slice(&input.array::<8>()),
        _ => data.extend_from_slice(input.chunk(64)),
    }
}

fuzz_target!(|data: &[u8]| {
    let mut input = Bytes::new(data);
    let flags = input.u8();
    let mut w = World::new(flags);
    while !input.is_empty() {
        let op = input.u8();
        // Which host the operation is about: bit 7.
        let i = usize::from(op >> 7);
        match op & 0x7f {
            // Raw datagram (the seeds' vector messages).
            0 | 1 => {
                let datagram = input.chunk(2048).to_vec();
                let real = w.hosts[1 - i].addr;
                let from = source(&mut input, real);
                w.receive(i, from, &datagram);
            }
            // Deliver the oldest datagram the other host sent.
            2..=9 => {
                if let Some(d) = w.hosts[1 - i].outbox.pop_front() {
                    let real = w.hosts[1 - i].addr;
                    let from = if op & 0x7f == 9 {
                        source(&mut input, real)
                    } else {
                        real
                    };
                    w.receive(i, from, &d);
                }
            }
            // Deliver the newest one first (reordering).
            10 => {
                if let Some(d) = w.hosts[1 - i].outbox.pop_back() {
                    let from = w.hosts[1 - i].addr;
                    w.receive(i, from, &d);
                }
            }
            // Lose one.
            11 => {
                w.hosts[1 - i].outbox.pop_front();
            }
            // A mutated copy of the oldest in-flight datagram (the original stays in flight).
            12 | 13 => {
                if let Some(mut d) = w.hosts[1 - i].outbox.front().cloned() {
                    mutate(&mut input, &mut d);
                    let from = w.hosts[1 - i].addr;
                    w.receive(i, from, &d);
                }
            }
            // Replay something delivered before.
            14 => {
                if !w.history.is_empty() {
                    let k = usize::from(input.u8()) % w.history.len();
                    let (to, from, d) = w.history[k].clone();
                    w.receive(to, from, &d);
                }
            }
            // Time passes; expired timers run.
            15..=20 => {
                let unit =
                    [1_000_000u64, 100_000_000, 1_000_000_000, 10_000_000_000][usize::from(op & 3)];
                let step = u64::from(input.u8()) * unit;
                w.set_time(w.now.saturating_add(step));
                w.timers();
            }
            // The clock steps backwards (the core must not panic).
            21 => {
                let back = u64::from(input.u16()) * 1_000_000;
                w.set_time(w.now.saturating_sub(back));
                w.timers();
            }
            // Tunnel packets.
            22..=27 => w.send_packet(i, &mut input),
            28 => {
                let on = input.u8() & 1 != 0;
                w.hosts[i].device.set_under_load(on);
            }
            29 => {
                let key = if input.u8() & 1 == 0 {
                    PresharedKey::from_bytes([0; 32])
                } else {
                    PresharedKey::from_bytes(case("handshake_with_psk").b32("preshared_key"))
                };
                let h = &mut w.hosts[i];
                h.device
                    .set_preshared_key(h.peer, key)
                    .expect("peer exists");
            }
            30 => {
                let secs = u16::from(input.u8() % 30);
                let now = w.instant();
                let h = &mut w.hosts[i];
                h.device
                    .set_persistent_keepalive(now, h.peer, secs)
                    .expect("peer exists");
                w.drain(i);
            }
            31 => {
                // Remove the peer and add it back: all sessions and indices are gone.
                let other_addr = w.hosts[1 - i].addr;
                let h = &mut w.hosts[i];
                h.device.remove_peer(h.peer);
                let cfg = PeerConfig {
                    key: h.peer_key,
                    endpoint: Some(other_addr),
                    v4: h.peer_v4,
                    v6: h.peer_v6,
                };
                let id = configure_peer(&mut h.device, &cfg);
                assert_ne!(id, h.peer, "peer handles are never reused");
                h.peer = id;
                w.drain(i);
            }
            32 => {
                let mtu = [0usize, 1280, 1420, 65_535][usize::from(input.u8() % 4)];
                w.hosts[i].device.set_mtu(mtu);
            }
            _ => {
                // Deliver everything in flight both ways, in order.
                for _ in 0..4 {
                    for j in 0..2 {
                        while let Some(d) = w.hosts[1 - j].outbox.pop_front() {
                            let from = w.hosts[1 - j].addr;
                            w.receive(j, from, &d);
                        }
                    }
                }
            }
        }
    }
    if std::env::var_os("FERROTUN_FUZZ_DEBUG").is_some() {
        for (n, h) in w.hosts.iter().enumerate() {
            let info = h.device.peer_info(h.peer).expect("peer exists");
            eprintln!(
                "host {n}: session={} rx={} tx={} drops={:?} undelivered={}",
                info.has_session(w.instant()),
                info.rx_bytes(),
                info.tx_bytes(),
                h.device.drop_stats(),
                h.sent.values().sum::<u32>()
            );
        }
    }
});
