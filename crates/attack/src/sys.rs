//! The crate's only `unsafe`: sendmmsg(2), which sends a batch of datagrams in one system
//! call. std and socket2 offer no batched send, and at 100,000 datagrams per second the
//! per-call cost matters.
#![allow(unsafe_code)]

use std::io;
use std::net::UdpSocket;
use std::os::fd::AsRawFd;

/// Most datagrams one call takes (the kernel's UIO_MAXIOV is 1024).
pub const MAX_BATCH: usize = 256;

/// Sends each of `datagrams` (at most [`MAX_BATCH`]) on the connected `socket`; returns how
/// many the kernel took, which is fewer than asked when its buffer filled up.
pub fn send_batch(socket: &UdpSocket, datagrams: &[&[u8]]) -> io::Result<usize> {
    let datagrams = &datagrams[..datagrams.len().min(MAX_BATCH)];
    let mut iovecs: Vec<libc::iovec> = datagrams
        .iter()
        .map(|d| libc::iovec {
            // The kernel only reads through this pointer (sendmmsg takes const data).
            iov_base: d.as_ptr().cast_mut().cast(),
            iov_len: d.len(),
        })
        .collect();
    let mut headers: Vec<libc::mmsghdr> = iovecs
        .iter_mut()
        .map(|iov| {
            // SAFETY: mmsghdr is a plain C struct of integers and pointers, for which all
            // zeros is a valid value (no address, no control data, no flags).
            let mut h: libc::mmsghdr = unsafe { std::mem::zeroed() };
            h.msg_hdr.msg_iov = iov;
            h.msg_hdr.msg_iovlen = 1;
            h
        })
        .collect();
    let count = u32::try_from(headers.len()).unwrap_or(0);
    // SAFETY: `headers` holds `count` initialised mmsghdr, each pointing at one iovec in
    // `iovecs`, each pointing at a live slice of `datagrams`; all outlive the call, and the
    // kernel writes only the `msg_len` fields of `headers`.
    let sent = unsafe {
        libc::sendmmsg(
            socket.as_raw_fd(),
            headers.as_mut_ptr(),
            count,
            libc::MSG_DONTWAIT,
        )
    };
    usize::try_from(sent).map_err(|_| io::Error::last_os_error())
}
