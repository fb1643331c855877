//! The send path over a TUN with offloads (`IFF_VNET_HDR`): one read may be a 64 KiB TCP or
//! UDP super-packet, and one batch takes every read already queued. The batch is split into
//! MTU-sized packets, routed and numbered on the thread's data path (`data_path.rs`), sealed
//! on the crypto workers when there are any, and sent as runs of equal-sized datagrams with one UDP
//! GSO call each. This is what moves the per-packet system-call cost out of the way
//! (performance.md); the receive side (`receive.rs`) coalesces again before the TUN write.

use crate::engine::Shared;
use ferrotun_io::offload::{split, VirtioNetHdr, VNET_HDR_LEN};
use ferrotun_proto::device::{DataPath, PeerId, Prepared, SealJob, SendError};
use ferrotun_proto::peer::Endpoint;
use ferrotun_proto::wire::TransportHeader;
use std::io::IoSlice;
use std::sync::Arc;

/// Segments one batch may hold: two reads' worth of 64 KiB of TCP at the smallest sane MSS.
const MAX_SEGMENTS: usize = 256;
const SEGMENT_BUF: usize = 65_536;
/// Sealed output of one super-packet: its payload once plus headers, overhead and padding
/// per segment.
const SEALED_BUF: usize = 256 * 1024;

/// A run of sealed datagrams for one destination, all `each` bytes but the last.
struct Run {
    peer: PeerId,
    dst: Endpoint,
    start: usize,
    end: usize,
    each: usize,
    closed: bool,
}

fn push_sealed(runs: &mut Vec<Run>, peer: PeerId, dst: Endpoint, start: usize, len: usize) {
    if let Some(run) = runs.last_mut() {
        let fits = run.peer == peer && run.dst == dst && !run.closed && len <= run.each;
        if fits && run.end == start {
            run.end += len;
            run.closed = len < run.each;
            return;
        }
    }
    runs.push(Run {
        peer,
        dst,
        start,
        end: start + len,
        each: len,
        closed: false,
    });
}

/// Splits one read (vnet header and packet) into `segments[count..]`; returns the new count.
/// A packet that cannot be split is dropped.
fn split_into(read: &[u8], segments: &mut [Vec<u8>], sizes: &mut [usize], count: usize) -> usize {
    let hdr = VirtioNetHdr::decode(&read[..read.len().min(VNET_HDR_LEN)]);
    let packet = read.get(VNET_HDR_LEN..).unwrap_or_default();
    let result =
        hdr.and_then(|hdr| split(&hdr, packet, &mut segments[count..], &mut sizes[count..], 0));
    match result {
        Ok(added) => count + added,
        Err(e) => {
            tracing::debug!(error = %e, "dropped a TUN packet that cannot be split");
            count
        }
    }
}

impl Shared {
    /// Reads super-packets from the TUN, seals their segments, sends them in GSO runs.
    pub(crate) fn tun_loop_offload(self: Arc<Self>) {
        // Non-blocking reads let one batch take every packet already queued (many small UDP
        // packets, or several super-packets), sealed together and sent in GSO runs.
        let batching = self.tun.set_nonblocking().is_ok();
        let mut buf = vec![0u8; VNET_HDR_LEN + SEGMENT_BUF];
        let mut segments: Vec<Vec<u8>> =
            (0..MAX_SEGMENTS).map(|_| vec![0u8; SEGMENT_BUF]).collect();
        let mut sizes = vec![0usize; MAX_SEGMENTS];
        let mut sealed = vec![0u8; SEALED_BUF];
        let mut runs = Vec::new();
        let mut dp = self.start_packet_thread();
        let mut found_empty = false;
        loop {
            let Some(n) = self.read_tun_after(&mut buf, found_empty) else {
                return;
            };
            found_empty = false;
            let mut count = split_into(&buf[..n], &mut segments, &mut sizes, 0);
            let mut bytes = n;
            // Room is kept for a worst-case super-packet and its sealed output.
            while batching && count <= MAX_SEGMENTS / 2 && bytes <= SEGMENT_BUF {
                let Some(n) = self.try_read_tun(&mut buf) else {
                    found_empty = true;
                    break;
                };
                count = split_into(&buf[..n], &mut segments, &mut sizes, count);
                bytes += n;
            }
            runs.clear();
            let unreachable = self.seal_segments(
                &mut dp,
                &segments[..count],
                &sizes[..count],
                &mut sealed,
                &mut runs,
            );
            for run in &runs {
                self.send_run(run, &sealed[run.start..run.end]);
            }
            for i in unreachable {
                self.unreachable(&segments[i][..sizes[i]]);
            }
        }
    }

