//! One simulated host, and the two ways an engine can drive its device: every call through
//! the device, or the lock-free [`DataPath`] with the device only when it asks for it (what
//! ferrotund does). Every scenario runs on the data path unless `FERROTUN_SIM_PATH=device`,
//! so the test suite covers both and shows they behave the same.

use ferrotun_proto::device::SendError;
use ferrotun_proto::device::{DataPath, Device, DropReason, Event, Inbound, Outbound, PeerId};
use ferrotun_proto::peer::Endpoint;
use ferrotun_proto::time::Instant;
use std::net::SocketAddr;

/// One simulated host running a device.
pub struct Node {
    /// The protocol state.
    pub device: Device,
    /// The host's UDP address.
    pub addr: SocketAddr,
    /// IP packets the device delivered to its tunnel, with the sending peer.
    pub delivered: Vec<(PeerId, Vec<u8>)>,
    /// Events the device reported, with the time.
    pub events: Vec<(Instant, Event)>,
    /// Datagrams the device dropped, by reason text.
    pub drops: Vec<String>,
    /// The data path, unless the scenarios run through the device alone.
    pub data_path: Option<DataPath>,
}

impl Node {
    pub(crate) fn new(device: Device, addr: SocketAddr) -> Self {
        let use_data_path = std::env::var("FERROTUN_SIM_PATH").as_deref() != Ok("device");
        Node {
            data_path: use_data_path.then(|| device.data_path()),
            device,
            addr,
            delivered: Vec::new(),
            events: Vec::new(),
            drops: Vec::new(),
        }
    }

    /// Seals an IP packet into `out`, as `Device::encapsulate` does.
    pub(crate) fn encapsulate(
        &mut self,
        now: Instant,
        packet: &[u8],
        out: &mut [u8],
    ) -> Result<Outbound, SendError> {
        match &mut self.data_path {
            Some(dp) => dp.encapsulate(&mut self.device, now, packet, out),
            None => self.device.encapsulate(now, packet, out),
        }
    }

    /// Handles a datagram in `buf`, as `Device::handle_datagram` does.
    pub(crate) fn receive(
        &mut self,
        now: Instant,
        from: Endpoint,
        buf: &mut [u8],
    ) -> Result<Inbound, DropReason> {
        match &mut self.data_path {
            Some(dp) => dp.handle_datagram(&mut self.device, now, from, buf),
            None => self.device.handle_datagram(now, from, buf),
        }
    }
}
