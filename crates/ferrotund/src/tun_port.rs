//! The TUN device as the packet threads use it: reads that say plainly whether a packet
//! came, none was queued, or the interface is gone; writes of single packets (with an empty
//! vnet header when the TUN has offloads); and the MTU, looked up at most once a second.

use crate::icmp;
use ferrotun_io::clock;
use ferrotun_io::offload::VirtioNetHdr;
use ferrotun_io::tun::Tun;
use std::io::{ErrorKind, IoSlice};
use std::sync::atomic::{AtomicU64, Ordering};

/// How often the data path looks up the TUN's MTU.
const MTU_POLL_NANOS: u64 = 1_000_000_000;

/// What a read of the TUN found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TunRead {
    /// A packet of this many bytes.
    Packet(usize),
    /// Nothing queued (a non-blocking TUN).
    Empty,
    /// The interface is gone (`ip link del`); the daemon should exit, as wireguard-go does.
    Gone,
}

/// What the caller knows of the TUN's queue before a waiting read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backlog {
    /// Packets may be queued: read first.
    Unknown,
    /// The last read found it empty: wait first, instead of a read that would say so again.
    Empty,
}

/// The TUN and its last known MTU.
pub struct TunPort {
    tun: Tun,
    /// When the MTU was last looked up (ns), and what it was.
    mtu_checked: AtomicU64,
    mtu: AtomicU64,
}

impl TunPort {
    pub fn new(tun: Tun) -> Self {
        TunPort {
            tun,
            mtu_checked: AtomicU64::new(0),
            mtu: AtomicU64::new(0),
        }
    }

    pub fn tun(&self) -> &Tun {
        &self.tun
    }

    /// Whether the TUN hands over super-packets with a vnet header.
    pub fn has_offload(&self) -> bool {
        self.tun.offload().is_some()
    }

    /// The TUN's MTU if it changed, looked up at most once a second. Transport messages are
    /// padded up to the MTU and no further (as the kernel and wireguard-go do), so after
    /// `ip link set mtu` a full-size packet must not grow past it.
    pub fn poll_mtu(&self) -> Option<usize> {
        let t = clock::now_nanos();
        let last = self.mtu_checked.load(Ordering::Relaxed);
        if t.saturating_sub(last) < MTU_POLL_NANOS && last != 0 {
            return None;
        }
        self.mtu_checked.store(t.max(1), Ordering::Relaxed);
        let mtu = u64::from(self.tun.mtu().ok()?);
        (self.mtu.swap(mtu, Ordering::Relaxed) != mtu).then_some(mtu as usize)
    }

    /// Reads one packet if one is queued (a blocking TUN waits for it).
    pub fn read_now(&self, buf: &mut [u8]) -> TunRead {
        loop {
            match self.tun.recv(buf) {
                Ok(n) => return TunRead::Packet(n),
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) if e.kind() == ErrorKind::WouldBlock => return TunRead::Empty,
                Err(e) => {
                    tracing::info!(error = %e, "TUN interface gone");
                    return TunRead::Gone;
                }
            }
        }
    }

    /// Reads one packet, waiting for it: [`TunRead::Packet`] or [`TunRead::Gone`].
    pub fn read_waiting(&self, buf: &mut [u8], backlog: Backlog) -> TunRead {
        if backlog == Backlog::Empty {
            self.wait();
        }
        loop {
            match self.read_now(buf) {
                TunRead::Empty => self.wait(),
                read => return read,
            }
        }
    }

    fn wait(&self) {
        if let Err(e) = self.tun.wait_readable() {
            tracing::debug!(error = %e, "waiting for the TUN failed");
        }
    }

    /// Writes one packet, with an empty vnet header if the TUN has offloads.
    pub fn write_one(&self, packet: &[u8]) -> std::io::Result<usize> {
        if self.has_offload() {
            let hdr = VirtioNetHdr::default().to_bytes();
            self.tun
                .send_parts(&[IoSlice::new(&hdr), IoSlice::new(packet)])
        } else {
            self.tun.send(packet)
        }
    }

    /// Answers a packet that has no peer to go to with ICMP "host unreachable", as the kernel
    /// driver does.
    pub fn unreachable(&self, packet: &[u8]) {
        if let Some(reply) = icmp::host_unreachable(packet) {
            let _ = self.write_one(&reply);
        }
    }
}
