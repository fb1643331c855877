//! Carrying out a plan.
//!
//! An [`Executor`] performs one [`Action`] at a time. [`run_up`] stops at the first failure
//! and rolls back what was done, as wg-quick's `del_if` trap does; [`run_down`] goes on
//! past the steps wg-quick runs with `|| true`.

mod dry;
#[cfg(target_os = "linux")]
pub mod linux;
#[cfg(target_os = "linux")]
pub mod netlink;
#[cfg(target_os = "linux")]
pub(crate) mod rtnl;
#[cfg(target_os = "linux")]
mod save;

pub use dry::DryRun;

use crate::action::Action;
use crate::plan::rollback;
use std::fmt;

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
    for (index, action) in plan.iter().enumerate() {
        if let Err(error) = execute(executor, action) {
            // The failed step may have half-happened (the daemon may have created the link
            // before failing), so it counts as done for the rollback.
            for undo in rollback(&plan[..=index]) {
                let _ = executor.execute(&undo);
            }
            return Err(error);
        }
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
