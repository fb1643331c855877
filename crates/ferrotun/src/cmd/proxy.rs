//! `ferrotun proxy [options] FILE`: the rootless mode. Runs WireGuard on a userspace TCP/IP
//! stack in this process, with no root, no capability and no TUN device, and serves SOCKS5,
//! an HTTP proxy and TCP port forwards into the tunnel. FILE is a wg-quick(8) file with
//! wireproxy's sections (`[Socks5]`, `[http]`, `[TCPClientTunnel]`, …, or `WGConfig =`),
//! read by `ferrotun_conf::proxy` (docs/proxy-config.md); the flags add listeners.
//!
//! The UAPI socket is `$XDG_RUNTIME_DIR/ferrotun/NAME.sock` (NAME: the file's name without
//! `.conf`), or `./NAME.sock` without `XDG_RUNTIME_DIR`, or what `--uapi` says; `wg show`
//! and `ferrotun show` read it like a daemon's.

use crate::console::err_line;
use crate::Invocation;
use ferrotun_conf::proxy::{
    self, Auth, BindAddress, Forward, Inactivity, ListenerKind, ProxyConfig, Target as ConfTarget,
    TargetHost,
};
use ferrotun_conf::SystemResolver;
use ferrotun_proxy::socks5::{Credentials, Domain, Target};
use ferrotun_proxy::{ListenerSpec, ProxyOptions, ServerTunnelSpec, Service, UdpTunnelSpec};
use ferrotun_quick::wgconf;
use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

const USAGE: &str =
    "[--uapi PATH.sock] [--socks5 ADDR:PORT] [--http ADDR:PORT] [--tcp-forward BIND=TARGET ...] <config file>";

/// What the command line asked for.
struct Args {
    file: PathBuf,
    uapi: Option<PathBuf>,
    listeners: Vec<ListenerSpec>,
}

/// `ferrotun proxy`.
pub fn run(inv: &Invocation<'_>) -> u8 {
    let args = match parse_args(&inv.args[1..]) {
        Ok(args) => args,
        Err(e) => {
            err_line(&format!("ferrotun proxy: {e}"));
            inv.usage(USAGE);
            return 1;
        }
    };
    let Some(config) = read_config(&args.file) else {
        return 1;
    };
    let services = match config_listeners(&args.file, &config) {
        Ok(found) => found,
        Err(e) => {
            err_line(&format!("ferrotun proxy: {e}"));
            return 1;
        }
    };
    let mut listeners = services.listeners;
    listeners.extend(args.listeners);
    if config.check_alive.is_some() {
        err_line("ferrotun proxy: CheckAlive is not acted on yet (the addresses are not pinged)");
    }
    let quick = &config.wireguard.interface.quick;
    let options = ProxyOptions {
        addresses: quick.addresses.iter().map(|a| (a.ip, a.prefix)).collect(),
        mtu: config.mtu() as usize,
        dns: quick
            .dns_servers
            .iter()
            .filter_map(|s| s.parse().ok())
            .collect(),
        listeners,
        udp_tunnels: services.udp,
        server_tunnels: services.server,
        stdio: services.stdio,
        uapi: args.uapi.unwrap_or_else(|| default_uapi(&args.file)),
        wireguard: wgconf::setconf_request(&config.wireguard),
    };
    ferrotund::logging::init();
    match ferrotun_proxy::run(options) {
        Ok(()) => 0,
        Err(e) => {
            err_line(&format!("ferrotun proxy: {e}"));
            1
        }
    }
}

