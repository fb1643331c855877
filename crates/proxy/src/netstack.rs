//! The userspace TCP/IP stack: smoltcp's interface with the proxy's tunnel addresses, its
//! sockets, and the device that leads to the engine. It answers ICMP echo to its addresses
//! and keeps its own clock (smoltcp counts milliseconds from an arbitrary start).

use crate::port_device::PortDevice;
use ferrotund::stack_port::StackEnd;
use rand_core::RngCore as _;
use smoltcp::iface::{Config, Interface, SocketHandle, SocketSet};
use smoltcp::socket::dns::{self, QueryHandle};
use smoltcp::socket::{tcp, udp};
use smoltcp::time::{Duration, Instant};
use smoltcp::wire::DnsQueryType;
use smoltcp::wire::{HardwareAddress, IpAddress, IpCidr, IpEndpoint};
use std::net::{IpAddr, SocketAddr};

/// Bytes of receive and of send buffer per TCP connection. Each bounds what is in flight in
/// its direction, so with 50 ms of round trip 2 MiB allows about 330 Mbit/s (512 KiB
/// measured a flat 58 Mbit/s there: BENCHMARKS.md). smoltcp allocates both when the
/// connection opens, zeroed, which the system hands out as untouched pages: a connection's
/// memory grows with what it carries, up to 4 MiB.
pub(crate) const TCP_BUFFER: usize = 2 * 1024 * 1024;

/// How long a connection may go unanswered (its SYN, or data it sent) before the stack
/// gives up on it.
pub(crate) const TCP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// Local ports of the connections the proxy opens into the tunnel (RFC 6335's dynamic range).
const EPHEMERAL: std::ops::RangeInclusive<u16> = 49_152..=65_535;

/// Why a connection into the tunnel could not be opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OpenError {
    /// The proxy has no tunnel address of the target's family.
    NoAddress,
    /// Port zero or an unspecified address.
    Unaddressable,
}

/// The stack and everything it owns.
pub(crate) struct Netstack {
    iface: Interface,
    pub(crate) sockets: SocketSet<'static>,
    device: PortDevice,
    epoch: std::time::Instant,
    next_port: u16,
    /// Sockets to forget after the next poll, which sends what they still owe (a reset, a
    /// FIN's ACK).
    retired: Vec<SocketHandle>,
}

impl Netstack {
    /// A stack with `addresses` (the config's `Address` lines) on the engine's port.
    pub(crate) fn new(end: StackEnd, addresses: &[IpCidr]) -> Netstack {
        let mut device = PortDevice::new(end);
        let epoch = std::time::Instant::now();
        let mut config = Config::new(HardwareAddress::Ip);
        // The stack draws TCP initial sequence numbers and DNS query ids and ports from
        // this seed: from the OS, so none can be guessed (smoltcp's default is 0).
        config.random_seed = rand_core::OsRng.next_u64();
        let mut iface = Interface::new(config, &mut device, Instant::ZERO);
        iface.update_ip_addrs(|addrs| {
            for cidr in addresses {
                // More than smoltcp's fixed table holds is refused by the config check.
                let _ = addrs.push(*cidr);
            }
        });
        // Every destination goes to the engine, which picks the peer by allowed IPs; the
        // gateway is never looked up on an IP-only device.
        for cidr in addresses {
            let _ = match cidr.address() {
                IpAddress::Ipv4(a) => iface.routes_mut().add_default_ipv4_route(a).map(|_| ()),
                IpAddress::Ipv6(a) => iface.routes_mut().add_default_ipv6_route(a).map(|_| ()),
            };
        }
        Netstack {
            iface,
            sockets: SocketSet::new(Vec::new()),
            device,
            epoch,
            next_port: *EPHEMERAL.start(),
            retired: Vec::new(),
        }
    }

    /// The stack's clock.
    pub(crate) fn now(&self) -> Instant {
        Instant::from_micros(self.epoch.elapsed().as_micros() as i64)
    }

    /// Takes every packet the engine queued, lets every socket send what it can, and
    /// returns whether a socket may have changed.
    pub(crate) fn poll(&mut self) -> bool {
        let now = self.now();
        let changed = self.iface.poll(now, &mut self.device, &mut self.sockets);
        for handle in self.retired.drain(..) {
            self.sockets.remove(handle);
        }
        changed == smoltcp::iface::PollResult::SocketStateChanged
    }

    /// How long the stack can wait before its next timer (retransmission, delayed ACK, …).
    pub(crate) fn delay(&mut self) -> Option<Duration> {
        let now = self.now();
        self.iface.poll_delay(now, &self.sockets)
    }

    /// The engine's end of the port.
    pub(crate) fn port(&self) -> &StackEnd {
        self.device.end()
    }

    /// Whether the stack has one of its addresses in `ip`'s family.
    pub(crate) fn has_family_of(&self, ip: IpAddr) -> bool {
        self.iface.ip_addrs().iter().any(|cidr| {
            matches!(
                (cidr.address(), ip),
                (IpAddress::Ipv4(_), IpAddr::V4(_)) | (IpAddress::Ipv6(_), IpAddr::V6(_))
            )
        })
    }

