//! Parser tests: [`good`] files and what they mean, [`bad`] files and their one error.

use crate::error::{Error, Warning};
use crate::model::Config;
use crate::parse::{check_bytes, parse_bytes, parse_file, Checked, Dialect, ParseOptions};
use crate::resolve::{Resolver, SystemResolver};
use std::net::SocketAddr;

mod bad;
mod good;

pub(super) const KEY1: &str = "jfw84P2V2ofy8SqprSFTLlminUGUguAsnKOfArz2S0w=";
pub(super) const KEY2: &str = "Dc4KBWL3qfFjh2q36U+dwFQYHztU+ZS/Vd9cssjM0Ho=";
pub(super) const PRIV: &str = "GH6X2HOSjtisa3HKsIIlMfc8gljKwDH+l7MX2WCzR3A=";
pub(super) const PSK: &str = "E2mzhd39E1UXjmTR5Csthlkb5h2x0P6Boh8lK4q4Cnw=";

/// Numeric names through the system resolver; `vpn.example.com` is 192.0.2.80; any other
/// name does not exist. No DNS traffic.
pub(super) struct StubResolver;

impl Resolver for StubResolver {
    fn resolve_endpoint(
        &mut self,
        host: &str,
        service: &str,
        original: &str,
    ) -> Result<SocketAddr, Error> {
        if host == "vpn.example.com" {
            let port = self.resolve_port(service)?;
            return Ok(SocketAddr::new([192, 0, 2, 80].into(), port));
        }
        if host.parse::<std::net::IpAddr>().is_ok() || host.contains('%') {
            let mut notify = |_: &str| {};
            return SystemResolver::new(&mut notify).resolve_endpoint(host, service, original);
        }
        Err(Error::new(
            crate::ErrorKind::Syntax,
            format!("Name or service not known: `{original}'"),
        ))
    }

    fn resolve_port(&mut self, service: &str) -> Result<u16, Error> {
        let mut notify = |_: &str| {};
        SystemResolver::new(&mut notify).resolve_port(service)
    }
}

/// Parses `text` as file `test.conf`, returning the result and the warnings.
pub(super) fn parse_as(dialect: Dialect, text: &str) -> (Result<Config, Error>, Vec<Warning>) {
    let mut warnings = Vec::new();
    let mut warn = |w: &Warning| warnings.push(w.clone());
    let mut resolver = StubResolver;
    let mut options = ParseOptions {
        dialect,
        resolver: &mut resolver,
        warn: &mut warn,
    };
    let result = parse_bytes(text.as_bytes(), Some("test.conf"), &mut options);
    (result, warnings)
}

pub(super) fn parse(text: &str) -> Config {
    let (result, _) = parse_as(Dialect::Wg, text);
    result.unwrap_or_else(|e| panic!("{e}"))
}

/// Runs `f` with options for `dialect`: the stub resolver, warnings dropped.
pub(super) fn with_options<T>(dialect: Dialect, f: impl FnOnce(&mut ParseOptions<'_>) -> T) -> T {
    let mut warn = |_: &Warning| {};
    let mut resolver = StubResolver;
    let mut options = ParseOptions {
        dialect,
        resolver: &mut resolver,
        warn: &mut warn,
    };
    f(&mut options)
}

/// `check_bytes` of `text` as file `test.conf`.
pub(super) fn check_as(dialect: Dialect, text: &str) -> Checked {
    with_options(dialect, |options| {
        check_bytes(text.as_bytes(), Some("test.conf"), options)
    })
}

/// The single error line for `text`.
pub(super) fn error(text: &str) -> String {
    error_as(Dialect::Wg, text)
}

pub(super) fn error_as(dialect: Dialect, text: &str) -> String {
    match parse_as(dialect, text).0 {
        Ok(config) => panic!("parsed: {config:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn missing_and_unreadable_files() {
    let missing = std::path::Path::new("/nonexistent/ferrotun/wg0.conf");
    let e = with_options(Dialect::Wg, |options| parse_file(missing, options)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "/nonexistent/ferrotun/wg0.conf: No such file or directory"
    );
    assert_eq!(e.kind, crate::ErrorKind::Io);
    let dir = std::env::temp_dir();
    let e = with_options(Dialect::Wg, |options| parse_file(&dir, options)).unwrap_err();
    assert_eq!(e.to_string(), format!("{}: Is a directory", dir.display()));
}

#[test]
fn files_are_read() {
    let path = std::env::temp_dir().join(format!("ferrotun-conf-test-{}.conf", std::process::id()));
    std::fs::write(&path, format!("[Interface]\nPrivateKey = {PRIV}\n")).unwrap();
    let config = with_options(Dialect::Wg, |options| parse_file(&path, options));
    let _ = std::fs::remove_file(&path);
    assert!(config.unwrap().interface.private_key.is_some());
}

/// Random files built from meaningful pieces never make the parser panic, and every error
/// names a line of the file.
#[test]
fn random_files_never_panic() {
    const PIECES: [&str; 24] = [
        "[Interface]",
        "[Peer]",
        "[peer",
        "\n",
        "\n",
        " ",
        "#",
        "=",
        ",",
        "/",
        "+",
        "-",
        "\0",
        "PrivateKey",
        "PublicKey",
        "AllowedIPs",
        "Endpoint",
        "ListenPort",
        "FwMark",
        "PersistentKeepalive",
        "PresharedKey",
        "10.0.0.1",
        "[::1]:1",
        KEY1,
    ];
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    for _ in 0..3000 {
        let mut text = String::new();
        state ^= state << 13;
        let len = (state % 40) as usize;
        for _ in 0..len {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            text.push_str(PIECES[(state % PIECES.len() as u64) as usize]);
        }
        let lines = text.split('\n').count();
        for dialect in [Dialect::Wg, Dialect::WgQuick] {
            let first = parse_as(dialect, &text).0.err();
            let all = check_as(dialect, &text);
            // Checking finds the same first error, and more only where there are more.
            assert_eq!(all.errors.first(), first.as_ref(), "{text:?}");
            for e in &all.errors {
                assert!(
                    e.line.is_some_and(|l| l >= 1 && l <= lines),
                    "{e} for {text:?}"
                );
            }
            let _ = crate::lint::lint(text.as_bytes(), None, &all.config, dialect);
        }
    }
}
