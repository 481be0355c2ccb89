#!/usr/bin/env python3
# Sends malformed RPC messages to vireod, each on its own connection, and
# checks that the daemon closes that connection (no hang) while a
# well-behaved connection opened before keeps working.  Also checks the
# keepalive ping.  Usage: malformed.py SOCKET; prints "malformed ok".
import socket, struct, sys

REMOTE, KEEPALIVE = 0x20008086, 0x6b656570
path = sys.argv[1]


def frame(prog, proc, payload=b'', vers=1, mtype=0, serial=1):
    body = struct.pack('>IIiIII', prog, vers, proc, mtype, serial, 0) + payload
    return struct.pack('>I', len(body) + 4) + body


def xdr_string(s):
    pad = (4 - len(s) % 4) % 4
    return struct.pack('>I', len(s)) + s + b'\0' * pad


def connect():
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(5)
    s.connect(path)
    return s


def recv_frame(s):
    head = b''
    while len(head) < 4:
        chunk = s.recv(4 - len(head))
        if not chunk:
            return None
        head += chunk
    n = struct.unpack('>I', head)[0]
    body = b''
    while len(body) < n - 4:
        chunk = s.recv(n - 4 - len(body))
        if not chunk:
            return None
        body += chunk
    return body


def call(s, proc, payload=b'', serial=1):
    s.sendall(frame(REMOTE, proc, payload, serial=serial))
    body = recv_frame(s)
    assert body is not None, 'no reply to procedure %d' % proc
    return struct.unpack('>IIiIII', body[:24]), body[24:]


def closed(s):
    try:
        return s.recv(65536) == b''
    except ConnectionResetError:
        return True


good = connect()
hdr, _ = call(good, 66)                       # AUTH_LIST
hdr, _ = call(good, 1, struct.pack('>II', 0, 0), serial=2)  # CONNECT_OPEN
assert hdr[5] == 0, hdr

bad_messages = {
    'length past 32 MiB': struct.pack('>I', 32 * 1024 * 1024 + 5) + b'\0' * 24,
    'length below a header': struct.pack('>I', 8) + b'\0' * 4,
    'wrong program': frame(0x12345678, 1),
    'wrong version': frame(REMOTE, 66, vers=7),
    'a reply sent as a call': frame(REMOTE, 66, mtype=1),
    'truncated XDR': frame(REMOTE, 23, struct.pack('>I', 100) + b'demo'),
    'string with a NUL': frame(REMOTE, 23, xdr_string(b'de\0mo')),
    'bad keepalive': frame(KEEPALIVE, 9, mtype=2),
}
for what, data in bad_messages.items():
    s = connect()
    # Open first, so the bad call is not refused for that reason.
    call(s, 1, struct.pack('>II', 0, 0))
    s.sendall(data)
    assert closed(s), what + ': connection left open'
    s.close()

# A peer that sends half a frame and hangs up.
s = connect()
s.sendall(frame(REMOTE, 66)[:10])
s.close()

# Clients that each announce a 32 MiB message and send a little of it:
# past the daemon's budget for receive buffers (256 MiB in all) the next
# one is closed instead of growing the daemon without bound.
big = []
dropped = 0
for i in range(12):
    s = connect()
    s.sendall(struct.pack('>I', 32 * 1024 * 1024 + 4) +
              struct.pack('>IIiIII', REMOTE, 1, 66, 0, 1, 0) + b'x' * 65536)
    big.append(s)
for s in big:
    s.settimeout(0.5)
    try:
        if s.recv(1) == b'':
            dropped += 1
    except socket.timeout:
        pass
    except ConnectionResetError:
        dropped += 1
assert 1 <= dropped <= 6, 'dropped %d of 12 large senders' % dropped
for s in big:
    s.close()

# An unknown procedure is an error reply, not a closed connection.
hdr, payload = call(good, 9999, serial=3)
assert hdr[5] == 1, hdr
code, = struct.unpack('>i', payload[:4])
assert code == 3, code  # VIR_ERR_NO_SUPPORT

# Keepalive: a PING gets a PONG.
good.sendall(frame(KEEPALIVE, 1, mtype=2, serial=0))
body = recv_frame(good)
assert struct.unpack('>IIi', body[:12]) == (KEEPALIVE, 1, 2), body[:12]

# The well-behaved client is still served.
hdr, payload = call(good, 59, serial=4)       # CONNECT_GET_HOSTNAME
assert hdr[5] == 0, hdr
good.close()
print('malformed ok')
