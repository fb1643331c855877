//! The timer thread's whole life: it sleeps until the device's exact next deadline (no
//! periodic tick, so an idle daemon does not wake up), runs what is due, sends what that
//! queued, and sleeps again. Packet threads that move a deadline earlier wake it through
//! the device guard (`device_cell.rs`).

use crate::daemon::Daemon;
use crate::device_cell::{drain, now, run_due_timers};
use crate::transmit;
use std::sync::Arc;

/// Runs the device's timers until the daemon stops.
pub fn run(d: Arc<Daemon>) {
    let mut dev = d.device.lock_for_timers();
    while !d.lifecycle.stopping() {
        let now = now();
        run_due_timers(&mut dev, now);
        let transmits = drain(&mut dev);
        if !transmits.is_empty() {
            // Sent unlocked: the packet threads may need the device meanwhile.
            drop(dev);
            let failed = transmit::send_all(&d.sockets.current(), &transmits);
            d.device.send_failed(&failed);
            dev = d.device.lock_for_timers();
            continue;
        }
        dev = dev.sleep_until_deadline(now);
    }
}
