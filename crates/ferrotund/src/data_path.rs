//! How the packet threads use the device: each owns a [`DataPath`] and handles a batch
//! without the device lock while every packet belongs to an established session; from the
//! first packet that needs the device (a cache miss, a handshake to start, a session to
//! confirm), the rest of the batch runs under one [`Shared::step`], in order. The device lock
//! is therefore not on the hot path, and no other lock shared by all peers is either.
//!
//! The packet threads' TUN reads live here too.

use crate::engine::{now, Exit, Shared, BUF};
use ferrotun_proto::device::{DataPath, Device, Outbound, Prepared, SendError};
use ferrotun_proto::time::Instant;
use std::sync::atomic::Ordering;
use std::sync::Arc;

impl Shared {
    /// Sets up the calling packet thread: its scheduling (`sched.rs`) and its data path.
    pub(crate) fn start_packet_thread(&self) -> DataPath {
        crate::sched::configure_packet_thread();
        self.lock().data_path()
    }

    /// Runs `f(dp, None, now, i)` for `i` in `0..count` until it returns false (it needs
    /// the device and did nothing), then `f(dp, Some(device), now, i)` for the rest under
    /// one step. Afterwards the device learns of timers the fast calls moved earlier.
    pub(crate) fn data_batch(
        &self,
        dp: &mut DataPath,
        count: usize,
        mut f: impl FnMut(&mut DataPath, Option<&mut Device>, Instant, usize) -> bool,
    ) {
        let mtu = self.poll_mtu();
        let now = now();
        let mut i = 0;
        while mtu.is_none() && i < count && f(dp, None, now, i) {
            i += 1;
        }
        if i < count || dp.needs_flush() || mtu.is_some() {
            self.step_with_mtu(mtu, |dev, now| {
                for j in i..count {
                    f(dp, Some(&mut *dev), now, j);
                }
                dp.flush(dev);
            });
        }
        self.catch_up_timers(now);
    }

    /// Wakes the timer thread if it overslept its deadline: after a suspend its sleep ends
    /// late (the monotonic clock stood still), and the packet paths no longer step the
    /// device routinely to run due timers.
    fn catch_up_timers(&self, now: Instant) {
        if now.as_nanos() > self.timer_target.load(Ordering::Acquire) {
            self.timer_wake.notify_one();
        }
    }

    /// Reads one packet from the TUN; `None` once the interface is gone (the daemon then
    /// exits, as wireguard-go does after `ip link del`).
    pub(crate) fn read_tun(&self, buf: &mut [u8]) -> Option<usize> {
        self.read_tun_after(buf, false)
    }

    /// [`read_tun`](Self::read_tun), waiting first when the caller just found the TUN empty
    /// (saves a read that would only say so again).
    pub(crate) fn read_tun_after(&self, buf: &mut [u8], found_empty: bool) -> Option<usize> {
        if found_empty {
            self.wait_tun();
        }
        loop {
            if let Some(n) = self.read_tun_now(buf)? {
                return Some(n);
            }
            self.wait_tun();
        }
    }

    /// Reads one packet if one is queued (a non-blocking TUN; a blocking one waits for it):
    /// `Some(None)` if none is, `None` once the interface is gone (the daemon is then asked
    /// to exit).
    pub(crate) fn read_tun_now(&self, buf: &mut [u8]) -> Option<Option<usize>> {
        loop {
            match self.tun.recv(buf) {
                Ok(n) => return Some(Some(n)),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return Some(None),
                Err(e) => {
                    tracing::info!(error = %e, "TUN interface gone");
                    self.request_exit(Exit::InterfaceGone);
                    return None;
                }
            }
        }
    }

    fn wait_tun(&self) {
        if let Err(e) = self.tun.wait_readable() {
            tracing::debug!(error = %e, "waiting for the TUN failed");
        }
    }

    /// The send path of a TUN without offloads: one packet per read.
    pub(crate) fn tun_loop(self: Arc<Self>) {
        let mut dp = self.start_packet_thread();
        let mut send = PlainSend::new();
        loop {
            let Some(n) = self.read_tun(&mut send.buf) else {
                return;
            };
            send.send_one(&self, &mut dp, n);
        }
    }
}

/// The send path's buffers over a TUN without offloads.
pub(crate) struct PlainSend {
    pub(crate) buf: Vec<u8>,
    out: Vec<u8>,
}

impl PlainSend {
    pub(crate) fn new() -> Self {
        PlainSend {
            buf: vec![0u8; BUF],
            out: vec![0u8; BUF + 64],
        }
    }

    /// Seals and sends the packet of `n` bytes read into `buf`.
    pub(crate) fn send_one(&mut self, shared: &Shared, dp: &mut DataPath, n: usize) {
        let packet = &self.buf[..n];
        let mut result = Err(SendError::NotIp);
        shared.data_batch(dp, 1, |dp, dev, now, _| {
            result = match dev {
                None => match dp.prepare_send(now, packet) {
                    Some(fast) => fast.map(Prepared::Seal),
                    None => return false,
                },
                Some(dev) => dp.prepare_send_with(dev, now, packet),
            };
            true
        });
        match result.and_then(|prepared| prepared.seal_into(packet, &mut self.out)) {
            Ok(Outbound::Transmit { peer, dst, len }) => {
                shared.send_sealed(peer, dst, &self.out[..len]);
            }
            Ok(Outbound::Queued(_)) => {}
            Err(SendError::NoRoute | SendError::NoEndpoint(_)) => shared.unreachable(packet),
            Err(e) => tracing::trace!(error = %e, "dropped outgoing packet"),
        }
    }
}
