//! A daemon killed with SIGKILL in the middle of a transfer and started again with the same
//! configuration: the tunnel is back within REKEY_TIMEOUT plus jitter (5.334 s) of the
//! restart, and nothing is done to the other side.
//!
//! Which side restarts matters (docs/behaviour.md): a side that knows its peer's endpoint
//! and has something to send initiates at once. A restarted side that cannot send (no
//! endpoint, or nothing to say) waits for its peer, whose "no reply" rule needs
//! KEEPALIVE_TIMEOUT + REKEY_TIMEOUT (15 s); a PersistentKeepalive makes it initiate at once.

use crate::cmd::{root, wait_until, Cmd, TempDir};
use crate::daemon::Daemon;
use crate::netns::{pid_alive, signal, Netns, A4};
use crate::traffic::{iperf_server, json_bytes, received};
use crate::tunnel::{address_up, endpoint, Tunnel, RESP_PORT, TA4, TA6, TB4, TB6};
use crate::wg::{IfConf, PeerConf};
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

/// REKEY_TIMEOUT plus the largest jitter.
const BOUND: Duration = Duration::from_millis(5334);

/// SIGKILLs `old` and starts the same implementation under the same name in `ns`, once the
/// old process is gone. The old guard is forgotten: dropping it would delete the new
/// daemon's socket (same path).
fn kill_and_restart(old: &mut Daemon, ns: &Netns) {
    signal(old.pid, "KILL");
    // The main thread turns into a zombie before the other threads have closed the shared
    // descriptors: wait until the UAPI socket refuses connections and the TUN is gone.
    wait_until(
        "the killed daemon's socket and interface to go",
        Duration::from_secs(5),
        || {
            let listening = UnixStream::connect(old.socket()).is_ok();
            if pid_alive(old.pid) || listening || ns.has_link(&old.ifname) {
                Err(format!(
                    "pid {} alive, socket listening {listening}",
                    old.pid
                ))
            } else {
                Ok(())
            }
        },
    );
    let new = Daemon::start_named(ns, old.imp, &old.ifname);
    std::mem::forget(std::mem::replace(old, new));
}

/// Pings `dst` from `ns` every 0.1 s until one answer; returns how long it took.
fn time_to_first_reply(ns: &str, dst: &str, limit: Duration) -> Duration {
    let start = Instant::now();
    while start.elapsed() < limit {
        let out = Cmd::netns(ns, &["ping", "-c1", "-W1", dst]).run();
        if out.success() && received(&out) == Some(1) {
            return start.elapsed();
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("no ping reply from {dst} within {limit:?}");
}

/// An iperf3 upload from A to B that runs across the restart; returns the client record.
fn transfer(t: &Tunnel, secs: u64) -> crate::cmd::Bg {
    crate::traffic::iperf_client(&t.under.a.name, TB4, secs, &["-b", "50M"], 40).spawn()
}

#[test]
fn ferrotund_initiator_killed_mid_transfer_is_back_within_rekey_timeout() {
    if !root() {
        return;
    }
    let mut t = Tunnel::ferrotund_pair(true);
    let resp_before = t.resp.pid;
    let server = iperf_server(&t.under.b.name, TB4);
    let client = transfer(&t, 8);
    std::thread::sleep(Duration::from_secs(2));

    kill_and_restart(&mut t.init, &t.under.a);
    let restarted = Instant::now();
    let dir = TempDir::new();
    let conf = IfConf {
        private: Some(t.init_keys.private.clone()),
        peers: vec![PeerConf {
            psk: t.psk.clone(),
            endpoint: Some(endpoint(crate::netns::B4, RESP_PORT)),
            ..PeerConf::new(
                &t.resp_keys.public,
                &[&format!("{TB4}/32"), &format!("{TB6}/128")],
            )
        }],
        ..IfConf::default()
    };
    t.init.setconf(&dir, &conf);
    address_up(&t.under.a, &t.init.ifname, TA4, TA6);
    let back = time_to_first_reply(&t.under.a.name, TB4, Duration::from_secs(20));
    let total = restarted.elapsed();
    eprintln!("initiator restart: ping answered {back:?} after configuration, {total:?} after the process started");
    assert!(
        back <= BOUND,
        "tunnel back after {back:?}, want <= {BOUND:?}"
    );
    assert_eq!(t.resp.pid, resp_before);
    assert!(
        t.resp.alive(),
        "the responder was not touched and still runs"
    );
    t.assert_handshake();

    // The TCP connection survives the outage and finishes its transfer.
    let client = client.finish();
    let got = json_bytes(&client.stdout, "sum_received");
    assert!(
        client.success() && got.is_some_and(|b| b > 0),
        "iperf3 across the restart: {client}"
    );
    drop(server);
}

#[test]
fn ferrotund_responder_with_keepalive_killed_is_back_within_rekey_timeout() {
    if !root() {
        return;
    }
    let mut t = Tunnel::ferrotund_pair(true);
    let init_before = t.init.pid;
    crate::traffic::wait_ping(&t.under.a.name, TB4, Duration::from_secs(10));
    kill_and_restart(&mut t.resp, &t.under.b);
    let dir = TempDir::new();
    // The responder's configuration, now with the initiator's endpoint and a keepalive, as a
    // server that must reach its clients after a restart would have.
    let init_port = t.init.listen_port();
    let conf = IfConf {
        private: Some(t.resp_keys.private.clone()),
        port: Some(RESP_PORT),
        peers: vec![PeerConf {
            psk: t.psk.clone(),
            endpoint: Some(endpoint(A4, init_port)),
            keepalive: Some(25),
            ..PeerConf::new(
                &t.init_keys.public,
                &[&format!("{TA4}/32"), &format!("{TA6}/128")],
            )
        }],
        ..IfConf::default()
    };
    t.resp.setconf(&dir, &conf);
    address_up(&t.under.b, &t.resp.ifname, TB4, TB6);
    let back = time_to_first_reply(&t.under.a.name, TB4, Duration::from_secs(20));
    eprintln!("responder restart: ping from the initiator answered {back:?} after configuration");
    assert!(
        back <= BOUND,
        "tunnel back after {back:?}, want <= {BOUND:?}"
    );
    assert_eq!(t.init.pid, init_before);
    assert!(
        t.init.alive(),
        "the initiator was not touched and still runs"
    );
}
