/* Domain XML output: the inactive definition, or the live one with the
 * domain id and pty path. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "daemon/domxml.h"
#include "daemon/domxml_int.h"

#define X(s) ((const xmlChar *)(s))

/* Builders that remember an allocation failure instead of returning it
 * at every call: the document is checked once at the end. */
struct fx {
	xmlDoc *doc;
	bool nomem;
};

static xmlNode *el(struct fx *fx, xmlNode *parent, const char *name,
		   const char *text)
{
	xmlNode *n = xmlNewTextChild(parent, NULL, X(name), X(text));

	fx->nomem |= !n;
	return n;
}

static void prop(struct fx *fx, xmlNode *n, const char *name,
		 const char *value)
{
	if (n)
		fx->nomem |= !xmlNewProp(n, X(name), X(value));
}

static xmlNode *el_num(struct fx *fx, xmlNode *parent, const char *name,
		       unsigned long long v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%llu", v);
	return el(fx, parent, name, buf);
}

static void prop_num(struct fx *fx, xmlNode *n, const char *name,
		     unsigned long long v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%llu", v);
	prop(fx, n, name, buf);
}

static void fmt_os(struct fx *fx, xmlNode *root, const struct domain_def *def)
{
	xmlNode *os = el(fx, root, "os", NULL), *t;

	t = el(fx, os, "type", "hvm");
	prop(fx, t, "arch", "x86_64");
	if (def->machine)
		prop(fx, t, "machine", def->machine);
	el(fx, os, "kernel", def->kernel);
	if (def->initrd)
		el(fx, os, "initrd", def->initrd);
	if (def->cmdline)
		el(fx, os, "cmdline", def->cmdline);
}

static void fmt_disk(struct fx *fx, xmlNode *devs, const struct domain_disk *d)
{
	xmlNode *n = el(fx, devs, "disk", NULL), *c;

	prop(fx, n, "type", d->block ? "block" : "file");
	prop(fx, n, "device", "disk");
	c = el(fx, n, "driver", NULL);
	prop(fx, c, "name", "qemu");
	prop(fx, c, "type", "raw");
	if (d->cache != DOMAIN_CACHE_DEFAULT)
		prop(fx, c, "cache", domxml_cache_names[d->cache]);
	c = el(fx, n, "source", NULL);
	prop(fx, c, d->block ? "dev" : "file", d->source);
	c = el(fx, n, "target", NULL);
	prop(fx, c, "dev", d->target);
	prop(fx, c, "bus", "virtio");
	if (d->readonly)
		el(fx, n, "readonly", NULL);
	if (d->serial)
		el(fx, n, "serial", d->serial);
}

static void fmt_net(struct fx *fx, xmlNode *devs, const struct domain_net *net,
		    const char *live_ifname)
{
	xmlNode *n = el(fx, devs, "interface", NULL);
	const char *ifname = live_ifname ? live_ifname : net->ifname;
	const uint8_t *m = net->mac;
	char mac[18];

	prop(fx, n, "type",
	     net->type == DOMAIN_NET_BRIDGE ? "bridge" : "ethernet");
	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1],
		 m[2], m[3], m[4], m[5]);
	prop(fx, el(fx, n, "mac", NULL), "address", mac);
	if (net->bridge)
		prop(fx, el(fx, n, "source", NULL), "bridge", net->bridge);
	if (ifname)
		prop(fx, el(fx, n, "target", NULL), "dev", ifname);
	prop(fx, el(fx, n, "model", NULL), "type", "virtio");
	if (net->queues || net->rx_queue_size || net->tx_queue_size) {
		xmlNode *d = el(fx, n, "driver", NULL);

		if (net->queues)
			prop_num(fx, d, "queues", net->queues);
		if (net->rx_queue_size)
			prop_num(fx, d, "rx_queue_size", net->rx_queue_size);
		if (net->tx_queue_size)
			prop_num(fx, d, "tx_queue_size", net->tx_queue_size);
	}
}

