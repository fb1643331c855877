use super::reply::{read_get_reply, read_set_reply};
use super::*;
use std::io::Cursor;

const PRIV_HEX: &str = "e84b5a6d2717c1003a13b431570353dbaca9146cf150c5f8575680feba52027a";
const PUB_HEX: &str = "b85996fecc9c7f1fc6d2572a76eda11d59bcd20be8e543b15ce4bd85a8e75a33";

fn get(text: &str) -> Result<DeviceInfo, Error> {
    read_get_reply(&mut Cursor::new(text.as_bytes().to_vec()), &resolve_numeric)
}

fn set(text: &str) -> Result<(), Error> {
    read_set_reply(&mut Cursor::new(text.as_bytes().to_vec()))
}

#[test]
fn full_reply_parses() {
    let reply = format!(
        "private_key={PRIV_HEX}\nlisten_port=51820\nfwmark=51\n\
         public_key={PUB_HEX}\npreshared_key={}\nprotocol_version=1\n\
         endpoint=[fe80::1%7]:51820\nlast_handshake_time_sec=1700000000\n\
         last_handshake_time_nsec=42\ntx_bytes=10\nrx_bytes=20\n\
         persistent_keepalive_interval=25\nallowed_ip=10.0.0.0/24\nallowed_ip=fd00::/64\n\
         errno=0\n\n",
        "00".repeat(32)
    );
    let device = get(&reply).unwrap();
    assert_eq!(device.listen_port, 51820);
    assert_eq!(device.fwmark, 51);
    assert!(device.private_key.is_some());
    assert_eq!(
        device.public_key,
        Some(device.private_key.unwrap().public_key())
    );
    let peer = &device.peers[0];
    assert_eq!(peer.public_key.to_hex(), PUB_HEX);
    assert_eq!(peer.preshared_key, None);
    assert_eq!(peer.endpoint, Some("[fe80::1%7]:51820".parse().unwrap()));
    assert_eq!(
        (peer.last_handshake_sec, peer.last_handshake_nsec),
        (1_700_000_000, 42)
    );
    assert_eq!((peer.rx_bytes, peer.tx_bytes), (20, 10));
    assert_eq!(peer.persistent_keepalive, 25);
    assert_eq!(peer.allowed_ips.len(), 2);
}

#[test]
fn errno_decides_the_outcome() {
    assert_eq!(get("\n"), Err(Error::PROTO));
    assert_eq!(get("errno=5\n\n"), Err(Error::from_errno(5)));
    assert_eq!(get("errno=0\n\n"), Ok(DeviceInfo::default()));
    // A negative errno is not a number to `wg`.
    assert_eq!(get("errno=-5\n\n"), Err(Error::PROTO));
    // End of stream before the blank line.
    assert_eq!(get("errno=0\n"), Err(Error::PROTO));
    assert_eq!(get("errno=0"), Err(Error::PROTO));
}

#[test]
fn malformed_lines_are_eproto() {
    for bad in [
        "listen_port=65536\nerrno=0\n\n",
        "listen_port=+1\nerrno=0\n\n",
        "listen_port=\nerrno=0\n\n",
        "private_key=abc\nerrno=0\n\n",
        "no equals sign\nerrno=0\n\n",
        "listen_port=1\0\nerrno=0\n\n",
        &format!("public_key={PUB_HEX}\nallowed_ip=10.0.0.0/33\nerrno=0\n\n"),
        &format!("public_key={PUB_HEX}\nallowed_ip=10.0.0.0\nerrno=0\n\n"),
        &format!("public_key={PUB_HEX}\nendpoint=\nerrno=0\n\n"),
        &format!("public_key={PUB_HEX}\nendpoint=[::1]\nerrno=0\n\n"),
    ] {
        assert_eq!(get(bad), Err(Error::PROTO), "{bad:?}");
    }
}

#[test]
fn wg_quirks_are_kept() {
    // The prefix length goes through a byte first.
    let reply = format!("public_key={PUB_HEX}\nallowed_ip=10.0.0.0/288\nerrno=0\n\n");
    assert_eq!(get(&reply).unwrap().peers[0].allowed_ips[0].1, 32);
    // Device keys after a peer are ignored, as are unknown keys.
    let reply = format!("public_key={PUB_HEX}\nlisten_port=9\nfoo=bar\nerrno=0\n\n");
    assert_eq!(get(&reply).unwrap().listen_port, 0);
    // Counters saturate rather than fail.
    let reply = format!("public_key={PUB_HEX}\nrx_bytes=99999999999999999999999\nerrno=0\n\n");
    assert_eq!(get(&reply).unwrap().peers[0].rx_bytes, u64::MAX);
}

#[test]
fn unresolvable_endpoint_is_enetunreach() {
    let reply = format!("public_key={PUB_HEX}\nendpoint=[fe80::1%nosuchif]:1\nerrno=0\n\n");
    assert_eq!(get(&reply), Err(Error::from_errno(libc::ENETUNREACH)));
}

#[test]
fn set_replies() {
    assert_eq!(set("errno=0\n\n"), Ok(()));
    assert_eq!(set("errno=-22\n\n"), Err(Error::from_errno(22)));
    // A positive code becomes a negative errno, as with `wg`.
    assert_eq!(set("errno=22\n\n"), Err(Error::from_errno(-22)));
    assert_eq!(set("\n"), Err(Error::PROTO));
    assert_eq!(set("errno=x\n\n"), Err(Error::PROTO));
    assert_eq!(set(""), Err(Error::PROTO));
}

#[test]
fn error_text_is_strerror() {
    assert_eq!(
        Error::from_errno(libc::EINVAL).to_string(),
        "Invalid argument"
    );
    assert_eq!(Error::from_errno(-22).to_string(), "Unknown error -22");
}

#[test]
fn socket_paths() {
    assert_eq!(
        socket_path(OsStr::new("wg0")),
        PathBuf::from("/var/run/wireguard/wg0.sock")
    );
    let long = "x".repeat(200);
    assert_eq!(socket_path(OsStr::new(&long)).as_os_str().len(), 107);
    // A name with a slash is a path (a rootless proxy's socket), used as it is.
    assert_eq!(
        socket_path(OsStr::new("run/px.sock")),
        PathBuf::from("run/px.sock")
    );
    let dir = std::env::temp_dir().join(format!("ferrotun-uapi-path-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let missing = dir.join("none.sock");
    assert_eq!(
        connect(missing.as_os_str()).unwrap_err(),
        Error::from_errno(libc::ENOENT)
    );
    let plain = dir.join("plain.sock");
    std::fs::write(&plain, b"").unwrap();
    assert_eq!(
        connect(plain.as_os_str()).unwrap_err(),
        Error::from_errno(libc::EBADF)
    );
    let listener = std::os::unix::net::UnixListener::bind(dir.join("live.sock")).unwrap();
    assert!(connect(dir.join("live.sock").as_os_str()).is_ok());
    assert!(has_interface(dir.join("live.sock").as_os_str()));
    drop(listener);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn numeric_resolution() {
    assert_eq!(
        resolve_numeric("192.0.2.1", "51820"),
        Some("192.0.2.1:51820".parse().unwrap())
    );
    assert_eq!(
        resolve_numeric("fe80::1%3", "1"),
        Some("[fe80::1%3]:1".parse().unwrap())
    );
    assert_eq!(resolve_numeric("fe80::1%eth0", "1"), None);
    assert_eq!(resolve_numeric("example.com", "1"), None);
    assert_eq!(resolve_numeric("::1", "65536"), None);
}
