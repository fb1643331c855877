use super::*;
use std::sync::atomic::AtomicUsize;

fn counting_pair() -> (StackPort, StackEnd, Arc<AtomicUsize>) {
    let wakes = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&wakes);
    let (port, end) = pair(
        1420,
        Box::new(move || {
            counter.fetch_add(1, Ordering::SeqCst);
        }),
    );
    (port, end, wakes)
}

#[test]
fn packets_cross_both_ways_in_order() {
    let (port, end, _) = counting_pair();
    for i in 0..3u8 {
        end.send_with(3, |b| b.copy_from_slice(&[i; 3]));
    }
    let mut buf = [0u8; 16];
    for i in 0..3u8 {
        assert_eq!(port.try_recv(&mut buf), Recv::Packet(3));
        assert_eq!(&buf[..3], &[i; 3]);
    }
    assert_eq!(port.try_recv(&mut buf), Recv::Empty);
    port.send(b"abcd").unwrap();
    let got = end.try_recv().unwrap();
    assert_eq!(got, b"abcd");
    end.recycle(got);
    assert!(end.try_recv().is_none());
}

#[test]
fn the_stack_is_woken_only_when_it_sleeps() {
    let (port, end, wakes) = counting_pair();
    port.send(b"x").unwrap();
    assert_eq!(wakes.load(Ordering::SeqCst), 0);
    // A packet is queued: the stack must not sleep.
    assert!(!end.prepare_sleep());
    end.try_recv().unwrap();
    assert!(end.prepare_sleep());
    port.send(b"y").unwrap();
    port.send(b"z").unwrap();
    assert_eq!(wakes.load(Ordering::SeqCst), 1);
}

#[test]
fn a_full_queue_drops_and_counts_towards_the_stack_and_says_so_towards_the_engine() {
    let (port, end, _) = counting_pair();
    for _ in 0..QUEUE_PACKETS {
        port.send(b"p").unwrap();
        assert!(end.can_send());
        end.send_with(1, |_| ());
    }
    assert!(port.send(b"p").is_err());
    assert_eq!(port.dropped(), 1);
    assert!(!end.can_send());
}

#[test]
fn a_waiting_engine_gets_the_next_packet_and_sees_the_stack_go() {
    let (port, end, _) = counting_pair();
    let reader = std::thread::spawn(move || {
        let mut buf = [0u8; 8];
        let first = port.recv_waiting(&mut buf);
        (first, port.recv_waiting(&mut buf))
    });
    std::thread::sleep(std::time::Duration::from_millis(50));
    end.send_with(2, |b| b.copy_from_slice(b"hi"));
    std::thread::sleep(std::time::Duration::from_millis(50));
    drop(end);
    let (first, second) = reader.join().unwrap();
    assert_eq!(first, Recv::Packet(2));
    assert_eq!(second, Recv::Closed);
}

#[test]
fn a_short_buffer_gets_the_packets_head() {
    let (port, end, _) = counting_pair();
    end.send_with(4, |b| b.copy_from_slice(b"wxyz"));
    let mut buf = [0u8; 2];
    assert_eq!(port.try_recv(&mut buf), Recv::Packet(2));
    assert_eq!(&buf, b"wx");
}
