//! The standard-input tunnel (wireproxy's `[STDIOTunnel]`): standard input and output joined
//! to one TCP connection to a target inside the tunnel, as `ssh -o ProxyCommand=` wants.
//! Two threads do the blocking reads and writes of the process's standard streams (making
//! them non-blocking would change them for whoever shares them, such as the shell) and hand
//! chunks over bounded channels; the proxy thread moves them to and from the stack. When the
//! connection ends, so does the process: its standard streams were the session.

use crate::dns::{Lookup, Resolved, Resolver};
use crate::netstack::Netstack;
use crate::socks5::Target;
use smoltcp::iface::SocketHandle;
use smoltcp::socket::tcp::State;
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TryRecvError, TrySendError};
use std::sync::Arc;

/// Wakes the proxy thread from another thread.
pub(crate) type Wake = Arc<dyn Fn() + Send + Sync>;

/// Chunks in flight each way between the proxy thread and a standard stream's thread.
const CHUNKS: usize = 16;
const CHUNK: usize = 64 * 1024;

/// Where the tunnel stands.
enum Phase {
    Resolving(Lookup, u16),
    Open(SocketHandle),
    Done,
}

/// What a turn found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StdioState {
    /// Running; whether anything moved.
    Running(bool),
    /// The connection ended: stop the proxy.
    Ended,
    /// The connection never opened: stop the proxy, failing.
    Failed,
}

/// The tunnel.
pub(crate) struct StdioTunnel {
    phase: Phase,
    from_stdin: Receiver<Vec<u8>>,
    to_stdout: SyncSender<Vec<u8>>,
    /// A chunk from standard input not yet all in the stack's send buffer.
    pending: Option<(Vec<u8>, usize)>,
    stdin_done: bool,
    /// Whether the connection was established.
    opened: bool,
    /// The standard-output thread, joined at the end so nothing received is lost.
    writer: Option<std::thread::JoinHandle<()>>,
}

impl StdioTunnel {
    /// Starts the standard streams' threads (each wakes the proxy thread with `wake`) and the
    /// connection to `target`.
    pub(crate) fn start(
        stack: &mut Netstack,
        resolver: &Resolver,
        target: &Target,
        wake: Wake,
    ) -> Result<StdioTunnel, String> {
        let phase = match target {
            Target::Addr(addr) => Phase::Open(connect(stack, *addr)?),
            Target::Domain(name, port) => {
                let lookup = resolver
                    .start(stack, name.as_str())
                    .map_err(|e| format!("cannot look {name} up: {e:?}"))?;
                Phase::Resolving(lookup, *port)
            }
        };
        let (stdin_tx, from_stdin) = sync_channel(CHUNKS);
        let (to_stdout, stdout_rx) = sync_channel::<Vec<u8>>(CHUNKS);
        let waker = Arc::clone(&wake);
        spawn("ferrotun-stdin", move || read_stdin(stdin_tx, &*waker))?;
        let writer = spawn("ferrotun-stdout", move || write_stdout(&stdout_rx, &*wake))?;
        Ok(StdioTunnel {
            phase,
            from_stdin,
            to_stdout,
            pending: None,
            stdin_done: false,
            opened: false,
            writer: Some(writer),
        })
    }

    /// Moves what can be moved.
    pub(crate) fn pump(&mut self, stack: &mut Netstack, resolver: &Resolver) -> StdioState {
        let socket = match &mut self.phase {
            Phase::Done => return StdioState::Ended,
            Phase::Resolving(lookup, port) => match resolver.poll(stack, lookup) {
                Resolved::Pending => return StdioState::Running(false),
                Resolved::NotFound => return self.fail("the target's name did not resolve"),
                Resolved::Found(ips) => {
                    let Some(ip) = ips.first() else {
                        return self.fail("the target's name did not resolve");
                    };
                    match connect(stack, SocketAddr::new(*ip, *port)) {
                        Ok(socket) => {
                            self.phase = Phase::Open(socket);
                            return StdioState::Running(true);
                        }
                        Err(e) => return self.fail(&e),
                    }
                }
            },
            Phase::Open(socket) => *socket,
        };
        match stack.tcp(socket).state() {
            State::SynSent | State::SynReceived => return StdioState::Running(false),
            State::Closed if !self.opened => {
                stack.remove(socket);
                return self.fail("the target refused the connection or did not answer");
            }
            _ => self.opened = true,
        }
        let moved = self.up(stack, socket) | self.down(stack, socket);
        let tcp = stack.tcp(socket);
        if matches!(tcp.state(), State::Closed | State::TimeWait) && !tcp.can_recv() {
            stack.remove(socket);
            self.end("the connection ended");
            return StdioState::Ended;
        }
        StdioState::Running(moved)
    }

