/* Domain XML <devices>: virtio disks and network interfaces, the pty
 * serial port and console, virtio-rng, the memory balloon and vsock, and
 * the checks across devices (unique disk targets and MACs).  Input is
 * user-supplied; every value is checked before it is kept. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/domxml.h"
#include "daemon/domxml_int.h"

#define NO_ATTRS ((const char *const[]){ NULL })

const char *const domxml_cache_names[4] = {
	"default", "none", "writeback", "unsafe",
};

static int parse_empty(struct px *px, xmlNode *n, const char *const *attrs)
{
	static const struct px_child none[] = { { NULL, NULL, false } };

	return px_attrs(px, n, attrs) ?: px_walk(px, n, none, NULL);
}

/* ---- <disk> ---- */

static int disk_driver(struct px *px, xmlNode *n, void *obj)
{
	struct domain_disk *d = obj;
	int ret, i = -1;

	ret = parse_empty(px, n, (const char *const[]){ "name", "type",
							"cache", NULL });
	ret = ret ?: px_choice(px, n, "name", "qemu", false, &i);
	ret = ret ?: px_choice(px, n, "type", "raw", false, &i);
	ret = ret ?: px_choice(px, n, "cache", "none|writeback|unsafe", false,
			       &i);
	d->cache = (enum domain_disk_cache)(i + 1);
	return ret;
}

static int disk_source(struct px *px, xmlNode *n, void *obj)
{
	struct domain_disk *d = obj;
	const char *key = d->block ? "dev" : "file", *s;
	int ret;

	ret = parse_empty(px, n, (const char *const[]){ key, NULL });
	ret = ret ?: px_need(px, n, key, &s);
	if (ret)
		return ret;
	return px_path(px, s, "disk source") ?: px_dup(px, s, &d->source);
}

static int disk_target(struct px *px, xmlNode *n, void *obj)
{
	struct domain_disk *d = obj;
	const char *dev;
	size_t len;
	int ret, i;

	ret = parse_empty(px, n, (const char *const[]){ "dev", "bus", NULL });
	ret = ret ?: px_choice(px, n, "bus", "virtio", false, &i);
	ret = ret ?: px_need(px, n, "dev", &dev);
	if (ret)
		return ret;
	len = strlen(dev);
	if (len < 3 || len > 5 || strncmp(dev, "vd", 2) ||
	    strspn(dev + 2, "abcdefghijklmnopqrstuvwxyz") != len - 2)
		return px_fail(px, "invalid disk target '%s' (vda, vdb, ...)",
			       dev);
	memcpy(d->target, dev, len + 1);
	return 0;
}

static int disk_readonly(struct px *px, xmlNode *n, void *obj)
{
	((struct domain_disk *)obj)->readonly = true;
	return parse_empty(px, n, NO_ATTRS);
}

/* virtio-blk's serial is 20 bytes; the charset is libvirt's. */
static int disk_serial(struct px *px, xmlNode *n, void *obj)
{
	struct domain_disk *d = obj;
	const char *s;
	int ret;

	ret = px_leaf(px, n, &s);
	if (ret)
		return ret;
	if (!px_charset(s, "_.+- ", 20))
		return px_fail(px, "invalid disk serial '%s': 1 to 20 letters, "
			       "digits, spaces, '_', '.', '+' or '-'", s);
	return px_dup(px, s, &d->serial);
}

static int parse_disk(struct px *px, xmlNode *n, void *obj)
{
	static const struct px_child tab[] = {
		{ "driver", disk_driver, false },
		{ "source", disk_source, false },
		{ "target", disk_target, false },
		{ "readonly", disk_readonly, false },
		{ "serial", disk_serial, false },
		{ NULL, NULL, false },
	};
	struct domain_def *def = obj;
	struct domain_disk *d;
	int ret, type, i;

	ret = px_attrs(px, n, (const char *const[]){ "type", "device", NULL });
	ret = ret ?: px_choice(px, n, "type", "file|block", false, &type);
	ret = ret ?: px_choice(px, n, "device", "disk", false, &i);
	if (ret)
		return ret;
	if (def->ndisks == DOMAIN_DISKS_MAX)
		return px_fail(px, "more than %d disks", DOMAIN_DISKS_MAX);
	d = realloc(def->disks, (def->ndisks + 1) * sizeof(*d));
	if (!d)
		return px_nomem(px);
	def->disks = d;
	d = &def->disks[def->ndisks++];
	memset(d, 0, sizeof(*d));
	d->block = type == 1;
	ret = px_walk(px, n, tab, d);
	if (ret)
		return ret;
	if (!d->target[0])
		return px_fail(px, "disk without <target dev=...>");
	if (!d->source)
		return px_fail(px, "disk '%s' has no <source>", d->target);
	return 0;
}

