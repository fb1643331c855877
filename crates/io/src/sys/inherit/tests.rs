use super::*;
use std::net::{TcpListener, UdpSocket};
use std::os::fd::AsRawFd;
use std::os::linux::net::SocketAddrExt;
use std::os::unix::net::{SocketAddr, UnixListener, UnixStream};

/// `inherit_fd` on a descriptor the test owns, which it must refuse with a message
/// containing `why`.
fn assert_refused(fd: RawFd, kind: FdKind, why: &str) {
    match inherit_fd(fd, kind) {
        Ok(_) => panic!("descriptor {fd} inherited as {kind:?}, expected a refusal ({why})"),
        Err(e) => assert!(e.to_string().contains(why), "{kind:?}: {e}"),
    }
}

/// A Unix socket address no other test or process uses (abstract: no file to clean up).
fn abstract_addr(what: &str) -> SocketAddr {
    let name = format!("ferrotun-io-inherit-{}-{what}", std::process::id());
    SocketAddr::from_abstract_name(name).expect("abstract name")
}

#[test]
fn a_regular_file_is_refused() {
    let file = std::fs::File::open(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml")).unwrap();
    assert_refused(file.as_raw_fd(), FdKind::CharDevice, "a regular file");
    assert_refused(file.as_raw_fd(), FdKind::UnixListener, "not a socket");
}

#[test]
fn a_udp_socket_is_refused() {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    assert_refused(socket.as_raw_fd(), FdKind::CharDevice, "a socket");
    assert_refused(
        socket.as_raw_fd(),
        FdKind::UnixListener,
        "not a Unix stream",
    );
}

#[test]
fn a_listening_tcp_socket_is_not_a_unix_listener() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    assert_refused(
        listener.as_raw_fd(),
        FdKind::UnixListener,
        "not a Unix stream",
    );
}

#[test]
fn a_unix_socket_that_does_not_listen_is_refused() {
    let (a, _b) = UnixStream::pair().unwrap();
    assert_refused(a.as_raw_fd(), FdKind::UnixListener, "does not listen");
    assert_refused(a.as_raw_fd(), FdKind::CharDevice, "a socket");
}

#[test]
fn a_closed_or_negative_number_is_refused() {
    // No process has this many descriptors open (the kernel caps them far lower).
    assert_refused(i32::MAX, FdKind::CharDevice, "Bad file descriptor");
    assert_refused(i32::MAX, FdKind::UnixListener, "Bad file descriptor");
    assert_refused(-1, FdKind::CharDevice, "not a descriptor number");
}

#[test]
fn the_standard_streams_are_refused() {
    for fd in 0..=2 {
        assert_refused(fd, FdKind::CharDevice, "standard stream");
        assert_refused(fd, FdKind::UnixListener, "standard stream");
    }
}

#[test]
fn a_character_device_is_inherited_as_a_new_descriptor() {
    let original = std::fs::File::options()
        .write(true)
        .open("/dev/null")
        .unwrap();
    let owned = inherit_fd(original.as_raw_fd(), FdKind::CharDevice).unwrap();
    assert_ne!(owned.as_raw_fd(), original.as_raw_fd());
    let mut file = std::fs::File::from(owned);
    std::io::Write::write_all(&mut file, b"the inherited descriptor works").unwrap();
    drop(file);
    // The number handed over stays its owner's, open.
    std::io::Write::write_all(&mut &original, b"and so does the original").unwrap();
}

#[test]
fn a_listening_unix_socket_is_inherited() {
    let addr = abstract_addr("listener");
    let original = UnixListener::bind_addr(&addr).unwrap();
    // A listening Unix socket is still not a character device.
    assert_refused(original.as_raw_fd(), FdKind::CharDevice, "a socket");
    let owned = inherit_fd(original.as_raw_fd(), FdKind::UnixListener).unwrap();
    let listener = UnixListener::from(owned);
    let _client = UnixStream::connect_addr(&addr).unwrap();
    listener.accept().expect("the inherited listener accepts");
}
