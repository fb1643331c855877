//! `syncconf`'s difference against the running device (`setconf.c` `sync_conf`).
//!
//! When both the file and the device have peers, the request stops replacing all peers and
//! instead:
//!
//! * removes each running peer the file does not list;
//! * clears the preshared key of a kept peer that has one running but none in the file;
//! * turns off the persistent keepalive of a kept peer that has one running but none in the
//!   file.
//!
//! Kept peers are updated in place, so their sessions survive. Removals go first, in
//! descending key order, exactly as `wg` builds its list.

use crate::device::{self, DeviceError};
use ferrotun_proto::keys::{PresharedKey, PublicKey};
use ferrotun_uapi::client::DeviceInfo;
use ferrotun_uapi::{PeerChange, SetRequest};
use std::ffi::OsStr;

/// Rewrites a `setconf`-style `request` into the minimal change for `name`.
pub(super) fn diff_against_device(
    request: &mut SetRequest,
    name: &OsStr,
) -> Result<(), DeviceError> {
    if request.peers.is_empty() {
        return Ok(());
    }
    let running = device::get_device(name)?;
    apply_diff(request, &running);
    Ok(())
}

/// Where a peer key came from, for the merged sort.
#[derive(Clone, Copy)]
struct Origin {
    key: PublicKey,
    from_file: bool,
    index: usize,
}

/// The difference itself, given the running device.
pub(super) fn apply_diff(request: &mut SetRequest, running: &DeviceInfo) {
    if request.peers.is_empty() || running.peers.is_empty() {
        return;
    }
    request.replace_peers = false;
    let mut origins: Vec<Origin> = request
        .peers
        .iter()
        .enumerate()
        .map(|(index, p)| Origin {
            key: p.public_key,
            from_file: true,
            index,
        })
        .chain(running.peers.iter().enumerate().map(|(index, p)| Origin {
            key: p.public_key,
            from_file: false,
            index,
        }))
        .collect();
    // By key, and for equal keys the running peer just before the file's.
    origins.sort_by(|a, b| (a.key.as_bytes(), a.from_file).cmp(&(b.key.as_bytes(), b.from_file)));
    let mut removals = Vec::new();
    for (i, origin) in origins.iter().enumerate() {
        if origin.from_file {
            continue;
        }
        let kept = origins
            .get(i + 1)
            .filter(|next| next.from_file && next.key == origin.key);
        let Some(file_peer) = kept else {
            removals.push(origin.key);
            continue;
        };
        let live = &running.peers[origin.index];
        let wanted = &mut request.peers[file_peer.index];
        if live.preshared_key.is_some() && wanted.preshared_key.is_none() {
            wanted.preshared_key = Some(PresharedKey::from_bytes([0; 32]));
        }
        if live.persistent_keepalive != 0 && wanted.persistent_keepalive.is_none() {
            wanted.persistent_keepalive = Some(0);
        }
    }
    // `wg` puts each removal in front of the list, so the last one found comes first.
    let mut peers: Vec<PeerChange> = removals
        .into_iter()
        .rev()
        .map(|key| {
            let mut change = PeerChange::new(key);
            change.remove = true;
            change
        })
        .collect();
    peers.append(&mut request.peers);
    request.peers = peers;
}

#[cfg(test)]
mod tests;
