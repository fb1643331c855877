//! recvmsg/sendmsg with packet-info control messages: which local address a datagram was
//! sent to, and which local address a reply leaves from.
#![allow(unsafe_code)]

use super::cvt;
use std::io;
use std::mem::{size_of, zeroed};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::os::fd::RawFd;

/// Room for one in_pktinfo or in6_pktinfo control message (both fit in 64 bytes).
const CMSG_SPACE: usize = 64;

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

/// Receives one datagram: (length, sender, the local address it was sent to). Oversized
/// datagrams are truncated to `buf` and flagged by the returned length exceeding nothing:
/// MSG_TRUNC is not requested, so the length never exceeds `buf.len()`.
pub fn recv_with_destination(
    fd: RawFd,
    buf: &mut [u8],
) -> io::Result<(usize, SocketAddr, Option<IpAddr>)> {
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
    Ok((n as usize, from, destination(&msg)))
}

/// Walks the control messages for IP_PKTINFO / IPV6_PKTINFO.
fn destination(msg: &libc::msghdr) -> Option<IpAddr> {
    // SAFETY: `msg` was filled by recvmsg, so the CMSG_* macros walk valid control data
    // within msg_controllen.
    unsafe {
        let mut cmsg = libc::CMSG_FIRSTHDR(msg);
        while !cmsg.is_null() {
            let data = libc::CMSG_DATA(cmsg);
            match ((*cmsg).cmsg_level, (*cmsg).cmsg_type) {
                (libc::IPPROTO_IP, libc::IP_PKTINFO) => {
                    let info = std::ptr::read_unaligned(data.cast::<libc::in_pktinfo>());
                    return Some(IpAddr::V4(Ipv4Addr::from(
                        info.ipi_addr.s_addr.to_ne_bytes(),
                    )));
                }
                (libc::IPPROTO_IPV6, libc::IPV6_PKTINFO) => {
                    let info = std::ptr::read_unaligned(data.cast::<libc::in6_pktinfo>());
                    return Some(IpAddr::V6(Ipv6Addr::from(info.ipi6_addr.s6_addr)));
                }
                _ => cmsg = libc::CMSG_NXTHDR(msg, cmsg),
            }
        }
    }
    None
}

/// Sends one datagram to `to`, from local address `from` when given (and of the same family).
pub fn send_from(
    fd: RawFd,
    data: &[u8],
    to: SocketAddr,
    from: Option<IpAddr>,
) -> io::Result<usize> {
    // SAFETY: all-zero is a valid value for these plain C structs.
    let mut storage: libc::sockaddr_storage = unsafe { zeroed() };
    let namelen = to_sockaddr(to, &mut storage);
    let mut cmsg = CmsgBuf([0; CMSG_SPACE]);
    let mut iov = libc::iovec {
        iov_base: data.as_ptr() as *mut _,
        iov_len: data.len(),
    };
    // SAFETY: as above.
    let mut msg: libc::msghdr = unsafe { zeroed() };
    msg.msg_name = (&mut storage as *mut libc::sockaddr_storage).cast();
    msg.msg_namelen = namelen;
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    let source = match (from, to) {
        (Some(IpAddr::V4(src)), SocketAddr::V4(_)) => Some(IpAddr::V4(src)),
        (Some(IpAddr::V6(src)), SocketAddr::V6(_)) => Some(IpAddr::V6(src)),
        _ => None,
    };
    if let Some(src) = source {
        msg.msg_control = cmsg.0.as_mut_ptr().cast();
        msg.msg_controllen = CMSG_SPACE as _;
        // SAFETY: the control buffer is CMSG_SPACE bytes, enough for one pktinfo message,
        // and aligned for cmsghdr.
        unsafe { write_pktinfo(&mut msg, src) };
    }
    // SAFETY: every pointer in `msg` refers to a live buffer of the stated length.
    let n = unsafe { libc::sendmsg(fd, &msg, 0) };
    cvt(n as libc::c_int).map(|_| n as usize)
}

/// Fills the first control message with the source address.
///
/// # Safety
/// `msg.msg_control` must point to at least `CMSG_SPACE` writable, aligned bytes.
unsafe fn write_pktinfo(msg: &mut libc::msghdr, src: IpAddr) {
    let cmsg = libc::CMSG_FIRSTHDR(msg);
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
            msg.msg_controllen = libc::CMSG_SPACE(size_of::<libc::in_pktinfo>() as u32) as _;
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
            msg.msg_controllen = libc::CMSG_SPACE(size_of::<libc::in6_pktinfo>() as u32) as _;
        }
    }
}
