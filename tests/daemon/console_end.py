#!/usr/bin/env python3
# A console open while its guest powers off: the stream ends (recv gives
# 0, as with libvirtd), finish() is confirmed, and the connection stays
# usable.  Usage: console_end.py URI DOMAIN; prints "console end ok".
import sys, threading, time
import libvirt

uri, name = sys.argv[1:3]
libvirt.registerErrorHandler(lambda ctx, err: None, None)
conn = libvirt.open(uri)
dom = conn.lookupByName(name)
st = conn.newStream(0)
dom.openConsole(None, st, 0)
ended = []


def reader():
    while True:
        b = st.recv(4096)
        if b == b'' or b == 0:
            ended.append(True)
            return
        if isinstance(b, int) and b < 0:
            return


t = threading.Thread(target=reader, daemon=True)
t.start()
time.sleep(0.5)
dom.shutdown()
t.join(10)
if not ended:
    raise SystemExit('the stream did not end when the guest powered off')
st.finish()
state, reason = dom.state()
if (state, reason) != (libvirt.VIR_DOMAIN_SHUTOFF, libvirt.VIR_DOMAIN_SHUTOFF_SHUTDOWN):
    raise SystemExit('state %r' % ((state, reason),))
conn.close()
print('console end ok')
