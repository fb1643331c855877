//! The pair of UDP sockets a WireGuard interface listens on: one IPv4, one IPv6 (v6-only),
//! on the same port, each marked with the fwmark and reporting destination addresses.

use crate::sys;
use socket2::{Domain, Protocol, Socket, Type};
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::os::fd::AsRawFd;

/// Bound sockets for one listen port. Either family may be missing (e.g. IPv6 disabled on
/// the host), never both.
#[derive(Debug)]
pub struct UdpPair {
    /// The IPv4 socket.
    pub v4: Option<UdpSocket>,
    /// The IPv6-only socket.
    pub v6: Option<UdpSocket>,
    port: u16,
    /// Whether UDP GSO still works (cleared for good the first time the kernel refuses it).
    gso: std::sync::atomic::AtomicBool,
}

/// A run of equal-sized datagrams (the last may be shorter) for [`UdpPair::send_runs`].
#[derive(Clone, Copy, Debug)]
pub struct SendRun<'a> {
    /// The datagrams, back to back.
    pub data: &'a [u8],
    /// The size of each but the last.
    pub segment: usize,
    /// The destination.
    pub to: SocketAddr,
    /// The local source address, if known.
    pub from: Option<IpAddr>,
}

/// The most datagrams one UDP GSO send may carry (the kernel's UDP_MAX_SEGMENTS).
pub const MAX_GSO_SEGMENTS: usize = 64;
/// The most payload bytes one UDP GSO send may carry (a UDP datagram's limit, with room for
/// the headers).
pub const MAX_GSO_BYTES: usize = 65_000;

const SOCKET_BUFFER: usize = 4 << 20;

fn bind_one(addr: SocketAddr, fwmark: u32) -> io::Result<UdpSocket> {
    let domain = if addr.is_ipv4() {
        Domain::IPV4
    } else {
        Domain::IPV6
    };
    let socket = Socket::new(domain, Type::DGRAM.cloexec(), Some(Protocol::UDP))?;
    if addr.is_ipv6() {
        socket.set_only_v6(true)?;
    }
    if fwmark != 0 {
        socket.set_mark(fwmark)?;
    }
    // Larger buffers absorb bursts; failing to grow them is not fatal.
    let _ = socket.set_recv_buffer_size(SOCKET_BUFFER);
    let _ = socket.set_send_buffer_size(SOCKET_BUFFER);
    sys::enable_pktinfo(socket.as_raw_fd(), addr.is_ipv6())?;
    // Fewer receive calls under load; kernels without it simply never coalesce.
    let _ = sys::enable_udp_gro(socket.as_raw_fd());
    socket.bind(&addr.into())?;
    Ok(socket.into())
}

fn family_unavailable(e: &io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(libc::EAFNOSUPPORT) | Some(libc::EADDRNOTAVAIL) | Some(libc::EPROTONOSUPPORT)
    )
}

