//! ferrotun's `Keypair::seal` / `Keypair::open`.

use super::{ip_packet, Batch, BATCH, PACKET_LEN, SLOT};
use crate::harness::time_each;
use ferrotun_proto::keypair::{padded_len, Keypair};
use ferrotun_proto::wire::TransportHeader;
use std::time::Duration;

/// Poly1305 tag bytes after the ciphertext.
const TAG_LEN: usize = 16;

/// Padded length of a 1420-byte packet on a 1420-byte MTU: 1420 (no padding).
fn padded() -> usize {
    padded_len(PACKET_LEN, PACKET_LEN)
}

/// Seals the same buffer in place over and over (each time with a fresh counter).
pub struct Sealer {
    keypair: Keypair,
    buf: Vec<u8>,
}

impl Sealer {
    /// A sealer sending with `keypair`.
    #[must_use]
    pub fn new(keypair: Keypair) -> Self {
        let mut buf = vec![0u8; SLOT];
        buf[TransportHeader::LEN..][..PACKET_LEN].copy_from_slice(&ip_packet());
        Sealer { keypair, buf }
    }

    /// Times `iters` seals.
    ///
    /// # Panics
    /// If a seal fails.
    pub fn run(&mut self, iters: u64) -> Duration {
        let padded = padded();
        time_each(iters, || {
            self.keypair
                .seal(&mut self.buf, PACKET_LEN, padded)
                .expect("seal")
        })
    }

    /// The datagram the last seal made (header, ciphertext, tag). The next seal encrypts its
    /// ciphertext again, in place: the work is the same, and no copy enters the timed loop.
    #[must_use]
    pub fn datagram(&self) -> &[u8] {
        &self.buf[..TransportHeader::LEN + padded() + TAG_LEN]
    }
}

/// Opens batches of datagrams sealed by the peer's keypair, in counter order.
pub struct Opener {
    sender: Keypair,
    receiver: Keypair,
    packet: Vec<u8>,
    batch: Vec<u8>,
    lens: Vec<usize>,
}

impl Opener {
    /// Datagrams from `sender` opened by `receiver` (the two ends of one session).
    #[must_use]
    pub fn new(sender: Keypair, receiver: Keypair) -> Self {
        Opener {
            sender,
            receiver,
            packet: ip_packet(),
            batch: vec![0; BATCH * SLOT],
            lens: vec![0; BATCH],
        }
    }

    /// Slot `i` of the last consumed batch, decrypted in place.
    #[must_use]
    pub fn plaintext(&self, i: usize) -> &[u8] {
        &self.batch[i * SLOT + TransportHeader::LEN..][..PACKET_LEN]
    }
}

impl Batch for Opener {
    fn prepare(&mut self, n: usize) {
        let padded = padded();
        for (slot, len) in self
            .batch
            .chunks_exact_mut(SLOT)
            .zip(&mut self.lens)
            .take(n)
        {
            slot[TransportHeader::LEN..][..PACKET_LEN].copy_from_slice(&self.packet);
            *len = self.sender.seal(slot, PACKET_LEN, padded).expect("seal");
        }
    }

    fn consume(&mut self, n: usize) {
        for (slot, &len) in self.batch.chunks_exact_mut(SLOT).zip(&self.lens).take(n) {
            let datagram = &mut slot[..len];
            let (header, _) = TransportHeader::parse(datagram).expect("parse transport");
            assert_eq!(header.receiver_index, self.receiver.local_index);
            let body = &mut datagram[TransportHeader::LEN..];
            let plain = self.receiver.open(header.counter, body).expect("open");
            std::hint::black_box(plain);
        }
    }
}
