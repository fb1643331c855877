use super::*;
use crate::proxy::{
    is_proxy_config, Auth, BindAddress, CheckAlive, Forward, Inactivity, Listener, ListenerKind,
    Target, TargetHost, WireGuardSource, DEFAULT_CHECK_ALIVE_INTERVAL, DEFAULT_MTU,
    DEFAULT_UDP_INACTIVITY,
};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

fn socket(text: &str) -> BindAddress {
    BindAddress::Socket(text.parse::<SocketAddr>().unwrap())
}

fn target(host: &str, port: u16) -> Target {
    let host = match host.parse::<IpAddr>() {
        Ok(ip) => TargetHost::Ip(ip),
        Err(_) => TargetHost::Name(host.to_string()),
    };
    Target { host, port }
}

#[test]
fn the_wireguard_part_is_the_wg_quick_model() {
    let text = format!(
        "[Interface]\nPrivateKey = {PRIV}\nAddress = 10.9.0.2/32, fd00:9::2/128\n\
         DNS = 10.9.0.1, fd00:9::1\nMTU = 1380\nListenPort = 51999\n\
         [Peer]\nPublicKey = {KEY2}\nPresharedKey = {PSK}\nAllowedIPs = 10.9.0.0/24\n\
         Endpoint = vpn.example.com:51820\nPersistentKeepalive = 25\n\
         [Peer]\nPublicKey = {PSK}\nAllowedIPs = 10.9.1.0/24, fd00:9:1::/48\n\
         [Socks5]\nBindAddress = 127.0.0.1:1080\n"
    );
    let config = parse(&text);
    let wg = &config.wireguard;
    let quick = &wg.interface.quick;
    assert!(matches!(wg.interface.private_key, Some(Some(_))));
    assert_eq!(wg.interface.listen_port, Some(51999));
    assert_eq!(quick.addresses.len(), 2);
    assert!(quick.addresses[1].ip.is_ipv6());
    assert_eq!(quick.dns_servers, ["10.9.0.1", "fd00:9::1"]);
    assert_eq!(config.mtu(), 1380);
    assert_eq!(wg.peers.len(), 2);
    assert!(wg.peers[0].preshared_key.is_some());
    assert_eq!(
        wg.peers[0].endpoint.as_ref().unwrap().text,
        "vpn.example.com:51820"
    );
    assert_eq!(wg.peers[0].persistent_keepalive, Some(25));
    assert_eq!(wg.peers[1].allowed_ips.len(), 2);
    assert_eq!(config.source, WireGuardSource::Inline);
    assert_eq!(config.check_alive, None);
}

#[test]
fn the_mtu_defaults_to_wireproxys() {
    let config = parse(&format!("{}[Socks5]\nBindAddress = 127.0.0.1:1\n", wg()));
    assert_eq!(config.wireguard.interface.quick.mtu, None);
    assert_eq!(config.mtu(), DEFAULT_MTU);
    assert_eq!(DEFAULT_MTU, 1420);
}

#[test]
fn listeners() {
    let text = format!(
        "{}[Socks5]\nBindAddress = 127.0.0.1:1080\nUsername = ann\nPassword = p a#ss\n\
         [http]\nBindAddress = [::1]:8080\nPassword = \"only;a#password\"\n\
         [Socks5]\n\
         [http]\nBindAddress = localhost:3128\n",
        wg()
    );
    let config = parse(&text);
    let expected = vec![
        Listener {
            line: 8,
            kind: ListenerKind::Socks5,
            bind: socket("127.0.0.1:1080"),
            // An unquoted `#` starts a comment; inner spaces stay.
            auth: Auth::UserPassword {
                username: "ann".into(),
                password: "p a".into(),
            },
        },
        Listener {
            line: 12,
            kind: ListenerKind::Http,
            bind: socket("[::1]:8080"),
            auth: Auth::UserPassword {
                username: String::new(),
                password: "only;a#password".into(),
            },
        },
        Listener {
            line: 15,
            kind: ListenerKind::Socks5,
            bind: BindAddress::default_listener(),
            auth: Auth::None,
        },
        Listener {
            line: 16,
            kind: ListenerKind::Http,
            bind: BindAddress::Host {
                name: "localhost".into(),
                port: 3128,
            },
            auth: Auth::None,
        },
    ];
    assert_eq!(config.listeners, expected);
    assert_eq!(config.forwards, vec![]);
}

