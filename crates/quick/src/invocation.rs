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

/// The warning wg-quick prints when the file or its directory is accessible to others
/// (`mode & 0007`), or `None`.
#[cfg(unix)]
#[must_use]
pub fn permission_warning(path: &Path) -> Option<String> {
    use std::os::unix::fs::PermissionsExt as _;
    let world = |p: &Path| std::fs::metadata(p).is_ok_and(|m| m.permissions().mode() & 0o007 != 0);
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    (world(path) || world(dir))
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
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
        let file = dir.join("wg0.conf");
        std::fs::write(&file, "").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(permission_warning(&file), None);
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(permission_warning(&file)
            .unwrap()
            .contains("world accessible"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
