#!/usr/bin/env python3
"""Regenerates the hand-made seed files of fuzz/corpus/ from the reference vectors.

Writes only seeds named `seed-*`; corpus entries libFuzzer adds (named by hash) are left alone.
Run from anywhere: python3 fuzz/make_seeds.py
"""
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
VECTORS = os.path.join(HERE, "..", "crates", "proto", "testdata", "wg_vectors.json")


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def u16(x):
    return struct.pack("<H", x)


def main():
    v = json.load(open(VECTORS))
    messages = {}
    for case, short in (("handshake_zero_psk", "nopsk"), ("handshake_with_psk", "psk")):
        c = v[case]
        for key in ("initiation_message", "response_message", "keepalive_i2r_counter0",
                    "data_r2i_counter0", "data_i2r_counter1"):
            messages[f"{short}-{key}"] = bytes.fromhex(c[key])
    for key in ("cookie_reply_message", "initiation_with_mac2",
                "retry_initiation_sender_0x11223302_with_mac2"):
        messages[f"cookie-{key}"] = bytes.fromhex(v["cookie"][key])
    # Identical messages (both cases share the initiation) are written once.
    seen = set()
    for name, data in sorted(messages.items()):
        if data in seen:
            continue
        seen.add(data)
        for target in ("wire_parse", "noise_consume"):
            write(target, name, data)
        # device_datagram: flags 0, opcode 0 (raw datagram into A from B's address).
        write("device_datagram", name, bytes([0, 0]) + u16(len(data)) + data)

    # device_datagram scripts: B sends tunnel packets, the network delivers everything, time
    # passes; once with A knowing B's endpoint and the PSK, once with A learning it.
    B = 0x80
    packet = lambda sel, n: bytes([B | 22, sel]) + u16(n) + bytes(range(n))
    deliver_all = bytes([33])
    step_s = lambda n: bytes([15 + 2, n])          # n seconds
    script = (packet(0, 8) + deliver_all + packet(1, 20) + deliver_all + bytes([22, 0]) + u16(4)
              + b"abcd" + deliver_all + step_s(11) + deliver_all + step_s(130) + deliver_all
              + packet(0, 3) + deliver_all)
    write("device_datagram", "script-handshake-traffic-psk", bytes([3]) + script)
    under_load = bytes([28, 1])
    write("device_datagram", "script-under-load", bytes([0]) + under_load + script)
    lossy = (packet(0, 8) + bytes([2, B | 11]) + step_s(6) + bytes([2, B | 2]) + bytes([12]) + u16(5)
             + bytes([0]) + bytes([14, 0]) + deliver_all + bytes([21]) + u16(3000) + deliver_all)
    write("device_datagram", "script-lossy", bytes([1]) + lossy)
    # The same scripts through the lock-free data path (flag bit 2).
    write("device_datagram", "script-data-path-handshake-traffic-psk", bytes([7]) + script)
    write("device_datagram", "script-data-path-lossy", bytes([5]) + lossy)

    # wire_parse: the error paths.
    for name, data in {
        "empty": b"",
        "short": b"\x04\x00\x00",
        "unknown-type": b"\x05\x00\x00\x00" + bytes(28),
        "reserved-nonzero": b"\x01\x01\x00\x00" + bytes(144),
        "transport-too-short": b"\x04\x00\x00\x00" + bytes(27),
        "initiation-too-long": b"\x01\x00\x00\x00" + bytes(145),
    }.items():
        write("wire_parse", name, data)

    # replay_ratelimiter: mode byte, then operations (see the target for the encoding).
    def u64(x):
        return struct.pack("<Q", x)

    replay = bytes([0])
    for op, arg in ((1, 5), (1, 100), (2, 3), (2, 3), (3, 0), (9, 0), (4, 0), (5, 10),
                    (6, 1), (11, 0), (1, 0), (10, 200)):
        replay += bytes([0x30 | op]) + u16(arg)
        if op == 4:
            replay += struct.pack("<I", 1 << 20)
        if op == 6:
            replay += b"\x07"
    replay += bytes([0x07]) + u16(0) + bytes([0x28]) + u16(0)
    write("replay_ratelimiter", "replay-walk", replay)

    def limiter(mode, ops):
        out = bytes([mode]) + u64(5 * 10**9)
        for op in ops:
            out += op
        return out

    burst = [bytes([0, 0x08])] * 7                     # 7 packets from 192.0.2.1
    v6 = [bytes([0, 0x0b]), bytes([0, 0x13]), bytes([0, 0x02 | 0x08])]  # shared /64, mapped v4
    wait_ms = [bytes([0x83]) + u16(60)]                 # 60 ms
    wait_s = [bytes([0xc3]) + u16(150)]                 # 1.5 s
    gc = [bytes([2])]
    strict = burst + wait_ms + burst[:2] + v6 + wait_s + gc + wait_s + gc + burst[:3]
    write("replay_ratelimiter", "ratelimiter-strict", limiter(1, strict))
    loose = [bytes([0, 0x08]), bytes([0, 0x10]), bytes([0, 0x18]), bytes([0xc3]) + u16(150),
             bytes([1]), bytes([0xc2]) + u16(300), bytes([1]), bytes([0, 0x08])]
    write("replay_ratelimiter", "ratelimiter-loose-cap2", limiter(2 + 3 * 2, loose))
    write("replay_ratelimiter", "ratelimiter-loose-cap0", limiter(2, loose))

    uapi_seeds()
    conf_seeds()
    proxy_seeds()


