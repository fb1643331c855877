//! `garbage`: malformed datagrams at full rate: random bytes, truncated and over-long
//! messages of every type, wrong type words, non-zero reserved bytes, transport messages
//! for unknown sessions, empty datagrams and oversized ones up to the largest UDP payload.

use crate::args::Args;
use crate::blast::{paced, Blast, Tally};
use crate::rng::Rng;

/// The largest UDP payload over IPv4 (65,535 minus the IP and UDP headers).
pub const MAX_V4_PAYLOAD: usize = 65_507;
/// The largest over IPv6 (the payload-length field minus the UDP header).
pub const MAX_V6_PAYLOAD: usize = 65_527;

/// Kinds of garbage, in the order of the counters printed.
const KINDS: [&str; 9] = [
    "random",
    "truncated",
    "overlong",
    "oversized",
    "wrong_type",
    "reserved_bits",
    "bad_transport",
    "bad_fixed",
    "empty",
];

/// Exact lengths of the fixed-size messages (types 1, 2, 3).
const FIXED: [(u8, usize); 3] = [(1, 148), (2, 92), (3, 64)];

/// Writes one datagram of kind `kind` into `buf`; returns its length.
fn make(rng: &mut Rng, kind: usize, buf: &mut [u8], max: usize) -> usize {
    // Truncation also covers transport messages (shorter than their 32-byte minimum).
    let (t, fixed_len) = if kind == 1 && rng.below(4) == 0 {
        (4, 32)
    } else {
        FIXED[rng.below(FIXED.len())]
    };
    let len = match kind {
        0 => 1 + rng.below(300),
        // A known type word with too few bytes (transport needs at least 32).
        1 => 4 + rng.below(fixed_len - 4),
        2 => fixed_len + 1 + rng.below(1400),
        3 => 1500 + rng.below(max - 1500 + 1),
        4 | 5 | 7 => fixed_len,
        6 => 32 + rng.below(1400),
        _ => 0,
    };
    let out = &mut buf[..len];
    rng.fill(out);
    let type_word: [u8; 4] = match kind {
        1 | 2 | 7 => [t, 0, 0, 0],
        3 | 6 => [4, 0, 0, 0],
        4 => [5 + (rng.below(250) as u8), 0, 0, 0],
        // A known type with a non-zero reserved byte is an unknown type word.
        5 => [t, 0, 1 + (rng.below(255) as u8), 0],
        _ => return len,
    };
    let n = type_word.len().min(len);
    out[..n].copy_from_slice(&type_word[..n]);
    len
}

/// Datagrams per sendmmsg call.
const BATCH: u64 = 64;

/// Which kind to send next: mostly small ones; one in 32 is oversized (each of those is
/// dozens of IP fragments and costs as much as dozens of small datagrams).
fn pick(rng: &mut Rng) -> usize {
    match rng.below(32) {
        0 => 3,
        r => [0, 1, 2, 4, 5, 6, 7, 8][r % 8],
    }
}

/// `garbage --target IP:PORT [--duration S] [--rate N/s (0 = max)] [--sockets N]`
pub fn run(args: &Args) -> Result<String, String> {
    let target = args.addr("target")?;
    let duration = args.secs("duration", 3.0)?;
    let rate: u64 = args.get("rate", 0)?;
    let sockets: usize = args.get("sockets", 16)?;
    let max = if target.is_ipv4() {
        MAX_V4_PAYLOAD
    } else {
        MAX_V6_PAYLOAD
    };
    let mut blast = Blast::new(target, sockets).map_err(|e| format!("sockets: {e}"))?;
    let mut rng = Rng::from_os();
    // One batch of datagrams, rebuilt before every sendmmsg call.
    let mut bufs = vec![vec![0u8; MAX_V6_PAYLOAD]; BATCH as usize];
    let mut lens = vec![0usize; BATCH as usize];
    let mut per_kind = [0u64; KINDS.len()];
    let mut tally = Tally::default();
    let mut largest = 0;
    let elapsed = paced(duration, rate, BATCH, |n| {
        for (buf, len) in bufs.iter_mut().zip(lens.iter_mut()).take(n as usize) {
            let kind = pick(&mut rng);
            *len = make(&mut rng, kind, buf, max);
            largest = largest.max(*len);
            per_kind[kind] += 1;
        }
        let batch: Vec<&[u8]> = bufs
            .iter()
            .zip(&lens)
            .take(n as usize)
            .map(|(b, &l)| &b[..l])
            .collect();
        blast.send_many(&batch, &mut tally);
    });
    blast.finish(std::time::Duration::from_millis(200), &mut tally);
    let secs = elapsed.as_secs_f64().max(1e-9);
    let kinds: Vec<String> = KINDS
        .iter()
        .zip(per_kind)
        .map(|(k, n)| format!("{k}={n}"))
        .collect();
    Ok(format!(
        "mode=garbage sent={} send_errors={} secs={secs:.3} rate={:.0} mbytes={:.1} \
         largest={largest} replies={} {}",
        tally.sent,
        tally.send_errors,
        tally.sent as f64 / secs,
        tally.bytes as f64 / 1e6,
        tally.replies.iter().sum::<u64>(),
        kinds.join(" ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_malformed() {
        let mut rng = Rng::from_os();
        let mut buf = vec![0u8; MAX_V6_PAYLOAD];
        for _ in 0..20_000 {
            let kind = pick(&mut rng);
            let len = make(&mut rng, kind, &mut buf, MAX_V4_PAYLOAD);
            assert!(len <= MAX_V4_PAYLOAD);
            let parsed = ferrotun_proto::wire::parse(&buf[..len]);
            match kind {
                // Random bytes may happen to form a message; transports and fixed-size
                // messages parse but carry nothing valid.
                0 | 3 | 6 | 7 => {}
                _ => assert!(parsed.is_err(), "kind {} parsed: {len} bytes", KINDS[kind]),
            }
        }
    }
}
