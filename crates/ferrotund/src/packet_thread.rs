//! What every packet thread owns: its [`DataPath`] and its reference to the current sockets.
//!
//! A batch runs on the data path without the device lock while every packet belongs to an
//! established session; from the first packet that needs the device (a cache miss, a
//! handshake to start, a session to confirm), the rest of the batch runs under one step, in
//! order, so no flow is reordered. The device lock is therefore not on the hot path, and no
//! other lock shared by all peers is either: the sockets are reached through the thread's
//! [`SocketCache`].

use crate::daemon::Daemon;
use crate::device_cell::now;
use crate::sockets::SocketCache;
use crate::transmit;
use ferrotun_proto::device::{DataPath, Device, PeerId, Transmit};
use ferrotun_proto::peer::Endpoint;
use ferrotun_proto::time::Instant;

/// Where one item of a batch is handled.
pub enum Via<'a> {
    /// On the thread's data path, without the device lock.
    DataPath,
    /// Under the device lock.
    Device(&'a mut Device),
}

/// What handling one item on the data path did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    Done,
    /// It needs the device and did nothing: the rest of the batch goes through the device.
    NeedsDevice,
}

/// A packet thread's own state.
pub struct PacketThread {
    pub data_path: DataPath,
    pub sockets: SocketCache,
}

impl PacketThread {
    /// Sets up the calling thread as a packet thread: its scheduling (`sched.rs`), its data
    /// path and its sockets.
    pub fn start(d: &Daemon) -> Self {
        crate::sched::configure_packet_thread(d.settings.scheduling);
        PacketThread {
            data_path: d.device.lock().data_path(),
            sockets: d.sockets.cache(),
        }
    }

    /// Runs `f(dp, Via::DataPath, now, i)` for `i` in `0..count` until it answers
    /// [`Item::NeedsDevice`], then `f(dp, Via::Device(..), now, i)` for the rest under one
    /// step. Afterwards the device learns of timers the fast calls moved earlier.
    pub fn batch(
        &mut self,
        d: &Daemon,
        count: usize,
        mut f: impl FnMut(&mut DataPath, Via<'_>, Instant, usize) -> Item,
    ) {
        let mtu = d.tun.poll_mtu();
        let now = now();
        let dp = &mut self.data_path;
        let mut i = 0;
        while mtu.is_none() && i < count && f(dp, Via::DataPath, now, i) == Item::Done {
            i += 1;
        }
        if i < count || dp.needs_flush() || mtu.is_some() {
            let stepped = d.device.step(mtu, |dev, now| {
                for j in i..count {
                    f(dp, Via::Device(&mut *dev), now, j);
                }
                dp.flush(dev);
            });
            self.send_transmits(d, &stepped.transmits);
        }
        d.device.catch_up_timers(now);
    }

    /// Sends what a step queued.
    pub fn send_transmits(&mut self, d: &Daemon, transmits: &[Transmit]) {
        if transmits.is_empty() {
            return;
        }
        let failed = transmit::send_all(self.sockets.get(&d.sockets), transmits);
        d.device.send_failed(&failed);
    }

    /// Sends one sealed packet straight from the output buffer, no allocation.
    pub fn send_sealed(&mut self, d: &Daemon, peer: PeerId, dst: Endpoint, data: &[u8]) {
        let pair = self.sockets.get(&d.sockets);
        if let Some(failed) = transmit::send_sealed(pair, peer, dst, data) {
            d.device.send_failed(&[failed]);
        }
    }
}
