//! UDP GSO sends and GRO receives over loopback (no root needed).

use ferrotun_io::udp::{self, UdpPair};
use std::net::SocketAddr;
use std::time::Duration;

fn receive_all(pair: &UdpPair, want: usize) -> Vec<Vec<u8>> {
    let socket = pair.v4.as_ref().expect("IPv4 socket");
    socket
        .set_read_timeout(Some(Duration::from_secs(2)))
        .unwrap();
    let mut buf = vec![0u8; 65_536];
    let mut got = Vec::new();
    while got.iter().map(Vec::len).sum::<usize>() < want {
        let meta = udp::recv(socket, &mut buf).expect("datagram within 2 s");
        assert!(meta.local_ip.is_some(), "destination address reported");
        got.extend(meta.segments().map(|r| buf[r].to_vec()));
    }
    got
}

#[test]
fn segments_arrive_as_separate_datagrams() {
    let (a, b) = (UdpPair::bind(0, 0).unwrap(), UdpPair::bind(0, 0).unwrap());
    let to: SocketAddr = format!("127.0.0.1:{}", b.port()).parse().unwrap();
    let mut data = Vec::new();
    for i in 0..10u8 {
        data.extend(std::iter::repeat_n(i, if i == 9 { 40 } else { 100 }));
    }
    assert_eq!(a.send_segments(&data, 100, to, None).unwrap(), data.len());
    let got = receive_all(&b, data.len());
    assert_eq!(got.len(), 10);
    for (i, d) in got.iter().enumerate() {
        assert!(
            d.iter().all(|b| *b == i as u8),
            "datagram {i} intact and in order"
        );
        assert_eq!(d.len(), if i == 9 { 40 } else { 100 });
    }
}

#[test]
fn single_datagrams_and_sticky_source() {
    let (a, b) = (UdpPair::bind(0, 0).unwrap(), UdpPair::bind(0, 0).unwrap());
    let to: SocketAddr = format!("127.0.0.1:{}", b.port()).parse().unwrap();
    a.send(b"one", to, Some("127.0.0.1".parse().unwrap()))
        .unwrap();
    // A source address this host does not have (we roamed) falls back to the route's choice.
    a.send(b"two", to, Some("192.0.2.55".parse().unwrap()))
        .unwrap();
    let got = receive_all(&b, 6);
    assert_eq!(got, vec![b"one".to_vec(), b"two".to_vec()]);
}

#[test]
fn one_call_takes_every_queued_datagram_each_with_its_sender() {
    let (a, c, b) = (
        UdpPair::bind(0, 0).unwrap(),
        UdpPair::bind(0, 0).unwrap(),
        UdpPair::bind(0, 0).unwrap(),
    );
    let to: SocketAddr = format!("127.0.0.1:{}", b.port()).parse().unwrap();
    let n = udp::RECV_BATCH + 4;
    for i in 0..n {
        let sender = if i % 2 == 0 { &a } else { &c };
        sender.send(&[i as u8; 3][..=i % 3], to, None).unwrap();
    }
    let socket = b.v4.as_ref().unwrap();
    let mut bufs = vec![vec![0u8; 2048]; udp::RECV_BATCH];
    let mut metas = [udp::RecvMeta::default(); udp::RECV_BATCH];
    let first = udp::recv_many(socket, &mut bufs, &mut metas).unwrap();
    assert_eq!(
        first,
        udp::RECV_BATCH,
        "everything queued, up to the batch size"
    );
    let second = udp::recv_many(socket, &mut bufs[..8], &mut metas[..8]).unwrap();
    assert_eq!(second, 4);
    for (i, meta) in metas.iter().take(second).enumerate() {
        let i = udp::RECV_BATCH + i;
        let sender = if i % 2 == 0 { &a } else { &c };
        assert_eq!(meta.from.port(), sender.port());
        assert_eq!(
            &bufs[i - udp::RECV_BATCH][..meta.len],
            &[i as u8; 3][..=i % 3]
        );
        assert!(meta.local_ip.is_some());
    }
}

