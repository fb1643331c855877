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
}

impl Tun {
    /// Creates (or attaches to) the interface `name` with MTU `mtu`.
    pub fn create(name: &str, mtu: u32) -> io::Result<Self> {
        let (fd, name) = sys::tun_create(name, sys::IFF_TUN | sys::IFF_NO_PI)?;
        sys::set_mtu(&name, mtu)?;
        Ok(Tun {
            file: File::from(fd),
            name,
        })
    }

    /// Adopts an already attached descriptor (`WG_TUN_FD`).
    pub fn from_fd(fd: OwnedFd) -> io::Result<Self> {
        let name = sys::tun_name(fd.as_raw_fd())?;
        Ok(Tun {
            file: File::from(fd),
            name,
        })
    }

    /// The interface name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Reads one packet into `buf`.
    pub fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        (&self.file).read(buf)
    }

    /// Writes one packet.
    pub fn send(&self, packet: &[u8]) -> io::Result<usize> {
        (&self.file).write(packet)
    }

    /// The raw descriptor (to hand to a background process).
    #[must_use]
    pub fn as_raw_fd(&self) -> std::os::fd::RawFd {
        self.file.as_raw_fd()
    }
}
