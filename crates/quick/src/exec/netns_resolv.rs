//! `/etc/netns/NAME/resolv.conf`, the file `ip netns exec NAME` shows as `/etc/resolv.conf`:
//! where `--netns` puts the interface's DNS, so that the host's resolver is not touched.
//!
//! What `up` changes there, `down` undoes, and nothing more: a file that was there before is
//! moved aside and put back; the directory is removed only if `up` created it. Both facts
//! are kept in the files themselves (the aside file, and a second header line in ours), so
//! that they survive between the two commands without any other state.

use std::io;
use std::path::{Path, PathBuf};

/// Where `ip netns` looks for a namespace's files.
const ETC_NETNS: &str = "/etc/netns";

/// The first line of a file we wrote for `interface`.
fn header(interface: &str) -> String {
    format!("# ferrotun: DNS of {interface}\n")
}

/// The second line when `up` also created the directory.
const CREATED_DIR: &str = "# ferrotun: created this directory\n";

/// The file and where a file found there is kept meanwhile, under `root` (`/etc/netns`).
fn paths(root: &Path, netns: &str, interface: &str) -> (PathBuf, PathBuf) {
    let dir = root.join(netns);
    (
        dir.join("resolv.conf"),
        dir.join(format!("resolv.conf.before-{interface}")),
    )
}

/// Whether the namespace's `resolv.conf` is the one we wrote for `interface`: only then
/// does `down` (or a `reload` that drops DNS) have something to undo.
#[must_use]
pub fn is_set(netns: &str, interface: &str) -> bool {
    let (file, aside) = paths(Path::new(ETC_NETNS), netns, interface);
    aside.exists() || is_ours(&file, interface)
}

/// Writes the namespace's `resolv.conf` with `lines`.
pub fn write(netns: &str, interface: &str, lines: &str) -> io::Result<()> {
    write_in(Path::new(ETC_NETNS), netns, interface, lines)
}

/// Removes our `resolv.conf`, puts back the one kept aside, and removes the directory if
/// we created it (and it is empty: something added since stays, and so does the directory).
pub fn restore(netns: &str, interface: &str) -> io::Result<()> {
    restore_in(Path::new(ETC_NETNS), netns, interface)
}

/// [`write`] under `root`: an existing file is moved aside once (a `reload` writing again
/// keeps the original aside), and whether we made the directory is carried over.
fn write_in(root: &Path, netns: &str, interface: &str, lines: &str) -> io::Result<()> {
    let (file, aside) = paths(root, netns, interface);
    let dir = root.join(netns);
    let created = !dir.exists() || created_dir(&file, interface);
    std::fs::create_dir_all(&dir)?;
    if file.exists() && !aside.exists() && !is_ours(&file, interface) {
        std::fs::rename(&file, &aside)?;
    }
    let marker = if created { CREATED_DIR } else { "" };
    let text = format!("{}{marker}{lines}", header(interface));
    super::save::write_atomically(&file, text.as_bytes(), 0o644)
}

fn restore_in(root: &Path, netns: &str, interface: &str) -> io::Result<()> {
    let (file, aside) = paths(root, netns, interface);
    if aside.exists() {
        return std::fs::rename(&aside, &file);
    }
    if is_ours(&file, interface) {
        let created = created_dir(&file, interface);
        std::fs::remove_file(&file)?;
        if created {
            // Fails, and is meant to, if someone put a file there meanwhile.
            let _ = std::fs::remove_dir(root.join(netns));
        }
    }
    Ok(())
}

fn is_ours(file: &Path, interface: &str) -> bool {
    std::fs::read_to_string(file).is_ok_and(|text| text.starts_with(&header(interface)))
}

/// Whether our file says that we created its directory.
fn created_dir(file: &Path, interface: &str) -> bool {
    std::fs::read_to_string(file).is_ok_and(|text| {
        text.strip_prefix(&header(interface))
            .is_some_and(|rest| rest.starts_with(CREATED_DIR))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(tag: &str) -> PathBuf {
        let root = std::env::temp_dir().join(format!("ftq-netns-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        root
    }

    #[test]
    fn a_directory_we_created_goes_with_the_file() {
        let root = root("made");
        write_in(&root, "blue", "wg0", "nameserver 10.0.0.53\n").unwrap();
        // A reload writes again: the directory is still ours.
        write_in(&root, "blue", "wg0", "nameserver 10.0.0.54\n").unwrap();
        let text = std::fs::read_to_string(root.join("blue/resolv.conf")).unwrap();
        assert_eq!(
            text,
            "# ferrotun: DNS of wg0\n# ferrotun: created this directory\nnameserver 10.0.0.54\n"
        );
        restore_in(&root, "blue", "wg0").unwrap();
        assert!(!root.join("blue").exists());
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_directory_that_was_there_stays() {
        let root = root("kept");
        std::fs::create_dir_all(root.join("blue")).unwrap();
        write_in(&root, "blue", "wg0", "nameserver 10.0.0.53\n").unwrap();
        restore_in(&root, "blue", "wg0").unwrap();
        assert!(root.join("blue").is_dir());
        assert!(!root.join("blue/resolv.conf").exists());
        // A file that was there is put back, and the directory stays.
        std::fs::write(root.join("blue/resolv.conf"), "nameserver 1.1.1.1\n").unwrap();
        write_in(&root, "blue", "wg0", "nameserver 10.0.0.53\n").unwrap();
        restore_in(&root, "blue", "wg0").unwrap();
        let text = std::fs::read_to_string(root.join("blue/resolv.conf")).unwrap();
        assert_eq!(text, "nameserver 1.1.1.1\n");
        // Made by us, but someone added a file since: both stay.
        std::fs::remove_dir_all(root.join("blue")).unwrap();
        write_in(&root, "blue", "wg0", "nameserver 10.0.0.53\n").unwrap();
        std::fs::write(root.join("blue/hosts"), "").unwrap();
        restore_in(&root, "blue", "wg0").unwrap();
        assert!(root.join("blue/hosts").exists());
        std::fs::remove_dir_all(&root).unwrap();
    }
}
