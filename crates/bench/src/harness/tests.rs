use super::*;

#[test]
fn measures_a_fixed_cost_workload() {
    let cfg = Config {
        quick: true,
        warmup: Duration::from_millis(5),
        measure: Duration::from_millis(10),
        samples: 3,
    };
    // Each "operation" spins for 1 µs of real time but reports exactly 100 ns.
    let m = measure(&cfg, |iters| {
        let start = Instant::now();
        while start.elapsed() < Duration::from_micros(iters) {}
        Duration::from_nanos(iters * 100)
    });
    assert!((m.ns_per_op - 100.0).abs() < 1.0, "{m:?}");
    assert!((m.ops_per_sec() - 1e7).abs() < 1e5);
    assert!((m.gbit_per_sec(1250) - 100.0).abs() < 1.0);
}

#[test]
fn quick_mode_comes_from_the_environment_value() {
    assert!(Config::quick().quick);
    assert!(!Config::full().quick);
    assert!(Config::quick().measure + Config::quick().warmup <= Duration::from_millis(300));
}

#[test]
fn interleaved_workloads_get_their_own_figures() {
    let cfg = Config {
        quick: true,
        warmup: Duration::from_millis(2),
        measure: Duration::from_millis(6),
        samples: 3,
    };
    let mut calls = Vec::new();
    let mut a = |iters: u64| {
        std::thread::sleep(Duration::from_micros(200));
        Duration::from_nanos(iters * 10)
    };
    let mut b = |iters: u64| {
        calls.push(iters);
        std::thread::sleep(Duration::from_micros(200));
        Duration::from_nanos(iters * 40)
    };
    let m = measure_interleaved(&cfg, &mut [&mut a, &mut b]);
    assert!((m[0].ns_per_op - 10.0).abs() < 0.5, "{m:?}");
    assert!((m[1].ns_per_op - 40.0).abs() < 0.5, "{m:?}");
    assert!(calls.len() > 3);
}
