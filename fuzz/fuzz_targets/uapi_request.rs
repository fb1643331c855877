//! Arbitrary client bytes on a UAPI connection, through `server::serve` with a real `Device`.
//!
//! Input: byte 0 chooses the read chunk size (1..=64 bytes, so requests arrive split at every
//! possible place) and whether the device starts with a private key and two peers; the rest
//! is what the client writes.
//!
//! Checks, for every input: no panic; the reply stream is a sequence of complete replies,
//! each ending in `errno=N` with N zero or a negative errno; every parsed `set` request
//! survives `encode` → `parse_set` unchanged (removed peers only keep `remove`); a `set` that
//! fails leaves the configuration byte for byte as it was; one that succeeds is idempotent
//! (applying it again changes nothing but counters); after every `set` the `get` reply lists
//! `device.peer_count()` peers, no prefix twice, and every listed prefix routes somewhere.
#![no_main]

use ferrotun_proto::device::Device;
use ferrotun_proto::keys::PrivateKey;
use ferrotun_proto::time::{Duration, FixedWallClock, Instant};
use ferrotun_uapi::{apply, parse_set, server, write_get, Errno, Error, Interface, SetRequest};
use libfuzzer_sys::fuzz_target;
use rand_core::SeedableRng;
use std::collections::HashSet;
use std::io::{self, Read, Write};

fuzz_target!(|data: &[u8]| {
    let Some((&control, stream)) = data.split_first() else {
        return;
    };
    let chunk = usize::from(control & 0x3f) + 1;
    let mut handler = Conn::new(control & 0x40 != 0);
    let mut conn = Stream {
        input: stream,
        chunk,
        output: Vec::new(),
    };
    let limits = server::Limits {
        max_line: 512,
        max_request: 16 * 1024,
    };
    // The stream never fails, so serve can only end because the client stopped.
    server::serve(&mut conn, &mut handler, &limits).expect("in-memory stream");
    check_replies(&conn.output);
});

/// The client side: hands out the input `chunk` bytes at a time, collects the replies.
struct Stream<'a> {
    input: &'a [u8],
    chunk: usize,
    output: Vec<u8>,
}

impl Read for Stream<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = buf.len().min(self.chunk).min(self.input.len());
        buf[..n].copy_from_slice(&self.input[..n]);
        self.input = &self.input[n..];
        Ok(n)
    }
}

impl Write for Stream<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.output.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The daemon's host side: port 7777 is "in use", marks always work, `eth0` is zone 2.
#[derive(Clone)]
struct Iface {
    port: u16,
    mark: u32,
}

impl Interface for Iface {
    fn listen_port(&self) -> u16 {
        self.port
    }
    fn set_listen_port(&mut self, port: u16) -> Result<(), Errno> {
        if port == 7777 {
            return Err(Errno::EADDRINUSE);
        }
        self.port = if port == 0 { 40000 } else { port };
        Ok(())
    }
    fn fwmark(&self) -> u32 {
        self.mark
    }
    fn set_fwmark(&mut self, mark: u32) -> Result<(), Errno> {
        self.mark = mark;
        Ok(())
    }
    fn resolve_zone(&self, name: &str) -> Option<u32> {
        (name == "eth0").then_some(2)
    }
    fn zone_name(&self, index: u32) -> Option<String> {
        (index == 2).then(|| "eth0".to_string())
    }
}

struct Conn {
    device: Device,
    iface: Iface,
}

fn device() -> Device {
    Device::new(
        Box::new(rand_chacha::ChaCha20Rng::seed_from_u64(7)),
        Box::new(FixedWallClock(Duration::from_secs(1_700_000_000))),
    )
}

const NOW: Instant = Instant::from_nanos(1_000_000_000);

impl Conn {
    fn new(populated: bool) -> Conn {
        let mut device = device();
        if populated {
            device.set_private_key(Some(PrivateKey::from_bytes([1; 32])));
            for n in [2u8, 3] {
                let public = PrivateKey::from_bytes([n; 32]).public_key();
                let id = device.add_peer(public).expect("room for two peers");
                let ip = format!("10.0.{n}.0").parse().expect("address");
                device.add_allowed_ip(id, ip, 24).expect("valid prefix");
            }
        }
        Conn {
            device,
            iface: Iface { port: 0, mark: 0 },
        }
    }

