"""A test guest under vireo-vmm with a QMP client, for the integration
tests (tests/nested/integration): start() runs the VMM with its console
on a pipe (typed lines) and its output in a log file; Client speaks QMP
on the --monitor socket.  fail() prints "FAIL msg", kills the VMM and
ends the test script."""
import json
import re
import socket
import subprocess
import sys
import time

p = None
sock = log = None


def start(argv, monitor, logfile):
    """Runs the VMM command line `argv` (without --monitor)."""
    global p, sock, log
    sock, log = monitor, logfile
    err = open(log, "wb")
    p = subprocess.Popen(argv + ["--monitor", sock], stdin=subprocess.PIPE,
                         stdout=err, stderr=err)
    return p


def fail(msg):
    print("FAIL " + msg)
    p.kill()
    sys.exit(0)


class Client:
    def __init__(self):
        self.s = socket.socket(socket.AF_UNIX)
        for _ in range(300):
            try:
                self.s.connect(sock)
                break
            except OSError:
                time.sleep(0.1)
        else:
            fail("no monitor socket")
        self.f = self.s.makefile("rb")
        self.events = []
        self.greeting = self.read()

    def read(self):
        line = self.f.readline()
        if not line:
            fail("monitor closed the connection")
        return json.loads(line)

    def cmd(self, name, **args):
        req = {"execute": name, "id": name}
        if args:
            req["arguments"] = args
        self.s.sendall(json.dumps(req).encode() + b"\n")
        while True:
            r = self.read()
            if "event" in r:
                self.events.append(r)
            else:
                return r

    def event(self, name, secs):
        self.s.settimeout(secs)
        try:
            while not any(e["event"] == name for e in self.events):
                self.events.append(self.read())
        except (socket.timeout, OSError):
            fail("no %s event" % name)
        return [e for e in self.events if e["event"] == name][0]


def type_line(line):
    try:
        p.stdin.write(line.encode() + b"\n")
        p.stdin.flush()
    except OSError:
        fail("the VMM ended early (status %r)" % p.poll())


def guest_out():
    with open(log, "rb") as f:
        return f.read().decode(errors="replace")


def wait_guest(text, secs):
    end = time.time() + secs
    while time.time() < end:
        if text in guest_out():
            return True
        time.sleep(0.2)
    return False


def answer(tag, secs=120):
    """The value the guest printed as a line "TAG=value" (the tty echoes
    the typed line too: only a line starting with the tag counts, and
    only once it is whole: the console arrives a few bytes at a time)."""
    end = time.time() + secs
    while time.time() < end:
        m = re.search(r"(?m)^%s=(\S+)\r?\n" % tag, guest_out())
        if m:
            return m.group(1), time.time()
        time.sleep(0.2)
    fail("guest did not answer " + tag)


def uptime(tag, secs=120):
    type_line("echo %s=$(cut -d' ' -f1 /proc/uptime)" % tag)
    up, when = answer(tag, secs)
    return float(up), when
