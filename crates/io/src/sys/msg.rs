//! recvmsg/sendmsg with packet-info control messages: which local address a datagram was
//! sent to, and which local address a reply leaves from.
#![allow(unsafe_code)]

use super::cvt;
use std::io;
use std::mem::{size_of, zeroed};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::os::fd::RawFd;

/// Room for a pktinfo control message plus a UDP_GRO / UDP_SEGMENT one (64 bytes would do).
const CMSG_SPACE: usize = 128;

#[repr(C, align(8))]
struct CmsgBuf([u8; CMSG_SPACE]);

fn to_sockaddr(addr: SocketAddr, storage: &mut libc::sockaddr_storage) -> libc::socklen_t {
    match addr {
        SocketAddr::V4(a) => {
            // SAFETY: sockaddr_storage is large enough and suitably aligned for sockaddr_in.
            let sin = unsafe {
                &mut *(storage as *mut libc::sockaddr_storage).cast::<libc::sockaddr_in>()
            };
            sin.sin_family = libc::AF_INET as libc::sa_family_t;
            sin.sin_port = a.port().to_be();
            sin.sin_addr = libc::in_addr {
                s_addr: u32::from_ne_bytes(a.ip().octets()),
            };
            size_of::<libc::sockaddr_in>() as libc::socklen_t
        }
        SocketAddr::V6(a) => {
            // SAFETY: sockaddr_storage is large enough and suitably aligned for sockaddr_in6.
            let sin6 = unsafe {
                &mut *(storage as *mut libc::sockaddr_storage).cast::<libc::sockaddr_in6>()
            };
            sin6.sin6_family = libc::AF_INET6 as libc::sa_family_t;
            sin6.sin6_port = a.port().to_be();
            sin6.sin6_addr = libc::in6_addr {
                s6_addr: a.ip().octets(),
            };
            sin6.sin6_flowinfo = a.flowinfo();
            sin6.sin6_scope_id = a.scope_id();
            size_of::<libc::sockaddr_in6>() as libc::socklen_t
        }
    }
}

fn from_sockaddr(storage: &libc::sockaddr_storage) -> Option<SocketAddr> {
    match i32::from(storage.ss_family) {
        libc::AF_INET => {
            // SAFETY: the kernel wrote a sockaddr_in, as ss_family says.
            let sin =
                unsafe { &*(storage as *const libc::sockaddr_storage).cast::<libc::sockaddr_in>() };
            let ip = Ipv4Addr::from(sin.sin_addr.s_addr.to_ne_bytes());
            Some(SocketAddr::V4(SocketAddrV4::new(
                ip,
                u16::from_be(sin.sin_port),
            )))
        }
        libc::AF_INET6 => {
            // SAFETY: the kernel wrote a sockaddr_in6, as ss_family says.
            let sin6 = unsafe {
                &*(storage as *const libc::sockaddr_storage).cast::<libc::sockaddr_in6>()
            };
            let ip = Ipv6Addr::from(sin6.sin6_addr.s6_addr);
            let port = u16::from_be(sin6.sin6_port);
            Some(SocketAddr::V6(SocketAddrV6::new(
                ip,
                port,
                sin6.sin6_flowinfo,
                sin6.sin6_scope_id,
            )))
        }
        _ => None,
    }
}

/// What [`recv_with_destination`] learned about a datagram besides its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecvMeta {
    /// Bytes written to the buffer (never more than its length: oversized datagrams are
    /// truncated, not overrun).
    pub len: usize,
    /// The sender.
    pub from: SocketAddr,
    /// The local address the datagram was sent to (IP_PKTINFO / IPV6_PKTINFO).
    pub local_ip: Option<IpAddr>,
    /// With UDP_GRO on: the size of each coalesced datagram (all but the last have it).
    pub segment_size: Option<usize>,
}

impl Default for RecvMeta {
    /// Nothing received (length 0, from the unspecified address).
    fn default() -> Self {
        RecvMeta {
            len: 0,
            from: SocketAddr::from(([0, 0, 0, 0], 0)),
            local_ip: None,
            segment_size: None,
        }
    }
}

