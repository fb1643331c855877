//! The file parser: lines, sections and keys, as wireguard-tools' `config.c` reads them.
//!
//! * A line runs to `\n` (a NUL byte ends it early, as in C); `#` starts a comment.
//! * Every whitespace byte is removed before anything else, so `Public Key = x` is
//!   `PublicKey=x`.
//! * Section headers and keys are ASCII case-insensitive; a key needs a non-empty value.
//! * Keys outside a section, unknown keys and unknown headers are "Line unrecognized".
//!
//! ferrotun is stricter than `wg` in two ways, both reported at the offending line: a second
//! `[Interface]` section, and a second `[Peer]` section for the same public key.
//!
//! [`parse_bytes`] and [`parse_file`] stop at the first error, as `wg` does. [`check_bytes`]
//! and [`check_file`] read on and collect every error (for `ferrotun check`): after a bad
//! line the parser carries on with the next one, a second `[Interface]` is merged into the
//! first, and the keys under an unrecognized section header are skipped, so that one mistake
//! is reported once rather than as a cascade.

use crate::error::{Error, ErrorKind, Warning};
use crate::model::{Config, Endpoint, Peer};
use crate::quick;
use crate::resolve::Resolver;
use crate::value::{self, is_wg_space};
use ferrotun_proto::keys::{PresharedKey, PublicKey};
use std::collections::HashMap;
use std::path::Path;

/// Which program's view of the file to take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Dialect {
    /// wg(8): the wg-quick keys are unknown keys.
    #[default]
    Wg,
    /// wg-quick(8): `Address`, `DNS`, `MTU`, `Table`, `PreUp`, `PostUp`, `PreDown`,
    /// `PostDown` and `SaveConfig` are read from `[Interface]` into
    /// [`QuickSettings`](crate::model::QuickSettings).
    WgQuick,
}

/// What the parser needs from its caller.
pub struct ParseOptions<'a> {
    /// wg(8) or wg-quick(8) rules.
    pub dialect: Dialect,
    /// Resolves endpoints and port names.
    pub resolver: &'a mut dyn Resolver,
    /// Receives warnings as they are found (before any later error).
    pub warn: &'a mut dyn FnMut(&Warning),
}

/// Every problem found in a file, and what could be read despite them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Checked {
    /// The configuration without the lines that failed (and without peers that have no
    /// valid public key).
    pub config: Config,
    /// The errors, in file order (the missing public keys, found at the end, come last).
    pub errors: Vec<Error>,
}

/// Reads and parses the file at `path`. Errors and warnings name the file as `path` shows.
pub fn parse_file(path: &Path, options: &mut ParseOptions<'_>) -> Result<Config, Error> {
    let name = path.display().to_string();
    let text = read(path, &name)?;
    parse_bytes(&text, Some(&name), options)
}

/// Parses configuration text; `name` (a file name) is put in front of errors and warnings.
pub fn parse_bytes(
    text: &[u8],
    name: Option<&str>,
    options: &mut ParseOptions<'_>,
) -> Result<Config, Error> {
    let checked = run(text, name, options, false);
    match checked.errors.into_iter().next() {
        Some(error) => Err(error),
        None => Ok(checked.config),
    }
}

/// Like [`parse_file`], but reports every error instead of the first (an unreadable file is
/// the only error then).
pub fn check_file(path: &Path, options: &mut ParseOptions<'_>) -> Checked {
    let name = path.display().to_string();
    match read(path, &name) {
        Ok(text) => check_bytes(&text, Some(&name), options),
        Err(error) => Checked {
            config: Config::default(),
            errors: vec![error],
        },
    }
}

/// Like [`parse_bytes`], but reads the whole text and reports every error.
pub fn check_bytes(text: &[u8], name: Option<&str>, options: &mut ParseOptions<'_>) -> Checked {
    run(text, name, options, true)
}

fn read(path: &Path, name: &str) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|e| {
        let message = crate::resolve::strip_os_error_suffix(&e.to_string()).to_string();
        Error::new(ErrorKind::Io, message).in_file(name)
    })
}

