//! Per-peer protocol timers as pure state (no threads, no tick): each timer is an optional
//! deadline, [`PeerTimers::next_deadline`] is the exact next wakeup, and the device acts on
//! expired timers in `handle_timeout`.
//!
//! The five timers, as in the kernel's `timers.c`:
//! * **retransmit_handshake**: no response REKEY_TIMEOUT (+ jitter) after an initiation:
//!   retry, up to MAX_TIMER_HANDSHAKES times, then give up.
//! * **send_keepalive**: we received data and sent nothing back for KEEPALIVE_TIMEOUT: send a
//!   keepalive (passive keepalive).
//! * **new_handshake**: we sent data and heard nothing for KEEPALIVE_TIMEOUT + REKEY_TIMEOUT
//!   (+ jitter): start a new handshake.
//! * **zero_key_material**: no new session for 3 × REJECT_AFTER_TIME: erase every key.
//! * **persistent_keepalive**: nothing sent or received for the configured interval: send a
//!   keepalive so NAT mappings stay open.
//!
//! Hooks are named after the event that just happened, and the device calls them from its
//! send and receive paths. The durations come from the device's [`Timing`] (the whitepaper's
//! unless a test shortened them).

mod timing;

pub use timing::{Timing, MAX_TIME_SCALE};

use crate::time::{Duration, Instant};

/// The per-peer timers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timer {
    /// Resend the initiation.
    RetransmitHandshake = 0,
    /// Send a passive keepalive.
    SendKeepalive = 1,
    /// Start a handshake because the peer stopped answering.
    NewHandshake = 2,
    /// Erase all key material.
    ZeroKeyMaterial = 3,
    /// Send a persistent keepalive.
    PersistentKeepalive = 4,
}

impl Timer {
    /// Every timer, in the order they are handled when several expire at once. Erasing keys
    /// comes first: after a suspend longer than 3 × REJECT_AFTER_TIME all timers are overdue
    /// together, and a handshake started by another timer would be erased with the keys (its
    /// response then dropped as unknown, the next packet late by a retry; clock_jumps.rs).
    pub const ALL: [Timer; 5] = [
        Timer::ZeroKeyMaterial,
        Timer::RetransmitHandshake,
        Timer::SendKeepalive,
        Timer::NewHandshake,
        Timer::PersistentKeepalive,
    ];
}

/// Deadlines and counters of one peer's timers.
#[derive(Debug, Clone, Default)]
pub struct PeerTimers {
    deadlines: [Option<Instant>; 5],
    /// Retransmissions of the current handshake attempt.
    pub handshake_attempts: u32,
    /// Data arrived while a passive keepalive was already pending.
    pub need_another_keepalive: bool,
    /// The "near REJECT_AFTER_TIME" handshake was already started for this session.
    pub sent_lastminute_handshake: bool,
    /// Persistent keepalive interval; zero is off.
    pub persistent_keepalive: Duration,
}

impl PeerTimers {
    /// Arms `timer` for `deadline`.
    pub fn set(&mut self, timer: Timer, deadline: Instant) {
        self.deadlines[timer as usize] = Some(deadline);
    }

    /// Disarms `timer`.
    pub fn stop(&mut self, timer: Timer) {
        self.deadlines[timer as usize] = None;
    }

    /// Whether `timer` is armed.
    #[must_use]
    pub fn is_pending(&self, timer: Timer) -> bool {
        self.deadlines[timer as usize].is_some()
    }

    /// The deadline of `timer`, if armed.
    #[must_use]
    pub fn deadline(&self, timer: Timer) -> Option<Instant> {
        self.deadlines[timer as usize]
    }

    /// The earliest armed deadline.
    #[must_use]
    pub fn next_deadline(&self) -> Option<Instant> {
        self.deadlines.iter().flatten().min().copied()
    }

    /// Disarms and returns the first timer that has expired at `now`. A timer is cleared
    /// before it is acted on, so it can never stay armed in the past and spin.
    pub fn take_expired(&mut self, now: Instant) -> Option<Timer> {
        let timer = Timer::ALL
            .into_iter()
            .find(|t| self.deadlines[*t as usize].is_some_and(|d| d <= now))?;
        self.stop(timer);
        Some(timer)
    }

    /// After sending a transport message with a non-empty payload.
    pub fn on_data_sent(&mut self, timing: &Timing, now: Instant, jitter: Duration) {
        if !self.is_pending(Timer::NewHandshake) {
            self.set(
                Timer::NewHandshake,
                now + timing.new_handshake_after() + jitter,
            );
        }
    }

    /// After receiving an authenticated transport message with a non-empty payload.
    pub fn on_data_received(&mut self, timing: &Timing, now: Instant) {
        if self.is_pending(Timer::SendKeepalive) {
            self.need_another_keepalive = true;
        } else {
            self.set(Timer::SendKeepalive, now + timing.keepalive_timeout());
        }
    }

    /// After sending any authenticated packet (handshake, data or keepalive).
    pub fn on_authenticated_packet_sent(&mut self) {
        self.stop(Timer::SendKeepalive);
    }

    /// After receiving any authenticated packet (handshake, data or keepalive).
    pub fn on_authenticated_packet_received(&mut self) {
        self.stop(Timer::NewHandshake);
    }

    /// Before sending or after receiving any authenticated packet.
    pub fn on_authenticated_packet_traversal(&mut self, now: Instant) {
        if !self.persistent_keepalive.is_zero() {
            self.set(Timer::PersistentKeepalive, now + self.persistent_keepalive);
        }
    }

    /// After sending a handshake initiation.
    pub fn on_handshake_initiated(&mut self, timing: &Timing, now: Instant, jitter: Duration) {
        self.set(
            Timer::RetransmitHandshake,
            now + timing.rekey_timeout() + jitter,
        );
    }

    /// After a handshake completed (initiator: response consumed; responder: first packet
    /// on the new keypair).
    pub fn on_handshake_complete(&mut self) {
        self.stop(Timer::RetransmitHandshake);
        self.handshake_attempts = 0;
        self.sent_lastminute_handshake = false;
    }

    /// After deriving a new session's keys.
    pub fn on_session_derived(&mut self, timing: &Timing, now: Instant) {
        self.set(
            Timer::ZeroKeyMaterial,
            now + timing.zero_key_material_after(),
        );
    }
}

#[cfg(test)]
mod tests;
