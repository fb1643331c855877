//! Clock jumps on the virtual clock: a host that sleeps through a suspend, a host whose
//! monotonic clock did not count the suspend, and a peer whose wall clock went backwards
//! (docs/behaviour.md describes the behaviour these tests pin down).
//!
//! `SimNet` runs every device on one clock and always runs due timers, so it cannot model a
//! host that is asleep while its peer carries on. These tests use a two-host world of their
//! own: each host has its own monotonic offset and wall clock, and can be asleep (it then
//! neither receives nor runs timers, as a suspended machine).

use ferrotun_proto::device::{Device, DropReason, Event, Inbound, Outbound, PeerId};
use ferrotun_proto::keys::PrivateKey;
use ferrotun_proto::noise::NoiseError;
use ferrotun_proto::peer::Endpoint;
use ferrotun_proto::time::{Duration, Instant, WallClock};
use ferrotun_sim::ipv4_packet;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

const TUN: [Ipv4Addr; 2] = [Ipv4Addr::new(10, 0, 0, 1), Ipv4Addr::new(10, 0, 0, 2)];
const LATENCY: Duration = Duration::from_millis(10);
const WALL_START_SECS: u64 = 1_700_000_000;

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

/// A wall clock the test can set (nanoseconds since the Unix epoch).
#[derive(Clone)]
struct Wall(Arc<AtomicU64>);

impl WallClock for Wall {
    fn now_since_unix_epoch(&self) -> Duration {
        Duration::from_nanos(self.0.load(Ordering::Relaxed))
    }
}

struct Host {
    dev: Device,
    addr: SocketAddr,
    peer: PeerId,
    wall: Wall,
    asleep: bool,
    /// Subtracted from the world's time: a monotonic clock that stood still for a while.
    lag: Duration,
    delivered: Vec<Vec<u8>>,
    drops: Vec<DropReason>,
    events: Vec<Event>,
    /// Datagrams sent, with the world time and the message type.
    sent: Vec<(Instant, u8)>,
}

struct World {
    now: Instant,
    hosts: [Host; 2],
    wire: Vec<(Instant, usize, SocketAddr, Vec<u8>)>,
}

fn configure(
    dev: &mut Device,
    own: u8,
    other: u8,
    other_addr: SocketAddr,
    tun: Ipv4Addr,
) -> PeerId {
    dev.set_private_key(Some(PrivateKey::from_bytes([own; 32])));
    let peer = dev
        .add_peer(PrivateKey::from_bytes([other; 32]).public_key())
        .unwrap();
    dev.add_allowed_ip(peer, tun.into(), 32).unwrap();
    dev.set_endpoint(peer, other_addr).unwrap();
    peer
}

fn addr(i: usize) -> SocketAddr {
    SocketAddr::new(Ipv4Addr::new(192, 0, 2, 1 + i as u8).into(), 51820)
}

impl World {
    fn new(seed: u64) -> World {
        let host = |i: usize| {
            let wall = Wall(Arc::new(AtomicU64::new(WALL_START_SECS * 1_000_000_000)));
            let rng = ChaCha20Rng::seed_from_u64(seed * 10 + i as u64);
            let mut dev = Device::new(Box::new(rng), Box::new(wall.clone()));
            let peer = configure(&mut dev, 1 + i as u8, 2 - i as u8, addr(1 - i), TUN[1 - i]);
            Host {
                dev,
                addr: addr(i),
                peer,
                wall,
                asleep: false,
                lag: Duration::ZERO,
                delivered: Vec::new(),
                drops: Vec::new(),
                events: Vec::new(),
                sent: Vec::new(),
            }
        };
        World {
            now: Instant::from_nanos(1_000_000_000),
            hosts: [host(0), host(1)],
            wire: Vec::new(),
        }
    }

    /// Host `i`'s monotonic clock.
    fn clock(&self, i: usize) -> Instant {
        self.now.saturating_sub(self.hosts[i].lag)
    }

    fn flush(&mut self, i: usize) {
        let now = self.now;
        let h = &mut self.hosts[i];
        while let Some(t) = h.dev.poll_transmit() {
            h.sent.push((now, t.data[0]));
            let to = usize::from(t.dst.addr != addr(0));
            self.wire.push((now + LATENCY, to, h.addr, t.data));
        }
        while let Some(e) = h.dev.poll_event() {
            h.events.push(e);
        }
    }

    /// Host `i` sends an IP packet with `payload` into its tunnel.
    fn send(&mut self, i: usize, payload: &[u8]) {
        let packet = ipv4_packet(TUN[i], TUN[1 - i], payload);
        let mut out = vec![0u8; packet.len() + 64];
        let now = self.clock(i);
        let h = &mut self.hosts[i];
        if let Ok(Outbound::Transmit { dst, len, .. }) = h.dev.encapsulate(now, &packet, &mut out) {
            h.sent.push((self.now, out[0]));
            let to = usize::from(dst.addr != addr(0));
            self.wire
                .push((self.now + LATENCY, to, h.addr, out[..len].to_vec()));
        }
        self.flush(i);
    }

