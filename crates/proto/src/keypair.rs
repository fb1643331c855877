//! Transport keypairs and the previous / current / next slots of a peer.
//!
//! A [`Keypair`] is `Send + Sync`: the send counter is atomic and the replay filter sits behind
//! its own small lock, so a multi-core engine can seal and open with one keypair from several
//! threads without serializing on the peer.

use crate::consts::{PADDING_MULTIPLE, REJECT_AFTER_MESSAGES, REJECT_AFTER_TIME};
use crate::crypto::{AeadKey, AEAD_TAG_LEN};
use crate::noise::SessionKeys;
use crate::replay::Filter;
use crate::time::{Duration, Instant};
use crate::wire::TransportHeader;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Why a packet could not be sealed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    /// The keypair sent REJECT_AFTER_MESSAGES messages; it never sends again.
    #[error("keypair exhausted")]
    Exhausted,
    /// The output buffer cannot hold header, padded plaintext and tag.
    #[error("buffer too small")]
    BufferTooSmall,
}

/// Why a transport message was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    /// Authentication failed.
    #[error("decryption failed")]
    Decrypt,
    /// The counter was seen before, is too old for the window, or is past the limit.
    #[error("replayed or too old counter")]
    Replay,
}

/// One session's transport keys, indices and counters.
pub struct Keypair {
    send_key: AeadKey,
    receive_key: AeadKey,
    send_counter: AtomicU64,
    replay: Mutex<Filter>,
    invalidated: AtomicBool,
    /// Its index was forgotten: data paths that cached it must look again.
    retired: AtomicBool,
    /// REJECT_AFTER_TIME of the device that made it (shorter only in timer tests).
    lifetime: Duration,
    /// Our index: the peer's transport messages carry it.
    pub local_index: u32,
    /// The peer's index: our transport messages carry it.
    pub remote_index: u32,
    /// When the session was derived.
    pub birth: Instant,
    /// Whether we initiated the handshake that made it.
    pub is_initiator: bool,
}

impl Keypair {
    /// Expands the session keys.
    #[must_use]
    pub fn new(keys: &SessionKeys, now: Instant) -> Self {
        Keypair {
            send_key: AeadKey::new(&keys.send),
            receive_key: AeadKey::new(&keys.receive),
            send_counter: AtomicU64::new(0),
            replay: Mutex::new(Filter::new()),
            invalidated: AtomicBool::new(false),
            retired: AtomicBool::new(false),
            lifetime: REJECT_AFTER_TIME,
            local_index: keys.local_index,
            remote_index: keys.remote_index,
            birth: now,
            is_initiator: keys.is_initiator,
        }
    }

    /// The same keypair, unusable once `lifetime` old instead of REJECT_AFTER_TIME (the
    /// device passes its [`Timing`](crate::timers::Timing)).
    #[must_use]
    pub fn with_lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetime = lifetime;
        self
    }

    /// Reserves the next send counter; `None` once REJECT_AFTER_MESSAGES is reached. The
    /// counter is a `u64` on every platform (SEC-3) and can never wrap or repeat.
    pub fn next_counter(&self) -> Option<u64> {
        let reserved = self
            .send_counter
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |c| {
                (c < REJECT_AFTER_MESSAGES).then_some(c + 1)
            });
        match reserved {
            Ok(counter) => Some(counter),
            Err(_) => {
                self.invalidate();
                None
            }
        }
    }

    /// The number of counters used so far.
    #[must_use]
    pub fn sent_messages(&self) -> u64 {
        self.send_counter.load(Ordering::Relaxed)
    }

    /// Stops the keypair from sending (used when it is exhausted or the private key changes).
    pub fn invalidate(&self) {
        self.invalidated.store(true, Ordering::Relaxed);
    }

    /// Marks the keypair as gone from the device's index table.
    pub(crate) fn retire(&self) {
        self.retired.store(true, Ordering::Release);
    }

    /// Whether the device forgot the keypair (rotated out, erased, or its peer removed).
    #[must_use]
    pub fn is_retired(&self) -> bool {
        self.retired.load(Ordering::Acquire)
    }

    /// Whether this keypair may still send at `now`.
    #[must_use]
    pub fn can_send(&self, now: Instant) -> bool {
        !self.invalidated.load(Ordering::Relaxed)
            && now.saturating_duration_since(self.birth) < self.lifetime
            && self.sent_messages() < REJECT_AFTER_MESSAGES
    }

    /// Whether messages for this keypair may still be accepted at `now`.
    #[must_use]
    pub fn can_receive(&self, now: Instant) -> bool {
        now.saturating_duration_since(self.birth) < self.lifetime
    }

    /// Seals `buf[16..16 + len]` into a complete transport message in `buf` with a fresh
    /// counter: writes the header, zero-pads the plaintext to `padded_len`, appends the tag.
    /// Returns the message length.
    pub fn seal(&self, buf: &mut [u8], len: usize, padded_len: usize) -> Result<usize, SealError> {
        let total = TransportHeader::LEN + padded_len.max(len) + AEAD_TAG_LEN;
        if buf.len() < total {
            return Err(SealError::BufferTooSmall);
        }
        let counter = self.next_counter().ok_or(SealError::Exhausted)?;
        self.seal_with_counter(counter, buf, len, padded_len)
    }

    /// Like [`seal`](Self::seal) with a counter already reserved by
    /// [`next_counter`](Self::next_counter), so an engine can number packets in order and
    /// encrypt them in parallel.
    pub fn seal_with_counter(
        &self,
        counter: u64,
        buf: &mut [u8],
        len: usize,
        padded_len: usize,
    ) -> Result<usize, SealError> {
        let padded = padded_len.max(len);
        let total = TransportHeader::LEN + padded + AEAD_TAG_LEN;
        let buf = buf.get_mut(..total).ok_or(SealError::BufferTooSmall)?;
        let (header, body) = buf.split_at_mut(TransportHeader::LEN);
        let header: &mut [u8; TransportHeader::LEN] =
            header.try_into().map_err(|_| SealError::BufferTooSmall)?;
        TransportHeader {
            receiver_index: self.remote_index,
            counter,
        }
        .write(header);
        body[len..padded].fill(0);
        self.send_key
            .seal(counter, &[], body, padded)
            .map_err(|_| SealError::BufferTooSmall)?;
        Ok(total)
    }

    /// Authenticates and decrypts `body` (ciphertext ‖ tag) in place, then records `counter`
    /// in the replay window. The replay check runs only after authentication, so forged
    /// packets cannot move the window. Returns the plaintext length.
    pub fn open(&self, counter: u64, body: &mut [u8]) -> Result<usize, OpenError> {
        if counter >= REJECT_AFTER_MESSAGES {
            return Err(OpenError::Replay);
        }
        let len = self
            .receive_key
            .open(counter, &[], body)
            .map_err(|_| OpenError::Decrypt)?;
        let mut filter = self
            .replay
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if filter.accept(counter, REJECT_AFTER_MESSAGES) {
            Ok(len)
        } else {
            Err(OpenError::Replay)
        }
    }

    /// Test hook: jump the send counter (e.g. to just below REJECT_AFTER_MESSAGES).
    #[doc(hidden)]
    pub fn force_send_counter(&self, counter: u64) {
        self.send_counter.store(counter, Ordering::Relaxed);
    }
}

