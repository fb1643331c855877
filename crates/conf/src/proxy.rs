//! The configuration of `ferrotun proxy`: a wg-quick file plus wireproxy's proxy sections,
//! read so that a wireproxy configuration file works unchanged (docs/proxy-config.md).
//!
//! * `[Interface]` and `[Peer]` are the wg-quick model ([`Config`](crate::Config)), read by
//!   the same parser as `ferrotun up` reads them, plus wireproxy's `CheckAlive` and
//!   `CheckAliveInterval`. A top-level `WGConfig = path` reads them from another file
//!   instead (a relative path is taken from the proxy file's directory).
//! * `[Socks5]` and `[http]` become [`Listener`]s; `[TCPClientTunnel]`,
//!   `[UDPProxyTunnel]`, `[TCPServerTunnel]`, `[STDIOTunnel]` and ferrotun's
//!   `[UDPServerTunnel]` become [`Forward`]s. Sections may repeat; section and key names
//!   are ASCII case-insensitive; `;` comments and `$VARIABLE` values work as in wireproxy.
//!
//! [`check_proxy_bytes`] reports every error as `file:line: problem`, and warnings for what
//! is valid but probably a mistake, such as a proxy that anyone on the network may use (for
//! `ferrotun check`); [`parse_proxy_bytes`] gives the first error.

use crate::error::{Error, ErrorKind, Warning};
use crate::resolve::Resolver;
use std::path::{Path, PathBuf};

mod address;
mod conflicts;
mod lines;
mod lint;
mod model;
mod sections;
mod wg;

pub use model::{
    Auth, BindAddress, CheckAlive, Forward, Inactivity, Listener, ListenerKind, ProxyConfig,
    Target, TargetHost, WireGuardSource, DEFAULT_CHECK_ALIVE_INTERVAL, DEFAULT_MTU,
    DEFAULT_UDP_INACTIVITY,
};

use lines::{Line, LineKind, Section};

/// What the parser needs from its caller.
pub struct ProxyOptions<'a> {
    /// Resolves `Endpoint` host names and `ListenPort` service names.
    pub resolver: &'a mut dyn Resolver,
    /// Looks up the environment variables that `$NAME` values refer to.
    pub env: &'a dyn Fn(&str) -> Option<String>,
    /// Reads the file `WGConfig` names.
    pub read: &'a dyn Fn(&Path) -> std::io::Result<Vec<u8>>,
}

/// The process environment, for [`ProxyOptions::env`].
#[must_use]
pub fn system_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// The file system, for [`ProxyOptions::read`].
pub fn system_read(path: &Path) -> std::io::Result<Vec<u8>> {
    std::fs::read(path)
}

/// Every problem found in a proxy file, and what could be read despite them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProxyChecked {
    /// The configuration without the parts that failed.
    pub config: ProxyConfig,
    /// The errors, in line order (those of a `WGConfig` file at the `WGConfig` line, those
    /// about the whole file last).
    pub errors: Vec<Error>,
    /// The parser's warnings and the lints, in line order.
    pub warnings: Vec<Warning>,
}

/// Whether `text` is a proxy configuration rather than a plain wg(8) or wg-quick(8) file:
/// it has a proxy section or a top-level `WGConfig`.
#[must_use]
pub fn is_proxy_config(text: &[u8]) -> bool {
    lines::scan(text)
        .iter()
        .any(|line| match (&line.kind, line.section) {
            (LineKind::Header(_), Section::Proxy(_)) => true,
            (LineKind::Entry { key, .. }, Section::Preamble) => {
                key.eq_ignore_ascii_case("WGConfig")
            }
            _ => false,
        })
}

/// Reads and checks the proxy file at `path`.
pub fn check_proxy_file(path: &Path, options: &mut ProxyOptions<'_>) -> ProxyChecked {
    let name = path.display().to_string();
    match (options.read)(path) {
        Ok(text) => check_proxy_bytes(&text, Some(&name), &directory_of(path), options),
        Err(e) => ProxyChecked {
            errors: vec![io_error(&e).in_file(&name)],
            ..ProxyChecked::default()
        },
    }
}

