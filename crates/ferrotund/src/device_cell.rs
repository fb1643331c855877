//! The sans-IO device behind its one lock. Every thread that changes the device goes through
//! a [`DeviceGuard`], whose drop wakes the timer thread when the change moved the next
//! deadline earlier, before the lock is released: a deadline set under the lock cannot be
//! slept through, and no caller has to remember it.
//!
//! The lock is held only for protocol bookkeeping, never across a system call: a
//! [`step`](DeviceCell::step) returns the datagrams the device queued, and the caller sends
//! them unlocked.

use crate::drop_report::DropReport;
use ferrotun_io::clock;
use ferrotun_proto::device::{Device, PeerId, Transmit};
use ferrotun_proto::time::Instant;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

/// The monotonic clock every protocol step reads (`CLOCK_BOOTTIME`: it counts suspend).
pub fn now() -> Instant {
    Instant::from_nanos(clock::now_nanos())
}

/// The device, its lock, and the timer thread's wake-up.
pub struct DeviceCell {
    device: Mutex<Device>,
    timer_wake: Condvar,
    /// The deadline (ns) the timer thread sleeps until; `u64::MAX` while it has none.
    timer_target: AtomicU64,
    drop_report: DropReport,
    /// Handshake messages the full handshake queue turned away (reported with the drops).
    queue_full: Arc<AtomicU64>,
}

/// The locked device. Dropping it wakes the timer thread if the device's next deadline is
/// now earlier than the one it sleeps for, while the lock is still held.
pub struct DeviceGuard<'a> {
    device: MutexGuard<'a, Device>,
    cell: &'a DeviceCell,
}

/// What one step returns: `f`'s result and the datagrams to send once unlocked.
#[must_use = "the device queued datagrams that must be sent"]
pub struct Stepped<R> {
    pub result: R,
    pub transmits: Vec<Transmit>,
}

impl DeviceCell {
    pub fn new(device: Device, queue_full: Arc<AtomicU64>) -> Self {
        DeviceCell {
            device: Mutex::new(device),
            timer_wake: Condvar::new(),
            timer_target: AtomicU64::new(u64::MAX),
            drop_report: DropReport::default(),
            queue_full,
        }
    }

    /// Locks the device.
    pub fn lock(&self) -> DeviceGuard<'_> {
        let device = self
            .device
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        DeviceGuard { device, cell: self }
    }

    /// One protocol step: with the device locked, applies a new MTU, runs due timers and
    /// `f`, takes the datagrams the device queued and reports drops now and then.
    pub fn step<R>(
        &self,
        mtu: Option<usize>,
        f: impl FnOnce(&mut Device, Instant) -> R,
    ) -> Stepped<R> {
        let mut dev = self.lock();
        let now = now();
        if let Some(mtu) = mtu {
            dev.set_mtu(mtu);
        }
        run_due_timers(&mut dev, now);
        let result = f(&mut dev, now);
        let transmits = drain(&mut dev);
        let full = self.queue_full.load(Ordering::Relaxed);
        let _ = self.drop_report.maybe_log(now, &dev.drop_stats(), full);
        Stepped { result, transmits }
    }

    /// Takes datagrams that could not be sent back out of their peers' transmit counters.
    pub fn send_failed(&self, failed: &[(PeerId, usize)]) {
        if failed.is_empty() {
            return;
        }
        let mut dev = self.lock();
        for &(peer, bytes) in failed {
            dev.on_send_failed(peer, bytes);
        }
    }

    /// Wakes the timer thread if it overslept its deadline: after a suspend its sleep ends
    /// late (the monotonic clock stood still while the condition variable's did not), and
    /// the packet paths do not step the device routinely to run due timers.
    pub fn catch_up_timers(&self, now: Instant) {
        if now.as_nanos() > self.timer_target.load(Ordering::Acquire) {
            self.timer_wake.notify_one();
        }
    }
}

/// The timer thread's hold on the device: it sets its own next deadline, so it needs no
/// kick, and it can hand the lock to the condition variable while it sleeps.
pub struct TimerGuard<'a> {
    device: MutexGuard<'a, Device>,
    cell: &'a DeviceCell,
}

impl DeviceCell {
    /// Locks the device for the timer thread (see [`TimerGuard`]).
    pub fn lock_for_timers(&self) -> TimerGuard<'_> {
        TimerGuard {
            device: self
                .device
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
            cell: self,
        }
    }
}

impl TimerGuard<'_> {
    /// Sleeps, with the lock released, until the device's next deadline or until a
    /// [`DeviceGuard`]'s drop announces an earlier one.
    pub fn sleep_until_deadline(self, now: Instant) -> Self {
        let TimerGuard { device, cell } = self;
        let deadline = device.poll_timeout().map(Instant::as_nanos);
        // Stored under the lock: a guard dropped after this compares against it.
        cell.timer_target
            .store(deadline.unwrap_or(u64::MAX), Ordering::Release);
        let device = match deadline {
            Some(d) => {
                let wait = Duration::from_nanos(d.saturating_sub(now.as_nanos()));
                cell.timer_wake
                    .wait_timeout(device, wait)
                    .map(|(g, _)| g)
                    .unwrap_or_else(|e| e.into_inner().0)
            }
            None => cell
                .timer_wake
                .wait(device)
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        };
        TimerGuard { device, cell }
    }
}

impl Deref for TimerGuard<'_> {
    type Target = Device;
    fn deref(&self) -> &Device {
        &self.device
    }
}

impl DerefMut for TimerGuard<'_> {
    fn deref_mut(&mut self) -> &mut Device {
        &mut self.device
    }
}

impl Deref for DeviceGuard<'_> {
    type Target = Device;
    fn deref(&self) -> &Device {
        &self.device
    }
}

impl DerefMut for DeviceGuard<'_> {
    fn deref_mut(&mut self) -> &mut Device {
        &mut self.device
    }
}

impl Drop for DeviceGuard<'_> {
    fn drop(&mut self) {
        if let Some(deadline) = self.device.poll_timeout() {
            if deadline.as_nanos() < self.cell.timer_target.load(Ordering::Acquire) {
                self.cell.timer_wake.notify_one();
            }
        }
    }
}

/// Runs expired timers. Also called from the packet paths, so timers catch up promptly after
/// a suspend even though the timer thread's sleep does not count suspended time.
pub fn run_due_timers(dev: &mut Device, now: Instant) {
    if dev.poll_timeout().is_some_and(|d| d <= now) {
        dev.handle_timeout(now);
    }
}

/// Takes every queued transmit, and logs events.
pub fn drain(dev: &mut Device) -> Vec<Transmit> {
    while let Some(event) = dev.poll_event() {
        tracing::debug!(?event, "protocol event");
    }
    std::iter::from_fn(|| dev.poll_transmit()).collect()
}
