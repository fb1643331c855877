//! TAI64N handshake timestamps.
//!
//! Nanoseconds are rounded down to a multiple of 2^24 (about 16.8 ms), like wireguard-go and
//! the kernel, so a timestamp does not reveal a precise clock to anyone who can decrypt it.

use crate::time::Duration;

const TAI64_BASE: u64 = 0x4000_0000_0000_000a;
const WHITENER_MASK: u32 = (1 << 24) - 1;

/// A 12-byte TAI64N label: big-endian seconds then big-endian nanoseconds. Byte order makes a
/// plain comparison of the arrays a comparison of the times.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Tai64n(pub [u8; 12]);

impl Tai64n {
    /// The whitened timestamp for a wall-clock time since the Unix epoch.
    #[must_use]
    pub fn from_unix(since_epoch: Duration) -> Self {
        let secs = TAI64_BASE.saturating_add(since_epoch.as_secs());
        let nanos = since_epoch.subsec_nanos() & !WHITENER_MASK;
        let mut out = [0u8; 12];
        out[..8].copy_from_slice(&secs.to_be_bytes());
        out[8..].copy_from_slice(&nanos.to_be_bytes());
        Tai64n(out)
    }

    /// The smallest whitened timestamp strictly after `self`; used when the wall clock has not
    /// moved (or went backwards) since our previous initiation.
    #[must_use]
    pub fn next_after(self) -> Self {
        let mut secs = [0u8; 8];
        secs.copy_from_slice(&self.0[..8]);
        let mut nanos = [0u8; 4];
        nanos.copy_from_slice(&self.0[8..]);
        let (mut secs, mut nanos) = (u64::from_be_bytes(secs), u32::from_be_bytes(nanos));
        nanos = (nanos & !WHITENER_MASK) + (1 << 24);
        if nanos >= 1_000_000_000 {
            nanos = 0;
            secs = secs.saturating_add(1);
        }
        let mut out = [0u8; 12];
        out[..8].copy_from_slice(&secs.to_be_bytes());
        out[8..].copy_from_slice(&nanos.to_be_bytes());
        Tai64n(out)
    }

    /// A timestamp for `now` that is strictly greater than `previous`.
    #[must_use]
    pub fn monotonic(now: Duration, previous: Option<Tai64n>) -> Self {
        let fresh = Self::from_unix(now);
        match previous {
            Some(prev) if fresh <= prev => prev.next_after(),
            _ => fresh,
        }
    }
}