fn parse_args(args: &[OsString]) -> Result<Args, String> {
    let mut file = None;
    let mut uapi = None;
    let mut listeners = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let arg = arg.to_str().ok_or("arguments must be UTF-8")?;
        let mut value = |name: &str| {
            it.next()
                .and_then(|v| v.to_str())
                .map(str::to_string)
                .ok_or(format!("{name} needs a value"))
        };
        match arg {
            "--uapi" => uapi = Some(PathBuf::from(value("--uapi")?)),
            "--tcp-forward" => listeners.push(tcp_forward(&value("--tcp-forward")?)?),
            "--socks5" => listeners.push(socks5(&value("--socks5")?)?),
            "--http" => listeners.push(http(&value("--http")?)?),
            _ if arg.starts_with('-') => return Err(format!("unknown option {arg}")),
            _ if file.is_none() => file = Some(PathBuf::from(arg)),
            _ => return Err(format!("unexpected argument {arg}")),
        }
    }
    let file = file.ok_or("a config file is needed")?;
    Ok(Args {
        file,
        uapi,
        listeners,
    })
}

/// `BIND=TARGET`, both `IP:PORT` (`[IPv6]:PORT`).
fn tcp_forward(text: &str) -> Result<ListenerSpec, String> {
    let bad = || {
        format!("--tcp-forward takes BIND=TARGET, e.g. 127.0.0.1:8080=10.0.0.1:80, not {text:?}")
    };
    let (bind, target) = text.split_once('=').ok_or_else(bad)?;
    let bind: SocketAddr = bind.parse().map_err(|_| bad())?;
    let target: SocketAddr = target.parse().map_err(|_| bad())?;
    Ok(ListenerSpec {
        bind,
        service: Service::TcpForward {
            target: Target::Addr(target),
        },
    })
}

/// `ADDR:PORT` for a SOCKS5 listener without authentication.
fn socks5(text: &str) -> Result<ListenerSpec, String> {
    let bind: SocketAddr = text
        .parse()
        .map_err(|_| format!("--socks5 takes ADDR:PORT, e.g. 127.0.0.1:1080, not {text:?}"))?;
    Ok(ListenerSpec {
        bind,
        service: Service::Socks5 { credentials: None },
    })
}

/// `ADDR:PORT` for an HTTP proxy without authentication.
fn http(text: &str) -> Result<ListenerSpec, String> {
    let bind: SocketAddr = text
        .parse()
        .map_err(|_| format!("--http takes ADDR:PORT, e.g. 127.0.0.1:8080, not {text:?}"))?;
    Ok(ListenerSpec {
        bind,
        service: Service::Http { credentials: None },
    })
}

fn default_uapi(file: &Path) -> PathBuf {
    let stem = file
        .file_name()
        .and_then(|n| n.to_str())
        .map_or("ferrotun-proxy", |n| n.strip_suffix(".conf").unwrap_or(n));
    let name = format!("{stem}.sock");
    match std::env::var_os("XDG_RUNTIME_DIR") {
        Some(dir) if !dir.is_empty() => Path::new(&dir).join("ferrotun").join(name),
        _ => PathBuf::from(name),
    }
}

/// Parses the file, printing warnings, and errors as `file:line: problem`.
fn read_config(path: &Path) -> Option<ProxyConfig> {
    let mut notify = |line: &str| err_line(line);
    let mut resolver = SystemResolver::new(&mut notify);
    let mut options = proxy::ProxyOptions {
        resolver: &mut resolver,
        env: &proxy::system_env,
        read: &proxy::system_read,
    };
    match proxy::parse_proxy_file(path, &mut options) {
        Ok((config, warnings)) => {
            for warning in warnings {
                err_line(&warning.to_string());
            }
            Some(config)
        }
        Err(e) => {
            err_line(&e.to_string());
            None
        }
    }
}

/// What a file's sections ask the proxy to serve.
#[derive(Default)]
struct Services {
    listeners: Vec<ListenerSpec>,
    udp: Vec<UdpTunnelSpec>,
    server: Vec<ServerTunnelSpec>,
    stdio: Option<Target>,
}

