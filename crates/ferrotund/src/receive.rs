//! The receive path, for the UDP threads (`udp_thread.rs`) and the one packet thread
//! (`packet_loop.rs`). Handshake messages go to the handshake queue. Transport messages of a
//! receive (with UDP GRO, up to 64 datagrams of one sender) are matched to sessions on the
//! thread's data path (`packet_thread.rs`), opened on the crypto workers, checked on the data
//! path again, and written to the TUN in arrival order, coalesced when the TUN has offloads.

use crate::daemon::{Daemon, BUF};
use crate::device_cell::now;
use crate::packet_thread::{Item, PacketThread, Via};
use crate::tun_port::TunPort;
use ferrotun_io::udp::{self, RecvMeta};
use ferrotun_proto::device::{DropReason, Inbound, OpenJob, Received};
use ferrotun_proto::peer::Endpoint;
use std::net::UdpSocket;
use std::ops::Range;

/// One transport message of a receive, on its way through the crypto workers.
struct Opening<'a> {
    job: OpenJob,
    start: usize,
    datagram: &'a mut [u8],
    opened: Result<usize, DropReason>,
}

/// Whether a receive waits for the first message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// Block until a message comes (a thread that serves one socket).
    ForFirst,
    /// Take only what is queued (a thread that polled first).
    No,
}

impl RxState {
    /// Receives every message already queued on `socket` (up to [`udp::RECV_BATCH`],
    /// waiting for the first as `wait` says) and handles them; returns how many there were.
    pub fn receive_batch(
        &mut self,
        d: &Daemon,
        pt: &mut PacketThread,
        socket: &UdpSocket,
        wait: Wait,
    ) -> std::io::Result<usize> {
        // One system call takes every message already queued (a flood of small handshake
        // messages costs one call per batch, not one per message).
        let count = match wait {
            Wait::ForFirst => udp::recv_many(socket, &mut self.bufs, &mut self.metas)?,
            Wait::No => udp::try_recv_many(socket, &mut self.bufs, &mut self.metas)?,
        };
        let mut bufs = core::mem::take(&mut self.bufs);
        self.pending.clear();
        for (i, (buf, meta)) in bufs.iter_mut().zip(self.metas).take(count).enumerate() {
            self.receive_one(d, pt, buf, &meta);
            self.pending
                .extend(self.packets.drain(..).map(|range| (i, range)));
        }
        // Coalescing over the whole batch, not message by message, lets frames reach 64 KiB
        // even when the sender's GSO runs were shorter: fewer TUN writes, and fewer ACKs.
        self.rx.write(&d.tun, &bufs, &self.pending);
        self.bufs = bufs;
        Ok(count)
    }

    /// Handles one received message: a datagram, or a GRO run of them from one sender. With
    /// offloads its tunnel packets stay in `self.packets` for the batch's coalescing; without,
    /// they are written at once.
    fn receive_one(&mut self, d: &Daemon, pt: &mut PacketThread, buf: &mut [u8], meta: &RecvMeta) {
        let from = Endpoint {
            addr: meta.from,
            local_ip: meta.local_ip,
        };
        self.jobs.clear();
        self.packets.clear();
        queue_handshakes(d, from, meta, buf, &mut self.transport);
        if !self.transport.is_empty() {
            prepare_receives(d, pt, from, &self.transport, buf, &mut self.jobs);
        }
        if !self.jobs.is_empty() {
            open_and_finish(d, pt, from, buf, &mut self.jobs, &mut self.packets);
        }
        if !d.tun.has_offload() {
            for range in self.packets.drain(..) {
                if let Err(e) = d.tun.write_frame(&buf[range]) {
                    tracing::debug!(error = %e, "TUN write failed");
                }
            }
        }
    }
}

/// Queues handshake messages for the handshake thread; the other datagrams' ranges go
/// to `transport`.
fn queue_handshakes(
    d: &Daemon,
    from: Endpoint,
    meta: &RecvMeta,
    buf: &[u8],
    transport: &mut Vec<Range<usize>>,
) {
    transport.clear();
    for segment in meta.segments() {
        match buf[segment.clone()].first() {
            Some(1..=3) => {
                d.handshakes.push_received(from, &buf[segment], now());
            }
            _ => transport.push(segment),
        }
    }
}

