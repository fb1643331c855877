//! What each subcommand takes, for the generated shell completions ([`super::completion`])
//! and man page ([`super::man`]).
//!
//! The dispatch tables in `main.rs` stay the one list of subcommands and their one-line
//! descriptions; this file adds, for each entry, its argument synopsis (exactly the text its
//! usage message prints), how its arguments complete, and a paragraph for the man page. A
//! unit test keeps the two in step, and an integration test compares each synopsis with the
//! usage message the command really prints.

/// How the words after a subcommand's name complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Args {
    /// Nothing.
    Nothing,
    /// `show`: an interface, `all` or `interfaces`, then a field; `--json` anywhere.
    Show,
    /// One running interface.
    Interface,
    /// A running interface, then a file.
    InterfaceThenFile,
    /// `set`'s keyword and value pairs.
    Set,
    /// Options (given here), then one operand. `--netns` takes a network namespace name.
    Operand(&'static [&'static str], Operand),
    /// One of these words.
    Words(&'static [&'static str]),
}

/// What the one operand of a wg-quick style command is offered as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operand {
    /// Config names from `/etc/wireguard`, and `.conf` files.
    Config,
    /// Running interfaces (which also name their config).
    Interface,
}

/// One subcommand.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    /// Its name in the dispatch table.
    pub name: &'static str,
    /// What follows the name in its usage message.
    pub synopsis: &'static str,
    /// How its arguments complete.
    pub args: Args,
    /// The man page's paragraph; `\n\n` separates paragraphs.
    pub details: &'static str,
}

/// `show`'s fields.
pub const SHOW_FIELDS: &[&str] = &[
    "public-key",
    "private-key",
    "listen-port",
    "fwmark",
    "peers",
    "preshared-keys",
    "endpoints",
    "allowed-ips",
    "latest-handshakes",
    "transfer",
    "persistent-keepalive",
    "dump",
];

/// `set`'s keywords before the first `peer`.
pub const SET_DEVICE_WORDS: &[&str] = &["listen-port", "fwmark", "private-key", "peer"];
/// `set`'s keywords after a `peer`.
pub const SET_PEER_WORDS: &[&str] = &[
    "preshared-key",
    "endpoint",
    "allowed-ips",
    "persistent-keepalive",
    "remove",
    "peer",
];

/// The shells `completion` writes for.
pub const SHELLS: &[&str] = &["bash", "zsh", "fish"];

const QUICK_ARGUMENT: &str = "[ CONFIG_FILE | INTERFACE ]";
const NETNS_ARGUMENT: &str = "[ --netns NAME ] [ CONFIG_FILE | INTERFACE ]";
const NETNS: &[&str] = &["--netns"];