    /// Routes and numbers the segments (on the data path, or under one step from the first
    /// that needs the device), then seals them on the crypto workers into `sealed`, laid
    /// out as `runs`; returns the segments that had no route.
    fn seal_segments(
        &self,
        dp: &mut DataPath,
        segments: &[Vec<u8>],
        sizes: &[usize],
        sealed: &mut [u8],
        runs: &mut Vec<Run>,
    ) -> Vec<usize> {
        let mut unreachable = Vec::new();
        let mut jobs = Vec::with_capacity(segments.len());
        let mut used = 0;
        self.data_batch(dp, sizes.len(), |dp, dev, now, i| {
            let segment = &segments[i][..sizes[i]];
            let prepared = match dev {
                None => match dp.prepare_send(now, segment) {
                    Some(fast) => fast.map(Prepared::Seal),
                    None => return false,
                },
                Some(dev) => dp.prepare_send_with(dev, now, segment),
            };
            match prepared {
                Ok(Prepared::Seal(job)) => {
                    push_sealed(runs, job.peer, job.dst, used, job.sealed_len());
                    used += job.sealed_len();
                    jobs.push((segment, job));
                }
                Ok(Prepared::Queued(_)) => {}
                Err(SendError::NoRoute | SendError::NoEndpoint(_)) => unreachable.push(i),
                Err(e) => tracing::trace!(error = %e, "dropped outgoing packet"),
            }
            true
        });
        self.seal_jobs(jobs, sealed);
        unreachable
    }

    /// Seals prepared segments back to back into `sealed`, in parallel.
    fn seal_jobs(&self, jobs: Vec<(&[u8], SealJob)>, sealed: &mut [u8]) {
        let mut items = Vec::with_capacity(jobs.len());
        let mut rest = sealed;
        for (plain, job) in jobs {
            let Some((out, tail)) =
                core::mem::take(&mut rest).split_at_mut_checked(job.sealed_len())
            else {
                // Cannot happen: SEALED_BUF holds a whole super-packet's overhead.
                tracing::error!("sealing buffer too small; batch truncated");
                break;
            };
            rest = tail;
            items.push((plain, job, out));
        }
        self.crypto.for_each(&mut items, |(plain, job, out)| {
            out[TransportHeader::LEN..TransportHeader::LEN + plain.len()].copy_from_slice(plain);
            if let Err(e) = job.seal(out) {
                // Never let the plaintext leave.
                out.fill(0);
                tracing::debug!(error = %e, "sealing failed");
            }
        });
    }

    fn send_run(&self, run: &Run, data: &[u8]) {
        let sent = self
            .sockets()
            .send_segments(data, run.each, run.dst.addr, run.dst.local_ip);
        if let Err(e) = sent {
            tracing::debug!(dst = %run.dst.addr, error = %e, "send failed");
            self.lock().on_send_failed(run.peer, data.len());
        }
    }

    /// Writes one packet to the TUN, with an empty vnet header if the TUN has offloads.
    pub(crate) fn write_one(&self, packet: &[u8]) -> std::io::Result<usize> {
        if self.tun.offload().is_some() {
            let hdr = VirtioNetHdr::default().to_bytes();
            self.tun
                .send_parts(&[IoSlice::new(&hdr), IoSlice::new(packet)])
        } else {
            self.tun.send(packet)
        }
    }
}
