//! `flood`: handshake initiations to the target with a valid mac1 for its public key, each
//! from a fresh random static key and ephemeral key, so the target cannot tell them from real
//! initiations of unknown peers without a Diffie-Hellman. The messages are built before the
//! clock starts (a pool, cycled), then sent from many source ports at a paced rate.

use crate::args::Args;
use crate::blast::{paced, Blast, Tally};
use ferrotun_proto::cookie::CookieGenerator;
use ferrotun_proto::keys::{PresharedKey, PrivateKey, PublicKey};
use ferrotun_proto::noise::{Handshake, StaticIdentity};
use ferrotun_proto::time::Instant as ProtoInstant;
use ferrotun_proto::wire::HandshakeInitiation;
use rand_core::{OsRng, RngCore};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Datagrams per sendmmsg call.
const BATCH: u64 = 64;

/// One initiation from a random identity to `target`, mac1 filled in, mac2 zero.
pub fn initiation(target: &PublicKey) -> Result<[u8; HandshakeInitiation::LEN], String> {
    let identity = StaticIdentity::new(PrivateKey::generate(&mut OsRng));
    let mut handshake = Handshake::new(Some(&identity), *target, PresharedKey::from_bytes([0; 32]));
    let wall = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let msg = handshake
        .create_initiation(
            &identity,
            PrivateKey::generate(&mut OsRng),
            wall,
            OsRng.next_u32(),
        )
        .map_err(|e| format!("cannot build an initiation: {e}"))?;
    let mut bytes = msg.to_bytes();
    CookieGenerator::new(target).add_macs(ProtoInstant::ZERO, &mut bytes);
    Ok(bytes)
}

/// `size` initiations, built before the clock starts; returns them and the seconds it took.
fn build_pool(
    args: &Args,
    key: &PublicKey,
    size: usize,
) -> Result<(Vec<[u8; HandshakeInitiation::LEN]>, f64), String> {
    let built = Instant::now();
    let mut pool = (0..size.max(1))
        .map(|_| initiation(key))
        .collect::<Result<Vec<_>, _>>()?;
    // For comparison: initiations the target drops at its first, cheapest check.
    if args.has("bad-mac1") {
        for msg in &mut pool {
            msg[HandshakeInitiation::MAC1_OFFSET] ^= 1;
        }
    }
    Ok((pool, built.elapsed().as_secs_f64()))
}

pub fn target_key(args: &Args) -> Result<PublicKey, String> {
    let text = args.str("key")?;
    PublicKey::from_base64(text).map_err(|e| format!("--key: {e}"))
}

/// `flood --target IP:PORT --key BASE64 [--rate N/s (0 = max)] [--duration S] [--sockets N]
/// [--pool N] [--threads N] [--bad-mac1]`
pub fn run(args: &Args) -> Result<String, String> {
    let target = args.addr("target")?;
    let key = target_key(args)?;
    let rate: u64 = args.get("rate", 100_000)?;
    let duration = args.secs("duration", 5.0)?;
    let sockets: usize = args.get("sockets", 8)?;
    let pool_size: usize = args.get("pool", 2048)?;
    let threads: usize = args.get::<usize>("threads", 1)?.max(1);
    let (pool, build_secs) = build_pool(args, &key, pool_size)?;
    let per_thread_rate = rate / threads as u64;
    let per_thread_sockets = (sockets / threads).max(1);
    let (tally, elapsed) = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let pool = &pool;
                scope.spawn(move || {
                    let mut blast = Blast::new(target, per_thread_sockets)
                        .map_err(|e| format!("sockets: {e}"))?;
                    let mut tally = Tally::default();
                    let mut i = t * 7919;
                    let mut batch: Vec<&[u8]> = Vec::with_capacity(BATCH as usize);
                    let elapsed = paced(duration, per_thread_rate, BATCH, |n| {
                        batch.clear();
                        batch.extend((i..i + n as usize).map(|j| &pool[j % pool.len()][..]));
                        i += n as usize;
                        blast.send_many(&batch, &mut tally);
                    });
                    blast.finish(Duration::from_millis(300), &mut tally);
                    Ok::<_, String>((tally, elapsed))
                })
            })
            .collect();
        let mut total = Tally::default();
        let mut longest = Duration::ZERO;
        for h in handles {
            let (tally, elapsed) = h.join().map_err(|_| "sender thread failed".to_string())??;
            total.add(&tally);
            longest = longest.max(elapsed);
        }
        Ok::<_, String>((total, longest))
    })?;
    let secs = elapsed.as_secs_f64().max(1e-9);
    Ok(format!(
        "mode=flood sent={} send_errors={} secs={secs:.3} rate={:.0} cookie_replies={} \
         responses={} other_replies={} pool={} pool_build_secs={build_secs:.2}",
        tally.sent,
        tally.send_errors,
        tally.sent as f64 / secs,
        tally.replies[3],
        tally.replies[2],
        tally.replies[0] + tally.replies[1] + tally.replies[4],
        pool.len(),
    ))
}

/// `probe --target IP:PORT --key BASE64 [--wait S]`: one fresh initiation, then reports the
/// type of the first reply (`cookie`, `response`, `other` or `none`). A device under load
/// answers with a cookie reply; one that is not stays silent for an unknown peer.
pub fn probe(args: &Args) -> Result<String, String> {
    let target = args.addr("target")?;
    let key = target_key(args)?;
    let wait = args.secs("wait", 1.0)?;
    let msg = initiation(&key)?;
    let mut blast = Blast::new(target, 1).map_err(|e| format!("socket: {e}"))?;
    let mut tally = Tally::default();
    blast.send(&msg, &mut tally);
    let start = Instant::now();
    while start.elapsed() < wait && tally.replies.iter().sum::<u64>() == 0 {
        blast.finish(Duration::from_millis(20), &mut tally);
    }
    let reply = match tally.replies {
        [_, _, _, c, _] if c > 0 => "cookie",
        [_, _, r, _, _] if r > 0 => "response",
        r if r.iter().sum::<u64>() > 0 => "other",
        _ => "none",
    };
    Ok(format!("mode=probe sent={} reply={reply}", tally.sent))
}
