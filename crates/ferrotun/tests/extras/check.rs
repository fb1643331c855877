//! `ferrotun check`: one clear `file:line: problem` per problem, a summary, the exit status.

use super::{ferrotun, good_config, TempDir, KEY1, KEY2, PRIV};
use std::io::ErrorKind::PermissionDenied;
use std::os::unix::fs::PermissionsExt as _;

/// Checks `text` as `wg0.conf`: (report lines without the summary, summary, exit status).
fn check(text: &str, extra: &[&str]) -> (Vec<String>, String, i32, String) {
    let dir = TempDir::new("check");
    let path = dir.file("wg0.conf", text);
    let mut args = vec!["check"];
    args.extend_from_slice(extra);
    args.push(&path);
    let run = ferrotun(&args, &[]);
    assert_eq!(run.err, "", "nothing on stderr");
    let mut lines: Vec<String> = run.out.lines().map(|l| l.replace(&path, "F")).collect();
    let summary = lines.pop().expect("a summary line");
    (lines, summary, run.code, path)
}

/// The single error `text` gives, with the file shown as `F`.
fn one_error(text: &str) -> String {
    let (lines, summary, code, _) = check(text, &[]);
    assert_eq!(code, 1, "{lines:?}");
    assert_eq!(summary, "F: 1 error", "{lines:?}");
    assert_eq!(lines.len(), 1, "{lines:?}");
    lines[0].clone()
}

fn interface() -> String {
    format!("[Interface]\nPrivateKey = {PRIV}\nAddress = 10.9.0.1/24\n")
}

#[test]
fn a_good_file_is_ok() {
    let (lines, summary, code, _) = check(&good_config(), &[]);
    assert_eq!((lines, summary.as_str(), code), (vec![], "F: OK", 0));
}

#[test]
fn each_bad_config_gives_one_clear_error() {
    let peer = format!("[Peer]\nPublicKey = {KEY1}\nAllowedIPs = 10.9.0.2/32\n");
    let cases = [
        (format!("{}Foo = 1\n{peer}", interface()), "F:4: Line unrecognized: `Foo=1'"),
        (
            format!("{}Adress = 10.0.0.1\n{peer}", interface()),
            "F:4: Line unrecognized: `Adress=10.0.0.1' (did you mean Address?)",
        ),
        (
            format!("{}{peer}ListenPort = 1\n", interface()),
            "F:7: Line unrecognized: `ListenPort=1' (ListenPort belongs in the [Interface] section)",
        ),
        (
            format!("[Interface]\nPrivateKey = abc\nAddress = 10.9.0.1/24\n{peer}"),
            "F:2: Key is not the correct length or format: `abc'",
        ),
        (
            format!("{}[Peer]\nPublicKey = {KEY1}\nAllowedIPs = 10.9.0.0/33\n", interface()),
            "F:6: AllowedIP is not in the correct format: `10.9.0.0/33'",
        ),
        (
            format!("[Interface]\nPrivateKey = {PRIV}\nAddress = 10.9.0.300/24\n{peer}"),
            "F:3: Address is not an IP address with an optional /prefix: `10.9.0.300/24'",
        ),
        (
            format!("{}{peer}[Interface]\nListenPort = 2\n", interface()),
            "F:7: duplicate [Interface] section (the first one is at line 1)",
        ),
        (
            format!("{}{peer}{peer}", interface()),
            format!("F:8: duplicate [Peer] for public key {KEY1} (the first one is at line 5)").leak(),
        ),
        (
            format!("{}[Peer]\nAllowedIPs = 10.9.0.2/32\n", interface()),
            "F:4: A peer is missing a public key",
        ),
        (
            format!("{}{peer}Endpoint = 192.0.2.1\n", interface()),
            "F:7: Unable to find port of endpoint: `192.0.2.1'",
        ),
        (
            format!("{}{peer}Endpoint = bad_host!.example:1\n", interface()),
            "F:7: Endpoint host is neither an IP address nor a host name: `bad_host!.example:1'",
        ),
        (
            format!("{}MTU = big\n{peer}", interface()),
            "F:4: MTU is not a positive number: `big'",
        ),
        (
            format!("{}SaveConfig = yes\n{peer}", interface()),
            "F:4: `yes' is neither true nor false",
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(one_error(&text), expected, "for:\n{text}");
    }
}

#[test]
fn every_problem_is_reported_in_line_order() {
    let text = format!(
        "[Interface]\nPrivateKey = {PRIV}\nListenPort = 1\nListenPort = 2\nBogus = 1\n\
         [Peer]\nPublicKey = {KEY1}\nAllowedIPs = 10.9.0.0/24\n\
         [Peer]\nPublicKey = {KEY2}\nAllowedIPs = 10.9.0.0/24, 10.9.0.1/40\n"
    );
    let (lines, summary, code, _) = check(&text, &[]);
    assert_eq!(
        lines,
        [
            "F:4: Warning: ListenPort is given again (first at line 3); only the last one counts",
            "F:5: Line unrecognized: `Bogus=1'",
            "F:11: AllowedIP is not in the correct format: `10.9.0.1/40'",
            "F:11: Warning: AllowedIPs 10.9.0.0/24 is also in the [Peer] at line 6 (10.9.0.0/24); \
             a prefix belongs to one peer only, and the peer set last takes it from the other",
        ]
    );
    assert_eq!((summary.as_str(), code), ("F: 2 errors, 2 warnings", 1));
}

#[test]
fn warnings_alone_exit_zero() {
    let text = format!(
        "[Interface]\nAddress = 10.9.0.1/24\nTable = ftnosuchtable\n\
         [Peer]\nPublicKey = {KEY1}\nAllowedIPs = 10.9.0.1/24\n"
    );
    let (lines, summary, code, _) = check(&text, &[]);
    assert_eq!(
        lines,
        [
            "F:1: Warning: [Interface] has no PrivateKey: the interface can neither send nor \
             receive until one is set (by a PostUp hook, say)",
            "F:3: Warning: Table `ftnosuchtable' is neither auto, off, a number nor a table name \
             known on this host (/etc/iproute2/rt_tables), so `up' would fail here",
            "F:6: Warning: AllowedIP has nonzero host part: 10.9.0.1/24",
        ]
    );
    assert_eq!((summary.as_str(), code), ("F: OK, 3 warnings", 0));
}

#[test]
fn files_that_others_can_read() {
    let dir = TempDir::new("check-perm");
    let path = dir.file("wg0.conf", &good_config());
    let mode = |p: &std::path::Path, m| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
    };
    mode(dir.path(), 0o755);
    mode(std::path::Path::new(&path), 0o644);
    let run = ferrotun(&["check", &path], &[]);
    assert_eq!(
        run.out,
        format!(
            "{path}: Warning: the file is world accessible, and it holds a private key\n\
             {path}: OK, 1 warning\n"
        )
    );
    assert_eq!(run.code, 0);
    // Without a private key the warning does not claim one.
    let keyless = dir.file(
        "wg1.conf",
        "[Peer]\nPublicKey = 7cDp8rHnZxnw5xXEyPkFjHcvWvbVNg8BmvL0AXn/fXU=\n",
    );
    mode(std::path::Path::new(&keyless), 0o644);
    let run = ferrotun(&["check", "--wg", &keyless], &[]);
    assert!(
        run.out.starts_with(&format!(
            "{keyless}: Warning: the file is world accessible\n"
        )),
        "{}",
        run.out
    );
}

