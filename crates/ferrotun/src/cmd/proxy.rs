//! `ferrotun proxy [options] FILE`: the rootless mode. Runs WireGuard on a userspace TCP/IP
//! stack in this process, with no root, no capability and no TUN device, and serves port
//! forwards (and, as they land, SOCKS5 and an HTTP proxy) into the tunnel. FILE is a
//! wg-quick(8) file: `[Interface]` Address, MTU, PrivateKey, ListenPort and the `[Peer]`s.
//!
//! The UAPI socket is `$XDG_RUNTIME_DIR/ferrotun/NAME.sock` (NAME: the file's name without
//! `.conf`), or `./NAME.sock` without `XDG_RUNTIME_DIR`, or what `--uapi` says; `wg show`
//! and `ferrotun show` read it like a daemon's.

use crate::console::err_line;
use crate::Invocation;
use ferrotun_conf::{parse_file, Config, Dialect, ParseOptions, SystemResolver, Warning};
use ferrotun_proxy::{ListenerSpec, ProxyOptions, Service};
use ferrotun_quick::wgconf;
use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

const USAGE: &str =
    "[--uapi PATH.sock] [--socks5 ADDR:PORT] [--http ADDR:PORT] [--tcp-forward BIND=TARGET ...] <config file>";

/// wg-quick's MTU when it cannot find the route's.
const DEFAULT_MTU: usize = 1420;

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
    let options = ProxyOptions {
        addresses: config
            .interface
            .quick
            .addresses
            .iter()
            .map(|a| (a.ip, a.prefix))
            .collect(),
        mtu: config
            .interface
            .quick
            .mtu
            .map_or(DEFAULT_MTU, |m| m as usize),
        dns: config
            .interface
            .quick
            .dns_servers
            .iter()
            .filter_map(|s| s.parse().ok())
            .collect(),
        listeners: args.listeners,
        uapi: args.uapi.unwrap_or_else(|| default_uapi(&args.file)),
        wireguard: wgconf::setconf_request(&config),
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
        service: Service::TcpForward { target },
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

/// Parses the wg-quick file, printing warnings, and errors as `file:line: problem`.
fn read_config(path: &Path) -> Option<Config> {
    let mut notify = |line: &str| err_line(line);
    let mut resolver = SystemResolver::new(&mut notify);
    let mut warn = |w: &Warning| err_line(&w.to_string());
    let mut options = ParseOptions {
        dialect: Dialect::WgQuick,
        resolver: &mut resolver,
        warn: &mut warn,
    };
    match parse_file(path, &mut options) {
        Ok(config) => Some(config),
        Err(e) => {
            err_line(&e.to_string());
            None
        }
    }
}
