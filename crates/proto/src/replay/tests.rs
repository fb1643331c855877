//! The kernel's replay-window self-test (docs/protocol.md §15.2) plus regressions for §9.

use super::{Filter, WINDOW_SIZE};
use crate::consts::REJECT_AFTER_MESSAGES;

/// The usable window, named as in the kernel's self-test.
const W: u64 = WINDOW_SIZE;
/// One past the window: the kernel self-test's `COUNTER_WINDOW_SIZE + 1`.
const L: u64 = W + 1;
/// wireguard-go's REJECT_AFTER_MESSAGES, which ferrotun uses.
const R: u64 = REJECT_AFTER_MESSAGES;
/// The kernel's REJECT_AFTER_MESSAGES on 64-bit hosts.
const KERNEL_R: u64 = u64::MAX - (W + 1);

#[test]
fn window_is_8128() {
    assert_eq!(W, 8128);
    assert_eq!(R, 18_446_744_073_709_543_423);
    assert_eq!(KERNEL_R, 18_446_744_073_709_543_486);
}

/// `(kernel case number, counter, accepted)`, applied in order to one fresh filter.
const TABLE: [(u32, u64, bool); 34] = [
    (1, 0, true),
    (2, 1, true),
    (3, 1, false),
    (4, 9, true),
    (5, 8, true),
    (6, 7, true),
    (7, 7, false),
    (8, L, true),
    (9, L - 1, true),
    (10, L - 1, false),
    (11, L - 2, true),
    (12, 2, true),
    (13, 2, false),
    (14, L + 16, true),
    (15, 3, false),
    (16, L + 16, false),
    (17, 4 * L, true),
    (18, 4 * L - (L - 1), true),
    (19, 10, false),
    (20, 4 * L - L, false),
    (21, 4 * L - (L + 1), false),
    (22, 4 * L - (L - 2), true),
    (23, 4 * L + 1 - L, false),
    (24, 0, false),
    (25, R, false),
    (26, R - 1, true),
    (27, R, false),
    (28, R - 1, false),
    (29, R - 2, true),
    (30, R + 1, false),
    (31, R + 2, false),
    (32, R - 2, false),
    (33, R - 3, true),
    (34, 0, false),
];

fn run_table(limit: u64) {
    let mut filter = Filter::new();
    for (case, counter, expected) in TABLE {
        // The table is written for wireguard-go's R; shift the top cases to the given limit.
        let counter = if counter >= R - 3 {
            counter - (R - 3) + (limit - 3)
        } else {
            counter
        };
        assert_eq!(
            filter.accept(counter, limit),
            expected,
            "case {case}: counter {counter}"
        );
    }
}

#[test]
fn kernel_table_with_wireguard_go_limit() {
    run_table(R);
}

#[test]
fn kernel_table_with_kernel_limit() {
    run_table(KERNEL_R);
}

#[test]
fn table_constants_match_protocol_md() {
    assert_eq!(L, 8129);
    assert_eq!(4 * L, 32516);
    assert_eq!(4 * L - (L - 1), 24388);
    assert_eq!(4 * L - (L - 2), 24389);
}

/// Accept every counter of `counters` on `filter`, naming the first that is refused.
fn accept_all(filter: &mut Filter, counters: impl Iterator<Item = u64>) {
    for counter in counters {
        assert!(filter.accept(counter, R), "counter {counter} refused");
    }
}

#[test]
fn bulk_1_ascending_then_zero() {
    let mut filter = Filter::new();
    accept_all(&mut filter, 1..=W);
    assert!(filter.accept(0, R));
    assert!(!filter.accept(0, R));
}

#[test]
fn bulk_2_ascending_from_two_then_one_and_zero() {
    let mut filter = Filter::new();
    accept_all(&mut filter, 2..=W + 1);
    assert!(filter.accept(1, R));
    assert!(!filter.accept(0, R));
}

#[test]
fn bulk_3_descending_from_window_plus_one() {
    // wireguard-go's variant: W+1, W, …, 1.
    let mut filter = Filter::new();
    accept_all(&mut filter, (1..=W + 1).rev());
}

