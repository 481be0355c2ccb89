#!/usr/bin/env python3
# python3-libvirt's event callbacks against vireod: a REBOOT callback
# sees `reset` of a running domain, and the lifecycle callback on the
# same connection still sees suspend and resume.  Prints "events ok".
# Usage: events.py URI DOMAIN
import sys, threading, time
import libvirt

uri, name = sys.argv[1:3]
libvirt.virEventRegisterDefaultImpl()
seen = []
lock = threading.Condition()


def note(what):
    with lock:
        seen.append(what)
        lock.notify_all()


def loop():
    while True:
        libvirt.virEventRunDefaultImpl()


threading.Thread(target=loop, daemon=True).start()
conn = libvirt.open(uri)
dom = conn.lookupByName(name)
conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_REBOOT,
                            lambda c, d, o: note(("reboot", d.name())), None)
conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                            lambda c, d, ev, det, o: note((ev, d.name())), None)


def expect(what, secs=10):
    end = time.time() + secs
    with lock:
        while what not in seen:
            left = end - time.time()
            if left <= 0:
                print("events: %r never came; saw %r" % (what, seen))
                sys.exit(1)
            lock.wait(left)


dom.reset()
expect(("reboot", name))
dom.suspend()
expect((libvirt.VIR_DOMAIN_EVENT_SUSPENDED, name))
dom.resume()
expect((libvirt.VIR_DOMAIN_EVENT_RESUMED, name))
print("events ok")
