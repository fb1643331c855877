//! Planning for coalescing: which packets of a batch merge into which, decided without moving
//! any bytes, so the result can be emitted in place or into a fresh buffer with one copy.
//!
//! The rules follow the kernel's `tcp_gro_receive`/`udp_gro_receive` and wireguard-go's
//! `handleGRO`, with one difference: a packet is only ever appended to the newest run of its own
//! flow, so packets of one flow never change order.

use super::flow::{self, Class, FlowKey, Segment};
use super::ip::{self, Ip, PROTO_TCP};

/// The kernel's cap on segments in one UDP GSO packet (`UDP_MAX_SEGMENTS`, `UDP_GRO_CNT_MAX`).
const UDP_MAX_SEGMENTS: usize = 64;
/// Offset of the window field inside the TCP header.
const TCP_WINDOW_AT: usize = 14;
/// End of a member chain.
pub(super) const NONE: usize = usize::MAX;

/// Read access to a batch of packets being planned.
pub(super) trait Batch {
    fn count(&self) -> usize;
    /// Packet `i` (the IP packet, without headroom).
    fn packet(&self, i: usize) -> &[u8];
    /// How long packet `i` may grow when others are appended to it.
    fn room(&self, i: usize) -> usize;
}

/// A packet to be written, possibly with others merged into it.
#[derive(Debug)]
pub(super) struct Item {
    pub(super) head: usize,
    /// `None` for packets written as they came.
    pub(super) run: Option<Run>,
}

/// Bookkeeping for a packet other packets may be appended to.
#[derive(Debug)]
pub(super) struct Run {
    pub(super) ip: Ip,
    pub(super) l4_len: usize,
    pub(super) gso_size: usize,
    pub(super) segments: usize,
    /// Length of the merged packet so far.
    len: usize,
    /// The last packet appended (the head while alone).
    tail: usize,
    /// The last segment carried PSH, so the merged header must too.
    pub(super) push: bool,
    /// The head's checksum was verified (done lazily, on the first merge).
    verified: bool,
    /// A short or PSH segment ended the run.
    closed: bool,
}

#[derive(Debug)]
struct OpenRun {
    key: FlowKey,
    item: usize,
    next_seq: u32,
    ack: u32,
}

/// The plan for one batch; reused across batches so planning does not allocate.
#[derive(Debug, Default)]
pub(super) struct Plan {
    pub(super) udp: bool,
    /// Skip the transport checksums (see [`super::Coalescer::trust_transport_checksums`]).
    pub(super) trust_l4: bool,
    /// One entry per packet that will be written, in batch order.
    pub(super) items: Vec<Item>,
    /// `next[i]` is the packet appended after packet `i` in its run, or [`NONE`].
    pub(super) next: Vec<usize>,
    /// Runs that may still grow, at most one per flow.
    open: Vec<OpenRun>,
}

impl Plan {
    /// Plans `batch` from scratch.
    pub(super) fn build(&mut self, batch: &impl Batch) {
        self.items.clear();
        self.open.clear();
        self.next.clear();
        self.next.resize(batch.count(), NONE);
        for i in 0..batch.count() {
            self.admit(batch, i);
        }
    }

    /// Merges packet `i` into its flow's open run, or makes it a new item.
    fn admit(&mut self, batch: &impl Batch, i: usize) {
        match flow::classify(batch.packet(i), self.udp) {
            Class::Barrier => self.open.clear(),
            Class::Other => {}
            Class::Alone(key) => self.open.retain(|run| run.key != key),
            Class::Segment(segment) => {
                let slot = self.open.iter().position(|run| run.key == segment.key);
                if let Some(slot) = slot {
                    if self.try_append(batch, slot, &segment, i) {
                        return;
                    }
                    self.open.swap_remove(slot);
                }
                self.start_run(batch, i, &segment);
                return;
            }
        }
        self.items.push(Item { head: i, run: None });
    }

    fn start_run(&mut self, batch: &impl Batch, i: usize, segment: &Segment) {
        self.open.push(OpenRun {
            key: segment.key,
            item: self.items.len(),
            next_seq: segment.seq.wrapping_add(segment.payload as u32),
            ack: segment.ack,
        });
        let run = Run {
            ip: segment.ip,
            l4_len: segment.l4_len,
            gso_size: segment.payload,
            segments: 1,
            len: batch.packet(i).len(),
            tail: i,
            push: segment.psh,
            verified: false,
            // Nothing may follow PSH inside one super-packet.
            closed: segment.psh,
        };
        self.items.push(Item {
            head: i,
            run: Some(run),
        });
    }

    /// Appends packet `i` to the run in `self.open[slot]` if every GRO rule allows it.
    fn try_append(&mut self, batch: &impl Batch, slot: usize, segment: &Segment, i: usize) -> bool {
        let open = &mut self.open[slot];
        let item = &mut self.items[open.item];
        let Some(run) = item.run.as_mut() else {
            return false;
        };
        let in_sequence = if segment.ip.protocol == PROTO_TCP {
            segment.seq == open.next_seq && segment.ack == open.ack
        } else {
            run.segments < UDP_MAX_SEGMENTS
        };
        let grown = run.len + segment.payload;
        let (head, pkt) = (batch.packet(item.head), batch.packet(i));
        let fits = !run.closed
            && in_sequence
            && run.ip == segment.ip
            && run.l4_len == segment.l4_len
            && segment.payload <= run.gso_size
            && grown <= ip::MAX_IP_LEN.min(batch.room(item.head))
            && headers_match(run, head, pkt);
        let trust_l4 = self.trust_l4;
        if !fits || !verify(run, head, trust_l4) || !flow::checksum_ok(pkt, &segment.ip, trust_l4) {
            return false;
        }
        self.next[run.tail] = i;
        run.tail = i;
        run.len = grown;
        run.segments += 1;
        open.next_seq = open.next_seq.wrapping_add(segment.payload as u32);
        run.push = segment.psh;
        run.closed = segment.payload < run.gso_size || segment.psh;
        true
    }
}

/// Verifies the head's checksum once. A corrupt head must not gain a fresh checksum from the
/// kernel (merged packets are sent as `CHECKSUM_PARTIAL`), so it stays alone.
fn verify(run: &mut Run, head: &[u8], trust_l4: bool) -> bool {
    if !run.verified {
        run.verified = flow::checksum_ok(head, &run.ip, trust_l4);
        run.closed = !run.verified;
    }
    run.verified
}

/// Header checks between a run's head packet and a candidate: the IP treatment, and for TCP
/// the same window and identical options (timestamps included). The kernel's `tcp_gro_receive`
/// requires both, since the merged packet can carry only one copy of each.
fn headers_match(run: &Run, head: &[u8], pkt: &[u8]) -> bool {
    let l4 = run.ip.header_len;
    let window = l4 + TCP_WINDOW_AT..l4 + TCP_WINDOW_AT + 2;
    let options = l4 + ip::TCP_MIN_LEN..l4 + run.l4_len;
    run.ip.same_treatment(head, pkt)
        && (run.ip.protocol != PROTO_TCP
            || (head[window.clone()] == pkt[window] && head[options.clone()] == pkt[options]))
}
