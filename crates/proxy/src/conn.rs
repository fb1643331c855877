//! A host client's connection through its phases: a SOCKS5 negotiation (none for a port
//! forward), a name lookup through the tunnel (none for an address), the tunnel
//! connection's opening (trying the next address when one fails), then the relay. Each
//! turn of the event loop moves every connection on as far as it can go.

use crate::association::{Association, Live};
use crate::client::Client;
use crate::dns::{Lookup, LookupError, Resolved, Resolver};
use crate::http_session::{HttpSession, HttpStep};
use crate::netstack::{Netstack, OpenError};
use crate::opening::{fail_client, Announce, Opened, Opening};
use crate::relay::{Progress, Relay};
use crate::socks5::{ReplyCode, Target};
use crate::socks_session::{SocksSession, Step};
use ferrotund::engine::Router;
use std::net::SocketAddr;
use std::time::Duration;

/// How long a client may take to send its SOCKS5 negotiation or HTTP request head: a
/// half-open connection costs a descriptor, and a thousand of them must not keep others out.
pub(crate) const NEGOTIATION_TIMEOUT: Duration = Duration::from_secs(30);

/// A name being looked up before the connection opens.
pub(crate) struct Resolving {
    client: Client,
    lookup: Lookup,
    port: u16,
    announce: Announce,
    early: Vec<u8>,
}

/// One client connection.
pub(crate) enum Conn {
    Socks(SocksSession),
    Http(HttpSession),
    Resolving(Resolving),
    Opening(Opening, Vec<SocketAddr>),
    Relay(Relay),
    /// A SOCKS5 UDP association.
    Associate(Association),
    /// Finished: remove it.
    Done(Client),
}

/// What a connection's phases need besides the connection.
pub(crate) struct World<'a> {
    pub(crate) stack: &'a mut Netstack,
    pub(crate) resolver: &'a Resolver,
    pub(crate) router: &'a Router,
}

impl Conn {
    pub(crate) fn client_mut(&mut self) -> &mut Client {
        match self {
            Conn::Socks(s) => &mut s.client,
            Conn::Http(h) => &mut h.client,
            Conn::Resolving(r) => &mut r.client,
            Conn::Opening(o, _) => &mut o.client,
            Conn::Relay(r) => &mut r.client,
            Conn::Associate(a) => &mut a.client,
            Conn::Done(c) => c,
        }
    }

    /// Whether the client is still sending its negotiation or request head.
    pub(crate) fn negotiating(&self) -> bool {
        matches!(self, Conn::Socks(_) | Conn::Http(_))
    }

    /// Drops the connection at once, with its tunnel socket if it has one.
    pub(crate) fn abandon(self, stack: &mut Netstack) {
        match self {
            Conn::Opening(o, _) => stack.remove(o.tunnel),
            Conn::Relay(r) => stack.remove(r.tunnel),
            Conn::Associate(a) => stack.remove(a.tunnel()),
            Conn::Socks(_) | Conn::Http(_) | Conn::Resolving(_) | Conn::Done(_) => {}
        }
    }

    /// Moves the connection on; returns it in its new phase, and whether it moved at all.
    pub(crate) fn advance(self, w: &mut World<'_>) -> (Conn, bool) {
        match self {
            Conn::Socks(session) if session.client.since.elapsed() > NEGOTIATION_TIMEOUT => {
                (Conn::Done(session.client), true)
            }
            Conn::Http(session) if session.client.since.elapsed() > NEGOTIATION_TIMEOUT => {
                (Conn::Done(session.client), true)
            }
            Conn::Socks(session) => advance_socks(session, w),
            Conn::Associate(mut association) => match association.pump(w.stack) {
                Live::Open(moved) => (Conn::Associate(association), moved),
                Live::Ended => {
                    w.stack.remove(association.tunnel());
                    (Conn::Done(association.client), true)
                }
            },
            Conn::Http(session) => advance_http(session, w),
            Conn::Resolving(mut r) => match w.resolver.poll(w.stack, &mut r.lookup) {
                Resolved::Pending => (Conn::Resolving(r), false),
                Resolved::NotFound => {
                    fail_client(&mut r.client, r.announce, ReplyCode::HostUnreachable);
                    (Conn::Done(r.client), true)
                }
                Resolved::Found(ips) => {
                    let addrs = ips.into_iter().map(|ip| SocketAddr::new(ip, r.port));
                    (
                        connect_first(w, r.client, addrs.collect(), r.announce, r.early),
                        true,
                    )
                }
            },
            Conn::Opening(opening, rest) => check_opening(w, opening, rest),
            Conn::Relay(mut relay) => match relay.pump(w.stack) {
                Progress::Running => (Conn::Relay(relay), false),
                Progress::Done => {
                    // A relay that failed aborted its tunnel side: the reset must go out.
                    w.stack.retire(relay.tunnel);
                    (Conn::Done(relay.client), true)
                }
            },
            done @ Conn::Done(_) => (done, false),
        }
    }
}

