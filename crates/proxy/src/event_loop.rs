//! The proxy thread's whole life: one loop that waits for the host's sockets, the engine's
//! packets and the stack's timers at once (mio: epoll here, kqueue or IOCP elsewhere), then
//! accepts connections, moves bytes between host sockets and tunnel sockets, and lets the
//! stack process what came in and send what is due. The stack is single-threaded, so
//! everything that touches it happens here; the engine's threads seal and open meanwhile.

use crate::client::Client;
use crate::conn::{self, Conn, World};
use crate::dns::Resolver;
use crate::http_session::HttpSession;
use crate::listener::{Listener, Service};
use crate::netstack::Netstack;
use crate::opening::Announce;
use crate::server_tunnel::{ServerTunnel, ServerTunnelSpec};
use crate::socks5::Target;
use crate::socks_session::SocksSession;
use crate::stdio_tunnel::{StdioState, StdioTunnel, Wake};
use crate::udp_tunnel::UdpTunnel;
use ferrotund::engine::Router;
use ferrotund::engine::Stopper;
use ferrotund::lifecycle::Exit;
use mio::{Events, Interest, Poll, Token};
use slab::Slab;
use std::io::ErrorKind;
use std::time::Duration;

/// The engine's wake-up.
pub(crate) const WAKE: Token = Token(0);
/// Listeners are tokens `1..=n`; UDP tunnels start here, connections at the next.
const FIRST_UDP: usize = 1 << 15;
const FIRST_CONNECTION: usize = 1 << 16;
/// How long to wait before trying again when the engine's queue was full.
const STALL_RETRY: Duration = Duration::from_micros(200);
/// How often to look at negotiations and UDP flows that may time out, while there are any.
const NEGOTIATION_CHECK: Duration = Duration::from_secs(1);
/// How long to wait before accepting again after accept failed (out of descriptors).
const ACCEPT_RETRY: Duration = Duration::from_millis(100);
/// Turns of stack and connections in a row before looking at the host's sockets again.
const TURNS: usize = 4;

/// What the proxy serves: host listeners (TCP), UDP tunnels (bound already) and server
/// tunnels (opened on the stack).
pub(crate) struct Services<'a> {
    pub(crate) listeners: Vec<Listener>,
    pub(crate) udp_tunnels: Vec<UdpTunnel>,
    pub(crate) server_tunnels: &'a [ServerTunnelSpec],
    /// The standard-input tunnel's target, if there is one.
    pub(crate) stdio: Option<&'a Target>,
    /// Wakes the proxy thread (from the standard streams' threads).
    pub(crate) wake: Wake,
}

/// Everything the proxy thread owns.
pub(crate) struct EventLoop {
    pub(crate) poll: Poll,
    pub(crate) stack: Netstack,
    pub(crate) listeners: Vec<Listener>,
    udp_tunnels: Vec<UdpTunnel>,
    udp_buf: Vec<u8>,
    resolver: Resolver,
    router: Router,
    server_tunnels: Vec<ServerTunnel>,
    stdio: Option<StdioTunnel>,
    stopper: Stopper,
    conns: Slab<Option<Conn>>,
    /// Accepting failed (most likely out of descriptors): the listeners are tried again
    /// after [`ACCEPT_RETRY`], as their readiness will not be reported again.
    accept_failed: bool,
}

impl EventLoop {
    pub(crate) fn new(
        poll: Poll,
        mut stack: Netstack,
        services: Services<'_>,
        dns: &[std::net::IpAddr],
        router: Router,
        stopper: Stopper,
    ) -> Result<EventLoop, String> {
        let resolver = Resolver::new(&mut stack, dns);
        let stdio = services
            .stdio
            .map(|target| StdioTunnel::start(&mut stack, &resolver, target, services.wake))
            .transpose()?;
        let server_tunnels = services
            .server_tunnels
            .iter()
            .map(|spec| ServerTunnel::new(&mut stack, spec.clone()))
            .collect::<Result<_, _>>()?;
        Ok(EventLoop {
            poll,
            stack,
            listeners: services.listeners,
            udp_tunnels: services.udp_tunnels,
            udp_buf: vec![0; 65_536],
            resolver,
            router,
            server_tunnels,
            stdio,
            stopper,
            conns: Slab::new(),
            accept_failed: false,
        })
    }

    fn world(&mut self) -> (World<'_>, &mut Slab<Option<Conn>>) {
        let world = World {
            stack: &mut self.stack,
            resolver: &self.resolver,
            router: &self.router,
        };
        (world, &mut self.conns)
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
        if std::mem::take(&mut el.accept_failed) {
            for index in 0..el.listeners.len() {
                accept(&mut el, index);
            }
        }
        for event in &events {
            let token = event.token().0;
            if token == WAKE.0 {
                continue;
            }
            if token < FIRST_UDP {
                accept(&mut el, token - 1);
            } else if token < FIRST_CONNECTION {
                if let Some(tunnel) = el.udp_tunnels.get_mut(token - FIRST_UDP) {
                    tunnel.readable = true;
                }
            } else {
                connection_event(&mut el, token - FIRST_CONNECTION, event);
            }
        }
    }
}

/// Connection `k` has token `2k` for its TCP socket and `2k + 1` for its association's UDP
/// socket, if it has one.
fn connection_token(key: usize, udp: bool) -> Token {
    Token(FIRST_CONNECTION + 2 * key + usize::from(udp))
}