#[test]
fn missing_files_and_bad_names() {
    let dir = TempDir::new("check-missing");
    let missing = dir.path().join("wg9.conf").display().to_string();
    let run = ferrotun(&["check", &missing], &[]);
    assert_eq!(
        run.out,
        format!("{missing}: No such file or directory\n{missing}: 1 error\n")
    );
    assert_eq!(run.code, 1);
    // An interface name means /etc/wireguard/NAME.conf, as with `up`.
    let name = format!("ftchk{}", std::process::id() % 100_000);
    let run = ferrotun(&["check", &name], &[]);
    let etc = format!("/etc/wireguard/{name}.conf");
    // Debian makes /etc/wireguard 0700: a user other than root cannot even look.
    let why = if std::fs::read_dir("/etc/wireguard").is_err_and(|e| e.kind() == PermissionDenied) {
        "Permission denied"
    } else {
        "No such file or directory"
    };
    assert_eq!(run.out, format!("{etc}: {why}\n{etc}: 1 error\n"));
    // `up` needs NAME.conf; a wg(8) file may be called anything.
    let odd = dir.file("peers.txt", &format!("[Peer]\nPublicKey = {KEY1}\n"));
    let run = ferrotun(&["check", &odd], &[]);
    assert_eq!(run.code, 1);
    assert!(run.out.starts_with(&format!(
        "{odd}: The config file must be a valid interface name, followed by .conf\n"
    )));
    let run = ferrotun(&["check", "--wg", &odd], &[]);
    assert_eq!((run.out, run.code), (format!("{odd}: OK\n"), 0));
}

#[test]
fn the_wg_dialect() {
    let (lines, _, code, _) = check(&good_config(), &["--wg"]);
    assert_eq!(code, 1);
    assert_eq!(
        lines[0],
        "F:3: Line unrecognized: `Address=10.9.0.1/24,fd09::1/64' (Address is a wg-quick key, \
         which wg(8) files do not have; check without --wg)"
    );
    assert_eq!(lines.len(), 3, "Address, DNS and PostUp: {lines:?}");
}

#[test]
fn usage() {
    for args in [
        &["check"][..],
        &["check", "a", "b"],
        &["check", "--bogus", "a"],
        &["check", "--help"],
    ] {
        let run = ferrotun(args, &[]);
        assert_eq!(run.code, 1, "{args:?}");
        assert!(
            run.err.contains("Usage: ") && run.err.contains(" check [--wg] [--resolve]"),
            "{run:?}"
        );
    }
}
