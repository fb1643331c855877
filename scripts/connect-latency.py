#!/usr/bin/env python3
"""TCP connect latency, as a client sees it: the time from connect() until a one-byte echo
comes back. Connect alone is not enough: through a port forward, connect() to the host
listener returns at once, before the forwarder has reached the target; the echo makes every
path (kernel TCP through a TUN, a userspace forward) finish the same work: the connection to
the far end established and one round trip through it.

Several targets are probed in turn, one connection each per round, so that a burst of load
from elsewhere on the machine falls on all of them alike and their medians stay comparable.

  connect-latency.py serve IP:PORT            echo server (one byte back, then close)
  connect-latency.py probe IP:PORT... [--count N] [--gap-ms G]
      prints "IP:PORT median_ms=… p90_ms=… min_ms=… n=… failed=…" per target; exits 1 if any
      probe failed.
"""
import argparse
import socket
import statistics
import sys
import time

WARMUP = 5  # probes not counted: the first may wait for a handshake or a cold cache


def parse(text):
    host, _, port = text.rpartition(":")
    host = host.strip("[]")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return family, (host, int(port))


def serve(target):
    family, address = parse(target)
    server = socket.socket(family, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(address)
    server.listen(128)
    while True:
        conn, _ = server.accept()
        with conn:
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn.settimeout(5)
            try:
                data = conn.recv(1)
                if data:
                    conn.sendall(data)
            except OSError:
                pass


def probe_once(family, address):
    """Seconds for connect + one-byte echo, or None if it failed."""
    start = time.perf_counter()
    try:
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.settimeout(5)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.connect(address)
            sock.sendall(b"x")
            if sock.recv(1) != b"x":
                return None
    except OSError:
        return None
    return time.perf_counter() - start


def summary(times, failed):
    if not times:
        return "median_ms=fail p90_ms=fail min_ms=fail n=0 failed=%d" % failed
    times.sort()
    p90 = times[min(len(times) - 1, int(len(times) * 0.9))]
    return "median_ms=%.3f p90_ms=%.3f min_ms=%.3f n=%d failed=%d" % (
        statistics.median(times),
        p90,
        times[0],
        len(times),
        failed,
    )


def probe(targets, count, gap):
    parsed = [parse(t) for t in targets]
    times = [[] for _ in targets]
    failed = [0 for _ in targets]
    for i in range(WARMUP + count):
        for k, (family, address) in enumerate(parsed):
            elapsed = probe_once(family, address)
            if i >= WARMUP:
                if elapsed is None:
                    failed[k] += 1
                else:
                    times[k].append(elapsed * 1000.0)
            time.sleep(gap)
    for k, target in enumerate(targets):
        print("%s %s" % (target, summary(times[k], failed[k])))
    return 1 if any(failed) else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    sub.add_parser("serve").add_argument("address")
    p = sub.add_parser("probe")
    p.add_argument("address", nargs="+")
    p.add_argument("--count", type=int, default=200)
    p.add_argument("--gap-ms", type=float, default=5.0)
    opts = parser.parse_args()
    if opts.mode == "serve":
        serve(opts.address)
        return 0
    return probe(opts.address, opts.count, opts.gap_ms / 1000.0)


if __name__ == "__main__":
    sys.exit(main())
