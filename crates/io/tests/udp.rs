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
