//! The HTTP proxy (RFC 9110, RFC 9112): request heads parsed without I/O.
