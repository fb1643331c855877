//! A simulation is a function of its seed: two runs with the same seed send the same bytes
//! at the same virtual times and report the same packets, events and drops. ferrotun-proto
//! takes all its randomness, hash-table seeds included, from the RNG the caller injects,
//! and reads no clock; this checks the sum of it over a scenario with several peers,
//! handshakes, rekeys, loss and persistent keepalives.
//!
//! No output of the device depends on a hash table's iteration order today, so OS-seeded
//! tables would not make these runs differ; `every_hash_seed_comes_from_the_injected_rng`
//! (in ferrotun-proto) is the check that fails with them. This one catches whatever else
//! would: randomness or time from anywhere but the injected RNG and clock, or an output
//! that comes to depend on the order of a hash table. A different seed must change the
//! transcript, so it is not blind to what the RNG decides.

use ferrotun_proto::keys::PrivateKey;
use ferrotun_proto::time::{Duration, Instant};
use ferrotun_sim::{ipv4_packet, SimNet};
use std::net::{Ipv4Addr, SocketAddr};

const SPOKES: u8 = 3;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Path {
    /// Every call through the device.
    Device,
    /// The lock-free data path, the device only when it asks (ferrotund's way).
    DataPath,
}

const HUB_TUN: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);

fn spoke_tun(i: u8) -> Ipv4Addr {
    Ipv4Addr::new(10, 0, 0, 10 + i)
}

/// A hub (node 0) and its spokes, one of which the hub keeps alive every 25 s.
fn network(seed: u64, path: Path) -> SimNet {
    let mut net = SimNet::new(seed);
    let hub = net.add_node(PrivateKey::from_bytes([1; 32]), addr(1));
    for i in 1..=SPOKES {
        let spoke = net.add_node(PrivateKey::from_bytes([1 + i; 32]), addr(1 + i));
        let (at_hub, _) = net.connect(hub, spoke, HUB_TUN.into(), spoke_tun(i).into(), true);
        if i == 2 {
            let now = net.now();
            net.nodes[hub]
                .device
                .set_persistent_keepalive(now, at_hub, 25)
                .unwrap();
        }
    }
    for node in &mut net.nodes {
        node.data_path = match path {
            Path::Device => None,
            Path::DataPath => Some(node.device.data_path()),
        };
    }
    // Every 13th datagram is lost: handshakes are retried, packets go missing.
    let mut seq = 0u32;
    net.filter = Some(Box::new(move |_, _| {
        seq += 1;
        !seq.is_multiple_of(13)
    }));
    net
}

/// Everything the simulation let us see, in order.
fn transcript(seed: u64, path: Path) -> Vec<String> {
    let mut net = network(seed, path);
    let mut log = Vec::new();
    // 400 s of traffic, past three rekeys; one spoke falls silent for a while.
    for round in 0..1600u32 {
        let i = (round % u32::from(SPOKES)) as u8 + 1;
        let payload = round.to_be_bytes();
        let hub_sends = net.send_ip(0, &ipv4_packet(HUB_TUN, spoke_tun(i), &payload));
        log.push(format!("hub -> {i}: {hub_sends:?}"));
        if !(i == 3 && (400..900).contains(&round)) {
            let sent = net.send_ip(
                usize::from(i),
                &ipv4_packet(spoke_tun(i), HUB_TUN, &payload),
            );
            log.push(format!("{i} -> hub: {sent:?}"));
        }
        net.run_for(Duration::from_millis(250));
    }
    net.run_for(Duration::from_secs(200));
    log.extend(
        net.captured
            .iter()
            .map(|(at, d)| format!("{} {} -> {}: {:?}", nanos(*at), d.from, d.to, d.data)),
    );
    for (n, node) in net.nodes.iter().enumerate() {
        log.extend(
            node.delivered
                .iter()
                .map(|p| format!("{n} delivered {p:?}")),
        );
        log.extend(
            node.events
                .iter()
                .map(|(at, e)| format!("{n} {} {e:?}", nanos(*at))),
        );
        log.extend(node.drops.iter().map(|d| format!("{n} dropped: {d}")));
        log.push(format!("{n}: {:?}", node.device.drop_stats()));
    }
    log
}

fn addr(host: u8) -> SocketAddr {
    SocketAddr::from(([192, 0, 2, host], 51820))
}

fn nanos(at: Instant) -> u64 {
    at.as_nanos()
}

/// Index and lines of the first difference, for a readable failure.
fn first_difference<'a>(a: &'a [String], b: &'a [String]) -> Option<(usize, &'a str, &'a str)> {
    let missing = "(nothing)";
    (0..a.len().max(b.len())).find_map(|i| {
        let (x, y) = (a.get(i), b.get(i));
        (x != y).then(|| {
            let show = |s: Option<&'a String>| s.map_or(missing, String::as_str);
            (i, show(x), show(y))
        })
    })
}

#[test]
fn two_runs_with_one_seed_are_identical() {
    for path in [Path::DataPath, Path::Device] {
        let first = transcript(7, path);
        assert!(
            first.len() > 5000,
            "a non-trivial scenario: {} lines",
            first.len()
        );
        let kinds = |t: &[String], kind: &str| t.iter().filter(|l| l.contains(kind)).count();
        assert!(kinds(&first, "HandshakeComplete") >= 8, "rekeys happened");
        assert!(kinds(&first, "Queued") > 0, "packets waited for handshakes");
        let again = transcript(7, path);
        assert_eq!(first_difference(&first, &again), None, "{path:?}");
        let other = transcript(8, path);
        assert!(
            first_difference(&first, &other).is_some(),
            "{path:?}: the transcript must show what the RNG decided"
        );
    }
}

#[test]
fn the_data_path_and_the_device_alone_give_the_same_run() {
    let device = transcript(11, Path::Device);
    let data_path = transcript(11, Path::DataPath);
    assert_eq!(first_difference(&device, &data_path), None);
}
