//! `wg syncconf`'s peer difference (`setconf.c` `sync_conf`), shared by the CLI's
//! `syncconf` and by `reload` (which keeps its own interface keys, so it takes only the peer
//! part, [`sync_peers`]):
//!
//! * each running peer the file does not list is removed;
//! * a kept peer that has a preshared key running but none in the file has it cleared;
//! * a kept peer that has a persistent keepalive running but none in the file has it turned
//!   off.
//!
//! Kept peers are updated in place, so their sessions survive. Removals go first, in
//! descending key order, exactly as `wg` builds its list.

use ferrotun_proto::keys::{PresharedKey, PublicKey};
use ferrotun_uapi::client::DeviceInfo;
use ferrotun_uapi::{PeerChange, SetRequest};

/// Where a peer key came from, for the merged sort.
#[derive(Clone, Copy)]
struct Origin {
    key: PublicKey,
    from_file: bool,
    index: usize,
}

/// `wg syncconf`: turns a `setconf` request into the difference against `running` when both
/// the file and the device have peers; otherwise it stays a `setconf` request, as in `wg`.
pub fn syncconf(request: &mut SetRequest, running: &DeviceInfo) {
    if request.peers.is_empty() || running.peers.is_empty() {
        return;
    }
    request.replace_peers = false;
    sync_peers(request, running);
}

/// Rewrites the peers of `request` (the file's) into the difference against `running`.
/// Only the peer list changes; `replace_peers` and the interface keys are the caller's.
pub fn sync_peers(request: &mut SetRequest, running: &DeviceInfo) {
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
