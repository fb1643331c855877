//! `ferrotun check` on `ferrotun proxy` configurations: recognised by their sections, under
//! any file name, with `file:line:` errors and the proxy's own warnings.

use super::{ferrotun, TempDir, KEY1, PRIV};
use std::os::unix::fs::PermissionsExt as _;

/// The files in the shape of wireproxy's README (ferrotun-conf's test fixtures).
const SAMPLE: &str = include_str!("../../../conf/src/proxy/tests/fixtures/sample.conf");
const IMPORT: &str = include_str!("../../../conf/src/proxy/tests/fixtures/import.conf");
const WG_CLIENT: &str = include_str!("../../../conf/src/proxy/tests/fixtures/wg-client.conf");
const PEERS: &str = include_str!("../../../conf/src/proxy/tests/fixtures/peers.conf");
const SERVER: &str = include_str!("../../../conf/src/proxy/tests/fixtures/server.conf");

/// Runs `check` on `path`: (report lines with `dir` shown as `D`, exit status).
fn check(dir: &TempDir, path: &str, extra: &[&str]) -> (Vec<String>, i32) {
    let mut args = vec!["check"];
    args.extend_from_slice(extra);
    args.push(path);
    let run = ferrotun(&args, &[]);
    assert_eq!(run.err, "", "nothing on stderr");
    let shown = dir.path().display().to_string();
    let lines = run.out.lines().map(|l| l.replace(&shown, "D")).collect();
    (lines, run.code)
}

fn wg_part() -> String {
    format!(
        "[Interface]\nPrivateKey = {PRIV}\nAddress = 10.9.0.2/32\nDNS = 10.9.0.1\n\
         [Peer]\nPublicKey = {KEY1}\nAllowedIPs = 10.9.0.0/24\n"
    )
}

#[test]
fn the_readme_shaped_files_pass() {
    let dir = TempDir::new("check-proxy");
    std::fs::create_dir(dir.path().join("tunnel")).unwrap();
    dir.file("tunnel/wg-client.conf", WG_CLIENT);
    for (name, text, expected) in [
        (
            "sample.conf",
            SAMPLE,
            vec![
                "D/sample.conf:10: Warning: this peer has no AllowedIPs: the proxy sends nothing to it",
                "D/sample.conf: OK, 1 warning",
            ],
        ),
        ("import.conf", IMPORT, vec!["D/import.conf: OK"]),
        ("peers.conf", PEERS, vec!["D/peers.conf: OK"]),
        // Any name: a proxy file is not an interface's file.
        ("server-side proxy.ini", SERVER, vec!["D/server-side proxy.ini: OK"]),
    ] {
        let path = dir.file(name, text);
        let (lines, code) = check(&dir, &path, &[]);
        assert_eq!((lines, code), (expected.iter().map(ToString::to_string).collect(), 0), "{name}");
    }
}

#[test]
fn every_problem_with_its_line() {
    let dir = TempDir::new("check-proxy");
    let text = format!(
        "{}[Socks5]\nBindAddress = 0.0.0.0:1080\nPasword = hunter2\n\
         [TCPClientTunnel]\nBindAddress = 127.0.0.1:22\n\
         [UDPServerTunnel]\nListenPort = 70000\nTarget = 127.0.0.1:53\n[Bogus]\n",
        wg_part()
    );
    let path = dir.file("proxy.conf", &text);
    let (lines, code) = check(&dir, &path, &["--wg"]);
    assert_eq!(
        lines,
        [
            "D/proxy.conf:8: Warning: [Socks5] listens on 0.0.0.0:1080 without Username and Password: anyone who can reach it can use your tunnel",
            "D/proxy.conf:10: unknown key `Pasword' in [Socks5] (it takes BindAddress, Username, Password)",
            "D/proxy.conf:11: [TCPClientTunnel] has no Target",
            "D/proxy.conf:14: ListenPort is not a port from 1 to 65535: `70000'",
            "D/proxy.conf:16: Line unrecognized: `[Bogus]'",
            "D/proxy.conf: 4 errors, 1 warning",
        ]
    );
    assert_eq!(code, 1);
    assert!(
        !lines.concat().contains("hunter2"),
        "a value of a misspelt key may be a secret"
    );
}

#[test]
fn an_imported_file() {
    let dir = TempDir::new("check-proxy");
    let bad = wg_part().replace(PRIV, "abc");
    dir.file("wg0.conf", &bad);
    let path = dir.file(
        "proxy.conf",
        "WGConfig = wg0.conf\n[http]\nBindAddress = [::1]:8080\n",
    );
    assert_eq!(
        check(&dir, &path, &[]),
        (
            vec![
                "D/wg0.conf:2: Key is not the correct length or format: `abc'".to_string(),
                "D/proxy.conf: 1 error".to_string(),
            ],
            1
        )
    );
    let path = dir.file(
        "other.conf",
        "WGConfig = missing.conf\n[http]\nBindAddress = [::1]:8080\n",
    );
    assert_eq!(
        check(&dir, &path, &[]),
        (
            vec![
                "D/other.conf:1: WGConfig: cannot read `D/missing.conf': No such file or directory"
                    .to_string(),
                "D/other.conf: 1 error".to_string(),
            ],
            1
        )
    );
}

#[test]
fn files_that_others_can_read() {
    let dir = TempDir::new("check-proxy");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let key_file = dir.file("wg0.conf", &wg_part());
    let path = dir.file(
        "proxy.conf",
        "WGConfig = wg0.conf\n[Socks5]\nBindAddress = 127.0.0.1:1080\n",
    );
    for file in [&key_file, &path] {
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    assert_eq!(
        check(&dir, &path, &[]).0,
        [
            "D/proxy.conf: Warning: the file is world accessible",
            "D/wg0.conf: Warning: the file is world accessible, and it holds a private key",
            "D/proxy.conf: OK, 2 warnings",
        ]
    );
}

#[test]
fn a_plain_file_is_still_checked_as_one() {
    let dir = TempDir::new("check-proxy");
    // Without a proxy section, `CheckAlive` is not a wg-quick key.
    let path = dir.file(
        "wg0.conf",
        &wg_part().replace("DNS", "CheckAlive = 10.9.0.1\nDNS"),
    );
    let (lines, code) = check(&dir, &path, &[]);
    assert_eq!(
        lines[0],
        "D/wg0.conf:4: Line unrecognized: `CheckAlive=10.9.0.1'"
    );
    assert_eq!(code, 1);
}