def uapi_seeds():
    """uapi_request: a control byte (chunk size - 1 in bits 0-5, bit 6: start with a private
    key and two peers), then what the client writes."""
    key = lambda n: bytes([n]) * 32
    hexkey = lambda n: key(n).hex().encode()
    full = (b"set=1\nprivate_key=" + hexkey(9) + b"\nlisten_port=51820\nfwmark=0x0\n"
            b"fwmark=7\nreplace_peers=true\npublic_key=" + hexkey(4) + b"\nprotocol_version=1\n"
            b"preshared_key=" + hexkey(5) + b"\nendpoint=192.168.7.1:51820\n"
            b"persistent_keepalive_interval=25\nreplace_allowed_ips=true\n"
            b"allowed_ip=10.1.0.0/16\nallowed_ip=fd00::/64\nallowed_ip=10.1.2.3/32\n"
            b"public_key=" + hexkey(6) + b"\nendpoint=[fe80::1%eth0]:1\n"
            b"allowed_ip=10.1.0.0/16\nallowed_ip=::/0\nallowed_ip=-fd00::/64\n\nget=1\n\n")
    update = (b"set=1\npublic_key=" + hexkey(2) + b"\nupdate_only=true\nallowed_ip=10.0.3.0/24\n"
              b"public_key=" + hexkey(3) + b"\nremove=true\npublic_key=" + hexkey(7)
              + b"\nupdate_only=true\n\nget=1\n\n")
    bad = (b"set=1\nlisten_port=7777\npublic_key=" + hexkey(8) + b"\n\n"
           b"set=1\nbogus=1\n\nset=1\nno equals sign\n\nset=1\nprivate_key=zz\n\n"
           b"set=1\npublic_key=" + hexkey(8) + b"\nallowed_ip=10.0.0.0/33\n\n"
           b"get=1\nx\nget=1\n\n")
    for name, control, data in (
        ("get-populated", 0x7f, b"get=1\n\n"),
        ("set-full", 0x3f, full),
        ("set-full-1-byte-reads", 0x00, full),
        ("set-update-remove", 0x7f, update),
        ("set-own-key", 0x7f, b"set=1\nprivate_key=" + hexkey(2) + b"\npublic_key="
         + hexkey(2) + b"\n\nget=1\n\n"),
        ("errors", 0x7f, bad),
        ("half-written", 0x45, b"set=1\npublic_key=" + hexkey(8) + b"\nallowed_ip=10."),
        ("unknown-op", 0x7f, b"hello=1\n\n"),
    ):
        write("uapi_request", name, bytes([control]) + data)