/* ---- <interface> ---- */

static int net_mac(struct px *px, xmlNode *n, void *obj)
{
	struct domain_net *net = obj;
	const char *s;
	int ret;

	ret = parse_empty(px, n, (const char *const[]){ "address", NULL });
	ret = ret ?: px_need(px, n, "address", &s);
	return ret ?: px_mac(px, s, net->mac);
}

static int net_source(struct px *px, xmlNode *n, void *obj)
{
	struct domain_net *net = obj;
	const char *s;
	int ret;

	if (net->type != DOMAIN_NET_BRIDGE)
		return px_fail(px, "<source> in a type='ethernet' interface");
	ret = parse_empty(px, n, (const char *const[]){ "bridge", NULL });
	ret = ret ?: px_need(px, n, "bridge", &s);
	return ret ?: px_ifname(px, s, "bridge name") ?: px_dup(px, s, &net->bridge);
}

static int net_target(struct px *px, xmlNode *n, void *obj)
{
	struct domain_net *net = obj;
	const char *s;
	int ret;

	ret = parse_empty(px, n, (const char *const[]){ "dev", NULL });
	ret = ret ?: px_need(px, n, "dev", &s);
	ret = ret ?: px_ifname(px, s, "tap name");
	/* "vnet" and digits: a name vireod generated (NETDEV_TEMPLATE),
	 * shown by the live XML; runtime state, ignored as libvirt does. */
	if (ret || (!strncmp(s, "vnet", 4) && s[4] &&
		    strspn(s + 4, "0123456789") == strlen(s + 4)))
		return ret;
	return px_dup(px, s, &net->ifname);
}

static int net_model(struct px *px, xmlNode *n, void *obj)
{
	int i;

	return parse_empty(px, n, (const char *const[]){ "type", NULL }) ?:
	       px_choice(px, n, "type", "virtio", true, &i);
}

/* <driver rx_queue_size=> or tx_queue_size= (attr, what: attr for
 * errors): 0 when absent. */
static int net_ring(struct px *px, xmlNode *n, const char *attr,
		    const char *what, unsigned *out)
{
	const char *s = px_attr(px, n, attr);
	uint64_t v;
	int ret;

	if (!s)
		return 0;
	ret = px_uint(px, s, DOMAIN_NET_RING_MAX, what, &v);
	if (!ret && (v < DOMAIN_NET_RING_MIN || (v & (v - 1))))
		ret = px_fail(px, "%s must be a power of two from %d to %d",
			      what, DOMAIN_NET_RING_MIN, DOMAIN_NET_RING_MAX);
	*out = (unsigned)v;
	return ret;
}

static int net_driver(struct px *px, xmlNode *n, void *obj)
{
	struct domain_net *net = obj;
	const char *s;
	uint64_t v;
	int ret;

	ret = parse_empty(px, n, (const char *const[]){
		"queues", "rx_queue_size", "tx_queue_size", NULL }) ?:
	      net_ring(px, n, "rx_queue_size", "interface rx_queue_size",
		       &net->rx_queue_size) ?:
	      net_ring(px, n, "tx_queue_size", "interface tx_queue_size",
		       &net->tx_queue_size);
	if (!ret && net->rx_queue_size && net->tx_queue_size &&
	    net->rx_queue_size != net->tx_queue_size)
		ret = px_fail(px, "interface rx_queue_size and tx_queue_size "
			      "must be equal (the rings share one size)");
	if (ret || !(s = px_attr(px, n, "queues")))
		return ret;
	ret = px_uint(px, s, DOMAIN_NET_QUEUES_MAX, "interface queues", &v);
	if (!ret && v == 0)
		ret = px_fail(px, "interface queues must be 1 to %d",
			      DOMAIN_NET_QUEUES_MAX);
	net->queues = (unsigned)v;
	return ret;
}

