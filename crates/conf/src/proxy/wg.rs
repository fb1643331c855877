//! The WireGuard part of a proxy file: `[Interface]` and `[Peer]`, handed to the wg-quick
//! parser ([`check_bytes`] with [`Dialect::WgQuick`]) so that they mean exactly what they
//! mean to `ferrotun up`.
//!
//! The parser is given a copy of the file in which every other line is blank, so that its
//! errors carry the file's own line numbers. Before that, each entry is read as the proxy
//! file's rules say ([`lines`](super::lines): `;` comments, quotes, `$VARIABLE` values), and
//! wireproxy's two keys of its own, `CheckAlive` and `CheckAliveInterval`, are taken out.

use super::address::{parse_ip_list, parse_seconds};
use super::lines::{expand, Line, LineKind, Section};
use super::model::{CheckAlive, DEFAULT_CHECK_ALIVE_INTERVAL};
use super::ProxyOptions;
use crate::error::{Error, ErrorKind, Warning};
use crate::model::Config;
use crate::parse::{check_bytes, Dialect, ParseOptions};
use std::time::Duration;

/// What the WireGuard sections of one file hold.
#[derive(Debug, Default)]
pub(crate) struct WireGuard {
    pub(crate) config: Config,
    pub(crate) check_alive: Option<CheckAlive>,
    /// The text the wg-quick parser read (for the lints).
    pub(crate) text: Vec<u8>,
    pub(crate) errors: Vec<Error>,
    pub(crate) warnings: Vec<Warning>,
}

/// The hooks keep a `$` for the shell that would run them, so they are not expanded.
const HOOKS: [&str; 4] = ["preup", "postup", "predown", "postdown"];

/// Reads the `[Interface]` and `[Peer]` sections of `lines`; `name` is the file's name.
pub(crate) fn read(
    lines: &[Line],
    name: Option<&str>,
    options: &mut ProxyOptions<'_>,
) -> WireGuard {
    let mut part = WireGuard::default();
    let mut targets = Vec::new();
    let mut interval: Option<(usize, u64)> = None;
    let mut alive_seen = false;
    for line in lines {
        let wg_line = match (&line.kind, line.section) {
            (_, Section::Interface | Section::Peer) => {
                let extra = (&mut targets, &mut interval, &mut alive_seen);
                wg_line(line, options.env, extra).unwrap_or_else(|e| {
                    part.errors.push(e);
                    String::new()
                })
            }
            _ => String::new(),
        };
        part.text.extend_from_slice(wg_line.as_bytes());
        part.text.push(b'\n');
    }
    let mut warnings = Vec::new();
    let mut warn = |w: &Warning| warnings.push(w.clone());
    let mut parse_options = ParseOptions {
        dialect: Dialect::WgQuick,
        resolver: &mut *options.resolver,
        warn: &mut warn,
    };
    let checked = check_bytes(&part.text, None, &mut parse_options);
    part.config = checked.config;
    part.errors.extend(checked.errors);
    part.warnings = warnings;
    match (alive_seen, interval) {
        (false, Some((line, _))) => part.errors.push(Error::at(
            line,
            ErrorKind::Invalid,
            "CheckAliveInterval is only valid when CheckAlive is set",
        )),
        (true, interval) => {
            part.check_alive = Some(CheckAlive {
                targets,
                interval: interval.map_or(DEFAULT_CHECK_ALIVE_INTERVAL, |(_, s)| {
                    Duration::from_secs(s)
                }),
            });
        }
        (false, None) => {}
    }
    part.errors.sort_by_key(|e| e.line);
    part.requirements(lines);
    if let Some(name) = name {
        part.errors = part.errors.into_iter().map(|e| e.in_file(name)).collect();
        for w in &mut part.warnings {
            w.path = Some(name.to_string());
        }
    }
    part
}

type Extra<'x> = (
    &'x mut Vec<std::net::IpAddr>,
    &'x mut Option<(usize, u64)>,
    &'x mut bool,
);

/// The line as the wg-quick parser is to see it (empty for the keys taken out).
fn wg_line(
    line: &Line,
    env: &dyn Fn(&str) -> Option<String>,
    (targets, interval, alive_seen): Extra<'_>,
) -> Result<String, Error> {
    let at = |e: Error| Error {
        line: Some(line.number),
        ..e
    };
    let (key, value) = match &line.kind {
        LineKind::Empty => return Ok(String::new()),
        LineKind::Header(text) | LineKind::Other(text) => return Ok(text.clone()),
        LineKind::Entry { key, value } => (key, value),
    };
    let lower = key.to_ascii_lowercase();
    if line.section == Section::Interface && lower == "checkalive" {
        *alive_seen = true;
        let value = expand("CheckAlive", value, env).map_err(at)?;
        targets.extend(parse_ip_list("CheckAlive", &value).map_err(at)?);
        return Ok(String::new());
    }
    if line.section == Section::Interface && lower == "checkaliveinterval" {
        let value = expand("CheckAliveInterval", value, env).map_err(at)?;
        let seconds = parse_seconds("CheckAliveInterval", &value, true).map_err(at)?;
        *interval = Some((line.number, seconds));
        return Ok(String::new());
    }
    if HOOKS.contains(&lower.as_str()) {
        return Ok(format!("{key} = {value}"));
    }
    Ok(format!("{key} = {}", expand(key, value, env).map_err(at)?))
}

impl WireGuard {
    /// What the proxy needs beyond what wg-quick needs: an `[Interface]` with a private key
    /// and an address to send from.
    /// A key whose line has an error is not reported again as missing (but `Address =`,
    /// which wg-quick accepts as no address, is).
    fn requirements(&mut self, lines: &[Line]) {
        let errors = &self.errors;
        let failed = |wanted: &str| {
            lines.iter().any(|l| {
                l.section == Section::Interface
                    && matches!(&l.kind, LineKind::Entry { key, .. } if key.eq_ignore_ascii_case(wanted))
                    && errors.iter().any(|e| e.line == Some(l.number))
            })
        };
        let interface = &self.config.interface;
        let Some(line) = interface.line else {
            self.errors.push(Error::new(
                ErrorKind::Invalid,
                "there is no [Interface] section; the proxy needs its PrivateKey and Address",
            ));
            return;
        };
        let missing_key = match interface.private_key {
            Some(Some(_)) => None,
            Some(None) => Some("[Interface] has the all-zero PrivateKey, which means no key"),
            None if failed("PrivateKey") => None,
            None => Some("[Interface] has no PrivateKey; the proxy needs one"),
        };
        let missing_address = interface.quick.addresses.is_empty() && !failed("Address");
        if let Some(message) = missing_key {
            self.errors
                .push(Error::at(line, ErrorKind::Invalid, message));
        }
        if missing_address {
            self.errors.push(Error::at(
                line,
                ErrorKind::Invalid,
                "[Interface] has no Address; the proxy needs the tunnel address it sends from",
            ));
        }
    }
}
