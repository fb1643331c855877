//! # ferrotun-quick
//!
//! wg-quick(8) for Linux, with ferrotun's userspace daemon instead of the kernel module:
//!
//! 1. [`invocation`] turns `CONFIG_FILE | INTERFACE` into an interface name and a path, and
//!    warns about world-accessible files;
//! 2. [`probe`] takes an [`Environment`] snapshot of the host (Linux);
//! 3. [`plan`] turns the parsed file and the snapshot into a list of [`Action`]s — pure,
//!    following wireguard-tools' `linux.bash` step by step;
//! 4. [`exec`] carries the actions out: [`exec::DryRun`] records them, and on Linux
//!    [`exec::linux::LinuxExecutor`] does the `ip` work over rtnetlink and prints the
//!    `[#] ...` line wg-quick would print. A failed (or interrupted) `up` is rolled back.
//!
//! Beyond wg-quick: `reload` ([`plan::plan_reload`]: the difference between the running
//! interface and the file, applied without restarting the daemon), `--netns NAME`
//! ([`netns`]: the interface in NAME, the daemon and its UDP socket in the caller's
//! namespace), and a `save` that edits the file in place ([`saveedit`]). [`showconf`] is the
//! one `wg showconf` renderer, shared with the CLI.
//!
//! ```
//! use ferrotun_quick::{plan, Environment};
//! use ferrotun_conf::Config;
//!
//! let inv = plan::Invocation {
//!     interface: "wg0".into(),
//!     path: "/etc/wireguard/wg0.conf".into(),
//!     daemon: "ferrotund".into(),
//!     netns: None,
//! };
//! let actions = plan::plan_up(&inv, &Config::default(), &Environment::default()).unwrap();
//! assert_eq!(actions[0].to_string(), "ferrotund wg0");
//! ```

pub mod action;
#[cfg(target_os = "linux")]
pub mod cmd;
pub mod env;
pub mod exec;
#[cfg(target_os = "linux")]
pub mod interrupt;
pub mod invocation;
#[cfg(target_os = "linux")]
pub mod netns;
pub mod plan;
#[cfg(target_os = "linux")]
pub mod probe;
pub mod rt_tables;
pub mod saveedit;
pub mod showconf;
#[cfg(test)]
mod testutil;
pub mod wgconf;

pub use action::Action;
pub use env::{Environment, Running};
