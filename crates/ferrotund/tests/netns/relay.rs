//! A UDP relay that impairs WireGuard traffic like netem: it drops `loss` percent of the
//! transport messages and holds back `reorder` percent of them for `delay_ms`, so they arrive
//! after packets sent later. It runs as a helper process (see `seqstream`) in the
//! responder's namespace: the initiator's endpoint is the relay's `listen` address, the relay
//! forwards to the daemon at `target` and sends the daemon's replies back to whoever last
//! wrote to it. Handshake messages pass untouched (unless `handshakes=1`), so a test spends
//! its time on data, not on handshake retries.
//!
//! Result fields: per direction (`ab` initiator → responder, `ba` back) the transport
//! messages seen, dropped and delayed, and `ab_counted` / `ab_counted_delayed`: the
//! initiator's transport messages exactly `count_len` bytes long (a test stream's packets)
//! that were forwarded, in all and after a delay: exactly what the responder's daemon
//! received of that stream. A datagram `FTRELAYSTOP` to `listen` ends the relay early.

use std::collections::HashMap;
use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Default, Clone, Copy)]
struct Counts {
    transport: u64,
    dropped: u64,
    delayed: u64,
    counted: u64,
    counted_delayed: u64,
}

struct Impair {
    loss: u64,
    reorder: u64,
    delay: Duration,
    handshakes: bool,
    count_len: usize,
    rng: u64,
    stop: Arc<AtomicBool>,
}

impl Impair {
    /// xorshift64: reproducible with the seed, good enough to pick packets.
    fn percent(&mut self) -> u64 {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        self.rng % 100
    }
}

/// One direction: receive on `from`, send with `to` to the address `dst()` gives.
fn pump(
    from: &UdpSocket,
    to: &UdpSocket,
    dst: &dyn Fn(SocketAddr) -> Option<SocketAddr>,
    imp: &mut Impair,
    until: Instant,
) -> Counts {
    let mut counts = Counts::default();
    let mut held: Vec<(Instant, Vec<u8>, SocketAddr)> = Vec::new();
    let mut buf = vec![0u8; 65536];
    while Instant::now() < until && !imp.stop.load(Ordering::Relaxed) {
        let next = held.iter().map(|h| h.0).min();
        let wait = next.map_or(Duration::from_millis(50), |t| {
            t.saturating_duration_since(Instant::now())
                .max(Duration::from_micros(200))
        });
        let _ = from.set_read_timeout(Some(wait));
        if let Ok((n, src)) = from.recv_from(&mut buf) {
            if &buf[..n] == b"FTRELAYSTOP" {
                imp.stop.store(true, Ordering::Relaxed);
                break;
            }
            if let Some(out) = dst(src) {
                let packet = buf[..n].to_vec();
                let transport = packet.first() == Some(&4);
                let impaired = transport || imp.handshakes;
                counts.transport += u64::from(transport);
                if impaired && imp.percent() < imp.loss {
                    counts.dropped += u64::from(transport);
                } else if impaired && imp.percent() < imp.reorder {
                    counts.delayed += u64::from(transport);
                    held.push((Instant::now() + imp.delay, packet, out));
                } else {
                    counts.counted += u64::from(transport && n == imp.count_len);
                    let _ = to.send_to(&packet, out);
                }
            }
        }
        let now = Instant::now();
        for (_, packet, out) in held.iter().filter(|h| h.0 <= now) {
            let counted = u64::from(packet[0] == 4 && packet.len() == imp.count_len);
            counts.counted += counted;
            counts.counted_delayed += counted;
            let _ = to.send_to(packet, *out);
        }
        held.retain(|h| h.0 > now);
    }
    counts
}

fn parse<T: std::str::FromStr>(args: &HashMap<&str, &str>, key: &str) -> T {
    args.get(key)
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("relay needs a valid {key}="))
}

/// `relay listen=IP:PORT target=IP:PORT loss=P reorder=P delay_ms=N secs=N seed=N
/// count_len=N [handshakes=1]`; returns the result fields.
pub fn run(args: &HashMap<&str, &str>) -> String {
    let listen: SocketAddr = parse(args, "listen");
    let target: SocketAddr = parse(args, "target");
    let until = Instant::now() + Duration::from_secs(parse(args, "secs"));
    let seed: u64 = parse(args, "seed");
    let stop = Arc::new(AtomicBool::new(false));
    let impair = |salt: u64| Impair {
        loss: parse(args, "loss"),
        reorder: parse(args, "reorder"),
        delay: Duration::from_millis(parse(args, "delay_ms")),
        handshakes: args.get("handshakes") == Some(&"1"),
        count_len: parse(args, "count_len"),
        rng: (seed ^ salt) | 1,
        stop: Arc::clone(&stop),
    };
    let front = UdpSocket::bind(listen).expect("bind listen");
    let back = UdpSocket::bind(SocketAddr::new(target.ip(), 0)).expect("bind back");
    let client: Arc<Mutex<Option<SocketAddr>>> = Arc::default();
    let (front2, back2, client2) = (
        front.try_clone().expect("clone"),
        back.try_clone().expect("clone"),
        Arc::clone(&client),
    );
    let mut imp_ba = impair(0x5bd1_e995);
    let ba = std::thread::spawn(move || {
        let dst = |_| *client2.lock().unwrap_or_else(|e| e.into_inner());
        pump(&back2, &front2, &dst, &mut imp_ba, until)
    });
    let mut imp_ab = impair(0x9e37_79b9);
    let dst = |src| {
        *client.lock().unwrap_or_else(|e| e.into_inner()) = Some(src);
        Some(target)
    };
    let ab = pump(&front, &back, &dst, &mut imp_ab, until);
    let ba = ba.join().expect("relay thread");
    format!(
        "ab_transport={} ab_dropped={} ab_delayed={} ab_counted={} ab_counted_delayed={} \
         ba_transport={} ba_dropped={} ba_delayed={}",
        ab.transport,
        ab.dropped,
        ab.delayed,
        ab.counted,
        ab.counted_delayed,
        ba.transport,
        ba.dropped,
        ba.delayed
    )
}
