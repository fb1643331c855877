//! The only place in ferrotun with `unsafe`: thin wrappers over libc calls that std and
//! socket2 do not offer. Every block states why it is sound.
#![allow(unsafe_code)]

mod connected;
mod inherit;
mod msg;

pub use connected::{send_connected, CONNECTED_BATCH};
pub use inherit::{inherit_fd, FdKind};
pub use msg::{
    recv_many, recv_with_destination, send_from, send_many, OutMsg, RecvMeta, RECV_BATCH,
    SEND_BATCH,
};

use std::ffi::CString;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

// The TUN flags fit the `short ifr_flags` member of `struct ifreq` (linux/if_tun.h).
/// `IFF_TUN`: layer-3 device.
pub const IFF_TUN: i16 = libc::IFF_TUN as i16;
/// `IFF_NO_PI`: no packet-information header before each packet.
pub const IFF_NO_PI: i16 = libc::IFF_NO_PI as i16;

/// `struct ifreq` with the `short ifr_flags` / `int ifr_mtu` member of its union.
#[repr(C)]
struct IfReq {
    name: [u8; libc::IFNAMSIZ],
    value: i32,
    _pad: [u8; 20],
}

// The TUN and SIOC*IF* ioctls read and write a whole `struct ifreq`.
const _: () = assert!(size_of::<IfReq>() == size_of::<libc::ifreq>());

impl IfReq {
    fn new(name: &str) -> io::Result<Self> {
        let bytes = name.as_bytes();
        if bytes.is_empty() || bytes.len() >= libc::IFNAMSIZ || bytes.contains(&0) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "invalid interface name",
            ));
        }
        let mut req = IfReq {
            name: [0; libc::IFNAMSIZ],
            value: 0,
            _pad: [0; 20],
        };
        req.name[..bytes.len()].copy_from_slice(bytes);
        Ok(req)
    }

    fn name(&self) -> String {
        let end = self
            .name
            .iter()
            .position(|b| *b == 0)
            .unwrap_or(self.name.len());
        String::from_utf8_lossy(&self.name[..end]).into_owned()
    }
}

fn cvt(ret: libc::c_int) -> io::Result<libc::c_int> {
    if ret < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}

/// Opens `/dev/net/tun` and attaches a TUN interface named `name` with `flags`; returns the
/// descriptor and the name the kernel gave it.
pub fn tun_create(name: &str, flags: i16) -> io::Result<(OwnedFd, String)> {
    let path = CString::new("/dev/net/tun").map_err(io::Error::other)?;
    // SAFETY: `path` is a valid NUL-terminated string; open has no other preconditions.
    let fd = cvt(unsafe { libc::open(path.as_ptr(), libc::O_RDWR | libc::O_CLOEXEC) })?;
    // SAFETY: `fd` was just returned by open and is owned by nobody else.
    let fd = unsafe { OwnedFd::from_raw_fd(fd) };
    let mut req = IfReq::new(name)?;
    req.value = i32::from(flags);
    // SAFETY: TUNSETIFF reads and writes a `struct ifreq`, which `IfReq` lays out exactly
    // (40 bytes, name then the union); the pointer is valid for the call.
    cvt(unsafe { libc::ioctl(fd.as_raw_fd(), libc::TUNSETIFF as _, &mut req as *mut IfReq) })?;
    Ok((fd, req.name()))
}

/// The interface name of an already attached TUN descriptor (for `WG_TUN_FD`).
pub fn tun_name(fd: RawFd) -> io::Result<String> {
    let mut req = IfReq {
        name: [0; libc::IFNAMSIZ],
        value: 0,
        _pad: [0; 20],
    };
    // SAFETY: TUNGETIFF fills a `struct ifreq`; `req` is valid and correctly sized.
    cvt(unsafe { libc::ioctl(fd, libc::TUNGETIFF as _, &mut req as *mut IfReq) })?;
    Ok(req.name())
}

/// Sets an interface's MTU (SIOCSIFMTU).
pub fn set_mtu(name: &str, mtu: u32) -> io::Result<()> {
    set_ifreq_int(name, libc::SIOCSIFMTU, mtu)
}

/// Sets an interface's transmit queue length (SIOCSIFTXQLEN); for a TUN device this is the
/// number of packets the kernel holds for the reader before it drops.
pub fn set_txqueuelen(name: &str, len: u32) -> io::Result<()> {
    set_ifreq_int(name, libc::SIOCSIFTXQLEN, len)
}

