//! Hints for "Line unrecognized", `wg`'s one message for every line it cannot place: a key
//! in the wrong section, a wg-quick key in a wg(8) file, a key without a value, or a typo.

use ferrotun_conf::value::strip_spaces;
use ferrotun_conf::{Dialect, Error};

/// Where a key belongs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Interface,
    /// `[Interface]`, for wg-quick only.
    Quick,
    Peer,
}

const KEYS: &[(&str, Place)] = &[
    ("PrivateKey", Place::Interface),
    ("ListenPort", Place::Interface),
    ("FwMark", Place::Interface),
    ("Address", Place::Quick),
    ("DNS", Place::Quick),
    ("MTU", Place::Quick),
    ("Table", Place::Quick),
    ("PreUp", Place::Quick),
    ("PostUp", Place::Quick),
    ("PreDown", Place::Quick),
    ("PostDown", Place::Quick),
    ("SaveConfig", Place::Quick),
    ("PublicKey", Place::Peer),
    ("PresharedKey", Place::Peer),
    ("AllowedIPs", Place::Peer),
    ("Endpoint", Place::Peer),
    ("PersistentKeepalive", Place::Peer),
];

const HEADERS: &[&str] = &["[Interface]", "[Peer]"];

/// A hint for `error` in a file with `text`, if it is "Line unrecognized" and something
/// better can be said.
pub(super) fn for_error(error: &Error, dialect: Dialect, text: &[u8]) -> Option<String> {
    let line = error
        .message
        .strip_prefix("Line unrecognized: `")?
        .strip_suffix('\'')?;
    if line.starts_with('[') {
        return closest(line, HEADERS.iter().copied()).map(|h| format!("did you mean {h}?"));
    }
    let (key, value) = line.split_once('=').unwrap_or((line, ""));
    let Some((known, place)) = KEYS.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)) else {
        let names = KEYS.iter().map(|(k, _)| *k);
        return closest(key, names).map(|k| format!("did you mean {k}?"));
    };
    if value.is_empty() {
        return Some(format!("{known} needs a value"));
    }
    let in_interface = error
        .line
        .and_then(|line| section_at(text, line))
        .is_some_and(|header| header == "[interface]");
    Some(match place {
        Place::Quick if dialect == Dialect::Wg => {
            format!("{known} is a wg-quick key, which wg(8) files do not have; check without --wg")
        }
        Place::Quick if in_interface => {
            format!("write {known} without spaces inside; wg-quick does not remove them")
        }
        Place::Interface | Place::Quick => format!("{known} belongs in the [Interface] section"),
        Place::Peer => format!("{known} belongs in a [Peer] section"),
    })
}

/// The header (whitespace removed, lower case) of the section that holds `line`; `None`
/// before the first.
fn section_at(text: &[u8], line: usize) -> Option<String> {
    let text = String::from_utf8_lossy(text);
    text.split('\n')
        .take(line.saturating_sub(1))
        .map(|l| strip_spaces(l.split('#').next().unwrap_or_default()).to_ascii_lowercase())
        .filter(|l| l.starts_with('['))
        .last()
}

/// The candidate nearest to `word` (ignoring case) if it is a likely typo of it.
fn closest<'c>(word: &str, candidates: impl Iterator<Item = &'c str>) -> Option<&'c str> {
    let word = word.to_ascii_lowercase();
    candidates
        .map(|c| (distance(&word, &c.to_ascii_lowercase()), c))
        .filter(|(d, c)| *d <= (c.len() / 4).clamp(1, 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance, by characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrotun_conf::ErrorKind;

    fn hint(dialect: Dialect, text: &str, line: usize, cleaned: &str) -> Option<String> {
        let error = Error::at(
            line,
            ErrorKind::Syntax,
            format!("Line unrecognized: `{cleaned}'"),
        );
        for_error(&error, dialect, text.as_bytes())
    }

    #[test]
    fn typos() {
        let q = Dialect::WgQuick;
        assert_eq!(
            hint(q, "", 1, "Adress=10.0.0.1"),
            Some("did you mean Address?".into())
        );
        assert_eq!(
            hint(q, "", 1, "allowedip=10.0.0.1"),
            Some("did you mean AllowedIPs?".into())
        );
        assert_eq!(
            hint(q, "", 1, "PersistentKeepAlive2=1"),
            Some("did you mean PersistentKeepalive?".into())
        );
        assert_eq!(
            hint(q, "", 1, "[Peers]"),
            Some("did you mean [Peer]?".into())
        );
        assert_eq!(
            hint(q, "", 1, "[interfaces]"),
            Some("did you mean [Interface]?".into())
        );
        assert_eq!(hint(q, "", 1, "Banana=1"), None);
        assert_eq!(hint(q, "", 1, "M=1"), None);
    }

    #[test]
    fn places() {
        let text =
            "[Interface]\nPublicKey = x\n[Peer]\nListenPort = 1\nAddress = 1\nSave Config = true\n";
        let q = Dialect::WgQuick;
        assert_eq!(
            hint(q, text, 2, "PublicKey=x"),
            Some("PublicKey belongs in a [Peer] section".into())
        );
        assert_eq!(
            hint(q, text, 4, "ListenPort=1"),
            Some("ListenPort belongs in the [Interface] section".into())
        );
        assert_eq!(
            hint(q, text, 5, "Address=1"),
            Some("Address belongs in the [Interface] section".into())
        );
        assert_eq!(
            hint(q, "ListenPort = 1\n", 1, "ListenPort=1"),
            Some("ListenPort belongs in the [Interface] section".into())
        );
        assert_eq!(
            hint(q, "[Interface]\nSave Config = true\n", 2, "SaveConfig=true"),
            Some("write SaveConfig without spaces inside; wg-quick does not remove them".into())
        );
        assert_eq!(
            hint(
                Dialect::Wg,
                "[Interface]\nDNS = 1.1.1.1\n",
                2,
                "DNS=1.1.1.1"
            ),
            Some("DNS is a wg-quick key, which wg(8) files do not have; check without --wg".into())
        );
        assert_eq!(
            hint(q, "[Interface]\nListenPort =\n", 2, "ListenPort="),
            Some("ListenPort needs a value".into())
        );
        assert_eq!(
            hint(q, "[Interface]\nListenPort\n", 2, "ListenPort"),
            Some("ListenPort needs a value".into())
        );
    }

    #[test]
    fn other_errors_get_no_hint() {
        let error = Error::at(
            2,
            ErrorKind::Syntax,
            "Key is not the correct length or format: `x'",
        );
        assert_eq!(for_error(&error, Dialect::WgQuick, b""), None);
    }

    #[test]
    fn levenshtein() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("same", "same"), 0);
    }
}
