use super::{Offload, PacketThreads, Scheduling, Settings};

fn parse(vars: &[(&str, &str)]) -> Result<Settings, String> {
    Settings::parse(|name| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| (*v).to_string())
    })
}

#[test]
fn nothing_set_means_the_defaults() {
    let Ok(s) = parse(&[]) else {
        panic!("the empty environment must parse");
    };
    assert_eq!(s.offload, Offload::WhenAvailable);
    assert_eq!(s.crypto_threads, None);
    assert_eq!(s.packet_threads, PacketThreads::Split);
    assert_eq!(
        s.scheduling,
        Scheduling::Batch {
            slice_ns: Some(3_000_000)
        }
    );
    assert_eq!(s.timing, None);
}

#[test]
fn every_variable_is_read() {
    let vars = [
        ("FERROTUN_OFFLOAD", "0"),
        ("FERROTUN_CRYPTO_THREADS", " 3 "),
        ("FERROTUN_PACKET_THREADS", "one"),
        ("FERROTUN_SCHED_SLICE_US", "0"),
    ];
    let Ok(s) = parse(&vars) else {
        panic!("valid settings must parse");
    };
    assert_eq!(s.offload, Offload::Off);
    assert_eq!(s.crypto_threads, Some(3));
    assert_eq!(s.packet_threads, PacketThreads::One);
    assert_eq!(s.scheduling, Scheduling::Batch { slice_ns: None });
    let Ok(s) = parse(&[("FERROTUN_SCHED_BATCH", "0")]) else {
        panic!("FERROTUN_SCHED_BATCH=0 must parse");
    };
    assert_eq!(s.scheduling, Scheduling::Normal);
}

/// Every variable reports a bad value the same way: its name, the value, what it takes.
#[test]
fn a_bad_value_is_an_error_naming_the_variable_and_the_value() {
    for (name, value, takes) in [
        ("FERROTUN_OFFLOAD", "no", "0 or 1"),
        ("FERROTUN_CRYPTO_THREADS", "four", "a whole number"),
        ("FERROTUN_CRYPTO_THREADS", "-1", "a whole number"),
        ("FERROTUN_PACKET_THREADS", "two", "one or split"),
        ("FERROTUN_SCHED_BATCH", "", "0 or 1"),
        ("FERROTUN_SCHED_SLICE_US", "3ms", "a whole number"),
    ] {
        let Err(e) = parse(&[(name, value)]) else {
            panic!("{name}={value:?} must be refused");
        };
        let wanted = format!("{name}={value:?} is not understood (it takes {takes})");
        assert!(e.starts_with(&wanted), "{e}");
    }
}

#[test]
fn the_test_time_scale_is_read_here_too() {
    assert!(parse(&[("FERROTUN_TEST_TIME_SCALE", "10")]).is_err());
    let Ok(s) = parse(&[("FERROTUN_TEST", "1"), ("FERROTUN_TEST_TIME_SCALE", "10")]) else {
        panic!("a scale with the test switch must parse");
    };
    assert!(s.timing.is_some());
}
