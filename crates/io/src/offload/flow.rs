//! Classifies decrypted packets for coalescing: which flow they belong to and whether they may be
//! merged at all.

use super::ip::{self, Ip, PROTO_TCP, PROTO_UDP};

/// IPv6 "next header" values that are transport protocols without ports: such packets cannot
/// hide a TCP/UDP header behind extension headers.
const IPV6_ICMP: u8 = 58;
const IPV6_NO_NEXT: u8 = 59;

/// The 5-tuple of a TCP or UDP flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct FlowKey {
    protocol: u8,
    v6: bool,
    src: [u8; 16],
    dst: [u8; 16],
    ports: [u8; 4],
}

impl FlowKey {
    fn new(pkt: &[u8], ip: &Ip) -> FlowKey {
        let (at, n) = ip::addr_span(ip.v6);
        let mut key = FlowKey {
            protocol: ip.protocol,
            v6: ip.v6,
            src: [0; 16],
            dst: [0; 16],
            ports: [0; 4],
        };
        key.src[..n].copy_from_slice(&pkt[at..at + n]);
        key.dst[..n].copy_from_slice(&pkt[at + n..at + 2 * n]);
        key.ports
            .copy_from_slice(&pkt[ip.header_len..ip.header_len + 4]);
        key
    }
}

/// A packet that may be merged with its flow's neighbours.
#[derive(Clone, Copy, Debug)]
pub(super) struct Segment {
    pub(super) key: FlowKey,
    pub(super) ip: Ip,
    /// Transport header length (with TCP options).
    pub(super) l4_len: usize,
    pub(super) payload: usize,
    /// TCP sequence and acknowledgement numbers (zero for UDP).
    pub(super) seq: u32,
    pub(super) ack: u32,
    pub(super) psh: bool,
}

/// What coalescing may do with one packet.
#[derive(Clone, Copy, Debug)]
pub(super) enum Class {
    /// Not understood (not IP, a fragment, IPv6 extension headers, truncated): it might belong to
    /// any flow, so no merge may cross it.
    Barrier,
    /// Unrelated to TCP/UDP flows (e.g. ICMP): passes through and affects nothing.
    Other,
    /// A TCP/UDP packet that is never merged (SYN, FIN, RST, URG, no payload, IP options, UDP
    /// when UDP GRO is off): its flow's earlier packets must not absorb later ones.
    Alone(FlowKey),
    /// A merge candidate.
    Segment(Segment),
}

/// Classifies `pkt`; `udp` says whether UDP datagrams may be coalesced (`TUN_F_USO*` accepted).
pub(super) fn classify(pkt: &[u8], udp: bool) -> Class {
    let Some(ip) = Ip::parse(pkt) else {
        return Class::Barrier;
    };
    let l4_len = match ip.protocol {
        PROTO_TCP => tcp_header_len(pkt, ip.header_len),
        PROTO_UDP => udp_header_len(pkt, ip.header_len),
        IPV6_ICMP | IPV6_NO_NEXT => return Class::Other,
        _ if !ip.v6 => return Class::Other,
        _ => return Class::Barrier,
    };
    let Some(l4_len) = l4_len else {
        return Class::Barrier;
    };
    let key = FlowKey::new(pkt, &ip);
    let payload = pkt.len() - ip.header_len - l4_len;
    let plain_ip = ip.header_len
        == if ip.v6 {
            ip::IPV6_LEN
        } else {
            ip::IPV4_MIN_LEN
        };
    if !plain_ip || payload == 0 {
        return Class::Alone(key);
    }
    let mut segment = Segment {
        key,
        ip,
        l4_len,
        payload,
        seq: 0,
        ack: 0,
        psh: false,
    };
    if ip.protocol == PROTO_UDP {
        return if udp {
            Class::Segment(segment)
        } else {
            Class::Alone(key)
        };
    }
    let tcp = &pkt[ip.header_len..];
    let flags = tcp[ip::TCP_FLAGS_AT];
    // Only plain data segments merge; anything with SYN/FIN/RST/URG/ECE/CWR changes state the
    // receiver must see on its own packet (the kernel's tcp_gro_receive flushes on these too).
    if flags != ip::TCP_ACK && flags != ip::TCP_ACK | ip::TCP_PSH {
        return Class::Alone(key);
    }
    segment.seq = ip::get_u32(tcp, 4);
    segment.ack = ip::get_u32(tcp, 8);
    segment.psh = flags & ip::TCP_PSH != 0;
    Class::Segment(segment)
}

fn tcp_header_len(pkt: &[u8], at: usize) -> Option<usize> {
    let len = usize::from(pkt.get(at + 12)? >> 4) * 4;
    (len >= ip::TCP_MIN_LEN && at + len <= pkt.len()).then_some(len)
}

fn udp_header_len(pkt: &[u8], at: usize) -> Option<usize> {
    let whole =
        at + ip::UDP_LEN <= pkt.len() && usize::from(ip::get_u16(pkt, at + 4)) == pkt.len() - at;
    whole.then_some(ip::UDP_LEN)
}

/// Whether the checksums of a classified packet verify: the IPv4 header's, which a merged packet
/// gets recomputed, and unless `trust_l4` the transport one. An IPv4 UDP datagram without a
/// checksum (zero) is accepted: merging gives it one, and there was nothing to check.
pub(super) fn checksum_ok(pkt: &[u8], ip: &Ip, trust_l4: bool) -> bool {
    if !ip.v6 && !super::checksum::verifies(0, &pkt[..ip.header_len]) {
        return false;
    }
    if trust_l4 {
        return true;
    }
    let l4 = &pkt[ip.header_len..];
    if ip.protocol == PROTO_UDP && !ip.v6 && ip::get_u16(l4, 6) == 0 {
        return true;
    }
    let pseudo = ip::pseudo_sum(pkt, ip.v6, ip.protocol, l4.len());
    super::checksum::verifies(pseudo, l4)
}
