use super::*;

fn resolver_result(host: &str, service: &str) -> Result<SocketAddr, Error> {
    let mut notes = Vec::new();
    let mut notify = |s: &str| notes.push(s.to_string());
    SystemResolver::new(&mut notify).resolve_endpoint(host, service, &format!("{host}:{service}"))
}

#[test]
fn numeric_endpoints_need_no_dns() {
    assert_eq!(
        resolver_result("192.0.2.1", "51820").unwrap(),
        "192.0.2.1:51820".parse().unwrap()
    );
    assert_eq!(
        resolver_result("2001:db8::1", "1").unwrap(),
        "[2001:db8::1]:1".parse().unwrap()
    );
    // A zone may name an interface; `lo` always exists.
    let SocketAddr::V6(scoped) = resolver_result("fe80::1%lo", "7").unwrap() else {
        panic!("not IPv6");
    };
    assert_ne!(scoped.scope_id(), 0);
}

#[test]
fn ports_are_numbers_or_services() {
    let mut notify = |_: &str| {};
    let mut resolver = SystemResolver::new(&mut notify);
    assert_eq!(resolver.resolve_port("51820").unwrap(), 51820);
    // getaddrinfo does not range-check (70000 would wrap to 4464, as with `wg`): refused.
    for wraps in ["70000", "99999", "65536", "-1", " 123456789012345678901234"] {
        assert_eq!(
            resolver.resolve_port(wraps).unwrap_err().message,
            format!("Port is not a number from 0 to 65535: `{wraps}'")
        );
        let endpoint = resolver
            .resolve_endpoint("192.0.2.1", wraps, "e")
            .unwrap_err();
        assert!(endpoint.message.contains("0 to 65535"), "{endpoint}");
        assert!(OfflineResolver.resolve_port(wraps).is_err());
    }
    assert_eq!(resolver.resolve_port("65535").unwrap(), 65535);
    assert_eq!(resolver.resolve_port("0").unwrap(), 0);
    assert_eq!(
        resolver.resolve_port("").unwrap_err().message,
        "Unable to parse empty port"
    );
    let err = resolver.resolve_port("no-such-service-x").unwrap_err();
    assert_eq!(
        err.message,
        "Servname not supported for ai_socktype: `no-such-service-x'"
    );
    if std::fs::read_to_string("/etc/services").is_ok_and(|s| s.contains("123/udp")) {
        assert_eq!(resolver.resolve_port("ntp").unwrap(), 123);
    }
}

#[test]
fn c_strtoul_rules() {
    assert_eq!(parse_c_ulong(""), Some(0));
    assert_eq!(parse_c_ulong("15"), Some(15));
    assert_eq!(parse_c_ulong(" +3"), Some(3));
    assert_eq!(parse_c_ulong("-0"), Some(0));
    assert_eq!(parse_c_ulong("-1"), Some(u64::MAX));
    assert_eq!(parse_c_ulong("1x"), None);
    assert_eq!(parse_c_ulong(" "), None);
}

#[test]
fn os_error_suffix() {
    assert_eq!(
        strip_os_error_suffix("No such file or directory (os error 2)"),
        "No such file or directory"
    );
    assert_eq!(strip_os_error_suffix("plain"), "plain");
}

fn run_retry(
    retries: Option<u32>,
    mut outcomes: Vec<Result<Option<SocketAddr>, i32>>,
) -> (Result<SocketAddr, Error>, Vec<String>, Vec<Duration>) {
    let mut notes = Vec::new();
    let mut pauses = Vec::new();
    let mut notify = |s: &str| notes.push(s.to_string());
    let mut sleep = |d: Duration| pauses.push(d);
    outcomes.reverse();
    let mut lookup = || {
        outcomes
            .pop()
            .expect("too many lookups")
            .map_err(LookupError::new)
    };
    let mut retry = Retry {
        retries,
        notify: &mut notify,
        sleep: &mut sleep,
    };
    let result = retry.run("host:1", &mut lookup);
    (result, notes, pauses)
}

#[test]
fn transient_failures_are_retried_with_growing_pauses() {
    let addr: SocketAddr = "192.0.2.7:1".parse().unwrap();
    let again = Err(libc::EAI_AGAIN);
    let (result, notes, pauses) = run_retry(Some(15), vec![again, again, again, Ok(Some(addr))]);
    assert_eq!(result.unwrap(), addr);
    assert_eq!(
        notes,
        [
            "Temporary failure in name resolution: `host:1'. Trying again in 1.00 seconds...",
            "Temporary failure in name resolution: `host:1'. Trying again in 1.20 seconds...",
            "Temporary failure in name resolution: `host:1'. Trying again in 1.44 seconds...",
        ]
    );
    assert_eq!(pauses[2], Duration::from_micros(1_440_000));
}

#[test]
fn retries_run_out() {
    let again = Err(libc::EAI_AGAIN);
    let (result, notes, _) = run_retry(Some(2), vec![again, again, again]);
    assert_eq!(
        result.unwrap_err().message,
        "Temporary failure in name resolution: `host:1'"
    );
    assert_eq!(notes.len(), 2);
    let (result, notes, _) = run_retry(Some(0), vec![again]);
    assert!(result.is_err() && notes.is_empty());
}

#[test]
fn permanent_failures_are_final() {
    for code in [libc::EAI_NONAME, libc::EAI_FAIL, libc::EAI_NODATA] {
        let (result, notes, _) = run_retry(None, vec![Err(code)]);
        assert!(result.is_err() && notes.is_empty(), "{code}");
    }
    let (result, _, _) = run_retry(None, vec![Err(libc::EAI_NONAME)]);
    assert_eq!(
        result.unwrap_err().message,
        "Name or service not known: `host:1'"
    );
    let (result, _, _) = run_retry(None, vec![Ok(None)]);
    assert_eq!(
        result.unwrap_err().message,
        "Neither IPv4 nor IPv6 address found: `host:1'"
    );
}

#[test]
fn pauses_are_capped_at_twenty_seconds() {
    let again = Err(libc::EAI_AGAIN);
    let (_, notes, pauses) = run_retry(Some(25), vec![again; 26]);
    assert_eq!(pauses.last(), Some(&Duration::from_secs(20)));
    assert!(
        notes[17].ends_with("Trying again in 20.00 seconds..."),
        "{}",
        notes[17]
    );
    assert!(
        notes[3].ends_with("Trying again in 1.73 seconds..."),
        "{}",
        notes[3]
    );
}
