//! Arbitrary `ferrotun proxy` configuration files through `ferrotun_conf::proxy`.
//!
//! Input: the proxy file, then optionally a 0xFF byte and the file its `WGConfig` imports
//! (served for every path; without the byte, every import is "not found"). Names resolve
//! offline (`OfflineResolver`: form only); the environment holds `KEY` (a private key) and
//! `WORD` (`x y`).
//!
//! Checks, for every input: no panic; deterministic; `parse_proxy_bytes` fails exactly when
//! `check_proxy_bytes` reports errors, with the same first error, and otherwise gives the
//! same configuration and warnings; every error and warning names a file and, if it has a
//! line, one of that file's lines; every listener and forward sits at a line of the proxy
//! file; targets and tunnel ports are never 0; SOCKS5 credentials fit RFC 1929; `Debug`
//! never shows a password; an accepted file has a private key and an address.
#![no_main]

use ferrotun_conf::proxy::{
    check_proxy_bytes, parse_proxy_bytes, Auth, Forward, ListenerKind, ProxyChecked, ProxyOptions,
    WireGuardSource,
};
use ferrotun_conf::OfflineResolver;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

const NAME: &str = "proxy.conf";
const KEY: &str = "GH6X2HOSjtisa3HKsIIlMfc8gljKwDH+l7MX2WCzR3A=";

fuzz_target!(|data: &[u8]| {
    let (main, import) = match data.iter().position(|&b| b == 0xff) {
        Some(at) => (&data[..at], Some(&data[at + 1..])),
        None => (data, None),
    };
    let env = |name: &str| match name {
        "KEY" => Some(KEY.to_string()),
        "WORD" => Some("x y".to_string()),
        _ => None,
    };
    let read = |_: &Path| {
        import
            .map(<[u8]>::to_vec)
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))
    };
    let mut resolver = OfflineResolver;
    let mut options = ProxyOptions {
        resolver: &mut resolver,
        env: &env,
        read: &read,
    };
    let dir = Path::new("/cfg");
    let checked = check_proxy_bytes(main, Some(NAME), dir, &mut options);
    let again = check_proxy_bytes(main, Some(NAME), dir, &mut options);
    assert_eq!(checked, again, "checking is not deterministic");
    let parsed = parse_proxy_bytes(main, Some(NAME), dir, &mut options);
    match parsed {
        Ok((config, warnings)) => {
            assert!(checked.errors.is_empty(), "{:?}", checked.errors);
            assert_eq!(config, checked.config);
            assert_eq!(warnings, checked.warnings);
            let interface = &config.wireguard.interface;
            assert!(matches!(interface.private_key, Some(Some(_))));
            assert!(!interface.quick.addresses.is_empty());
        }
        Err(e) => assert_eq!(checked.errors.first(), Some(&e), "first error differs"),
    }
    locations(&checked, lines(main), import.map(lines));
    model(&checked, lines(main));
});

fn lines(text: &[u8]) -> usize {
    text.split(|&b| b == b'\n').count()
}

/// Every finding names the proxy file or the imported one, and a line of it.
fn locations(checked: &ProxyChecked, main: usize, import: Option<usize>) {
    let imported = match &checked.config.source {
        WireGuardSource::Imported { path, .. } => Some(path.display().to_string()),
        WireGuardSource::Inline => None,
    };
    let found = checked
        .errors
        .iter()
        .map(|e| (&e.path, e.line, &e.message))
        .chain(
            checked
                .warnings
                .iter()
                .map(|w| (&w.path, w.line, &w.message)),
        );
    for (path, line, message) in found {
        assert!(!message.is_empty());
        let path = path.as_deref().expect("every finding names its file");
        let count = if path == NAME {
            main
        } else {
            assert_eq!(Some(path), imported.as_deref(), "{message}");
            import.expect("an imported file was read")
        };
        assert!(
            line.is_none_or(|l| (1..=count).contains(&l)),
            "{path}:{line:?} {message}"
        );
    }
}

fn model(checked: &ProxyChecked, main: usize) {
    let config = &checked.config;
    for listener in &config.listeners {
        assert!((1..=main).contains(&listener.line));
        if let Auth::UserPassword { username, password } = &listener.auth {
            let debug = format!("{:?}", listener.auth);
            let expected =
                format!("UserPassword {{ username: {username:?}, password: \"(hidden)\" }}");
            assert_eq!(debug, expected);
            if listener.kind == ListenerKind::Socks5 {
                assert!((1..=255).contains(&username.len()));
                assert!(password.len() <= 255);
            }
        }
    }
    for forward in &config.forwards {
        assert!((1..=main).contains(&forward.line()));
        match forward {
            Forward::TcpClient { target, .. }
            | Forward::UdpClient { target, .. }
            | Forward::Stdio { target, .. } => assert_ne!(target.port, 0),
            Forward::TcpServer {
                listen_port,
                target,
                ..
            }
            | Forward::UdpServer {
                listen_port,
                target,
                ..
            } => {
                assert_ne!(*listen_port, 0);
                assert_ne!(target.port, 0);
            }
        }
    }
}
