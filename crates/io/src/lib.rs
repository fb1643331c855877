//! # ferrotun-io
//!
//! Everything ferrotun does with the operating system: TUN devices, UDP sockets that remember
//! which local address a peer wrote to, the suspend-aware clock, inotify, and spawning the
//! daemon in the background with inherited descriptors. Every raw libc call lives in [`sys`],
//! one small module with a `// SAFETY:` comment on every block.
#![warn(missing_docs)]

pub mod clock;
pub mod offload;
pub mod sys;
pub mod tun;
pub mod udp;
