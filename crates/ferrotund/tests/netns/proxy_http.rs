//! The rootless proxy configured as a wireproxy user configures wireproxy — `[Socks5]`,
//! `[http]` with credentials and a `[TCPClientTunnel]` whose target is a name — driven by
//! curl: the HTTP proxy's plain requests and CONNECT, 407 without credentials, 502 for an
//! origin it cannot reach, SOCKS5 with username and password, and the forward by name.

use crate::cmd::root;
use crate::daemon::Impl;
use crate::proxy_net::{serve_by_name, NamedWeb, ProxyWorld};
use crate::tunnel::TB4;
use std::time::Duration;

const PAGE: &str = "the origin's page, through the HTTP proxy\n";

/// wireproxy's sections, as its README writes them (our values).
fn sections() -> String {
    "[Socks5]\nBindAddress = 127.0.0.1:1080\nUsername = alice\nPassword = s3cret\n\n\
     [http]\nBindAddress = 127.0.0.1:3128\nUsername = bob\nPassword = hunter2\n\n\
     [TCPClientTunnel]\nBindAddress = 127.0.0.1:8080\nTarget = web.tunnel.test:8000\n"
        .to_string()
}

/// The proxy from [`sections`], the web page and its name served behind the server; `None`
/// without root.
#[track_caller]
fn world() -> Option<(ProxyWorld, NamedWeb)> {
    if !root() {
        return None;
    }
    let w = ProxyWorld::with_sections(Impl::Ferrotund, &[], &sections());
    let served = serve_by_name(&w, PAGE);
    Some((w, served))
}

fn curl(w: &ProxyWorld, args: &[&str]) -> crate::cmd::Out {
    let mut argv = vec!["curl", "-sS", "--max-time", "15"];
    argv.extend_from_slice(args);
    w.under.a.cmd(&argv).timeout(Duration::from_secs(30)).run()
}

#[test]
fn proxy_wireproxy_config_http_proxy_plain_and_connect() {
    let Some((w, _served)) = world() else {
        return;
    };
    let proxy = "http://bob:hunter2@127.0.0.1:3128";
    let url = "http://web.tunnel.test:8000/";
    // A plain request in absolute form, rewritten for the origin.
    let plain = curl(&w, &["-x", proxy, url]);
    assert!(
        plain.success(),
        "plain request through the HTTP proxy: {plain}"
    );
    assert_eq!(plain.stdout, PAGE);
    // CONNECT (curl -p tunnels even plain HTTP through it).
    let tunnel = curl(&w, &["-p", "-x", proxy, url]);
    assert!(tunnel.success(), "CONNECT through the HTTP proxy: {tunnel}");
    assert_eq!(tunnel.stdout, PAGE);
    // Without credentials: 407 and a Basic challenge.
    let denied = curl(&w, &["-i", "-x", "http://127.0.0.1:3128", url]);
    assert!(
        denied.stdout.starts_with("HTTP/1.1 407")
            && denied.stdout.contains("Proxy-Authenticate: Basic"),
        "no 407 challenge without credentials: {denied}"
    );
    // A head larger than the proxy takes (16 KiB): 431, and the proxy goes on.
    let big = format!("X-Big: {}", "b".repeat(20_000));
    let oversized = curl(&w, &["-i", "-x", proxy, "-H", &big, url]);
    assert!(
        oversized.stdout.starts_with("HTTP/1.1 431"),
        "no 431 for a 20 kB header: {oversized}"
    );
    // An origin that cannot be reached (a closed port): 502.
    let bad = curl(&w, &["-i", "-x", proxy, &format!("http://{TB4}:8001/")]);
    assert!(
        bad.stdout.starts_with("HTTP/1.1 502"),
        "no 502 for a closed port: {bad}"
    );
}

#[test]
fn proxy_wireproxy_config_socks5_credentials_and_forward_by_name() {
    let Some((w, _served)) = world() else {
        return;
    };
    let url = "http://web.tunnel.test:8000/";
    let good = curl(&w, &["-x", "socks5h://alice:s3cret@127.0.0.1:1080", url]);
    assert!(good.success(), "SOCKS5 with credentials: {good}");
    assert_eq!(good.stdout, PAGE);
    let wrong = curl(&w, &["-x", "socks5h://alice:wrong@127.0.0.1:1080", url]);
    assert!(
        !wrong.success(),
        "SOCKS5 with a wrong password succeeded: {wrong}"
    );
    let none = curl(&w, &["-x", "socks5h://127.0.0.1:1080", url]);
    assert!(
        !none.success(),
        "SOCKS5 without credentials succeeded: {none}"
    );
    // The [TCPClientTunnel] names its target; the tunnel's DNS resolves it.
    let forwarded = curl(&w, &["http://127.0.0.1:8080/"]);
    assert!(forwarded.success(), "the forward by name: {forwarded}");
    assert_eq!(forwarded.stdout, PAGE);
}
