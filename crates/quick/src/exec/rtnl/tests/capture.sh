#!/usr/bin/env bash
# Regenerates data/*.bin: the kernel's replies to the requests rtnl sends, captured in a
# throwaway network namespace that holds a TUN link set up the way wg-quick sets one up
# (addresses, routes in the main table and in table 51820, the two rules per family).
# Each file is every datagram of one reply, concatenated, for a request with sequence
# number 1. The requests are built here with Python's struct, apart from our encoder.
# Needs root, iproute2 and python3; sends nothing beyond the namespace it makes.
set -euo pipefail
out="$(cd "$(dirname "$0")" && pwd)/data"
ns="ftnl-capture-$$"
ip netns add "$ns"
trap 'ip netns delete "$ns"' EXIT
in_ns() { ip netns exec "$ns" "$@"; }
in_ns ip link set lo up
in_ns ip tuntap add dev ftcap0 mode tun
in_ns ip link set ftcap0 mtu 1420 up
in_ns ip address add 10.7.0.2/24 dev ftcap0
in_ns ip address add fd00:7::2/64 dev ftcap0
in_ns ip address add fe80::7/64 dev ftcap0
in_ns ip route add 10.8.0.0/16 dev ftcap0
in_ns ip route add 192.0.2.0/24 dev ftcap0 mtu 1300
in_ns ip route add default dev ftcap0 table 51820
in_ns ip -6 route add default dev ftcap0 table 51820
capture=$(cat <<'PY'
import socket, struct, sys
out = sys.argv[1]
RTM_NEWLINK, RTM_GETLINK, RTM_GETADDR, RTM_GETROUTE, RTM_DELRULE, RTM_GETRULE = 16, 18, 22, 26, 33, 34
REQUEST, ACK, DUMP = 1, 4, 0x300
def attr(kind, data):
    data = struct.pack("=HH", 4 + len(data), kind) + data
    return data + b"\0" * (-len(data) % 4)
def exchange(name, kind, flags, body):
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
    s.bind((0, 0))
    s.send(struct.pack("=IHHII", 16 + len(body), kind, flags, 1, 0) + body)
    reply = b""
    while True:
        datagram = s.recv(65536)
        reply += datagram
        # Done at NLMSG_DONE or NLMSG_ERROR, or after any reply to a request that is no dump.
        at, last = 0, None
        while at + 16 <= len(datagram):
            length, last = struct.unpack_from("=IH", datagram, at)
            at += (length + 3) & ~3
        if last in (2, 3) or not flags & DUMP:
            break
    open(f"{out}/{name}.bin", "wb").write(reply)
rtmsg_get = lambda af, bits: struct.pack("=BBBBBBBBI", af, bits, 0, 0, 0, 0, 0, 1, 0)
if sys.argv[2] == "before-rules":
    # No route at all (no IPv4 default route, and no rule yet that looks up table 51820).
    exchange("route_get_unreachable", RTM_GETROUTE, REQUEST, rtmsg_get(2, 32) + attr(1, socket.inet_aton("198.51.100.1")))
    sys.exit(0)
ifinfomsg = lambda index: struct.pack("=BxHiII", 0, 0, index, 0, 0)
exchange("link_ftcap0", RTM_GETLINK, REQUEST, ifinfomsg(0) + attr(3, b"ftcap0\0"))
exchange("link_missing", RTM_GETLINK, REQUEST, ifinfomsg(0) + attr(3, b"ftmissing0\0"))
# An acknowledgement: `ip link set dev lo up` again, with NLM_F_ACK.
exchange("ack", RTM_NEWLINK, REQUEST | ACK, struct.pack("=BxHiII", 0, 0, 1, 1, 1))
for family, af in (("v4", 2), ("v6", 10)):
    exchange(f"addresses_{family}", RTM_GETADDR, REQUEST | DUMP, struct.pack("=BBBBI", af, 0, 0, 0, 0))
    exchange(f"routes_{family}", RTM_GETROUTE, REQUEST | DUMP, struct.pack("=BBBBBBBBI", af, 0, 0, 0, 0, 0, 0, 1, 0))
    exchange(f"rules_{family}", RTM_GETRULE, REQUEST | DUMP, struct.pack("=BBBBBBBBI", af, 0, 0, 0, 0, 0, 0, 0, 0))
exchange("route_get_v4", RTM_GETROUTE, REQUEST, rtmsg_get(2, 32) + attr(1, socket.inet_aton("192.0.2.9")))
exchange("route_get_v6", RTM_GETROUTE, REQUEST, rtmsg_get(10, 128) + attr(1, socket.inet_pton(socket.AF_INET6, "fd00:7::9")))
# Deleting a rule that is not there: ENOENT, which ends `ip rule delete` loops.
rule = struct.pack("=BBBBBBBBI", 2, 0, 0, 0, 0, 0, 0, 1, 0) + attr(15, struct.pack("=I", 4242))
exchange("delete_rule_missing", RTM_DELRULE, REQUEST | ACK, rule)
PY
)
in_ns python3 -c "$capture" "$out" before-rules
for family in -4 -6; do
  in_ns ip "$family" rule add not fwmark 51820 table 51820
  in_ns ip "$family" rule add table main suppress_prefixlength 0
done
in_ns python3 -c "$capture" "$out" after-rules
ls -l "$out"
