//! Roll-back and teardown policy, checked with the recording executor.

use super::*;
use crate::action::{DnsBackend, Family, Rule};

fn start() -> Action {
    Action::StartDaemon {
        program: "ferrotund".into(),
        interface: "wg0".into(),
    }
}

#[test]
fn failed_up_rolls_back_dns_firewall_rules_and_link() {
    let plan = vec![
        start(),
        Action::SetDns {
            interface: "wg0".into(),
            servers: vec!["1.1.1.1".into()],
            search: vec![],
            backend: DnsBackend::Resolvconf(String::new()),
        },
        Action::AddRule(Rule::NotFwmark {
            family: Family::V4,
            mark: 51820,
        }),
        Action::Firewall {
            interface: "wg0".into(),
            family: Family::V4,
            mark: 51820,
            nft: true,
        },
        Action::RunHook {
            command: "false".into(),
        },
        Action::RunHook {
            command: "never".into(),
        },
    ];
    let mut dry = DryRun {
        fail_at: Some(4),
        ..DryRun::default()
    };
    let error = run_up(&mut dry, &plan).unwrap_err();
    assert_eq!(error.action, "false");
    assert_eq!(
        dry.lines()[5..],
        [
            "[#] resolvconf -d wg0 -f",
            "[#] # remove firewall of wg0",
            "[#] ip -4 rule delete table 51820",
            "[#] ip -4 rule delete table main suppress_prefixlength 0",
            "[#] ip -6 rule delete table 51820",
            "[#] ip -6 rule delete table main suppress_prefixlength 0",
            "[#] ip link delete dev wg0",
        ]
    );
}

#[test]
fn failed_daemon_start_still_deletes_the_link() {
    let mut dry = DryRun {
        fail_at: Some(0),
        ..DryRun::default()
    };
    assert!(run_up(&mut dry, &[start()]).is_err());
    assert_eq!(
        dry.lines(),
        ["[#] ferrotund wg0", "[#] ip link delete dev wg0"]
    );
}

#[test]
fn down_ignores_dns_and_firewall_failures_only() {
    let plan = vec![
        Action::UnsetDns {
            interface: "wg0".into(),
            backend: DnsBackend::Resolved,
        },
        Action::RemoveFirewall {
            interface: "wg0".into(),
        },
        Action::RunHook {
            command: "x".into(),
        },
        Action::RunHook {
            command: "y".into(),
        },
    ];
    let mut dry = DryRun {
        fail_at: Some(0),
        ..DryRun::default()
    };
    run_down(&mut dry, &plan).unwrap();
    assert_eq!(dry.executed.len(), 4);
    let mut dry = DryRun {
        fail_at: Some(2),
        ..DryRun::default()
    };
    assert!(run_down(&mut dry, &plan).is_err());
    assert_eq!(dry.executed.len(), 3);
}

#[cfg(target_os = "linux")]
#[test]
fn iptables_removal_turns_tagged_appends_into_deletes() {
    let saved = "# Generated\n*raw\n:PREROUTING ACCEPT [0:0]\n\
        -A PREROUTING -d 10.0.0.2/32 ! -i wg0 -m addrtype ! --src-type LOCAL -m comment --comment \"wg-quick(8) rule for wg0\" -j DROP\n\
        -A PREROUTING -j ACCEPT\nCOMMIT\n*mangle\n\
        -A PREROUTING -p udp -m comment --comment \"wg-quick(8) rule for wg1\" -j CONNMARK --restore-mark\nCOMMIT\n";
    assert_eq!(
        host::iptables_deletions(saved, "wg0").unwrap(),
        "*raw\n-D PREROUTING -d 10.0.0.2/32 ! -i wg0 -m addrtype ! --src-type LOCAL -m comment --comment \"wg-quick(8) rule for wg0\" -j DROP\n\
         COMMIT\n*mangle\nCOMMIT\n"
    );
    assert_eq!(host::iptables_deletions(saved, "wg2"), None);
}

/// Raises the "signal" while executing the action with index `at`.
struct Signaller<'a> {
    dry: DryRun,
    at: usize,
    flag: &'a std::sync::atomic::AtomicBool,
}

impl Executor for Signaller<'_> {
    fn execute(&mut self, action: &Action) -> Result<(), std::io::Error> {
        if self.dry.executed.len() == self.at {
            self.flag.store(true, std::sync::atomic::Ordering::SeqCst);
        }
        self.dry.execute(action)
    }
}

#[test]
fn a_signal_during_up_finishes_the_step_then_rolls_back() {
    let plan = vec![
        start(),
        Action::RunHook {
            command: "sleep 1".into(),
        },
        Action::RunHook {
            command: "never".into(),
        },
    ];
    for at in [0, 1, 2] {
        let flag = std::sync::atomic::AtomicBool::new(false);
        let mut signaller = Signaller {
            dry: DryRun::default(),
            at,
            flag: &flag,
        };
        let error = run_up_until(&mut signaller, &plan, &flag).unwrap_err();
        assert_eq!(error.cause.kind(), std::io::ErrorKind::Interrupted);
        assert!(error.to_string().contains("rolled back"), "{error}");
        let lines = signaller.dry.lines();
        // The interrupted step ran to its end, nothing after it ran, and the link went.
        assert_eq!(lines.len(), at + 2, "{lines:?}");
        assert_eq!(lines.last().unwrap(), "[#] ip link delete dev wg0");
    }
}
