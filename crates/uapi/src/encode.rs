//! The client side of `set`: a [`SetRequest`] as the text `wg` sends (tools
//! `userspace_set_device`), in the same key order:
//!
//! `private_key`, `listen_port`, `fwmark`, `replace_peers`; then per peer `public_key`,
//! `protocol_version`, `update_only`, either `remove=true` alone or `preshared_key`,
//! `endpoint`, `persistent_keepalive_interval`, `replace_allowed_ips`, `allowed_ip`….
//!
//! [`parse_set`](crate::parse::parse_set) of the body gives back an equal request, except
//! that IPv6 zones are written as numbers and a removed peer's other fields are dropped.

use crate::model::{AllowedIpOp, PeerChange, SetRequest};
use crate::text::{write_endpoint, write_hex};
use std::io::Write as _;

impl SetRequest {
    /// The whole request: `set=1\n`, the lines, and the terminating blank line. The output
    /// holds the private key if there is one; wipe it after use.
    #[must_use]
    pub fn encode(&self) -> Vec<u8> {
        let mut out = b"set=1\n".to_vec();
        self.encode_body(&mut out);
        out.push(b'\n');
        out
    }

    /// Appends the lines only (no `set=1`, no blank line).
    pub fn encode_body(&self, out: &mut Vec<u8>) {
        match &self.private_key {
            Some(Some(key)) => key_line(out, "private_key", key.as_bytes()),
            Some(None) => key_line(out, "private_key", &[0; 32]),
            None => {}
        }
        // Writing into a Vec cannot fail.
        if let Some(port) = self.listen_port {
            let _ = writeln!(out, "listen_port={port}");
        }
        if let Some(mark) = self.fwmark {
            let _ = writeln!(out, "fwmark={mark}");
        }
        if self.replace_peers {
            out.extend_from_slice(b"replace_peers=true\n");
        }
        for peer in &self.peers {
            encode_peer(peer, out);
        }
    }
}

fn encode_peer(peer: &PeerChange, out: &mut Vec<u8>) {
    key_line(out, "public_key", peer.public_key.as_bytes());
    if let Some(version) = peer.protocol_version {
        let _ = writeln!(out, "protocol_version={version}");
    }
    if peer.update_only {
        out.extend_from_slice(b"update_only=true\n");
    }
    if peer.remove {
        // As `wg` does: nothing else matters for a removed peer.
        out.extend_from_slice(b"remove=true\n");
        return;
    }
    if let Some(psk) = &peer.preshared_key {
        key_line(out, "preshared_key", psk.as_bytes());
    }
    if let Some(addr) = &peer.endpoint {
        out.extend_from_slice(b"endpoint=");
        write_endpoint(out, addr, &|_| None);
        out.push(b'\n');
    }
    if let Some(secs) = peer.persistent_keepalive {
        let _ = writeln!(out, "persistent_keepalive_interval={secs}");
    }
    if peer.replace_allowed_ips {
        out.extend_from_slice(b"replace_allowed_ips=true\n");
    }
    for change in &peer.allowed_ips {
        let sign = match change.op {
            AllowedIpOp::Add => "",
            AllowedIpOp::Remove => "-",
        };
        let _ = writeln!(out, "allowed_ip={sign}{}/{}", change.ip, change.cidr);
    }
}

fn key_line(out: &mut Vec<u8>, key: &str, bytes: &[u8; 32]) {
    out.extend_from_slice(key.as_bytes());
    out.push(b'=');
    write_hex(out, bytes);
    out.push(b'\n');
}