static void fmt_chr(struct fx *fx, xmlNode *devs, const char *name,
		    const char *target_type, const struct domxml_live *live)
{
	xmlNode *n = el(fx, devs, name, NULL), *t;

	prop(fx, n, "type", "pty");
	if (live && live->pty) {
		if (!strcmp(name, "console"))
			prop(fx, n, "tty", live->pty);
		prop(fx, el(fx, n, "source", NULL), "path", live->pty);
	}
	t = el(fx, n, "target", NULL);
	prop(fx, t, "type", target_type);
	prop(fx, t, "port", "0");
}

static void fmt_devices(struct fx *fx, xmlNode *root,
			const struct domain_def *def,
			const struct domxml_live *live)
{
	xmlNode *devs = el(fx, root, "devices", NULL), *n, *c;
	size_t i;

	for (i = 0; i < def->ndisks; i++)
		fmt_disk(fx, devs, &def->disks[i]);
	for (i = 0; i < def->nnets; i++)
		fmt_net(fx, devs, &def->nets[i],
			live && live->ifnames ? live->ifnames[i] : NULL);
	if (def->serial)
		fmt_chr(fx, devs, "serial", "isa-serial", live);
	if (def->console)
		fmt_chr(fx, devs, "console", "serial", live);
	if (def->rng) {
		n = el(fx, devs, "rng", NULL);
		prop(fx, n, "model", "virtio");
		c = el(fx, n, "backend", def->rng_backend);
		prop(fx, c, "model", "random");
	}
	prop(fx, el(fx, devs, "memballoon", NULL), "model",
	     def->balloon ? "virtio" : "none");
	if (def->vsock) {
		uint32_t v = live && live->vsock_cid ? live->vsock_cid
						     : def->vsock_cid;

		n = el(fx, devs, "vsock", NULL);
		prop(fx, n, "model", "virtio");
		c = el(fx, n, "cid", NULL);
		prop(fx, c, "auto", def->vsock_auto ? "yes" : "no");
		if (v)
			prop_num(fx, c, "address", v);
	}
}

static void fmt_domain(struct fx *fx, xmlNode *root,
		       const struct domain_def *def,
		       const struct domxml_live *live)
{
	char uuid[DOMAIN_UUID_STRLEN + 1];

	prop(fx, root, "type", "kvm");
	if (live) {
		char id[16];

		snprintf(id, sizeof(id), "%d", live->id);
		prop(fx, root, "id", id);
	}
	el(fx, root, "name", def->name);
	domain_uuid_format(def->uuid, uuid);
	el(fx, root, "uuid", uuid);
	if (def->title)
		el(fx, root, "title", def->title);
	if (def->description)
		el(fx, root, "description", def->description);
	prop(fx, el_num(fx, root, "memory", def->memory_kib), "unit", "KiB");
	prop(fx, el_num(fx, root, "currentMemory", def->current_memory_kib),
	     "unit", "KiB");
	prop(fx, el_num(fx, root, "vcpu", def->vcpus), "placement", "static");
	fmt_os(fx, root, def);
	if (def->acpi)
		el(fx, el(fx, root, "features", NULL), "acpi", NULL);
	el(fx, root, "on_poweroff", domxml_action_names[def->on_poweroff]);
	el(fx, root, "on_reboot", domxml_action_names[def->on_reboot]);
	el(fx, root, "on_crash", domxml_action_names[def->on_crash]);
	fmt_devices(fx, root, def, live);
}

char *domxml_format(const struct domain_def *def,
		    const struct domxml_live *live)
{
	struct fx fx = { .doc = xmlNewDoc(X("1.0")) };
	xmlBuffer *buf = NULL;
	xmlNode *root;
	char *out = NULL;

	if (!fx.doc)
		return NULL;
	root = xmlNewDocNode(fx.doc, NULL, X("domain"), NULL);
	if (!root)
		goto out;
	xmlDocSetRootElement(fx.doc, root);
	fmt_domain(&fx, root, def, live);
	buf = xmlBufferCreate();
	if (fx.nomem || !buf || xmlNodeDump(buf, fx.doc, root, 0, 1) < 0)
		goto out;
	if (asprintf(&out, "%s\n", (const char *)xmlBufferContent(buf)) < 0)
		out = NULL;
out:
	if (buf)
		xmlBufferFree(buf);
	xmlFreeDoc(fx.doc);
	return out;
}