/// Like [`check_proxy_file`], but stops at the first error.
pub fn parse_proxy_file(
    path: &Path,
    options: &mut ProxyOptions<'_>,
) -> Result<(ProxyConfig, Vec<Warning>), Error> {
    first_error(check_proxy_file(path, options))
}

/// Like [`check_proxy_bytes`], but gives the first error only.
pub fn parse_proxy_bytes(
    text: &[u8],
    name: Option<&str>,
    dir: &Path,
    options: &mut ProxyOptions<'_>,
) -> Result<(ProxyConfig, Vec<Warning>), Error> {
    first_error(check_proxy_bytes(text, name, dir, options))
}

fn first_error(checked: ProxyChecked) -> Result<(ProxyConfig, Vec<Warning>), Error> {
    match checked.errors.into_iter().next() {
        Some(error) => Err(error),
        None => Ok((checked.config, checked.warnings)),
    }
}

fn directory_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn io_error(e: &std::io::Error) -> Error {
    let message = crate::resolve::strip_os_error_suffix(&e.to_string()).to_string();
    Error::new(ErrorKind::Io, message)
}

/// Checks proxy configuration `text`; `name` is put in front of its errors and warnings, and
/// a relative `WGConfig` path is taken from `dir`.
pub fn check_proxy_bytes(
    text: &[u8],
    name: Option<&str>,
    dir: &Path,
    options: &mut ProxyOptions<'_>,
) -> ProxyChecked {
    let lines = lines::scan(text);
    let mut found = Findings::default();
    let mut own = Vec::new();
    let import = structure(&lines, Role::Main, &mut own);
    let mut config = ProxyConfig::default();
    let wireguard = match &import {
        None => Some(wg::read(&lines, name, options)),
        // Already an error; the WireGuard part is then simply absent.
        Some((_, written)) if written.is_empty() => None,
        Some((line, written)) => {
            let path = dir.join(written);
            config.source = WireGuardSource::Imported {
                line: *line,
                written: written.clone(),
                path: path.clone(),
            };
            imported(*line, &path, options, &mut own, &mut found)
        }
    };
    // Findings in an imported file are shown where the proxy file imports it.
    let import_line = import.as_ref().map(|(line, _)| *line);
    if let Some(part) = wireguard {
        let wg_name = match &config.source {
            WireGuardSource::Imported { path, .. } => Some(path.display().to_string()),
            WireGuardSource::Inline => name.map(str::to_string),
        };
        config.wireguard = part.config;
        config.check_alive = part.check_alive;
        let mut warnings = part.warnings;
        warnings.extend(lint::wireguard(&part.text, wg_name.as_deref(), &config));
        found.add(import_line, part.errors, warnings);
    }
    let sections = sections::read(&lines, options.env);
    own.extend(sections.errors);
    config.listeners = sections.listeners;
    config.forwards = sections.forwards;
    own.extend(conflicts::find(&config));
    let own = own.into_iter().map(|e| locate(e, name)).collect();
    found.add(None, own, lint::proxy(&config, name));
    found.finish(config)
}

/// Errors and warnings with the line they are sorted by.
#[derive(Default)]
struct Findings {
    errors: Vec<(usize, Error)>,
    warnings: Vec<(usize, Warning)>,
}

impl Findings {
    /// Adds findings of one file; `at` is the line they all sort at (an imported file's),
    /// otherwise each sorts at its own line, and one without a line last.
    fn add(&mut self, at: Option<usize>, errors: Vec<Error>, warnings: Vec<Warning>) {
        let key = |line: Option<usize>| at.or(line).unwrap_or(usize::MAX);
        self.errors
            .extend(errors.into_iter().map(|e| (key(e.line), e)));
        self.warnings
            .extend(warnings.into_iter().map(|w| (key(w.line), w)));
    }

