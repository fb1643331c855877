//! The rootless proxy's world: a WireGuard server (ferrotund or wireguard-go) in namespace B
//! with services behind its tunnel address, and `ferrotun proxy` in namespace A, run as
//! uid 65534 with no capabilities, as a user without root would run it.

use crate::cmd::{wait_until, Bg, Cmd, TempDir};
use crate::daemon::{Daemon, Impl};
use crate::netns::{Underlay, B4};
use crate::tunnel::{address_up, endpoint, RESP_PORT, TA4, TA6, TB4, TB6};
use crate::wg::{IfConf, Keypair, PeerConf};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The unprivileged user the proxy runs as.
pub const NOBODY: u32 = 65_534;

/// `ferrotun`, next to the daemon binary (`cargo build --release -p ferrotun`), or
/// `$FERROTUN_CLI`.
pub fn cli_bin() -> String {
    if let Ok(path) = std::env::var("FERROTUN_CLI") {
        return path;
    }
    let path = Path::new(&Impl::Ferrotund.bin()).with_file_name("ferrotun");
    assert!(
        path.exists(),
        "{} is missing: build it with `cargo build --release -p ferrotun` (or set FERROTUN_CLI)",
        path.display()
    );
    path.to_string_lossy().into_owned()
}

/// A running proxy. Dropping it kills it by PID (through its `Bg`).
pub struct Proxy {
    pub bg: Bg,
    pub socket: PathBuf,
}

/// Field order is drop order: processes stop before their namespaces go.
pub struct ProxyWorld {
    pub proxy: Proxy,
    pub server: Daemon,
    pub server_keys: Keypair,
    pub proxy_keys: Keypair,
    pub under: Underlay,
    pub dir: TempDir,
}

/// A directory the unprivileged proxy can read (its config) and write (its socket).
fn shared_dir() -> TempDir {
    let dir = TempDir::new();
    std::fs::set_permissions(&dir.path, std::fs::Permissions::from_mode(0o755)).unwrap();
    let run = dir.path.join("run");
    std::fs::create_dir(&run).unwrap();
    std::os::unix::fs::chown(&run, Some(NOBODY), Some(NOBODY)).unwrap();
    dir
}

/// The proxy's wg-quick file: its tunnel addresses and the server as its one peer, with a
/// keepalive (as a client behind NAT has), which also makes the first handshake at once.
pub fn proxy_conf(keys: &Keypair, server: &Keypair) -> String {
    format!(
        "[Interface]\nPrivateKey = {}\nAddress = {TA4}/32, {TA6}/128\nDNS = {TB4}\n\n[Peer]\n\
         PublicKey = {}\n\
         Endpoint = {}\nAllowedIPs = {TB4}/32, {TB6}/128\nPersistentKeepalive = 25\n",
        keys.private,
        server.public,
        endpoint(B4, RESP_PORT)
    )
}

impl ProxyWorld {
    /// The server (`server_impl`) up in B, the proxy with `args` (before the config file)
    /// running in A and its UAPI socket answering.
    pub fn new(server_impl: Impl, args: &[&str]) -> ProxyWorld {
        ProxyWorld::with_sections(server_impl, args, "")
    }

    /// [`ProxyWorld::new`] with `sections` (wireproxy's `[Socks5]`, `[http]`, …) after the
    /// WireGuard part of the proxy's file.
    pub fn with_sections(server_impl: Impl, args: &[&str], sections: &str) -> ProxyWorld {
        let dir = shared_dir();
        let under = Underlay::new();
        let server = Daemon::start(&under.b, server_impl, "ps");
        let (server_keys, proxy_keys) = (Keypair::generate(), Keypair::generate());
        let server_conf = IfConf {
            private: Some(server_keys.private.clone()),
            port: Some(RESP_PORT),
            peers: vec![PeerConf::new(
                &proxy_keys.public,
                &[&format!("{TA4}/32"), &format!("{TA6}/128")],
            )],
            ..IfConf::default()
        };
        server.setconf(&dir, &server_conf);
        address_up(&under.b, &server.ifname, TB4, TB6);
        let text = format!("{}\n{sections}", proxy_conf(&proxy_keys, &server_keys));
        let conf = dir.write("proxy.conf", &text);
        std::fs::set_permissions(&conf, std::fs::Permissions::from_mode(0o644)).unwrap();
        let proxy = start_proxy(&under.a.name, &dir, &conf, args);
        ProxyWorld {
            proxy,
            server,
            server_keys,
            proxy_keys,
            under,
            dir,
        }
    }

    /// `ferrotun ARGS` in A (as root: reading a socket needs only its permissions, and the
    /// socket is the proxy user's).
    pub fn cli(&self, args: &[&str]) -> crate::cmd::Out {
        let bin = cli_bin();
        let mut argv = vec![bin.as_str()];
        argv.extend_from_slice(args);
        self.under.a.run(&argv)
    }