    fn deliver(&mut self, to: usize, from: SocketAddr, mut data: Vec<u8>) {
        if self.hosts[to].asleep {
            return; // a suspended machine receives nothing
        }
        let now = self.clock(to);
        let h = &mut self.hosts[to];
        let from = Endpoint::from(from);
        match h.dev.handle_datagram(now, from, &mut data) {
            Ok(Inbound::Tunnel { range, .. }) => h.delivered.push(data[range].to_vec()),
            Ok(Inbound::Handled) => {}
            Err(reason) => h.drops.push(reason),
        }
        self.flush(to);
    }

    /// The world time at which host `i`'s next timer is due.
    fn next_timer(&self, i: usize) -> Option<Instant> {
        let h = &self.hosts[i];
        let due = h.dev.poll_timeout()?;
        (!h.asleep).then_some(due + h.lag)
    }

    fn run_until(&mut self, until: Instant) {
        loop {
            let wire = self.wire.iter().map(|w| w.0).min();
            let timers = (0..2).filter_map(|i| self.next_timer(i));
            let Some(next) = wire.into_iter().chain(timers).min().filter(|t| *t <= until) else {
                break;
            };
            self.now = self.now.max(next);
            while let Some(pos) = self.wire.iter().position(|w| w.0 <= self.now) {
                let (_, to, from, data) = self.wire.remove(pos);
                self.deliver(to, from, data);
            }
            for i in 0..2 {
                if self.next_timer(i).is_some_and(|t| t <= self.now) {
                    let now = self.clock(i);
                    self.hosts[i].dev.handle_timeout(now);
                    self.flush(i);
                }
            }
        }
        self.now = until;
    }

    fn run_for(&mut self, d: Duration) {
        let until = self.now + d;
        self.run_until(until);
    }

    /// Sets host `i`'s wall clock to `since_start` after the start, minus `back`.
    fn set_wall(&mut self, i: usize, since_start: Duration, back: Duration) {
        let t = secs(WALL_START_SECS) + since_start - back;
        self.hosts[i]
            .wall
            .0
            .store(t.as_nanos() as u64, Ordering::Relaxed);
    }

    fn handshakes(&self, i: usize) -> usize {
        let events = &self.hosts[i].events;
        events
            .iter()
            .filter(|e| matches!(e, Event::HandshakeComplete(_)))
            .count()
    }

    fn initiations_since(&self, i: usize, since: Instant) -> usize {
        let sent = &self.hosts[i].sent;
        sent.iter()
            .filter(|(t, kind)| *t >= since && *kind == 1)
            .count()
    }

    /// A sends one packet and B answers it; both must arrive.
    fn exchange(&mut self, tag: u8) {
        let (a, b) = (self.hosts[1].delivered.len(), self.hosts[0].delivered.len());
        self.send(0, &[tag; 8]);
        self.run_for(Duration::from_millis(200));
        self.send(1, &[tag; 8]);
        self.run_for(Duration::from_millis(200));
        assert_eq!(self.hosts[1].delivered.len(), a + 1, "A to B lost {tag}");
        assert_eq!(self.hosts[0].delivered.len(), b + 1, "B to A lost {tag}");
    }
}

/// A laptop (A) suspends for 10 minutes with CLOCK_BOOTTIME: on waking every overdue timer
/// runs once, nothing is sent in a burst, the old session is dead on both sides, and the
/// first packet after the wake starts exactly one handshake that succeeds.
#[test]
fn suspend_for_10_minutes_expires_sessions_and_rehandshakes_once() {
    let mut w = World::new(1);
    w.exchange(1);
    w.run_for(secs(20));
    w.exchange(2);
    assert_eq!(w.handshakes(0), 1);
    w.hosts[0].asleep = true;
    w.run_for(secs(600));
    assert!(
        w.hosts[1]
            .events
            .contains(&Event::KeysZeroed(w.hosts[1].peer)),
        "B, awake, erased the keys after 3 x REJECT_AFTER_TIME: {:?}",
        w.hosts[1].events
    );

    // Wake-up: the boot clock jumped 600 s; the daemon's timer thread wakes once.
    w.hosts[0].asleep = false;
    let woke = w.now;
    let now = w.clock(0);
    let sent_before = w.hosts[0].sent.len();
    w.hosts[0].dev.handle_timeout(now);
    w.flush(0);
    let burst = w.hosts[0].sent.len() - sent_before;
    assert!(burst <= 1, "{burst} datagrams sent at once on waking");
    assert!(
        w.hosts[0].dev.poll_timeout().is_none_or(|t| t > now),
        "a timer is still overdue after handle_timeout: no storm, no busy loop"
    );
    w.hosts[0].dev.handle_timeout(now);
    w.flush(0);
    assert_eq!(
        w.hosts[0].sent.len() - sent_before,
        burst,
        "second wake-up sent more"
    );
    let peer = w.hosts[0].peer;
    assert!(
        !w.hosts[0].dev.peer_info(peer).unwrap().has_session(now),
        "a 10-minute-old session must not send"
    );

    // The first packet after waking is staged, starts one handshake, and arrives.
    w.exchange(3);
    assert_eq!(
        w.handshakes(0),
        2,
        "exactly one new handshake after the wake"
    );
    assert_eq!(
        w.initiations_since(0, woke),
        1,
        "one initiation, no retry storm"
    );
    assert!(
        w.hosts[1].drops.is_empty(),
        "B dropped {:?}",
        w.hosts[1].drops
    );
    // Regression: the wake-up handshake used to be erased by the key-zeroing timer that
    // expired at the same moment, so B's response was dropped and the data waited 5 s.
    assert!(
        w.hosts[0].drops.is_empty(),
        "A dropped {:?}",
        w.hosts[0].drops
    );
}

