//! The proxy sections: `[Socks5]`, `[http]` and the tunnel sections, each turned into a
//! [`Listener`] or a [`Forward`].
//!
//! Every key of a section is checked: unknown keys, keys given twice and empty values are
//! errors (wireproxy ignores the first two, which hides typos such as `BindAdress`). A
//! value is never shown in a message about credentials.

use super::address::{parse_bind, parse_listen_port, parse_seconds, parse_target};
use super::lines::{expand, Line, LineKind, ProxyKind, Section};
use super::model::{
    Auth, BindAddress, Forward, Inactivity, Listener, ListenerKind, DEFAULT_UDP_INACTIVITY,
};
use crate::error::{Error, ErrorKind};
use std::collections::HashMap;
use std::time::Duration;

/// The longest user name or password SOCKS5 can carry (RFC 1929: one length byte).
const SOCKS5_CREDENTIAL_MAX: usize = 255;

/// What the proxy sections hold.
#[derive(Debug, Default)]
pub(crate) struct Sections {
    pub(crate) listeners: Vec<Listener>,
    pub(crate) forwards: Vec<Forward>,
    pub(crate) errors: Vec<Error>,
}

/// One proxy section's entries: key as documented → (line, value).
struct Draft<'l> {
    kind: ProxyKind,
    line: usize,
    entries: HashMap<&'static str, (usize, String)>,
    /// Keys given with a bad value (already reported).
    failed: Vec<&'static str>,
    lines: Vec<&'l Line>,
}

fn at(line: usize, error: Error) -> Error {
    Error {
        line: Some(line),
        ..error
    }
}

fn syntax(line: usize, message: String) -> Error {
    Error::at(line, ErrorKind::Syntax, message)
}

/// Reads every proxy section of `lines`.
pub(crate) fn read(lines: &[Line], env: &dyn Fn(&str) -> Option<String>) -> Sections {
    let mut sections = Sections::default();
    let mut draft: Option<Draft<'_>> = None;
    for line in lines {
        if let LineKind::Header(_) = line.kind {
            if let Some(done) = draft.take() {
                sections.finish(done, env);
            }
            if let Section::Proxy(kind) = line.section {
                draft = Some(Draft {
                    kind,
                    line: line.number,
                    entries: HashMap::new(),
                    failed: Vec::new(),
                    lines: Vec::new(),
                });
            }
        } else if let Some(draft) = draft.as_mut() {
            draft.lines.push(line);
        }
    }
    if let Some(done) = draft.take() {
        sections.finish(done, env);
    }
    sections
}

impl Sections {
    fn finish(&mut self, mut draft: Draft<'_>, env: &dyn Fn(&str) -> Option<String>) {
        for line in std::mem::take(&mut draft.lines) {
            if let Err(error) = draft.entry(line, env) {
                self.errors.push(error);
            }
        }
        let built = match draft.kind {
            ProxyKind::Socks5 => draft.listener(ListenerKind::Socks5).map(Item::Listener),
            ProxyKind::Http => draft.listener(ListenerKind::Http).map(Item::Listener),
            _ => draft.forward().map(Item::Forward),
        };
        match built {
            Ok(Item::Listener(listener)) => self.listeners.push(listener),
            Ok(Item::Forward(forward)) => self.forwards.push(forward),
            Err(errors) => self.errors.extend(errors),
        }
    }
}

enum Item {
    Listener(Listener),
    Forward(Forward),
}

