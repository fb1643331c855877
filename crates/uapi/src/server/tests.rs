use super::*;
use crate::model::{AllowedIpChange, AllowedIpOp, PeerChange};
use crate::testutil::{public, Fixture};
use ferrotun_proto::keys::PublicKey;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;

/// An in-memory connection: reads come from `input` in chunks of at most `chunk` bytes,
/// writes collect in `output`.
struct Duplex {
    input: Vec<u8>,
    pos: usize,
    chunk: usize,
    output: Vec<u8>,
}

impl Duplex {
    fn new(input: impl Into<Vec<u8>>, chunk: usize) -> Self {
        Duplex {
            input: input.into(),
            pos: 0,
            chunk,
            output: Vec::new(),
        }
    }
}

impl Read for Duplex {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = buf.len().min(self.chunk).min(self.input.len() - self.pos);
        buf[..n].copy_from_slice(&self.input[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

impl Write for Duplex {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.output.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Serves `input` on a fresh fixture; returns the fixture, the output and the bytes read.
fn run(
    fx: &mut Fixture,
    input: impl Into<Vec<u8>>,
    chunk: usize,
    limits: &Limits,
) -> (String, usize) {
    let mut conn = Duplex::new(input, chunk);
    serve(&mut conn, fx, limits).unwrap();
    (String::from_utf8(conn.output).unwrap(), conn.pos)
}

fn set_peer2() -> String {
    format!(
        "set=1\npublic_key={}\nallowed_ip=10.0.0.2/32\n\n",
        public(2).to_hex()
    )
}

#[test]
fn several_requests_on_one_connection_in_any_chunking() {
    for chunk in [1, 3, 7, 4096] {
        let mut fx = Fixture::new(1);
        let input = format!("{}get=1\n\nset=1\nlisten_port=5\n\nget=1\n\n", set_peer2());
        let (out, _) = run(&mut fx, input, chunk, &Limits::default());
        let peer = format!(
            "public_key={}\npreshared_key={}\nprotocol_version=1\nlast_handshake_time_sec=0\n\
             last_handshake_time_nsec=0\ntx_bytes=0\nrx_bytes=0\npersistent_keepalive_interval=0\n\
             allowed_ip=10.0.0.2/32\n",
            public(2).to_hex(),
            "0".repeat(64)
        );
        let expected =
            format!("errno=0\n\n{peer}errno=0\n\nerrno=0\n\nlisten_port=5\n{peer}errno=0\n\n");
        assert_eq!(out, expected, "chunk {chunk}");
    }
}

#[test]
fn unix_stream_pair_with_a_real_client() {
    let (mut client, server) = UnixStream::pair().unwrap();
    let worker = std::thread::spawn(move || {
        let mut fx = Fixture::new(2);
        serve(server, &mut fx, &Limits::default()).map(|()| fx)
    });
    let mut exchange = |request: &[u8]| {
        client.write_all(request).unwrap();
        let mut reply = Vec::new();
        let mut byte = [0u8; 1];
        while !reply.ends_with(b"\n\n") {
            client.read_exact(&mut byte).unwrap();
            reply.push(byte[0]);
        }
        String::from_utf8(reply).unwrap()
    };
    assert_eq!(exchange(set_peer2().as_bytes()), "errno=0\n\n");
    assert_eq!(exchange(b"set=1\nlisten_port=x\n\n"), "errno=-22\n\n");
    assert_eq!(exchange(b"set=1\nno equals sign\n\n"), "errno=-71\n\n");
    let got = exchange(b"get=1\n\n");
    assert!(
        got.starts_with(&format!("public_key={}\n", public(2).to_hex())),
        "{got}"
    );
    assert!(
        got.ends_with("allowed_ip=10.0.0.2/32\nerrno=0\n\n"),
        "{got}"
    );
    client.shutdown(std::net::Shutdown::Both).unwrap();
    let fx = worker.join().unwrap().unwrap();
    assert_eq!(fx.device.peer_count(), 1);
}

#[test]
fn get_needs_a_blank_line_and_unknown_operations_close() {
    let mut fx = Fixture::new(3);
    let (out, _) = run(&mut fx, "get=1\nXget=1\n\n", 4096, &Limits::default());
    assert_eq!(
        out, "errno=-22\n\nerrno=0\n\n",
        "the stray byte is consumed, as in wg-go"
    );

    for input in [
        "hello\nget=1\n\n",
        "get=1\r\n\n",
        "GET=1\n\n",
        "get=2\n\n",
        "\n",
    ] {
        let (out, _) = run(&mut fx, input, 4096, &Limits::default());
        assert_eq!(out, "", "{input:?}");
    }
    let (out, read) = run(&mut fx, "x".repeat(100_000), 4096, &Limits::default());
    assert_eq!(out, "");
    assert!(
        read <= 2 * 4096,
        "an over-long first line is not read on ({read})"
    );
}

#[test]
fn half_written_set_is_not_applied() {
    let mut fx = Fixture::new(4);
    for input in [
        "set=1\nlisten_port=5\n",
        "set=1\nlisten_port=5",
        "set=1\n",
        "get=1\n",
    ] {
        let (out, _) = run(&mut fx, input, 4096, &Limits::default());
        assert_eq!(out, "", "{input:?}");
        assert_eq!(fx.get(), "", "{input:?}");
    }
}

#[test]
fn invalid_set_is_read_to_its_end_and_the_connection_goes_on() {
    let mut fx = Fixture::new(5);
    let input = format!(
        "set=1\nlisten_port=7\nbogus=1\npublic_key={}\n\nset=1\nlisten_port=8\n\n",
        public(2).to_hex()
    );
    let (out, _) = run(&mut fx, input, 5, &Limits::default());
    assert_eq!(out, "errno=-22\n\nerrno=0\n\n");
    assert_eq!(
        fx.get(),
        "listen_port=8\n",
        "only the second request applied"
    );
}

#[test]
fn ten_megabyte_line_is_refused_without_buffering_it() {
    let mut fx = Fixture::new(6);
    let mut input = b"set=1\nlisten_port=1".to_vec();
    input.resize(10 << 20, b'1');
    input.extend_from_slice(b"\n\n");
    let limits = Limits::default();
    let (out, read) = run(&mut fx, input, 1 << 16, &limits);
    assert_eq!(out, "errno=-5\n\n", "EIO, then closed");
    assert!(read <= limits.max_line + (1 << 16) + 8, "read {read} bytes");
    assert_eq!(fx.get(), "");
}

#[test]
fn ten_megabyte_line_over_a_socket_closes_the_connection() {
    let (client, server) = UnixStream::pair().unwrap();
    let worker = std::thread::spawn(move || {
        let mut fx = Fixture::new(7);
        serve(server, &mut fx, &Limits::default()).map(|()| fx.get())
    });
    let mut writer = client.try_clone().unwrap();
    let sender = std::thread::spawn(move || {
        let mut line = b"set=1\nendpoint=".to_vec();
        line.resize(10 << 20, b'9');
        // Fails with EPIPE once the server has closed; that is the point.
        writer.write_all(&line).is_err()
    });
    assert_eq!(worker.join().unwrap().unwrap(), "");
    let mut reply = Vec::new();
    let mut reader = client;
    // Linux reports ECONNRESET after the queued reply, since unread data was discarded.
    let _ = reader.read_to_end(&mut reply);
    assert_eq!(reply, b"errno=-5\n\n");
    assert!(sender.join().unwrap(), "the server stopped reading");
}

#[test]
fn request_size_limit() {
    let mut fx = Fixture::new(8);
    let limits = Limits {
        max_line: 128,
        max_request: 4096,
    };
    let mut input = b"set=1\n".to_vec();
    for _ in 0..1000 {
        input.extend_from_slice(b"listen_port=1\n");
    }
    input.extend_from_slice(b"\nget=1\n\n");
    let (out, read) = run(&mut fx, input, 512, &limits);
    assert_eq!(
        out, "errno=-5\n\n",
        "refused and closed: the get is not answered"
    );
    assert!(read < 4096 + 1024, "{read}");
    assert_eq!(fx.get(), "");
}

fn key(i: u32) -> PublicKey {
    let mut bytes = [0x55u8; 32];
    bytes[..4].copy_from_slice(&i.to_be_bytes());
    PublicKey::from_bytes(bytes)
}

/// 100,000 peers through the whole path (encode, frame, parse, apply, get, frame).
#[test]
fn hundred_thousand_peers_set_then_get() {
    const N: u32 = 100_000;
    let mut request = SetRequest::default();
    for i in 0..N {
        let mut peer = PeerChange::new(key(i));
        peer.endpoint = Some(std::net::SocketAddr::from((
            [192, 0, 2, 1],
            (i % 60000) as u16 + 1,
        )));
        let ip = std::net::Ipv4Addr::from(0x0a00_0000 + i);
        peer.allowed_ips
            .push(AllowedIpChange::new(AllowedIpOp::Add, ip.into(), 32));
        request.peers.push(peer);
    }
    let mut input = request.encode();
    input.extend_from_slice(b"get=1\n\n");
    let mut fx = Fixture::new(9);
    let (out, _) = run(&mut fx, input, 1 << 16, &Limits::default());
    assert_eq!(fx.device.peer_count(), N as usize);
    let body = out.strip_prefix("errno=0\n\n").expect("set succeeded");
    let body = body.strip_suffix("errno=0\n\n").expect("get succeeded");
    let mut seen = 0u32;
    for (i, peer) in body.split("public_key=").skip(1).enumerate() {
        let i = u32::try_from(i).unwrap();
        let ip = std::net::Ipv4Addr::from(0x0a00_0000 + i);
        assert!(
            peer.starts_with(&key(i).to_hex()),
            "peer {i} in creation order"
        );
        assert!(
            peer.ends_with(&format!("allowed_ip={ip}/32\n")),
            "peer {i}: {peer}"
        );
        assert!(peer.contains(&format!("endpoint=192.0.2.1:{}\n", i % 60000 + 1)));
        seen += 1;
    }
    assert_eq!(seen, N);
}