    fn fail(&mut self, why: &str) -> StdioState {
        tracing::error!("standard-input tunnel: {why}");
        self.end(why);
        StdioState::Failed
    }

    /// Ends the tunnel once standard output has everything.
    fn end(&mut self, why: &str) {
        tracing::info!("standard-input tunnel: {why}");
        self.phase = Phase::Done;
        // Closing the channel lets the writer finish what it holds and stop.
        let (closed, _) = sync_channel(0);
        drop(std::mem::replace(&mut self.to_stdout, closed));
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
    }

    /// Standard input to the tunnel.
    fn up(&mut self, stack: &mut Netstack, socket: SocketHandle) -> bool {
        let mut moved = false;
        loop {
            if self.pending.is_none() && !self.stdin_done {
                match self.from_stdin.try_recv() {
                    Ok(chunk) => self.pending = Some((chunk, 0)),
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Disconnected) => {
                        // End of standard input: a FIN after what is queued.
                        self.stdin_done = true;
                        stack.tcp(socket).close();
                        break;
                    }
                }
            }
            let Some((chunk, at)) = &mut self.pending else {
                break;
            };
            let tcp = stack.tcp(socket);
            match tcp.send_slice(&chunk[*at..]) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    moved = true;
                    *at += n;
                    if *at == chunk.len() {
                        self.pending = None;
                    }
                }
            }
        }
        moved
    }

    /// The tunnel to standard output.
    fn down(&mut self, stack: &mut Netstack, socket: SocketHandle) -> bool {
        let mut moved = false;
        let tcp = stack.tcp(socket);
        while tcp.can_recv() {
            let mut chunk = vec![0; CHUNK];
            let Ok(n) = tcp.peek_slice(&mut chunk) else {
                break;
            };
            chunk.truncate(n);
            match self.to_stdout.try_send(chunk) {
                Ok(()) => {
                    let _ = tcp.recv(|_| (n, ()));
                    moved = true;
                }
                // Standard output is behind: the stack's window closes meanwhile.
                Err(TrySendError::Full(_)) => break,
                Err(TrySendError::Disconnected(_)) => {
                    tcp.abort();
                    break;
                }
            }
        }
        moved
    }
}

fn connect(stack: &mut Netstack, addr: SocketAddr) -> Result<SocketHandle, String> {
    stack
        .connect_tcp(addr)
        .map_err(|e| format!("cannot connect to {addr}: {e:?}"))
}

fn spawn(
    name: &str,
    f: impl FnOnce() + Send + 'static,
) -> Result<std::thread::JoinHandle<()>, String> {
    std::thread::Builder::new()
        .name(name.into())
        .spawn(f)
        .map_err(|e| format!("cannot start a thread: {e}"))
}

fn read_stdin(tx: SyncSender<Vec<u8>>, wake: &(dyn Fn() + Send + Sync)) {
    let mut stdin = std::io::stdin().lock();
    loop {
        let mut chunk = vec![0; CHUNK];
        match stdin.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                chunk.truncate(n);
                if tx.send(chunk).is_err() {
                    break;
                }
                wake();
            }
        }
    }
    // Dropping the sender tells the proxy thread standard input ended.
    drop(tx);
    wake();
}

fn write_stdout(rx: &Receiver<Vec<u8>>, wake: &(dyn Fn() + Send + Sync)) {
    let mut stdout = std::io::stdout().lock();
    while let Ok(chunk) = rx.recv() {
        if stdout
            .write_all(&chunk)
            .and_then(|()| stdout.flush())
            .is_err()
        {
            break;
        }
        // Room in the channel again: the proxy thread may move more.
        wake();
    }
}
