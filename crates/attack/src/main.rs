//! `ferrotun-attack MODE --flag value…`: hostile and test traffic for ferrotun's hardening
//! tests (crates/ferrotund/tests/netns/attack*.rs). Only ever point it at addresses in
//! network namespaces you created.
//!
//! Modes (each prints one `key=value …` summary line on success):
//! * `flood`: handshake initiations with a valid mac1 and random keys, paced (see [`flood`]);
//! * `probe`: one such initiation; reports what the target answered;
//! * `garbage`: malformed datagrams at full rate (see [`garbage`]);
//! * `capture` / `replay`: record datagrams to a target on the path, send them again;
//! * `send` / `sink`: numbered UDP datagrams through a tunnel, and a counter for them.

mod args;
mod blast;
mod capture;
mod flood;
mod garbage;
mod inner;
mod replay;
mod rng;

use std::process::ExitCode;

const USAGE: &str = "usage: ferrotun-attack flood|probe|garbage|capture|replay|send|sink --flag value…
  flood   --target IP:PORT --key BASE64 [--rate N] [--duration S] [--sockets N] [--pool N] [--threads N] [--bad-mac1]
  probe   --target IP:PORT --key BASE64 [--wait S]
  garbage --target IP:PORT [--rate N] [--duration S] [--sockets N]
  capture --target IP:PORT --out FILE [--duration S]
  replay  --in FILE --target IP:PORT [--forge] [--times N] [--gap-ms N]
  send    --to IP:PORT [--bind IP:PORT] [--count N] [--first N] [--gap-ms N] [--stop]
  sink    --bind IP:PORT [--duration S]";

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let Some((mode, rest)) = argv.split_first() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let result = args::Args::parse(rest).and_then(|a| match mode.as_str() {
        "flood" => flood::run(&a),
        "probe" => flood::probe(&a),
        "garbage" => garbage::run(&a),
        "capture" => capture::run(&a),
        "replay" => replay::run(&a),
        "send" => inner::send(&a),
        "sink" => inner::sink(&a),
        "-h" | "--help" => Ok(USAGE.to_string()),
        other => Err(format!("unknown mode {other:?}\n{USAGE}")),
    });
    match result {
        Ok(summary) => {
            println!("{summary}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("ferrotun-attack: {e}");
            ExitCode::from(1)
        }
    }
}
