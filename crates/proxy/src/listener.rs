//! The proxy's listeners on the host, and what each serves.

use crate::socks5::{Credentials, Target};
use mio::net::TcpListener;
use std::net::SocketAddr;
use std::sync::Arc;

/// What a listener does with the connections it accepts.
#[derive(Debug, Clone)]
pub enum Service {
    /// Relays each connection to `target`, an address inside the tunnel (wireproxy's
    /// `[TCPClientTunnel]`, onetun's forwards).
    TcpForward {
        /// Where in the tunnel: an address, or a name for the tunnel's DNS.
        target: Target,
    },
    /// An HTTP proxy (wireproxy's `[http]`): CONNECT and plain requests, with Basic
    /// authentication if set.
    Http {
        /// What clients must authenticate with; anyone may connect without.
        credentials: Option<Arc<Credentials>>,
    },
    /// A SOCKS5 server (wireproxy's `[Socks5]`), with username and password if set.
    Socks5 {
        /// What clients must authenticate with; anyone may connect without.
        credentials: Option<Arc<Credentials>>,
    },
}

/// A listening socket and its service.
pub(crate) struct Listener {
    pub(crate) socket: TcpListener,
    pub(crate) service: Service,
}

/// A listener to open: where, and what it serves.
#[derive(Debug, Clone)]
pub struct ListenerSpec {
    /// The host address to listen on.
    pub bind: SocketAddr,
    /// What to do with each connection.
    pub service: Service,
}

impl std::fmt::Display for ListenerSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.service {
            Service::TcpForward { target } => {
                write!(f, "TCP forward {} -> {target} (in the tunnel)", self.bind)
            }
            Service::Http { credentials } => {
                let auth = if credentials.is_some() {
                    "with"
                } else {
                    "without"
                };
                write!(f, "HTTP proxy on {} ({auth} authentication)", self.bind)
            }
            Service::Socks5 { credentials } => {
                let auth = if credentials.is_some() {
                    "with"
                } else {
                    "without"
                };
                write!(f, "SOCKS5 proxy on {} ({auth} authentication)", self.bind)
            }
        }
    }
}

impl Listener {
    /// Binds `spec`'s address; the error names it.
    pub(crate) fn bind(spec: &ListenerSpec) -> Result<Listener, String> {
        let socket = TcpListener::bind(spec.bind)
            .map_err(|e| format!("cannot listen on {}: {e}", spec.bind))?;
        Ok(Listener {
            socket,
            service: spec.service.clone(),
        })
    }
}
