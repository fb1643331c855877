//! Test traffic inside the tunnel: `send` numbers its datagrams, `sink` counts what arrives,
//! by source address, and notices any number that arrives twice (a replay that got through).

use crate::args::Args;
use std::collections::{BTreeMap, HashSet};
use std::io;
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

const MAGIC: &[u8; 4] = b"FTSQ";
/// Ends a sink early.
const STOP: &[u8; 4] = b"STOP";

/// `send --to IP:PORT [--bind IP:PORT] [--count N] [--first N] [--gap-ms N] [--stop]`
pub fn send(args: &Args) -> Result<String, String> {
    let to = args.addr("to")?;
    let bind = match args.has("bind") {
        true => args.addr("bind")?,
        false if to.is_ipv4() => SocketAddr::from(([0, 0, 0, 0], 0)),
        false => SocketAddr::from(([0u16; 8], 0)),
    };
    let socket = UdpSocket::bind(bind).map_err(|e| format!("bind {bind}: {e}"))?;
    if args.has("stop") {
        socket.send_to(STOP, to).map_err(|e| format!("send: {e}"))?;
        return Ok("mode=send stop=1".into());
    }
    let count: u64 = args.get("count", 10)?;
    let first: u64 = args.get("first", 0)?;
    let gap = Duration::from_millis(args.get("gap-ms", 5)?);
    let mut errors = 0;
    for seq in first..first + count {
        let mut msg = MAGIC.to_vec();
        msg.extend_from_slice(&seq.to_be_bytes());
        if socket.send_to(&msg, to).is_err() {
            errors += 1;
        }
        std::thread::sleep(gap);
    }
    Ok(format!("mode=send sent={} errors={errors}", count - errors))
}

/// `sink --bind IP:PORT [--duration S]`: counts numbered datagrams until a `send --stop`
/// arrives or the duration ends, then prints the tally.
pub fn sink(args: &Args) -> Result<String, String> {
    let bind = args.addr("bind")?;
    let duration = args.secs("duration", 30.0)?;
    let socket = UdpSocket::bind(bind).map_err(|e| format!("bind {bind}: {e}"))?;
    socket
        .set_read_timeout(Some(Duration::from_millis(100)))
        .map_err(|e| e.to_string())?;
    let mut seen = HashSet::new();
    let mut received = 0u64;
    let mut duplicates = 0u64;
    let mut by_source: BTreeMap<IpAddr, u64> = BTreeMap::new();
    let mut buf = [0u8; 2048];
    let start = Instant::now();
    while start.elapsed() < duration {
        let (n, from) = match socket.recv_from(&mut buf) {
            Ok(r) => r,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                continue
            }
            Err(e) => return Err(format!("recv: {e}")),
        };
        let msg = &buf[..n];
        if msg == STOP {
            break;
        }
        let Some(seq) = msg
            .strip_prefix(MAGIC)
            .and_then(|s| <[u8; 8]>::try_from(s).ok())
        else {
            continue;
        };
        received += 1;
        // A dual-stack sink sees IPv4 senders as ::ffff:a.b.c.d.
        let ip = from.ip().to_canonical();
        *by_source.entry(ip).or_default() += 1;
        if !seen.insert((ip, u64::from_be_bytes(seq))) {
            duplicates += 1;
        }
    }
    let sources: Vec<String> = by_source
        .iter()
        .map(|(ip, n)| format!("{ip}/{n}"))
        .collect();
    Ok(format!(
        "mode=sink received={received} unique={} duplicates={duplicates} from={}",
        seen.len(),
        if sources.is_empty() {
            "-".to_string()
        } else {
            sources.join(",")
        }
    ))
}
