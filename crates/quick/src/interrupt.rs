//! SIGINT and SIGTERM during `up`: wg-quick traps them (`trap 'del_if; exit' INT TERM
//! EXIT`) and tears down what it made. [`Trap`] turns them into a flag that
//! [`crate::exec::run_up_until`] checks between steps; a step in progress (a hook, the
//! daemon starting) is finished first, as bash runs a trap only after its foreground
//! command. The default handling comes back when the trap is dropped.
//!
//! signal-hook cannot give the kernel's default disposition back, so the first trap also
//! installs, once per process, an emulation of the default action that is armed whenever
//! no trap is active.

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

const SIGNALS: [i32; 2] = [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM];

/// The emulated default action's switch (armed while no trap is active) and the number of
/// active traps.
static DEFAULT: Mutex<(Option<Arc<AtomicBool>>, usize)> = Mutex::new((None, 0));

/// Counts a trap in (`+1`) or out (`-1`) and arms the default action when none is left.
fn count_trap(delta: isize) -> io::Result<()> {
    let mut state = DEFAULT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if state.0.is_none() {
        let armed = Arc::new(AtomicBool::new(true));
        for signal in SIGNALS {
            signal_hook::flag::register_conditional_default(signal, Arc::clone(&armed))?;
        }
        state.0 = Some(armed);
    }
    state.1 = state.1.saturating_add_signed(delta);
    if let Some(armed) = &state.0 {
        armed.store(state.1 == 0, Ordering::SeqCst);
    }
    Ok(())
}

/// SIGINT and SIGTERM caught into a flag while this lives.
#[derive(Debug)]
pub struct Trap {
    flag: Arc<AtomicBool>,
    ids: Vec<signal_hook::SigId>,
}

impl Trap {
    /// Starts catching.
    pub fn install() -> io::Result<Self> {
        count_trap(1)?;
        // From here on, dropping `trap` (also on an error below) counts it out again.
        let mut trap = Trap {
            flag: Arc::new(AtomicBool::new(false)),
            ids: Vec::new(),
        };
        for signal in SIGNALS {
            trap.ids
                .push(signal_hook::flag::register(signal, Arc::clone(&trap.flag))?);
        }
        Ok(trap)
    }

    /// Set once a signal arrived.
    #[must_use]
    pub fn flag(&self) -> &AtomicBool {
        &self.flag
    }
}

impl Drop for Trap {
    fn drop(&mut self) {
        for id in self.ids.drain(..) {
            signal_hook::low_level::unregister(id);
        }
        let _ = count_trap(-1);
    }
}