#[test]
fn forwards() {
    let text = format!(
        "{}[TCPClientTunnel]\nBindAddress = :2222\nTarget = git.example:22\n\
         [UDPProxyTunnel]\nBindAddress = 127.0.0.1:53\nTarget = [fd00:9::1]:53\nInactivityTimeout = 0\n\
         [UDPProxyTunnel]\nBindAddress = 127.0.0.1:54\nTarget = 10.9.0.1:53\nInactivityTimeout = 30\n\
         [UDPProxyTunnel]\nBindAddress = 127.0.0.1:55\nTarget = 10.9.0.1:53\n\
         [TCPServerTunnel]\nListenPort = 8080\nTarget = localhost:80\n\
         [UDPServerTunnel]\nListenPort = 5353\nTarget = 127.0.0.1:53\nInactivityTimeout = 7\n\
         [STDIOTunnel]\nTarget = 10.9.0.1:22\n",
        wg()
    );
    let config = parse(&text);
    let expected = vec![
        Forward::TcpClient {
            line: 8,
            bind: BindAddress::Any(2222),
            target: target("git.example", 22),
        },
        Forward::UdpClient {
            line: 11,
            bind: socket("127.0.0.1:53"),
            target: target("fd00:9::1", 53),
            inactivity: Inactivity::Never,
        },
        Forward::UdpClient {
            line: 15,
            bind: socket("127.0.0.1:54"),
            target: target("10.9.0.1", 53),
            inactivity: Inactivity::After(Duration::from_secs(30)),
        },
        Forward::UdpClient {
            line: 19,
            bind: socket("127.0.0.1:55"),
            target: target("10.9.0.1", 53),
            inactivity: Inactivity::After(DEFAULT_UDP_INACTIVITY),
        },
        Forward::TcpServer {
            line: 22,
            listen_port: 8080,
            target: target("localhost", 80),
        },
        Forward::UdpServer {
            line: 25,
            listen_port: 5353,
            target: target("127.0.0.1", 53),
            inactivity: Inactivity::After(Duration::from_secs(7)),
        },
        Forward::Stdio {
            line: 29,
            target: target("10.9.0.1", 22),
        },
    ];
    assert_eq!(config.forwards, expected);
    assert_eq!(config.forwards[6].line(), 29);
}

#[test]
fn targets_show_as_written() {
    let shown: Vec<String> = [
        target("git.example", 22),
        target("fd00:9::1", 53),
        target("10.9.0.1", 53),
    ]
    .iter()
    .map(ToString::to_string)
    .collect();
    assert_eq!(shown, ["git.example:22", "[fd00:9::1]:53", "10.9.0.1:53"]);
}

#[test]
fn check_alive() {
    let text = format!(
        "[Interface]\nPrivateKey = {PRIV}\nAddress = 10.9.0.2/32\n\
         CheckAlive = 10.9.0.1, fd00:9::1\nCheckAliveInterval = 12\n\
         [Peer]\nPublicKey = {KEY2}\nAllowedIPs = 10.9.0.0/24\n[Socks5]\n"
    );
    let config = parse(&text);
    let expected = CheckAlive {
        targets: vec!["10.9.0.1".parse().unwrap(), "fd00:9::1".parse().unwrap()],
        interval: Duration::from_secs(12),
    };
    assert_eq!(config.check_alive, Some(expected));
    let text = text.replace("CheckAliveInterval = 12\n", "");
    let alive = parse(&text).check_alive.unwrap();
    assert_eq!(alive.interval, DEFAULT_CHECK_ALIVE_INTERVAL);
    assert_eq!(DEFAULT_CHECK_ALIVE_INTERVAL, Duration::from_secs(5));
}

#[test]
fn names_are_case_insensitive() {
    let text = format!(
        "[INTERFACE]\nprivatekey = {PRIV}\nADDRESS = 10.9.0.2/32\ncheckalive = 10.9.0.1\n\
         [peer]\npublickey = {KEY2}\nallowedips = 10.9.0.0/24\n\
         [SOCKS5]\nbindaddress = 127.0.0.1:1\nUSERNAME = u\npassword = p\n\
         [HTTP]\nBINDADDRESS = 127.0.0.1:2\n\
         [tcpclienttunnel]\nbindADDRESS = 127.0.0.1:3\ntarget = 10.9.0.1:3\n\
         [udpproxytunnel]\nBindaddress = 127.0.0.1:4\nTARGET = 10.9.0.1:4\ninactivitytimeout = 1\n\
         [tcpservertunnel]\nlistenport = 5\ntarget = 127.0.0.1:5\n\
         [UdpServerTunnel]\nLISTENPORT = 6\nTarget = 127.0.0.1:6\n\
         [stdiotunnel]\ntarget = 10.9.0.1:7\n"
    );
    let config = parse(&text);
    assert_eq!(config.listeners.len(), 2);
    assert_eq!(config.forwards.len(), 5);
    assert!(config.check_alive.is_some());
    assert_eq!(config.wireguard.peers.len(), 1);
    assert!(matches!(
        config.listeners[0].auth,
        Auth::UserPassword { .. }
    ));
}

