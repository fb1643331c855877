use super::*;

#[test]
fn filtering_follows_wg() {
    assert_eq!(strip_escapes(b"\x1b[1mbold\x1b[0m: x"), b"bold: x");
    assert_eq!(strip_escapes(b"\x1b[32m"), b"");
    // An escape in the last two bytes of a piece survives, as in `wg`.
    assert_eq!(strip_escapes(b"ab\x1b["), b"ab\x1b[");
    // Without a letter, the rest of the piece goes.
    assert_eq!(strip_escapes(b"x\x1b[123"), b"x");
    assert_eq!(strip_escapes(b""), b"");
    assert_eq!(strip_escapes(b"a"), b"a");
}

#[test]
fn pieces() {
    let mut out = Vec::new();
    let mut plain = Terminal::new(&mut out, false);
    plain.piece("\x1b[33mpeer\x1b[0m: ");
    plain.piece_bytes(b"k\n");
    assert_eq!(out, b"peer: k\n");
    let mut out = Vec::new();
    let mut coloured = Terminal::new(&mut out, true);
    coloured.piece("\x1b[33mpeer\x1b[0m");
    assert_eq!(out, b"\x1b[33mpeer\x1b[0m");
}
