use super::*;
use crate::server::{serve, Limits};
use crate::testutil::Fixture;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::mpsc;

/// A listener on a fresh socket path, removed on drop.
struct Socket {
    dir: PathBuf,
    listener: Option<UnixListener>,
}

impl Socket {
    fn new(tag: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("ferrotun-uapi-accept-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let listener = UnixListener::bind(dir.join("s")).unwrap();
        Socket {
            dir,
            listener: Some(listener),
        }
    }

    fn connect(&self) -> UnixStream {
        UnixStream::connect(self.dir.join("s")).unwrap()
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Runs the loop on a thread; every accepted connection (with its slot) goes to the channel
/// until `count` have been accepted.
fn run(
    socket: &mut Socket,
    limits: AcceptLimits,
    count: usize,
) -> (
    mpsc::Receiver<(UnixStream, Slot)>,
    std::thread::JoinHandle<()>,
) {
    let listener = socket.listener.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let thread = std::thread::spawn(move || {
        let mut accepted = 0;
        accept_loop(&listener, &limits, |stream, slot| {
            accepted += 1;
            let _ = tx.send((stream, slot));
            if accepted == count {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
        .unwrap();
    });
    (rx, thread)
}

const LONG: Duration = Duration::from_secs(10);

#[test]
fn serves_at_most_max_connections_and_the_next_when_one_ends() {
    let mut socket = Socket::new("max");
    let limits = AcceptLimits {
        max_connections: 2,
        idle_timeout: LONG,
    };
    let (rx, thread) = run(&mut socket, limits, 3);
    let _clients: Vec<_> = (0..3).map(|_| socket.connect()).collect();
    let first = rx.recv_timeout(LONG).unwrap();
    let _second = rx.recv_timeout(LONG).unwrap();
    // The third waits in the backlog while two are live.
    assert!(rx.recv_timeout(Duration::from_millis(200)).is_err());
    drop(first);
    let (third, _slot) = rx.recv_timeout(LONG).unwrap();
    assert_eq!(third.read_timeout().unwrap(), Some(LONG));
    assert_eq!(third.write_timeout().unwrap(), Some(LONG));
    thread.join().unwrap();
}

#[test]
fn a_client_that_never_writes_is_dropped_after_the_idle_timeout() {
    let mut socket = Socket::new("idle");
    let limits = AcceptLimits {
        max_connections: 4,
        idle_timeout: Duration::from_millis(100),
    };
    let (rx, thread) = run(&mut socket, limits, 2);
    let mut idle = socket.connect();
    let mut busy = socket.connect();
    for _ in 0..2 {
        let (stream, slot) = rx.recv_timeout(LONG).unwrap();
        std::thread::spawn(move || {
            let _slot = slot;
            let mut fx = Fixture::new(1);
            let _ = serve(stream, &mut fx, &Limits::default());
        });
    }
    // The other client is served while this one idles, then the idle one is closed.
    busy.write_all(b"get=1\n\n").unwrap();
    let mut reply = [0u8; 4096];
    let n = busy.read(&mut reply).unwrap();
    assert!(String::from_utf8_lossy(&reply[..n]).contains("errno=0"));
    idle.set_read_timeout(Some(LONG)).unwrap();
    assert_eq!(idle.read(&mut reply).unwrap(), 0, "closed without a reply");
    thread.join().unwrap();
}
