//! `CONFIG_FILE | INTERFACE`, as wg-quick reads its argument, and its permission warning.

use std::path::{Path, PathBuf};

/// Whether `name` is a valid interface name: 1 to 15 of `a-zA-Z0-9_=+.-`.
#[must_use]
pub fn is_interface_name(name: &str) -> bool {
    (1..=15).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_=+.-".contains(&b))
}

/// The interface name and config path for an argument: a bare interface name means
/// `/etc/wireguard/NAME.conf`; otherwise the base name must be `NAME.conf`.
pub fn resolve(argument: &str) -> Result<(String, PathBuf), String> {
    if is_interface_name(argument) {
        return Ok((
            argument.to_string(),
            PathBuf::from(format!("/etc/wireguard/{argument}.conf")),
        ));
    }
    let path = Path::new(argument);
    Ok((name_of_file(path)?, path.to_path_buf()))
}

/// The interface a config file is for: its base name without `.conf`, which must be a valid
/// interface name.
pub fn name_of_file(path: &Path) -> Result<String, String> {
    path.file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_suffix(".conf"))
        .filter(|n| is_interface_name(n))
        .map(str::to_string)
        .ok_or_else(|| {
            "The config file must be a valid interface name, followed by .conf".to_string()
        })
}

/// The file an argument names for ferrotun's own commands (`check`, `qr`): an existing file
/// is that file, whatever its name; otherwise wg-quick's rule ([`resolve`]) applies, so a
/// bare interface name still means `/etc/wireguard/NAME.conf`.
#[must_use]
pub fn existing_file_or_resolved(argument: &str) -> PathBuf {
    if Path::new(argument).is_file() {
        return PathBuf::from(argument);
    }
    resolve(argument).map_or_else(|_| PathBuf::from(argument), |(_, path)| path)
}

/// When wg-quick's rule turned `argument` into a `/etc/wireguard/` file that does not exist
/// while a file the user probably meant is in the current directory (`argument` itself, or
/// `argument.conf`) and would work as a path: that path, as `./NAME.conf`. wg-quick's rule
/// stays (scripts rely on it); this only makes its failure say what to type instead.
#[must_use]
pub fn did_you_mean(argument: &str, resolved: &Path) -> Option<String> {
    did_you_mean_in(Path::new("."), argument, resolved)
}

/// [`did_you_mean`] with `here` as the current directory.
fn did_you_mean_in(here: &Path, argument: &str, resolved: &Path) -> Option<String> {
    if !is_interface_name(argument) || resolved.exists() {
        return None;
    }
    [argument.to_string(), format!("{argument}.conf")]
        .into_iter()
        .find(|name| here.join(name).is_file() && name_of_file(Path::new(name)).is_ok())
        .map(|name| format!("./{name}"))
}

/// The error for a config file that could not be read: `path: problem`, plus the
/// [`did_you_mean`] hint when there is one.
#[must_use]
pub fn unreadable(argument: &str, path: &Path, problem: &str) -> String {
    match did_you_mean(argument, path) {
        Some(candidate) => format!("{}: {problem} (did you mean {candidate}?)", path.display()),
        None => format!("{}: {problem}", path.display()),
    }
}

/// The warning wg-quick prints when others can reach the file: its mode and its directory's
/// mode both grant some access to others (`file & dir & 0007`), or `None`.
#[cfg(unix)]
#[must_use]
pub fn permission_warning(path: &Path) -> Option<String> {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = |p: &Path| std::fs::metadata(p).map_or(0, |m| m.permissions().mode());
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    (mode(path) & mode(dir) & 0o007 != 0)
        .then(|| format!("Warning: `{}' is world accessible", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_name_means_etc_wireguard() {
        let (name, path) = resolve("wg0").unwrap();
        assert_eq!(name, "wg0");
        assert_eq!(path, PathBuf::from("/etc/wireguard/wg0.conf"));
    }

    #[test]
    fn path_takes_name_from_file() {
        let (name, _) = resolve("/tmp/x/vpn-1.conf").unwrap();
        assert_eq!(name, "vpn-1");
        assert!(resolve("/tmp/waytoolonginterfacename.conf").is_err());
        assert!(resolve("/tmp/wg0.txt").is_err());
    }

    #[test]
    fn a_file_here_is_suggested() {
        let dir = std::env::temp_dir().join(format!("ftq-here-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("ftqhere.conf"), "").unwrap();
        std::fs::write(dir.join("ftq-notconf"), "").unwrap();
        let etc = |a: &str| resolve(a).unwrap().1;
        let guess = |a: &str| did_you_mean_in(&dir, a, &etc(a));
        let found = [
            guess("ftqhere.conf"),
            guess("ftqhere"),
            guess("ftq-notconf"),
            guess("ftq-none.conf"),
        ];
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(found[0].as_deref(), Some("./ftqhere.conf"));
        assert_eq!(found[1].as_deref(), Some("./ftqhere.conf"));
        // Not a NAME.conf file: `up ./ftq-notconf` would fail too, so it is not suggested.
        assert_eq!(found[2], None);
        assert_eq!(found[3], None);
        // The rule found a file: nothing to suggest.
        assert_eq!(did_you_mean_in(&dir, "lo", Path::new("/")), None);
    }

    #[cfg(unix)]
    #[test]
    fn world_readable_file_warns() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = std::env::temp_dir().join(format!("ftq-perm-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("wg0.conf");
        std::fs::write(&file, "").unwrap();
        let set = |p: &std::path::Path, mode| {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap()
        };
        // As wg-quick: a warning only when both the file and its directory let others in.
        for (dir_mode, file_mode, warns) in [
            (0o755, 0o600, false),
            (0o700, 0o644, false),
            (0o755, 0o644, true),
        ] {
            set(&dir, dir_mode);
            set(&file, file_mode);
            let warning = permission_warning(&file);
            assert_eq!(
                warning.is_some(),
                warns,
                "dir {dir_mode:o} file {file_mode:o}"
            );
            assert!(warning.is_none_or(|w| w.contains("world accessible")));
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
