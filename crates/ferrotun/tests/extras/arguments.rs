//! A config file named on the command line (issue #13, item 1): for `qr` and `check`, a
//! name that is an existing file is that file; `up`, `down`, `save`, `reload` and `strip`
//! keep wg-quick's rule (a bare interface name means `/etc/wireguard/NAME.conf`), and say
//! which file in the current directory was probably meant when the rule finds nothing.

use super::{ferrotun_in, good_config, TempDir};
use std::path::Path;

/// A name no `/etc/wireguard` holds: `NAME.conf` here must not be found there.
fn unique_name() -> String {
    let name = format!("ft{}", std::process::id() % 100_000);
    assert!(!Path::new(&format!("/etc/wireguard/{name}.conf.conf")).exists());
    assert!(!Path::new(&format!("/etc/wireguard/{name}.conf")).exists());
    name
}

#[test]
fn qr_and_check_take_a_file_in_the_current_directory() {
    let dir = TempDir::new("here");
    let name = unique_name();
    let file = format!("{name}.conf");
    dir.file(&file, &good_config());
    let qr = ferrotun_in(dir.path(), &["qr", &file]);
    assert_eq!((qr.code, qr.err.as_str()), (0, ""), "{qr:?}");
    assert!(qr.out.contains('█'), "{qr:?}");
    let check = ferrotun_in(dir.path(), &["check", &file]);
    assert_eq!(
        (check.code, check.out.as_str()),
        (0, format!("{file}: OK\n").as_str()),
        "{check:?}"
    );
    // The file's name still has to suit `up` (INTERFACE.conf) for `check` to pass.
    dir.file("client", &good_config());
    let check = ferrotun_in(dir.path(), &["check", "client"]);
    assert_eq!(check.code, 1, "{check:?}");
    assert!(
        check.out.contains("must be a valid interface name"),
        "{check:?}"
    );
    // A bare name that is no file here still means /etc/wireguard/NAME.conf.
    let missing = ferrotun_in(dir.path(), &["check", &name]);
    assert!(
        missing.out.contains(&format!(
            "/etc/wireguard/{name}.conf: No such file or directory"
        )),
        "{missing:?}"
    );
}

#[test]
fn quick_commands_suggest_the_file_here() {
    let dir = TempDir::new("meant");
    let name = unique_name();
    let file = format!("{name}.conf");
    dir.file(&file, &good_config());
    for command in ["up", "down", "save", "reload", "strip"] {
        for argument in [file.as_str(), name.as_str()] {
            let run = ferrotun_in(dir.path(), &[command, argument]);
            assert_eq!(run.code, 1, "{command} {argument}: {run:?}");
            let expected = format!(
                "/etc/wireguard/{argument}.conf: No such file or directory \
                 (did you mean ./{file}?)\n"
            );
            assert!(
                run.err.ends_with(&expected),
                "{command} {argument}: {run:?}"
            );
        }
    }
    // Nothing here to suggest: wg-quick's plain error.
    let run = ferrotun_in(dir.path(), &["up", "ftnothere"]);
    assert!(
        run.err
            .ends_with("/etc/wireguard/ftnothere.conf: No such file or directory\n"),
        "{run:?}"
    );
}
