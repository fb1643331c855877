//! `capture`: records the UDP datagrams sent to a target address, as an on-path attacker
//! sees them. A packet socket (AF_PACKET, raw: Ethernet frames, as every device of the
//! tests' namespaces has) unbound to any interface sees every IPv4 packet crossing any
//! interface of the namespace, bridge ports included. A bridged packet shows up once per port it crosses, so identical payloads
//! are recorded once.
//!
//! A UDP GSO send crosses veth and bridge ports as one super-packet; the socket asks for a
//! `virtio_net_hdr` before each frame (`PACKET_VNET_HDR`, which the kernel allows on raw
//! packet sockets only) and splits such a packet into the datagrams a physical wire would
//! carry, so every WireGuard message is recorded alone.
//!
//! Each datagram is appended at once (and flushed) as a line `SRC DST HEX`, so the file is
//! complete whenever the process is stopped.

use crate::args::Args;
use ferrotun_io::offload::{Gso, VirtioNetHdr, VNET_HDR_LEN};
use socket2::{Domain, Protocol, Socket, Type};
use std::collections::HashSet;
use std::fmt::Write as _;
use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

const ETH_P_ALL: u16 = 0x0003;
/// An Ethernet header, and the EtherType of IPv4 at its end.
const ETH_HLEN: usize = 14;
const ETH_P_IP: [u8; 2] = [0x08, 0x00];

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

/// The UDP datagrams in what the socket read (a `virtio_net_hdr` and an Ethernet frame):
/// source, destination and each datagram's payload.
fn udp_datagrams(read: &[u8]) -> Option<(SocketAddr, SocketAddr, std::slice::Chunks<'_, u8>)> {
    let (hdr, frame) = read.split_at_checked(VNET_HDR_LEN)?;
    let packet = frame
        .get(ETH_HLEN..)
        .filter(|_| frame[ETH_HLEN - 2..ETH_HLEN] == ETH_P_IP)?;
    let (src, dst, payload) = parse_udp4(packet)?;
    Some((src, dst, segments(hdr, payload)))
}

/// The datagrams of a UDP payload: itself, or the `gso_size` pieces of a UDP GSO super-packet.
fn segments<'a>(hdr: &[u8], payload: &'a [u8]) -> std::slice::Chunks<'a, u8> {
    let size = match VirtioNetHdr::decode(hdr) {
        Ok(h) if h.gso == Gso::UdpL4 && h.gso_size > 0 => usize::from(h.gso_size),
        _ => payload.len().max(1),
    };
    payload.chunks(size)
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
    let socket = Socket::new(Domain::PACKET, Type::RAW, Some(protocol))
        .map_err(|e| format!("packet socket (needs CAP_NET_RAW): {e}"))?;
    socket
        .set_read_timeout(Some(Duration::from_millis(100)))
        .map_err(|e| e.to_string())?;
    ferrotun_io::sys::enable_packet_vnet_hdr(socket.as_raw_fd())
        .map_err(|e| format!("PACKET_VNET_HDR: {e}"))?;
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
        let Some((src, dst, datagrams)) = udp_datagrams(&buf[..n]) else {
            continue;
        };
        if dst != target {
            continue;
        }
        for datagram in datagrams {
            if !seen.insert(datagram.to_vec()) {
                continue;
            }
            by_type[usize::from(datagram.first().copied().unwrap_or(0).min(4))] += 1;
            writeln!(out, "{src} {dst} {}", hex(datagram))
                .and_then(|()| out.flush())
                .map_err(|e| format!("{path}: {e}"))?;
        }
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

#[cfg(test)]
mod tests {
    use super::{segments, udp_datagrams};
    use ferrotun_io::offload::{Gso, VirtioNetHdr};

    fn gso(size: u16) -> [u8; 10] {
        VirtioNetHdr {
            gso: Gso::UdpL4,
            gso_size: size,
            ..VirtioNetHdr::default()
        }
        .to_bytes()
    }

    /// A UDP GSO super-packet is recorded as the datagrams the wire would carry.
    #[test]
    fn a_gso_super_packet_is_split_into_its_datagrams() {
        let payload: Vec<u8> = (0..250u8).collect();
        let pieces: Vec<usize> = segments(&gso(96), &payload).map(<[u8]>::len).collect();
        assert_eq!(pieces, [96, 96, 58]);
        let plain = VirtioNetHdr::default().to_bytes();
        assert_eq!(segments(&plain, &payload).count(), 1);
    }

    #[test]
    fn an_ethernet_frame_with_a_udp_datagram_is_parsed() {
        let mut read = gso(4).to_vec();
        read.extend_from_slice(&[0; 12]);
        read.extend_from_slice(&[0x08, 0x00]);
        // IPv4, 20-byte header, total 36, UDP, 10.0.0.1 -> 10.0.0.2; UDP 1 -> 2, length 16.
        read.extend_from_slice(&[0x45, 0, 0, 36, 0, 0, 0, 0, 64, 17, 0, 0]);
        read.extend_from_slice(&[10, 0, 0, 1, 10, 0, 0, 2, 0, 1, 0, 2, 0, 16, 0, 0]);
        read.extend_from_slice(&[1, 2, 3, 4, 5, 6, 7, 8]);
        let Some((src, dst, datagrams)) = udp_datagrams(&read) else {
            panic!("the frame should parse");
        };
        assert_eq!(
            (src.to_string(), dst.to_string()),
            ("10.0.0.1:1".into(), "10.0.0.2:2".into())
        );
        assert_eq!(
            datagrams.collect::<Vec<_>>(),
            [&[1, 2, 3, 4][..], &[5, 6, 7, 8]]
        );
        read[VNET_HDR_OFFSET_ETHERTYPE] = 0x86;
        assert!(udp_datagrams(&read).is_none(), "not IPv4");
    }

    /// Where the EtherType's first byte sits in a read.
    const VNET_HDR_OFFSET_ETHERTYPE: usize = 10 + 12;
}
