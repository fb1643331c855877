//! Sending many datagrams fast: a set of connected, non-blocking UDP sockets on distinct
//! source ports used round-robin, a pacing loop that holds a target rate (or none), and a
//! tally of what came back, by WireGuard message type.

use ferrotun_io::sys;
use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

/// What one sender did and received.
#[derive(Default, Debug, Clone, Copy)]
pub struct Tally {
    pub sent: u64,
    pub bytes: u64,
    /// Datagrams the kernel refused (full buffer, ICMP errors reported on the socket).
    pub send_errors: u64,
    /// Replies by type word 1–4; index 0 counts anything else.
    pub replies: [u64; 5],
}

impl Tally {
    pub fn add(&mut self, other: &Tally) {
        self.sent += other.sent;
        self.bytes += other.bytes;
        self.send_errors += other.send_errors;
        for (a, b) in self.replies.iter_mut().zip(other.replies) {
            *a += b;
        }
    }

    fn count_reply(&mut self, datagram: &[u8]) {
        let kind = match datagram {
            [k @ 1..=4, 0, 0, 0, ..] => usize::from(*k),
            _ => 0,
        };
        self.replies[kind] += 1;
    }
}

/// Drain a socket's replies after this many sends on it: far below what its receive
/// buffer holds, so no reply is lost to the counter.
const DRAIN_EVERY: u64 = 8;

pub struct Blast {
    sockets: Vec<UdpSocket>,
    next: usize,
    buf: Vec<u8>,
}

impl Blast {
    /// `count` sockets bound to `bind_ip` (port chosen by the kernel), connected to `target`.
    pub fn new(target: SocketAddr, count: usize) -> io::Result<Blast> {
        let any: SocketAddr = if target.is_ipv4() {
            "0.0.0.0:0".parse().map_err(io::Error::other)?
        } else {
            "[::]:0".parse().map_err(io::Error::other)?
        };
        let mut sockets = Vec::with_capacity(count);
        for _ in 0..count.max(1) {
            let s = UdpSocket::bind(any)?;
            s.connect(target)?;
            s.set_nonblocking(true)?;
            sockets.push(s);
        }
        Ok(Blast {
            sockets,
            next: 0,
            buf: vec![0; 65_536],
        })
    }

    /// Sends `data` on the next socket; every few sends reads that socket's replies.
    pub fn send(&mut self, data: &[u8], tally: &mut Tally) {
        let i = self.next;
        self.next = (self.next + 1) % self.sockets.len();
        match self.sockets[i].send(data) {
            Ok(n) => {
                tally.sent += 1;
                tally.bytes += n as u64;
            }
            Err(_) => tally.send_errors += 1,
        }
        if (tally.sent + tally.send_errors) % (DRAIN_EVERY * self.sockets.len() as u64)
            < self.sockets.len() as u64
        {
            self.drain_one(i, tally);
        }
    }

    /// Sends `datagrams` on the next socket, [`sys::CONNECTED_BATCH`] per system call
    /// (`sendmmsg`), then reads that socket's replies.
    pub fn send_many(&mut self, datagrams: &[&[u8]], tally: &mut Tally) {
        let i = self.next;
        self.next = (self.next + 1) % self.sockets.len();
        for chunk in datagrams.chunks(sys::CONNECTED_BATCH) {
            // The sockets are non-blocking: a full buffer ends the call short, not waiting.
            let sent = sys::send_connected(self.sockets[i].as_raw_fd(), chunk).unwrap_or(0);
            tally.sent += sent as u64;
            tally.bytes += chunk[..sent].iter().map(|d| d.len() as u64).sum::<u64>();
            tally.send_errors += (chunk.len() - sent) as u64;
        }
        self.drain_one(i, tally);
    }

    fn drain_one(&mut self, i: usize, tally: &mut Tally) {
        loop {
            match self.sockets[i].recv(&mut self.buf) {
                Ok(n) => tally.count_reply(&self.buf[..n]),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                // An ICMP error reported on the socket: nothing was received.
                Err(_) => return,
            }
        }
    }

    /// Reads the replies still arriving for up to `linger`.
    pub fn finish(&mut self, linger: Duration, tally: &mut Tally) {
        let start = Instant::now();
        while start.elapsed() < linger {
            for i in 0..self.sockets.len() {
                self.drain_one(i, tally);
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

/// Calls `send(n)` so that `rate` items per second go out for `duration` (`rate` 0: as fast
/// as possible), in steps of at most `batch`. A sender that falls behind (descheduled)
/// catches up, also at the end. Returns how long it ran.
pub fn paced(duration: Duration, rate: u64, batch: u64, mut send: impl FnMut(u64)) -> Duration {
    let start = Instant::now();
    let due_at = |elapsed: Duration| {
        u64::try_from(u128::from(rate) * elapsed.as_nanos() / 1_000_000_000).unwrap_or(u64::MAX)
    };
    let mut done: u64 = 0;
    loop {
        let elapsed = start.elapsed();
        let due = match (rate, elapsed >= duration) {
            (0, true) => return elapsed,
            (0, false) => done + batch,
            (_, true) => due_at(duration),
            (_, false) => due_at(elapsed),
        };
        if due <= done {
            if elapsed >= duration {
                return start.elapsed();
            }
            std::thread::sleep(Duration::from_micros(50));
            continue;
        }
        let n = (due - done).min(batch);
        send(n);
        done += n;
    }
}
