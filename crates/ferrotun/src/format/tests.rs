use super::*;

#[test]
fn endpoints() {
    assert_eq!(
        endpoint(&"192.0.2.1:51820".parse().unwrap()),
        "192.0.2.1:51820"
    );
    assert_eq!(
        endpoint(&"[2001:db8::1]:1".parse().unwrap()),
        "[2001:db8::1]:1"
    );
    assert_eq!(
        endpoint(&"[::ffff:192.0.2.1]:7".parse().unwrap()),
        "[::ffff:192.0.2.1]:7"
    );
    // A link-local scope is shown as the interface name; `lo` is index 1.
    assert_eq!(
        endpoint(&"[fe80::1%1]:5".parse().unwrap()),
        "[fe80::1%lo]:5"
    );
    // Other scopes stay numeric.
    assert_eq!(
        endpoint(&"[2001:db8::1%1]:5".parse().unwrap()),
        "[2001:db8::1%1]:5"
    );
}

#[test]
fn durations() {
    let plain = |s: u64| {
        String::from_utf8(crate::terminal::strip_escapes(pretty_time(s).as_bytes())).unwrap()
    };
    assert_eq!(plain(0), "");
    assert_eq!(plain(1), "1 second");
    assert_eq!(plain(61), "1 minute, 1 second");
    assert_eq!(plain(3723), "1 hour, 2 minutes, 3 seconds");
    assert_eq!(plain(86400 * 2 + 5), "2 days, 5 seconds");
    assert_eq!(plain(365 * 86400 + 60), "1 year, 1 minute");
    assert_eq!(pretty_time(2), "2 \x1b[36mseconds\x1b[0m");
}

#[test]
fn byte_counts() {
    let plain =
        |b: u64| String::from_utf8(crate::terminal::strip_escapes(bytes(b).as_bytes())).unwrap();
    assert_eq!(plain(0), "0 B");
    assert_eq!(plain(1023), "1023 B");
    assert_eq!(plain(1024), "1.00 KiB");
    // Exact ties round to even, as glibc's printf does.
    assert_eq!(plain(1152), "1.12 KiB");
    assert_eq!(plain(1408), "1.38 KiB");
    assert_eq!(plain(1024 * 1024 - 1), "1024.00 KiB");
    assert_eq!(plain(1 << 20), "1.00 MiB");
    assert_eq!(plain(1 << 30), "1.00 GiB");
    assert_eq!(plain(1 << 40), "1.00 TiB");
    assert_eq!(plain(u64::MAX), "16777216.00 TiB");
    assert_eq!(bytes(5), "5 \x1b[36mB\x1b[0m");
}
