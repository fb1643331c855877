//! The harness checked against itself: the same scenarios with wireguard-go on every side.
//! When one of these fails, the environment or the harness is broken, not ferrotund.

use crate::cmd::root;
use crate::daemon::Impl;
use crate::tunnel::Spec;
use crate::{fwmark, interop, lifecycle, netns_move, quiet, roaming, startup, wgquick};

#[test]
fn wggo_to_wggo_outer6_psk() {
    if root() {
        interop::exercise(Spec {
            initiator: Impl::WireguardGo,
            responder: Impl::WireguardGo,
            outer6: true,
            psk: true,
        });
    }
}

#[test]
fn wggo_lifecycle() {
    if root() {
        lifecycle::link_del(Impl::WireguardGo);
        lifecycle::socket_removed(Impl::WireguardGo);
        lifecycle::sigterm(Impl::WireguardGo);
        lifecycle::link_del_after_move(Impl::WireguardGo);
    }
}

#[test]
fn wggo_wg_quick() {
    if root() {
        wgquick::up_ping_down(Impl::WireguardGo);
    }
}

#[test]
fn wggo_netns_move() {
    if root() {
        netns_move::ping_from_moved_interface(Impl::WireguardGo);
    }
}

#[test]
fn wggo_roaming() {
    if root() {
        roaming::roam(Impl::WireguardGo, Impl::WireguardGo, false, false);
    }
}

#[test]
fn wggo_second_start() {
    if root() {
        startup::second_start_same_netns(Impl::WireguardGo);
        startup::second_start_other_netns(Impl::WireguardGo);
    }
}

#[test]
fn wggo_quiet() {
    if root() {
        quiet::failed_sends_not_counted(Impl::WireguardGo);
    }
}

#[test]
fn wggo_fwmark() {
    if root() {
        fwmark::marks_its_packets(Impl::WireguardGo);
    }
}
