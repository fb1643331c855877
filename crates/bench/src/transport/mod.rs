//! Rows 2 and 3: sealing and opening 1420-byte packets on one thread, in Gbit/s of plaintext.
//!
//! Both sides use the transport keys of a real, completed handshake.
//!
//! * Seal: ferrotun seals in place (the plaintext sits at `buf[16..]`, where a TUN read would put
//!   it) with `Keypair::seal`; boringtun's `Tunn::encapsulate` copies the packet from `src` into
//!   `dst` and seals there, as its API requires. 1420 is a multiple of 4 but not 16; with an MTU
//!   of 1420 ferrotun's padding rule adds nothing, so both encrypt 1420 bytes.
//! * Open: every counter must be new to the replay window, and opening in place consumes the
//!   ciphertext, so the harness seals a batch of [`BATCH`] datagrams with increasing counters
//!   (untimed), then times opening them in counter order; repeat. The same scheme runs for
//!   boringtun, whose `decapsulate` copies each datagram into `dst` and opens it there.

pub mod floor;
pub mod ours;
pub mod theirs;

use crate::rng::{seeded, RngCore};
use std::time::{Duration, Instant};

/// Plaintext bytes per packet.
pub const PACKET_LEN: usize = 1420;
/// Datagrams sealed ahead of each timed open run (about 740 KiB: stays in L2 on the target).
pub const BATCH: usize = 512;
/// Bytes reserved per datagram in a batch: header, packet and tag, rounded up to 64.
pub const SLOT: usize = 1472;

/// A 1420-byte IPv4 packet with random payload; boringtun's `decapsulate` checks the version
/// nibble and the total-length field of what it decrypts.
#[must_use]
pub fn ip_packet() -> Vec<u8> {
    let mut packet = vec![0u8; PACKET_LEN];
    seeded(0x1420).fill_bytes(&mut packet);
    packet[0] = 0x45;
    packet[1] = 0;
    packet[2..4].copy_from_slice(&(PACKET_LEN as u16).to_be_bytes());
    packet[12..16].copy_from_slice(&[10, 0, 0, 2]);
    packet[16..20].copy_from_slice(&[10, 0, 0, 1]);
    packet
}

/// A workload that must prepare its input before each timed run (see the module docs).
pub trait Batch {
    /// Untimed: make `n <= BATCH` datagrams ready.
    fn prepare(&mut self, n: usize);
    /// Timed: consume the `n` datagrams prepared last.
    fn consume(&mut self, n: usize);
}

/// Runs `iters` operations in batches; returns the time spent in [`Batch::consume`] only.
pub fn run_batched<B: Batch>(workload: &mut B, iters: u64) -> Duration {
    let mut left = iters;
    let mut timed = Duration::ZERO;
    while left > 0 {
        let n = left.min(BATCH as u64) as usize;
        workload.prepare(n);
        let start = Instant::now();
        workload.consume(n);
        timed += start.elapsed();
        left -= n as u64;
    }
    timed
}

#[cfg(test)]
mod tests;
