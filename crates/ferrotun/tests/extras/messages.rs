//! Bad values that `wg` would wrap, and errors that mislead (issue #13, item 6), as far as
//! they need no root: ports above 65535 in files and on the command line, `check`'s warning
//! for a port taken here, `up` showing every error with `check`'s hints, and `show` of a
//! missing interface. The port that `up` finds taken is a root test in crates/quick.

use super::{ferrotun, ferrotun_in, TempDir, KEY1, PRIV};
use std::path::Path;

fn file_with_port(port: &str) -> String {
    format!(
        "[Interface]\nPrivateKey = {PRIV}\nAddress = 10.9.0.1/24\nListenPort = {port}\n\n\
         [Peer]\nPublicKey = {KEY1}\nAllowedIPs = 10.9.0.2/32\n"
    )
}

#[test]
fn ports_above_65535_are_refused_with_their_line() {
    let dir = TempDir::new("port");
    for port in ["99999", "65536", "-1"] {
        let path = dir.file("ftport.conf", &file_with_port(port));
        let expected = format!("{path}:4: Port is not a number from 0 to 65535: `{port}'");
        let check = ferrotun(&["check", &path], &[]);
        assert_eq!(check.code, 1, "{check:?}");
        assert!(check.out.contains(&expected), "{check:?}");
        let wg_check = ferrotun(&["check", "--wg", &path], &[]);
        assert!(wg_check.out.contains(&expected), "{wg_check:?}");
        // `up` reads the file before it touches the system, so no root is needed for this.
        let up = ferrotun(&["up", &path], &[]);
        assert_eq!(up.code, 1, "{up:?}");
        assert!(up.err.contains(&expected), "{up:?}");
        // `setconf` parses (a wg(8) file) before it looks for the interface.
        let wg_file = dir.file("wg.conf", &file_with_port(port).replace("Address", "#"));
        let setconf = ferrotun(&["setconf", "ftnosuch0", &wg_file], &[]);
        assert_eq!(setconf.code, 1, "{setconf:?}");
        assert!(
            setconf.err.starts_with(&format!(
                "{wg_file}:4: Port is not a number from 0 to 65535: `{port}'"
            )),
            "{setconf:?}"
        );
    }
    let good = dir.file("ftport.conf", &file_with_port("65535"));
    assert_eq!(ferrotun(&["check", &good], &[]).code, 0);
}

#[test]
fn set_refuses_a_port_above_65535() {
    let run = ferrotun(&["set", "ftnosuch0", "listen-port", "70000"], &[]);
    assert_eq!(run.code, 1, "{run:?}");
    // Refused as a value, before the interface is looked for.
    assert_eq!(
        run.err, "Port is not a number from 0 to 65535: `70000'\n",
        "{run:?}"
    );
}

#[test]
fn check_warns_of_a_port_taken_here() {
    let taken = std::net::UdpSocket::bind("0.0.0.0:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let dir = TempDir::new("taken");
    let path = dir.file("ftport.conf", &file_with_port(&port));
    let check = ferrotun(&["check", &path], &[]);
    assert_eq!(check.code, 0, "a warning, not an error: {check:?}");
    assert!(
        check.out.contains(&format!(
            "{path}:4: Warning: UDP port {port} is already in use on this host"
        )),
        "{check:?}"
    );
    drop(taken);
    let free = ferrotun(&["check", &path], &[]);
    assert_eq!(free.out, format!("{path}: OK\n"), "{free:?}");
}

#[test]
fn up_shows_every_error_with_checks_hints() {
    let dir = TempDir::new("hints");
    let text = format!(
        "[Interface]\nPrivateKey = {PRIV}\nAdress = 10.9.0.1/24\n\n\
         [Peer]\nPublicKey = {KEY1}\nAllowedIPs = 10.9.0.2/32\nEndpont = 192.0.2.1:1\n"
    );
    dir.file("fthints.conf", &text);
    let up = ferrotun_in(dir.path(), &["up", "./fthints.conf"]);
    assert_eq!(up.code, 1, "{up:?}");
    let prog = env!("CARGO_BIN_EXE_ferrotun");
    assert_eq!(
        up.err,
        format!(
            "{prog}: ./fthints.conf:3: Line unrecognized: `Adress=10.9.0.1/24' (did you mean \
             Address?)\n{prog}: ./fthints.conf:8: Line unrecognized: `Endpont=192.0.2.1:1' \
             (did you mean Endpoint?)\n"
        )
    );
}

#[test]
fn show_of_a_missing_interface_says_so() {
    let name = format!("ftz{}", std::process::id() % 100_000);
    assert!(!Path::new(&format!("/sys/class/net/{name}")).exists());
    let run = ferrotun(&["show", &name], &[]);
    assert_eq!((run.code, run.out.as_str()), (1, ""), "{run:?}");
    let mut lines = run.err.lines();
    // `wg`'s line first, unchanged (its errno text depends on the kernel module).
    let first = lines.next().unwrap_or_default();
    assert!(first.starts_with("Unable to access interface: "), "{run:?}");
    assert_eq!(
        lines.next(),
        Some(
            format!(
                "{}: no interface {name} (no WireGuard socket in /var/run/wireguard, no kernel \
                 link)",
                env!("CARGO_BIN_EXE_ferrotun")
            )
            .as_str()
        ),
        "{run:?}"
    );
    // Called as `wg`, the text is `wg`'s alone.
    let dir = TempDir::new("as-wg-show");
    let wg = dir.path().join("wg");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_ferrotun"), &wg).unwrap();
    let output = std::process::Command::new(&wg)
        .args(["show", &name])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        format!("{first}\n")
    );
}
