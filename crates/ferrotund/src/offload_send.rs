//! The send path over a TUN with offloads (`IFF_VNET_HDR`): one read may be a 64 KiB TCP or
//! UDP super-packet, and one batch takes every read already queued. The batch is split into
//! MTU-sized packets, routed and numbered on the thread's data path (`packet_thread.rs`), sealed
//! on the crypto workers when there are any, and sent as runs of equal-sized datagrams: one
//! UDP GSO message per run of up to 64 KiB, all of a batch's messages in one `sendmmsg`. This
//! is what moves the per-packet system-call cost out of the way (docs/performance.md §2); the
//! receive side (`receive.rs`) coalesces again before the TUN write.

use crate::crypto_pool::CryptoPool;
use crate::daemon::Daemon;
use crate::packet_thread::{Item, PacketThread, Via};
use crate::tun_port::TunRead;
use ferrotun_io::offload::{split_packed, Layout, Placed, VirtioNetHdr, VNET_HDR_LEN};
use ferrotun_io::udp::SendRun;
use ferrotun_proto::device::{DataPath, PeerId, Prepared, SealJob, SendError};
use ferrotun_proto::peer::Endpoint;
use ferrotun_proto::wire::TransportHeader;

/// Segments one batch may hold: two reads' worth of 64 KiB of TCP at the smallest sane MSS.
const MAX_SEGMENTS: usize = 256;
/// One read: a vnet header and a packet of up to 64 KiB.
const READ_BUF: usize = VNET_HDR_LEN + 65_536;
/// The batch's transport messages, laid out before sealing. A batch stops taking reads once
/// half of it is used, which leaves room for another read: 64 KiB of payload plus, for each
/// of its segments, a copy of the headers and the data header, padding and tag (about 108
/// KiB for the 255 segments a read may still add, with ordinary TCP headers). A read that
/// does not fit all the same is dropped alone (`split_packed` fails without placing it).
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

/// Whether a batch may take more reads after its first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadMode {
    /// The TUN is non-blocking: a batch takes every read already queued.
    Batching,
    /// A blocking TUN (one that refused `O_NONBLOCK`): one read per batch.
    OneAtATime,
}

/// How a batch ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchEnd {
    /// It found the TUN empty: the next read should wait first.
    TunEmpty,
    /// It stopped because it was full (or took one read only): more may be queued.
    MoreQueued,
    /// The interface is gone; what the batch had read was still sent.
    InterfaceGone,
}

/// The send path's buffers over a TUN with offloads, reused from batch to batch.
pub struct OffloadSend {
    buf: Vec<u8>,
    /// Where each segment of the batch was split to in `sealed`.
    placed: Vec<Placed>,
    /// The segments, each split straight into the slot where it is sealed in place.
    sealed: Vec<u8>,
    runs: Vec<Run>,
    mode: ReadMode,
}

impl OffloadSend {
    pub fn new(mode: ReadMode) -> Self {
        OffloadSend {
            buf: vec![0u8; READ_BUF],
            placed: Vec::with_capacity(MAX_SEGMENTS),
            sealed: vec![0u8; SEALED_BUF],
            runs: Vec::new(),
            mode,
        }
    }

    /// The buffer the first read of a batch goes to.
    pub fn read_buf(&mut self) -> &mut [u8] {
        &mut self.buf
    }

