//! The lines of a file as the lints need them: sections, and the keys in each with their
//! lines, read with the parser's rules (NUL and `#` end the line, whitespace is removed,
//! headers and keys are case-insensitive).

use crate::value::is_wg_space;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// Lines before the first header.
    Preamble,
    Interface,
    Peer,
    /// An unrecognized header (already an error).
    Unknown,
}

/// One `key = value` line.
#[derive(Debug)]
pub(super) struct Key {
    pub(super) line: usize,
    /// The key in lower case.
    pub(super) key: String,
    /// The value without whitespace.
    pub(super) value: String,
}

#[derive(Debug)]
pub(super) struct Section {
    pub(super) kind: Kind,
    /// The header's line (0 for the preamble).
    pub(super) line: usize,
    pub(super) keys: Vec<Key>,
}

#[derive(Debug)]
pub(super) struct Scan {
    pub(super) sections: Vec<Section>,
}

impl Scan {
    pub(super) fn new(text: &[u8]) -> Self {
        let mut sections = vec![Section {
            kind: Kind::Preamble,
            line: 0,
            keys: Vec::new(),
        }];
        for (index, raw) in text.split(|b| *b == b'\n').enumerate() {
            let line = index + 1;
            let raw = raw.split(|b| *b == 0).next().unwrap_or_default();
            let code = raw.split(|b| *b == b'#').next().unwrap_or_default();
            let cleaned: Vec<u8> = code.iter().copied().filter(|b| !is_wg_space(*b)).collect();
            let cleaned = String::from_utf8_lossy(&cleaned);
            if cleaned.starts_with('[') {
                let kind = match cleaned.to_ascii_lowercase().as_str() {
                    "[interface]" => Kind::Interface,
                    "[peer]" => Kind::Peer,
                    _ => Kind::Unknown,
                };
                sections.push(Section {
                    kind,
                    line,
                    keys: Vec::new(),
                });
            } else if let Some((key, value)) = cleaned.split_once('=') {
                let value = value.to_string();
                let key = key.to_ascii_lowercase();
                if let Some(section) = sections.last_mut() {
                    section.keys.push(Key { line, key, value });
                }
            }
        }
        Scan { sections }
    }

    /// Whether any section of `kind` has `key`.
    pub(super) fn has_key(&self, kind: Kind, key: &str) -> bool {
        self.last_line(kind, key).is_some()
    }

    /// The last line that gives `key` in a section of `kind`.
    pub(super) fn last_line(&self, kind: Kind, key: &str) -> Option<usize> {
        self.sections
            .iter()
            .filter(|s| s.kind == kind)
            .flat_map(|s| &s.keys)
            .filter(|k| k.key == key)
            .map(|k| k.line)
            .next_back()
    }
}
