//! SOCKS5 (RFC 1928, RFC 1929): the messages, parsed and written without I/O.