    /// Sends the `n` bytes read into [`read_buf`](Self::read_buf) and every read already
    /// queued after them (many small UDP packets, or several super-packets) as one batch:
    /// sealed together and sent in GSO runs.
    pub fn send_batch(&mut self, d: &Daemon, pt: &mut PacketThread, n: usize) -> BatchEnd {
        let mut ended = BatchEnd::MoreQueued;
        self.placed.clear();
        let mut end = self.split_read(&pt.data_path, n, 0);
        while self.mode == ReadMode::Batching
            && self.placed.len() <= MAX_SEGMENTS / 2
            && end <= SEALED_BUF / 2
        {
            match d.tun.read_now(&mut self.buf) {
                TunRead::Packet(n) => end = self.split_read(&pt.data_path, n, end),
                TunRead::Empty => {
                    ended = BatchEnd::TunEmpty;
                    break;
                }
                TunRead::Gone => {
                    ended = BatchEnd::InterfaceGone;
                    break;
                }
            }
        }
        self.runs.clear();
        let unreachable = seal_segments(d, pt, &self.placed, end, &mut self.sealed, &mut self.runs);
        send_runs(d, pt, &self.runs, &self.sealed);
        for i in unreachable {
            d.tun.unreachable(plaintext(&self.sealed, self.placed[i]));
        }
        ended
    }

    /// Splits the read of `n` bytes into the slots from `at` on; returns where the next slot
    /// starts. A packet that cannot be split is dropped.
    fn split_read(&mut self, dp: &DataPath, n: usize, at: usize) -> usize {
        let read = &self.buf[..n];
        let hdr = VirtioNetHdr::decode(&read[..read.len().min(VNET_HDR_LEN)]);
        let packet = read.get(VNET_HDR_LEN..).unwrap_or_default();
        let layout = Layout {
            offset: TransportHeader::LEN,
            slot_len: |len| dp.sealed_len(len),
            max_segments: MAX_SEGMENTS - self.placed.len(),
        };
        let result = hdr.and_then(|hdr| {
            split_packed(
                &hdr,
                packet,
                &mut self.sealed,
                at,
                &layout,
                &mut self.placed,
            )
        });
        result.unwrap_or_else(|e| {
            tracing::debug!(error = %e, "dropped a TUN packet that cannot be split");
            at
        })
    }
}

/// The plaintext of a segment split into its slot.
fn plaintext(sealed: &[u8], placed: Placed) -> &[u8] {
    &sealed[placed.start + TransportHeader::LEN..][..placed.len]
}

/// Routes and numbers the segments in their slots of `sealed` (on the data path, or under
/// one step from the first that needs the device), then seals them in place on the crypto
/// workers, laid out as `runs`; returns the segments that had no route.
fn seal_segments(
    d: &Daemon,
    pt: &mut PacketThread,
    placed: &[Placed],
    end: usize,
    sealed: &mut [u8],
    runs: &mut Vec<Run>,
) -> Vec<usize> {
    let mut unreachable = Vec::new();
    let mut jobs = Vec::with_capacity(placed.len());
    let slots = &*sealed;
    pt.batch(d, placed.len(), |dp, via, now, i| {
        let segment = plaintext(slots, placed[i]);
        let prepared = match via {
            Via::DataPath => match dp.prepare_send(now, segment) {
                Some(fast) => fast.map(Prepared::Seal),
                None => return Item::NeedsDevice,
            },
            Via::Device(dev) => dp.prepare_send_with(dev, now, segment),
        };
        let slot_end = placed.get(i + 1).map_or(end, |next| next.start);
        match prepared {
            // The MTU changed since the layout and the message outgrew its slot: the
            // counter is spent, which only leaves a gap the receiver accepts.
            Ok(Prepared::Seal(job)) if placed[i].start + job.sealed_len() > slot_end => {
                tracing::debug!("dropped a packet whose padding grew with the MTU");
            }
            Ok(Prepared::Seal(job)) => {
                push_sealed(runs, job.peer, job.dst, placed[i].start, job.sealed_len());
                jobs.push((placed[i].start, job));
            }
            Ok(Prepared::Queued(_)) => {}
            Err(SendError::NoRoute | SendError::NoEndpoint(_)) => unreachable.push(i),
            Err(e) => tracing::trace!(error = %e, "dropped outgoing packet"),
        }
        Item::Done
    });
    seal_jobs(&d.crypto, jobs, sealed);
    unreachable
}

