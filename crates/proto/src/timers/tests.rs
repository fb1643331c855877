use super::*;

fn at(secs: u64) -> Instant {
    Instant::from_nanos(secs * 1_000_000_000)
}

#[test]
fn next_deadline_is_the_earliest() {
    let mut t = PeerTimers::default();
    assert_eq!(t.next_deadline(), None);
    t.set(Timer::ZeroKeyMaterial, at(540));
    t.set(Timer::SendKeepalive, at(10));
    assert_eq!(t.next_deadline(), Some(at(10)));
    t.stop(Timer::SendKeepalive);
    assert_eq!(t.next_deadline(), Some(at(540)));
}

#[test]
fn idle4_expired_timer_is_cleared_once_taken() {
    let mut t = PeerTimers::default();
    t.set(Timer::SendKeepalive, at(10));
    assert_eq!(t.take_expired(at(9)), None);
    assert_eq!(t.take_expired(at(10)), Some(Timer::SendKeepalive));
    assert_eq!(t.take_expired(at(11)), None);
    assert_eq!(t.next_deadline(), None);
}

#[test]
fn data_sent_does_not_push_back_a_pending_new_handshake() {
    let mut t = PeerTimers::default();
    t.on_data_sent(&Timing::SPEC, at(0), Duration::ZERO);
    t.on_data_sent(&Timing::SPEC, at(5), Duration::ZERO);
    assert_eq!(t.deadline(Timer::NewHandshake), Some(at(15)));
    t.on_authenticated_packet_received();
    assert!(!t.is_pending(Timer::NewHandshake));
}

#[test]
fn passive_keepalive_is_timed_from_first_unanswered_data() {
    let mut t = PeerTimers::default();
    t.on_data_received(&Timing::SPEC, at(0));
    t.on_data_received(&Timing::SPEC, at(3));
    assert_eq!(t.deadline(Timer::SendKeepalive), Some(at(10)));
    assert!(t.need_another_keepalive);
    t.on_authenticated_packet_sent();
    assert!(!t.is_pending(Timer::SendKeepalive));
}

#[test]
fn persistent_keepalive_only_when_configured() {
    let mut t = PeerTimers::default();
    t.on_authenticated_packet_traversal(at(0));
    assert!(!t.is_pending(Timer::PersistentKeepalive));
    t.persistent_keepalive = Duration::from_secs(25);
    t.on_authenticated_packet_traversal(at(1));
    assert_eq!(t.deadline(Timer::PersistentKeepalive), Some(at(26)));
}

#[test]
fn handshake_complete_resets_retry_state() {
    let mut t = PeerTimers {
        handshake_attempts: 7,
        sent_lastminute_handshake: true,
        ..Default::default()
    };
    t.on_handshake_initiated(&Timing::SPEC, at(0), Duration::from_millis(333));
    assert_eq!(
        t.deadline(Timer::RetransmitHandshake),
        Some(at(5) + Duration::from_millis(333))
    );
    t.on_handshake_complete();
    assert_eq!(
        (t.handshake_attempts, t.sent_lastminute_handshake),
        (0, false)
    );
    assert!(!t.is_pending(Timer::RetransmitHandshake));
    t.on_session_derived(&Timing::SPEC, at(1));
    assert_eq!(t.deadline(Timer::ZeroKeyMaterial), Some(at(541)));
}

#[test]
fn key_zeroing_runs_before_the_other_overdue_timers() {
    let mut t = PeerTimers::default();
    for timer in Timer::ALL {
        t.set(timer, at(1));
    }
    assert_eq!(t.take_expired(at(600)), Some(Timer::ZeroKeyMaterial));
}