def conf_seeds():
    """conf_parse: a control byte (bit 0: wg-quick dialect, bit 1: addconf), then the file."""
    import base64
    b64 = lambda n: base64.b64encode(bytes([n]) * 32).decode()
    wg = f"""[Interface]
PrivateKey = {b64(1)}
ListenPort = 51820
FwMark = 0x1234 # comment

[Peer]
PublicKey = {b64(2)}
PresharedKey = {b64(3)}
AllowedIPs = 10.0.0.2/32, fd00::2/128 , 10.9.0.7/24
Endpoint = 192.168.7.2:51820
PersistentKeepalive = 25

[Peer]
Public Key = {b64(4)}
AllowedIPs = +10.4.0.0/16, -10.5.0.0/16
Endpoint = [fd00::4]:wireguard
PersistentKeepalive = off
""".encode()
    quick = f"""[Interface]
Address = 10.0.0.1/24, fd00::1
DNS = 10.0.0.53, example.internal
MTU = 1380
Table = off
PreUp = echo pre %i
PostUp = echo up
PreDown = echo pre-down
PostDown = echo down
SaveConfig = true
PrivateKey = {b64(1)}
ListenPort = domain

[Peer]
PublicKey = {b64(2)}
AllowedIPs = 0.0.0.0/0, ::/0
Endpoint = vpn.example.internal:51820
""".encode()
    for name, control, data in (
        ("wg-setconf", 0, wg),
        ("wg-addconf", 2, wg),
        ("quick", 1, quick),
        ("quick-as-wg", 0, quick),
        ("own-key-as-peer", 0, f"[Interface]\nPrivateKey={b64(1)}\n[Peer]\nPublicKey="
         f"{base64.b64encode(bytes.fromhex('a4e09292b651c278b9772c569f5fa9bb13d906b46ab68c9df9dc2b4409f8a209')).decode()}\n".encode()),
        ("zero-private-key", 0, f"[Interface]\nPrivateKey={b64(0)}\n".encode()),
        ("duplicate-interface", 0, b"[Interface]\nListenPort=1\n[Interface]\nListenPort=2\n"),
        ("duplicate-peer", 0, f"[Peer]\nPublicKey={b64(2)}\n[Peer]\nPublicKey={b64(2)}\n".encode()),
        ("missing-public-key", 0, b"[Peer]\nAllowedIPs=10.0.0.0/8\n"),
        ("unknown-section", 0, b"[Nope]\nKey=1\n[Interface]\nBad\x00Key=1\n"),
        ("bad-values", 0, f"[Interface]\nListenPort=70000\n[Peer]\nPublicKey={b64(2)}\n"
         "Endpoint=[::1\nAllowedIPs=10.0.0.1/40\n".encode()),
    ):
        write("conf_parse", name, bytes([control]) + data)



def proxy_seeds():
    """proxy_conf_parse: the proxy file, then optionally 0xFF and the file WGConfig imports.
    The README-shaped files are ferrotun-conf's test fixtures."""
    fixtures = os.path.join(HERE, "..", "crates", "conf", "src", "proxy", "tests", "fixtures")
    read = lambda name: open(os.path.join(fixtures, name), "rb").read()
    wg = read("wg-client.conf")
    every_key = wg + b"""CheckAlive = 10.77.0.1, fd00::1
[Socks5]
BindAddress = [::1]:1080
Username = $WORD
Password = "p;a#ss"
[http]
BindAddress = localhost:8080
Password = $$x
[TCPClientTunnel]
BindAddress = :2222
Target = [fd00::1]:22
[UDPProxyTunnel]
BindAddress = 127.0.0.1:53
Target = dns.example:53
InactivityTimeout = 0
[TCPServerTunnel]
ListenPort = 80
Target = localhost:8080
[UDPServerTunnel]
ListenPort = 53
Target = 127.0.0.1:5353
InactivityTimeout = 30
[STDIOTunnel]
Target = 10.77.0.1:22
"""
    bad = b"""Stray = 1
[Interface]
PrivateKey = $NOPE
CheckAliveInterval = 0
[Socks5]
Password = only
Pasword = x
[TCPClientTunnel]
BindAddress = 127.0.0.1
[STDIOTunnel]
Target = a:0
[STDIOTunnel]
[Bogus]
"""
    for name, data in (
        ("sample", read("sample.conf")),
        ("import", read("import.conf") + b"\xff" + wg),
        ("import-missing", read("import.conf")),
        ("import-bad", b"WGConfig = x\n[Socks5]\n\xff[Socks5]\nWGConfig = y\n[Interface]\n"),
        ("peers", read("peers.conf")),
        ("server", read("server.conf")),
        ("every-key", every_key),
        ("env-key", wg.replace(b"GH6X2HOSjtisa3HKsIIlMfc8gljKwDH+l7MX2WCzR3A=", b"$KEY") + b"[http]\n"),
        ("errors", bad),
        ("conflicts", wg + b"[Socks5]\nBindAddress = :1\n[http]\nBindAddress = 127.0.0.1:1\n"
         b"[TCPServerTunnel]\nListenPort = 1\nTarget = h:1\n[TCPServerTunnel]\nListenPort = 1\nTarget = h:2\n"),
    ):
        write("proxy_conf_parse", name, data)

if __name__ == "__main__":
    main()
