//! An executor that only records, for tests and `--dry-run` style output.

use super::Executor;
use crate::action::Action;

/// Records every action; fails the action at `fail_at` (0-based count of calls), to test
/// roll-back.
#[derive(Debug, Default)]
pub struct DryRun {
    /// The actions, in the order they were executed.
    pub executed: Vec<Action>,
    /// Fail the call with this index.
    pub fail_at: Option<usize>,
}

impl DryRun {
    /// The `[#] ...` lines the actions would print.
    #[must_use]
    pub fn lines(&self) -> Vec<String> {
        self.executed.iter().map(|a| format!("[#] {a}")).collect()
    }
}

impl Executor for DryRun {
    fn execute(&mut self, action: &Action) -> Result<(), std::io::Error> {
        let index = self.executed.len();
        self.executed.push(action.clone());
        if self.fail_at == Some(index) {
            return Err(std::io::Error::other("injected failure"));
        }
        Ok(())
    }
}