/// An interface's MTU (SIOCGIFMTU), looked up by name in the caller's network namespace.
pub fn get_mtu(name: &str) -> io::Result<u32> {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::DGRAM, None)?;
    let mut req = IfReq::new(name)?;
    // SAFETY: SIOCGIFMTU fills the int member of a `struct ifreq`; `req` is valid, correctly
    // laid out and outlives the call.
    cvt(unsafe {
        libc::ioctl(
            socket.as_raw_fd(),
            libc::SIOCGIFMTU as _,
            &mut req as *mut IfReq,
        )
    })?;
    u32::try_from(req.value).map_err(|_| io::Error::from(io::ErrorKind::InvalidData))
}

/// An `ifreq` ioctl that takes one int, through a throwaway datagram socket.
fn set_ifreq_int(name: &str, request: libc::c_ulong, value: u32) -> io::Result<()> {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::DGRAM, None)?;
    let mut req = IfReq::new(name)?;
    req.value = i32::try_from(value).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
    // SAFETY: the SIOCSIF* requests used here read a `struct ifreq` whose union holds an
    // int; `req` is valid, correctly laid out and outlives the call.
    cvt(unsafe { libc::ioctl(socket.as_raw_fd(), request as _, &mut req as *mut IfReq) })?;
    Ok(())
}

/// Nanoseconds of `CLOCK_BOOTTIME` (keeps counting during suspend), or of
/// `CLOCK_MONOTONIC` where the kernel lacks it.
#[must_use]
pub fn boottime_nanos() -> u64 {
    let read = |clock| {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `ts` is a valid, writable timespec for the duration of the call.
        let ret = unsafe { libc::clock_gettime(clock, &mut ts) };
        (ret == 0).then(|| {
            (ts.tv_sec as u64)
                .saturating_mul(1_000_000_000)
                .saturating_add(ts.tv_nsec as u64)
        })
    };
    read(libc::CLOCK_BOOTTIME)
        .or_else(|| read(libc::CLOCK_MONOTONIC))
        .unwrap_or(0)
}

/// The index of interface `name` (e.g. to resolve an IPv6 zone), if it exists.
#[must_use]
pub fn if_nametoindex(name: &str) -> Option<u32> {
    let name = CString::new(name).ok()?;
    // SAFETY: `name` is a valid NUL-terminated string.
    let index = unsafe { libc::if_nametoindex(name.as_ptr()) };
    (index != 0).then_some(index)
}

/// An inotify descriptor watching `path` for attribute changes and deletion (used to notice
/// that our UAPI socket file was removed).
pub fn watch_path(path: &str) -> io::Result<OwnedFd> {
    let cpath = CString::new(path).map_err(io::Error::other)?;
    // SAFETY: inotify_init1 takes only flags.
    let fd = cvt(unsafe { libc::inotify_init1(libc::IN_CLOEXEC) })?;
    // SAFETY: `fd` is a fresh descriptor we own.
    let fd = unsafe { OwnedFd::from_raw_fd(fd) };
    let mask = libc::IN_ATTRIB | libc::IN_DELETE_SELF | libc::IN_MOVE_SELF;
    // SAFETY: `fd` is an inotify descriptor and `cpath` a valid C string.
    cvt(unsafe { libc::inotify_add_watch(fd.as_raw_fd(), cpath.as_ptr(), mask) })?;
    Ok(fd)
}

/// Clears `FD_CLOEXEC` so a child process inherits the descriptor.
pub fn set_inheritable(fd: RawFd) -> io::Result<()> {
    // SAFETY: F_GETFD/F_SETFD on a descriptor have no memory-safety preconditions.
    let flags = cvt(unsafe { libc::fcntl(fd, libc::F_GETFD) })?;
    // SAFETY: as above.
    cvt(unsafe { libc::fcntl(fd, libc::F_SETFD, flags & !libc::FD_CLOEXEC) })?;
    Ok(())
}

/// Sets `O_NONBLOCK`, so reads return `WouldBlock` instead of waiting.
pub fn set_nonblocking(fd: RawFd) -> io::Result<()> {
    // SAFETY: F_GETFL/F_SETFL on a descriptor have no memory-safety preconditions.
    let flags = cvt(unsafe { libc::fcntl(fd, libc::F_GETFL) })?;
    // SAFETY: as above.
    cvt(unsafe { libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK) })?;
    Ok(())
}

/// Waits until `fd` is readable (or has an error or hang-up to report).
pub fn wait_readable(fd: RawFd) -> io::Result<()> {
    let mut pfd = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: `pfd` is one valid, writable pollfd for the duration of the call.
    cvt(unsafe { libc::poll(&mut pfd, 1, -1) })?;
    Ok(())
}