    /// Opens a TCP connection to `remote` inside the tunnel.
    pub(crate) fn connect_tcp(&mut self, remote: SocketAddr) -> Result<SocketHandle, OpenError> {
        if !self.has_family_of(remote.ip()) {
            return Err(OpenError::NoAddress);
        }
        let mut socket = tcp::Socket::new(
            tcp::SocketBuffer::new(vec![0; TCP_BUFFER]),
            tcp::SocketBuffer::new(vec![0; TCP_BUFFER]),
        );
        tune(&mut socket);
        let port = self.ephemeral_port();
        socket
            .connect(self.iface.context(), remote, port)
            .map_err(|_| OpenError::Unaddressable)?;
        Ok(self.sockets.add(socket))
    }

    /// A TCP socket listening on `port` of every tunnel address.
    pub(crate) fn listen_tcp(&mut self, port: u16) -> Result<SocketHandle, tcp::ListenError> {
        let mut socket = tcp::Socket::new(
            tcp::SocketBuffer::new(vec![0; TCP_BUFFER]),
            tcp::SocketBuffer::new(vec![0; TCP_BUFFER]),
        );
        tune(&mut socket);
        socket.listen(port)?;
        Ok(self.sockets.add(socket))
    }

    /// The TCP socket behind `handle`.
    pub(crate) fn tcp(&mut self, handle: SocketHandle) -> &mut tcp::Socket<'static> {
        self.sockets.get_mut::<tcp::Socket>(handle)
    }

    /// Forgets a socket after the next poll: an aborted connection's reset goes out first.
    pub(crate) fn retire(&mut self, handle: SocketHandle) {
        self.retired.push(handle);
    }

    /// Forgets a socket at once (one that owes nothing: never connected, or closed).
    pub(crate) fn remove(&mut self, handle: SocketHandle) {
        self.sockets.remove(handle);
    }

    fn ephemeral_port(&mut self) -> u16 {
        let port = self.next_port;
        self.next_port = if port == *EPHEMERAL.end() {
            *EPHEMERAL.start()
        } else {
            port + 1
        };
        port
    }
}

/// Settings every TCP connection of the proxy gets.
fn tune(socket: &mut tcp::Socket<'_>) {
    // Bytes from the host go out at once: whoever wrote them batches already.
    socket.set_nagle_enabled(false);
    socket.set_congestion_control(tcp::CongestionControl::Cubic);
    // A peer that stops answering is given up on after a minute, as Linux does with its
    // default retries to within an order of magnitude, so dead connections free memory.
    socket.set_timeout(Some(Duration::from_micros(TCP_TIMEOUT.as_micros() as u64)));
}

impl Netstack {
    /// Adds a DNS client socket asking `servers` (inside the tunnel).
    pub(crate) fn add_dns(&mut self, servers: &[IpAddr]) -> SocketHandle {
        let servers: Vec<IpAddress> = servers.iter().map(|ip| (*ip).into()).collect();
        self.sockets.add(dns::Socket::new(&servers, Vec::new()))
    }

    /// Starts a query for `name`'s records of `kind`.
    pub(crate) fn dns_start(
        &mut self,
        socket: SocketHandle,
        name: &str,
        kind: DnsQueryType,
    ) -> Result<QueryHandle, dns::StartQueryError> {
        let dns = self.sockets.get_mut::<dns::Socket>(socket);
        dns.start_query(self.iface.context(), name, kind)
    }

    /// The answer to a query, once there is one (then the query is gone).
    pub(crate) fn dns_result(
        &mut self,
        socket: SocketHandle,
        query: QueryHandle,
    ) -> Result<Vec<IpAddr>, dns::GetQueryResultError> {
        let dns = self.sockets.get_mut::<dns::Socket>(socket);
        dns.get_query_result(query)
            .map(|found| found.iter().map(|a| IpAddr::from(*a)).collect())
    }

    /// Drops a query that is no longer wanted.
    pub(crate) fn dns_cancel(&mut self, socket: SocketHandle, query: QueryHandle) {
        self.sockets
            .get_mut::<dns::Socket>(socket)
            .cancel_query(query);
    }
}

impl Netstack {
    /// A UDP socket on a port of its own, holding `datagrams` (of `bytes` in all) each way.
    pub(crate) fn open_udp(
        &mut self,
        datagrams: usize,
        bytes: usize,
    ) -> Result<SocketHandle, udp::BindError> {
        let buffer =
            || udp::PacketBuffer::new(vec![udp::PacketMetadata::EMPTY; datagrams], vec![0; bytes]);
        let mut socket = udp::Socket::new(buffer(), buffer());
        socket.bind(self.ephemeral_port())?;
        Ok(self.sockets.add(socket))
    }

    /// Queues a datagram to `to` on a UDP socket.
    pub(crate) fn udp_send(
        &mut self,
        socket: SocketHandle,
        data: &[u8],
        to: SocketAddr,
    ) -> Result<(), udp::SendError> {
        let socket = self.sockets.get_mut::<udp::Socket>(socket);
        socket.send_slice(data, IpEndpoint::from(to))
    }

    /// The next datagram a UDP socket received, and who sent it.
    pub(crate) fn udp_recv(
        &mut self,
        socket: SocketHandle,
        buf: &mut [u8],
    ) -> Option<(usize, SocketAddr)> {
        let socket = self.sockets.get_mut::<udp::Socket>(socket);
        let (n, meta) = socket.recv_slice(buf).ok()?;
        Some((
            n,
            SocketAddr::new(meta.endpoint.addr.into(), meta.endpoint.port),
        ))
    }
}
