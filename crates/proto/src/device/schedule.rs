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
            let Some(mut state) = self.state(id) else {
                continue;
            };
            if state.scheduled != Some(deadline) {
                continue;
            }
            state.scheduled = None;
            drop(state);
            while let Some(timer) = self.take_expired(now, id) {
                self.on_timer(now, id, timer);
            }
            self.reschedule(id);
        }
    }

    fn take_expired(&self, now: Instant, id: PeerId) -> Option<Timer> {
        self.state(id)?.timers.take_expired(now)
    }

    /// Makes sure the queue holds the peer's earliest deadline. A [`DataPath`] that moved
    /// a deadline earlier reports the peer through [`DataPath::flush`], which calls this.
    ///
    /// [`DataPath`]: super::DataPath
    /// [`DataPath::flush`]: super::DataPath::flush
    pub(super) fn reschedule(&mut self, id: PeerId) {
        let Some(mut state) = self.state(id) else {
            return;
        };
        let Some(next) = state.timers.next_deadline() else {
            return;
        };
        if state.scheduled.is_none_or(|s| next < s) {
            state.scheduled = Some(next);
            drop(state);
            self.queue.push(Reverse((next, id)));
        }
    }

    fn on_timer(&mut self, now: Instant, id: PeerId, timer: Timer) {
        match timer {
            Timer::RetransmitHandshake => self.retransmit_handshake(now, id),
            Timer::SendKeepalive => {
                self.send_keepalive(now, id);
                let after = self.timing.keepalive_timeout();
                let Some(mut state) = self.state(id) else {
                    return;
                };
                if core::mem::take(&mut state.timers.need_another_keepalive) {
                    state.timers.set(Timer::SendKeepalive, now + after);
                }
            }
            Timer::NewHandshake => {
                if let Some(mut state) = self.state(id) {
                    state.clear_endpoint_source();
                }
                self.send_initiation(now, id, false);
            }
            Timer::ZeroKeyMaterial => {
                self.zero_key_material(id);
                self.events.push_back(Event::KeysZeroed(id));
            }
            Timer::PersistentKeepalive => {
                let on = self
                    .state(id)
                    .is_some_and(|s| !s.timers.persistent_keepalive.is_zero());
                if on {
                    self.send_keepalive(now, id);
                }
            }
        }
    }

    /// No response to our initiation: retry with a fresh one, or give up after
    /// MAX_TIMER_HANDSHAKES retries (20 initiations in all, about 100 s).
    fn retransmit_handshake(&mut self, now: Instant, id: PeerId) {
        let timing = self.timing;
        let Some(mut state) = self.state(id) else {
            return;
        };
        if state.timers.handshake_attempts > timing.max_timer_handshakes() {
            state.timers.stop(Timer::SendKeepalive);
            state.staged.clear();
            if !state.timers.is_pending(Timer::ZeroKeyMaterial) {
                state.timers.set(
                    Timer::ZeroKeyMaterial,
                    now + timing.zero_key_material_after(),
                );
            }
            drop(state);
            self.events.push_back(Event::HandshakeGaveUp(id));
            return;
        }
        state.timers.handshake_attempts += 1;
        state.clear_endpoint_source();
        drop(state);
        self.send_initiation(now, id, true);
    }
}
