//! The proxy thread's whole life: one loop that waits for the host's sockets, the engine's
//! packets and the stack's timers at once (mio: epoll here, kqueue or IOCP elsewhere), then
//! accepts connections, moves bytes between host sockets and tunnel sockets, and lets the
//! stack process what came in and send what is due. The stack is single-threaded, so
//! everything that touches it happens here; the engine's threads seal and open meanwhile.

use crate::listener::{Listener, Service};
use crate::netstack::Netstack;
use crate::relay::{Progress, Relay};
use mio::net::TcpStream;
use mio::{Events, Interest, Poll, Token};
use slab::Slab;
use std::io::ErrorKind;
use std::time::Duration;

/// The engine's wake-up.
pub(crate) const WAKE: Token = Token(0);
/// Listeners are tokens `1..=n`; connections start here.
const FIRST_CONNECTION: usize = 1 << 16;
/// How long to wait before trying again when the engine's queue was full.
const STALL_RETRY: Duration = Duration::from_micros(200);
/// Turns of stack and relays in a row before looking at the host's sockets again.
const TURNS: usize = 4;

/// Everything the proxy thread owns.
pub(crate) struct EventLoop {
    pub(crate) poll: Poll,
    pub(crate) stack: Netstack,
    pub(crate) listeners: Vec<Listener>,
    relays: Slab<Relay>,
}

impl EventLoop {
    pub(crate) fn new(poll: Poll, stack: Netstack, listeners: Vec<Listener>) -> EventLoop {
        EventLoop {
            poll,
            stack,
            listeners,
            relays: Slab::new(),
        }
    }
}

/// Runs until the engine goes.
pub(crate) fn run(mut el: EventLoop) {
    if let Err(e) = register_listeners(&mut el) {
        tracing::error!(error = %e, "cannot watch the listeners");
        return;
    }
    let mut events = Events::with_capacity(1024);
    loop {
        turn(&mut el);
        let timeout = sleep_for(&mut el);
        if let Err(e) = el.poll.poll(&mut events, timeout) {
            if e.kind() != ErrorKind::Interrupted {
                tracing::error!(error = %e, "cannot wait for events");
                return;
            }
        }
        if el.stack.port().closed() {
            return;
        }
        for event in &events {
            let token = event.token().0;
            if token == WAKE.0 {
                continue;
            }
            if token < FIRST_CONNECTION {
                accept(&mut el, token - 1);
            } else if let Some(relay) = el.relays.get_mut(token - FIRST_CONNECTION) {
                relay.ready.readable |= event.is_readable() || event.is_read_closed();
                relay.ready.writable |= event.is_writable() || event.is_write_closed();
            }
        }
    }
}

fn register_listeners(el: &mut EventLoop) -> std::io::Result<()> {
    for (i, listener) in el.listeners.iter_mut().enumerate() {
        el.poll
            .registry()
            .register(&mut listener.socket, Token(i + 1), Interest::READABLE)?;
    }
    Ok(())
}

/// How long the loop may sleep: until the stack's next timer, or not at all when a packet
/// is already queued.
fn sleep_for(el: &mut EventLoop) -> Option<Duration> {
    if !el.stack.port().can_send() {
        return Some(STALL_RETRY);
    }
    if !el.stack.port().prepare_sleep() {
        return Some(Duration::ZERO);
    }
    el.stack
        .delay()
        .map(|d| Duration::from_micros(d.total_micros()))
}

/// Lets the stack take and send packets and the relays move bytes, until nothing changes.
fn turn(el: &mut EventLoop) {
    for _ in 0..TURNS {
        let changed = el.stack.poll();
        let moved = pump_all(el);
        if !changed && !moved {
            break;
        }
    }
}

/// Pumps every relay; drops the finished ones. Says whether any is still running.
fn pump_all(el: &mut EventLoop) -> bool {
    let mut done = Vec::new();
    for (key, relay) in el.relays.iter_mut() {
        if relay.pump(&mut el.stack) == Progress::Done {
            done.push(key);
        }
    }
    for key in &done {
        let mut relay = el.relays.remove(*key);
        let _ = el.poll.registry().deregister(&mut relay.host);
        el.stack.remove(relay.tunnel);
        tracing::debug!(connection = key, "relay closed");
    }
    !done.is_empty()
}

/// Takes every connection queued on listener `index`.
fn accept(el: &mut EventLoop, index: usize) {
    loop {
        let Some(listener) = el.listeners.get(index) else {
            return;
        };
        let (stream, from) = match listener.socket.accept() {
            Ok(accepted) => accepted,
            Err(e) if e.kind() == ErrorKind::WouldBlock => return,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => {
                // Out of descriptors, most likely: the connection waits in the backlog.
                tracing::warn!(error = %e, "cannot accept a connection");
                return;
            }
        };
        let service = listener.service.clone();
        match service {
            Service::TcpForward { target } => open_forward(el, stream, from, target),
        }
    }
}

/// Opens the tunnel side of a forwarded connection and starts relaying.
fn open_forward(
    el: &mut EventLoop,
    stream: TcpStream,
    from: std::net::SocketAddr,
    target: std::net::SocketAddr,
) {
    let tunnel = match el.stack.connect_tcp(target) {
        Ok(handle) => handle,
        Err(e) => {
            tracing::warn!(%from, %target, error = ?e, "cannot open a connection into the tunnel");
            return;
        }
    };
    let _ = stream.set_nodelay(true);
    let entry = el.relays.vacant_entry();
    let token = Token(FIRST_CONNECTION + entry.key());
    let mut relay = Relay::new(stream, tunnel);
    let registered = el.poll.registry().register(
        &mut relay.host,
        token,
        Interest::READABLE | Interest::WRITABLE,
    );
    if let Err(e) = registered {
        tracing::warn!(error = %e, "cannot watch a connection");
        el.stack.remove(tunnel);
        return;
    }
    tracing::debug!(%from, %target, connection = entry.key(), "forwarding");
    entry.insert(relay);
}
