use super::*;
use std::path::PathBuf;

fn scratch(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("ferrotun-testkit-{}-{name}", std::process::id()))
}

#[test]
fn the_mode_is_1_0_or_unset() {
    assert_eq!(Mode::parse(None), Some(Mode::RecordSkips));
    assert_eq!(Mode::parse(Some("")), Some(Mode::RecordSkips));
    assert_eq!(Mode::parse(Some("0")), Some(Mode::RecordSkips));
    assert_eq!(Mode::parse(Some("1")), Some(Mode::RequireAll));
    for bad in ["yes", "true", " 1", "2"] {
        assert_eq!(Mode::parse(Some(bad)), None, "{bad:?}");
    }
}

#[test]
fn a_recorded_skip_is_one_line_in_the_log() {
    let log = scratch("log");
    let _ = std::fs::remove_file(&log);
    skip_as(Mode::RecordSkips, &log, "some_test", "`wg` not on PATH");
    skip_as(Mode::RecordSkips, &log, "other", "two\nlines");
    let text = std::fs::read_to_string(&log).unwrap();
    std::fs::remove_file(&log).unwrap();
    assert_eq!(text, "some_test: `wg` not on PATH\nother: two lines\n");
}

#[test]
#[should_panic(expected = "some_test: needs root (FERROTUN_REQUIRE_ALL=1")]
fn under_require_all_a_skip_fails_the_test() {
    skip_as(
        Mode::RequireAll,
        &scratch("unused"),
        "some_test",
        "needs root",
    );
}

#[test]
#[should_panic(expected = "cannot log the skip of t (why)")]
fn a_skip_that_cannot_be_logged_fails_the_test() {
    let log = PathBuf::from("/nonexistent-ferrotun-dir/skips.log");
    skip_as(Mode::RecordSkips, &log, "t", "why");
}

#[test]
fn missing_pieces_are_named() {
    assert_eq!(which("sh").map(|p| p.is_absolute()), Some(true));
    assert_eq!(Need::Tool("sh").missing(), None);
    assert_eq!(
        Need::Tool("ferrotun-no-such-tool").missing().as_deref(),
        Some("`ferrotun-no-such-tool` not on PATH")
    );
    let file = Need::File {
        path: std::path::Path::new("/nonexistent/ferrotund"),
        hint: "build it",
    };
    assert_eq!(
        file.missing().as_deref(),
        Some("no file /nonexistent/ferrotund: build it")
    );
    // Root or not, the answer names root.
    let root = Need::Root.missing();
    assert!(root.as_deref().is_none_or(|r| r.starts_with("needs root")));
}

#[test]
fn tests_run_on_threads_named_after_them() {
    assert_eq!(test_name(), "tests::tests_run_on_threads_named_after_them");
}

#[test]
fn the_binary_is_named_with_its_crate() {
    // This file is crates/testkit/src/tests.rs; the unit-test binary is ferrotun_testkit-HASH.
    let here = std::panic::Location::caller();
    assert_eq!(test_binary(here), "testkit/ferrotun_testkit");
}
