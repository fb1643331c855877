use super::*;

#[test]
fn parses_the_1420_byte_column() {
    let output = "CPUINFO: OPENSSL_ia32cap=0x0\n\
                  The 'numbers' are in 1000s of bytes per second processed.\n\
                  type           1420 bytes\n\
                  ChaCha20-Poly1305  2132770.42k\n";
    let gbit = parse_gbit(output).expect("parsed");
    assert!((gbit - 17.062).abs() < 0.001, "{gbit}");
}

#[test]
fn rejects_output_without_a_result_line() {
    assert_eq!(parse_gbit("type 1420 bytes\n"), None);
    assert_eq!(parse_gbit("chacha20-poly1305 n/a\n"), None);
}