    fn finish(mut self, config: ProxyConfig) -> ProxyChecked {
        // Stable: findings on one line keep the order they were found in.
        self.errors.sort_by_key(|(line, _)| *line);
        self.warnings.sort_by_key(|(line, _)| *line);
        ProxyChecked {
            config,
            errors: self.errors.into_iter().map(|(_, e)| e).collect(),
            warnings: self.warnings.into_iter().map(|(_, w)| w).collect(),
        }
    }
}

fn locate(error: Error, name: Option<&str>) -> Error {
    match name {
        Some(name) => error.in_file(name),
        None => error,
    }
}

/// Which file of a pair is being read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// The proxy's own file.
    Main,
    /// The file its `WGConfig` names: only `[Interface]` and `[Peer]`.
    Imported,
}

/// Checks what may stand where: the lines before the first section, unknown sections, and
/// the sections each role allows. Returns the `WGConfig` line and path of a main file.
fn structure(lines: &[Line], role: Role, errors: &mut Vec<Error>) -> Option<(usize, String)> {
    let syntax = |line: usize, message: String| Error::at(line, ErrorKind::Syntax, message);
    let mut import: Option<(usize, String)> = None;
    let mut wg_header = None;
    for line in lines {
        let n = line.number;
        match (&line.kind, line.section) {
            (LineKind::Entry { key, value }, Section::Preamble) => {
                if !key.eq_ignore_ascii_case("WGConfig") {
                    errors.push(syntax(
                        n,
                        format!("`{key}' is outside any section; only WGConfig can be given there"),
                    ));
                } else if role == Role::Imported {
                    errors.push(syntax(
                        n,
                        "WGConfig cannot be used in a file that WGConfig imports".into(),
                    ));
                } else if let Some((first, _)) = &import {
                    errors.push(syntax(
                        n,
                        format!("WGConfig is given again (first at line {first})"),
                    ));
                } else {
                    if value.is_empty() {
                        errors.push(syntax(n, "WGConfig has no value".into()));
                    }
                    import = Some((n, value.clone()));
                }
            }
            (LineKind::Other(text), Section::Preamble) => {
                errors.push(syntax(n, format!("Line unrecognized: `{text}'")));
            }
            (LineKind::Header(text), Section::Unknown) => {
                errors.push(syntax(n, format!("Line unrecognized: `{text}'")));
            }
            (LineKind::Header(_), Section::Proxy(kind)) if role == Role::Imported => {
                errors.push(syntax(
                    n,
                    format!(
                        "{} belongs in the proxy's own file, not in one that WGConfig imports",
                        kind.header()
                    ),
                ));
            }
            (LineKind::Header(_), Section::Interface | Section::Peer) if wg_header.is_none() => {
                wg_header = Some(n);
            }
            _ => {}
        }
    }
    if let (Some((line, path)), Some(header)) = (&import, wg_header) {
        errors.push(syntax(header, format!("this file imports [Interface] and [Peer] from `{path}' (WGConfig, line {line}), so it cannot have its own")));
    }
    import
}

/// Reads the file `WGConfig` names; its errors and warnings are located in it.
fn imported(
    line: usize,
    path: &Path,
    options: &mut ProxyOptions<'_>,
    own: &mut Vec<Error>,
    found: &mut Findings,
) -> Option<wg::WireGuard> {
    let name = path.display().to_string();
    let text = match (options.read)(path) {
        Ok(text) => text,
        Err(e) => {
            let message = format!("WGConfig: cannot read `{name}': {}", io_error(&e).message);
            own.push(Error::at(line, ErrorKind::Io, message));
            return None;
        }
    };
    let lines = lines::scan(&text);
    let mut errors = Vec::new();
    structure(&lines, Role::Imported, &mut errors);
    let errors = errors.into_iter().map(|e| e.in_file(&name)).collect();
    found.add(Some(line), errors, Vec::new());
    Some(wg::read(&lines, Some(&name), options))
}

#[cfg(test)]
mod tests;