#[test]
fn comments_quotes_and_whitespace() {
    let text = format!(
        "; a comment in wireproxy's other style\n[Interface] ; here too\n\
         PrivateKey = {PRIV} ; and after a value\n  Address = 10.9.0.2/32\t# tab\n\
         [Peer]\nPublicKey = \"{KEY2}\"\nAllowedIPs = 10.9.0.0/24\n\
         [ Socks5 ]\n   BindAddress   =   127.0.0.1:1080   \nUsername = \"a b\" # spaces kept\n\
         Password = \"x;y\"\n"
    );
    let config = parse(&text);
    assert_eq!(
        config.listeners[0].auth,
        Auth::UserPassword {
            username: "a b".into(),
            password: "x;y".into()
        }
    );
    assert_eq!(config.listeners[0].bind, socket("127.0.0.1:1080"));
}

#[test]
fn environment_variables() {
    let world = World::default()
        .var("WG_KEY", PRIV)
        .var("PROXY_PASSWORD", "s3cret")
        .var("TARGET", "10.9.0.1:22");
    let text = format!(
        "[Interface]\nPrivateKey = $WG_KEY\nAddress = 10.9.0.2/32\nPostUp = echo $HOME\n\
         [Peer]\nPublicKey = {KEY2}\nAllowedIPs = 10.9.0.0/24\n\
         [Socks5]\nUsername = $$dollar\nPassword = $PROXY_PASSWORD\n\
         [STDIOTunnel]\nTarget = $TARGET\n"
    );
    let checked = world.check(&text);
    assert_eq!(checked.errors, vec![]);
    let config = checked.config;
    assert!(matches!(
        config.wireguard.interface.private_key,
        Some(Some(_))
    ));
    // The hooks keep their `$` for the shell.
    assert_eq!(config.wireguard.interface.quick.post_up, ["echo $HOME"]);
    assert_eq!(
        config.listeners[0].auth,
        Auth::UserPassword {
            username: "$dollar".into(),
            password: "s3cret".into()
        }
    );
    assert_eq!(
        config.forwards[0],
        Forward::Stdio {
            line: 11,
            target: target("10.9.0.1", 22)
        }
    );
}

#[test]
fn a_password_is_not_in_debug_output() {
    let config = parse(&format!(
        "{}[http]\nUsername = u\nPassword = hunter2-secret\n",
        wg()
    ));
    let debug = format!("{config:?}");
    assert!(!debug.contains("hunter2"), "{debug}");
    assert!(debug.contains("(hidden)"), "{debug}");
}

#[test]
fn proxy_files_are_recognised() {
    assert!(is_proxy_config(b"WGConfig = a.conf\n"));
    assert!(is_proxy_config(b"wgconfig=a.conf\n"));
    assert!(is_proxy_config(b"[Interface]\n[peer]\n[socks5]\n"));
    assert!(is_proxy_config(b"[UDPServerTunnel]\n"));
    assert!(is_proxy_config(b"[ http ] # comment\n"));
    assert!(!is_proxy_config(b"[Interface]\nListenPort = 1\n[Peer]\n"));
    assert!(!is_proxy_config(b"# [Socks5]\n"));
    assert!(!is_proxy_config(b"[Interface]\nWGConfig = x\n"));
    assert!(!is_proxy_config(b""));
}

#[test]
fn binds_show_as_written() {
    assert_eq!(socket("[::1]:1080").to_string(), "[::1]:1080");
    assert_eq!(BindAddress::Any(80).to_string(), ":80");
    assert!(socket("[::1]:1").is_loopback());
    assert!(socket("127.0.0.2:1").is_loopback());
    assert!(!socket("0.0.0.0:1").is_loopback());
    assert!(!BindAddress::Any(1).is_loopback());
    let host = |name: &str| BindAddress::Host {
        name: name.into(),
        port: 1,
    };
    assert!(host("LocalHost").is_loopback());
    assert!(host("a.localhost.").is_loopback());
    assert!(!host("example.com").is_loopback());
}
