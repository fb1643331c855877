//! One simulated host, and the two ways an engine can drive its device: every call through
//! the device, or the lock-free [`DataPath`] with the device only when it asks for it (what
//! ferrotund does). Every scenario runs on the data path unless `FERROTUN_SIM_PATH=device`,
//! so the test suite covers both and shows they behave the same.

use ferrotun_proto::device::{
    DataPath, Device, DropReason, Event, Inbound, Outbound, PeerId, Prepared, Received, SendError,
};
use ferrotun_proto::peer::Endpoint;
use ferrotun_proto::time::Instant;
use ferrotun_proto::wire::TransportHeader;
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
    /// Data-path calls that went through the device (cache misses, handshakes to start,
    /// sessions to confirm, timers moved earlier), and those that did not.
    pub device_trips: usize,
    /// See `device_trips`.
    pub fast_calls: usize,
    /// The data path, unless the scenarios run through the device alone.
    data_path: Option<DataPath>,
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
            device_trips: 0,
            fast_calls: 0,
        }
    }

    /// Whether the scenarios run on the data path (see the module docs).
    #[must_use]
    pub fn uses_data_path(&self) -> bool {
        self.data_path.is_some()
    }

    fn tally<T>(&mut self, fast: Option<T>) -> Option<T> {
        match fast {
            Some(_) => self.fast_calls += 1,
            None => self.device_trips += 1,
        }
        fast
    }

    /// Seals an IP packet into `out`, as `Device::encapsulate` does.
    pub(crate) fn encapsulate(
        &mut self,
        now: Instant,
        packet: &[u8],
        out: &mut [u8],
    ) -> Result<Outbound, SendError> {
        let Some(mut dp) = self.data_path.take() else {
            return self.device.encapsulate(now, packet, out);
        };
        let prepared = match self.tally(dp.prepare_send(now, packet)) {
            Some(fast) => fast.map(Prepared::Seal),
            None => dp.prepare_send_with(&mut self.device, now, packet),
        };
        self.flush(dp);
        let job = match prepared? {
            Prepared::Seal(job) => job,
            Prepared::Queued(id) => return Ok(Outbound::Queued(id)),
        };
        let body = TransportHeader::LEN..TransportHeader::LEN + packet.len();
        out.get_mut(body)
            .ok_or(SendError::BufferTooSmall)?
            .copy_from_slice(packet);
        let len = job.seal(out)?;
        Ok(Outbound::Transmit {
            peer: job.peer,
            dst: job.dst,
            len,
        })
    }

    /// Handles a datagram in `buf`, as `Device::handle_datagram` does.
    pub(crate) fn receive(
        &mut self,
        now: Instant,
        from: Endpoint,
        buf: &mut [u8],
    ) -> Result<Inbound, DropReason> {
        let Some(mut dp) = self.data_path.take() else {
            return self.device.handle_datagram(now, from, buf);
        };
        let inbound = self.receive_on(&mut dp, now, from, buf);
        self.flush(dp);
        inbound
    }

    fn receive_on(
        &mut self,
        dp: &mut DataPath,
        now: Instant,
        from: Endpoint,
        buf: &mut [u8],
    ) -> Result<Inbound, DropReason> {
        let received = match self.tally(dp.prepare_receive(now, buf)) {
            Some(fast) => fast.map(Received::Open),
            None => dp.prepare_receive_with(&mut self.device, now, from, buf),
        };
        let job = match received? {
            Received::Open(job) => job,
            Received::Done(inbound) => return Ok(inbound),
        };
        let opened = job.open(buf);
        match self.tally(dp.finish_receive(now, from, &job, opened, buf)) {
            Some(fast) => fast,
            None => dp.finish_receive_with(&mut self.device, now, from, &job, opened, buf),
        }
    }

    /// Hands the device what the data path left for it (a trip too) and puts it back.
    fn flush(&mut self, mut dp: DataPath) {
        if dp.needs_flush() {
            self.device_trips += 1;
            dp.flush(&mut self.device);
        }
        self.data_path = Some(dp);
    }
}
