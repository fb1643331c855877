//! The lines of a proxy file, read as wireproxy's INI reader reads them.
//!
//! * `#` and `;` start a comment, at the start of a line or after a value, except inside a
//!   value in double quotes (`Password = "a#b"`); the quotes are removed.
//! * A header is `[Name]`, whitespace ignored; names are ASCII case-insensitive and may
//!   repeat.
//! * An entry is `Key = Value`: the key and the value are trimmed, inner spaces kept.
//! * A value that starts with `$` names an environment variable whose value it stands for;
//!   `$$` at the start stands for a single `$`.

use crate::error::{Error, ErrorKind};
use crate::value::is_wg_space;

/// A section kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Section {
    /// Lines before the first header.
    Preamble,
    Interface,
    Peer,
    Proxy(ProxyKind),
    /// A header no one knows (already an error).
    Unknown,
}

/// The proxy sections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum ProxyKind {
    Socks5,
    Http,
    TcpClient,
    UdpClient,
    TcpServer,
    UdpServer,
    Stdio,
}

impl ProxyKind {
    /// The header as documented.
    pub(crate) fn header(self) -> &'static str {
        match self {
            ProxyKind::Socks5 => "[Socks5]",
            ProxyKind::Http => "[http]",
            ProxyKind::TcpClient => "[TCPClientTunnel]",
            ProxyKind::UdpClient => "[UDPProxyTunnel]",
            ProxyKind::TcpServer => "[TCPServerTunnel]",
            ProxyKind::UdpServer => "[UDPServerTunnel]",
            ProxyKind::Stdio => "[STDIOTunnel]",
        }
    }

    /// The keys the section takes, as documented.
    pub(crate) fn keys(self) -> &'static [&'static str] {
        match self {
            ProxyKind::Socks5 | ProxyKind::Http => &["BindAddress", "Username", "Password"],
            ProxyKind::TcpClient => &["BindAddress", "Target"],
            ProxyKind::UdpClient => &["BindAddress", "Target", "InactivityTimeout"],
            ProxyKind::TcpServer => &["ListenPort", "Target"],
            ProxyKind::UdpServer => &["ListenPort", "Target", "InactivityTimeout"],
            ProxyKind::Stdio => &["Target"],
        }
    }
}

/// The section a header (whitespace removed) opens, `None` if the text is not a header.
pub(crate) fn section_of(header: &str) -> Option<Section> {
    let name = header.strip_prefix('[')?.strip_suffix(']')?;
    let section = match name.to_ascii_lowercase().as_str() {
        "interface" => Section::Interface,
        "peer" => Section::Peer,
        "socks5" => Section::Proxy(ProxyKind::Socks5),
        "http" => Section::Proxy(ProxyKind::Http),
        "tcpclienttunnel" => Section::Proxy(ProxyKind::TcpClient),
        "udpproxytunnel" => Section::Proxy(ProxyKind::UdpClient),
        "tcpservertunnel" => Section::Proxy(ProxyKind::TcpServer),
        "udpservertunnel" => Section::Proxy(ProxyKind::UdpServer),
        "stdiotunnel" => Section::Proxy(ProxyKind::Stdio),
        _ => Section::Unknown,
    };
    Some(section)
}

/// One line of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Line {
    /// 1-based.
    pub(crate) number: usize,
    /// The section the line is in (for a header: the one it opens).
    pub(crate) section: Section,
    pub(crate) kind: LineKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LineKind {
    /// Nothing but whitespace and comment.
    Empty,
    /// A `[...]` header, whitespace removed.
    Header(String),
    /// `key = value`, both trimmed, the value unquoted (environment not yet applied).
    Entry { key: String, value: String },
    /// Anything else, whitespace removed.
    Other(String),
}

/// Splits `text` into lines and sections.
pub(crate) fn scan(text: &[u8]) -> Vec<Line> {
    let mut section = Section::Preamble;
    let mut lines = Vec::new();
    for (index, raw) in text.split(|b| *b == b'\n').enumerate() {
        let raw = raw.split(|b| *b == 0).next().unwrap_or_default();
        let kind = read_line(&String::from_utf8_lossy(raw));
        if let LineKind::Header(header) = &kind {
            section = section_of(header).unwrap_or(Section::Unknown);
        }
        lines.push(Line {
            number: index + 1,
            section,
            kind,
        });
    }
    lines
}

fn is_comment(c: char) -> bool {
    c == '#' || c == ';'
}

fn trim(s: &str) -> &str {
    s.trim_matches(|c: char| u8::try_from(c).is_ok_and(is_wg_space))
}

fn without_spaces(s: &str) -> String {
    s.chars()
        .filter(|c| !u8::try_from(*c).is_ok_and(is_wg_space))
        .collect()
}

fn read_line(line: &str) -> LineKind {
    let Some(at) = line.find(|c: char| is_comment(c) || c == '=') else {
        return code_kind(line);
    };
    if line[at..].starts_with(|c: char| is_comment(c)) {
        return code_kind(&line[..at]);
    }
    let key = trim(&line[..at]).to_string();
    let rest = trim(&line[at + 1..]);
    let quoted = rest
        .strip_prefix('"')
        .and_then(|inner| inner.split_once('"'))
        .map(|(value, _)| value);
    let value = match quoted {
        Some(value) => value,
        None => trim(rest.split(is_comment).next().unwrap_or_default()),
    };
    LineKind::Entry {
        key,
        value: value.to_string(),
    }
}

fn code_kind(code: &str) -> LineKind {
    let code = without_spaces(code);
    if code.is_empty() {
        LineKind::Empty
    } else if code.starts_with('[') {
        LineKind::Header(code)
    } else {
        LineKind::Other(code)
    }
}

/// The value with environment variables applied: `$NAME` is the variable's value, `$$x` is
/// `$x`. `key` names the key for the error (wireproxy's text).
pub(crate) fn expand(
    key: &str,
    value: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<String, Error> {
    if let Some(literal) = value.strip_prefix("$$") {
        return Ok(format!("${literal}"));
    }
    let Some(name) = value.strip_prefix('$') else {
        return Ok(value.to_string());
    };
    let found = env(name).ok_or_else(|| {
        Error::new(
            ErrorKind::Syntax,
            format!("{key} references unset environment variable {value}"),
        )
    })?;
    // A line break would move every later line of the file.
    if found.contains(['\n', '\0']) {
        return Err(Error::new(
            ErrorKind::Syntax,
            format!("{key}: environment variable {value} holds a line break or NUL byte"),
        ));
    }
    Ok(found)
}
