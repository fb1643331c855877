//! The steps of `up` and `down` as data, and the `[#] ...` line wg-quick prints for each.
//!
//! An [`Action`] names one effect on the system, with every value already decided by the
//! planner, so that an executor only has to carry it out. The printed line is the command
//! wg-quick would have run for the same effect, which keeps logs comparable with the
//! original tool even though ferrotun talks netlink instead of running `ip`.

mod text;

pub use text::{delete_rule_text, resolvectl_commands};

use ferrotun_uapi::SetRequest;
use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;

/// An address family, printed as `ip`'s `-4`/`-6` switch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    /// IPv4.
    V4,
    /// IPv6.
    V6,
}

impl Family {
    /// The family of `ip`.
    #[must_use]
    pub fn of(ip: IpAddr) -> Self {
        if ip.is_ipv4() {
            Family::V4
        } else {
            Family::V6
        }
    }

    /// `-4` or `-6`.
    #[must_use]
    pub fn switch(self) -> &'static str {
        match self {
            Family::V4 => "-4",
            Family::V6 => "-6",
        }
    }

    /// The nftables family name: `ip` or `ip6`.
    #[must_use]
    pub fn nft(self) -> &'static str {
        match self {
            Family::V4 => "ip",
            Family::V6 => "ip6",
        }
    }
}

/// An address with a prefix length, printed as `ip/len`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Prefix {
    /// The address (host bits kept for interface addresses, cleared for routes).
    pub ip: IpAddr,
    /// The prefix length.
    pub len: u8,
}

impl Prefix {
    /// The family of the address.
    #[must_use]
    pub fn family(&self) -> Family {
        Family::of(self.ip)
    }
}

impl fmt::Display for Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.ip, self.len)
    }
}

/// A policy routing rule of the default-route scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    /// `not fwmark T table T`: unmarked traffic looks up table T.
    NotFwmark {
        /// The family of the rule.
        family: Family,
        /// The mark (and table number) T.
        mark: u32,
    },
    /// `table main suppress_prefixlength 0`: the main table, except its default route.
    SuppressMain {
        /// The family of the rule.
        family: Family,
    },
}

/// How DNS settings reach the resolver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DnsBackend {
    /// `resolvconf`; the string is the interface prefix (`tun.` on Debian's resolvconf with
    /// an `interface-order` file, else empty).
    Resolvconf(String),
    /// systemd-resolved through `resolvectl`.
    Resolved,
    /// `/etc/netns/NAME/resolv.conf`, the file `ip netns exec NAME` shows as
    /// `/etc/resolv.conf`: for an interface in namespace NAME (`--netns`), whose DNS must not
    /// change the host's resolver. A file that was there before is kept aside and put back.
    NetnsFile(String),
}

/// One effect on the system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Start the userspace daemon, which creates the TUN link and its UAPI socket.
    StartDaemon {
        /// The program, e.g. `ferrotund`.
        program: String,
        /// The interface name.
        interface: String,
    },
    /// `ip link set dev IF netns NAME` (`--netns`): right after the daemon made the link,
    /// so the daemon and its UDP socket stay here while the interface lives in NAME.
    MoveToNetns {
        /// The interface name.
        interface: String,
        /// The namespace.
        netns: String,
    },
    /// Run a hook through `bash -c` (`%i` already replaced).
    RunHook {
        /// The command.
        command: String,
    },
    /// Apply the wg(8) part of the file (`wg addconf`).
    ApplyWgConfig {
        /// The interface name.
        interface: String,
        /// The request built from the stripped file.
        request: SetRequest,
    },
    /// Bring the wg(8) part of the running device in line with the file (`reload`): like
    /// `wg syncconf`, the request already holds the difference to the running device.
    SyncWgConfig {
        /// The interface name.
        interface: String,
        /// The request.
        request: SetRequest,
    },
    /// `ip address del` (`reload`).
    DeleteAddress {
        /// The interface name.
        interface: String,
        /// The address.
        address: Prefix,
    },
    /// `ip address add`.
    AddAddress {
        /// The interface name.
        interface: String,
        /// The address.
        address: Prefix,
    },
    /// `ip link set mtu N up`.
    SetMtuUp {
        /// The interface name.
        interface: String,
        /// The MTU.
        mtu: u32,
    },
    /// Hand nameservers and search domains to the resolver.
    SetDns {
        /// The interface name.
        interface: String,
        /// Nameserver addresses.
        servers: Vec<String>,
        /// Search domains.
        search: Vec<String>,
        /// Where they go.
        backend: DnsBackend,
    },
    /// `ip route add PREFIX dev IF [table T]`.
    AddRoute {
        /// The interface name.
        interface: String,
        /// The destination (host bits cleared).
        prefix: Prefix,
        /// The table; `None` is the main table.
        table: Option<u32>,
    },
    /// `ip route del PREFIX dev IF [table T]` (`reload`).
    DeleteRoute {
        /// The interface name.
        interface: String,
        /// The destination (host bits cleared).
        prefix: Prefix,
        /// The table; `None` is the main table.
        table: Option<u32>,
    },
    /// `wg set IF fwmark T`.
    SetFwmark {
        /// The interface name.
        interface: String,
        /// The mark.
        mark: u32,
    },
    /// `ip rule add ...`.
    AddRule(Rule),
    /// Write a sysctl through `/proc/sys`.
    SetSysctl {
        /// The dotted key, e.g. `net.ipv4.conf.all.src_valid_mark`.
        key: String,
        /// The value.
        value: String,
    },
    /// The anti-spoofing and mark save/restore rules for one family, fed to `nft -f -`
    /// (or `iptables-restore -n` without nft). The script is made when the action runs,
    /// because like wg-quick it covers every address the link has by then (including the
    /// kernel's IPv6 link-local one); [`crate::plan::firewall_script`] writes it.
    Firewall {
        /// The interface name.
        interface: String,
        /// The family.
        family: Family,
        /// The fwmark (and table) of the default-route scheme.
        mark: u32,
        /// nftables (`true`) or iptables.
        nft: bool,
    },
    /// `ip rule delete ...`, repeated until no such rule is left.
    DeleteRules(Rule),
    /// `ip link delete dev IF`.
    DeleteLink {
        /// The interface name.
        interface: String,
    },
    /// Remove the interface's DNS settings.
    UnsetDns {
        /// The interface name.
        interface: String,
        /// Where they were set.
        backend: DnsBackend,
    },
    /// Delete the `wg-quick-IF` nftables tables and the iptables rules tagged for `IF`,
    /// whichever exist.
    RemoveFirewall {
        /// The interface name.
        interface: String,
    },
    /// Write the running configuration back into the file, editing it in place (see
    /// [`crate::saveedit`]).
    SaveConfig {
        /// The interface name.
        interface: String,
        /// The file.
        path: PathBuf,
        /// The file as parsed when the command started (for the values it resolved:
        /// endpoint host names, port names).
        config: Box<ferrotun_conf::Config>,
    },
}

impl Action {
    /// Whether a failure of this action is ignored, as wg-quick ignores it (`|| true`).
    #[must_use]
    pub fn may_fail(&self) -> bool {
        matches!(
            self,
            Action::UnsetDns { .. } | Action::RemoveFirewall { .. }
        )
    }
}
