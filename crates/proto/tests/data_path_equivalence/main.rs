//! One data path, two ways to drive it: the lock-free `DataPath` (the device only when it
//! asks) must do exactly what the `Device` does alone. Two identical worlds, one driving
//! its hub device through each, get the same random operations — packets to and from
//! several peers with and without sessions, route changes, MTU changes, time jumps past
//! rekey and expiry deadlines — and must produce the same results, the same sealed bytes,
//! the same datagrams, events, counters and deadlines, step by step.

mod world;

use proptest::prelude::*;
use world::{ipv4, Op, World, HUB_TUN, REMOTES};

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0u8..12, 0u8..=255, prop::bool::weighted(0.05))
            .prop_map(|(dst, len, not_ip)| Op::HubSends { dst, len, not_ip }),
        3 => (0..REMOTES as u8, prop::bool::weighted(0.2), 0u8..=255)
            .prop_map(|(remote, spoofed, len)| Op::RemoteSends { remote, spoofed, len }),
        2 => prop_oneof![0u32..2_000, 0u32..200_000].prop_map(|millis| Op::Wait { millis }),
        1 => prop::sample::select(vec![0usize, 1280, 1420, 1500, 9000]).prop_map(Op::SetMtu),
        1 => (0..REMOTES as u8).prop_map(|remote| Op::ToggleRoute { remote }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn the_data_path_does_what_the_device_does(
        seed in 0u64..1_000,
        ops in prop::collection::vec(op(), 1..60),
    ) {
        let mut device = World::new(seed, false);
        let mut data_path = World::new(seed, true);
        prop_assert_eq!(&device.log, &data_path.log, "setup");
        for op in &ops {
            let at = device.log.len();
            device.apply(op);
            data_path.apply(op);
            prop_assert_eq!(&device.log[at..], &data_path.log[at..]);
        }
    }
}

/// The comparison above is only worth something if the operations reach the paths where
/// the two could differ: the fast calls, a rekey found due by a fast send, spoofed sources,
/// expired sessions.
#[test]
fn the_operations_reach_the_interesting_paths() {
    let mut world = World::new(7, true);
    let calls = |w: &World| w.path.as_ref().unwrap().device_calls();
    let hub_to_0 = Op::HubSends {
        dst: 0,
        len: 1,
        not_ip: false,
    };
    world.apply(&hub_to_0);
    let before = calls(&world);
    for len in 0..5 {
        world.apply(&hub_to_0);
        world.apply(&Op::RemoteSends {
            remote: 0,
            spoofed: false,
            len,
        });
    }
    // The first receipt learns its session and its source's route (two calls); the other
    // nine packets never need the device.
    assert_eq!(
        calls(&world) - before,
        2,
        "an established flow takes the fast calls"
    );
    world.apply(&Op::RemoteSends {
        remote: 0,
        spoofed: true,
        len: 3,
    });
    assert!(world
        .log
        .last_chunk::<20>()
        .unwrap()
        .iter()
        .any(|l| l.contains("SourceNotAllowed")));
    // The hub initiated this session: past REKEY_AFTER_TIME its next send rekeys, and
    // the fast call leaves the initiation to the flush.
    world.apply(&Op::Wait { millis: 121_000 });
    let packet = ipv4(HUB_TUN, world.destination(0), 1);
    let path = world.path.as_mut().unwrap();
    assert!(matches!(path.prepare_send(world.now, &packet), Some(Ok(_))));
    assert!(path.needs_flush());
    path.flush(&mut world.hub);
    let initiation = world.hub.poll_transmit().expect("an initiation");
    assert_eq!(initiation.data[0], 1);
    // Past REJECT_AFTER_TIME with no answer, the session is gone: the packet is staged.
    world.apply(&Op::Wait { millis: 200_000 });
    let before = world.log.len();
    world.apply(&hub_to_0);
    assert!(
        world.log[before..].iter().any(|l| l.contains("Ok(Queued(")),
        "{:#?}",
        &world.log[before..]
    );
}
