//! `save` (and `SaveConfig = true`) that edits the file rather than replacing it
//! (docs/compatibility.md SAVE-1): comments, blank lines, key spelling and order stay; only
//! values that differ from the running interface change.
//!
//! * `[Interface]`: `Address` from the link, `MTU` (only if the file has one) from the
//!   link, `ListenPort`, `FwMark` and `PrivateKey` from the daemon. `DNS`, `Table`, hooks and
//!   `SaveConfig` are the file's own and are left as they are.
//! * A `[Peer]` the daemon still has keeps its section; `PresharedKey`, `AllowedIPs`,
//!   `Endpoint` and `PersistentKeepalive` are brought in line. An `Endpoint` host name
//!   stays as long as it resolved to the peer's current address.
//! * A `[Peer]` the daemon no longer has goes, with the comment lines right above its
//!   header and its trailing blank lines.
//! * Peers only the daemon has are appended, written as `wg showconf` writes them.
//!
//! In a list (`Address`, `AllowedIPs`) entries that stay keep their text and line; gone
//! ones are cut out of their line (the line goes when it empties); new ones are added to
//! the last line of the key. A value changes on the key's last line, which is the one in
//! effect. A new key goes after the section's last key line.
//!
//! Pure: text in, text out. [`crate::exec`] writes the result atomically.

mod lines;

use crate::action::Prefix;
use crate::showconf::{self, ntop};
use ferrotun_conf::value::{parse_allowed_ips, parse_ip, strip_spaces};
use ferrotun_conf::{AllowedIpOp, Config};
use ferrotun_uapi::client::DeviceInfo;
use lines::{classify, sections, Kind, Line, Section, SectionKind};
use std::collections::BTreeMap;

/// What the file is to say: the running interface.
#[derive(Debug, Clone, Copy)]
pub struct Saved<'a> {
    /// The link's addresses (without the kernel's IPv6 link-local one).
    pub addresses: &'a [Prefix],
    /// The link's MTU, written only where the file has an `MTU`.
    pub mtu: Option<u32>,
    /// The daemon's configuration.
    pub device: &'a DeviceInfo,
}

/// The edited file. `config` is `text` as parsed (for what parsing resolved: endpoint host
/// names, port names).
#[must_use]
pub fn edit(text: &str, config: &Config, saved: &Saved<'_>) -> String {
    let owned;
    let mut text = text;
    if !sections(&split_lines(text))
        .iter()
        .any(|s| s.kind == SectionKind::Interface)
    {
        owned = format!("[Interface]\n{text}");
        text = &owned;
    }
    let lines = split_lines(text);
    let mut editor = Editor::new(&lines);
    let mut listed = Vec::new();
    for section in sections(&lines) {
        match section.kind {
            SectionKind::Interface => editor.interface(section, config, saved),
            SectionKind::Peer => listed.extend(editor.peer(section, config, saved.device)),
        }
    }
    let mut out = editor.render();
    if lines.last().is_some_and(|l| l.kind != Kind::Blank) {
        // Nothing may leave blank lines at the end that the file did not have.
        while out.last().is_some_and(|l| l.trim().is_empty()) {
            out.pop();
        }
    }
    let mut appended = false;
    for peer in &saved.device.peers {
        if !listed.contains(&peer.public_key) {
            if out.last().is_some_and(|l| !l.trim().is_empty()) {
                out.push(String::new());
            }
            let mut section = String::new();
            showconf::render_peer(&mut section, peer);
            out.extend(section.lines().map(str::to_string));
            appended = true;
        }
    }
    let mut result = out.join("\n");
    if (text.ends_with('\n') || appended) && !result.is_empty() {
        result.push('\n');
    }
    result
}

/// The lines of `text`, classified (a final `\n` ends the last line, it does not start
/// an empty one).
fn split_lines(text: &str) -> Vec<Line<'_>> {
    let text = text.strip_suffix('\n').unwrap_or(text);
    if text.is_empty() {
        return Vec::new();
    }
    text.split('\n').map(classify).collect()
}

/// What happens to an existing line.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Op {
    Keep,
    Replace(String),
    Delete,
}

struct Editor<'a, 'b> {
    lines: &'b [Line<'a>],
    ops: Vec<Op>,
    /// New lines to put before line `i` (`lines.len()`: at the end).
    before: BTreeMap<usize, Vec<String>>,
}

impl<'a, 'b> Editor<'a, 'b> {
    fn new(lines: &'b [Line<'a>]) -> Self {
        Editor {
            lines,
            ops: vec![Op::Keep; lines.len()],
            before: BTreeMap::new(),
        }
    }

    fn render(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (index, line) in self.lines.iter().enumerate() {
            out.extend(self.before.get(&index).into_iter().flatten().cloned());
            match &self.ops[index] {
                Op::Keep => out.push(line.raw.to_string()),
                Op::Replace(text) => out.push(text.clone()),
                Op::Delete => {}
            }
        }
        out.extend(
            self.before
                .get(&self.lines.len())
                .into_iter()
                .flatten()
                .cloned(),
        );
        out
    }

    /// The lines of `key` in `section`.
    fn lines_of(&self, section: Section, key: &str) -> Vec<usize> {
        section
            .keys()
            .filter(|i| self.lines[*i].key() == Some(key))
            .collect()
    }

    /// Adds `Key = value` after the section's last key line (or its header).
    fn insert(&mut self, section: Section, canonical: &str, value: &str) {
        let last = section
            .keys()
            .rev()
            .find(|i| self.lines[*i].key().is_some())
            .unwrap_or(section.header);
        self.before
            .entry(last + 1)
            .or_default()
            .push(format!("{canonical} = {value}"));
    }

    /// A single-valued key: nothing if the file already `matches`, else the last line gets
    /// `want`, or the key goes (`want` is `None`), or a line is added.
    fn scalar(
        &mut self,
        section: Section,
        (key, canonical): (&str, &str),
        matches: bool,
        want: Option<String>,
    ) {
        if matches {
            return;
        }
        let found = self.lines_of(section, key);
        match (want, found.last()) {
            (None, _) => found.iter().for_each(|i| self.ops[*i] = Op::Delete),
            (Some(value), Some(last)) => {
                self.ops[*last] = Op::Replace(self.lines[*last].with_value(&value));
            }
            (Some(value), None) => self.insert(section, canonical, &value),
        }
    }
}

