//! The send path over a TUN without offloads: one packet per read, sealed on the reading
//! thread and sent as one datagram.

use crate::daemon::{Daemon, BUF};
use crate::packet_thread::{Item, PacketThread, Via};
use ferrotun_proto::device::{Outbound, Prepared, SendError};

/// The send path's buffers, reused from packet to packet.
pub struct PlainSend {
    pub buf: Vec<u8>,
    out: Vec<u8>,
}

impl PlainSend {
    pub fn new() -> Self {
        PlainSend {
            buf: vec![0u8; BUF],
            out: vec![0u8; BUF + 64],
        }
    }

    /// Seals and sends the packet of `n` bytes read into `buf`.
    pub fn send_one(&mut self, d: &Daemon, pt: &mut PacketThread, n: usize) {
        let packet = &self.buf[..n];
        let mut result = Err(SendError::NotIp);
        pt.batch(d, 1, |dp, via, now, _| {
            result = match via {
                Via::DataPath => match dp.prepare_send(now, packet) {
                    Some(fast) => fast.map(Prepared::Seal),
                    None => return Item::NeedsDevice,
                },
                Via::Device(dev) => dp.prepare_send_with(dev, now, packet),
            };
            Item::Done
        });
        match result.and_then(|prepared| prepared.seal_into(packet, &mut self.out)) {
            Ok(Outbound::Transmit { peer, dst, len }) => {
                pt.send_sealed(d, peer, dst, &self.out[..len]);
            }
            Ok(Outbound::Queued(_)) => {}
            Err(SendError::NoRoute | SendError::NoEndpoint(_)) => d.tun.unreachable(packet),
            Err(e) => tracing::trace!(error = %e, "dropped outgoing packet"),
        }
    }
}
