#!/usr/bin/env python3
# python3-libvirt against vireod: the calls a management tool makes.
# Usage: libvirt_client.py URI DOMAIN_XML; prints "python ok".
import sys
import libvirt

uri, xml_path = sys.argv[1:3]
libvirt.registerErrorHandler(lambda ctx, err: None, None)
conn = libvirt.open(uri)
assert conn.getHostname()
assert conn.getInfo()[0] != ''
assert conn.getLibVersion() > 0
assert '<capabilities>' in conn.getCapabilities()

dom = conn.lookupByName('demo')
assert dom.UUIDString() == '5d2c1f7e-3b4a-4c6d-8e9f-0a1b2c3d4e5f'
assert conn.lookupByUUIDString(dom.UUIDString()).name() == 'demo'
state, maxmem, mem, vcpus, _ = dom.info()
assert (state, maxmem, vcpus) == (libvirt.VIR_DOMAIN_SHUTOFF, 262144, 2), dom.info()
assert dom.state() == [libvirt.VIR_DOMAIN_SHUTOFF, 2]  # destroyed
assert not dom.isActive() and dom.isPersistent()
assert '<name>demo</name>' in dom.XMLDesc(0)
names = [d.name() for d in conn.listAllDomains(libvirt.VIR_CONNECT_LIST_DOMAINS_INACTIVE)]
assert names == ['demo'], names
assert conn.listAllDomains(libvirt.VIR_CONNECT_LIST_DOMAINS_ACTIVE) == []

# A second domain, defined and removed through the API.
other = open(xml_path).read().replace('demo', 'py-other').replace(
    '5d2c1f7e-3b4a-4c6d-8e9f-0a1b2c3d4e5f', '11111111-2222-3333-4444-555555555555')
d2 = conn.defineXML(other)
assert d2.name() == 'py-other'
d2.setAutostart(1)
assert d2.autostart() == 1
d2.undefine()

# Errors carry libvirt's codes.
try:
    conn.lookupByName('nope')
    raise SystemExit('lookup of a missing domain succeeded')
except libvirt.libvirtError as e:
    assert e.get_error_code() == libvirt.VIR_ERR_NO_DOMAIN, e.get_error_code()
try:
    dom.shutdown()
    raise SystemExit('shutdown of a shut-off domain succeeded')
except libvirt.libvirtError as e:
    assert e.get_error_code() == libvirt.VIR_ERR_OPERATION_INVALID, e.get_error_code()
try:
    conn.defineXML('<domain><name>x</name></domain>')
    raise SystemExit('bad XML accepted')
except libvirt.libvirtError as e:
    assert e.get_error_code() == libvirt.VIR_ERR_XML_ERROR, e.get_error_code()
conn.close()
print('python ok')
