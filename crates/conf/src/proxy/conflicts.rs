//! Sections that cannot all run: two listeners on one address and port, two server tunnels
//! on one tunnel port, two users of the one standard input. The proxy would fail at start;
//! `ferrotun check` says so first.

use super::model::{BindAddress, Forward, ProxyConfig};
use crate::error::{Error, ErrorKind};

/// The transport a host or tunnel port belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Transport {
    Tcp,
    Udp,
}

/// Every conflict, at the later section's line.
pub(crate) fn find(config: &ProxyConfig) -> Vec<Error> {
    let mut errors = Vec::new();
    let mut binds: Vec<(Transport, &BindAddress, usize)> = config
        .listeners
        .iter()
        .map(|l| (Transport::Tcp, &l.bind, l.line))
        .collect();
    let mut ports: Vec<(Transport, u16, usize)> = Vec::new();
    let mut stdio: Option<usize> = None;
    for forward in &config.forwards {
        match forward {
            Forward::TcpClient { line, bind, .. } => binds.push((Transport::Tcp, bind, *line)),
            Forward::UdpClient { line, bind, .. } => binds.push((Transport::Udp, bind, *line)),
            Forward::TcpServer {
                line, listen_port, ..
            } => ports.push((Transport::Tcp, *listen_port, *line)),
            Forward::UdpServer {
                line, listen_port, ..
            } => ports.push((Transport::Udp, *listen_port, *line)),
            Forward::Stdio { line, .. } => match stdio {
                Some(first) => errors.push(conflict(
                    *line,
                    format!("a second [STDIOTunnel] (the first is at line {first}); there is only one standard input"),
                )),
                None => stdio = Some(*line),
            },
        }
    }
    binds.sort_by_key(|(_, _, line)| *line);
    for (i, (transport, bind, line)) in binds.iter().enumerate() {
        let clash = binds[..i]
            .iter()
            .find(|(t, b, _)| t == transport && overlap(b, bind));
        if let Some((_, _, first)) = clash {
            errors.push(conflict(
                *line,
                format!("BindAddress {bind} is already used by the section at line {first}"),
            ));
        }
    }
    for (i, (transport, port, line)) in ports.iter().enumerate() {
        if let Some((_, _, first)) = ports[..i]
            .iter()
            .find(|(t, p, _)| t == transport && p == port)
        {
            errors.push(conflict(
                *line,
                format!("ListenPort {port} is already used by the section at line {first}"),
            ));
        }
    }
    errors
}

fn conflict(line: usize, message: String) -> Error {
    Error::at(line, ErrorKind::Invalid, message)
}

/// Whether two binds need the same port on a common address (port 0 never clashes: the
/// system picks a free one each time).
fn overlap(a: &BindAddress, b: &BindAddress) -> bool {
    if a.port() != b.port() || a.port() == 0 {
        return false;
    }
    match (a, b) {
        (BindAddress::Any(_), _) | (_, BindAddress::Any(_)) => true,
        (BindAddress::Socket(x), BindAddress::Socket(y)) => x.ip() == y.ip(),
        (BindAddress::Host { name: x, .. }, BindAddress::Host { name: y, .. }) => {
            x.eq_ignore_ascii_case(y)
        }
        _ => false,
    }
}
