//! The file as lines, read the way wireguard-tools reads it (`#` starts a comment, keys
//! are case-insensitive and may contain whitespace), keeping every byte so that a line can
//! be written back with only its value replaced.

use ferrotun_conf::value::{is_wg_space, strip_spaces};

/// Which section a header opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SectionKind {
    /// `[Interface]`.
    Interface,
    /// `[Peer]`.
    Peer,
}

/// One line of the file (without its `\n`).
#[derive(Debug, Clone)]
pub(super) struct Line<'a> {
    /// The text as it is in the file.
    pub raw: &'a str,
    /// What the line is.
    pub kind: Kind,
}

/// What a line is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Kind {
    /// Blank.
    Blank,
    /// Only a comment.
    Comment,
    /// A section header.
    Header(SectionKind),
    /// `key = value`: the key lowercased with whitespace removed; the value is
    /// `raw[start..end]` (trimmed, comment excluded).
    Key {
        /// The key.
        key: String,
        /// Where the value starts.
        start: usize,
        /// Where it ends.
        end: usize,
    },
    /// Anything else (an unknown header, a line without `=`): kept as it is.
    Other,
}

impl Line<'_> {
    /// The value of a key line.
    pub fn value(&self) -> Option<&str> {
        match &self.kind {
            Kind::Key { start, end, .. } => Some(&self.raw[*start..*end]),
            _ => None,
        }
    }

    /// The line with its value replaced (key spelling, spacing and comment kept).
    pub fn with_value(&self, value: &str) -> String {
        match &self.kind {
            Kind::Key { start, end, .. } => {
                format!("{}{value}{}", &self.raw[..*start], &self.raw[*end..])
            }
            _ => self.raw.to_string(),
        }
    }

    /// The key, if this is a key line.
    pub fn key(&self) -> Option<&str> {
        match &self.kind {
            Kind::Key { key, .. } => Some(key),
            _ => None,
        }
    }
}

fn is_space(c: char) -> bool {
    u8::try_from(c).is_ok_and(is_wg_space)
}

/// Reads one line.
pub(super) fn classify(raw: &str) -> Line<'_> {
    let code_end = raw.find('#').unwrap_or(raw.len());
    let code = &raw[..code_end];
    let kind = if code.trim_matches(is_space).is_empty() {
        if code_end == raw.len() {
            Kind::Blank
        } else {
            Kind::Comment
        }
    } else if let Some(eq) = code.find('=') {
        let key = strip_spaces(&code[..eq]).to_ascii_lowercase();
        let after = &code[eq + 1..];
        let start = eq + 1 + (after.len() - after.trim_start_matches(is_space).len());
        let end = eq + 1 + after.trim_end_matches(is_space).len();
        Kind::Key {
            key,
            start,
            end: end.max(start),
        }
    } else {
        match strip_spaces(code).to_ascii_lowercase().as_str() {
            "[interface]" => Kind::Header(SectionKind::Interface),
            "[peer]" => Kind::Header(SectionKind::Peer),
            _ => Kind::Other,
        }
    };
    Line { raw, kind }
}

/// A section: its header line, the comment lines right above the header (no blank line
/// between), and its lines up to where the next section's block begins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Section {
    /// Interface or peer.
    pub kind: SectionKind,
    /// The first line of the comment block above the header (the header if none).
    pub lead: usize,
    /// The header line.
    pub header: usize,
    /// One past the section's last line (its trailing blank lines included).
    pub end: usize,
}

impl Section {
    /// The key lines of the section.
    pub fn keys(self) -> std::ops::Range<usize> {
        self.header + 1..self.end
    }
}

/// The sections of `lines`, in order.
pub(super) fn sections(lines: &[Line<'_>]) -> Vec<Section> {
    let mut out: Vec<Section> = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        let Kind::Header(kind) = line.kind else {
            continue;
        };
        let floor = out.last().map_or(0, |s| s.header + 1);
        let mut lead = index;
        while lead > floor && lines[lead - 1].kind == Kind::Comment {
            lead -= 1;
        }
        if let Some(previous) = out.last_mut() {
            previous.end = lead;
        }
        out.push(Section {
            kind,
            lead,
            header: index,
            end: lines.len(),
        });
    }
    out
}