impl core::fmt::Debug for Keypair {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Keypair")
            .field("local_index", &self.local_index)
            .field("remote_index", &self.remote_index)
            .field("is_initiator", &self.is_initiator)
            .field("sent", &self.sent_messages())
            .finish_non_exhaustive()
    }
}

/// Length a plaintext of `len` bytes is padded to: a multiple of 16, but never past the MTU
/// (`mtu == 0` means unknown). Matches the kernel's `calculate_skb_padding`.
#[must_use]
pub fn padded_len(len: usize, mtu: usize) -> usize {
    let round = |n: usize| n.div_ceil(PADDING_MULTIPLE) * PADDING_MULTIPLE;
    if mtu == 0 {
        return round(len);
    }
    let last_unit = if len > mtu { len % mtu } else { len };
    let padded = round(last_unit).min(mtu);
    len - last_unit + padded.max(last_unit)
}

/// A peer's three keypair slots. Sending always uses `current`; all three can receive.
#[derive(Default, Debug)]
pub struct Keypairs {
    /// The keypair before `current`, kept so late packets still decrypt.
    pub previous: Option<Arc<Keypair>>,
    /// The keypair we send with.
    pub current: Option<Arc<Keypair>>,
    /// A responder's new keypair, not used for sending until the initiator confirms it.
    pub next: Option<Arc<Keypair>>,
}

impl Keypairs {
    /// Installs a new session and returns the keypairs it displaced (whose indices the caller
    /// must forget). Initiator: usable at once. Responder: parked in `next`.
    pub fn insert(&mut self, new: Arc<Keypair>) -> Vec<Arc<Keypair>> {
        let mut dropped = Vec::new();
        if new.is_initiator {
            if let Some(next) = self.next.take() {
                dropped.extend(self.previous.replace(next));
                dropped.extend(self.current.take());
            } else {
                dropped.extend(core::mem::replace(&mut self.previous, self.current.take()));
            }
            self.current = Some(new);
        } else {
            dropped.extend(self.next.replace(new));
            dropped.extend(self.previous.take());
        }
        dropped
    }

    /// The first authenticated packet arrived on `received`: if it is `next`, promote it to
    /// `current` and return the displaced previous keypair. `None` if it was not `next`.
    pub fn confirm(&mut self, received: &Arc<Keypair>) -> Option<Option<Arc<Keypair>>> {
        if !self.next.as_ref().is_some_and(|n| Arc::ptr_eq(n, received)) {
            return None;
        }
        let next = self.next.take();
        let old_previous = core::mem::replace(&mut self.previous, self.current.take());
        self.current = next;
        Some(old_previous)
    }

    /// Removes every keypair, returning them so their indices can be forgotten.
    pub fn clear(&mut self) -> Vec<Arc<Keypair>> {
        [self.previous.take(), self.current.take(), self.next.take()]
            .into_iter()
            .flatten()
            .collect()
    }

    /// Marks `current` and `next` unusable for sending (the private key changed).
    pub fn expire_current(&self) {
        for kp in [&self.current, &self.next].into_iter().flatten() {
            kp.invalidate();
        }
    }
}

#[cfg(test)]
mod tests;