impl UdpPair {
    /// Binds both families on `port` (0: a random port, the same for both), retrying a few
    /// random ports if the IPv6 half of a random port is taken, as wireguard-go does.
    pub fn bind(port: u16, fwmark: u32) -> io::Result<Self> {
        let mut last_err = None;
        for _ in 0..100 {
            match Self::try_bind(port, fwmark) {
                Ok(pair) => return Ok(pair),
                Err(e) if port == 0 && e.kind() == io::ErrorKind::AddrInUse => last_err = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last_err.unwrap_or_else(|| io::Error::from(io::ErrorKind::AddrInUse)))
    }

    fn try_bind(port: u16, fwmark: u32) -> io::Result<Self> {
        let v4 = match bind_one(
            SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), port),
            fwmark,
        ) {
            Ok(s) => Some(s),
            Err(e) if family_unavailable(&e) => None,
            Err(e) => return Err(e),
        };
        let port = match &v4 {
            Some(s) => s.local_addr()?.port(),
            None => port,
        };
        let v6 = match bind_one(
            SocketAddr::new(IpAddr::V6(Ipv6Addr::UNSPECIFIED), port),
            fwmark,
        ) {
            Ok(s) => Some(s),
            Err(e) if family_unavailable(&e) && v4.is_some() => None,
            Err(e) => return Err(e),
        };
        let port = match (&v4, &v6) {
            (_, Some(s)) => s.local_addr()?.port(),
            (Some(_), None) => port,
            (None, None) => return Err(io::Error::from(io::ErrorKind::Unsupported)),
        };
        Ok(UdpPair {
            v4,
            v6,
            port,
            gso: std::sync::atomic::AtomicBool::new(true),
        })
    }

    /// The bound port.
    #[must_use]
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Marks every packet both sockets send (0 clears the mark).
    pub fn set_fwmark(&self, fwmark: u32) -> io::Result<()> {
        for socket in [&self.v4, &self.v6].into_iter().flatten() {
            socket2::SockRef::from(socket).set_mark(fwmark)?;
        }
        Ok(())
    }

    /// Sends `data` to `to` from the socket of its family, from local address `from` if
    /// known (falling back to the OS's choice when that address is gone).
    pub fn send(&self, data: &[u8], to: SocketAddr, from: Option<IpAddr>) -> io::Result<usize> {
        let socket = if to.is_ipv4() { &self.v4 } else { &self.v6 };
        let socket = socket
            .as_ref()
            .ok_or_else(|| io::Error::from(io::ErrorKind::AddrNotAvailable))?;
        match sys::send_from(socket.as_raw_fd(), data, to, from, None) {
            // The remembered source address is gone (we roamed): let the route choose.
            // IPv4 reports ENETUNREACH for that, IPv6 EADDRNOTAVAIL or EINVAL.
            Err(e) if from.is_some() && stale_source(&e) => {
                sys::send_from(socket.as_raw_fd(), data, to, None, None)
            }
            other => other,
        }
    }

    /// Sends `data`, a run of datagrams of `segment` bytes each (the last may be shorter), all
    /// to `to`: with one UDP GSO call when the kernel supports it, else one call each.
    /// Returns how many bytes of `data` were sent.
    pub fn send_segments(
        &self,
        data: &[u8],
        segment: usize,
        to: SocketAddr,
        from: Option<IpAddr>,
    ) -> io::Result<usize> {
        let segment = segment.max(1);
        // One GSO send may carry at most 64 datagrams and one UDP payload's worth of bytes.
        let per_send = (MAX_GSO_BYTES / segment).clamp(1, MAX_GSO_SEGMENTS);
        let mut sent = 0;
        for run in data.chunks(per_send * segment) {
            sent += self.send_gso(run, segment, to, from)?;
        }
        Ok(sent)
    }

    /// Sends several runs, each as [`send_segments`](Self::send_segments) would, but with one
    /// `sendmmsg` for up to [`sys::SEND_BATCH`] of their GSO sends at a time. Calls
    /// `failed(run, bytes, error)` for each part of a run that could not be sent.
    pub fn send_runs(
        &self,
        runs: &[SendRun<'_>],
        mut failed: impl FnMut(usize, usize, &io::Error),
    ) {
        let mut owners = Vec::with_capacity(sys::SEND_BATCH);
        let mut msgs = Vec::with_capacity(sys::SEND_BATCH);
        for (i, run) in runs.iter().enumerate() {
            let segment = run.segment.max(1);
            let per_send = (MAX_GSO_BYTES / segment).clamp(1, MAX_GSO_SEGMENTS);
            for chunk in run.data.chunks(per_send * segment) {
                let family_changes = msgs
                    .first()
                    .is_some_and(|m: &sys::OutMsg<'_>| m.to.is_ipv4() != run.to.is_ipv4());
                if msgs.len() == sys::SEND_BATCH || family_changes {
                    self.flush_runs(&owners, &msgs, &mut failed);
                    owners.clear();
                    msgs.clear();
                }
                owners.push(i);
                msgs.push(sys::OutMsg {
                    data: chunk,
                    to: run.to,
                    from: run.from.filter(|ip| ip.is_ipv4() == run.to.is_ipv4()),
                    segment: u16::try_from(segment)
                        .ok()
                        .filter(|_| chunk.len() > segment),
                });
            }
        }
        self.flush_runs(&owners, &msgs, &mut failed);
    }

    /// Sends `msgs` (all of one family) with `sendmmsg`; a message the kernel refuses goes
    /// through [`send_gso`](Self::send_gso) alone, for its fallbacks (no GSO, a stale source
    /// address), and the rest follow.
    fn flush_runs(
        &self,
        owners: &[usize],
        msgs: &[sys::OutMsg<'_>],
        failed: &mut impl FnMut(usize, usize, &io::Error),
    ) {
        use std::sync::atomic::Ordering;
        let mut at = 0;
        while let Some(first) = msgs.get(at) {
            let socket = if first.to.is_ipv4() {
                &self.v4
            } else {
                &self.v6
            };
            let together = match socket {
                Some(socket) if self.gso.load(Ordering::Relaxed) => {
                    sys::send_many(socket.as_raw_fd(), &msgs[at..]).unwrap_or(0)
                }
                _ => 0,
            };
            at += together;
            if let Some(m) = msgs.get(at) {
                let segment = m.segment.map_or(m.data.len(), usize::from);
                if let Err(e) = self.send_gso(m.data, segment, m.to, m.from) {
                    failed(owners[at], m.data.len(), &e);
                }
                at += 1;
            }
        }
    }

    fn send_gso(
        &self,
        data: &[u8],
        segment: usize,
        to: SocketAddr,
        from: Option<IpAddr>,
    ) -> io::Result<usize> {
        use std::sync::atomic::Ordering;
        if data.len() > segment && self.gso.load(Ordering::Relaxed) {
            let socket = if to.is_ipv4() { &self.v4 } else { &self.v6 };
            if let (Some(socket), Ok(size)) = (socket, u16::try_from(segment)) {
                let from = from.filter(|ip| ip.is_ipv4() == to.is_ipv4());
                let mut result = sys::send_from(socket.as_raw_fd(), data, to, from, Some(size));
                if matches!(&result, Err(e) if from.is_some() && stale_source(e)) {
                    result = sys::send_from(socket.as_raw_fd(), data, to, None, Some(size));
                }
                match result {
                    Ok(_) => return Ok(data.len()),
                    // EIO: the device cannot segment (e.g. checksum offload off); EINVAL or
                    // ENOPROTOOPT: no UDP GSO at all. Fall back for good.
                    Err(e)
                        if matches!(
                            e.raw_os_error(),
                            Some(libc::EIO | libc::EINVAL | libc::ENOPROTOOPT)
                        ) =>
                    {
                        self.gso.store(false, Ordering::Relaxed);
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        let mut sent = 0;
        for datagram in data.chunks(segment) {
            self.send(datagram, to, from)?;
            sent += datagram.len();
        }
        Ok(sent)
    }

    /// Stops both sockets: blocked receivers return and their threads can exit.
    pub fn shutdown(&self) {
        for socket in [&self.v4, &self.v6].into_iter().flatten() {
            let _ = socket2::SockRef::from(socket).shutdown(std::net::Shutdown::Both);
        }
    }
}

fn stale_source(e: &io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(libc::EINVAL | libc::ENETUNREACH | libc::EADDRNOTAVAIL)
    )
}

/// Receives on `socket`: one datagram, or with UDP GRO a run of same-sized datagrams from
/// one sender (split it with [`RecvMeta::segments`]).
pub fn recv(socket: &UdpSocket, buf: &mut [u8]) -> io::Result<RecvMeta> {
    sys::recv_with_destination(socket.as_raw_fd(), buf)
}

/// Receives several messages (each as [`recv`] would) with one system call: waits for the
/// first, then takes what is already queued, up to [`RECV_BATCH`]. Returns how many arrived.
pub fn recv_many(
    socket: &UdpSocket,
    bufs: &mut [Vec<u8>],
    metas: &mut [RecvMeta],
) -> io::Result<usize> {
    sys::recv_many(socket.as_raw_fd(), bufs, metas, true)
}

/// [`recv_many`] without waiting: `WouldBlock` if no message is queued.
pub fn try_recv_many(
    socket: &UdpSocket,
    bufs: &mut [Vec<u8>],
    metas: &mut [RecvMeta],
) -> io::Result<usize> {
    sys::recv_many(socket.as_raw_fd(), bufs, metas, false)
}

pub use sys::{RecvMeta, RECV_BATCH};

impl RecvMeta {
    /// The byte ranges of the individual datagrams in the receive buffer.
    pub fn segments(&self) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
        let step = self
            .segment_size
            .filter(|s| *s > 0)
            .unwrap_or(self.len.max(1));
        (0..self.len)
            .step_by(step)
            .map(move |start| start..(start + step).min(self.len))
    }
}
