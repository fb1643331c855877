//! A fake daemon: a UAPI socket in the sandbox that answers every `get` with a fixed reply
//! and every `set` with a fixed status, recording the `set` bodies. Both tools then read
//! exactly the same bytes, which makes the comparison independent of peer order (wireguard-go
//! lists peers in random order) and lets the test choose handshake times, counters and
//! malformed replies. It also shows the exact bytes each tool sends.

use crate::sandbox::{unique_name, Sandbox};
use std::io::{Read as _, Write as _};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

pub struct Replay {
    pub name: String,
    path: PathBuf,
    stop: Arc<AtomicBool>,
    reply: Arc<Mutex<Vec<u8>>>,
    sets: Arc<Mutex<Vec<Vec<u8>>>>,
    thread: Option<JoinHandle<()>>,
}

impl Replay {
    pub fn start(sandbox: &Sandbox, get_reply: &[u8]) -> Replay {
        let name = unique_name('r');
        let path = sandbox.socket_dir().join(format!("{name}.sock"));
        let listener = UnixListener::bind(&path).expect("bind replay socket");
        listener.set_nonblocking(true).expect("nonblocking");
        let stop = Arc::new(AtomicBool::new(false));
        let reply = Arc::new(Mutex::new(get_reply.to_vec()));
        let sets = Arc::new(Mutex::new(Vec::new()));
        let (stop2, reply2, sets2) = (stop.clone(), reply.clone(), sets.clone());
        let thread = std::thread::spawn(move || serve(&listener, &stop2, &reply2, &sets2));
        Replay {
            name,
            path,
            stop,
            reply,
            sets,
            thread: Some(thread),
        }
    }

    /// Changes the `get` reply.
    pub fn set_reply(&self, reply: &[u8]) {
        *self.reply.lock().unwrap() = reply.to_vec();
    }

    /// The `set` bodies received so far (each from `set=1\n` to the blank line), cleared.
    pub fn take_sets(&self) -> Vec<Vec<u8>> {
        std::mem::take(&mut *self.sets.lock().unwrap())
    }
}

impl Drop for Replay {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        let _ = std::fs::remove_file(&self.path);
    }
}

fn serve(
    listener: &UnixListener,
    stop: &AtomicBool,
    reply: &Mutex<Vec<u8>>,
    sets: &Mutex<Vec<Vec<u8>>>,
) {
    while !stop.load(Ordering::Relaxed) {
        match listener.accept() {
            Ok((stream, _)) => handle(stream, reply, sets),
            Err(_) => std::thread::sleep(Duration::from_millis(5)),
        }
    }
}

/// One connection: read the request up to its blank line, answer it.
fn handle(mut stream: UnixStream, reply: &Mutex<Vec<u8>>, sets: &Mutex<Vec<Vec<u8>>>) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut request = Vec::new();
    let mut byte = [0u8; 1];
    // Connections that only probe (`has_interface`) send nothing and close.
    while !request.ends_with(b"\n\n") {
        match stream.read(&mut byte) {
            Ok(1) => request.push(byte[0]),
            _ => return,
        }
    }
    if request == b"get=1\n\n" {
        let reply = reply.lock().unwrap().clone();
        let _ = stream.write_all(&reply);
    } else {
        sets.lock().unwrap().push(request);
        let _ = stream.write_all(b"errno=0\n\n");
    }
}

/// One raw `get` reply from a real daemon in the sandbox.
pub fn raw_get(sandbox: &Sandbox, name: &str) -> Vec<u8> {
    let path = sandbox.socket_dir().join(format!("{name}.sock"));
    let mut stream = UnixStream::connect(&path).expect("connect to daemon");
    stream.write_all(b"get=1\n\n").expect("send get");
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut reply = Vec::new();
    let mut byte = [0u8; 1];
    while !reply.ends_with(b"\n\n") {
        match stream.read(&mut byte) {
            Ok(1) => reply.push(byte[0]),
            _ => break,
        }
    }
    assert!(
        reply.ends_with(b"errno=0\n\n"),
        "bad reply: {}",
        String::from_utf8_lossy(&reply)
    );
    reply
}