static int parse_interface(struct px *px, xmlNode *n, void *obj)
{
	static const struct px_child tab[] = {
		{ "mac", net_mac, false },
		{ "driver", net_driver, false },
		{ "source", net_source, false },
		{ "target", net_target, false },
		{ "model", net_model, false },
		{ NULL, NULL, false },
	};
	struct domain_def *def = obj;
	struct domain_net *net;
	int ret, type;

	ret = px_attrs(px, n, (const char *const[]){ "type", NULL });
	ret = ret ?: px_choice(px, n, "type", "ethernet|bridge", true, &type);
	if (ret)
		return ret;
	if (def->nnets == DOMAIN_NETS_MAX)
		return px_fail(px, "more than %d interfaces", DOMAIN_NETS_MAX);
	net = realloc(def->nets, (def->nnets + 1) * sizeof(*net));
	if (!net)
		return px_nomem(px);
	def->nets = net;
	net = &def->nets[def->nnets++];
	memset(net, 0, sizeof(*net));
	net->type = type ? DOMAIN_NET_BRIDGE : DOMAIN_NET_ETHERNET;
	ret = px_walk(px, n, tab, net);
	if (!ret && net->type == DOMAIN_NET_BRIDGE && !net->bridge)
		ret = px_fail(px, "interface type='bridge' needs <source "
			      "bridge=...>");
	return ret;
}

/* ---- <serial>, <console> ---- */

/* The pty path of a running domain: runtime state, accepted, ignored. */
static int chr_source(struct px *px, xmlNode *n, void *obj)
{
	return parse_empty(px, n, (const char *const[]){ "path", NULL });
}

static int chr_target(struct px *px, xmlNode *n, const char *type)
{
	int i;

	return parse_empty(px, n, (const char *const[]){ "type", "port",
							 NULL }) ?:
	       px_choice(px, n, "port", "0", false, &i) ?:
	       px_choice(px, n, "type", type, false, &i);
}

static int serial_target(struct px *px, xmlNode *n, void *obj)
{
	return chr_target(px, n, "isa-serial");
}

static int console_target(struct px *px, xmlNode *n, void *obj)
{
	return chr_target(px, n, "serial");
}

static int parse_chr(struct px *px, xmlNode *n, const struct px_child *tab,
		     const char *const *attrs)
{
	int i;

	return px_attrs(px, n, attrs) ?:
	       px_choice(px, n, "type", "pty", true, &i) ?:
	       px_walk(px, n, tab, NULL);
}

static int parse_serial(struct px *px, xmlNode *n, void *obj)
{
	static const struct px_child tab[] = {
		{ "source", chr_source, false },
		{ "target", serial_target, false },
		{ NULL, NULL, false },
	};

	((struct domain_def *)obj)->serial = true;
	return parse_chr(px, n, tab, (const char *const[]){ "type", NULL });
}

static int parse_console(struct px *px, xmlNode *n, void *obj)
{
	static const struct px_child tab[] = {
		{ "source", chr_source, false },
		{ "target", console_target, false },
		{ NULL, NULL, false },
	};
	struct domain_def *def = obj;

	/* As in libvirt, the console is the first serial port's. */
	def->console = def->serial = true;
	return parse_chr(px, n, tab,
			 (const char *const[]){ "type", "tty", NULL });
}

/* ---- <rng>, <memballoon>, <vsock> ---- */

static int rng_backend(struct px *px, xmlNode *n, void *obj)
{
	struct domain_def *def = obj;
	const char *s;
	int ret, i;

	ret = px_attrs(px, n, (const char *const[]){ "model", NULL });
	ret = ret ?: px_choice(px, n, "model", "random", true, &i);
	ret = ret ?: px_text(px, n, &s);
	if (ret)
		return ret;
	if (!s[0])
		s = "/dev/urandom";
	if (strcmp(s, "/dev/urandom") && strcmp(s, "/dev/random"))
		return px_fail(px, "unsupported rng source '%s' (/dev/urandom "
			       "or /dev/random)", s);
	return px_dup(px, s, &def->rng_backend);
}

static int parse_rng(struct px *px, xmlNode *n, void *obj)
{
	static const struct px_child tab[] = {
		{ "backend", rng_backend, false },
		{ NULL, NULL, false },
	};
	struct domain_def *def = obj;
	int ret, i;

	ret = px_attrs(px, n, (const char *const[]){ "model", NULL });
	ret = ret ?: px_choice(px, n, "model", "virtio", true, &i);
	if (ret)
		return ret;
	def->rng = true;
	ret = px_walk(px, n, tab, def);
	if (!ret && !def->rng_backend)
		ret = px_fail(px, "<rng> without <backend>");
	return ret;
}

static int parse_memballoon(struct px *px, xmlNode *n, void *obj)
{
	struct domain_def *def = obj;
	int ret, model = -1;

	ret = parse_empty(px, n, (const char *const[]){ "model", NULL });
	ret = ret ?: px_choice(px, n, "model", "virtio|none", true, &model);
	def->balloon = model == 0;
	return ret;
}

