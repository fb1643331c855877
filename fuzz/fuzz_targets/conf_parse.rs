//! Arbitrary configuration files through `ferrotun-conf` and on into UAPI.
//!
//! Input: byte 0 picks the dialect (bit 0: wg-quick) and the command (bit 1: `addconf`,
//! else `setconf`); the rest is the file. Names resolve offline and deterministically:
//! numeric addresses as written, a plausible host name to an address derived from it, port
//! names `wireguard` (51820) and `domain` (53); anything else is a resolution error.
//!
//! Checks, for every input: no panic; parsing is deterministic; `parse_bytes` succeeds exactly
//! when `check_bytes` finds no error, and then both give the same configuration, otherwise
//! `check_bytes` reports `parse_bytes`'s error first; every error and warning is located at a
//! line of the file; a wg(8) parse has no wg-quick settings; no public key appears in two
//! sections; and an accepted file becomes a request (as `wg setconf`/`addconf` build it)
//! that survives `encode` → `parse_set` and applies to a device, which then has exactly the
//! file's peers (but the device's own key) with only prefixes the file gave them.
#![no_main]

use ferrotun_conf::{
    check_bytes, parse_bytes, Config, Dialect, Error, ErrorKind, ParseOptions, Resolver, Warning,
};
use ferrotun_proto::device::Device;
use ferrotun_proto::time::{Duration, FixedWallClock, Instant};
use ferrotun_uapi::{apply, parse_set, Errno, Interface, SetRequest};
use libfuzzer_sys::fuzz_target;
use rand_core::SeedableRng;
use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

fuzz_target!(|data: &[u8]| {
    let Some((&control, text)) = data.split_first() else {
        return;
    };
    let dialect = if control & 1 == 0 {
        Dialect::Wg
    } else {
        Dialect::WgQuick
    };
    let lines = text.split(|&b| b == b'\n').count();
    let (first, warnings) = parse(text, dialect);
    let (again, _) = parse(text, dialect);
    assert_eq!(first, again, "parsing is not deterministic");
    for w in &warnings {
        assert!(w.line.is_some_and(|l| (1..=lines).contains(&l)), "{w:?}");
    }
    check_against_check_bytes(text, dialect, &first, lines);
    let Ok(config) = first else {
        return;
    };
    if dialect == Dialect::Wg {
        assert_eq!(config.interface.quick, Default::default());
    }
    let mut keys = HashSet::new();
    assert!(config.peers.iter().all(|p| keys.insert(p.public_key)));
    // What `wg addconf` (only what the file says) or `wg setconf` (everything) sends.
    let request = if control & 2 != 0 {
        ferrotun_quick::wgconf::addconf_request(&config)
    } else {
        ferrotun_quick::wgconf::setconf_request(&config)
    };
    let encoded = request.encode();
    let body = encoded
        .strip_prefix(b"set=1\n")
        .expect("encode writes set=1");
    let parsed = parse_set(body, &|_| None).expect("an encoded request parses");
    assert_eq!(parsed, request, "encode/parse round trip");
    check_applied(&config, request);
});

fn parse(text: &[u8], dialect: Dialect) -> (Result<Config, Error>, Vec<Warning>) {
    let mut warnings = Vec::new();
    let mut warn = |w: &Warning| warnings.push(w.clone());
    let mut resolver = FakeResolver;
    let mut options = ParseOptions {
        dialect,
        resolver: &mut resolver,
        warn: &mut warn,
    };
    let result = parse_bytes(text, Some("fuzz.conf"), &mut options);
    (result, warnings)
}

fn check_against_check_bytes(
    text: &[u8],
    dialect: Dialect,
    first: &Result<Config, Error>,
    lines: usize,
) {
    let mut warn = |_: &Warning| {};
    let mut resolver = FakeResolver;
    let mut options = ParseOptions {
        dialect,
        resolver: &mut resolver,
        warn: &mut warn,
    };
    let checked = check_bytes(text, Some("fuzz.conf"), &mut options);
    for e in &checked.errors {
        assert!(!e.message.is_empty());
        assert_eq!(e.path.as_deref(), Some("fuzz.conf"));
        assert!(e.line.is_some_and(|l| (1..=lines).contains(&l)), "{e:?}");
    }
    match first {
        Ok(config) => {
            assert!(checked.errors.is_empty(), "{:?}", checked.errors);
            assert_eq!(&checked.config, config);
        }
        Err(e) => assert_eq!(checked.errors.first(), Some(e), "first error differs"),
    }
}

fn check_applied(config: &Config, request: SetRequest) {
    let mut device = Device::new(
        Box::new(rand_chacha::ChaCha20Rng::seed_from_u64(3)),
        Box::new(FixedWallClock(Duration::from_secs(1_700_000_000))),
    );
    let mut iface = Iface(0, 0);
    apply(&mut device, &mut iface, Instant::from_nanos(1), request).expect("a parsed file applies");
    let own = device.public_key().copied();
    let expected: HashSet<_> = config
        .peers
        .iter()
        .map(|p| p.public_key)
        .filter(|k| Some(k) != own.as_ref())
        .collect();
    assert_eq!(device.peer_count(), expected.len());
    for peer in &config.peers {
        let Some(id) = device.peer_id(&peer.public_key) else {
            assert_eq!(Some(peer.public_key), own);
            continue;
        };
        let given: HashSet<(IpAddr, u8)> = peer
            .allowed_ips
            .iter()
            .map(|a| ferrotun_uapi::model::mask(a.ip, a.cidr))
            .collect();
        for prefix in device.allowed_ips(id) {
            assert!(given.contains(&prefix), "{prefix:?} was not in the file");
        }
    }
}

struct Iface(u16, u32);

impl Interface for Iface {
    fn listen_port(&self) -> u16 {
        self.0
    }
    fn set_listen_port(&mut self, port: u16) -> Result<(), Errno> {
        self.0 = port;
        Ok(())
    }
    fn fwmark(&self) -> u32 {
        self.1
    }
    fn set_fwmark(&mut self, mark: u32) -> Result<(), Errno> {
        self.1 = mark;
        Ok(())
    }
}

/// Offline, deterministic name resolution (no DNS from a fuzzer).
struct FakeResolver;

fn port(service: &str) -> Result<u16, Error> {
    match service {
        "wireguard" => Ok(51820),
        "domain" => Ok(53),
        _ => service.parse().map_err(|_| {
            Error::new(
                ErrorKind::Syntax,
                format!("Servname not supported: `{service}'"),
            )
        }),
    }
}

impl Resolver for FakeResolver {
    fn resolve_endpoint(
        &mut self,
        host: &str,
        service: &str,
        original: &str,
    ) -> Result<SocketAddr, Error> {
        let port = port(service)?;
        if let Ok(ip) = host.parse::<IpAddr>() {
            return Ok(SocketAddr::new(ip, port));
        }
        let plausible = !host.is_empty()
            && host.len() <= 253
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
        if !plausible {
            return Err(Error::new(
                ErrorKind::Syntax,
                format!("Name or service not known: `{original}'"),
            ));
        }
        let sum = host
            .bytes()
            .fold(0u32, |a, b| a.wrapping_mul(31).wrapping_add(b.into()));
        Ok(SocketAddr::new(
            Ipv4Addr::from((sum & 0x00ff_ffff) | 0x0a00_0000).into(),
            port,
        ))
    }

    fn resolve_port(&mut self, service: &str) -> Result<u16, Error> {
        port(service)
    }
}
