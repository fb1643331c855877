//! Packet loss and reordering on the underlay: the tunnel delivers exactly what arrives,
//! once, and accepts packets that arrive late but within the replay window.
//!
//! The underlay is impaired by a userspace relay (`relay.rs`) between the daemons: it works on
//! every kernel (the CI machines' kernels have no `sch_netem`, so `tc … netem` is not an
//! option) and knows exactly which packets it forwarded, so the count at the receiver can be
//! exact. It is the one way these tests add delay, loss and reordering.

use crate::cmd::{root, Cmd};
use crate::netns::B4;
use crate::seqstream::{helper, result, start_sink, wait_listening};
use crate::traffic::wait_ping;
use crate::tunnel::{endpoint, Tunnel, RESP_PORT, TB4};
use std::time::Duration;

const RELAY_PORT: u16 = 51821;
const SINK_PORT: u16 = 7100;
/// Stream datagrams: 200 bytes of UDP payload, 228-byte IPv4 packets, padded to 240 and
/// sealed into 272-byte transport messages, a size nothing else in the tunnel has.
const SIZE: u64 = 200;
const TRANSPORT_LEN: u64 = 272;
const PPS: u64 = 2000;
const COUNT: u64 = 6000;

/// Sends the numbered stream from A to B's tunnel address and returns the sink's counts.
fn stream(t: &Tunnel) -> std::collections::HashMap<String, u64> {
    let sink_at = format!("{TB4}:{SINK_PORT}");
    let sink = start_sink(&t.under.b.name, &sink_at, 30);
    let args = [
        "send",
        &format!("to={sink_at}"),
        &format!("count={COUNT}"),
        &format!("pps={PPS}"),
        &format!("size={SIZE}"),
    ];
    let sent = result(&helper(&t.under.a.name, &args, Duration::from_secs(30)).run());
    assert_eq!(sent["send_errors"], 0, "{sent:?}");
    result(&sink.finish())
}

/// The relay drops 7 % of the transport messages both ways and delays 20 % by 3 ms (about
/// six packets at 2,000 packets/s, far inside the 8,128-counter replay window): every stream
/// packet the relay forwarded is delivered exactly once, late ones included.
#[test]
fn ferrotund_relay_loss_and_reordering() {
    if !root() {
        return;
    }
    let t = Tunnel::ferrotund_pair(false);
    let b = &t.under.b.name;
    let listen = format!("{B4}:{RELAY_PORT}");
    let relay_args = [
        "relay",
        &format!("listen={listen}"),
        &format!("target=127.0.0.1:{RESP_PORT}"),
        "loss=7",
        "reorder=20",
        "delay_ms=3",
        "secs=40",
        "seed=6",
        &format!("count_len={TRANSPORT_LEN}"),
    ];
    let relay = helper(b, &relay_args, Duration::from_secs(50)).spawn();
    wait_listening(b, &listen);
    let relay_endpoint = endpoint(B4, RELAY_PORT);
    let peer = t.resp_keys.public.as_str();
    t.init
        .wg(&["set", "IF", "peer", peer, "endpoint", &relay_endpoint])
        .ok();
    wait_ping(&t.under.a.name, TB4, Duration::from_secs(10));
    let sink = stream(&t);
    let stop = format!("printf FTRELAYSTOP > /dev/udp/{B4}/{RELAY_PORT}");
    Cmd::netns(b, &["bash", "-c", &stop]).run().ok();
    let relay = result(&relay.finish());
    eprintln!("relay: {relay:?}\nsink: {sink:?}");
    assert_eq!(sink["duplicates"], 0, "a packet was delivered twice");
    assert_eq!(
        sink["unique"], relay["ab_counted"],
        "every stream packet that reached the responder must be delivered"
    );
    let late = relay["ab_counted_delayed"];
    assert!(
        late > COUNT / 10,
        "the relay delayed only {late} stream packets"
    );
    // A held packet is overtaken by the ~6 sent after it, unless all of those were lost.
    assert!(
        sink["reordered"] <= late && sink["reordered"] + late / 50 + 2 >= late,
        "{} of {late} late packets were accepted out of order",
        sink["reordered"]
    );
    assert!(
        relay["ab_dropped"] > COUNT / 50,
        "the relay dropped too little: {relay:?}"
    );
}
