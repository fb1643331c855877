//! Host names resolved through the tunnel: the config's `DNS` servers are asked over the
//! userspace stack, never the host's resolver (whose answers may be wrong or leak the name
//! outside the tunnel). AAAA and A are asked at once for the families the proxy has an
//! address in, and the answers are ordered IPv6 first, then IPv4 (RFC 8305 §4), so the
//! caller tries them in that order and falls back from one to the next.

use crate::netstack::Netstack;
use smoltcp::iface::SocketHandle;
use smoltcp::socket::dns::{GetQueryResultError, QueryHandle};
use smoltcp::wire::DnsQueryType;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The DNS client, if the config names servers.
pub(crate) struct Resolver {
    socket: Option<SocketHandle>,
}

/// One family's query.
enum Query {
    Asked(QueryHandle),
    Answered(Vec<IpAddr>),
}

/// A lookup in progress.
pub(crate) struct Lookup {
    aaaa: Option<Query>,
    a: Option<Query>,
}

/// Where a lookup stands.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Resolved {
    Pending,
    /// The addresses, IPv6 first.
    Found(Vec<IpAddr>),
    /// No address (the name does not exist, has no record of a family we can use, or no
    /// server answered).
    NotFound,
}

/// Why a lookup could not start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LookupError {
    /// The config has no `DNS` line.
    NoServers,
    /// The name cannot be asked.
    BadName,
}

impl Resolver {
    pub(crate) fn new(stack: &mut Netstack, servers: &[IpAddr]) -> Resolver {
        let socket = (!servers.is_empty()).then(|| stack.add_dns(servers));
        Resolver { socket }
    }

    /// Asks for `name`'s addresses in the families the stack has an address in.
    pub(crate) fn start(&self, stack: &mut Netstack, name: &str) -> Result<Lookup, LookupError> {
        let socket = self.socket.ok_or(LookupError::NoServers)?;
        let mut ask = |kind, probe: IpAddr| {
            if !stack.has_family_of(probe) {
                return Ok(None);
            }
            match stack.dns_start(socket, name, kind) {
                Ok(q) => Ok(Some(Query::Asked(q))),
                Err(_) => Err(LookupError::BadName),
            }
        };
        let aaaa = ask(DnsQueryType::Aaaa, IpAddr::V6(Ipv6Addr::UNSPECIFIED))?;
        let a = match ask(DnsQueryType::A, IpAddr::V4(Ipv4Addr::UNSPECIFIED)) {
            Ok(a) => a,
            Err(e) => {
                self.cancel(stack, Lookup { aaaa, a: None });
                return Err(e);
            }
        };
        Ok(Lookup { aaaa, a })
    }

    /// Collects answers; `Found` once both families have answered.
    pub(crate) fn poll(&self, stack: &mut Netstack, lookup: &mut Lookup) -> Resolved {
        let Some(socket) = self.socket else {
            return Resolved::NotFound;
        };
        let mut pending = false;
        for query in [&mut lookup.aaaa, &mut lookup.a].into_iter().flatten() {
            if let Query::Asked(handle) = query {
                match stack.dns_result(socket, *handle) {
                    Ok(found) => *query = Query::Answered(found),
                    Err(GetQueryResultError::Failed) => *query = Query::Answered(Vec::new()),
                    Err(GetQueryResultError::Pending) => pending = true,
                }
            }
        }
        if pending {
            return Resolved::Pending;
        }
        let mut found = Vec::new();
        for query in [&lookup.aaaa, &lookup.a].into_iter().flatten() {
            if let Query::Answered(addrs) = query {
                found.extend_from_slice(addrs);
            }
        }
        if found.is_empty() {
            Resolved::NotFound
        } else {
            Resolved::Found(found)
        }
    }

    /// Drops the lookup's unanswered queries.
    pub(crate) fn cancel(&self, stack: &mut Netstack, lookup: Lookup) {
        let Some(socket) = self.socket else { return };
        for query in [lookup.aaaa, lookup.a].into_iter().flatten() {
            if let Query::Asked(handle) = query {
                stack.dns_cancel(socket, handle);
            }
        }
    }
}