#[test]
fn bulk_4_descending_from_window_plus_two_then_zero() {
    // wireguard-go's variant: W+2, …, 2, then 0 is one counter too old.
    let mut filter = Filter::new();
    accept_all(&mut filter, (2..=W + 2).rev());
    assert!(!filter.accept(0, R));
}

#[test]
fn bulk_5_descending_then_newer_then_zero() {
    let mut filter = Filter::new();
    accept_all(&mut filter, (1..=W).rev());
    assert!(filter.accept(W + 1, R));
    assert!(!filter.accept(0, R));
}

#[test]
fn bulk_6_descending_then_zero_then_newer() {
    let mut filter = Filter::new();
    accept_all(&mut filter, (1..=W).rev());
    assert!(filter.accept(0, R));
    assert!(filter.accept(W + 1, R));
}

#[test]
fn sec13_replay_window_is_8192_not_1024() {
    // boringtun's 1024-bit window would refuse a packet reordered by 2000 counters.
    let mut filter = Filter::new();
    assert!(filter.accept(10_000, R));
    assert!(filter.accept(8_000, R));
    assert!(!filter.accept(8_000, R));
    // The edge of the usable window.
    assert!(filter.accept(10_000 - W, R));
    assert!(!filter.accept(10_000 - W - 1, R));
}

#[test]
fn sec5_reject_after_messages_enforced() {
    let mut filter = Filter::new();
    assert!(!filter.accept(REJECT_AFTER_MESSAGES, REJECT_AFTER_MESSAGES));
    assert!(!filter.accept(u64::MAX, REJECT_AFTER_MESSAGES));
    assert!(filter.accept(REJECT_AFTER_MESSAGES - 1, REJECT_AFTER_MESSAGES));
    // A refused counter must not have moved the window.
    assert!(filter.accept(REJECT_AFTER_MESSAGES - 1 - W, REJECT_AFTER_MESSAGES));
}

#[test]
fn refused_counter_does_not_slide_window() {
    let mut filter = Filter::new();
    assert!(!filter.accept(1_000_000, 1_000_000));
    assert!(filter.accept(0, 1_000_000));
}

#[test]
fn ring_word_reused_after_wrap_is_cleared() {
    // 100 and 100 + 8192 share a ring bit; advancing must clear it before recording the new one.
    let mut filter = Filter::new();
    assert!(filter.accept(100, R));
    assert!(filter.accept(100 + 8192, R));
    assert!(!filter.accept(100 + 8192, R));
    assert!(!filter.accept(100, R));
}

#[test]
fn jump_beyond_whole_ring_clears_every_word() {
    let mut filter = Filter::new();
    accept_all(&mut filter, 0..8192);
    let far = 10 * 8192 + 5;
    assert!(filter.accept(far, R));
    // Every counter still inside the window is fresh, including ones sharing old bits.
    accept_all(&mut filter, (far - W..far).rev());
    assert!(!filter.accept(far - W - 1, R));
}

#[test]
fn huge_jump_near_u64_max_does_not_overflow() {
    let mut filter = Filter::new();
    assert!(filter.accept(0, u64::MAX));
    assert!(filter.accept(u64::MAX - 1, u64::MAX));
    assert!(filter.accept(u64::MAX - 2, u64::MAX));
    assert!(!filter.accept(u64::MAX, u64::MAX));
    assert!(!filter.accept(0, u64::MAX));
}

#[test]
fn reset_forgets_history() {
    let mut filter = Filter::new();
    assert!(filter.accept(50_000, R));
    filter.reset();
    assert!(filter.accept(0, R));
    assert!(filter.accept(50_000, R));
}

#[test]
fn default_is_fresh_and_clone_is_independent() {
    let mut filter = Filter::default();
    assert!(filter.accept(7, R));
    let mut copy = filter.clone();
    assert!(copy.accept(8, R));
    assert!(filter.accept(8, R));
    assert!(!copy.accept(7, R));
}

#[test]
fn debug_shows_newest_counter_only() {
    let mut filter = Filter::new();
    assert!(filter.accept(42, R));
    assert_eq!(format!("{filter:?}"), "Filter { last: 42, .. }");
}
