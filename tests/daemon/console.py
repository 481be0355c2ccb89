#!/usr/bin/env python3
# The guest console through python3-libvirt's stream API (what virsh
# console uses): open it, type a line, read the fake guest's echo, and
# check that a second console is refused while this one is open.
# Usage: console.py URI DOMAIN; prints "console ok".
import sys
import libvirt

uri, name = sys.argv[1:3]
libvirt.registerErrorHandler(lambda ctx, err: None, None)
conn = libvirt.open(uri)
dom = conn.lookupByName(name)
st = conn.newStream(0)
dom.openConsole(None, st, 0)

other = conn.newStream(0)
try:
    dom.openConsole(None, other, 0)
    raise SystemExit('a second console was opened')
except libvirt.libvirtError as e:
    assert 'Active console' in str(e) or 'already' in str(e), str(e)

st.send(b'hello console\n')
seen = b''
while b'guest: hello console' not in seen:
    chunk = st.recv(4096)
    if not chunk:
        raise SystemExit('console ended early: %r' % seen)
    if isinstance(chunk, int):
        continue
    seen += chunk
st.finish()
conn.close()
print('console ok')
