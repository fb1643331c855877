//! `sendmmsg` on a connected UDP socket: a batch of datagrams to the socket's peer in one
//! system call. Unlike [`super::send_many`], no message names a destination, so the kernel
//! uses the route cached on the connected socket instead of looking one up per datagram,
//! which is what a sender of 100,000 small datagrams a second (the attack tool) needs.
#![allow(unsafe_code)]

use std::io;
use std::mem::zeroed;
use std::os::fd::RawFd;

/// Most datagrams [`send_connected`] sends per call.
pub const CONNECTED_BATCH: usize = 64;

/// Sends up to [`CONNECTED_BATCH`] of `datagrams` to the peer of the connected socket `fd`
/// with one `sendmmsg`; returns how many the kernel took. As with [`super::send_many`], the
/// kernel stops at the first datagram that fails (on a non-blocking socket, a full buffer),
/// and its error is returned only when it was the first.
pub fn send_connected(fd: RawFd, datagrams: &[&[u8]]) -> io::Result<usize> {
    let n = datagrams.len().min(CONNECTED_BATCH);
    if n == 0 {
        return Ok(0);
    }
    // SAFETY: all-zero is a valid value for these plain C structs (no address, no control
    // data, no flags).
    let mut iovs: [libc::iovec; CONNECTED_BATCH] = unsafe { zeroed() };
    // SAFETY: as above.
    let mut hdrs: [libc::mmsghdr; CONNECTED_BATCH] = unsafe { zeroed() };
    for ((iov, hdr), data) in iovs.iter_mut().zip(hdrs.iter_mut()).zip(datagrams) {
        *iov = libc::iovec {
            // The kernel only reads through this pointer (sendmmsg takes const data).
            iov_base: data.as_ptr().cast_mut().cast(),
            iov_len: data.len(),
        };
        hdr.msg_hdr.msg_iov = iov;
        hdr.msg_hdr.msg_iovlen = 1;
    }
    // SAFETY: the first `n` headers each point to one iovec in `iovs` (not moved since),
    // which points to a live slice of `datagrams`; all outlive the call, and the kernel
    // writes only the headers' `msg_len` fields.
    let sent = unsafe { libc::sendmmsg(fd, hdrs.as_mut_ptr(), n as libc::c_uint, 0) };
    usize::try_from(sent).map_err(|_| io::Error::last_os_error())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::UdpSocket;
    use std::os::fd::AsRawFd;

    #[test]
    fn a_batch_arrives_in_order_and_the_excess_waits() {
        let receiver = UdpSocket::bind("127.0.0.1:0").unwrap();
        let sender = UdpSocket::bind("127.0.0.1:0").unwrap();
        sender.connect(receiver.local_addr().unwrap()).unwrap();
        let payloads: Vec<Vec<u8>> = (0..CONNECTED_BATCH + 3)
            .map(|i| vec![i as u8; 1 + i])
            .collect();
        let datagrams: Vec<&[u8]> = payloads.iter().map(Vec::as_slice).collect();
        let sent = send_connected(sender.as_raw_fd(), &datagrams).unwrap();
        assert_eq!(sent, CONNECTED_BATCH, "one call sends one batch at most");
        receiver.set_nonblocking(true).unwrap();
        let mut buf = [0u8; 256];
        for expected in &payloads[..sent] {
            let (len, from) = receiver.recv_from(&mut buf).unwrap();
            assert_eq!(&buf[..len], &expected[..]);
            assert_eq!(from, sender.local_addr().unwrap());
        }
        let nothing_more = receiver.recv_from(&mut buf).unwrap_err();
        assert_eq!(nothing_more.kind(), io::ErrorKind::WouldBlock);
        assert_eq!(send_connected(sender.as_raw_fd(), &[]).unwrap(), 0);
    }

    #[test]
    fn an_unconnected_socket_reports_the_error() {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        let err = send_connected(socket.as_raw_fd(), &[b"x"]).unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::EDESTADDRREQ));
    }
}
