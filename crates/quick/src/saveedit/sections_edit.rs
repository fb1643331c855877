//! What `[Interface]` and each `[Peer]` are brought in line with.

use super::{
    address_items, allowed_ip_items, lines::Section, ntop, showconf, Editor, Op, Prefix, Saved,
};
use ferrotun_conf::value::{parse_public_key, strip_spaces};
use ferrotun_conf::Config;
use ferrotun_proto::keys::PublicKey;
use ferrotun_uapi::client::DeviceInfo;

impl Editor<'_, '_> {
    /// `[Interface]`: the addresses, the MTU (if the file sets one), port, mark and key.
    pub(super) fn interface(&mut self, section: Section, config: &Config, saved: &Saved<'_>) {
        let want: Vec<(Prefix, String)> = saved
            .addresses
            .iter()
            .map(|p| (*p, format!("{}/{}", ntop(p.ip), p.len)))
            .collect();
        self.list(section, ("address", "Address"), address_items, &want);
        if let Some(mtu) = saved.mtu {
            let same = config.interface.quick.mtu == Some(mtu);
            self.scalar(section, ("mtu", "MTU"), same, Some(mtu.to_string()));
        }
        let device = saved.device;
        let port = device.listen_port;
        self.scalar(
            section,
            ("listenport", "ListenPort"),
            config.interface.listen_port.unwrap_or(0) == port,
            (port != 0).then(|| port.to_string()),
        );
        let mark = device.fwmark;
        self.scalar(
            section,
            ("fwmark", "FwMark"),
            config.interface.fwmark.unwrap_or(0) == mark,
            (mark != 0).then(|| showconf::fwmark_text(mark)),
        );
        let file_key = config.interface.private_key.clone().flatten();
        self.scalar(
            section,
            ("privatekey", "PrivateKey"),
            file_key == device.private_key,
            device.private_key.as_ref().map(|k| k.to_base64()),
        );
    }

    /// A `[Peer]`: removed if the daemon no longer has it, else its values brought in line.
    /// The section's key, if it could be read and the peer stays.
    pub(super) fn peer(
        &mut self,
        section: Section,
        config: &Config,
        device: &DeviceInfo,
    ) -> Option<PublicKey> {
        let key_line = *self.lines_of(section, "publickey").last()?;
        let key = parse_public_key(&strip_spaces(self.lines[key_line].value()?)).ok()?;
        let Some(live) = device.peers.iter().find(|p| p.public_key == key) else {
            for index in section.lead..section.end {
                self.ops[index] = Op::Delete;
            }
            return None;
        };
        let file = config.peers.iter().find(|p| p.public_key == key);
        let file_psk = file.and_then(|p| p.preshared_key.clone().filter(|k| !k.is_zero()));
        self.scalar(
            section,
            ("presharedkey", "PresharedKey"),
            file.is_some() && file_psk == live.preshared_key,
            live.preshared_key.as_ref().map(|k| k.to_base64()),
        );
        let want: Vec<_> = live
            .allowed_ips
            .iter()
            .map(|(ip, cidr)| ((*ip, *cidr), showconf::prefix_text(*ip, *cidr)))
            .collect();
        self.list(
            section,
            ("allowedips", "AllowedIPs"),
            allowed_ip_items,
            &want,
        );
        // An endpoint `wg` could not print is left as the file has it.
        match live.endpoint.as_ref().map(showconf::endpoint_text) {
            Some(Err(_)) => {}
            shown => self.scalar(
                section,
                ("endpoint", "Endpoint"),
                file.is_some_and(|p| p.endpoint.as_ref().map(|e| e.addr) == live.endpoint),
                shown.and_then(Result::ok),
            ),
        }
        let keepalive = live.persistent_keepalive;
        self.scalar(
            section,
            ("persistentkeepalive", "PersistentKeepalive"),
            file.is_some_and(|p| p.persistent_keepalive.unwrap_or(0) == keepalive),
            (keepalive != 0).then(|| keepalive.to_string()),
        );
        Some(key)
    }
}
