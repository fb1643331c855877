//! The userspace stack's network device: smoltcp reads the packets the engine opened and
//! writes the packets the engine seals, through the engine's stack port. No Ethernet, no
//! neighbour discovery: like a TUN device, it carries bare IP packets.

use ferrotund::stack_port::StackEnd;
use smoltcp::phy::{self, Checksum, DeviceCapabilities, Medium};
use smoltcp::time::Instant;

/// The stack's side of the port, as a smoltcp device.
pub(crate) struct PortDevice {
    end: StackEnd,
    /// Packets smoltcp had no room for in the engine's queue, counted for the log.
    pub(crate) stalled: u64,
}

impl PortDevice {
    pub(crate) fn new(end: StackEnd) -> Self {
        PortDevice { end, stalled: 0 }
    }

    pub(crate) fn end(&self) -> &StackEnd {
        &self.end
    }
}

/// A packet from the engine.
pub(crate) struct Rx<'a> {
    end: &'a StackEnd,
    packet: Vec<u8>,
}

/// Room for a packet to the engine.
pub(crate) struct Tx<'a> {
    end: &'a StackEnd,
}

impl phy::RxToken for Rx<'_> {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        let result = f(&self.packet);
        self.end.recycle(self.packet);
        result
    }
}

impl phy::TxToken for Tx<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        // `transmit` found room, and only this thread fills the engine's queue.
        self.end.send_with(len, f)
    }
}

impl phy::Device for PortDevice {
    type RxToken<'a> = Rx<'a>;
    type TxToken<'a> = Tx<'a>;

    fn receive(&mut self, _now: Instant) -> Option<(Rx<'_>, Tx<'_>)> {
        let packet = self.end.try_recv()?;
        Some((
            Rx {
                end: &self.end,
                packet,
            },
            Tx { end: &self.end },
        ))
    }

    fn transmit(&mut self, _now: Instant) -> Option<Tx<'_>> {
        if !self.end.can_send() {
            self.stalled += 1;
            return None;
        }
        Some(Tx { end: &self.end })
    }

    fn capabilities(&self) -> DeviceCapabilities {
        let mut caps = DeviceCapabilities::default();
        caps.medium = Medium::Ip;
        caps.max_transmission_unit = self.end.mtu();
        // One poll takes every queued packet from the engine, so a 64 KiB GRO batch is not
        // cut into separate turns of the event loop.
        caps.max_burst_size = None;
        // The engine opened every packet from the tunnel with its AEAD: its checksums are
        // what the peer sent, so checking them again costs time and proves nothing (the
        // kernel's WireGuard marks them CHECKSUM_UNNECESSARY: receive.c). Ours are computed.
        caps.checksum.ipv4 = Checksum::Tx;
        caps.checksum.tcp = Checksum::Tx;
        caps.checksum.udp = Checksum::Tx;
        caps.checksum.icmpv4 = Checksum::Tx;
        caps.checksum.icmpv6 = Checksum::Tx;
        caps
    }
}
