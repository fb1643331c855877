//! Shared test fixtures: a seeded device, a fake interface, and a handler over both.

use crate::apply::{apply, Interface};
use crate::error::{Errno, Error};
use crate::get::write_get;
use crate::model::SetRequest;
use crate::parse::parse_set;
use crate::server::Handler;
use ferrotun_proto::device::Device;
use ferrotun_proto::keys::{PrivateKey, PublicKey};
use ferrotun_proto::time::{Duration, FixedWallClock, Instant};
use rand_core::SeedableRng;

/// The wall clock every test device reads.
pub(crate) const WALL_SECS: u64 = 1_700_000_000;

/// The monotonic time tests apply requests at.
pub(crate) const NOW: Instant = Instant::from_nanos(1_000_000_000);

/// A device with a deterministic RNG and no private key.
pub(crate) fn device(seed: u64) -> Device {
    Device::new(
        Box::new(rand_chacha::ChaCha20Rng::seed_from_u64(seed)),
        Box::new(FixedWallClock(Duration::from_secs(WALL_SECS))),
    )
}

/// The private key made of 32 copies of `n`.
pub(crate) fn private(n: u8) -> PrivateKey {
    PrivateKey::from_bytes([n; 32])
}

/// The public key of [`private`]`(n)`.
pub(crate) fn public(n: u8) -> PublicKey {
    private(n).public_key()
}

/// A host side that records settings and can be told to fail.
#[derive(Debug, Default, Clone)]
pub(crate) struct FakeIface {
    pub(crate) port: u16,
    pub(crate) mark: u32,
    /// Ports that are "in use".
    pub(crate) busy_ports: Vec<u16>,
    /// Setting a mark fails (no CAP_NET_ADMIN).
    pub(crate) mark_fails: bool,
    /// (name, index) pairs for zones.
    pub(crate) zones: Vec<(String, u32)>,
}

impl Interface for FakeIface {
    fn listen_port(&self) -> u16 {
        self.port
    }
    fn set_listen_port(&mut self, port: u16) -> Result<(), Errno> {
        if self.busy_ports.contains(&port) {
            return Err(Errno::EADDRINUSE);
        }
        // Port 0 means "pick one".
        self.port = if port == 0 { 40000 } else { port };
        Ok(())
    }
    fn fwmark(&self) -> u32 {
        self.mark
    }
    fn set_fwmark(&mut self, mark: u32) -> Result<(), Errno> {
        if self.mark_fails {
            return Err(Errno::EADDRINUSE);
        }
        self.mark = mark;
        Ok(())
    }
    fn resolve_zone(&self, name: &str) -> Option<u32> {
        self.zones.iter().find(|(n, _)| n == name).map(|z| z.1)
    }
    fn zone_name(&self, index: u32) -> Option<String> {
        self.zones
            .iter()
            .find(|z| z.1 == index)
            .map(|z| z.0.clone())
    }
}

/// A device and its host side, served as one.
pub(crate) struct Fixture {
    pub(crate) device: Device,
    pub(crate) iface: FakeIface,
}

impl Fixture {
    pub(crate) fn new(seed: u64) -> Self {
        Fixture {
            device: device(seed),
            iface: FakeIface::default(),
        }
    }

    /// Parses and applies a `set` body (the lines after `set=1`).
    pub(crate) fn set(&mut self, body: &str) -> Result<(), Error> {
        let iface = &self.iface;
        let request = parse_set(body.as_bytes(), &|name| iface.resolve_zone(name))?;
        apply(&mut self.device, &mut self.iface, NOW, request)
    }

    /// The full `get` reply body as text.
    pub(crate) fn get(&self) -> String {
        let mut out = Vec::new();
        write_get(&self.device, &self.iface, &mut out);
        String::from_utf8(out).expect("get output is ASCII")
    }
}

impl Handler for Fixture {
    fn get(&mut self, out: &mut Vec<u8>) -> Result<(), Error> {
        write_get(&self.device, &self.iface, out);
        Ok(())
    }
    fn set(&mut self, request: SetRequest) -> Result<(), Error> {
        apply(&mut self.device, &mut self.iface, NOW, request)
    }
    fn resolve_zone(&self, name: &str) -> Option<u32> {
        self.iface.resolve_zone(name)
    }
}
