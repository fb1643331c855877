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
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_suffix(".conf"))
        .filter(|n| is_interface_name(n))
        .ok_or("The config file must be a valid interface name, followed by .conf")?;
    Ok((name.to_string(), path.to_path_buf()))
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