/// Seals prepared segments in their slots, in parallel.
fn seal_jobs(crypto: &CryptoPool, jobs: Vec<(usize, SealJob)>, sealed: &mut [u8]) {
    let mut items = Vec::with_capacity(jobs.len());
    let mut rest = sealed;
    let mut consumed = 0;
    for (start, job) in jobs {
        // Slots are disjoint and in order (`seal_segments` checked each job fits its
        // own); should that ever fail, nothing of the rest may leave as plaintext.
        let window = start
            .checked_sub(consumed)
            .filter(|gap| gap + job.sealed_len() <= rest.len());
        let Some(gap) = window else {
            tracing::error!("sealing slots overlap; batch dropped from here");
            rest.fill(0);
            break;
        };
        let (out, tail) = core::mem::take(&mut rest)[gap..].split_at_mut(job.sealed_len());
        rest = tail;
        consumed = start + job.sealed_len();
        items.push((job, out));
    }
    crypto.for_each(&mut items, |(job, out)| {
        if let Err(e) = job.seal(out) {
            // Never let the plaintext leave.
            out.fill(0);
            tracing::debug!(error = %e, "sealing failed");
        }
    });
}

/// Sends the batch's runs, several GSO sends per system call.
fn send_runs(d: &Daemon, pt: &mut PacketThread, runs: &[Run], sealed: &[u8]) {
    let parts: Vec<SendRun<'_>> = runs
        .iter()
        .map(|run| SendRun {
            data: &sealed[run.start..run.end],
            segment: run.each,
            to: run.dst.addr,
            from: run.dst.local_ip,
        })
        .collect();
    let mut lost = Vec::new();
    pt.sockets.get(&d.sockets).send_runs(&parts, |i, bytes, e| {
        tracing::debug!(dst = %runs[i].dst.addr, error = %e, "send failed");
        lost.push((runs[i].peer, bytes));
    });
    d.device.send_failed(&lost);
}

#[cfg(test)]
mod tests {
    use super::{push_sealed, Run};
    use ferrotun_proto::device::Device;
    use ferrotun_proto::keys::PublicKey;
    use ferrotun_proto::peer::Endpoint;
    use ferrotun_proto::time::{Duration, FixedWallClock};
    use rand_core::SeedableRng;

    fn runs_of(sealed: &[(usize, usize, u16)]) -> Vec<(usize, usize, usize)> {
        let rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
        let mut dev = Device::new(Box::new(rng), Box::new(FixedWallClock(Duration::ZERO)));
        let Ok(peer) = dev.add_peer(PublicKey::from_bytes([9; 32])) else {
            panic!("cannot add a peer");
        };
        let mut runs: Vec<Run> = Vec::new();
        for &(start, len, port) in sealed {
            let dst = Endpoint {
                addr: ([127, 0, 0, 1], port).into(),
                local_ip: None,
            };
            push_sealed(&mut runs, peer, dst, start, len);
        }
        runs.iter().map(|r| (r.start, r.end, r.each)).collect()
    }

    /// Runs grow only over back-to-back messages of one size (the last may be shorter) to
    /// one destination: a gap in the slots (a message that shrank with the MTU, a segment
    /// with no route) or a new destination starts a new run, so nothing between two sealed
    /// messages is ever sent.
    #[test]
    fn runs_cover_only_adjacent_sealed_messages() {
        let adjacent = [(0, 100, 1), (100, 100, 1), (200, 60, 1), (260, 100, 1)];
        assert_eq!(runs_of(&adjacent), [(0, 260, 100), (260, 360, 100)]);
        let gap = [(0, 100, 1), (116, 100, 1)];
        assert_eq!(runs_of(&gap), [(0, 100, 100), (116, 216, 100)]);
        let other_port = [(0, 100, 1), (100, 100, 2)];
        assert_eq!(runs_of(&other_port), [(0, 100, 100), (100, 200, 100)]);
        let longer = [(0, 100, 1), (100, 120, 1)];
        assert_eq!(runs_of(&longer), [(0, 100, 100), (100, 220, 120)]);
    }
}