/// An embedder whose monotonic clock does not count a suspend (CLOCK_MONOTONIC) sees no
/// jump: A believes its session is fresh while B has long erased it. A's first packets are
/// dropped by B as unknown, and A recovers by its own "no answer" rule after
/// KEEPALIVE_TIMEOUT + REKEY_TIMEOUT (+ jitter). ferrotund uses CLOCK_BOOTTIME to avoid this.
#[test]
fn suspend_unseen_by_the_clock_recovers_within_15_seconds() {
    let mut w = World::new(2);
    w.exchange(1);
    w.hosts[0].asleep = true;
    w.run_for(secs(600));
    w.hosts[0].asleep = false;
    w.hosts[0].lag = secs(600);
    let woke = w.now;
    w.send(0, b"lost");
    w.run_for(Duration::from_millis(100));
    assert!(
        w.hosts[1].drops.contains(&DropReason::UnknownIndex),
        "B has no session any more: {:?}",
        w.hosts[1].drops
    );
    let before = w.handshakes(0);
    w.run_for(secs(16));
    assert_eq!(w.handshakes(0), before + 1, "A re-handshakes by itself");
    assert_eq!(w.initiations_since(0, woke), 1);
    w.exchange(2);
}

/// A's wall clock steps back an hour while ferrotun keeps running: its TAI64N timestamps
/// still increase (each is after the previous one sent), so B accepts every new handshake.
#[test]
fn wall_clock_stepping_back_in_a_running_daemon_is_harmless() {
    let mut w = World::new(3);
    w.exchange(1);
    w.set_wall(0, secs(30), secs(3600));
    for round in 0..3u8 {
        w.run_for(secs(130));
        w.exchange(10 + round);
    }
    assert!(w.handshakes(0) >= 3, "rekeys went on: {}", w.handshakes(0));
    let replays = w.hosts[1]
        .drops
        .iter()
        .filter(|d| **d == DropReason::Handshake(NoiseError::ReplayedTimestamp))
        .count();
    assert_eq!(replays, 0);
}

/// A restarts with a wall clock an hour behind the one its last handshake used: B keeps the
/// newest timestamp it accepted from A and rejects A's initiations as replays (that is the
/// protocol: B cannot tell them from recorded ones). Nothing recovers until A's clock passes
/// the old time, or B forgets the timestamp by removing and re-adding the peer.
#[test]
fn restarted_peer_with_a_clock_behind_is_rejected_until_the_peer_is_re_added() {
    let mut w = World::new(4);
    w.exchange(1);
    let elapsed = secs(60);
    w.run_for(elapsed);
    w.set_wall(1, elapsed, Duration::ZERO);

    // A restarts: fresh state, same key and configuration, its clock 1 h behind.
    let wall = Wall(Arc::new(AtomicU64::new(0)));
    let mut dev = Device::new(
        Box::new(ChaCha20Rng::seed_from_u64(99)),
        Box::new(wall.clone()),
    );
    w.hosts[0].peer = configure(&mut dev, 1, 2, addr(1), TUN[1]);
    w.hosts[0].dev = dev;
    w.hosts[0].wall = wall;
    w.set_wall(0, elapsed, secs(3600));
    let before = w.handshakes(0);
    w.send(0, b"after restart");
    w.run_for(secs(30));
    assert_eq!(
        w.handshakes(0),
        before,
        "B must not accept an older timestamp"
    );
    let replayed = DropReason::Handshake(NoiseError::ReplayedTimestamp);
    let rejected = w.hosts[1].drops.iter().filter(|d| **d == replayed).count();
    assert!(
        rejected >= 5,
        "A retries every 5 s, each rejected: {rejected}"
    );

    // The operator on B removes and re-adds the peer (`wg set IF peer KEY remove`, then
    // `wg addconf`/`syncconf`): the stored timestamp is gone and A's next retry succeeds.
    let dev = &mut w.hosts[1].dev;
    dev.remove_peer(w.hosts[1].peer);
    w.hosts[1].peer = configure(dev, 2, 1, addr(0), TUN[0]);
    w.run_for(secs(6));
    assert_eq!(
        w.handshakes(0),
        before + 1,
        "accepted after B re-added the peer"
    );
    w.exchange(2);
}