/// Matches transport messages to their sessions.
fn prepare_receives(
    d: &Daemon,
    pt: &mut PacketThread,
    from: Endpoint,
    transport: &[Range<usize>],
    buf: &mut [u8],
    jobs: &mut Vec<(Range<usize>, OpenJob)>,
) {
    pt.batch(d, transport.len(), |dp, via, now, i| {
        let segment = transport[i].clone();
        let datagram = &mut buf[segment.clone()];
        let received = match via {
            Via::DataPath => match dp.prepare_receive(now, datagram) {
                Some(fast) => fast.map(Received::Open),
                None => return Item::NeedsDevice,
            },
            Via::Device(dev) => dp.prepare_receive_with(dev, now, from, datagram),
        };
        match received {
            Ok(Received::Open(job)) => jobs.push((segment, job)),
            Ok(Received::Done(_)) => {}
            Err(reason) => tracing::trace!(%from.addr, %reason, "dropped datagram"),
        }
        Item::Done
    });
}

/// Opens the transport messages on the crypto workers, then applies them in order;
/// the tunnel packets' ranges in `buf` go to `packets`.
fn open_and_finish(
    d: &Daemon,
    pt: &mut PacketThread,
    from: Endpoint,
    buf: &mut [u8],
    jobs: &mut Vec<(Range<usize>, OpenJob)>,
    packets: &mut Vec<Range<usize>>,
) {
    let mut items = Vec::with_capacity(jobs.len());
    let mut rest = &mut buf[..];
    let mut consumed = 0;
    for (range, job) in jobs.drain(..) {
        let tail = core::mem::take(&mut rest);
        let Some((_, tail)) = tail.split_at_mut_checked(range.start - consumed) else {
            break;
        };
        let Some((datagram, tail)) = tail.split_at_mut_checked(range.len()) else {
            break;
        };
        rest = tail;
        consumed = range.end;
        items.push(Opening {
            job,
            start: range.start,
            datagram,
            opened: Err(DropReason::InvalidPacket),
        });
    }
    d.crypto
        .for_each(&mut items, |it| it.opened = it.job.open(it.datagram));
    pt.batch(d, items.len(), |dp, via, now, i| {
        let it = &items[i];
        let inbound = match via {
            Via::DataPath => match dp.finish_receive(now, from, &it.job, it.opened, it.datagram) {
                Some(fast) => fast,
                None => return Item::NeedsDevice,
            },
            Via::Device(dev) => {
                dp.finish_receive_with(dev, now, from, &it.job, it.opened, it.datagram)
            }
        };
        match inbound {
            Ok(Inbound::Tunnel { range, .. }) => {
                packets.push(it.start + range.start..it.start + range.end);
            }
            Ok(Inbound::Handled) => {}
            Err(reason) => tracing::trace!(%from.addr, %reason, "dropped datagram"),
        }
        Item::Done
    });
}

/// A UDP reader's buffers and working state, reused from message to message.
pub struct RxState {
    bufs: Vec<Vec<u8>>,
    metas: [RecvMeta; udp::RECV_BATCH],
    jobs: Vec<(Range<usize>, OpenJob)>,
    packets: Vec<Range<usize>>,
    /// The batch's tunnel packets so far: (message, range in its buffer).
    pending: Vec<(usize, Range<usize>)>,
    rx: RxBatch,
    transport: Vec<Range<usize>>,
}

impl RxState {
    pub fn new(tun: &TunPort) -> Self {
        RxState {
            bufs: (0..udp::RECV_BATCH).map(|_| vec![0u8; BUF]).collect(),
            metas: [RecvMeta::default(); udp::RECV_BATCH],
            jobs: Vec::new(),
            packets: Vec::new(),
            pending: Vec::new(),
            rx: RxBatch::new(tun.has_udp_offload()),
            transport: Vec::new(),
        }
    }
}

/// Buffers for coalescing received packets before they are written to a TUN with offloads.
struct RxBatch {
    coalescer: ferrotun_io::offload::Coalescer,
    out: Vec<u8>,
    frames: Vec<Range<usize>>,
}

impl RxBatch {
    fn new(udp: bool) -> Self {
        let mut coalescer = ferrotun_io::offload::Coalescer::new(udp);
        // The AEAD tag just proved every packet is what the peer sent.
        coalescer.trust_transport_checksums();
        RxBatch {
            coalescer,
            out: Vec::with_capacity(2 * BUF),
            frames: Vec::new(),
        }
    }

    /// Coalesces the packets at `bufs[i][range]` (copying each byte once) and writes the
    /// frames to the TUN.
    fn write(&mut self, tun: &TunPort, bufs: &[Vec<u8>], packets: &[(usize, Range<usize>)]) {
        if packets.is_empty() {
            return;
        }
        let coalesced =
            self.coalescer
                .coalesce_parts(bufs, packets, &mut self.out, &mut self.frames);
        if let Err(e) = coalesced {
            tracing::debug!(error = %e, "cannot coalesce received packets");
            return;
        }
        for frame in &self.frames {
            if let Err(e) = tun.write_frame(&self.out[frame.clone()]) {
                tracing::debug!(error = %e, "TUN write failed");
            }
        }
    }
}