    fn snapshot(&self) -> Vec<u8> {
        let mut out = Vec::new();
        write_get(&self.device, &self.iface, &mut out);
        out
    }
}

impl server::Handler for Conn {
    fn get(&mut self, out: &mut Vec<u8>) -> Result<(), Error> {
        write_get(&self.device, &self.iface, out);
        Ok(())
    }

    fn set(&mut self, request: SetRequest) -> Result<(), Error> {
        check_round_trip(&request, &self.iface);
        let before = self.snapshot();
        let result = apply(&mut self.device, &mut self.iface, NOW, request.clone());
        let after = self.snapshot();
        match &result {
            Err(e) => {
                assert!(e.errno().code() < 0, "error without errno: {e:?}");
                assert!(before == after, "a failed set changed the configuration");
            }
            Ok(()) => {
                apply(&mut self.device, &mut self.iface, NOW, request)
                    .expect("the same request applies twice");
                assert_eq!(
                    without_counters(&self.snapshot()),
                    without_counters(&after),
                    "applying a request twice is not idempotent"
                );
            }
        }
        check_get(&self.device, &after);
        result
    }

    fn resolve_zone(&self, name: &str) -> Option<u32> {
        self.iface.resolve_zone(name)
    }
}

/// `encode` then `parse_set` gives the request back (a removed peer keeps only `remove`).
fn check_round_trip(request: &SetRequest, iface: &Iface) {
    let mut expected = request.clone();
    for peer in expected.peers.iter_mut().filter(|p| p.remove) {
        let mut bare = ferrotun_uapi::PeerChange::new(peer.public_key);
        bare.remove = true;
        bare.update_only = peer.update_only;
        bare.protocol_version = peer.protocol_version;
        *peer = bare;
    }
    let encoded = request.encode();
    let body = encoded
        .strip_prefix(b"set=1\n")
        .expect("encode writes set=1");
    let zone = |name: &str| iface.resolve_zone(name);
    let parsed = parse_set(body, &zone).expect("an encoded request parses");
    assert_eq!(parsed, expected, "encode/parse round trip");
}

/// Counters and handshake times move when a request sends a keepalive; nothing else may.
fn without_counters(get: &[u8]) -> Vec<u8> {
    get.split(|&b| b == b'\n')
        .filter(|l| {
            !(l.starts_with(b"tx_bytes=")
                || l.starts_with(b"rx_bytes=")
                || l.starts_with(b"last_handshake_time"))
        })
        .flat_map(|l| l.iter().copied().chain([b'\n']))
        .collect()
}

fn check_get(device: &Device, get: &[u8]) {
    let text = std::str::from_utf8(get).expect("get reply is text");
    let mut peers = 0;
    let mut prefixes = HashSet::new();
    for line in text.lines() {
        let (key, value) = line.split_once('=').expect("get lines are key=value");
        match key {
            "public_key" => peers += 1,
            "allowed_ip" => {
                assert!(prefixes.insert(value.to_string()), "{value} listed twice");
                let (ip, _) = value.split_once('/').expect("prefix");
                let ip = ip.parse().expect("address");
                assert!(
                    device.lookup_allowed_ip(ip).is_some(),
                    "{value} routes nowhere"
                );
            }
            _ => {}
        }
    }
    assert_eq!(peers, device.peer_count());
}

/// The output is whole replies, each ending with `errno=N\n\n`, N = 0 or a negative errno.
fn check_replies(output: &[u8]) {
    let text = std::str::from_utf8(output).expect("replies are text");
    let mut rest = text;
    while !rest.is_empty() {
        let end = rest
            .find("\n\n")
            .expect("every reply ends with a blank line");
        let reply = &rest[..end];
        let last = reply.lines().last().unwrap_or("");
        let errno: i64 = last
            .strip_prefix("errno=")
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("reply does not end with errno=N: {reply:?}"));
        assert!(errno <= 0, "positive errno {errno}");
        rest = &rest[end + 2..];
    }
}
