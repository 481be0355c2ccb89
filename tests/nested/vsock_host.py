#!/usr/bin/env python3
"""The host side of the integration test test_vsock (in L1, through
vhost-vsock): echoes two connections the guest makes to this host
(CID 2) on HOST_PORT (before and after it rebinds its driver), and sends
FILE to the guest's echo server at CID:PORT, retrying until the guest
listens; with GO, only once the file GO exists (the guest waits in its
echo server, so its VMM is still running until then).  Writes, one per
line: the sha256 of what the guest sent us first, of what came back
from the guest, of what the guest sent us second.  Prints how long the
echo through the guest took.
usage: vsock_host.py CID PORT HOST_PORT FILE OUT [GO]"""
import hashlib
import os
import socket
import sys
import threading
import time

cid, port, host_port = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
data = open(sys.argv[4], "rb").read()
result = {"g2h": "none", "h2g": "none", "g2h2": "none"}


def echo_guest(listener):
    """guest -> host, twice: what arrives goes back, and is hashed."""
    for key in ("g2h", "g2h2"):
        c, _ = listener.accept()
        c.settimeout(240)
        h = hashlib.sha256()
        while b := c.recv(65536):
            h.update(b)
            c.sendall(b)
        c.close()
        result[key] = h.hexdigest()


def to_guest():
    """host -> guest: FILE to the guest's echo server, read back."""
    deadline = time.time() + 300
    while len(sys.argv) > 6 and not os.path.exists(sys.argv[6]):
        if time.time() > deadline:
            return
        time.sleep(0.2)
    while True:
        s = socket.socket(socket.AF_VSOCK, socket.SOCK_STREAM)
        try:
            s.connect((cid, port))
            break
        except OSError:
            s.close()
            if time.time() > deadline:
                return
            time.sleep(0.5)
    s.settimeout(240)
    t0 = time.time()

    def send():
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
    t = threading.Thread(target=send)
    t.start()
    h = hashlib.sha256()
    while b := s.recv(65536):
        h.update(b)
    t.join()
    result["h2g"] = h.hexdigest()
    print("vsock_host: %d KiB to the guest and back in %.2f s"
          % (len(data) >> 10, time.time() - t0))


lst = socket.socket(socket.AF_VSOCK, socket.SOCK_STREAM)
lst.bind((socket.VMADDR_CID_ANY, host_port))
lst.listen(1)
lst.settimeout(400)
g = threading.Thread(target=echo_guest, args=(lst,), daemon=True)
g.start()
try:
    to_guest()
except OSError as e:
    print("vsock_host: to the guest:", e, file=sys.stderr)
g.join(400)
with open(sys.argv[5], "w") as f:
    f.write("%s\n%s\n%s\n" % (result["g2h"], result["h2g"], result["g2h2"]))