/// Waits until at least one of `fds` (at most 64; negative entries are skipped) is readable
/// or has an error or hang-up to report, and returns them as a bit set (bit `i` for
/// `fds[i]`). Returns at once when one already is.
pub fn poll_readable(fds: &[RawFd]) -> io::Result<u64> {
    const MAX: usize = 64;
    let n = fds.len().min(MAX);
    let mut pfds = [libc::pollfd {
        fd: -1,
        events: libc::POLLIN,
        revents: 0,
    }; MAX];
    for (pfd, fd) in pfds.iter_mut().zip(&fds[..n]) {
        pfd.fd = *fd;
    }
    // SAFETY: the first `n` entries of `pfds` are valid, writable pollfds for the duration
    // of the call.
    cvt(unsafe { libc::poll(pfds.as_mut_ptr(), n as libc::nfds_t, -1) })?;
    Ok(pfds[..n]
        .iter()
        .enumerate()
        .filter(|(_, p)| p.revents != 0)
        .fold(0, |set, (i, _)| set | 1 << i))
}

/// Makes the calling process a session leader (detaches it from the controlling terminal).
/// Meant for a `Command::pre_exec` hook.
pub fn setsid() -> io::Result<()> {
    // SAFETY: setsid has no preconditions; it is async-signal-safe, as pre_exec requires.
    cvt(unsafe { libc::setsid() }).map(drop)
}

/// Raises the calling thread's nice value by `by` (a lower scheduling priority; allowed
/// without privileges).
pub fn lower_thread_priority(by: i32) -> io::Result<()> {
    // SAFETY: gettid has no preconditions and cannot fail.
    let tid = unsafe { libc::gettid() };
    let tid = libc::id_t::try_from(tid).map_err(|_| io::Error::from(io::ErrorKind::InvalidData))?;
    // SAFETY: setpriority takes plain integers; on Linux PRIO_PROCESS with a thread id
    // affects only that thread.
    cvt(unsafe { libc::setpriority(libc::PRIO_PROCESS, tid, by) })?;
    Ok(())
}

/// Puts the calling thread under `SCHED_BATCH`: the same share of the CPU, but when it wakes
/// up it does not preempt the thread running on that CPU (allowed without privileges).
///
/// With `slice_ns`, also asks for that time slice instead of the kernel's default (a custom
/// slice, Linux ≥ 6.12, which clamps it to 0.1–100 ms). Returns whether the request went
/// through `sched_setattr`: older kernels accept it and ignore the slice, and if the call
/// is refused the thread gets `SCHED_BATCH` alone (`Ok(false)`).
pub fn use_batch_scheduling(slice_ns: Option<u64>) -> io::Result<bool> {
    if let Some(slice) = slice_ns {
        if set_fair_attr(libc::SCHED_BATCH as u32, slice).is_ok() {
            return Ok(true);
        }
    }
    let param = libc::sched_param { sched_priority: 0 };
    // SAFETY: `param` is a valid sched_param for the call; pid 0 is the calling thread.
    cvt(unsafe { libc::sched_setscheduler(0, libc::SCHED_BATCH, &param) })?;
    Ok(false)
}

/// `struct sched_attr` as of Linux 4.13 (`SCHED_ATTR_SIZE_VER1`, 56 bytes; kernels that
/// know only the 48-byte version accept it as long as the extra fields are zero).
#[repr(C)]
struct SchedAttr {
    size: u32,
    policy: u32,
    flags: u64,
    nice: i32,
    priority: u32,
    runtime: u64,
    deadline: u64,
    period: u64,
    util_min: u32,
    util_max: u32,
}

const _: () = assert!(size_of::<SchedAttr>() == 56);