/// Every subcommand, in the order of the dispatch tables.
pub const SPECS: &[Spec] = &[
    Spec {
        name: "show",
        synopsis: "{ <interface> | all | interfaces } [public-key | private-key | listen-port | fwmark | peers | preshared-keys | endpoints | allowed-ips | latest-handshakes | transfer | persistent-keepalive | dump]",
        args: Args::Show,
        details: "Without arguments, or with all, shows every interface; with interfaces, lists their names. A field prints only that item, one line per peer, tab-separated, for scripts; dump prints everything tab-separated. The output is byte for byte that of wg show. It is coloured only on a terminal, unless WG_COLOR_MODE says always or never, and private and preshared keys are hidden unless WG_HIDE_KEYS=never.\n\nWith --json (anywhere after show), the same information is printed as JSON instead, for every form: a field form prints each interface's object with only that field's members. Private and preshared keys are left out unless WG_HIDE_KEYS=never (null means there is none); the private-key and preshared-keys fields and dump print them. The format is version 1 of the JSON Schema docs/show-json.v1.schema.json in ferrotun's sources.\n\nFor an interface that does not exist, wg's error line is followed by one that says so plainly (not when called as wg).",
    },
    Spec {
        name: "showconf",
        synopsis: "<interface>",
        args: Args::Interface,
        details: "The output is in the file format that setconf, addconf and syncconf read.",
    },
    Spec {
        name: "set",
        synopsis: "<interface> [listen-port <port>] [fwmark <mark>] [private-key <file path>] [peer <base64 public key> [remove] [preshared-key <file path>] [endpoint <ip>:<port>] [persistent-keepalive <interval seconds>] [allowed-ips [+|-]<ip1>/<cidr1>[,[+|-]<ip2>/<cidr2>]...] ]...",
        args: Args::Set,
        details: "Changes settings of the interface and of its peers; a peer that does not exist yet is added. Keys are read from files (/dev/stdin works). An allowed-ips list replaces the peer's list, unless its entries start with + or -, which add or remove single entries.",
    },
    Spec {
        name: "setconf",
        synopsis: "<interface> <configuration filename>",
        args: Args::InterfaceThenFile,
        details: "Replaces the interface's whole configuration with the file's: settings the file leaves out are cleared and peers it does not list are removed.",
    },
    Spec {
        name: "addconf",
        synopsis: "<interface> <configuration filename>",
        args: Args::InterfaceThenFile,
        details: "Adds the file's peers and settings to the interface's configuration, keeping everything else.",
    },
    Spec {
        name: "syncconf",
        synopsis: "<interface> <configuration filename>",
        args: Args::InterfaceThenFile,
        details: "Makes the interface's configuration the file's, like setconf, but changes only what differs, so that the sessions of unchanged peers are not disturbed.",
    },
    Spec {
        name: "genkey",
        synopsis: "",
        args: Args::Nothing,
        details: "The key is random, in base64. Set the umask to 077 before writing it to a file.",
    },
    Spec {
        name: "genpsk",
        synopsis: "",
        args: Args::Nothing,
        details: "The key is random, in base64; it goes on the PresharedKey line of both peers.",
    },
    Spec {
        name: "pubkey",
        synopsis: "",
        args: Args::Nothing,
        details: "Both keys are in base64, for example: ferrotun genkey | tee private.key | ferrotun pubkey.",
    },
    Spec {
        name: "up",
        synopsis: NETNS_ARGUMENT,
        args: Args::Operand(NETNS, Operand::Config),
        details: "Natively through netlink, it starts ferrotund for the interface (or WG_QUICK_USERSPACE_IMPLEMENTATION), applies the file's settings and peers, addresses, MTU, routes (with the fwmark scheme for default routes), DNS and hooks. A bare INTERFACE means /etc/wireguard/INTERFACE.conf, as with wg-quick; when there is no such file but the current directory has one of that name, the error suggests ./INTERFACE.conf. Otherwise the file name must be a valid interface name followed by .conf. A file that does not parse is refused with every error and hint that check gives; a ListenPort above 65535 is an error rather than wrapped, and a ListenPort in use is named with its line. Any failure rolls back what was done.\n\nWith --netns NAME, the interface lives in network namespace NAME while ferrotund and its UDP socket stay in the caller's namespace; down, save and reload take the same option. DNS then goes to /etc/netns/NAME/resolv.conf; down puts back a file that was there and removes the directory only if up created it.",
    },
    Spec {
        name: "down",
        synopsis: NETNS_ARGUMENT,
        args: Args::Operand(NETNS, Operand::Interface),
        details: "It runs the PreDown hooks, saves the configuration if SaveConfig is true, removes the interface, its routing rules, firewall rules and DNS settings, and runs the PostDown hooks.",
    },
    Spec {
        name: "save",
        synopsis: NETNS_ARGUMENT,
        args: Args::Operand(NETNS, Operand::Interface),
        details: "Only values that differ from the running interface change: comments, blank lines and the order of keys and peers stay. The file is replaced atomically and gets mode 0600.",
    },
    Spec {
        name: "strip",
        synopsis: QUICK_ARGUMENT,
        args: Args::Operand(&[], Operand::Config),
        details: "The output is what setconf and syncconf read, as in ferrotun syncconf wg0 <(ferrotun strip wg0).",
    },
    Spec {
        name: "reload",
        synopsis: NETNS_ARGUMENT,
        args: Args::Operand(NETNS, Operand::Interface),
        details: "Like syncconf for the peers, it also changes addresses, MTU, routes and DNS, and sessions are not dropped. The ExecReload of ferrotun@.service runs it.",
    },
    Spec {
        name: "check",
        synopsis: "[--wg] [--resolve] [ CONFIG_FILE | INTERFACE ]",
        args: Args::Operand(&["--wg", "--resolve"], Operand::Config),
        details: "An argument that is an existing file is that file; otherwise a bare INTERFACE means /etc/wireguard/INTERFACE.conf. The file is read as up would read it, and a summary line follows the problems. The exit status is 1 if there is an error, 0 otherwise. Besides what up rejects, it warns about likely mistakes: keys given twice, allowed IPs shared by or overlapping between peers, a peer with the interface's own key, a missing PrivateKey or AllowedIPs, DNS search domains without a nameserver, an unusable MTU, an unknown routing table, a ListenPort that something on this host already uses, and a file that others may read.\n\nHost names in endpoints are checked for form, not looked up, unless --resolve is given. With --wg the file is read as a wg(8) file for setconf, where the wg-quick keys are errors.",
    },
    Spec {
        name: "proxy",
        synopsis: "[--uapi PATH.sock] [--socks5 ADDR:PORT] [--http ADDR:PORT] [--tcp-forward BIND=TARGET ...] <config file>",
        args: Args::Operand(&["--uapi", "--socks5", "--http", "--tcp-forward"], Operand::Config),
        details: "Runs WireGuard in this process on a userspace TCP/IP stack: no root, no capability and no TUN device. The file is a wg-quick(8) file, with the sections of wireproxy's files read unchanged ([Socks5], [http], [TCPClientTunnel], or WGConfig = FILE); its Address lines are the proxy's addresses in the tunnel and its DNS servers, reached through the tunnel, resolve the names clients ask for. --socks5 and --http add a SOCKS5 or HTTP proxy listening at ADDR:PORT; each --tcp-forward BIND=TARGET (both IP:PORT) listens on the host at BIND and relays every connection to TARGET inside the tunnel. The UAPI socket is $XDG_RUNTIME_DIR/ferrotun/NAME.sock, or ./NAME.sock without XDG_RUNTIME_DIR, or the --uapi path; show, showconf, set and syncconf take its path. It runs until SIGINT or SIGTERM, or until its socket file is removed.",
    },
    Spec {
        name: "qr",
        synopsis: QUICK_ARGUMENT,
        args: Args::Operand(&[], Operand::Config),
        details: "An argument that is an existing file is that file; otherwise a bare INTERFACE means /etc/wireguard/INTERFACE.conf. The code is drawn with Unicode half blocks, white on black on a terminal. The file is checked first and refused if it does not parse. The code holds the private key: show it only to the device that should have it.",
    },
    Spec {
        name: "completion",
        synopsis: "{ bash | zsh | fish }",
        args: Args::Words(SHELLS),
        details: "For bash, source it or install it as /usr/share/bash-completion/completions/ferrotun; for zsh as _ferrotun in a directory of $fpath; for fish as ~/.config/fish/completions/ferrotun.fish.",
    },
    Spec {
        name: "man",
        synopsis: "",
        args: Args::Nothing,
        details: "The page is roff, for example for ferrotun man | man -l -.",
    },
];

