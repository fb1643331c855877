//! `capture`: records the UDP datagrams sent to a target address, as an on-path attacker
//! sees them. A packet socket (AF_PACKET, cooked: IP packets without link headers) unbound
//! to any interface sees every IPv4 packet crossing any interface of the namespace, bridge
//! ports included. A bridged packet shows up once per port it crosses, so identical payloads
//! are recorded once.
//!
//! Each datagram is appended at once (and flushed) as a line `SRC DST HEX`, so the file is
//! complete whenever the process is stopped.

use crate::args::Args;
use socket2::{Domain, Protocol, Socket, Type};
use std::collections::HashSet;
use std::fmt::Write as _;
use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

const ETH_P_ALL: u16 = 0x0003;

/// A UDP datagram inside an unfragmented IPv4 packet: (source, destination, payload).
pub fn parse_udp4(packet: &[u8]) -> Option<(SocketAddr, SocketAddr, &[u8])> {
    if packet.len() < 20 || packet[0] >> 4 != 4 || packet[9] != 17 {
        return None;
    }
    let ihl = usize::from(packet[0] & 0x0f) * 4;
    let total = usize::from(u16::from_be_bytes([packet[2], packet[3]]));
    // Skip fragments: only whole datagrams can be replayed as they were.
    let fragment = u16::from_be_bytes([packet[6], packet[7]]) & 0x3fff;
    if fragment != 0 || ihl < 20 || total > packet.len() || total < ihl + 8 {
        return None;
    }
    let ip = |at: usize| {
        IpAddr::V4(Ipv4Addr::new(
            packet[at],
            packet[at + 1],
            packet[at + 2],
            packet[at + 3],
        ))
    };
    let udp = &packet[ihl..total];
    let port = |at: usize| u16::from_be_bytes([udp[at], udp[at + 1]]);
    let udp_len = usize::from(port(4));
    if udp_len < 8 || udp_len > udp.len() {
        return None;
    }
    let src = SocketAddr::new(ip(12), port(0));
    let dst = SocketAddr::new(ip(16), port(2));
    Some((src, dst, &udp[8..udp_len]))
}

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// `capture --target IP:PORT --out FILE [--duration S]`
pub fn run(args: &Args) -> Result<String, String> {
    let target = args.addr("target")?;
    let path = args.str("out")?;
    let duration = args.secs("duration", 30.0)?;
    let protocol = Protocol::from(i32::from(ETH_P_ALL.to_be()));
    let socket = Socket::new(Domain::PACKET, Type::DGRAM, Some(protocol))
        .map_err(|e| format!("packet socket (needs CAP_NET_RAW): {e}"))?;
    socket
        .set_read_timeout(Some(Duration::from_millis(100)))
        .map_err(|e| e.to_string())?;
    let mut out = std::fs::File::create(path).map_err(|e| format!("{path}: {e}"))?;
    // Tell whoever waits for the capture that it is running.
    writeln!(out, "# capturing").map_err(|e| e.to_string())?;
    let mut seen: HashSet<Vec<u8>> = HashSet::new();
    let mut by_type = [0u64; 5];
    let mut buf = vec![0u8; 65_536];
    let start = Instant::now();
    while start.elapsed() < duration {
        let n = match (&socket).read(&mut buf) {
            Ok(n) => n,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                continue
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(format!("capture: {e}")),
        };
        let Some((src, dst, payload)) = parse_udp4(&buf[..n]) else {
            continue;
        };
        if dst != target || !seen.insert(payload.to_vec()) {
            continue;
        }
        by_type[usize::from(payload.first().copied().unwrap_or(0).min(4))] += 1;
        writeln!(out, "{src} {dst} {}", hex(payload))
            .and_then(|()| out.flush())
            .map_err(|e| format!("{path}: {e}"))?;
    }
    Ok(format!(
        "mode=capture datagrams={} initiations={} responses={} cookies={} transport={}",
        seen.len(),
        by_type[1],
        by_type[2],
        by_type[3],
        by_type[4]
    ))
}
