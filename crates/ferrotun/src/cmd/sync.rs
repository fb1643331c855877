//! `syncconf`'s difference against the running device (`setconf.c` `sync_conf`): the
//! difference itself is [`ferrotun_quick::wgconf::syncconf`], which `reload` shares; this
//! fetches the device it is taken against.

use crate::device::{self, DeviceError};
use ferrotun_uapi::SetRequest;
use std::ffi::OsStr;

/// Rewrites a `setconf`-style `request` into the minimal change for `name`.
pub(super) fn diff_against_device(
    request: &mut SetRequest,
    name: &OsStr,
) -> Result<(), DeviceError> {
    // Without peers in the file it stays `setconf`, so `wg` does not even ask the device.
    if request.peers.is_empty() {
        return Ok(());
    }
    let running = device::get_device(name)?;
    ferrotun_quick::wgconf::syncconf(request, &running);
    Ok(())
}