/// `sched_setattr` on the calling thread: a fair `policy` with `runtime` as its requested
/// slice, keeping its nice value.
fn set_fair_attr(policy: u32, runtime: u64) -> io::Result<()> {
    // SAFETY: gettid has no preconditions and cannot fail.
    let tid = unsafe { libc::gettid() };
    let tid = libc::id_t::try_from(tid).map_err(|_| io::Error::from(io::ErrorKind::InvalidData))?;
    // getpriority may return -1 as a value, so errno tells failure apart.
    // SAFETY: errno is thread-local; writing it before the call is how getpriority's errors
    // are told apart.
    unsafe { *libc::__errno_location() = 0 };
    // SAFETY: plain integers; on Linux PRIO_PROCESS with a thread id reads that thread.
    let nice = unsafe { libc::getpriority(libc::PRIO_PROCESS, tid) };
    if nice == -1 && io::Error::last_os_error().raw_os_error() != Some(0) {
        return Err(io::Error::last_os_error());
    }
    let attr = SchedAttr {
        size: size_of::<SchedAttr>() as u32,
        policy,
        flags: 0,
        nice,
        priority: 0,
        runtime,
        deadline: 0,
        period: 0,
        util_min: 0,
        util_max: 0,
    };
    // SAFETY: `attr` is a fully initialised sched_attr whose `size` field states its real
    // size; the kernel only reads it. Thread id 0 is the calling thread; flags are 0.
    let ret = unsafe { libc::syscall(libc::SYS_sched_setattr, 0, &attr, 0) };
    if ret < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Spawns `cmd` in a new session (detached from the terminal), as the daemon's background
/// half.
pub fn spawn_detached(cmd: &mut std::process::Command) -> io::Result<std::process::Child> {
    use std::os::unix::process::CommandExt;
    // SAFETY: the hook runs between fork and exec and only calls setsid, which is
    // async-signal-safe and allocates nothing.
    unsafe {
        cmd.pre_exec(setsid);
    }
    cmd.spawn()
}

/// Asks the kernel to report each datagram's destination address (IP_PKTINFO /
/// IPV6_RECVPKTINFO), so replies can leave from the address the peer wrote to.
pub fn enable_pktinfo(fd: RawFd, ipv6: bool) -> io::Result<()> {
    let on: libc::c_int = 1;
    let (level, name) = if ipv6 {
        (libc::IPPROTO_IPV6, libc::IPV6_RECVPKTINFO)
    } else {
        (libc::IPPROTO_IP, libc::IP_PKTINFO)
    };
    let len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: `on` is a valid c_int for the duration of the call and `len` is its size.
    cvt(unsafe { libc::setsockopt(fd, level, name, (&on as *const libc::c_int).cast(), len) })
        .map(drop)
}

fn setsockopt_int(
    fd: RawFd,
    level: libc::c_int,
    name: libc::c_int,
    value: libc::c_int,
) -> io::Result<()> {
    let len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: `value` is a valid c_int for the duration of the call and `len` is its size.
    cvt(unsafe { libc::setsockopt(fd, level, name, (&value as *const libc::c_int).cast(), len) })
        .map(drop)
}

/// Turns on UDP generic receive offload: the kernel may hand over a run of same-sized
/// datagrams from one sender in a single receive (Linux 5.0+).
pub fn enable_udp_gro(fd: RawFd) -> io::Result<()> {
    setsockopt_int(fd, libc::SOL_UDP, libc::UDP_GRO, 1)
}

/// `PACKET_VNET_HDR` on a packet socket: every packet read starts with a `virtio_net_hdr`,
/// so a capture can tell a GSO super-packet (which crosses a veth or bridge unsegmented)
/// from one datagram and split it as the wire would have.
pub fn enable_packet_vnet_hdr(fd: RawFd) -> io::Result<()> {
    setsockopt_int(fd, libc::SOL_PACKET, libc::PACKET_VNET_HDR, 1)
}

/// `IFF_VNET_HDR`: every packet on the TUN descriptor starts with a `virtio_net_hdr`.
pub const IFF_VNET_HDR: i16 = libc::IFF_VNET_HDR as i16;
/// TUN offload flags for [`tun_set_offload`].
pub mod tun_offload {
    /// The kernel may hand us packets with partial checksums.
    pub const CSUM: u32 = libc::TUN_F_CSUM;
    /// TCP segmentation offload over IPv4.
    pub const TSO4: u32 = libc::TUN_F_TSO4;
    /// TCP segmentation offload over IPv6.
    pub const TSO6: u32 = libc::TUN_F_TSO6;
    /// UDP segmentation offload over IPv4 (Linux 6.2+).
    pub const USO4: u32 = libc::TUN_F_USO4;
    /// UDP segmentation offload over IPv6 (Linux 6.2+).
    pub const USO6: u32 = libc::TUN_F_USO6;
}

/// Tells the TUN driver which offloads we handle (TUNSETOFFLOAD).
pub fn tun_set_offload(fd: RawFd, flags: u32) -> io::Result<()> {
    // SAFETY: TUNSETOFFLOAD takes the flags as an unsigned long argument by value.
    cvt(unsafe { libc::ioctl(fd, libc::TUNSETOFFLOAD as _, libc::c_ulong::from(flags)) }).map(drop)
}

/// The flags of an attached TUN descriptor (to learn whether it carries vnet headers).
pub fn tun_flags(fd: RawFd) -> io::Result<i16> {
    let mut req = IfReq {
        name: [0; libc::IFNAMSIZ],
        value: 0,
        _pad: [0; 20],
    };
    // SAFETY: TUNGETIFF fills a `struct ifreq`; `req` is valid and correctly sized.
    cvt(unsafe { libc::ioctl(fd, libc::TUNGETIFF as _, &mut req as *mut IfReq) })?;
    Ok(req.value as i16)
}
