//! Starting the rootless proxy: the listeners and the UAPI socket first (so a taken port is
//! reported before anything runs), then the engine on a stack port, its configuration, and
//! the proxy thread; then wait until a signal or the UAPI socket's removal stops it.

use crate::event_loop::{self, EventLoop, Services, WAKE};
use crate::listener::{Listener, ListenerSpec};
use crate::netstack::Netstack;
use crate::server_tunnel::ServerTunnelSpec;
use crate::socks5::Target;
use crate::stdio_tunnel::Wake;
use crate::udp_tunnel::{UdpTunnel, UdpTunnelSpec};
use ferrotun_uapi::socket::UapiListener;
use ferrotun_uapi::SetRequest;
use ferrotund::engine;
use ferrotund::lifecycle::Exit;
use ferrotund::settings::Settings;
use ferrotund::stack_port::{self, StackPort};
use ferrotund::tun_port::Packets;
use smoltcp::wire::IpCidr;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

/// Everything the proxy needs to start.
pub struct ProxyOptions {
    /// The tunnel addresses (`Address`), with their prefix lengths.
    pub addresses: Vec<(IpAddr, u8)>,
    /// The tunnel MTU (`MTU`, 1420 by default as for wg-quick over IPv6 or unknown paths).
    pub mtu: usize,
    /// DNS servers inside the tunnel (`DNS`), for host names in requests and targets.
    pub dns: Vec<IpAddr>,
    /// The listeners on the host.
    pub listeners: Vec<ListenerSpec>,
    /// The UDP tunnels: host UDP ports relayed into the tunnel.
    pub udp_tunnels: Vec<UdpTunnelSpec>,
    /// The standard-input tunnel's target inside the tunnel, if any.
    pub stdio: Option<Target>,
    /// The server tunnels: tunnel ports relayed to host services.
    pub server_tunnels: Vec<ServerTunnelSpec>,
    /// Where to serve the UAPI; must end in `.sock`.
    pub uapi: PathBuf,
    /// The WireGuard configuration, as `wg setconf` would send it.
    pub wireguard: SetRequest,
}

fn uapi_listener(path: &std::path::Path) -> Result<UapiListener, String> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_suffix(".sock"))
        .filter(|n| !n.is_empty())
        .ok_or_else(|| {
            format!(
                "the UAPI socket's name must end in .sock: {}",
                path.display()
            )
        })?;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => std::path::Path::new("."),
    };
    UapiListener::bind_in(dir, name)
        .map_err(|e| format!("cannot create the UAPI socket {}: {e}", path.display()))
}

/// Binds every listener; the error names the address that could not be had.
fn bind_listeners(specs: &[ListenerSpec]) -> Result<(Vec<Listener>, Vec<SocketAddr>), String> {
    let listeners = specs
        .iter()
        .map(Listener::bind)
        .collect::<Result<Vec<_>, _>>()?;
    let bound = listeners
        .iter()
        .map(|l| {
            l.socket
                .local_addr()
                .map_err(|e| format!("cannot read a listener's address: {e}"))
        })
        .collect::<Result<_, _>>()?;
    Ok((listeners, bound))
}

/// The stack port's two ends, the engine's waking the poller of the proxy thread, the stack
/// on the stack's end, and that wake-up for others.
fn stack_on_port(
    poll: &mio::Poll,
    options: &ProxyOptions,
) -> Result<(StackPort, Netstack, Wake), String> {
    let waker = Arc::new(
        mio::Waker::new(poll.registry(), WAKE)
            .map_err(|e| format!("cannot create a waker: {e}"))?,
    );
    let wake: Wake = Arc::new(move || {
        let _ = waker.wake();
    });
    let for_port = Arc::clone(&wake);
    let (port, end) = stack_port::pair(options.mtu, Box::new(move || for_port()));
    let cidrs: Vec<IpCidr> = options
        .addresses
        .iter()
        .map(|(ip, prefix)| IpCidr::new((*ip).into(), *prefix))
        .collect();
    Ok((port, Netstack::new(end, &cidrs), wake))
}

/// Runs the proxy until it is stopped.
pub fn run(mut options: ProxyOptions) -> Result<(), String> {
    let settings = Settings::from_env()?;
    if let Err(e) = rlimit::increase_nofile_limit(u64::MAX) {
        tracing::warn!(error = %e, "cannot raise the limit on open files");
    }
    let (listeners, bound) = bind_listeners(&options.listeners)?;
    let udp_tunnels = options
        .udp_tunnels
        .iter()
        .map(UdpTunnel::bind)
        .collect::<Result<Vec<_>, _>>()?;
    let uapi = uapi_listener(&options.uapi)?;
    let socket_path = uapi.path().to_path_buf();
    let poll = mio::Poll::new().map_err(|e| format!("cannot create a poller: {e}"))?;
    let (port, stack, wake) = stack_on_port(&poll, &options)?;
    let engine = engine::start(
        Packets::Stack(port),
        uapi.into_listener(),
        socket_path.clone(),
        settings,
    )
    .map_err(|e| e.to_string())?;
    let started = engine
        .apply(std::mem::take(&mut options.wireguard))
        .map_err(|e| format!("cannot apply the WireGuard configuration: {e}"))
        .and_then(|()| {
            let (router, stopper) = (engine.router(), engine.stopper());
            let services = Services {
                listeners,
                udp_tunnels,
                server_tunnels: &options.server_tunnels,
                stdio: options.stdio.as_ref(),
                wake,
            };
            EventLoop::new(poll, stack, services, &options.dns, router, stopper)
        })
        .and_then(|el| {
            std::thread::Builder::new()
                .name("ferrotun-proxy".into())
                .spawn(move || event_loop::run(el))
                .map_err(|e| format!("cannot start the proxy thread: {e}"))
        });
    if let Err(e) = started {
        let _ = std::fs::remove_file(&socket_path);
        return Err(e);
    }
    announce(&options, &bound, &socket_path, engine.listen_port());
    let why = engine.wait();
    tracing::info!(reason = ?why, "proxy stopping");
    match why {
        Exit::Failed => Err("the standard-input tunnel could not connect".into()),
        _ => Ok(()),
    }
}

/// One line per listener and tunnel, the UAPI socket and the WireGuard port.
fn announce(options: &ProxyOptions, bound: &[SocketAddr], socket: &std::path::Path, port: u16) {
    eprintln!("UAPI socket: {}", socket.display());
    eprintln!("WireGuard listening on UDP port {port}");
    for tunnel in &options.udp_tunnels {
        eprintln!(
            "UDP forward {} -> {} (in the tunnel)",
            tunnel.bind, tunnel.target
        );
    }
    for tunnel in &options.server_tunnels {
        eprintln!(
            "TCP server tunnel: tunnel port {} -> {} (on the host)",
            tunnel.port, tunnel.target
        );
    }
    for (spec, bound) in options.listeners.iter().zip(bound) {
        // The address the system gave, for a port 0.
        let mut spec = spec.clone();
        spec.bind = *bound;
        eprintln!("{spec}");
    }
}