/// Opens a tunnel connection to `target` for `client` (looking its name up first).
pub(crate) fn open(
    w: &mut World<'_>,
    mut client: Client,
    target: Target,
    announce: Announce,
    early: Vec<u8>,
) -> Conn {
    match target {
        Target::Addr(addr) => connect_first(w, client, vec![addr], announce, early),
        Target::Domain(name, port) => match w.resolver.start(w.stack, name.as_str()) {
            Ok(lookup) => Conn::Resolving(Resolving {
                client,
                lookup,
                port,
                announce,
                early,
            }),
            Err(e) => {
                if e == LookupError::NoServers {
                    tracing::info!(%name, "no DNS server in the config to look a name up");
                }
                fail_client(&mut client, announce, ReplyCode::HostUnreachable);
                Conn::Done(client)
            }
        },
    }
}

/// Starts a connection to the first of `addrs` that can be tried; the rest are kept to
/// fall back to.
fn connect_first(
    w: &mut World<'_>,
    mut client: Client,
    mut addrs: Vec<SocketAddr>,
    announce: Announce,
    early: Vec<u8>,
) -> Conn {
    addrs.reverse();
    let mut code = ReplyCode::NetworkUnreachable;
    while let Some(addr) = addrs.pop() {
        if !w.router.has_route(addr.ip()) {
            // No peer's allowed IPs cover it: what a kernel without a route says.
            continue;
        }
        match w.stack.connect_tcp(addr) {
            Ok(tunnel) => {
                addrs.reverse();
                let opening = Opening::new(client, tunnel, announce, early);
                return Conn::Opening(opening, addrs);
            }
            Err(OpenError::NoAddress) => {}
            Err(OpenError::Unaddressable) => code = ReplyCode::HostUnreachable,
        }
    }
    fail_client(&mut client, announce, code);
    Conn::Done(client)
}

fn check_opening(w: &mut World<'_>, mut opening: Opening, rest: Vec<SocketAddr>) -> (Conn, bool) {
    if !rest.is_empty() && opening.refused(w.stack) {
        // Fall back to the next address without telling the client yet.
        w.stack.remove(opening.tunnel);
        let (client, announce, early) = opening.into_parts();
        return (connect_first(w, client, rest, announce, early), true);
    }
    match opening.check(w.stack) {
        Opened::Pending => (Conn::Opening(opening, rest), false),
        Opened::Open => (Conn::Relay(opening.into_relay()), true),
        Opened::Failed => {
            w.stack.remove(opening.tunnel);
            (Conn::Done(opening.client), true)
        }
    }
}

/// A SOCKS5 negotiation's next step.
fn advance_socks(mut session: SocksSession, w: &mut World<'_>) -> (Conn, bool) {
    match session.advance() {
        Step::Waiting => (Conn::Socks(session), false),
        Step::Failed => (Conn::Done(session.client), true),
        Step::Connect(target) => {
            let early = session.take_pending();
            let conn = open(w, session.client, target, Announce::Socks5, early);
            (conn, true)
        }
        Step::Associate => match Association::open(session.client, w.stack) {
            Ok(association) => (Conn::Associate(association), true),
            Err(client) => (Conn::Done(client), true),
        },
    }
}

/// An HTTP request head's next step.
fn advance_http(mut session: HttpSession, w: &mut World<'_>) -> (Conn, bool) {
    match session.advance() {
        HttpStep::Waiting => (Conn::Http(session), false),
        HttpStep::Failed => (Conn::Done(session.client), true),
        HttpStep::Connect(target) => {
            let early = session.take_pending();
            let conn = open(w, session.client, target, Announce::HttpConnect, early);
            (conn, true)
        }
        HttpStep::Forward(target, head) => {
            let conn = open(w, session.client, target, Announce::HttpForward, head);
            (conn, true)
        }
    }
}
