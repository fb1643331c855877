//! The rootless proxy (`ferrotun proxy`) as a user without privileges runs it: TCP forwards
//! into the tunnel carrying a real web server's pages and iperf3 both ways, ICMP echo to
//! its tunnel addresses, its UAPI socket read by `ferrotun show`, wireguard-go as the
//! server, and the failures a user meets (a closed port inside the tunnel, a taken port).

use crate::cmd::{root, wait_until};
use crate::daemon::Impl;
use crate::proxy_net::{cli_bin, unprivileged, web_server, ProxyWorld, NOBODY};
use crate::traffic::{iperf_client, iperf_server, json_bytes, ping_all};
use crate::tunnel::{TA4, TA6, TB4};
use std::time::Duration;

const PAGE: &str = "a page only the tunnel reaches\n";
const WEB_PORT: u16 = 8000;

/// `Name:\tvalue` from `/proc/PID/status`.
fn status_field(pid: u32, name: &str) -> String {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name}:")))
        .map(|v| v.trim().to_string())
        .unwrap_or_default()
}

/// Serves [`PAGE`] on TB4 in the server's namespace.
fn serve_page(w: &ProxyWorld) -> crate::cmd::Bg {
    let www = w.dir.path.join("www");
    std::fs::create_dir_all(&www).unwrap();
    std::fs::write(www.join("index.html"), PAGE).unwrap();
    web_server(&w.under.b.name, TB4, WEB_PORT, &www)
}

fn curl(w: &ProxyWorld, url: &str) -> crate::cmd::Out {
    w.under
        .a
        .cmd(&["curl", "-sS", "--max-time", "10", url])
        .timeout(Duration::from_secs(20))
        .run()
}

fn forwards() -> Vec<String> {
    vec![
        "--tcp-forward".into(),
        format!("127.0.0.1:8080={TB4}:{WEB_PORT}"),
        "--tcp-forward".into(),
        format!("127.0.0.1:5201={TB4}:5201"),
        "--tcp-forward".into(),
        format!("127.0.0.1:8081={TB4}:1"),
    ]
}

fn world(server: Impl) -> ProxyWorld {
    let args = forwards();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    ProxyWorld::new(server, &args)
}

/// One iperf3 run through the forward on 127.0.0.1:5201; returns the bytes received.
fn iperf_through(w: &ProxyWorld, reverse: bool) -> u64 {
    let server = iperf_server(&w.under.b.name, TB4);
    let extra: &[&str] = if reverse { &["-R"] } else { &[] };
    let client = iperf_client(&w.under.a.name, "127.0.0.1", 2, extra, 20).run();
    drop(server);
    assert!(
        client.success(),
        "iperf3 through the proxy failed: {client}"
    );
    json_bytes(&client.stdout, "sum_received")
        .unwrap_or_else(|| panic!("no byte count in iperf3's report: {client}"))
}

#[test]
fn proxy_runs_unprivileged_and_forwards_tcp_both_ways() {
    if !root() {
        return;
    }
    let mut w = world(Impl::Ferrotund);
    let pid = w.proxy.bg.pid();
    assert_eq!(status_field(pid, "CapEff"), "0000000000000000");
    let uid = status_field(pid, "Uid");
    assert!(
        uid.split_whitespace().all(|u| u == NOBODY.to_string()),
        "the proxy runs as {uid}"
    );
    let _web = serve_page(&w);
    let page = curl(&w, "http://127.0.0.1:8080/");
    assert!(page.success(), "curl through the forward failed: {page}");
    assert_eq!(page.stdout, PAGE);
    for reverse in [false, true] {
        let bytes = iperf_through(&w, reverse);
        assert!(
            bytes > 1_000_000,
            "only {bytes} bytes crossed (reverse: {reverse})"
        );
    }
    assert!(w.proxy.bg.running(), "the proxy exited");
}

#[test]
fn proxy_answers_ping_and_its_socket_shows_the_session() {
    if !root() {
        return;
    }
    let w = world(Impl::Ferrotund);
    ping_all(&w.under.b.name, TA4, 3);
    ping_all(&w.under.b.name, TA6, 3);
    assert_ne!(w.server.latest_handshake(&w.proxy_keys.public), 0);
    let socket = w.socket();
    let dump = w.cli(&["show", &socket, "dump"]).ok();
    let peer_line = dump.stdout.lines().nth(1).unwrap_or_default().to_string();
    let fields: Vec<&str> = peer_line.split('\t').collect();
    assert_eq!(
        fields.first(),
        Some(&w.server_keys.public.as_str()),
        "{dump}"
    );
    assert!(
        fields.get(4).is_some_and(|t| *t != "0"),
        "no handshake in the proxy's dump: {dump}"
    );
    let pubkey = w.cli(&["show", &socket, "public-key"]).ok();
    assert_eq!(pubkey.stdout.trim(), w.proxy_keys.public);
}

#[test]
fn proxy_works_with_wireguard_go_as_the_server() {
    if !root() {
        return;
    }
    let w = world(Impl::WireguardGo);
    let _web = serve_page(&w);
    let page = curl(&w, "http://127.0.0.1:8080/");
    assert!(page.success(), "curl through the forward failed: {page}");
    assert_eq!(page.stdout, PAGE);
    ping_all(&w.under.b.name, TA4, 2);
}