/// Receives one datagram (or, with UDP_GRO on, a run of coalesced datagrams from one sender).
pub fn recv_with_destination(fd: RawFd, buf: &mut [u8]) -> io::Result<RecvMeta> {
    // SAFETY: all-zero is a valid value for these plain C structs.
    let mut storage: libc::sockaddr_storage = unsafe { zeroed() };
    let mut cmsg = CmsgBuf([0; CMSG_SPACE]);
    let mut iov = libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: buf.len(),
    };
    // SAFETY: as above.
    let mut msg: libc::msghdr = unsafe { zeroed() };
    msg.msg_name = (&mut storage as *mut libc::sockaddr_storage).cast();
    msg.msg_namelen = size_of::<libc::sockaddr_storage>() as libc::socklen_t;
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = cmsg.0.as_mut_ptr().cast();
    msg.msg_controllen = CMSG_SPACE as _;
    // SAFETY: every pointer in `msg` refers to a live buffer of the stated length.
    let n = unsafe { libc::recvmsg(fd, &mut msg, 0) };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    let from =
        from_sockaddr(&storage).ok_or_else(|| io::Error::from(io::ErrorKind::InvalidData))?;
    let (local_ip, segment_size) = control(&msg);
    Ok(RecvMeta {
        len: (n as usize).min(buf.len()),
        from,
        local_ip,
        segment_size,
    })
}

/// Most messages [`recv_many`] takes per call.
pub const RECV_BATCH: usize = 16;

/// Receives up to [`RECV_BATCH`] messages (datagrams, or GRO runs) with one `recvmmsg`,
/// into `bufs[i]` described by `metas[i]`; with `wait`, waits for the first only, without,
/// fails with `WouldBlock` if none is queued. Returns how many arrived. A message whose
/// sender cannot be decoded gets length 0.
pub fn recv_many(
    fd: RawFd,
    bufs: &mut [Vec<u8>],
    metas: &mut [RecvMeta],
    wait: bool,
) -> io::Result<usize> {
    let n = bufs.len().min(metas.len()).min(RECV_BATCH);
    // SAFETY: all-zero is a valid value for these plain C structs.
    let mut storage: [libc::sockaddr_storage; RECV_BATCH] = unsafe { zeroed() };
    let mut cmsgs = [const { CmsgBuf([0; CMSG_SPACE]) }; RECV_BATCH];
    // SAFETY: as above.
    let mut iovs: [libc::iovec; RECV_BATCH] = unsafe { zeroed() };
    // SAFETY: as above.
    let mut hdrs: [libc::mmsghdr; RECV_BATCH] = unsafe { zeroed() };
    for i in 0..n {
        iovs[i] = libc::iovec {
            iov_base: bufs[i].as_mut_ptr().cast(),
            iov_len: bufs[i].len(),
        };
        let msg = &mut hdrs[i].msg_hdr;
        msg.msg_name = (&mut storage[i] as *mut libc::sockaddr_storage).cast();
        msg.msg_namelen = size_of::<libc::sockaddr_storage>() as libc::socklen_t;
        msg.msg_iov = &mut iovs[i];
        msg.msg_iovlen = 1;
        msg.msg_control = cmsgs[i].0.as_mut_ptr().cast();
        msg.msg_controllen = CMSG_SPACE as _;
    }
    // SAFETY: the first `n` headers point to live buffers of the stated lengths, all of
    // which outlive the call; the timeout may be null.
    let got = unsafe {
        libc::recvmmsg(
            fd,
            hdrs.as_mut_ptr(),
            n as libc::c_uint,
            if wait {
                libc::MSG_WAITFORONE
            } else {
                libc::MSG_DONTWAIT
            },
            std::ptr::null_mut(),
        )
    };
    let got = usize::try_from(got).map_err(|_| io::Error::last_os_error())?;
    for i in 0..got.min(n) {
        let (local_ip, segment_size) = control(&hdrs[i].msg_hdr);
        metas[i] = match from_sockaddr(&storage[i]) {
            Some(from) => RecvMeta {
                len: (hdrs[i].msg_len as usize).min(bufs[i].len()),
                from,
                local_ip,
                segment_size,
            },
            None => RecvMeta::default(),
        };
    }
    Ok(got.min(n))
}

