#!/usr/bin/env python3
"""A UDP relay that impairs a WireGuard path the way netem's delay and loss would, for kernels
without sch_netem: every datagram is held for a fixed delay, and WireGuard transport messages
(type 4) are dropped at random with a given probability, independently in each direction.
Handshake messages are delayed but never dropped, so a lost handshake's 5 s retry cannot eat a
short measurement.

Each client (a source address writing to --listen) gets its own socket towards --target, so
the target sees one endpoint per client and several tunnels can share the relay, the way a NAT
would. A constant delay keeps the datagrams in order, so one FIFO queue serves both
directions. It runs until SIGTERM or SIGINT, then prints its counts on one line.

Usage: impair-relay.py --listen IP:PORT --target IP:PORT [--delay-ms 25] [--loss-percent 0.1]
                       [--seed N]
"""
import argparse
import collections
import random
import selectors
import signal
import socket
import time

# Large socket buffers (SO_RCVBUFFORCE/SO_SNDBUFFORCE, root only): the relay sits on a path
# that carries Gbit/s bursts; with the default 208 KiB its own queue would add loss.
SO_SNDBUFFORCE = 32
SO_RCVBUFFORCE = 33
BUFFER = 8 << 20
BATCH = 64  # datagrams read from one socket before the queue is looked at again
WG_TRANSPORT = 4


def addr(text):
    host, _, port = text.rpartition(":")
    return host.strip("[]"), int(port)


def udp_socket(family, bind):
    sock = socket.socket(family, socket.SOCK_DGRAM)
    for opt in (SO_RCVBUFFORCE, SO_SNDBUFFORCE):
        try:
            sock.setsockopt(socket.SOL_SOCKET, opt, BUFFER)
        except OSError:
            pass  # not root: the default buffers still work, with more loss under load
    sock.bind(bind)
    sock.setblocking(False)
    return sock


class Relay:
    def __init__(self, opts):
        self.delay = opts.delay_ms / 1000.0
        self.loss = opts.loss_percent / 100.0
        self.rng = random.Random(opts.seed)
        self.target = addr(opts.target)
        listen = addr(opts.listen)
        self.family = socket.AF_INET6 if ":" in listen[0] else socket.AF_INET
        self.front = udp_socket(self.family, listen)
        self.sel = selectors.DefaultSelector()
        self.sel.register(self.front, selectors.EVENT_READ, None)
        self.backs = {}  # client address -> its socket towards the target
        self.queue = collections.deque()  # (due, socket, destination, datagram)
        self.counts = collections.Counter()

    def back_for(self, client):
        sock = self.backs.get(client)
        if sock is None:
            family = socket.AF_INET6 if ":" in self.target[0] else socket.AF_INET
            sock = udp_socket(family, ("::" if family == socket.AF_INET6 else "0.0.0.0", 0))
            self.backs[client] = sock
            self.sel.register(sock, selectors.EVENT_READ, client)
        return sock

    def receive(self, sock, client):
        """Reads up to BATCH datagrams from one socket into the queue (or drops them)."""
        direction = "ab" if client is None else "ba"
        for _ in range(BATCH):
            try:
                data, src = sock.recvfrom(65535)
            except BlockingIOError:
                return
            now = time.monotonic()
            if client is None:
                out, dst = self.back_for(src), self.target
            else:
                out, dst = self.front, client
            self.counts[direction] += 1
            if data[:1] == bytes([WG_TRANSPORT]) and self.rng.random() < self.loss:
                self.counts[direction + "_dropped"] += 1
                continue
            self.queue.append((now + self.delay, out, dst, data))

    def release(self):
        now = time.monotonic()
        queue = self.queue
        while queue and queue[0][0] <= now:
            _, out, dst, data = queue.popleft()
            try:
                out.sendto(data, dst)
            except OSError:
                self.counts["send_errors"] += 1

    def run(self, stop):
        while not stop:
            timeout = 0.5  # at most: wake up now and then to notice a signal
            if self.queue:
                timeout = min(timeout, max(0.0, self.queue[0][0] - time.monotonic()))
            for key, _ in self.sel.select(timeout):
                self.receive(key.fileobj, key.data)
            self.release()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listen", required=True)
    parser.add_argument("--target", required=True)
    parser.add_argument("--delay-ms", type=float, default=25.0)
    parser.add_argument("--loss-percent", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=1)
    opts = parser.parse_args()
    relay = Relay(opts)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    print(
        "relay on %s: delay %.1f ms, loss %.3f %%" % (opts.listen, opts.delay_ms, opts.loss_percent),
        flush=True,
    )
    relay.run(stop)
    c = relay.counts
    print(
        "ab=%d ab_dropped=%d ba=%d ba_dropped=%d send_errors=%d clients=%d"
        % (c["ab"], c["ab_dropped"], c["ba"], c["ba_dropped"], c["send_errors"], len(relay.backs)),
        flush=True,
    )


if __name__ == "__main__":
    main()
