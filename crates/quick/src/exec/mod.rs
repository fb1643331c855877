//! Carrying out a plan.
//!
//! An [`Executor`] performs one [`Action`] at a time. [`run_up`] stops at the first failure
//! and rolls back what was done, as wg-quick's `del_if` trap does; [`run_down`] goes on
//! past the steps wg-quick runs with `|| true`.

mod dry;
#[cfg(target_os = "linux")]
mod host;
#[cfg(target_os = "linux")]
pub mod linux;
#[cfg(target_os = "linux")]
pub mod netlink;
#[cfg(target_os = "linux")]
pub mod netns_resolv;
#[cfg(target_os = "linux")]
pub(crate) mod rtnl;
#[cfg(target_os = "linux")]
mod save;

pub use dry::DryRun;

use crate::action::Action;
use crate::plan::rollback;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};

/// A failed action: what was attempted and why it failed.
#[derive(Debug)]
pub struct ExecError {
    /// The command text of the action.
    pub action: String,
    /// The cause.
    pub cause: std::io::Error,
}

impl fmt::Display for ExecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.cause.kind() == std::io::ErrorKind::Interrupted {
            return write!(f, "{} (before `{}')", self.cause, self.action);
        }
        write!(f, "`{}' failed: {}", self.action, self.cause)
    }
}

impl std::error::Error for ExecError {}

/// Performs actions.
pub trait Executor {
    /// Performs `action`, printing its `[#]` line(s) first if the executor prints.
    fn execute(&mut self, action: &Action) -> Result<(), std::io::Error>;
}

fn execute(executor: &mut dyn Executor, action: &Action) -> Result<(), ExecError> {
    executor.execute(action).map_err(|cause| ExecError {
        action: action.to_string(),
        cause,
    })
}

/// Runs an `up` plan; on failure runs the [`rollback`] of the completed steps (their
/// failures ignored, as they are in wg-quick's trap) and returns the first error.
pub fn run_up(executor: &mut dyn Executor, plan: &[Action]) -> Result<(), ExecError> {
    run_up_until(executor, plan, &AtomicBool::new(false))
}

/// [`run_up`] that also stops, and rolls back, once `stop` is set (by SIGINT or SIGTERM,
/// see [`crate::interrupt`]): checked before each step, and after the last one, so an
/// interrupted `up` never leaves anything behind.
pub fn run_up_until(
    executor: &mut dyn Executor,
    plan: &[Action],
    stop: &AtomicBool,
) -> Result<(), ExecError> {
    let interrupted = |index: usize| {
        let next = plan
            .get(index)
            .map_or("the end".to_string(), ToString::to_string);
        ExecError {
            action: next,
            cause: std::io::Error::new(
                std::io::ErrorKind::Interrupted,
                "interrupted by a signal; everything done so far was rolled back",
            ),
        }
    };
    for (index, action) in plan.iter().enumerate() {
        if stop.load(Ordering::SeqCst) {
            for undo in rollback(&plan[..index]) {
                let _ = executor.execute(&undo);
            }
            return Err(interrupted(index));
        }
        if let Err(error) = execute(executor, action) {
            // The failed step may have half-happened (the daemon may have created the link
            // before failing), so it counts as done for the rollback.
            for undo in rollback(&plan[..=index]) {
                let _ = executor.execute(&undo);
            }
            return Err(error);
        }
    }
    if stop.load(Ordering::SeqCst) {
        for undo in rollback(plan) {
            let _ = executor.execute(&undo);
        }
        return Err(interrupted(plan.len()));
    }
    Ok(())
}

/// Runs a `down` (or any teardown) plan: stops at the first failure except for actions that
/// [may fail](Action::may_fail).
pub fn run_down(executor: &mut dyn Executor, plan: &[Action]) -> Result<(), ExecError> {
    for action in plan {
        match execute(executor, action) {
            Err(_) if action.may_fail() => {}
            result => result?,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
