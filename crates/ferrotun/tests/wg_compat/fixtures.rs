//! Test data: fresh keys, configuration files and synthetic `get` replies. Every endpoint
//! is a loopback address (or `localhost`), so the daemons' handshake attempts never leave
//! the machine.

use ferrotun_proto::keys::{PresharedKey, PrivateKey};
use rand_core::OsRng;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU16, Ordering};

pub struct KeyPair {
    pub private: String,
    pub public: String,
    pub private_hex: String,
    pub public_hex: String,
}

pub fn keypair() -> KeyPair {
    let key = PrivateKey::generate(&mut OsRng);
    let public = key.public_key();
    KeyPair {
        private: key.to_base64(),
        public: public.to_base64(),
        private_hex: key.to_hex(),
        public_hex: public.to_hex(),
    }
}

pub fn psk() -> (String, String) {
    let key = PresharedKey::generate(&mut OsRng);
    (key.to_base64(), key.to_hex())
}

/// A UDP port for this process: spread by PID, below the ephemeral range (32768 and up)
/// where other daemons' random ports land, never handed out twice by this process, and free
/// (on IPv4 and IPv6) when handed out.
pub fn port() -> u16 {
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let base = 20000 + (std::process::id() % 190) as u16 * 64;
    loop {
        let offset = NEXT.fetch_add(1, Ordering::Relaxed);
        let port = base + offset % 4096;
        let free = std::net::UdpSocket::bind(("0.0.0.0", port)).is_ok()
            && std::net::UdpSocket::bind(("::", port)).is_ok();
        if free {
            return port;
        }
    }
}

/// An endpoint of kind `i % 6`: IPv4, IPv6, scoped link-local, IPv4-mapped, none, name.
pub fn endpoint(i: usize) -> Option<String> {
    let port = 1000 + i;
    match i % 6 {
        0 => Some(format!("127.0.0.{}:{port}", i % 250 + 1)),
        1 => Some(format!("[::1]:{port}")),
        2 => Some(format!("[fe80::{:x}%lo]:{port}", i + 1)),
        3 => Some(format!("[::ffff:127.0.0.{}]:{port}", i % 250 + 1)),
        4 => None,
        _ => Some(format!("localhost:{port}")),
    }
}

/// A `[Peer]` section varying with `i`.
pub fn peer_section(i: usize, public: &str) -> String {
    let mut text = format!("[Peer]\nPublicKey = {public}\n");
    if i.is_multiple_of(3) {
        let _ = writeln!(text, "PresharedKey = {}", psk().0);
    }
    if i % 7 != 2 {
        let _ = write!(
            text,
            "AllowedIPs = 10.{}.{}.0/24, fd00::{:x}/128",
            i / 256,
            i % 256,
            i + 1
        );
        if i % 5 == 1 {
            let _ = write!(text, ", 172.16.{}.1/32, ::1.2.3.{}/128", i % 256, i % 256);
        }
        text.push('\n');
    }
    if let Some(endpoint) = endpoint(i) {
        let _ = writeln!(text, "Endpoint = {endpoint}");
    }
    match i % 4 {
        0 => text.push_str("PersistentKeepalive = 25\n"),
        1 => text.push_str("PersistentKeepalive = off\n"),
        2 => text.push_str("PersistentKeepalive = 65535\n"),
        _ => {}
    }
    text
}

/// A configuration with an interface section and `peers` varied peers.
pub fn config(port: u16, fwmark: Option<&str>, peers: usize) -> String {
    let mut text = format!(
        "[Interface]\nPrivateKey = {}\nListenPort = {port}\n",
        keypair().private
    );
    if let Some(mark) = fwmark {
        let _ = writeln!(text, "FwMark = {mark}");
    }
    for i in 0..peers {
        text.push('\n');
        text.push_str(&peer_section(i, &keypair().public));
    }
    text
}

/// A file under the temporary directory, removed on drop.
pub struct TempFile(String);

impl std::ops::Deref for TempFile {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for TempFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Writes `text` to a fresh file (unique in this process) and returns it.
pub fn temp_file(tag: &str, text: &str) -> TempFile {
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("ferrotun-wgc-{}-{n}-{tag}", std::process::id()));
    std::fs::write(&path, text).expect("write temp file");
    TempFile(path.display().to_string())
}

/// Seconds since the epoch.
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// One peer of a synthetic `get` reply.
pub struct ReplyPeer {
    pub public_hex: String,
    pub psk_hex: Option<String>,
    pub endpoint: Option<String>,
    pub handshake: (u64, u64),
    pub rx: u64,
    pub tx: u64,
    pub keepalive: u16,
    pub allowed: Vec<String>,
}

/// A `get` reply in wireguard-go's layout.
pub fn reply(private_hex: Option<&str>, port: u16, fwmark: u32, peers: &[ReplyPeer]) -> String {
    let mut text = String::new();
    if let Some(key) = private_hex {
        let _ = writeln!(text, "private_key={key}");
    }
    if port != 0 {
        let _ = writeln!(text, "listen_port={port}");
    }
    if fwmark != 0 {
        let _ = writeln!(text, "fwmark={fwmark}");
    }
    for peer in peers {
        let _ = writeln!(text, "public_key={}", peer.public_hex);
        let zero = "0".repeat(64);
        let _ = writeln!(
            text,
            "preshared_key={}",
            peer.psk_hex.as_deref().unwrap_or(&zero)
        );
        text.push_str("protocol_version=1\n");
        if let Some(endpoint) = &peer.endpoint {
            let _ = writeln!(text, "endpoint={endpoint}");
        }
        let _ = writeln!(
            text,
            "last_handshake_time_sec={}\nlast_handshake_time_nsec={}",
            peer.handshake.0, peer.handshake.1
        );
        let _ = writeln!(text, "tx_bytes={}\nrx_bytes={}", peer.tx, peer.rx);
        let _ = writeln!(text, "persistent_keepalive_interval={}", peer.keepalive);
        for ip in &peer.allowed {
            let _ = writeln!(text, "allowed_ip={ip}");
        }
    }
    text.push_str("errno=0\n\n");
    text
}