#[test]
fn proxy_survives_a_refused_target_and_reports_a_taken_port() {
    if !root() {
        return;
    }
    let mut w = world(Impl::Ferrotund);
    // Nothing listens on port 1 of the server: its kernel resets, the client's connection
    // is closed without a byte, and the proxy goes on.
    let refused = curl(&w, "http://127.0.0.1:8081/");
    assert!(
        !refused.success(),
        "a refused target looked like success: {refused}"
    );
    let _web = serve_page(&w);
    let page = curl(&w, "http://127.0.0.1:8080/");
    assert_eq!(page.stdout, PAGE, "{page}");
    // A second proxy on the same listener address fails at once and names it.
    let conf = w.dir.path.join("proxy.conf").to_string_lossy().into_owned();
    let second_socket = w.dir.path.join("run").join("second.sock");
    let socket_text = second_socket.to_string_lossy().into_owned();
    let bin = cli_bin();
    let argv = [
        bin.as_str(),
        "proxy",
        "--uapi",
        &socket_text,
        "--tcp-forward",
        "127.0.0.1:8080=10.0.0.1:80",
        &conf,
    ];
    let second = unprivileged(&w.under.a.name, &argv)
        .timeout(Duration::from_secs(10))
        .run();
    assert_eq!(second.code, Some(1), "{second}");
    assert!(
        second.stderr.contains("cannot listen on 127.0.0.1:8080"),
        "the error does not name the address: {second}"
    );
    assert!(
        !second_socket.exists(),
        "the failed proxy left its socket file"
    );
    assert!(w.proxy.bg.running(), "the first proxy exited");
    wait_until("the proxy still serving", Duration::from_secs(5), || {
        let again = curl(&w, "http://127.0.0.1:8080/");
        if again.stdout == PAGE {
            Ok(())
        } else {
            Err(again.to_string())
        }
    });
}

#[test]
fn proxy_server_tunnel_lets_peers_reach_a_host_service() {
    if !root() {
        return;
    }
    let sections = "[TCPServerTunnel]\nListenPort = 8088\nTarget = 127.0.0.1:9000\n";
    let w = ProxyWorld::with_sections(Impl::Ferrotund, &[], sections);
    let www = w.dir.path.join("host-www");
    std::fs::create_dir_all(&www).unwrap();
    std::fs::write(www.join("index.html"), PAGE).unwrap();
    // The service runs on the proxy's host, on loopback only: peers reach it through the
    // proxy's tunnel address and nothing else.
    let _service = web_server(&w.under.a.name, "127.0.0.1", 9000, &www);
    for url in [
        format!("http://{TA4}:8088/"),
        format!("http://[{TA6}]:8088/"),
    ] {
        let page = w
            .under
            .b
            .cmd(&["curl", "-sS", "--max-time", "10", &url])
            .timeout(Duration::from_secs(20))
            .run();
        assert!(page.success(), "a peer's curl to {url} failed: {page}");
        assert_eq!(page.stdout, PAGE);
    }
}

/// A TCP echo server for one connection at a time: what comes in goes back; the end of the
/// client's stream ends the connection.
const ECHO: &str = r#"
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(4)
while True:
    c, _ = s.accept()
    while True:
        data = c.recv(65536)
        if not data:
            break
        c.sendall(data)
    c.close()
"#;

/// Runs a second proxy, as ssh's ProxyCommand would start it (its own key and address), with
/// an `[STDIOTunnel]` to `port` on the server's tunnel address and `input` on its standard input.
fn stdio_proxy(w: &ProxyWorld, port: u16, input: &str) -> crate::cmd::Out {
    let keys = crate::wg::Keypair::generate();
    let allowed = [
        "set",
        "IF",
        "peer",
        &keys.public,
        "allowed-ips",
        "10.99.0.3/32",
    ];
    w.server.wg(&allowed).ok();
    let conf = crate::proxy_net::proxy_conf(&keys, &w.server_keys).replace(
        &format!("Address = {TA4}/32, {TA6}/128"),
        "Address = 10.99.0.3/32",
    ) + &format!("\n[STDIOTunnel]\nTarget = {TB4}:{port}\n");
    let path = w.dir.write("stdio.conf", &conf);
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    let socket = w.dir.path.join("run").join("stdio.sock");
    let (bin, socket, path) = (
        cli_bin(),
        socket.to_string_lossy().into_owned(),
        path.to_string_lossy().into_owned(),
    );
    unprivileged(&w.under.a.name, &[&bin, "proxy", "--uapi", &socket, &path])
        .stdin(input)
        .timeout(Duration::from_secs(30))
        .run()
}

#[test]
fn proxy_stdio_tunnel_joins_standard_streams_to_a_connection() {
    if !root() {
        return;
    }
    let w = world(Impl::Ferrotund);
    let _echo = w
        .under
        .b
        .cmd(&["python3", "-c", ECHO, TB4, "7000"])
        .timeout(Duration::from_secs(60))
        .spawn();
    wait_until("the echo server listening", Duration::from_secs(10), || {
        let out = w.under.b.run(&["ss", "-Hltn", "sport", "=", ":7000"]);
        if out.success() && !out.stdout.trim().is_empty() {
            Ok(())
        } else {
            Err(out.to_string())
        }
    });
    let text = "through standard input and back\n".repeat(2000);
    let out = stdio_proxy(&w, 7000, &text);
    assert_eq!(
        out.code,
        Some(0),
        "the proxy did not end with its connection: {out}"
    );
    assert!(
        out.stdout == text,
        "standard output is not what went in ({} of {} bytes)",
        out.stdout.len(),
        text.len()
    );
}

#[test]
fn proxy_stdio_tunnel_to_a_closed_port_fails() {
    if !root() {
        return;
    }
    let w = world(Impl::Ferrotund);
    let out = stdio_proxy(&w, 7001, "nobody listens\n");
    assert_eq!(
        out.code,
        Some(1),
        "a refused standard-input tunnel must fail: {out}"
    );
    assert!(out.stdout.is_empty(), "{out}");
}