static int vsock_cid(struct px *px, xmlNode *n, void *obj)
{
	struct domain_def *def = obj;
	const char *addr;
	int ret, autos;
	uint64_t v;

	ret = parse_empty(px, n, (const char *const[]){ "auto", "address",
							NULL });
	ret = ret ?: px_choice(px, n, "auto", "yes|no", false, &autos);
	if (ret)
		return ret;
	addr = px_attr(px, n, "address");
	def->vsock_auto = autos >= 0 ? autos == 0 : !addr;
	if (!addr && !def->vsock_auto)
		return px_fail(px, "vsock <cid auto='no'> needs address=");
	if (!addr)
		return 0;
	/* 0-2 are the hypervisor's and the host's; -1 is "any". */
	ret = px_uint(px, addr, UINT32_MAX, "vsock cid", &v);
	if (ret)
		return ret;
	if (v < 3 || v == UINT32_MAX)
		return px_fail(px, "vsock cid %llu is reserved (3 to "
			       "4294967294)", (unsigned long long)v);
	/* With auto='yes' a (valid) address is the live XML's record of
	 * the CID a running domain got: runtime state, ignored (a new one
	 * is picked at each start), as libvirt does. */
	if (!def->vsock_auto)
		def->vsock_cid = (uint32_t)v;
	return 0;
}

static int parse_vsock(struct px *px, xmlNode *n, void *obj)
{
	static const struct px_child tab[] = {
		{ "cid", vsock_cid, false },
		{ NULL, NULL, false },
	};
	struct domain_def *def = obj;
	int ret, i;

	ret = px_attrs(px, n, (const char *const[]){ "model", NULL });
	ret = ret ?: px_choice(px, n, "model", "virtio", false, &i);
	if (ret)
		return ret;
	def->vsock = true;
	def->vsock_auto = true;
	return px_walk(px, n, tab, def);
}

int domxml_parse_devices(struct px *px, xmlNode *n, void *obj)
{
	static const struct px_child tab[] = {
		{ "disk", parse_disk, true },
		{ "interface", parse_interface, true },
		{ "serial", parse_serial, false },
		{ "console", parse_console, false },
		{ "rng", parse_rng, false },
		{ "memballoon", parse_memballoon, false },
		{ "vsock", parse_vsock, false },
		{ NULL, NULL, false },
	};

	return px_attrs(px, n, NO_ATTRS) ?: px_walk(px, n, tab, obj);
}

/* Does an interface other than `self` among the first `upto` have it? */
static bool mac_taken(const struct domain_def *def, size_t self,
		      size_t upto, const uint8_t mac[6])
{
	size_t i;

	for (i = 0; i < upto; i++)
		if (i != self && !memcmp(def->nets[i].mac, mac, 6))
			return true;
	return false;
}

/* A MAC in QEMU's locally administered 52:54:00 range, unused here. */
static int generate_mac(struct px *px, struct domain_def *def, size_t i)
{
	uint8_t *mac = def->nets[i].mac;
	int ret;

	do {
		mac[0] = 0x52;
		mac[1] = 0x54;
		mac[2] = 0x00;
		ret = px_random(mac + 3, 3);
		if (ret)
			return px_fail(px, "cannot generate a MAC address: %s",
				       strerror(-ret));
	} while (mac_taken(def, i, def->nnets, mac));
	return 0;
}

int domxml_finish_devices(struct px *px, struct domain_def *def)
{
	static const uint8_t zero[6];
	size_t i, j;
	int ret;

	for (i = 0; i < def->ndisks; i++)
		for (j = 0; j < i; j++)
			if (!strcmp(def->disks[i].target, def->disks[j].target))
				return px_fail(px, "duplicate disk target '%s'",
					       def->disks[i].target);
	for (i = 0; i < def->nnets; i++) {
		if (!memcmp(def->nets[i].mac, zero, 6))
			continue;
		if (mac_taken(def, i, i, def->nets[i].mac)) {
			const uint8_t *m = def->nets[i].mac;

			return px_fail(px, "duplicate MAC address "
				       "%02x:%02x:%02x:%02x:%02x:%02x", m[0],
				       m[1], m[2], m[3], m[4], m[5]);
		}
	}
	for (i = 0; i < def->nnets; i++) {
		if (memcmp(def->nets[i].mac, zero, 6))
			continue;
		ret = generate_mac(px, def, i);
		if (ret)
			return ret;
	}
	return 0;
}
