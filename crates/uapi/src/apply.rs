//! Applying a parsed [`SetRequest`] to a [`Device`] and to the daemon-owned settings.
//!
//! # All or nothing (better than wireguard-go)
//!
//! wireguard-go applies a request line by line, so a bad line leaves the lines before it in
//! effect. Here a request is first parsed and validated completely ([`crate::parse`]); a
//! request that fails validation changes nothing. Of what remains, the steps that can fail
//! run first:
//!
//! 1. the peer limit is checked against the request's net effect (`-EINVAL`, as
//!    wireguard-go's "failed to create new peer");
//! 2. `fwmark` is set (failure: the daemon's errno, `-EADDRINUSE` in wireguard-go);
//! 3. `listen_port` is set (rebind); on failure `fwmark` is put back as it was.
//!
//! Only then do the private key, `replace_peers` and the peer sections apply, and those
//! cannot fail (the prefix table refusing an insert would need 2^30 nodes; should it ever
//! happen the error is reported and the request is partly applied).
//!
//! # Peer semantics (as wireguard-go)
//!
//! * `public_key` of an existing peer updates it in place: sessions, counters and its
//!   [`PeerId`](ferrotun_proto::device::PeerId) are kept.
//! * A section for the device's own public key is ignored.
//! * `remove=true` removes the peer; `update_only=true` skips a peer that does not exist.
//! * `replace_allowed_ips` clears the peer's prefixes, then `allowed_ip` lines apply in order;
//!   adding a prefix another peer owns moves it.
//! * Turning the persistent keepalive on (0 → n) sends a keepalive at once (the device does
//!   it).

use crate::error::{Errno, Error};
use crate::model::{AllowedIpOp, PeerChange, SetRequest};
use ferrotun_proto::consts::MAX_PEERS;
use ferrotun_proto::device::{ConfigError, Device};
use ferrotun_proto::keys::{PrivateKey, PublicKey};
use ferrotun_proto::time::Instant;
use std::collections::HashMap;

/// The settings the daemon owns rather than the protocol core: the UDP port, the socket
/// mark, and interface names for IPv6 zones.
pub trait Interface {
    /// The port actually bound (not 0 once bound: `get` reports the real port).
    fn listen_port(&self) -> u16;
    /// Rebinds to `port` (0: a random port). On failure the old binding must stay in use.
    /// wireguard-go reports every failure here as [`Errno::EADDRINUSE`].
    fn set_listen_port(&mut self, port: u16) -> Result<(), Errno>;
    /// The socket mark (0: none).
    fn fwmark(&self) -> u32;
    /// Sets the mark on the UDP sockets (0 clears it). wireguard-go reports a failure as
    /// [`Errno::EADDRINUSE`] too.
    fn set_fwmark(&mut self, mark: u32) -> Result<(), Errno>;
    /// The index of the interface called `name`, for endpoint zones such as
    /// `[fe80::1%eth0]:51820` (`if_nametoindex`). Numeric zones never reach this.
    fn resolve_zone(&self, name: &str) -> Option<u32> {
        let _ = name;
        None
    }
    /// The name of interface `index`, to print endpoint zones by name as `wg` does
    /// (`if_indextoname`); `None` prints the number.
    fn zone_name(&self, index: u32) -> Option<String> {
        let _ = index;
        None
    }
}

/// Applies `request` to the device and the interface; `now` is the device's clock (a newly
/// enabled keepalive is sent at `now`). See the module documentation for the guarantees.
pub fn apply<I: Interface + ?Sized>(
    device: &mut Device,
    iface: &mut I,
    now: Instant,
    request: SetRequest,
) -> Result<(), Error> {
    check_capacity(device, &request, MAX_PEERS)?;
    apply_host(iface, &request)?;
    if let Some(key) = request.private_key {
        device.set_private_key(key);
    }
    if request.replace_peers {
        for id in device.peer_ids() {
            device.remove_peer(id);
        }
    }
    for change in request.peers {
        apply_peer(device, now, change)?;
    }
    Ok(())
}

