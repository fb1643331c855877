//! How the packet threads are scheduled (`FERROTUN_SCHED_BATCH`, `FERROTUN_SCHED_SLICE_US`).
//!
//! Both tunnel ends of a bulk transfer and the application share the CPUs, and every
//! wake-up is a chance to preempt a busy thread. Two settings, both allowed without
//! privileges, cut that churn:
//!
//! * `SCHED_BATCH`: a packet thread woken by a small packet (a TCP ACK coming back, say)
//!   waits for the running thread's time slice instead of preempting it. On the 2-CPU VM
//!   single-stream TCP went from 3.58 to 4.03 Gbit/s on average in alternating runs, for
//!   about 0.5 ms more ping under full load; an idle tunnel's latency is unchanged, as a
//!   thread woken on an idle CPU runs at once. `FERROTUN_SCHED_BATCH=0` turns this (and the
//!   slice) off.
//! * A custom time slice (Linux ≥ 6.12's EEVDF scheduler), 3 ms by default instead of the
//!   kernel's default (1.4 ms on the 2-CPU VM): a packet thread then runs its batch to the end
//!   more often before the application's wake-ups take the CPU. In paired runs on the 2-CPU VM single-stream TCP
//!   rose by 8 % on average (10 of 10 pairs; BENCHMARKS.md). `FERROTUN_SCHED_SLICE_US` sets
//!   it in microseconds (the kernel clamps it to 100–100000); `0` keeps the kernel's. Older
//!   kernels ignore it.

use crate::settings::Scheduling;

/// Applies the packet-thread scheduling to the calling thread.
pub(crate) fn configure_packet_thread(scheduling: Scheduling) {
    let Scheduling::Batch { slice_ns } = scheduling else {
        return;
    };
    match ferrotun_io::sys::use_batch_scheduling(slice_ns) {
        Ok(true) => {}
        Ok(false) if slice_ns.is_some() => {
            tracing::debug!("packet thread runs under SCHED_BATCH with the kernel's slice");
        }
        Ok(false) => {}
        Err(e) => tracing::debug!(error = %e, "packet thread keeps normal scheduling"),
    }
}