/// Every subcommand that the dispatch tables have, as `(name, description)`, in order.
pub fn table() -> impl Iterator<Item = (&'static str, &'static str)> {
    crate::SUBCOMMANDS
        .iter()
        .chain(crate::QUICK_SUBCOMMANDS)
        .chain(crate::EXTRA_SUBCOMMANDS)
        .map(|(name, _, description)| (*name, *description))
}

/// The specs of the subcommands the dispatch tables have, in table order, each with its
/// description.
pub fn commands() -> impl Iterator<Item = (&'static Spec, &'static str)> {
    table().filter_map(|(name, description)| {
        SPECS
            .iter()
            .find(|s| s.name == name)
            .map(|spec| (spec, description))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_entry_has_a_spec() {
        for (name, _) in table() {
            assert!(
                SPECS.iter().any(|s| s.name == name),
                "`{name}' is in the dispatch table but has no Spec in cmd/spec.rs"
            );
        }
    }

    #[test]
    fn every_spec_is_in_the_table() {
        for spec in SPECS {
            assert!(
                table().any(|(name, _)| name == spec.name),
                "`{}' has a Spec but is not in the dispatch table",
                spec.name
            );
        }
        let mut names: Vec<_> = SPECS.iter().map(|s| s.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), SPECS.len(), "a name has two specs");
    }
}
