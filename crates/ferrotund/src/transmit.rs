//! Sending what the device queued (handshake messages, keepalives, cookie replies, packets
//! released by a handshake) and single sealed packets. Failed sends are returned so the
//! caller can take them back out of the peers' transmit counters under the device lock.

use ferrotun_io::udp::UdpPair;
use ferrotun_proto::device::{PeerId, Transmit};
use ferrotun_proto::peer::Endpoint;

/// Sends `transmits` on `pair`. Consecutive datagrams of one size for one destination (a
/// burst of released packets, or cookie replies to one flooding source) go out as one UDP
/// GSO send. Returns the datagrams that could not be sent, by peer.
#[must_use = "failed sends must be taken back out of the peers' counters"]
pub fn send_all(pair: &UdpPair, transmits: &[Transmit]) -> Vec<(PeerId, usize)> {
    let mut failed = Vec::new();
    let mut joined = Vec::new();
    let mut rest = transmits;
    while let Some(first) = rest.first() {
        let n = rest
            .iter()
            .take_while(|t| t.dst == first.dst && t.data.len() == first.data.len())
            .count();
        let (run, tail) = rest.split_at(n);
        rest = tail;
        let (to, from) = (first.dst.addr, first.dst.local_ip);
        let sent = if n == 1 {
            pair.send(&first.data, to, from)
        } else {
            joined.clear();
            run.iter().for_each(|t| joined.extend_from_slice(&t.data));
            pair.send_segments(&joined, first.data.len(), to, from)
        };
        if let Err(e) = sent {
            tracing::debug!(dst = %to, error = %e, "send failed");
            failed.extend(run.iter().filter_map(|t| t.peer.map(|p| (p, t.data.len()))));
        }
    }
    failed
}

/// Sends one sealed packet; returns the failure to account for, if any.
#[must_use = "a failed send must be taken back out of the peer's counters"]
pub fn send_sealed(
    pair: &UdpPair,
    peer: PeerId,
    dst: Endpoint,
    data: &[u8],
) -> Option<(PeerId, usize)> {
    match pair.send(data, dst.addr, dst.local_ip) {
        Ok(_) => None,
        Err(e) => {
            tracing::debug!(dst = %dst.addr, error = %e, "send failed");
            Some((peer, data.len()))
        }
    }
}