/// Sets the mark, then the port, undoing the mark if the port fails: a port already in use
/// is the common failure and must leave the interface as it was.
fn apply_host<I: Interface + ?Sized>(iface: &mut I, request: &SetRequest) -> Result<(), Error> {
    let old_mark = iface.fwmark();
    if let Some(mark) = request.fwmark {
        iface
            .set_fwmark(mark)
            .map_err(|e| Error::new(e, format!("failed to update fwmark to {mark}")))?;
    }
    if let Some(port) = request.listen_port {
        if let Err(e) = iface.set_listen_port(port) {
            if request.fwmark.is_some() {
                // Best effort: the old mark was settable a moment ago.
                let _ = iface.set_fwmark(old_mark);
            }
            return Err(Error::new(e, format!("failed to set listen_port {port}")));
        }
    }
    Ok(())
}

fn apply_peer(device: &mut Device, now: Instant, change: PeerChange) -> Result<(), Error> {
    let PeerChange {
        public_key,
        remove,
        update_only,
        preshared_key,
        endpoint,
        persistent_keepalive,
        replace_allowed_ips,
        allowed_ips,
        protocol_version: _,
    } = change;
    if device.public_key() == Some(&public_key) {
        return Ok(());
    }
    let existing = device.peer_id(&public_key);
    if remove {
        if let Some(id) = existing {
            device.remove_peer(id);
        }
        return Ok(());
    }
    let id = match existing {
        Some(id) => id,
        None if update_only => return Ok(()),
        None => device.add_peer(public_key).map_err(config_error)?,
    };
    if let Some(psk) = preshared_key {
        device.set_preshared_key(id, psk).map_err(config_error)?;
    }
    // The endpoint goes first so that a keepalive enabled below knows where to go.
    if let Some(addr) = endpoint {
        device.set_endpoint(id, addr).map_err(config_error)?;
    }
    if let Some(secs) = persistent_keepalive {
        device
            .set_persistent_keepalive(now, id, secs)
            .map_err(config_error)?;
    }
    if replace_allowed_ips {
        device.clear_allowed_ips(id);
    }
    for change in allowed_ips {
        match change.op {
            AllowedIpOp::Add => device
                .add_allowed_ip(id, change.ip, change.cidr)
                .map_err(config_error)?,
            AllowedIpOp::Remove => {
                device.remove_allowed_ip(id, change.ip, change.cidr);
            }
        }
    }
    Ok(())
}

fn config_error(e: ConfigError) -> Error {
    match e {
        ConfigError::TooManyPeers => Error::invalid(format!("failed to create new peer: {e}")),
        ConfigError::InvalidCidr(_) => Error::invalid(format!("failed to set allowed ip: {e}")),
        ConfigError::PeerIsSelf | ConfigError::NoSuchPeer => {
            Error::new(Errno::UNKNOWN, e.to_string())
        }
    }
}

/// Refuses a request that would take the device past `limit` peers at any point, before
/// anything changes. Costs O(peer sections), not O(peers on the device).
fn check_capacity(device: &Device, request: &SetRequest, limit: usize) -> Result<(), Error> {
    let creating = request
        .peers
        .iter()
        .filter(|p| !p.remove && !p.update_only)
        .count();
    let mut count = if request.replace_peers {
        0
    } else {
        device.peer_count()
    };
    if count.saturating_add(creating) <= limit {
        return Ok(());
    }
    // Near the limit: replay the request's effect on the peer set exactly.
    let own: Option<PublicKey> = match &request.private_key {
        Some(key) => key.as_ref().map(PrivateKey::public_key),
        None => device.public_key().copied(),
    };
    let existed = |key: &PublicKey| !request.replace_peers && device.peer_id(key).is_some();
    // A new private key removes the peer that has its public key.
    if own.is_some_and(|own| existed(&own)) {
        count -= 1;
    }
    let mut changed: HashMap<PublicKey, bool> = HashMap::new();
    for p in request.peers.iter().filter(|p| Some(p.public_key) != own) {
        let present = changed
            .get(&p.public_key)
            .copied()
            .unwrap_or_else(|| existed(&p.public_key));
        if p.remove && present {
            count -= 1;
            changed.insert(p.public_key, false);
        } else if !p.remove && !present && !p.update_only {
            if count >= limit {
                return Err(Error::invalid(format!(
                    "failed to create new peer: too many peers (limit {limit})"
                )));
            }
            count += 1;
            changed.insert(p.public_key, true);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
