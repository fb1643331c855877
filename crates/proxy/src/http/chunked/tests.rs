use super::*;

/// The example body of RFC 9112 §7.1 style: two chunks, an extension, a trailer.
const BODY: &[u8] = b"4\r\nWiki\r\n5;name=value\r\npedia\r\n0\r\nExpires: never\r\n\r\n";

fn scan_in_pieces(bytes: &[u8], piece: usize) -> Result<Option<usize>, ChunkError> {
    let mut body = ChunkedBody::new();
    let mut offset = 0;
    for chunk in bytes.chunks(piece) {
        if let Scan::End(n) = body.feed(chunk)? {
            return Ok(Some(offset + n));
        }
        offset += chunk.len();
    }
    Ok(None)
}

#[test]
fn the_body_ends_after_its_trailer_whatever_the_reads() {
    let mut stream = BODY.to_vec();
    stream.extend_from_slice(b"GET http://next/ HTTP/1.1\r\n");
    for piece in 1..=stream.len() {
        assert_eq!(
            scan_in_pieces(&stream, piece),
            Ok(Some(BODY.len())),
            "{piece}"
        );
    }
}

#[test]
fn every_truncation_wants_more() {
    for cut in 0..BODY.len() {
        assert_eq!(scan_in_pieces(&BODY[..cut], 7), Ok(None), "{cut}");
    }
}

#[test]
fn the_smallest_bodies_and_large_sizes() {
    assert_eq!(scan_in_pieces(b"0\r\n\r\n", 1), Ok(Some(5)));
    assert_eq!(scan_in_pieces(b"000\r\n\r\n", 3), Ok(Some(7)));
    let mut body = ChunkedBody::new();
    assert_eq!(body.feed(b"FFFFFFFFFFFFFFFF\r\n"), Ok(Scan::More));
    assert_eq!(body.feed(&[0; 4096]), Ok(Scan::More));
    let mut done = ChunkedBody::new();
    assert_eq!(done.feed(b"0\r\n\r\nrest"), Ok(Scan::End(5)));
    assert_eq!(done.feed(b"more"), Ok(Scan::End(0)));
}

#[test]
fn malformed_bodies_are_refused() {
    for bad in [
        &b"\r\n"[..],
        b"x\r\n",
        b"4\nWiki\r\n0\r\n\r\n",
        b"4\r\nWikiX\r\n",
        b"4\r\nWiki\n0\r\n\r\n",
        b"10000000000000000\r\n",
        b"-1\r\n",
        b"4;ext\n",
        b"0\r\nX: y\n\r\n",
        b"0\r\n\n",
        b"0\r\n\r\r",
    ] {
        assert!(
            scan_in_pieces(bad, 1).is_err(),
            "{:?}",
            String::from_utf8_lossy(bad)
        );
    }
}
