//! What sending and receiving transport messages does to a peer's counters, endpoint and
//! timers. The device's paths and the lock-free [`DataPath`](crate::device::DataPath) both
//! call these, so the two cannot drift apart.

use super::{Endpoint, PeerState};
use crate::consts::REKEY_AFTER_MESSAGES;
use crate::time::Instant;
use crate::timers::Timer;

impl PeerState {
    /// Counters and timer hooks after transport messages of `bytes` in all went out
    /// (`had_data`: at least one was not a keepalive).
    pub(crate) fn on_transport_sent(&mut self, now: Instant, bytes: usize, had_data: bool) {
        self.tx_bytes += bytes as u64;
        self.timers.on_authenticated_packet_traversal(now);
        self.timers.on_authenticated_packet_sent();
        // Drawing jitter is needed only when the timer gets armed.
        if had_data && !self.timers.is_pending(Timer::NewHandshake) {
            let (timing, jitter) = (self.timing, self.jitter());
            self.timers.on_data_sent(&timing, now, jitter);
        }
    }

    /// The kernel's `keep_key_fresh` after sending: when the current session has sent
    /// REKEY_AFTER_MESSAGES, or we initiated it and it is REKEY_AFTER_TIME old, a new
    /// handshake is due (only the initiator rekeys on time, so both ends do not race to
    /// replace the same session). As in the kernel, a due rekey restarts the attempt count
    /// even while an initiation is rate-limited. Returns whether an initiation should go out
    /// now.
    pub(crate) fn keep_key_fresh_on_send(&mut self, now: Instant) -> bool {
        let Some(current) = self.keypairs.current.as_ref() else {
            return false;
        };
        let stale = current.can_send(now)
            && (current.sent_messages() > REKEY_AFTER_MESSAGES
                || (current.is_initiator
                    && now.saturating_duration_since(current.birth)
                        >= self.timing.rekey_after_time()));
        if stale {
            self.timers.handshake_attempts = 0;
        }
        stale && !self.sent_handshake_recently(now)
    }

    /// At most one initiation per REKEY_TIMEOUT.
    pub(crate) fn sent_handshake_recently(&self, now: Instant) -> bool {
        self.last_sent_handshake.is_some_and(|t| {
            now.saturating_duration_since(t) < self.timing.rekey_timeout() && now >= t
        })
    }

    /// Roaming and counters after an authenticated transport message of `bytes`.
    pub(crate) fn on_transport_received(&mut self, from: Endpoint, bytes: usize) {
        self.endpoint = Some(from);
        self.rx_bytes += bytes as u64;
    }

    /// Whether a session we initiated nears REJECT_AFTER_TIME while the peer still sends on
    /// it, and the one last-minute handshake for it has not been started yet.
    pub(crate) fn wants_rekey_on_receive(&self, now: Instant) -> bool {
        let Some(current) = self.keypairs.current.as_ref() else {
            return false;
        };
        current.is_initiator
            && current.can_send(now)
            && now.saturating_duration_since(current.birth) >= self.timing.lastminute_rekey_age()
            && !self.timers.sent_lastminute_handshake
    }

    /// Timer hooks after an authenticated transport message (`had_data`: not a keepalive).
    pub(crate) fn after_transport_received(&mut self, now: Instant, had_data: bool) {
        self.timers.on_authenticated_packet_received();
        self.timers.on_authenticated_packet_traversal(now);
        if had_data {
            let timing = self.timing;
            self.timers.on_data_received(&timing, now);
        }
    }
}
