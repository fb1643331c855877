//! The daemon's own settings, all from `FERROTUN_*` environment variables, read here and
//! nowhere else, once, before the daemon detaches. A value that is set but not understood
//! stops the daemon at start-up with the same kind of message for every variable, so a typo
//! is never silently ignored.
//!
//! | variable | values | default |
//! |---|---|---|
//! | `FERROTUN_OFFLOAD` | `0` (TUN offloads off), `1` | `1`: offloads whenever the kernel accepts them |
//! | `FERROTUN_CRYPTO_THREADS` | a whole number; `0` seals and opens on the reading thread | one per CPU from 4 CPUs up, none below (`crypto_pool.rs`) |
//! | `FERROTUN_PACKET_THREADS` | `split` (a thread per packet source), `one` (`packet_loop.rs`) | `split` |
//! | `FERROTUN_SCHED_BATCH` | `0` (normal scheduling), `1` (`SCHED_BATCH`, `sched.rs`) | `1` |
//! | `FERROTUN_SCHED_SLICE_US` | microseconds; `0` keeps the kernel's slice | 3000 |
//! | `FERROTUN_TEST`, `FERROTUN_TEST_TIME_SCALE` | test only (`test_timing.rs`) | unset |

use ferrotun_proto::timers::Timing;

/// Whether the TUN is opened with segmentation offloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offload {
    WhenAvailable,
    Off,
}

/// Which threads serve the packet sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PacketThreads {
    /// A thread for the TUN and one per UDP socket.
    Split,
    /// One thread polls them all.
    One,
}

/// How the packet threads are scheduled (`sched.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheduling {
    Normal,
    /// `SCHED_BATCH`, asking for this time slice (`None`: the kernel's).
    Batch {
        slice_ns: Option<u64>,
    },
}

/// Everything the environment set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub offload: Offload,
    /// `None`: the default for this machine's CPU count.
    pub crypto_threads: Option<usize>,
    pub packet_threads: PacketThreads,
    pub scheduling: Scheduling,
    /// Test-only shortened protocol timers.
    pub timing: Option<Timing>,
}

/// The slice packet threads ask for unless told otherwise, in microseconds.
const DEFAULT_SLICE_US: u64 = 3000;

impl Settings {
    /// The settings of this process's environment.
    pub fn from_env() -> Result<Settings, String> {
        Settings::parse(|name| std::env::var(name).ok())
    }

    /// The settings `get` (a variable's value, if set) describes; the error names the
    /// variable, its value and what it accepts.
    pub fn parse(get: impl Fn(&str) -> Option<String>) -> Result<Settings, String> {
        let value = |name: &str| get(name).map(|v| v.trim().to_string());
        let offload = match value("FERROTUN_OFFLOAD").as_deref() {
            None | Some("1") => Offload::WhenAvailable,
            Some("0") => Offload::Off,
            Some(v) => return Err(bad("FERROTUN_OFFLOAD", v, "0 or 1")),
        };
        let crypto_threads = number(&get, "FERROTUN_CRYPTO_THREADS")?
            .map(|n| usize::try_from(n).unwrap_or(usize::MAX));
        let packet_threads = match value("FERROTUN_PACKET_THREADS").as_deref() {
            None | Some("split") => PacketThreads::Split,
            Some("one") => PacketThreads::One,
            Some(v) => return Err(bad("FERROTUN_PACKET_THREADS", v, "one or split")),
        };
        let slice_us = number(&get, "FERROTUN_SCHED_SLICE_US")?.unwrap_or(DEFAULT_SLICE_US);
        let scheduling = match value("FERROTUN_SCHED_BATCH").as_deref() {
            None | Some("1") => Scheduling::Batch {
                slice_ns: (slice_us > 0).then(|| slice_us.saturating_mul(1000)),
            },
            Some("0") => Scheduling::Normal,
            Some(v) => return Err(bad("FERROTUN_SCHED_BATCH", v, "0 or 1")),
        };
        let timing = crate::test_timing::requested_scale(&get)?;
        Ok(Settings {
            offload,
            crypto_threads,
            packet_threads,
            scheduling,
            timing,
        })
    }
}

/// A whole number, if the variable is set.
fn number(get: &impl Fn(&str) -> Option<String>, name: &str) -> Result<Option<u64>, String> {
    let Some(text) = get(name) else {
        return Ok(None);
    };
    let text = text.trim();
    text.parse::<u64>()
        .map(Some)
        .map_err(|_| bad(name, text, "a whole number"))
}

/// The one way a bad value is reported.
fn bad(name: &str, value: &str, accepts: &str) -> String {
    format!("{name}={value:?} is not understood (it takes {accepts}); refusing to start")
}

#[cfg(test)]
mod tests;
