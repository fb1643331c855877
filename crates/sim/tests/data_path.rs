//! The data path keeps established traffic away from the device: over minutes of two-way
//! traffic, across rekeys, only a handful of calls need it.

mod common;
use common::*;

#[test]
fn steady_two_way_traffic_rarely_needs_the_device() {
    let mut p = pair(40);
    if p.net.nodes[0].data_path.is_none() {
        eprintln!("FERROTUN_SIM_PATH=device: nothing to measure");
        return;
    }
    // One side starts, so the first handshake is not a simultaneous one (those cross and
    // wait for a retry, as in the kernel).
    p.net.send_ip(0, &a_to_b(b"first")).unwrap();
    p.net.run_for(secs(1));
    let before: Vec<u64> = p.net.nodes.iter().map(device_calls).collect();
    // 400 s of traffic crosses three rekeys: 12,000 data-path calls per node.
    for i in 0..4000u32 {
        p.net.send_ip(0, &a_to_b(&i.to_be_bytes())).unwrap();
        p.net.send_ip(1, &b_to_a(&i.to_be_bytes())).unwrap();
        p.net.run_for(ms(100));
    }
    p.net.run_for(secs(1));
    for (node, n) in p.net.nodes.iter().enumerate() {
        assert_eq!(n.delivered.len(), 4000 + node, "node {node} lost packets");
        let trips = device_calls(n) - before[node];
        eprintln!("node {node}: {trips} data-path calls needed the device");
        // A few per rekey (new session, confirmation, the initiation) and per timer moved
        // earlier; measured: 10 and 9.
        assert!(trips <= 40, "node {node}: {trips} calls needed the device");
    }
}

fn device_calls(n: &ferrotun_sim::Node) -> u64 {
    n.data_path.as_ref().map_or(0, |dp| dp.device_calls())
}
