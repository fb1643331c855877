//! A Linux TUN interface: layer 3, no packet-information header.

use crate::sys;
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, OwnedFd};

/// An attached TUN interface. Reading returns one IP packet; writing sends one.
#[derive(Debug)]
pub struct Tun {
    file: File,
    name: String,
    offload: Option<Offload>,
}

/// The offloads a TUN accepted: every packet read or written then starts with a
/// [`VirtioNetHdr`](crate::offload::VirtioNetHdr).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Offload {
    /// Whether UDP segmentation offload (USO, Linux 6.2+) was accepted too, so UDP may be
    /// coalesced on write.
    pub udp: bool,
}

impl Tun {
    /// Creates (or attaches to) the interface `name` with MTU `mtu`, without offloads.
    pub fn create(name: &str, mtu: u32) -> io::Result<Self> {
        let (fd, name) = sys::tun_create(name, sys::IFF_TUN | sys::IFF_NO_PI)?;
        sys::set_mtu(&name, mtu)?;
        raise_txqueuelen(&name);
        Ok(Tun {
            file: File::from(fd),
            name,
            offload: None,
        })
    }

    /// Like [`create`](Self::create), but asks for checksum, TCP and (where the kernel has it)
    /// UDP segmentation offload, so reads may return 64 KiB super-packets and writes may carry
    /// coalesced ones. Falls back to a plain TUN when the kernel refuses.
    pub fn create_with_offload(name: &str, mtu: u32) -> io::Result<Self> {
        use sys::tun_offload::{CSUM, TSO4, TSO6, USO4, USO6};
        let (fd, real) = sys::tun_create(name, sys::IFF_TUN | sys::IFF_NO_PI | sys::IFF_VNET_HDR)?;
        let with_udp = sys::tun_set_offload(fd.as_raw_fd(), CSUM | TSO4 | TSO6 | USO4 | USO6);
        let udp = with_udp.is_ok();
        if !udp && sys::tun_set_offload(fd.as_raw_fd(), CSUM | TSO4 | TSO6).is_err() {
            drop(fd);
            return Self::create(name, mtu);
        }
        sys::set_mtu(&real, mtu)?;
        raise_txqueuelen(&real);
        Ok(Tun {
            file: File::from(fd),
            name: real,
            offload: Some(Offload { udp }),
        })
    }

    /// Adopts an already attached descriptor (`WG_TUN_FD`), with whatever offloads it has.
    pub fn from_fd(fd: OwnedFd) -> io::Result<Self> {
        let name = sys::tun_name(fd.as_raw_fd())?;
        let vnet = sys::tun_flags(fd.as_raw_fd())? & sys::IFF_VNET_HDR != 0;
        if !vnet {
            return Ok(Tun {
                file: File::from(fd),
                name,
                offload: None,
            });
        }
        // Setting the offloads again is harmless and tells whether UDP offload is there.
        use sys::tun_offload::{CSUM, TSO4, TSO6, USO4, USO6};
        let udp = sys::tun_set_offload(fd.as_raw_fd(), CSUM | TSO4 | TSO6 | USO4 | USO6).is_ok();
        if !udp {
            sys::tun_set_offload(fd.as_raw_fd(), CSUM | TSO4 | TSO6)?;
        }
        Ok(Tun {
            file: File::from(fd),
            name,
            offload: Some(Offload { udp }),
        })
    }

    /// The offloads in use (`None`: plain packets without a vnet header).
    #[must_use]
    pub fn offload(&self) -> Option<Offload> {
        self.offload
    }

    /// The interface name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The interface's current MTU (as `ip link set mtu` left it). Looked up by name in the
    /// daemon's network namespace, so after the interface moved to another one this fails
    /// (as wireguard-go's lookup does) and the caller keeps what it had.
    pub fn mtu(&self) -> io::Result<u32> {
        sys::get_mtu(&self.name)
    }

    /// Reads one packet into `buf` (`WouldBlock` if none is queued and the device is
    /// non-blocking).
    pub fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        (&self.file).read(buf)
    }

    /// Makes [`recv`](Self::recv) return `WouldBlock` instead of waiting, so a reader can
    /// take every queued packet in one batch; wait with [`wait_readable`](Self::wait_readable).
    pub fn set_nonblocking(&self) -> io::Result<()> {
        sys::set_nonblocking(self.file.as_raw_fd())
    }

    /// Waits until a packet (or an error, such as the interface's removal) can be read.
    pub fn wait_readable(&self) -> io::Result<()> {
        sys::wait_readable(self.file.as_raw_fd())
    }

    /// Writes one packet (with offloads: one vnet header plus packet).
    pub fn send(&self, packet: &[u8]) -> io::Result<usize> {
        (&self.file).write(packet)
    }

    /// Writes one packet given in parts (e.g. a vnet header and the packet) with one call.
    pub fn send_parts(&self, parts: &[io::IoSlice<'_>]) -> io::Result<usize> {
        (&self.file).write_vectored(parts)
    }

    /// The raw descriptor (to hand to a background process).
    #[must_use]
    pub fn as_raw_fd(&self) -> std::os::fd::RawFd {
        self.file.as_raw_fd()
    }
}

/// Packets the kernel may queue for our TUN reader: the default of 500 overflows under bursts
/// of small UDP packets (docs/performance.md §5); 1000 is what Ethernet devices get. Best effort:
/// an interface that keeps 500 still works.
const TXQUEUELEN: u32 = 1000;

fn raise_txqueuelen(name: &str) {
    let _ = sys::set_txqueuelen(name, TXQUEUELEN);
}