/// Walks the control messages for IP_PKTINFO / IPV6_PKTINFO and UDP_GRO.
fn control(msg: &libc::msghdr) -> (Option<IpAddr>, Option<usize>) {
    let (mut local, mut segment) = (None, None);
    // SAFETY: `msg` was filled by recvmsg, so the CMSG_* macros walk valid control data
    // within msg_controllen, and each payload has the type its level/type pair says.
    unsafe {
        let mut cmsg = libc::CMSG_FIRSTHDR(msg);
        while !cmsg.is_null() {
            let data = libc::CMSG_DATA(cmsg);
            match ((*cmsg).cmsg_level, (*cmsg).cmsg_type) {
                (libc::IPPROTO_IP, libc::IP_PKTINFO) => {
                    let info = std::ptr::read_unaligned(data.cast::<libc::in_pktinfo>());
                    local = Some(IpAddr::V4(Ipv4Addr::from(
                        info.ipi_addr.s_addr.to_ne_bytes(),
                    )));
                }
                (libc::IPPROTO_IPV6, libc::IPV6_PKTINFO) => {
                    let info = std::ptr::read_unaligned(data.cast::<libc::in6_pktinfo>());
                    local = Some(IpAddr::V6(Ipv6Addr::from(info.ipi6_addr.s6_addr)));
                }
                (libc::SOL_UDP, libc::UDP_GRO) => {
                    let size = std::ptr::read_unaligned(data.cast::<libc::c_int>());
                    segment = usize::try_from(size).ok().filter(|s| *s > 0);
                }
                _ => {}
            }
            cmsg = libc::CMSG_NXTHDR(msg, cmsg);
        }
    }
    (local, segment)
}

/// Sends one datagram to `to`, from local address `from` when given (and of the same family).
/// With `segment` (UDP GSO), `data` is a run of datagrams of that size (the last may be
/// shorter) that the kernel splits.
pub fn send_from(
    fd: RawFd,
    data: &[u8],
    to: SocketAddr,
    from: Option<IpAddr>,
    segment: Option<u16>,
) -> io::Result<usize> {
    // SAFETY: all-zero is a valid value for these plain C structs.
    let mut storage: libc::sockaddr_storage = unsafe { zeroed() };
    let mut cmsg = CmsgBuf([0; CMSG_SPACE]);
    // SAFETY: as above.
    let mut iov: libc::iovec = unsafe { zeroed() };
    // SAFETY: as above.
    let mut msg: libc::msghdr = unsafe { zeroed() };
    let out = OutMsg {
        data,
        to,
        from,
        segment,
    };
    prepare(&mut msg, &mut storage, &mut iov, &mut cmsg, &out);
    // SAFETY: every pointer in `msg` refers to a live buffer of the stated length.
    let n = unsafe { libc::sendmsg(fd, &msg, 0) };
    cvt(n as libc::c_int).map(|_| n as usize)
}

/// One message for [`send_many`]: a datagram to `to` (from `from` when given and of the same
/// family), or with `segment` a UDP GSO run of datagrams of that size.
#[derive(Clone, Copy, Debug)]
pub struct OutMsg<'a> {
    /// The payload.
    pub data: &'a [u8],
    /// The destination.
    pub to: SocketAddr,
    /// The local source address, if known.
    pub from: Option<IpAddr>,
    /// The GSO segment size.
    pub segment: Option<u16>,
}

/// Most messages [`send_many`] sends per call.
pub const SEND_BATCH: usize = 8;