/// The listeners and tunnels the file's sections ask for. What the proxy does not
/// serve yet is refused by name rather than ignored.
fn config_listeners(file: &Path, config: &ProxyConfig) -> Result<Services, String> {
    let mut services = Services::default();
    for listener in &config.listeners {
        let credentials = match &listener.auth {
            Auth::None => None,
            Auth::UserPassword { username, password } => Some(Arc::new(Credentials::new(
                username.as_bytes(),
                password.as_bytes(),
            ))),
        };
        let service = match listener.kind {
            ListenerKind::Socks5 => Service::Socks5 { credentials },
            ListenerKind::Http => Service::Http { credentials },
        };
        services.listeners.push(ListenerSpec {
            bind: bind_address(&listener.bind)?,
            service,
        });
    }
    for forward in &config.forwards {
        match forward {
            Forward::TcpClient { bind, target, .. } => services.listeners.push(ListenerSpec {
                bind: bind_address(bind)?,
                service: Service::TcpForward {
                    target: tunnel_target(target)?,
                },
            }),
            Forward::TcpServer {
                listen_port,
                target,
                ..
            } => services.server.push(ServerTunnelSpec {
                port: *listen_port,
                target: host_target(target)?,
            }),
            Forward::UdpClient {
                bind,
                target,
                inactivity,
                ..
            } => services.udp.push(UdpTunnelSpec {
                bind: bind_address(bind)?,
                target: udp_target(file, forward.line(), target)?,
                inactivity: match inactivity {
                    Inactivity::Never => None,
                    Inactivity::After(after) => Some(*after),
                },
            }),
            Forward::Stdio { target, .. } => services.stdio = Some(tunnel_target(target)?),
            Forward::UdpServer { .. } => {
                return Err(format!(
                    "{}:{}: [UDPServerTunnel] is not served yet",
                    file.display(),
                    forward.line()
                ))
            }
        }
    }
    Ok(services)
}

/// A host address to listen on; a name is looked up with the host's resolver (it names
/// this machine, not something in the tunnel).
fn bind_address(bind: &BindAddress) -> Result<SocketAddr, String> {
    match bind {
        BindAddress::Socket(addr) => Ok(*addr),
        BindAddress::Any(port) => Ok(SocketAddr::new(
            std::net::Ipv6Addr::UNSPECIFIED.into(),
            *port,
        )),
        BindAddress::Host { name, port } => {
            use std::net::ToSocketAddrs as _;
            (name.as_str(), *port)
                .to_socket_addrs()
                .ok()
                .and_then(|mut addrs| addrs.next())
                .ok_or_else(|| format!("cannot resolve the bind address {name}:{port}"))
        }
    }
}

/// A target on the host side (a server tunnel's), looked up with the host's resolver.
fn host_target(target: &ConfTarget) -> Result<SocketAddr, String> {
    match &target.host {
        TargetHost::Ip(ip) => Ok(SocketAddr::new(*ip, target.port)),
        TargetHost::Name(name) => {
            use std::net::ToSocketAddrs as _;
            (name.as_str(), target.port)
                .to_socket_addrs()
                .ok()
                .and_then(|mut addrs| addrs.next())
                .ok_or_else(|| format!("cannot resolve the target {name}:{}", target.port))
        }
    }
}

/// A UDP tunnel's target: an address (a name would need a lookup per flow, not done yet).
fn udp_target(file: &Path, line: usize, target: &ConfTarget) -> Result<SocketAddr, String> {
    match &target.host {
        TargetHost::Ip(ip) => Ok(SocketAddr::new(*ip, target.port)),
        TargetHost::Name(name) => Err(format!(
            "{}:{line}: a [UDPProxyTunnel]'s Target must be an address for now, not {name}",
            file.display()
        )),
    }
}

/// A target inside the tunnel; a name is looked up through the tunnel's DNS later.
fn tunnel_target(target: &ConfTarget) -> Result<Target, String> {
    match &target.host {
        TargetHost::Ip(ip) => Ok(Target::Addr(SocketAddr::new(*ip, target.port))),
        TargetHost::Name(name) => Domain::new(name.as_bytes())
            .map(|domain| Target::Domain(domain, target.port))
            .map_err(|e| format!("target {name}: {e}")),
    }
}
