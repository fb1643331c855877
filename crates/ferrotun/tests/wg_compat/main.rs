//! Differential tests: `ferrotun` against wireguard-tools' `wg`, on the same daemons.
//!
//! Every test runs in a private mount namespace ([`sandbox`]) with its own daemons
//! (ferrotund and wireguard-go, [`daemon`]) or fake daemons that replay chosen `get` replies
//! ([`replay`]). Outputs are compared byte for byte: standard output, standard error and the
//! exit status, with both programs called as `wg`.
//!
//! Needs root, `wg`, `wireguard-go`, `unshare`, `nsenter` and `bash` (and `script` for the
//! terminal test); the ferrotund half needs a ferrotund build (`$FERROTUND`, or
//! `target/{release,debug}/ferrotund`). Without them a test fails under
//! `FERROTUN_REQUIRE_ALL=1`, naming what is missing, and is logged as a skip otherwise
//! (ferrotun-testkit).
//!
//! Known, deliberate differences from the installed `wg` (1.0.20210914), which ferrotun
//! follows current wireguard-tools on, are checked against the behaviour of the newer tools
//! instead: `show all endpoints` prefixes every line, `set` accepts `+`/`-` allowed IPs
//! (and its usage says so), `syncconf` clears dropped preshared keys and keepalives, and a
//! name longer than 15 bytes is "File name too long".

mod conf;
mod daemon;
mod fixtures;
mod json;
mod keys;
mod replay;
mod sandbox;
mod set;
mod show;

use ferrotun_testkit::Need;
use sandbox::{Run, Sandbox};
use std::path::Path;

/// Whether this machine can run the differential tests. A missing prerequisite fails the
/// test under `FERROTUN_REQUIRE_ALL=1` and is logged as a skip otherwise (ferrotun-testkit).
pub fn prerequisites() -> bool {
    ferrotun_testkit::require(&[
        Need::Root,
        Need::Tool("wg"),
        Need::Tool("wireguard-go"),
        Need::Tool("unshare"),
        Need::Tool("nsenter"),
        Need::Tool("bash"),
    ])
}

/// Whether ferrotund is built (or `FERROTUND` names it); like [`prerequisites`] otherwise.
pub fn ferrotund_available() -> bool {
    let path = daemon::ferrotund_bin();
    ferrotun_testkit::require(&[Need::File {
        path: path
            .as_deref()
            .unwrap_or(Path::new("target/release/ferrotund")),
        hint: "cargo build --release -p ferrotund, or set FERROTUND",
    }])
}

/// Runs `args` with both tools and returns (wg, ferrotun).
pub fn both(sandbox: &Sandbox, args: &[&str], env: &[(&str, &str)]) -> (Run, Run) {
    let wg = sandbox.run_as("wg", "wg", args, env, b"");
    let ours = sandbox.run_as("wg", sandbox::ferrotun_bin(), args, env, b"");
    (wg, ours)
}

/// Asserts that both tools behave the same. Output that depends on the current second
/// ("N seconds ago") is retried twice before failing.
#[track_caller]
pub fn assert_same(sandbox: &Sandbox, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut last = None;
    for _ in 0..3 {
        let (wg, ours) = both(sandbox, args, env);
        if wg == ours {
            return ours;
        }
        last = Some((wg, ours));
    }
    let (wg, ours) = last.unwrap();
    panic!(
        "`wg {}` with {env:?} differs\n=== wg ===\n{wg}\n=== ferrotun ===\n{ours}",
        args.join(" ")
    );
}

/// `showconf` with the peer sections sorted: wireguard-go lists peers in random order, and
/// ferrotund's order depends on which peer slots were freed before.
pub fn canonical_conf(text: &str) -> String {
    let mut blocks: Vec<&str> = text.trim_end_matches('\n').split("\n\n").collect();
    if blocks.len() > 1 {
        blocks[1..].sort_unstable();
    }
    blocks.join("\n\n")
}

/// A request body with every `allowed_ip` address and endpoint zone in one spelling.
/// ferrotun's request encoder (ferrotun-uapi) writes IPv4-compatible IPv6 addresses in hex
/// (`::102:304` for `::1.2.3.4`) and zones as numbers (`%1` for `%lo`), where `wg` uses
/// glibc's forms; daemons parse both alike.
pub fn canonical_request(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body).replace("%lo]", "%1]");
    text.lines()
        .map(|line| match line.strip_prefix("allowed_ip=") {
            Some(value) => {
                let (sign, rest) = value.strip_prefix('-').map_or(("", value), |r| ("-", r));
                let (ip, cidr) = rest.split_once('/').unwrap_or((rest, ""));
                let ip = ip
                    .parse::<std::net::IpAddr>()
                    .map_or(ip.to_string(), |a| a.to_string());
                format!("allowed_ip={sign}{ip}/{cidr}\n")
            }
            None => format!("{line}\n"),
        })
        .collect()
}