    pub fn socket(&self) -> String {
        self.proxy.socket.to_string_lossy().into_owned()
    }
}

/// The proxy command as uid/gid 65534 with every capability dropped.
pub fn unprivileged(ns: &str, argv: &[&str]) -> Cmd {
    let (uid, gid) = (format!("--reuid={NOBODY}"), format!("--regid={NOBODY}"));
    let mut full = vec![
        "setpriv",
        uid.as_str(),
        gid.as_str(),
        "--clear-groups",
        "--inh-caps=-all",
    ];
    full.extend_from_slice(argv);
    Cmd::netns(ns, &full).timeout(Duration::from_secs(300))
}

/// Starts the proxy and waits until its UAPI socket answers.
pub fn start_proxy(ns: &str, dir: &TempDir, conf: &Path, args: &[&str]) -> Proxy {
    let socket = dir.path.join("run").join("px.sock");
    let (bin, socket_text, conf_text) = (
        cli_bin(),
        socket.to_string_lossy().into_owned(),
        conf.to_string_lossy().into_owned(),
    );
    let mut argv = vec![bin.as_str(), "proxy", "--uapi", socket_text.as_str()];
    argv.extend_from_slice(args);
    argv.push(conf_text.as_str());
    let bg = unprivileged(ns, &argv).env("LOG_LEVEL", "verbose").spawn();
    wait_until("the proxy's UAPI socket", Duration::from_secs(10), || {
        let out = Cmd::netns(ns, &[bin.as_str(), "show", socket_text.as_str()]).run();
        if out.success() {
            Ok(())
        } else {
            Err(out.to_string())
        }
    });
    Proxy { bg, socket }
}

/// A one-off web server in `ns` on `addr:port` serving `dir`, listening when this returns.
pub fn web_server(ns: &str, addr: &str, port: u16, dir: &Path) -> Bg {
    let (port_text, dir_text) = (port.to_string(), dir.to_string_lossy().into_owned());
    let argv = [
        "python3",
        "-m",
        "http.server",
        &port_text,
        "--bind",
        addr,
        "--directory",
        &dir_text,
    ];
    let server = Cmd::netns(ns, &argv)
        .timeout(Duration::from_secs(120))
        .spawn();
    let sport = format!(":{port}");
    wait_until("the web server listening", Duration::from_secs(10), || {
        let out = Cmd::netns(ns, &["ss", "-Hltn", "sport", "=", &sport]).run();
        if out.success() && !out.stdout.trim().is_empty() {
            Ok(())
        } else {
            Err(out.to_string())
        }
    });
    server
}

/// A DNS server (dnsmasq) in `ns` on `addr`, answering only for `records` (`name,address`
/// each), with nothing forwarded upstream; ready when this returns.
pub fn dns_server(ns: &str, addr: &str, records: &[&str]) -> Bg {
    let listen = format!("--listen-address={addr}");
    let mut argv = vec![
        "dnsmasq",
        "--no-daemon",
        "--no-resolv",
        "--no-hosts",
        "--bind-interfaces",
        "--pid-file=",
        &listen,
    ];
    let records: Vec<String> = records
        .iter()
        .map(|r| format!("--host-record={r}"))
        .collect();
    argv.extend(records.iter().map(String::as_str));
    let server = Cmd::netns(ns, &argv)
        .timeout(Duration::from_secs(120))
        .spawn();
    wait_until("dnsmasq listening", Duration::from_secs(10), || {
        let out = Cmd::netns(ns, &["ss", "-Hlun", "sport", "=", ":53"]).run();
        if out.success() && !out.stdout.trim().is_empty() {
            Ok(())
        } else {
            Err(out.to_string())
        }
    });
    server
}

/// The name [`serve_by_name`] gives the server's tunnel address, known to its DNS server only.
pub const WEB_NAME: &str = "web.tunnel.test";

/// What [`serve_by_name`] runs; dropping it stops both (by PID).
pub struct NamedWeb {
    _web: Bg,
    _dns: Bg,
}

/// In the server's namespace: a web server serving `page` on the tunnel address, port 8000,
/// and a DNS server (dnsmasq) on the same address that knows it as [`WEB_NAME`].
pub fn serve_by_name(w: &ProxyWorld, page: &str) -> NamedWeb {
    let www = w.dir.path.join("www");
    std::fs::create_dir_all(&www).unwrap();
    std::fs::write(www.join("index.html"), page).unwrap();
    let web = web_server(&w.under.b.name, TB4, 8000, &www);
    let record = format!("{WEB_NAME},{TB4}");
    let dns = dns_server(&w.under.b.name, TB4, &[&record]);
    NamedWeb {
        _web: web,
        _dns: dns,
    }
}