/// An entry of a list key: its identity (`None`: not understood, kept as is) and its text.
type Item<T> = (Option<T>, String);

impl Editor<'_, '_> {
    /// A list key: see the module documentation. `parse` splits a line's value into items,
    /// or gives `None` when the lines cannot be edited entry by entry; then all of them are
    /// replaced by one line with `want`.
    fn list<T: PartialEq + Copy>(
        &mut self,
        section: Section,
        (key, canonical): (&str, &str),
        parse: impl Fn(&str) -> Option<Vec<Item<T>>>,
        want: &[(T, String)],
    ) {
        let found = self.lines_of(section, key);
        let parsed: Option<Vec<Vec<Item<T>>>> = found
            .iter()
            .map(|i| parse(self.lines[*i].value().unwrap_or("")))
            .collect();
        let Some(parsed) = parsed else {
            found.iter().for_each(|i| self.ops[*i] = Op::Delete);
            let all: Vec<&str> = want.iter().map(|(_, text)| text.as_str()).collect();
            match found.first() {
                Some(first) if !all.is_empty() => {
                    self.ops[*first] = Op::Replace(self.lines[*first].with_value(&all.join(", ")));
                }
                _ if !all.is_empty() => self.insert(section, canonical, &all.join(", ")),
                _ => {}
            }
            return;
        };
        let mut seen: Vec<T> = Vec::new();
        let (mut last_kept, mut first_deleted) = (None, None);
        for (index, items) in found.iter().zip(parsed) {
            let total = items.len();
            let kept: Vec<String> = items
                .into_iter()
                .filter_map(|(id, text)| match id {
                    None => Some(text),
                    Some(id) if want.iter().any(|(w, _)| *w == id) && !seen.contains(&id) => {
                        seen.push(id);
                        Some(text)
                    }
                    Some(_) => None,
                })
                .collect();
            if kept.len() == total {
                last_kept = Some((*index, kept));
            } else if kept.is_empty() {
                self.ops[*index] = Op::Delete;
                first_deleted.get_or_insert(*index);
            } else {
                self.ops[*index] = Op::Replace(self.lines[*index].with_value(&kept.join(", ")));
                last_kept = Some((*index, kept));
            }
        }
        let missing: Vec<String> = want
            .iter()
            .filter(|(id, _)| !seen.contains(id))
            .map(|(_, text)| text.clone())
            .collect();
        if missing.is_empty() {
            return;
        }
        match (last_kept, first_deleted) {
            (Some((index, mut kept)), _) => {
                kept.extend(missing);
                self.ops[index] = Op::Replace(self.lines[index].with_value(&kept.join(", ")));
            }
            (None, Some(index)) => {
                self.ops[index] = Op::Replace(self.lines[index].with_value(&missing.join(", ")));
            }
            (None, None) => self.insert(section, canonical, &missing.join(", ")),
        }
    }
}

/// `Address` items as wg-quick splits them (commas and whitespace), each `ip[/prefix]`.
fn address_items(value: &str) -> Option<Vec<Item<Prefix>>> {
    let items = value
        .split(|c: char| c == ',' || c.is_ascii_whitespace())
        .filter(|item| !item.is_empty())
        .map(|item| {
            let (ip, len) = item.split_once('/').unwrap_or((item, ""));
            let id = parse_ip(ip).ok().and_then(|ip| {
                let max = if ip.is_ipv4() { 32 } else { 128 };
                let len = if len.is_empty() {
                    Some(max)
                } else {
                    len.parse().ok()
                };
                len.filter(|l| *l <= max).map(|len| Prefix { ip, len })
            });
            (id, item.to_string())
        })
        .collect();
    Some(items)
}

/// `AllowedIPs` items as wg splits them (whitespace removed, commas), masked; `None` if a
/// `+`/`-` entry makes the lines incremental.
fn allowed_ip_items(value: &str) -> Option<Vec<Item<(std::net::IpAddr, u8)>>> {
    let compact = strip_spaces(value);
    let mut items = Vec::new();
    for item in compact.split(',').filter(|item| !item.is_empty()) {
        let id = match parse_allowed_ips(item) {
            Ok(list) if !list.replace => return None,
            Ok(list) => list
                .entries
                .first()
                .filter(|e| e.op == AllowedIpOp::Add)
                .map(|e| ferrotun_uapi::model::mask(e.ip, e.cidr)),
            Err(_) => None,
        };
        items.push((id, item.to_string()));
    }
    Some(items)
}

mod sections_edit;

#[cfg(test)]
mod tests;
