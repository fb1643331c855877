//! ferrotund's packet threads: how many there are (`FERROTUN_PACKET_THREADS`) and how they
//! are scheduled (`FERROTUN_SCHED_BATCH`, `FERROTUN_SCHED_SLICE_US`), read from `/proc`.

use crate::cmd::{root, unique};
use crate::daemon::{Daemon, Impl};
use crate::netns::Netns;
use std::time::{Duration, Instant};

const SCHED_OTHER: u32 = 0;
const SCHED_BATCH: u32 = 3;
/// The one packet thread (names are cut to 15 bytes).
const ONE: &[&str] = &["ferrotund-packe"];
/// A TUN thread and a thread per socket.
const SPLIT: &[&str] = &["ferrotund-tun", "ferrotund-udp"];

/// One thread: its name, scheduling policy (field 41 of its `stat`) and time slice in ns
/// (`se.slice` in its `sched`, on kernels that show it).
#[derive(Debug)]
struct Thread {
    name: String,
    policy: u32,
    slice: Option<u64>,
}

fn is_packet(name: &str) -> bool {
    ONE.contains(&name) || SPLIT.contains(&name)
}

fn threads_of(pid: u32) -> Vec<Thread> {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Vec::new();
    };
    tasks
        .flatten()
        .filter_map(|task| {
            let stat = std::fs::read_to_string(task.path().join("stat")).ok()?;
            let (head, rest) = stat.rsplit_once(')')?;
            let name = head.split_once('(')?.1.to_string();
            // Fields after the name start at field 3.
            let policy = rest.split_whitespace().nth(41 - 3)?.parse().ok()?;
            let sched = std::fs::read_to_string(task.path().join("sched")).unwrap_or_default();
            let slice = sched
                .lines()
                .find_map(|l| l.strip_prefix("se.slice"))
                .and_then(|v| v.trim_start_matches([' ', ':']).trim().parse().ok());
            Some(Thread {
                name,
                policy,
                slice,
            })
        })
        .collect()
}

/// The distinct names of the packet threads, sorted.
fn packet_names(threads: &[Thread]) -> Vec<&str> {
    let mut names: Vec<&str> = threads
        .iter()
        .map(|t| t.name.as_str())
        .filter(|name| is_packet(name))
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// A fresh daemon's threads once the packet threads `layout` names are all there and run
/// under `policy` (or after 5 s: the packet threads start one after the other, so seeing one
/// is not seeing all).
fn settled_threads(env: &[(&str, &str)], layout: &[&str], policy: u32) -> Vec<Thread> {
    let ns = Netns::new("sb");
    let d = Daemon::start_named_env(&ns, Impl::Ferrotund, &unique("sb"), env);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let threads = threads_of(d.pid);
        let settled = packet_names(&threads) == layout
            && threads
                .iter()
                .filter(|t| is_packet(&t.name))
                .all(|t| t.policy == policy);
        if settled || Instant::now() > deadline {
            return threads;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Environment, packet thread names, their policy and their slice (`None`: the kernel's).
type Case = (
    &'static [(&'static str, &'static str)],
    &'static [&'static str],
    u32,
    Option<u64>,
);

/// One packet thread (`ferrotund-packets`) or a TUN thread and a thread per socket, as
/// `FERROTUN_PACKET_THREADS` asks (by default the latter). Packet threads run under
/// SCHED_BATCH with a 3 ms slice (or as `FERROTUN_SCHED_SLICE_US` says), unless
/// `FERROTUN_SCHED_BATCH=0`; every other thread keeps normal scheduling and the kernel's
/// slice.
#[test]
fn ferrotund_packet_threads_layout_and_scheduling() {
    if !root() {
        return;
    }
    let default = SPLIT;
    let cases: [Case; 6] = [
        (&[], default, SCHED_BATCH, Some(3_000_000)),
        (
            &[("FERROTUN_PACKET_THREADS", "one")],
            ONE,
            SCHED_BATCH,
            Some(3_000_000),
        ),
        (
            &[("FERROTUN_PACKET_THREADS", "split")],
            SPLIT,
            SCHED_BATCH,
            Some(3_000_000),
        ),
        (
            &[("FERROTUN_SCHED_SLICE_US", "5000")],
            default,
            SCHED_BATCH,
            Some(5_000_000),
        ),
        (
            &[("FERROTUN_SCHED_SLICE_US", "0")],
            default,
            SCHED_BATCH,
            None,
        ),
        (&[("FERROTUN_SCHED_BATCH", "0")], default, SCHED_OTHER, None),
    ];
    for (env, layout, packet_policy, packet_slice) in cases {
        let threads = settled_threads(env, layout, packet_policy);
        assert_eq!(packet_names(&threads), layout, "{env:?}: {threads:?}");
        check_scheduling(env, &threads, packet_policy, packet_slice);
    }
}

/// Packet threads run under `packet_policy` with `packet_slice` (`None`: the kernel's),
/// every other thread under SCHED_OTHER with the kernel's slice.
fn check_scheduling(
    env: &[(&str, &str)],
    threads: &[Thread],
    packet_policy: u32,
    packet_slice: Option<u64>,
) {
    // The kernel's own slice: what the non-packet threads have.
    let kernel_slice = threads
        .iter()
        .find(|t| !is_packet(&t.name))
        .and_then(|t| t.slice);
    let slices = slices_checkable(threads, kernel_slice, packet_slice);
    for t in threads {
        let (policy, slice) = if is_packet(&t.name) {
            (packet_policy, packet_slice.or(kernel_slice))
        } else {
            (SCHED_OTHER, kernel_slice)
        };
        assert_eq!(t.policy, policy, "{env:?}: thread {} ({threads:?})", t.name);
        if slices {
            assert_eq!(t.slice, slice, "{env:?}: thread {} ({threads:?})", t.name);
        }
    }
}

/// Whether the slices can be checked: the kernel sets per-thread slices (6.12 on), every
/// thread shows one (`se.slice` in its `sched`), and the slice asked for differs from the
/// kernel's own, else a daemon that set none would pass. When not, a skip (ferrotun-testkit).
fn slices_checkable(threads: &[Thread], kernel_slice: Option<u64>, asked: Option<u64>) -> bool {
    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let mut numbers = release
        .trim()
        .split(['.', '-'])
        .map(|n| n.parse::<u32>().ok());
    let version = (numbers.next().flatten(), numbers.next().flatten());
    let reason = if !matches!(version, (Some(major), Some(minor)) if (major, minor) >= (6, 12)) {
        format!(
            "kernel {} before 6.12, without per-thread slices",
            release.trim()
        )
    } else if threads.iter().any(|t| t.slice.is_none()) {
        "kernel without se.slice in /proc/PID/task/TID/sched".to_string()
    } else if asked.is_some() && asked == kernel_slice {
        format!("kernel whose own slice is the {asked:?} ns asked for: setting it cannot be seen")
    } else {
        return true;
    };
    ferrotun_testkit::skip(&reason);
    false
}
