//! Routing table names as iproute2 knows them on this host (`Table = NAME` in a
//! configuration): `NUMBER NAME` lines in its `rt_tables` files, the packaged defaults first
//! and then the administrator's, so a later line wins.

use std::collections::BTreeMap;

/// The files read, in order.
const FILES: [&str; 2] = ["/usr/share/iproute2/rt_tables", "/etc/iproute2/rt_tables"];

/// The names this host's `rt_tables` files give (a missing file gives none).
#[must_use]
pub fn read() -> BTreeMap<String, u32> {
    let mut names = BTreeMap::new();
    for file in FILES {
        parse(
            &std::fs::read_to_string(file).unwrap_or_default(),
            &mut names,
        );
    }
    names
}

/// Adds the `NUMBER NAME` lines of `text` to `names`; comments (`#`), blank lines and lines
/// whose first field is not a decimal number are skipped.
pub fn parse(text: &str, names: &mut BTreeMap<String, u32>) {
    for line in text.lines() {
        let mut fields = line.split_whitespace();
        if let (Some(Ok(id)), Some(name)) = (fields.next().map(str::parse), fields.next()) {
            names.insert(name.to_string(), id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_name_lines_are_read_and_later_files_win() {
        let mut names = BTreeMap::new();
        parse(
            "#\n# reserved values\n#\n255\tlocal\n254\tmain\n\n200 vpn\n",
            &mut names,
        );
        parse("201 vpn # moved\nnot-a-number x\n0x10 hex\n7\n", &mut names);
        let expected = BTreeMap::from([
            ("local".to_string(), 255),
            ("main".to_string(), 254),
            ("vpn".to_string(), 201),
        ]);
        assert_eq!(names, expected);
    }
}