/// The parser proper; `keep_going` collects every error, otherwise it stops at the first.
fn run(
    text: &[u8],
    name: Option<&str>,
    options: &mut ParseOptions<'_>,
    keep_going: bool,
) -> Checked {
    let mut parser = Parser {
        options,
        name,
        config: Config::default(),
        section: Section::None,
        drafts: Vec::new(),
        keys_seen: HashMap::new(),
        errors: Vec::new(),
    };
    for (index, raw) in text.split(|b| *b == b'\n').enumerate() {
        if let Err(error) = parser.line(index + 1, raw) {
            parser.errors.push(error);
            if !keep_going {
                break;
            }
        }
    }
    // As with `wg`, a missing public key is only looked for in a file without other errors.
    if keep_going || parser.errors.is_empty() {
        parser.finish(keep_going);
    }
    let mut errors = parser.errors;
    if let Some(name) = name {
        errors = errors.into_iter().map(|e| e.in_file(name)).collect();
    }
    Checked {
        config: parser.config,
        errors,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    None,
    Interface,
    Peer,
    /// After a header that is not `[Interface]` or `[Peer]`; its keys are not looked at.
    Unknown,
}

/// A `[Peer]` section being read; the public key is checked only at the end, as `wg` does.
struct PeerDraft {
    line: usize,
    public_key: Option<(PublicKey, usize)>,
    preshared_key: Option<PresharedKey>,
    endpoint: Option<Endpoint>,
    persistent_keepalive: Option<u16>,
    replace_allowed_ips: bool,
    allowed_ips: Vec<crate::model::AllowedIp>,
    /// A `PublicKey` line failed (bad or duplicate key): the error was reported there, so a
    /// "missing public key" would only repeat it.
    key_failed: bool,
}

struct Parser<'p, 'a> {
    options: &'p mut ParseOptions<'a>,
    name: Option<&'p str>,
    config: Config,
    section: Section,
    drafts: Vec<PeerDraft>,
    /// Public keys of the finished peer sections, with the line that set each.
    keys_seen: HashMap<PublicKey, usize>,
    /// The errors found so far, with their lines.
    errors: Vec<Error>,
}

impl Parser<'_, '_> {
    fn line(&mut self, number: usize, raw: &[u8]) -> Result<(), Error> {
        let raw = raw.split(|b| *b == 0).next().unwrap_or_default();
        let code = raw.split(|b| *b == b'#').next().unwrap_or_default();
        let cleaned: Vec<u8> = code.iter().copied().filter(|b| !is_wg_space(*b)).collect();
        if cleaned.is_empty() {
            return Ok(());
        }
        let cleaned = String::from_utf8_lossy(&cleaned);
        let at = |e: Error| Error {
            line: Some(number),
            ..e
        };
        if self.options.dialect == Dialect::WgQuick && self.section == Section::Interface {
            let (code, whole) = (String::from_utf8_lossy(code), String::from_utf8_lossy(raw));
            if quick::apply_line(&code, &whole, &mut self.config.interface.quick).map_err(at)? {
                return Ok(());
            }
        }
        self.wg_line(number, &cleaned).map_err(at)
    }

    fn wg_line(&mut self, number: usize, line: &str) -> Result<(), Error> {
        if line.eq_ignore_ascii_case("[Interface]") {
            return self.begin_interface(number);
        }
        if line.eq_ignore_ascii_case("[Peer]") {
            self.end_peer();
            self.drafts.push(PeerDraft::new(number));
            self.section = Section::Peer;
            return Ok(());
        }
        let handled = match self.section {
            Section::Interface => self.interface_key(line)?,
            Section::Peer => self.peer_key(number, line)?,
            Section::Unknown => true,
            Section::None => false,
        };
        if handled {
            return Ok(());
        }
        if line.starts_with('[') {
            self.end_peer();
            self.section = Section::Unknown;
        }
        Err(syntax(format!("Line unrecognized: `{line}'")))
    }

    fn begin_interface(&mut self, number: usize) -> Result<(), Error> {
        self.end_peer();
        // Entered even when it is a duplicate, so that its keys are read (and checked).
        self.section = Section::Interface;
        if let Some(first) = self.config.interface.line {
            return Err(syntax(format!(
                "duplicate [Interface] section (the first one is at line {first})"
            )));
        }
        self.config.interface.line = Some(number);
        Ok(())
    }

    /// Records the key of the section being left, for the duplicate check.
    fn end_peer(&mut self) {
        if self.section == Section::Peer {
            if let Some((key, line)) = self.drafts.last().and_then(|d| d.public_key) {
                self.keys_seen.entry(key).or_insert(line);
            }
        }
    }

    /// An `[Interface]` key; `Ok(false)` if `line` is none.
    fn interface_key(&mut self, line: &str) -> Result<bool, Error> {
        let interface = &mut self.config.interface;
        if let Some(v) = value_of(line, "ListenPort=") {
            interface.listen_port = Some(self.options.resolver.resolve_port(v)?);
        } else if let Some(v) = value_of(line, "FwMark=") {
            interface.fwmark = Some(value::parse_fwmark(v)?);
        } else if let Some(v) = value_of(line, "PrivateKey=") {
            interface.private_key = Some(value::private_key_from_raw(&value::parse_key(v)?));
        } else {
            return Ok(false);
        }
        Ok(true)
    }

    /// A `[Peer]` key; `Ok(false)` if `line` is none.
    fn peer_key(&mut self, number: usize, line: &str) -> Result<bool, Error> {
        let Some(draft) = self.drafts.last_mut() else {
            return Ok(false);
        };
        if let Some(v) = value_of(line, "Endpoint=") {
            let (host, service) = value::split_endpoint(v)?;
            let addr = self.options.resolver.resolve_endpoint(host, service, v)?;
            draft.endpoint = Some(Endpoint {
                text: v.to_string(),
                addr,
            });
        } else if let Some(v) = value_of(line, "PublicKey=") {
            draft.key_failed = true;
            let key = value::parse_public_key(v)?;
            if let Some(first) = self.keys_seen.get(&key) {
                return Err(syntax(format!(
                    "duplicate [Peer] for public key {v} (the first one is at line {first})"
                )));
            }
            draft.key_failed = false;
            draft.public_key = Some((key, number));
        } else if let Some(v) = value_of(line, "AllowedIPs=") {
            let list = value::parse_allowed_ips(v)?;
            draft.replace_allowed_ips = list.replace;
            draft.allowed_ips.extend(list.entries);
            for message in list.warnings {
                let warning = Warning {
                    path: self.name.map(str::to_string),
                    line: Some(number),
                    message,
                };
                (self.options.warn)(&warning);
            }
        } else if let Some(v) = value_of(line, "PersistentKeepalive=") {
            draft.persistent_keepalive = Some(value::parse_keepalive(v)?);
        } else if let Some(v) = value_of(line, "PresharedKey=") {
            draft.preshared_key = Some(value::parse_key(v)?);
        } else {
            return Ok(false);
        }
        Ok(true)
    }

    /// Turns the drafts into peers; a peer without a public key is an error (only the first
    /// one unless `keep_going`).
    fn finish(&mut self, keep_going: bool) {
        for draft in std::mem::take(&mut self.drafts) {
            let Some((public_key, _)) = draft.public_key else {
                if !draft.key_failed {
                    self.errors.push(Error::at(
                        draft.line,
                        ErrorKind::Invalid,
                        "A peer is missing a public key",
                    ));
                    if !keep_going {
                        return;
                    }
                }
                continue;
            };
            self.config.peers.push(Peer {
                line: draft.line,
                public_key,
                preshared_key: draft.preshared_key,
                endpoint: draft.endpoint,
                persistent_keepalive: draft.persistent_keepalive,
                replace_allowed_ips: draft.replace_allowed_ips,
                allowed_ips: draft.allowed_ips,
            });
        }
    }
}

impl PeerDraft {
    fn new(line: usize) -> Self {
        PeerDraft {
            line,
            public_key: None,
            preshared_key: None,
            endpoint: None,
            persistent_keepalive: None,
            // A section replaces the peer's allowed IPs unless told otherwise.
            replace_allowed_ips: true,
            allowed_ips: Vec::new(),
            key_failed: false,
        }
    }
}

fn syntax(message: String) -> Error {
    Error::new(ErrorKind::Syntax, message)
}

/// The value after `key` (which ends in `=`) if `line` starts with it in any case and has
/// something after it (`get_value`).
fn value_of<'l>(line: &'l str, key: &str) -> Option<&'l str> {
    let head = line.as_bytes().get(..key.len())?;
    if line.len() <= key.len() || !head.eq_ignore_ascii_case(key.as_bytes()) {
        return None;
    }
    // `key` is ASCII and matched, so its length is a character boundary.
    line.get(key.len()..)
}

#[cfg(test)]
mod tests;
