//! Proxy file tests: [`good`] files and what they mean, [`bad`] files and their errors,
//! [`import`] for `WGConfig`, [`lint`] for the warnings, [`fixtures`] for the files in the
//! shape of wireproxy's README.

use super::{check_proxy_bytes, parse_proxy_bytes, ProxyChecked, ProxyConfig, ProxyOptions};
use crate::error::Warning;
use crate::resolve::OfflineResolver;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

mod bad;
mod fixtures;
mod good;
mod import;
mod lint;

pub(super) const KEY1: &str = "jfw84P2V2ofy8SqprSFTLlminUGUguAsnKOfArz2S0w=";
pub(super) const KEY2: &str = "Dc4KBWL3qfFjh2q36U+dwFQYHztU+ZS/Vd9cssjM0Ho=";
pub(super) const PRIV: &str = "GH6X2HOSjtisa3HKsIIlMfc8gljKwDH+l7MX2WCzR3A=";
pub(super) const PSK: &str = "E2mzhd39E1UXjmTR5Csthlkb5h2x0P6Boh8lK4q4Cnw=";

/// A complete WireGuard part: lines 1-7. (KEY1 is the public key of PRIV.)
pub(super) fn wg() -> String {
    format!(
        "[Interface]\nPrivateKey = {PRIV}\nAddress = 10.9.0.2/32\nDNS = 10.9.0.1\n\
         [Peer]\nPublicKey = {KEY2}\nAllowedIPs = 10.9.0.0/24\n"
    )
}

/// A world to parse in: files under `/cfg` and environment variables.
#[derive(Default)]
pub(super) struct World {
    pub(super) files: HashMap<PathBuf, String>,
    pub(super) env: HashMap<String, String>,
}

impl World {
    pub(super) fn file(mut self, path: &str, text: &str) -> Self {
        self.files.insert(PathBuf::from(path), text.to_string());
        self
    }

    pub(super) fn var(mut self, name: &str, value: &str) -> Self {
        self.env.insert(name.to_string(), value.to_string());
        self
    }

    /// `check_proxy_bytes` of `text` as `proxy.conf` in `/cfg`.
    pub(super) fn check(&self, text: &str) -> ProxyChecked {
        let env = |name: &str| self.env.get(name).cloned();
        let read = |path: &Path| {
            self.files
                .get(path)
                .map(|t| t.clone().into_bytes())
                .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))
        };
        let mut resolver = OfflineResolver;
        let mut options = ProxyOptions {
            resolver: &mut resolver,
            env: &env,
            read: &read,
        };
        let checked = check_proxy_bytes(
            text.as_bytes(),
            Some("proxy.conf"),
            Path::new("/cfg"),
            &mut options,
        );
        // The first error is what parse_proxy_bytes gives, and only then does it fail.
        let parsed = parse_proxy_bytes(
            text.as_bytes(),
            Some("proxy.conf"),
            Path::new("/cfg"),
            &mut options,
        );
        match &parsed {
            Ok((config, warnings)) => {
                assert!(checked.errors.is_empty());
                assert_eq!(config, &checked.config);
                assert_eq!(warnings, &checked.warnings);
            }
            Err(e) => assert_eq!(Some(e), checked.errors.first()),
        }
        checked
    }
}

/// The configuration of a file that must have no error.
pub(super) fn parse(text: &str) -> ProxyConfig {
    let checked = World::default().check(text);
    assert_eq!(checked.errors, vec![], "for:\n{text}");
    checked.config
}

/// The errors of a file, as shown.
pub(super) fn errors(text: &str) -> Vec<String> {
    errors_in(&World::default(), text)
}

pub(super) fn errors_in(world: &World, text: &str) -> Vec<String> {
    world
        .check(text)
        .errors
        .iter()
        .map(ToString::to_string)
        .collect()
}

/// The one error of a file.
pub(super) fn error(text: &str) -> String {
    let errors = errors(text);
    assert_eq!(errors.len(), 1, "{errors:?} for:\n{text}");
    errors[0].clone()
}

/// The warnings of a file, as shown.
pub(super) fn warnings(text: &str) -> Vec<String> {
    World::default()
        .check(text)
        .warnings
        .iter()
        .map(Warning::to_string)
        .collect()
}
