//! The Internet checksum (RFC 1071): ones' complement sums over byte slices and the TCP/UDP
//! pseudo-headers.
//!
//! Sums are kept *folded but not complemented* (`u16`, big-endian value) so partial results can
//! be combined with [`add`]; [`finish`] turns a sum into the value stored in a header.

/// The ones' complement sum of `data`, read as big-endian 16-bit words (an odd trailing byte is
/// padded with a zero), folded to 16 bits.
#[must_use]
pub fn sum(data: &[u8]) -> u16 {
    // The ones' complement sum does not depend on byte order (RFC 1071 §2(B)), so we add
    // native-endian 32-bit words into a 64-bit accumulator — no carries are lost for inputs
    // below 16 GiB — and swap once at the end. Sixteen bytes per step with four independent
    // lanes lets the compiler vectorise the loop.
    let mut lanes = [0u64; 4];
    let mut blocks = data.chunks_exact(16);
    for block in &mut blocks {
        for (lane, word) in lanes.iter_mut().zip(block.chunks_exact(4)) {
            *lane += u64::from(u32::from_ne_bytes([word[0], word[1], word[2], word[3]]));
        }
    }
    let mut acc = lanes.iter().sum::<u64>();
    let mut words = blocks.remainder().chunks_exact(2);
    for word in &mut words {
        acc += u64::from(u16::from_ne_bytes([word[0], word[1]]));
    }
    if let [last] = words.remainder() {
        acc += u64::from(u16::from_ne_bytes([*last, 0]));
    }
    let folded = fold(acc);
    if cfg!(target_endian = "little") {
        folded.swap_bytes()
    } else {
        folded
    }
}

/// Adds two folded sums (ones' complement addition).
#[must_use]
pub fn add(a: u16, b: u16) -> u16 {
    fold(u64::from(a) + u64::from(b))
}

/// The value to store in a checksum field for a region whose sum is `sum`.
///
/// Zero is sent as `0xffff`: both mean zero in ones' complement, and for UDP a zero field means
/// "no checksum" (IPv4) or is invalid (IPv6), as the kernel's `CSUM_MANGLED_0` rule says.
#[must_use]
pub fn finish(sum: u16) -> u16 {
    match !sum {
        0 => 0xffff,
        value => value,
    }
}

/// Whether a region that includes its own checksum field (plus `initial`, e.g. the
/// pseudo-header sum) verifies.
#[must_use]
pub fn verifies(initial: u16, data: &[u8]) -> bool {
    add(initial, sum(data)) == 0xffff
}

/// The sum of the TCP/UDP pseudo-header: source and destination address (4 or 16 bytes each),
/// protocol number and upper-layer length (RFC 793 / RFC 768 for IPv4, RFC 8200 §8.1 for IPv6).
#[must_use]
pub fn pseudo_header(src: &[u8], dst: &[u8], protocol: u8, length: u32) -> u16 {
    let tail = fold(u64::from(protocol) + u64::from(length));
    add(add(sum(src), sum(dst)), tail)
}

/// Folds a wide accumulator to 16 bits with end-around carry.
fn fold(mut acc: u64) -> u16 {
    while acc > 0xffff {
        acc = (acc & 0xffff) + (acc >> 16);
    }
    // The loop leaves at most 0xffff, so the cast is exact.
    acc as u16
}
