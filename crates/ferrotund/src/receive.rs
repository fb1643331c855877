//! The receive path: one thread per UDP socket. Handshake messages go to the handshake
//! queue. Transport messages of a receive (with UDP GRO, up to 64 datagrams of one sender)
//! are matched to sessions on the thread's data path (`data_path.rs`), opened on the crypto
//! workers, checked on the data path again, and written to the TUN in arrival order,
//! coalesced when the TUN has offloads.

use crate::engine::{now, Shared, BUF};
use ferrotun_io::udp::{self, RecvMeta, UdpPair};
use ferrotun_proto::device::{DataPath, DropReason, Inbound, OpenJob, Received};
use ferrotun_proto::peer::Endpoint;
use std::net::UdpSocket;
use std::ops::Range;
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// One transport message of a receive, on its way through the crypto workers.
struct Opening<'a> {
    job: OpenJob,
    start: usize,
    datagram: &'a mut [u8],
    opened: Result<usize, DropReason>,
}

impl Shared {
    pub(crate) fn udp_loop(self: Arc<Self>, socket: &UdpSocket, pair: &Arc<UdpPair>) {
        let mut st = RxState::new(&self);
        let mut dp = self.start_packet_thread();
        loop {
            let received = self.receive_batch(&mut st, &mut dp, socket, true);
            if self.stopping.load(Ordering::Acquire) || !Arc::ptr_eq(pair, &self.sockets()) {
                return;
            }
            if let Err(e) = received {
                tracing::trace!(error = %e, "receive failed");
            }
        }
    }

    /// Receives every message already queued on `socket` (up to [`udp::RECV_BATCH`]; with
    /// `wait`, waiting for the first) and handles them; returns how many there were.
    pub(crate) fn receive_batch(
        &self,
        st: &mut RxState,
        dp: &mut DataPath,
        socket: &UdpSocket,
        wait: bool,
    ) -> std::io::Result<usize> {
        // One system call takes every message already queued (a flood of small handshake
        // messages costs one call per batch, not one per message).
        let count = if wait {
            udp::recv_many(socket, &mut st.bufs, &mut st.metas)?
        } else {
            udp::try_recv_many(socket, &mut st.bufs, &mut st.metas)?
        };
        let mut bufs = core::mem::take(&mut st.bufs);
        st.pending.clear();
        for (i, (buf, meta)) in bufs.iter_mut().zip(st.metas).take(count).enumerate() {
            self.receive_one(st, dp, buf, &meta);
            st.pending
                .extend(st.packets.drain(..).map(|range| (i, range)));
        }
        // Coalescing over the whole batch, not message by message, lets frames reach 64 KiB
        // even when the sender's GSO runs were shorter: fewer TUN writes, and fewer ACKs.
        st.rx.write(self, &bufs, &st.pending);
        st.bufs = bufs;
        Ok(count)
    }

    /// Handles one received message: a datagram, or a GRO run of them from one sender. With
    /// offloads its tunnel packets stay in `st.packets` for the batch's coalescing; without,
    /// they are written at once.
    fn receive_one(&self, st: &mut RxState, dp: &mut DataPath, buf: &mut [u8], meta: &RecvMeta) {
        let from = Endpoint {
            addr: meta.from,
            local_ip: meta.local_ip,
        };
        st.jobs.clear();
        st.packets.clear();
        self.queue_handshakes(from, meta, buf, &mut st.transport);
        if !st.transport.is_empty() {
            self.prepare_receives(dp, from, &st.transport, buf, &mut st.jobs);
        }
        if !st.jobs.is_empty() {
            self.open_and_finish(dp, from, buf, &mut st.jobs, &mut st.packets);
        }
        if self.tun.offload().is_none() {
            for range in st.packets.drain(..) {
                if let Err(e) = self.tun.send(&buf[range]) {
                    tracing::debug!(error = %e, "TUN write failed");
                }
            }
        }
    }

    /// Queues handshake messages for the handshake thread; the other datagrams' ranges go
    /// to `transport`.
    fn queue_handshakes(
        &self,
        from: Endpoint,
        meta: &RecvMeta,
        buf: &[u8],
        transport: &mut Vec<Range<usize>>,
    ) {
        transport.clear();
        for segment in meta.segments() {
            match buf[segment.clone()].first() {
                Some(1 | 2) => {
                    let busy = self.load.record(now());
                    self.handshakes.under_load.store(busy, Ordering::Relaxed);
                    self.handshakes.push(from, &buf[segment]);
                }
                Some(3) => {
                    self.handshakes.push(from, &buf[segment]);
                }
                _ => transport.push(segment),
            }
        }
    }

    /// Matches transport messages to their sessions.
    fn prepare_receives(
        &self,
        dp: &mut DataPath,
        from: Endpoint,
        transport: &[Range<usize>],
        buf: &mut [u8],
        jobs: &mut Vec<(Range<usize>, OpenJob)>,
    ) {
        self.data_batch(dp, transport.len(), |dp, dev, now, i| {
            let segment = transport[i].clone();
            let datagram = &mut buf[segment.clone()];
            let received = match dev {
                None => match dp.prepare_receive(now, datagram) {
                    Some(fast) => fast.map(Received::Open),
                    None => return false,
                },
                Some(dev) => dp.prepare_receive_with(dev, now, from, datagram),
            };
            match received {
                Ok(Received::Open(job)) => jobs.push((segment, job)),
                Ok(Received::Done(_)) => {}
                Err(reason) => tracing::trace!(%from.addr, %reason, "dropped datagram"),
            }
            true
        });
    }

    /// Opens the transport messages on the crypto workers, then applies them in order;
    /// the tunnel packets' ranges in `buf` go to `packets`.
    fn open_and_finish(
        &self,
        dp: &mut DataPath,
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
        self.crypto
            .for_each(&mut items, |it| it.opened = it.job.open(it.datagram));
        self.data_batch(dp, items.len(), |dp, dev, now, i| {
            let it = &items[i];
            let inbound = match dev {
                None => match dp.finish_receive(now, from, &it.job, it.opened, it.datagram) {
                    Some(fast) => fast,
                    None => return false,
                },
                Some(dev) => {
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
            true
        });
    }
}

/// A UDP reader's buffers and working state, reused from message to message.
pub(crate) struct RxState {
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
    pub(crate) fn new(shared: &Shared) -> Self {
        RxState {
            bufs: (0..udp::RECV_BATCH).map(|_| vec![0u8; BUF]).collect(),
            metas: [RecvMeta::default(); udp::RECV_BATCH],
            jobs: Vec::new(),
            packets: Vec::new(),
            pending: Vec::new(),
            rx: RxBatch::new(shared.tun.offload().is_some_and(|o| o.udp)),
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
    fn write(&mut self, shared: &Shared, bufs: &[Vec<u8>], packets: &[(usize, Range<usize>)]) {
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
            if let Err(e) = shared.tun.send(&self.out[frame.clone()]) {
                tracing::debug!(error = %e, "TUN write failed");
            }
        }
    }
}
