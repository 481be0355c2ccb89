#!/usr/bin/env python3
"""The host end of the network tests (tests/nested/integration, test_net):
TCP services on ADDR for the guest, which opens every connection.

  net_peer.py ADDR LOG [sink=PORT]... [source=PORT:FILE]...

sink=PORT reads each connection to its end and appends
"PORT BYTES SHA256" to LOG; source=PORT:FILE sends FILE and closes.
Runs until killed."""
import hashlib
import socket
import sys
import threading

addr, log = sys.argv[1], sys.argv[2]
lock = threading.Lock()


def record(line):
    with lock, open(log, "a") as f:
        f.write(line + "\n")


def sink(c, port):
    h, n = hashlib.sha256(), 0
    with c:
        while b := c.recv(1 << 16):
            h.update(b)
            n += len(b)
    record("%d %d %s" % (port, n, h.hexdigest()))


def source(c, path):
    with c, open(path, "rb") as f:
        c.sendfile(f)


def serve(s, handler, arg):
    while True:
        c, _ = s.accept()
        threading.Thread(target=handler, args=(c, arg), daemon=True).start()


for spec in sys.argv[3:]:
    kind, _, val = spec.partition("=")
    if kind == "sink":
        port, handler, arg = int(val), sink, int(val)
    else:
        port, _, arg = val.partition(":")
        port, handler = int(port), source
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(8)
    threading.Thread(target=serve, args=(s, handler, arg), daemon=True).start()
record("ready")
threading.Event().wait()