/// Sends up to [`SEND_BATCH`] messages with one `sendmmsg`; returns how many the kernel took.
/// The kernel stops at the first message that fails; its error is returned only when it was
/// the first message, so a short count means `msgs[count]` failed.
pub fn send_many(fd: RawFd, msgs: &[OutMsg<'_>]) -> io::Result<usize> {
    let n = msgs.len().min(SEND_BATCH);
    if n == 0 {
        return Ok(0);
    }
    // SAFETY: all-zero is a valid value for these plain C structs.
    let mut storage: [libc::sockaddr_storage; SEND_BATCH] = unsafe { zeroed() };
    let mut cmsgs = [const { CmsgBuf([0; CMSG_SPACE]) }; SEND_BATCH];
    // SAFETY: as above.
    let mut iovs: [libc::iovec; SEND_BATCH] = unsafe { zeroed() };
    // SAFETY: as above.
    let mut hdrs: [libc::mmsghdr; SEND_BATCH] = unsafe { zeroed() };
    for i in 0..n {
        prepare(
            &mut hdrs[i].msg_hdr,
            &mut storage[i],
            &mut iovs[i],
            &mut cmsgs[i],
            &msgs[i],
        );
    }
    // SAFETY: the first `n` headers point to live buffers of the stated lengths (the arrays
    // above, not moved since, and the callers' payloads), all of which outlive the call.
    let sent = unsafe { libc::sendmmsg(fd, hdrs.as_mut_ptr(), n as libc::c_uint, 0) };
    usize::try_from(sent).map_err(|_| io::Error::last_os_error())
}

/// Points a zeroed `msg` at `out`'s destination (written to `storage`), payload (described
/// in `iov`) and control messages (written to `cmsg`). The three must stay where they are
/// until the message is sent.
fn prepare(
    msg: &mut libc::msghdr,
    storage: &mut libc::sockaddr_storage,
    iov: &mut libc::iovec,
    cmsg: &mut CmsgBuf,
    out: &OutMsg<'_>,
) {
    msg.msg_namelen = to_sockaddr(out.to, storage);
    msg.msg_name = (storage as *mut libc::sockaddr_storage).cast();
    *iov = libc::iovec {
        iov_base: out.data.as_ptr() as *mut _,
        iov_len: out.data.len(),
    };
    msg.msg_iov = iov;
    msg.msg_iovlen = 1;
    let source = match (out.from, out.to) {
        (Some(IpAddr::V4(src)), SocketAddr::V4(_)) => Some(IpAddr::V4(src)),
        (Some(IpAddr::V6(src)), SocketAddr::V6(_)) => Some(IpAddr::V6(src)),
        _ => None,
    };
    if source.is_some() || out.segment.is_some() {
        msg.msg_control = cmsg.0.as_mut_ptr().cast();
        msg.msg_controllen = CMSG_SPACE as _;
        // SAFETY: the control buffer is CMSG_SPACE bytes, room for both messages, and
        // aligned for cmsghdr.
        unsafe { write_control(msg, source, out.segment) };
    }
}

/// Writes the source-address and GSO control messages and sets the control length.
///
/// # Safety
/// `msg.msg_control` must point to `CMSG_SPACE` writable bytes aligned for cmsghdr, and
/// `msg.msg_controllen` must be `CMSG_SPACE` (so CMSG_NXTHDR finds room for the second).
unsafe fn write_control(msg: &mut libc::msghdr, src: Option<IpAddr>, segment: Option<u16>) {
    let mut cmsg = libc::CMSG_FIRSTHDR(msg);
    let mut used = 0usize;
    if let Some(src) = src {
        used += write_pktinfo(cmsg, src);
        cmsg = libc::CMSG_NXTHDR(msg, cmsg);
    }
    if let (Some(size), false) = (segment, cmsg.is_null()) {
        (*cmsg).cmsg_level = libc::SOL_UDP;
        (*cmsg).cmsg_type = libc::UDP_SEGMENT;
        (*cmsg).cmsg_len = libc::CMSG_LEN(size_of::<u16>() as u32) as _;
        std::ptr::write_unaligned(libc::CMSG_DATA(cmsg).cast::<u16>(), size);
        used += libc::CMSG_SPACE(size_of::<u16>() as u32) as usize;
    }
    msg.msg_controllen = used as _;
}

/// Fills `cmsg` with the source address; returns the space it took.
///
/// # Safety
/// `cmsg` must point into a control buffer with room for one pktinfo message.
unsafe fn write_pktinfo(cmsg: *mut libc::cmsghdr, src: IpAddr) -> usize {
    match src {
        IpAddr::V4(ip) => {
            let mut info: libc::in_pktinfo = zeroed();
            info.ipi_spec_dst = libc::in_addr {
                s_addr: u32::from_ne_bytes(ip.octets()),
            };
            (*cmsg).cmsg_level = libc::IPPROTO_IP;
            (*cmsg).cmsg_type = libc::IP_PKTINFO;
            (*cmsg).cmsg_len = libc::CMSG_LEN(size_of::<libc::in_pktinfo>() as u32) as _;
            std::ptr::write_unaligned(libc::CMSG_DATA(cmsg).cast(), info);
            libc::CMSG_SPACE(size_of::<libc::in_pktinfo>() as u32) as usize
        }
        IpAddr::V6(ip) => {
            let mut info: libc::in6_pktinfo = zeroed();
            info.ipi6_addr = libc::in6_addr {
                s6_addr: ip.octets(),
            };
            (*cmsg).cmsg_level = libc::IPPROTO_IPV6;
            (*cmsg).cmsg_type = libc::IPV6_PKTINFO;
            (*cmsg).cmsg_len = libc::CMSG_LEN(size_of::<libc::in6_pktinfo>() as u32) as _;
            std::ptr::write_unaligned(libc::CMSG_DATA(cmsg).cast(), info);
            libc::CMSG_SPACE(size_of::<libc::in6_pktinfo>() as u32) as usize
        }
    }
}
