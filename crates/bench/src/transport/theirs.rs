//! boringtun's `Tunn::encapsulate` / `Tunn::decapsulate` after a completed handshake.

use super::{ip_packet, Batch, BATCH, PACKET_LEN, SLOT};
use crate::handshake::theirs::{to_network, SOURCE};
use crate::harness::time_each;
use boringtun::noise::{Tunn, TunnResult};
use std::time::Duration;

/// A transport datagram of one packet: 16-byte header, 1420 bytes, 16-byte tag.
const DATAGRAM_LEN: usize = 16 + PACKET_LEN + 16;

/// Encapsulates the same packet over and over.
pub struct Sealer {
    tunnel: Tunn,
    packet: Vec<u8>,
    out: Vec<u8>,
}

impl Sealer {
    /// A sealer on a tunnel with a current session.
    #[must_use]
    pub fn new(tunnel: Tunn) -> Self {
        Sealer {
            tunnel,
            packet: ip_packet(),
            out: vec![0; SLOT],
        }
    }

    /// Times `iters` encapsulations.
    ///
    /// # Panics
    /// If boringtun does not return a datagram.
    pub fn run(&mut self, iters: u64) -> Duration {
        time_each(iters, || {
            to_network(self.tunnel.encapsulate(&self.packet, &mut self.out)).len()
        })
    }

    /// The datagram the last encapsulation made (header, ciphertext, tag).
    #[must_use]
    pub fn datagram(&self) -> &[u8] {
        &self.out[..DATAGRAM_LEN]
    }
}

/// Decapsulates batches of datagrams encapsulated by the peer tunnel, in counter order.
pub struct Opener {
    sender: Tunn,
    receiver: Tunn,
    packet: Vec<u8>,
    batch: Vec<u8>,
    lens: Vec<usize>,
    out: Vec<u8>,
}

impl Opener {
    /// Datagrams from `sender` decapsulated by `receiver` (two ends of one session).
    #[must_use]
    pub fn new(sender: Tunn, receiver: Tunn) -> Self {
        Opener {
            sender,
            receiver,
            packet: ip_packet(),
            batch: vec![0; BATCH * SLOT],
            lens: vec![0; BATCH],
            out: vec![0; SLOT],
        }
    }

    /// The plaintext of the last datagram opened.
    #[must_use]
    pub fn last_plaintext(&self) -> &[u8] {
        &self.out[..self.packet.len()]
    }
}

impl Batch for Opener {
    fn prepare(&mut self, n: usize) {
        for (slot, len) in self
            .batch
            .chunks_exact_mut(SLOT)
            .zip(&mut self.lens)
            .take(n)
        {
            *len = to_network(self.sender.encapsulate(&self.packet, slot)).len();
        }
    }

    fn consume(&mut self, n: usize) {
        for (slot, &len) in self.batch.chunks_exact(SLOT).zip(&self.lens).take(n) {
            match self
                .receiver
                .decapsulate(Some(SOURCE), &slot[..len], &mut self.out)
            {
                TunnResult::WriteToTunnelV4(plain, _) => std::hint::black_box(plain.len()),
                other => panic!("boringtun: expected WriteToTunnelV4, got {other:?}"),
            };
        }
    }
}