#[test]
fn try_recv_many_does_not_wait() {
    let (a, b) = (UdpPair::bind(0, 0).unwrap(), UdpPair::bind(0, 0).unwrap());
    let socket = b.v4.as_ref().unwrap();
    let mut bufs = vec![vec![0u8; 2048]; 4];
    let mut metas = [udp::RecvMeta::default(); 4];
    let empty = udp::try_recv_many(socket, &mut bufs, &mut metas);
    assert_eq!(
        empty.map_err(|e| e.kind()),
        Err(std::io::ErrorKind::WouldBlock)
    );
    let to: SocketAddr = format!("127.0.0.1:{}", b.port()).parse().unwrap();
    a.send(b"one", to, None).unwrap();
    a.send(b"two", to, None).unwrap();
    // Loopback delivery is synchronous, but allow the scheduler a moment all the same.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    let got = loop {
        match udp::try_recv_many(socket, &mut bufs, &mut metas) {
            Ok(n) => break n,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                assert!(std::time::Instant::now() < deadline, "nothing arrived");
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            Err(e) => panic!("{e}"),
        }
    };
    assert_eq!(got, 2);
    assert_eq!(&bufs[1][..metas[1].len], b"two");
}

/// Every datagram received on `pair`'s IPv4 socket until none arrives for 200 ms.
fn drain(pair: &UdpPair) -> Vec<Vec<u8>> {
    let socket = pair.v4.as_ref().unwrap();
    socket
        .set_read_timeout(Some(std::time::Duration::from_millis(200)))
        .unwrap();
    let mut bufs = vec![vec![0u8; 65_536]; udp::RECV_BATCH];
    let mut metas = [udp::RecvMeta::default(); udp::RECV_BATCH];
    let mut got = Vec::new();
    while let Ok(n) = udp::recv_many(socket, &mut bufs, &mut metas) {
        for (buf, meta) in bufs.iter().zip(&metas).take(n) {
            got.extend(meta.segments().map(|r| buf[r].to_vec()));
        }
    }
    got
}

#[test]
fn send_runs_sends_every_run_in_order_and_reports_what_failed() {
    let (a, b, c) = (
        UdpPair::bind(0, 0).unwrap(),
        UdpPair::bind(0, 0).unwrap(),
        UdpPair::bind(0, 0).unwrap(),
    );
    let to = |p: &UdpPair| -> SocketAddr { format!("127.0.0.1:{}", p.port()).parse().unwrap() };
    // 3 datagrams to b, 1 to c, 130 to b (more than one GSO send holds), one too big to send.
    let run = |first: u8, n: usize, last: usize| -> Vec<u8> {
        let mut data: Vec<u8> = (0..n - 1).flat_map(|i| [first + i as u8; 100]).collect();
        data.extend(std::iter::repeat_n(first + (n - 1) as u8, last));
        data
    };
    let (one, two, three) = (run(0, 3, 40), run(50, 1, 60), run(100, 130, 100));
    let too_big = vec![7u8; 70_000];
    let runs = [
        udp::SendRun {
            data: &one,
            segment: 100,
            to: to(&b),
            from: None,
        },
        udp::SendRun {
            data: &two,
            segment: 100,
            to: to(&c),
            from: None,
        },
        udp::SendRun {
            data: &too_big,
            segment: 70_000,
            to: to(&c),
            from: None,
        },
        udp::SendRun {
            data: &three,
            segment: 100,
            to: to(&b),
            from: None,
        },
    ];
    let mut failed = Vec::new();
    a.send_runs(&runs, |run, bytes, _| failed.push((run, bytes)));
    assert_eq!(failed, [(2, 70_000)]);
    let at_b = drain(&b);
    assert_eq!(at_b.len(), 3 + 130);
    let want: Vec<Vec<u8>> = one
        .chunks(100)
        .chain(three.chunks(100))
        .map(<[u8]>::to_vec)
        .collect();
    assert_eq!(at_b, want);
    assert_eq!(drain(&c), std::slice::from_ref(&two));
}
