use super::*;
use std::io::{Read, Write};

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        let path = std::env::temp_dir().join(format!(
            "ferrotun-uapi-{tag}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = fs::remove_dir_all(&path);
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn mode(path: &Path) -> u32 {
    fs::symlink_metadata(path).unwrap().permissions().mode() & 0o7777
}

#[test]
fn creates_the_directory_and_a_private_socket() {
    let tmp = TempDir::new("create");
    let dir = tmp.0.join("run/wireguard");
    let sock = UapiListener::bind_in(&dir, "wg0").unwrap();
    assert_eq!(sock.path(), dir.join("wg0.sock"));
    assert_eq!(mode(&dir) & 0o700, 0o700);
    assert_eq!(mode(&dir) & 0o022, 0, "not writable by others");
    assert_eq!(mode(sock.path()), 0o600);
    let names: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        names,
        vec![std::ffi::OsString::from("wg0.sock")],
        "no scratch left"
    );

    // It serves.
    let mut client = UnixStream::connect(sock.path()).unwrap();
    let (mut conn, _) = sock.listener().accept().unwrap();
    client.write_all(b"ping").unwrap();
    let mut buf = [0u8; 4];
    conn.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"ping");
}

#[test]
fn a_running_daemon_makes_binding_fail_clearly() {
    let tmp = TempDir::new("busy");
    let first = UapiListener::bind_in(&tmp.0, "wg1").unwrap();
    let err = UapiListener::bind_in(&tmp.0, "wg1").unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::AddrInUse);
    assert!(err.to_string().contains("another daemon"), "{err}");
    assert!(first.is_current(), "the first socket is untouched");
    drop(first);
    assert!(!tmp.0.join("wg1.sock").exists(), "removed on drop");
}

#[test]
fn a_stale_socket_is_replaced() {
    let tmp = TempDir::new("stale");
    fs::create_dir_all(&tmp.0).unwrap();
    let path = tmp.0.join("wg2.sock");
    // A daemon that died: its socket file stays behind, nobody listens.
    drop(UnixListener::bind(&path).unwrap());
    assert!(path.exists());
    let sock = UapiListener::bind_in(&tmp.0, "wg2").unwrap();
    assert!(UnixStream::connect(sock.path()).is_ok());
}

#[test]
fn other_files_are_never_deleted() {
    let tmp = TempDir::new("file");
    fs::create_dir_all(&tmp.0).unwrap();
    let path = tmp.0.join("wg3.sock");
    fs::write(&path, b"precious").unwrap();
    assert!(UapiListener::bind_in(&tmp.0, "wg3").is_err());
    assert_eq!(fs::read(&path).unwrap(), b"precious");
}

#[test]
fn a_replaced_socket_is_not_ours_and_not_removed() {
    let tmp = TempDir::new("replaced");
    let sock = UapiListener::bind_in(&tmp.0, "wg4").unwrap();
    fs::remove_file(sock.path()).unwrap();
    assert!(!sock.is_current(), "deleted: the daemon should exit");
    let other = UnixListener::bind(sock.path()).unwrap();
    drop(sock);
    assert!(
        tmp.0.join("wg4.sock").exists(),
        "someone else's socket stays"
    );
    drop(other);
}

#[test]
fn names_that_escape_the_directory_are_refused() {
    let tmp = TempDir::new("names");
    for name in ["", ".", "..", "a/b", "../wg0", "x\0y"] {
        let err = UapiListener::bind_in(&tmp.0, name).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{name:?}");
    }
}

#[test]
fn into_listener_keeps_the_socket_file() {
    let tmp = TempDir::new("keep");
    let sock = UapiListener::bind_in(&tmp.0, "wg5").unwrap();
    let path = sock.path().to_path_buf();
    let listener = sock.into_listener();
    assert!(path.exists());
    assert!(UnixStream::connect(&path).is_ok());
    drop(listener);
    assert!(path.exists(), "the caller owns the file now");
}
