use super::*;

fn row(better: Better, ours: f64, theirs: f64) -> Row {
    Row {
        name: "x".into(),
        unit: "u",
        ours,
        theirs,
        rival: "r",
        better,
        openssl: None,
    }
}

#[test]
fn verdict_follows_the_direction() {
    assert!(row(Better::Higher, 2.0, 1.0).ahead());
    assert!(!row(Better::Higher, 1.0, 2.0).ahead());
    assert!(row(Better::Lower, 1.0, 2.0).ahead());
    assert!((row(Better::Lower, 1.0, 4.0).ratio() - 0.25).abs() < 1e-12);
}

#[test]
fn table_has_a_line_per_row_and_the_openssl_share() {
    let mut r = row(Better::Higher, 15.0, 10.0);
    r.openssl = Some(20.0);
    let table = markdown(&[r, row(Better::Lower, 3.0, 2.0)]);
    assert_eq!(table.lines().count(), 4);
    assert!(table.contains("| 1.50 | ahead | 20.00 (75 %) |"), "{table}");
    assert!(table.contains("BEHIND"));
}

#[test]
fn figures_are_rounded_by_size() {
    assert_eq!(figure(123_456.7), "123457");
    assert_eq!(figure(123.45), "123.5");
    assert_eq!(figure(1.234), "1.23");
}
