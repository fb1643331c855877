//! `showconf <interface>` (`showconf.c`): the configuration in the file format `setconf`
//! reads, peers in the daemon's order. The text comes from [`ferrotun_quick::showconf`].

use super::report;
use crate::console::out_bytes;
use crate::device;
use crate::Invocation;
use ferrotun_uapi::client::DeviceInfo;

/// `showconf`.
pub fn run(inv: &Invocation<'_>) -> u8 {
    if inv.args.len() != 2 {
        inv.usage("<interface>");
        return 1;
    }
    match device::get_device(&inv.args[1]) {
        Ok(info) => {
            out_bytes(render(&info).as_bytes());
            0
        }
        Err(e) => {
            report("Unable to access interface", &e);
            1
        }
    }
}

/// The whole text (it holds the private key; the caller prints it and drops it). The one
/// renderer lives in `ferrotun-quick`, whose `save` writes the same text.
pub(crate) fn render(info: &DeviceInfo) -> String {
    ferrotun_quick::showconf::render(info)
}