fn connection_event(el: &mut EventLoop, index: usize, event: &mio::event::Event) {
    let Some(Some(conn)) = el.conns.get_mut(index / 2) else {
        return;
    };
    if index % 2 == 1 {
        if let Conn::Associate(association) = conn {
            association.udp_readable = true;
        }
        return;
    }
    let ready = &mut conn.client_mut().ready;
    ready.readable |= event.is_readable() || event.is_read_closed();
    ready.writable |= event.is_writable() || event.is_write_closed();
}

fn register_listeners(el: &mut EventLoop) -> std::io::Result<()> {
    for (i, listener) in el.listeners.iter_mut().enumerate() {
        el.poll
            .registry()
            .register(&mut listener.socket, Token(i + 1), Interest::READABLE)?;
    }
    for (i, tunnel) in el.udp_tunnels.iter_mut().enumerate() {
        el.poll.registry().register(
            &mut tunnel.socket,
            Token(FIRST_UDP + i),
            Interest::READABLE,
        )?;
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
    let mut timeout = el
        .stack
        .delay()
        .map(|d| Duration::from_micros(d.total_micros()));
    let mut cap = |limit: Duration| timeout = Some(timeout.map_or(limit, |t| t.min(limit)));
    if el.accept_failed {
        cap(ACCEPT_RETRY);
    }
    let negotiating = |(_, c): (usize, &Option<Conn>)| c.as_ref().is_some_and(Conn::negotiating);
    if el.udp_tunnels.iter().any(UdpTunnel::has_expiring_flows) || el.conns.iter().any(negotiating)
    {
        cap(NEGOTIATION_CHECK);
    }
    timeout
}

/// Lets the stack take and send packets and the connections move on, until nothing changes.
fn turn(el: &mut EventLoop) {
    for _ in 0..TURNS {
        let changed = el.stack.poll();
        accept_in_tunnel(el);
        let mut moved = advance_all(el);
        for tunnel in &mut el.udp_tunnels {
            moved |= tunnel.pump(&mut el.stack, &mut el.udp_buf);
        }
        if let Some(stdio) = &mut el.stdio {
            match stdio.pump(&mut el.stack, &el.resolver) {
                StdioState::Running(changed) => moved |= changed,
                StdioState::Ended => {
                    el.stdio = None;
                    el.stopper.stop(Exit::Stopped);
                }
                StdioState::Failed => {
                    el.stdio = None;
                    el.stopper.stop(Exit::Failed);
                }
            }
        }
        if !changed && !moved {
            break;
        }
    }
}

/// Moves every connection on; drops the finished ones. Says whether any moved.
fn advance_all(el: &mut EventLoop) -> bool {
    let mut moved = false;
    let mut done = Vec::new();
    // The fields one by one, not `world()`: the poller's registry is borrowed beside them.
    let el_registry = el.poll.registry();
    let mut world = World {
        stack: &mut el.stack,
        resolver: &el.resolver,
        router: &el.router,
    };
    for (key, slot) in el.conns.iter_mut() {
        let Some(conn) = slot.take() else { continue };
        let was_associated = matches!(conn, Conn::Associate(_));
        let (mut next, changed) = conn.advance(&mut world);
        moved |= changed;
        if let (Conn::Associate(association), false) = (&mut next, was_associated) {
            // A new association: its UDP socket joins the poll set.
            let token = connection_token(key, true);
            let registered = el_registry.register(&mut association.udp, token, Interest::READABLE);
            if let Err(e) = registered {
                tracing::warn!(error = %e, "cannot watch an association's socket");
            }
        }
        if matches!(next, Conn::Done(_)) {
            done.push(key);
        }
        *slot = Some(next);
    }
    for key in done {
        if let Some(Conn::Done(mut client)) = el.conns.remove(key) {
            let _ = el.poll.registry().deregister(&mut client.stream);
            tracing::debug!(connection = key, from = %client.from, "connection closed");
        }
    }
    moved
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
                if !el.accept_failed {
                    tracing::warn!(error = %e, "cannot accept a connection");
                }
                el.accept_failed = true;
                return;
            }
        };
        let service = listener.service.clone();
        let _ = stream.set_nodelay(true);
        let mut client = Client::new(stream, from);
        // A new connection is ready both ways until a read or write says otherwise.
        client.ready.readable = true;
        client.ready.writable = true;
        let conn = match service {
            Service::TcpForward { target } => {
                tracing::debug!(%from, %target, "forwarding");
                let (mut world, _) = el.world();
                conn::open(&mut world, client, target, Announce::Nothing, Vec::new())
            }
            Service::Socks5 { credentials } => Conn::Socks(SocksSession::new(client, credentials)),
            Service::Http { credentials } => Conn::Http(HttpSession::new(client, credentials)),
        };
        insert(el, conn);
    }
}

/// Takes the connections peers made to the server tunnels.
fn accept_in_tunnel(el: &mut EventLoop) {
    let mut relays = Vec::new();
    for tunnel in &mut el.server_tunnels {
        relays.extend(tunnel.accept(&mut el.stack));
    }
    for relay in relays {
        insert(el, Conn::Relay(relay));
    }
}

/// Registers a new connection with the poller and keeps it.
fn insert(el: &mut EventLoop, mut conn: Conn) {
    if matches!(conn, Conn::Done(_)) {
        return;
    }
    let entry = el.conns.vacant_entry();
    let token = connection_token(entry.key(), false);
    let registered = el.poll.registry().register(
        &mut conn.client_mut().stream,
        token,
        Interest::READABLE | Interest::WRITABLE,
    );
    match registered {
        Ok(()) => {
            entry.insert(Some(conn));
        }
        Err(e) => {
            tracing::warn!(error = %e, "cannot watch a connection");
            conn.abandon(&mut el.stack);
        }
    }
}