impl Draft<'_> {
    /// Records one line of the section.
    fn entry(&mut self, line: &Line, env: &dyn Fn(&str) -> Option<String>) -> Result<(), Error> {
        let number = line.number;
        let (key, value) = match &line.kind {
            LineKind::Empty => return Ok(()),
            LineKind::Entry { key, value } => (key, value),
            _ => {
                return Err(syntax(
                    number,
                    format!(
                        "Line unrecognized in {}: expected Key = Value",
                        self.header()
                    ),
                ))
            }
        };
        let known = self
            .kind
            .keys()
            .iter()
            .find(|k| k.eq_ignore_ascii_case(key));
        let Some(&known) = known else {
            return Err(syntax(
                number,
                format!(
                    "unknown key `{key}' in {} (it takes {})",
                    self.header(),
                    self.kind.keys().join(", ")
                ),
            ));
        };
        if let Some((first, _)) = self.entries.get(known) {
            return Err(syntax(
                number,
                format!("{known} is given again in this section (first at line {first})"),
            ));
        }
        // A key that is there but wrong is not reported again as missing.
        self.failed.push(known);
        // Checked after expansion too: `$EMPTY` is no value either.
        let value = expand(known, value, env).map_err(|e| at(number, e))?;
        if value.is_empty() {
            return Err(syntax(number, format!("{known} has no value")));
        }
        self.failed.pop();
        self.entries.insert(known, (number, value));
        Ok(())
    }

    fn header(&self) -> &'static str {
        self.kind.header()
    }

    /// The value of `key` parsed by `parse`; `None` if absent.
    fn get<T>(
        &self,
        key: &str,
        parse: impl FnOnce(&str) -> Result<T, Error>,
        errors: &mut Vec<Error>,
    ) -> Option<T> {
        let (line, value) = self.entries.get(key)?;
        parse(value).map_err(|e| errors.push(at(*line, e))).ok()
    }

    /// Like [`get`](Self::get), but an absent key is an error at the header.
    fn require<T>(
        &self,
        key: &str,
        parse: impl FnOnce(&str) -> Result<T, Error>,
        errors: &mut Vec<Error>,
    ) -> Option<T> {
        if !self.entries.contains_key(key) && !self.failed.contains(&key) {
            errors.push(syntax(self.line, format!("{} has no {key}", self.header())));
            return None;
        }
        self.get(key, parse, errors)
    }

    fn text(&self, key: &str) -> Option<&str> {
        self.entries.get(key).map(|(_, v)| v.as_str())
    }

    fn listener(&self, kind: ListenerKind) -> Result<Listener, Vec<Error>> {
        let mut errors = Vec::new();
        let bind = self.get("BindAddress", parse_bind, &mut errors);
        let auth = self.auth(kind, &mut errors);
        match (errors.is_empty(), auth) {
            (true, Some(auth)) => Ok(Listener {
                line: self.line,
                kind,
                bind: bind.unwrap_or_else(BindAddress::default_listener),
                auth,
            }),
            _ => Err(errors),
        }
    }

    /// `Username` and `Password`: authentication is on when either is given, as wireproxy's
    /// HTTP proxy decides; SOCKS5 needs a user name to carry (wireproxy's SOCKS5 proxy would
    /// silently run without authentication).
    fn auth(&self, kind: ListenerKind, errors: &mut Vec<Error>) -> Option<Auth> {
        let username = self.text("Username");
        let password = self.text("Password");
        if username.is_none() && password.is_none() {
            return Some(Auth::None);
        }
        if self.failed.contains(&"Username") || self.failed.contains(&"Password") {
            return None;
        }
        if kind == ListenerKind::Socks5 {
            if username.is_none() {
                errors.push(syntax(
                    self.line,
                    "[Socks5] has a Password but no Username; SOCKS5 needs both \
                     (wireproxy would run this proxy without authentication)"
                        .to_string(),
                ));
                return None;
            }
            for key in ["Username", "Password"] {
                let Some((line, text)) = self.entries.get(key) else {
                    continue;
                };
                if text.len() > SOCKS5_CREDENTIAL_MAX {
                    errors.push(syntax(
                        *line,
                        format!("{key} is longer than 255 bytes, which SOCKS5 cannot carry"),
                    ));
                    return None;
                }
            }
        }
        Some(Auth::UserPassword {
            username: username.unwrap_or_default().to_string(),
            password: password.unwrap_or_default().to_string(),
        })
    }

    fn inactivity(&self, errors: &mut Vec<Error>) -> Inactivity {
        let seconds = self.get(
            "InactivityTimeout",
            |v| parse_seconds("InactivityTimeout", v, false),
            errors,
        );
        match seconds {
            None => Inactivity::After(DEFAULT_UDP_INACTIVITY),
            Some(0) => Inactivity::Never,
            Some(s) => Inactivity::After(Duration::from_secs(s)),
        }
    }

    fn forward(&self) -> Result<Forward, Vec<Error>> {
        let mut errors = Vec::new();
        let line = self.line;
        let forward = match self.kind {
            ProxyKind::TcpClient | ProxyKind::UdpClient => {
                let bind = self.require("BindAddress", parse_bind, &mut errors);
                let target = self.require("Target", parse_target, &mut errors);
                let inactivity = self.inactivity(&mut errors);
                bind.zip(target).map(|(bind, target)| match self.kind {
                    ProxyKind::TcpClient => Forward::TcpClient { line, bind, target },
                    _ => Forward::UdpClient {
                        line,
                        bind,
                        target,
                        inactivity,
                    },
                })
            }
            ProxyKind::TcpServer | ProxyKind::UdpServer => {
                let port = self.require("ListenPort", parse_listen_port, &mut errors);
                let target = self.require("Target", parse_target, &mut errors);
                let inactivity = self.inactivity(&mut errors);
                port.zip(target)
                    .map(|(listen_port, target)| match self.kind {
                        ProxyKind::TcpServer => Forward::TcpServer {
                            line,
                            listen_port,
                            target,
                        },
                        _ => Forward::UdpServer {
                            line,
                            listen_port,
                            target,
                            inactivity,
                        },
                    })
            }
            ProxyKind::Stdio | ProxyKind::Socks5 | ProxyKind::Http => self
                .require("Target", parse_target, &mut errors)
                .map(|target| Forward::Stdio { line, target }),
        };
        match forward {
            Some(forward) if errors.is_empty() => Ok(forward),
            _ => Err(errors),
        }
    }
}
