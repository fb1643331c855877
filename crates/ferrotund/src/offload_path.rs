//! The data path over a TUN with offloads (`IFF_VNET_HDR`): one read may be a 64 KiB TCP or
//! UDP super-packet, which is split into MTU-sized packets, sealed, and sent as runs of
//! equal-sized datagrams with one UDP GSO call each; on receive, decrypted packets of a flow
//! are coalesced again so one TUN write carries many. This is what moves the per-packet
//! system-call cost out of the way (performance.md).

use crate::engine::{drain, now, run_due_timers, Shared};
use ferrotun_io::offload::{split, Coalescer, VirtioNetHdr, VNET_HDR_LEN};
use ferrotun_proto::device::{Outbound, PeerId, SendError};
use ferrotun_proto::peer::Endpoint;
use std::io::IoSlice;
use std::sync::Arc;

/// Most segments one super-packet may split into (64 KiB of TCP at the smallest sane MSS).
const MAX_SEGMENTS: usize = 128;
const SEGMENT_BUF: usize = 65_536;
/// Sealed output of one super-packet: its payload once plus headers, overhead and padding
/// per segment.
const SEALED_BUF: usize = 256 * 1024;
/// Headroom before each received packet for the vnet header the coalescer writes.
pub(crate) const RX_HEADROOM: usize = VNET_HDR_LEN;

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

impl Shared {
    /// Reads super-packets from the TUN, seals their segments, sends them in GSO runs.
    pub(crate) fn tun_loop_offload(self: Arc<Self>) {
        let mut buf = vec![0u8; VNET_HDR_LEN + SEGMENT_BUF];
        let mut segments: Vec<Vec<u8>> =
            (0..MAX_SEGMENTS).map(|_| vec![0u8; SEGMENT_BUF]).collect();
        let mut sizes = vec![0usize; MAX_SEGMENTS];
        let mut sealed = vec![0u8; SEALED_BUF];
        let mut runs = Vec::new();
        loop {
            let Some(n) = self.read_tun(&mut buf) else {
                return;
            };
            let split_result = VirtioNetHdr::decode(&buf[..n.min(VNET_HDR_LEN)])
                .and_then(|hdr| split(&hdr, &buf[VNET_HDR_LEN..n], &mut segments, &mut sizes, 0));
            let count = match split_result {
                Ok(count) => count,
                Err(e) => {
                    tracing::debug!(error = %e, "dropped a TUN packet that cannot be split");
                    continue;
                }
            };
            runs.clear();
            let unreachable =
                self.seal_segments(&segments[..count], &sizes[..count], &mut sealed, &mut runs);
            for run in &runs {
                self.send_run(run, &sealed[run.start..run.end]);
            }
            for i in unreachable {
                self.unreachable(&segments[i][..sizes[i]]);
            }
        }
    }

    /// Seals each segment under one lock; returns the segments that had no route.
    fn seal_segments(
        &self,
        segments: &[Vec<u8>],
        sizes: &[usize],
        sealed: &mut [u8],
        runs: &mut Vec<Run>,
    ) -> Vec<usize> {
        let mut unreachable = Vec::new();
        let mut used = 0;
        let transmits = {
            let mut dev = self.lock();
            let now = now();
            run_due_timers(&mut dev, now);
            for (i, (segment, size)) in segments.iter().zip(sizes).enumerate() {
                match dev.encapsulate(now, &segment[..*size], &mut sealed[used..]) {
                    Ok(Outbound::Transmit { peer, dst, len }) => {
                        push_sealed(runs, peer, dst, used, len);
                        used += len;
                    }
                    Ok(Outbound::Queued(_)) => {}
                    Err(SendError::NoRoute | SendError::NoEndpoint(_)) => unreachable.push(i),
                    Err(e) => tracing::trace!(error = %e, "dropped outgoing packet"),
                }
            }
            let transmits = drain(&mut dev);
            self.kick_timers(&dev);
            transmits
        };
        self.send_all(transmits);
        unreachable
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

    /// Writes decrypted packets (each at `bufs[i][RX_HEADROOM..]`) to a TUN with offloads,
    /// coalescing flows so one write carries many segments.
    pub(crate) fn write_coalesced(
        &self,
        coalescer: &mut Coalescer,
        bufs: &mut [Vec<u8>],
        to_write: &mut Vec<usize>,
    ) {
        if coalescer.coalesce(bufs, RX_HEADROOM, to_write).is_err() {
            return;
        }
        for &i in to_write.iter() {
            if let Err(e) = self.tun.send(&bufs[i][RX_HEADROOM - VNET_HDR_LEN..]) {
                tracing::debug!(error = %e, "TUN write failed");
            }
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
