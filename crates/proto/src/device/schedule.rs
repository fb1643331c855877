//! Timer scheduling across peers: a min-heap of each peer's next deadline, so
//! [`Device::poll_timeout`] is O(1) and idle peers cost nothing — no tick, no scan.
//!
//! Entries are invalidated lazily: a peer's live entry is the one equal to its `scheduled`
//! field; when a deadline moves later we leave the old entry and reschedule when it pops.

use super::{Device, Event, PeerId};
use crate::time::Instant;
use crate::timers::Timer;
use core::cmp::Reverse;

impl Device {
    /// The exact time of the next timer event, if any. Sleep until then, then call
    /// [`handle_timeout`](Device::handle_timeout). May occasionally be early (never late).
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        let peers = self.queue.peek().map(|Reverse((t, _))| *t);
        [
            peers,
            self.rate_limiter.next_gc(),
            self.cookie_limiter.next_gc(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Runs every timer that has expired at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.rate_limiter.gc(now);
        self.cookie_limiter.gc(now);
        while let Some(Reverse((deadline, id))) = self.queue.peek().copied() {
            if deadline > now {
                break;
            }
            self.queue.pop();
            let Some(peer) = self.peer_mut(id) else {
                continue;
            };
            if peer.scheduled != Some(deadline) {
                continue;
            }
            peer.scheduled = None;
            while let Some(timer) = self.peer_mut(id).and_then(|p| p.timers.take_expired(now)) {
                self.on_timer(now, id, timer);
            }
            self.reschedule(id);
        }
    }

    /// Makes sure the queue holds the peer's earliest deadline.
    pub(super) fn reschedule(&mut self, id: PeerId) {
        let Some(peer) = self.peer_mut(id) else {
            return;
        };
        let Some(next) = peer.timers.next_deadline() else {
            return;
        };
        if peer.scheduled.is_none_or(|s| next < s) {
            peer.scheduled = Some(next);
            self.queue.push(Reverse((next, id)));
        }
    }

    fn on_timer(&mut self, now: Instant, id: PeerId, timer: Timer) {
        match timer {
            Timer::RetransmitHandshake => self.retransmit_handshake(now, id),
            Timer::SendKeepalive => {
                self.send_keepalive(now, id);
                let after = self.timing.keepalive_timeout();
                let Some(peer) = self.peer_mut(id) else {
                    return;
                };
                if core::mem::take(&mut peer.timers.need_another_keepalive) {
                    peer.timers.set(Timer::SendKeepalive, now + after);
                }
            }
            Timer::NewHandshake => {
                if let Some(peer) = self.peer_mut(id) {
                    peer.clear_endpoint_source();
                }
                self.send_initiation(now, id, false);
            }
            Timer::ZeroKeyMaterial => {
                self.zero_key_material(id);
                self.events.push_back(Event::KeysZeroed(id));
            }
            Timer::PersistentKeepalive => {
                if self
                    .peer(id)
                    .is_some_and(|p| !p.timers.persistent_keepalive.is_zero())
                {
                    self.send_keepalive(now, id);
                }
            }
        }
    }

    /// No response to our initiation: retry with a fresh one, or give up after
    /// MAX_TIMER_HANDSHAKES retries (20 initiations in all, about 100 s).
    fn retransmit_handshake(&mut self, now: Instant, id: PeerId) {
        let timing = self.timing;
        let Some(peer) = self.peer_mut(id) else {
            return;
        };
        if peer.timers.handshake_attempts > timing.max_timer_handshakes() {
            peer.timers.stop(Timer::SendKeepalive);
            peer.staged.clear();
            if !peer.timers.is_pending(Timer::ZeroKeyMaterial) {
                peer.timers.set(
                    Timer::ZeroKeyMaterial,
                    now + timing.zero_key_material_after(),
                );
            }
            self.events.push_back(Event::HandshakeGaveUp(id));
            return;
        }
        peer.timers.handshake_attempts += 1;
        peer.clear_endpoint_source();
        self.send_initiation(now, id, true);
    }
}
