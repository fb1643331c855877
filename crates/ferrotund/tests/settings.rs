//! A `FERROTUN_*` value the daemon does not understand stops it before it creates anything,
//! with one line that names the variable and the value. No root needed: the settings are
//! read before the TUN device and the UAPI socket.

use std::process::Command;

fn start_with(var: &str, value: &str) -> std::process::Output {
    let out = Command::new(env!("CARGO_BIN_EXE_ferrotund"))
        .args(["--foreground", "ftsettings0"])
        .env(var, value)
        .output();
    match out {
        Ok(out) => out,
        Err(e) => panic!("cannot run ferrotund: {e}"),
    }
}

#[test]
fn a_bad_setting_stops_the_daemon_with_one_line_naming_it() {
    for (var, value) in [
        ("FERROTUN_OFFLOAD", "off"),
        ("FERROTUN_CRYPTO_THREADS", "four"),
        ("FERROTUN_PACKET_THREADS", "2"),
        ("FERROTUN_SCHED_BATCH", "yes"),
        ("FERROTUN_SCHED_SLICE_US", "3ms"),
    ] {
        let out = start_with(var, value);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{var}={value}: {stderr}");
        assert_eq!(
            stderr.trim_end(),
            format!(
                "ferrotund: {var}={value:?} is not understood (it takes {}); refusing to start",
                match var {
                    "FERROTUN_OFFLOAD" | "FERROTUN_SCHED_BATCH" => "0 or 1",
                    "FERROTUN_PACKET_THREADS" => "one or split",
                    _ => "a whole number",
                }
            ),
        );
        assert!(
            !std::path::Path::new("/var/run/wireguard/ftsettings0.sock").exists(),
            "nothing may be created"
        );
    }
}
