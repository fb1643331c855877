//! The TUN device as the packet threads use it: reads that say plainly whether a packet
//! came, none was queued, or the interface is gone; writes of single packets (with an empty
//! vnet header when the TUN has offloads); and the MTU, looked up at most once a second.
//! The same port can instead lead to a userspace TCP/IP stack in this process
//! (`stack_port.rs`, for the rootless proxy): one engine, two packet sources.

use crate::icmp;
use crate::stack_port::{Recv, StackPort};
use ferrotun_io::clock;
use ferrotun_io::offload::{VirtioNetHdr, VNET_HDR_LEN};
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

/// Where the engine's plaintext packets come from and go to.
pub enum Packets {
    /// A kernel TUN device.
    Kernel(Tun),
    /// A userspace stack in this process.
    Stack(StackPort),
}

/// The packet source and its last known MTU.
pub struct TunPort {
    packets: Packets,
    /// When the MTU was last looked up (ns), and what it was.
    mtu_checked: AtomicU64,
    mtu: AtomicU64,
}

impl TunPort {
    pub fn new(packets: Packets) -> Self {
        TunPort {
            packets,
            mtu_checked: AtomicU64::new(0),
            mtu: AtomicU64::new(0),
        }
    }

    /// The kernel TUN, if that is the source.
    pub fn kernel(&self) -> Option<&Tun> {
        match &self.packets {
            Packets::Kernel(tun) => Some(tun),
            Packets::Stack(_) => None,
        }
    }

    /// Whether the TUN hands over super-packets with a vnet header (and takes them).
    pub fn has_offload(&self) -> bool {
        self.kernel().is_some_and(|tun| tun.offload().is_some())
    }

    /// Whether reads come with a vnet header, for the batching send path: a TUN with
    /// offloads, and the stack port, whose packets get an empty one (`GSO_NONE`). The stack
    /// sends MTU-sized packets, so without the batches (sealed on the crypto workers, sent
    /// in UDP GSO runs) every packet would cost a system call and a wake-up of its own.
    pub fn reads_vnet(&self) -> bool {
        match &self.packets {
            Packets::Kernel(tun) => tun.offload().is_some(),
            Packets::Stack(_) => true,
        }
    }

    /// Whether reads never block: a TUN made non-blocking, or the stack port.
    pub fn set_nonblocking(&self) -> std::io::Result<()> {
        match &self.packets {
            Packets::Kernel(tun) => tun.set_nonblocking(),
            Packets::Stack(_) => Ok(()),
        }
    }

    /// Whether the TUN takes UDP super-packets (USO) too.
    pub fn has_udp_offload(&self) -> bool {
        self.kernel()
            .and_then(Tun::offload)
            .is_some_and(|offload| offload.udp)
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
        let mtu = match &self.packets {
            Packets::Kernel(tun) => u64::from(tun.mtu().ok()?),
            Packets::Stack(stack) => stack.mtu() as u64,
        };
        (self.mtu.swap(mtu, Ordering::Relaxed) != mtu).then_some(mtu as usize)
    }

    /// Reads one packet if one is queued (a blocking TUN waits for it).
    pub fn read_now(&self, buf: &mut [u8]) -> TunRead {
        let tun = match &self.packets {
            Packets::Kernel(tun) => tun,
            Packets::Stack(stack) => return stack_read(buf, |b| stack.try_recv(b)),
        };
        loop {
            match tun.recv(buf) {
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
        if let Packets::Stack(stack) = &self.packets {
            return stack_read(buf, |b| stack.recv_waiting(b));
        }
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
        let Some(tun) = self.kernel() else { return };
        if let Err(e) = tun.wait_readable() {
            tracing::debug!(error = %e, "waiting for the TUN failed");
        }
    }

    /// Writes one packet, with an empty vnet header if the TUN has offloads.
    pub fn write_one(&self, packet: &[u8]) -> std::io::Result<usize> {
        match &self.packets {
            Packets::Kernel(tun) if tun.offload().is_some() => {
                let hdr = VirtioNetHdr::default().to_bytes();
                tun.send_parts(&[IoSlice::new(&hdr), IoSlice::new(packet)])
            }
            Packets::Kernel(tun) => tun.send(packet),
            Packets::Stack(stack) => stack.send(packet),
        }
    }

    /// Writes a frame as is: a super-packet with its vnet header on a TUN with offloads, a
    /// plain packet otherwise.
    pub fn write_frame(&self, frame: &[u8]) -> std::io::Result<usize> {
        match &self.packets {
            Packets::Kernel(tun) => tun.send(frame),
            Packets::Stack(stack) => stack.send(frame),
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

/// A read of the stack port, behind an empty vnet header ([`TunPort::reads_vnet`]).
fn stack_read(buf: &mut [u8], recv: impl FnOnce(&mut [u8]) -> Recv) -> TunRead {
    let Some((hdr, packet)) = buf.split_at_mut_checked(VNET_HDR_LEN) else {
        return TunRead::Empty;
    };
    hdr.copy_from_slice(&VirtioNetHdr::default().to_bytes());
    match recv(packet) {
        Recv::Packet(n) => TunRead::Packet(VNET_HDR_LEN + n),
        Recv::Empty => TunRead::Empty,
        Recv::Closed => TunRead::Gone,
    }
}
