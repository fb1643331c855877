//! The whole comparison: every row, measured in turn, with progress lines on stdout.

use crate::handshake::{ours as ours_hs, theirs as theirs_hs, StaticKeys};
use crate::harness::{measure_interleaved, time_each, Config, Measurement};
use crate::lookup::{self, naive::PrefixMaps, network_table::NetworkTable, ours::Ours, Table};
use crate::openssl;
use crate::report::{Better, Row};
use crate::transport::{self, run_batched, PACKET_LEN};
use std::time::Instant;

const BORINGTUN: &str = "boringtun 0.7";

/// Environment variable naming the groups to run, comma-separated (`handshake`, `seal`, `open`,
/// `lookup`); all of them when unset. Meant for profiling one group with `perf`.
pub const ONLY_ENV: &str = "FERROTUN_BENCH_ONLY";

fn wanted(group: &str) -> bool {
    match std::env::var(ONLY_ENV) {
        Ok(only) if !only.trim().is_empty() => only.split(',').any(|g| g.trim() == group),
        _ => true,
    }
}

/// Measures every selected row.
#[must_use]
pub fn run(cfg: &Config) -> Vec<Row> {
    let mut rows = Vec::new();
    if wanted("handshake") {
        rows.push(handshakes(cfg));
    }
    if wanted("seal") {
        rows.push(seal(cfg));
    }
    if wanted("open") {
        rows.push(open(cfg));
    }
    if wanted("lookup") {
        rows.extend(lookups(cfg));
    }
    rows
}

fn openssl_figure(cfg: &Config, decrypt: bool) -> Option<f64> {
    let seconds = if cfg.quick { 1 } else { 3 };
    let flag = if decrypt { " -decrypt" } else { "" };
    let figure = openssl::speed_gbit(seconds, decrypt);
    match figure {
        Some(gbit) => println!(
            "  openssl speed -evp chacha20-poly1305 -bytes 1420 -seconds {seconds}{flag}: \
             {gbit:.2} Gbit/s"
        ),
        None => println!("  openssl: not available"),
    }
    figure
}

fn progress(label: &str, m: &Measurement) {
    println!(
        "  {label:<38} {:>12.1} ns/op (min {:.1}, max {:.1})",
        m.ns_per_op, m.min_ns, m.max_ns
    );
}

fn handshakes(cfg: &Config) -> Row {
    println!("handshakes …");
    let keys = StaticKeys::from_seed(1);
    let mut ours = ours_hs::Pair::new(&keys);
    let mut theirs = theirs_hs::Pair::new(&keys);
    let m = measure_interleaved(
        cfg,
        &mut [&mut |n| time_each(n, || ours.handshake()), &mut |n| {
            time_each(n, || theirs.handshake())
        }],
    );
    progress("ferrotun handshake", &m[0]);
    progress("boringtun handshake", &m[1]);
    Row {
        name: "full handshake, both sides".into(),
        unit: "handshakes/s",
        ours: m[0].ops_per_sec(),
        theirs: m[1].ops_per_sec(),
        rival: BORINGTUN,
        better: Better::Higher,
        openssl: None,
    }
}

fn boringtun_session(seed: u64) -> (boringtun::noise::Tunn, boringtun::noise::Tunn) {
    let mut pair = theirs_hs::Pair::new(&StaticKeys::from_seed(seed));
    pair.handshake();
    pair.into_tunnels()
}

fn transport_row(name: &str, m: &[Measurement], openssl: Option<f64>) -> Row {
    Row {
        name: name.into(),
        unit: "Gbit/s",
        ours: m[0].gbit_per_sec(PACKET_LEN),
        theirs: m[1].gbit_per_sec(PACKET_LEN),
        rival: BORINGTUN,
        better: Better::Higher,
        openssl,
    }
}

fn seal(cfg: &Config) -> Row {
    println!("seal 1420-byte packets …");
    let openssl = openssl_figure(cfg, false);
    let (keypair, _) = ours_hs::Pair::new(&StaticKeys::from_seed(2)).handshake();
    let mut ours = transport::ours::Sealer::new(keypair);
    let mut theirs = transport::theirs::Sealer::new(boringtun_session(2).0);
    let mut floor = transport::floor::Sealer::default();
    let m = measure_interleaved(
        cfg,
        &mut [&mut |n| ours.run(n), &mut |n| theirs.run(n), &mut |n| {
            floor.run(n)
        }],
    );
    progress("ferrotun Keypair::seal", &m[0]);
    progress("boringtun Tunn::encapsulate", &m[1]);
    progress("(floor: aws-lc-rs seal_in_place alone)", &m[2]);
    transport_row("seal 1420 B, 1 thread", &m, openssl)
}

fn open(cfg: &Config) -> Row {
    println!("open 1420-byte packets …");
    let openssl = openssl_figure(cfg, true);
    let (sender, receiver) = ours_hs::Pair::new(&StaticKeys::from_seed(3)).handshake();
    let mut ours = transport::ours::Opener::new(sender, receiver);
    let (sender, receiver) = boringtun_session(3);
    let mut theirs = transport::theirs::Opener::new(sender, receiver);
    let mut floor = transport::floor::Opener::default();
    let m = measure_interleaved(
        cfg,
        &mut [
            &mut |n| run_batched(&mut ours, n),
            &mut |n| run_batched(&mut theirs, n),
            &mut |n| run_batched(&mut floor, n),
        ],
    );
    progress("ferrotun Keypair::open", &m[0]);
    progress("boringtun Tunn::decapsulate", &m[1]);
    progress("(floor: aws-lc-rs open_in_place alone)", &m[2]);
    transport_row("open 1420 B, 1 thread", &m, openssl)
}

fn build<T: Table>(label: &str, prefixes: &[lookup::Prefix]) -> T {
    let start = Instant::now();
    let table = T::build(prefixes);
    println!(
        "  built {label} in {:.1} ms",
        start.elapsed().as_secs_f64() * 1e3
    );
    table
}

fn lookups(cfg: &Config) -> [Row; 2] {
    println!("allowed-IPs lookups, {} prefixes …", lookup::PREFIXES);
    let data = lookup::data_set(4);
    let ours: Ours = build("ferrotun AllowedIps", &data.prefixes);
    let naive: PrefixMaps = build("HashMap per prefix length", &data.prefixes);
    let table: NetworkTable = build("ip_network_table", &data.prefixes);
    let q = &data.queries;
    let m = measure_interleaved(
        cfg,
        &mut [
            &mut |n| lookup::run(&ours, q, n),
            &mut |n| lookup::run(&naive, q, n),
            &mut |n| lookup::run(&table, q, n),
        ],
    );
    progress("ferrotun AllowedIps::lookup", &m[0]);
    progress("HashMap per prefix length", &m[1]);
    progress("ip_network_table longest_match", &m[2]);
    let row = |theirs: &Measurement, rival| Row {
        name: "allowed-IPs lookup, 100k prefixes".into(),
        unit: "ns/lookup",
        ours: m[0].ns_per_op,
        theirs: theirs.ns_per_op,
        rival,
        better: Better::Lower,
        openssl: None,
    };
    [
        row(&m[1], "HashMap per prefix length (naive baseline)"),
        row(
            &m[2],
            "ip_network_table 0.2 (inside boringtun's device::AllowedIps)",
        ),
    ]
}
