//! A UDP thread's whole life: one per socket (IPv4, IPv6), it receives batches and handles
//! them (`receive.rs`) until the socket is replaced by a listen-port change or the daemon
//! stops.

use crate::daemon::Daemon;
use crate::packet_thread::PacketThread;
use crate::receive::{RxState, Wait};
use crate::sockets::SocketCache;
use ferrotun_io::udp::UdpPair;
use std::sync::Arc;

/// Which socket of the pair a thread serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    V4,
    V6,
}

/// The families `pair` has sockets for.
pub fn families(pair: &UdpPair) -> impl Iterator<Item = Family> + '_ {
    [Family::V4, Family::V6]
        .into_iter()
        .filter(|f| socket(pair, *f).is_some())
}

fn socket(pair: &UdpPair, family: Family) -> Option<&std::net::UdpSocket> {
    match family {
        Family::V4 => pair.v4.as_ref(),
        Family::V6 => pair.v6.as_ref(),
    }
}

/// Serves the `family` socket of `own` until that pair is replaced (its shutdown ends the
/// blocking receive) or the daemon stops. Replies go out on whichever pair is current.
pub fn run(d: Arc<Daemon>, own: SocketCache, family: Family) {
    let mut st = RxState::new(&d.tun);
    let mut pt = PacketThread::start(&d);
    let Some(socket) = socket(own.held(), family) else {
        return;
    };
    loop {
        let received = st.receive_batch(&d, &mut pt, socket, Wait::ForFirst);
        if d.lifecycle.stopping() || !d.sockets.is_current(&own) {
            return;
        }
        if let Err(e) = received {
            tracing::trace!(error = %e, "receive failed");
        }
    }
}
