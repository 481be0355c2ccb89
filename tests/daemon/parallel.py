#!/usr/bin/env python3
# Ten python3-libvirt clients at once, each on its own connection and
# thread: define, start, list, check, destroy and undefine their own
# domain several times.  No lost or mixed-up state: each sees its own
# domain in the state it left it, and all are gone at the end.
# Usage: parallel.py URI TEMPLATE_XML; prints "parallel ok".
import re, sys, threading
import libvirt

uri, template = sys.argv[1], open(sys.argv[2]).read()
libvirt.registerErrorHandler(lambda ctx, err: None, None)
errors = []


def worker(n):
    try:
        conn = libvirt.open(uri)
        name = 'par%d' % n
        xml = re.sub(r'<name>.*</name>', '<name>%s</name>' % name, template)
        xml = re.sub(r'<uuid>.*</uuid>', '', xml)
        for _ in range(3):
            dom = conn.defineXML(xml)
            dom.create()
            assert dom.isActive(), name
            names = [d.name() for d in conn.listAllDomains(libvirt.VIR_CONNECT_LIST_DOMAINS_ACTIVE)]
            assert name in names, (name, names)
            assert conn.lookupByID(dom.ID()).name() == name
            state, reason = dom.state()
            assert state == libvirt.VIR_DOMAIN_RUNNING, (name, state)
            dom.destroy()
            state, reason = dom.state()
            assert (state, reason) == (libvirt.VIR_DOMAIN_SHUTOFF, libvirt.VIR_DOMAIN_SHUTOFF_DESTROYED), (name, state, reason)
            dom.undefine()
        conn.close()
    except Exception as e:  # reported by the main thread
        errors.append('%d: %r' % (n, e))


threads = [threading.Thread(target=worker, args=(n,)) for n in range(10)]
for t in threads:
    t.start()
for t in threads:
    t.join()
conn = libvirt.open(uri)
left = [d.name() for d in conn.listAllDomains(0) if d.name().startswith('par')]
if errors or left:
    raise SystemExit('errors %s, left %s' % (errors, left))
print('parallel ok')
