//! Replay protection for transport counters: the RFC 6479 sliding window (docs/protocol.md §9).
//!
//! The window is a ring of 128 × 64-bit words. One word is always the "current" block being
//! filled, so the usable window is [`WINDOW_SIZE`] = 127 × 64 = 8128 counters behind the
//! greatest counter accepted so far. This is the kernel's and wireguard-go's size; a 1024-bit
//! window (boringtun) drops legitimate packets reordered by multi-queue or GSO paths.
//!
//! A [`Filter`] is plain data and not synchronised: the keypair that owns it wraps it in a lock,
//! because the check must be atomic with the record.

use core::fmt;

/// Number of 64-bit words in the ring.
const RING_WORDS: usize = 128;
/// Bits per ring word.
const WORD_BITS: u64 = u64::BITS as u64;
/// Counters per ring word, as a shift: `counter >> BLOCK_SHIFT` is the counter's block.
const BLOCK_SHIFT: u32 = WORD_BITS.trailing_zeros();

/// How far behind the greatest accepted counter a counter may be and still be accepted.
///
/// One ring word is held back so that advancing the window never clears bits that are still
/// inside it.
pub const WINDOW_SIZE: u64 = (RING_WORDS as u64 - 1) * WORD_BITS;

/// Sliding-window replay filter for one receiving keypair.
///
/// Call [`Filter::accept`] only after the packet decrypted successfully; otherwise forged
/// packets with huge counters would slide the window and make genuine packets look old.
#[derive(Clone)]
pub struct Filter {
    /// Greatest counter accepted so far (0 when fresh; counter 0 is still accepted once,
    /// because its bit starts clear).
    last: u64,
    /// Bit `c % 64` of word `(c / 64) % 128` records whether counter `c` was seen.
    ring: [u64; RING_WORDS],
}

impl Filter {
    /// A fresh filter that has seen no counter.
    #[must_use]
    pub fn new() -> Self {
        Filter {
            last: 0,
            ring: [0; RING_WORDS],
        }
    }

    /// Forget every counter seen, as for a new keypair.
    pub fn reset(&mut self) {
        *self = Filter::new();
    }

    /// Validate-and-record counter `counter` after successful decryption.
    ///
    /// Returns `false` (and records nothing) if `counter >= limit`, if it is more than
    /// [`WINDOW_SIZE`] behind the greatest accepted counter, or if it was already accepted.
    /// `limit` is REJECT_AFTER_MESSAGES; it is a parameter so the kernel's value can be tested too.
    #[must_use]
    pub fn accept(&mut self, counter: u64, limit: u64) -> bool {
        if counter >= limit {
            return false;
        }
        let block = counter >> BLOCK_SHIFT;
        if counter > self.last {
            self.advance_to(block);
            self.last = counter;
        } else if self.last - counter > WINDOW_SIZE {
            return false;
        }
        let word = &mut self.ring[ring_index(block)];
        let bit = 1u64 << (counter % WORD_BITS);
        let seen = *word & bit != 0;
        *word |= bit;
        !seen
    }

    /// Clear the ring words for every block after `last`'s, up to and including `block`.
    ///
    /// Those words still hold bits from counters one full ring earlier. A jump of more than a
    /// ring clears each word once rather than looping over the whole gap.
    fn advance_to(&mut self, block: u64) {
        let current = self.last >> BLOCK_SHIFT;
        let steps = (block - current).min(RING_WORDS as u64);
        for step in 1..=steps {
            self.ring[ring_index(current.wrapping_add(step))] = 0;
        }
    }
}

/// Ring position of a block.
fn ring_index(block: u64) -> usize {
    // The remainder is below RING_WORDS, so the cast cannot truncate.
    (block % RING_WORDS as u64) as usize
}

impl Default for Filter {
    fn default() -> Self {
        Filter::new()
    }
}

impl fmt::Debug for Filter {
    // The ring is 1 KiB of bits that would drown any log line; the newest counter is what helps.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Filter")
            .field("last", &self.last)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;
