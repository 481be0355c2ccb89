/* Reads a domain definition's name, UUID, memory and vCPU count with
 * libxml2 (see domdef.h).  The XML comes from a client or from the state
 * dir (trust boundary): no network access, no entity expansion, sizes are
 * checked. */
#include "daemon/domdef.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "rpc/wire.h"
#include "util/parse.h"


static xmlNode *child(xmlNode *parent, const char *name)
{
	xmlNode *n;

	for (n = parent->children; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE &&
		    !strcmp((const char *)n->name, name))
			return n;
	return NULL;
}

/* <memory unit='...'>N</memory> in KiB (libvirt's default unit). */
static int memory_kib(xmlNode *n, uint64_t *kib)
{
	static const struct {
		const char *unit;
		unsigned shift;
	} units[] = {
		{ "b", 0 },    { "bytes", 0 }, { "KiB", 10 }, { "k", 10 },
		{ "K", 10 },   { "MiB", 20 },  { "M", 20 },   { "m", 20 },
		{ "GiB", 30 }, { "G", 30 },    { "g", 30 },   { "TiB", 40 },
		{ "T", 40 },
	};
	xmlChar *unit = xmlGetProp(n, (const xmlChar *)"unit");
	xmlChar *text = xmlNodeGetContent(n);
	unsigned shift = 10;
	uint64_t v;
	size_t i;
	int ret = -EINVAL;

	if (unit) {
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (!strcmp((const char *)unit, units[i].unit))
				break;
		if (i == sizeof(units) / sizeof(units[0]))
			goto out;
		shift = units[i].shift;
	}
	if (!text || parse_uint((const char *)text, 0, UINT64_MAX >> 40, &v) < 0)
		goto out;
	*kib = shift >= 10 ? v << (shift - 10) : v >> (10 - shift);
	ret = 0;
out:
	xmlFree(unit);
	xmlFree(text);
	return ret;
}

static int random_uuid(uint8_t uuid[RPC_UUID_LEN])
{
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, uuid, RPC_UUID_LEN);
	close(fd);
	if (n != RPC_UUID_LEN)
		return -EIO;
	uuid[6] = (uuid[6] & 0x0f) | 0x40; /* version 4 */
	uuid[8] = (uuid[8] & 0x3f) | 0x80;
	return 0;
}

/* The <uuid>, generated and inserted into the document when missing. */
static int take_uuid(xmlNode *root, struct domdef *d)
{
	xmlNode *n = child(root, "uuid");
	char text[37];
	xmlChar *s;
	int ret;

	if (n) {
		s = xmlNodeGetContent(n);
		ret = s ? rpc_uuid_parse((const char *)s, d->uuid) : -EINVAL;
		xmlFree(s);
		return ret;
	}
	ret = random_uuid(d->uuid);
	if (ret < 0)
		return ret;
	rpc_uuid_format(d->uuid, text);
	n = child(root, "name");
	s = (xmlChar *)text;
	if (!xmlAddNextSibling(n, xmlNewDocNode(root->doc, NULL,
						  (const xmlChar *)"uuid", s)))
		return -ENOMEM;
	return 0;
}

static int take_name(xmlNode *root, struct domdef *d)
{
	xmlNode *n = child(root, "name");
	xmlChar *s = n ? xmlNodeGetContent(n) : NULL;
	size_t len = s ? strlen((const char *)s) : 0;

	if (len == 0 || len > DOMDEF_NAME_MAX || s[0] == '.' ||
	    strchr((char *)s, '/')) {
		xmlFree(s);
		return -EINVAL;
	}
	d->name = strdup((const char *)s);
	xmlFree(s);
	return d->name ? 0 : -ENOMEM;
}

static int take_vcpus(xmlNode *root, struct domdef *d)
{
	xmlNode *n = child(root, "vcpu");
	xmlChar *s;
	uint64_t v = 1;
	int ret = 0;

	if (n) {
		s = xmlNodeGetContent(n);
		ret = s ? parse_uint((const char *)s, 1, 4096, &v) : -EINVAL;
		xmlFree(s);
		if (v == 0)
			ret = -EINVAL;
	}
	d->vcpus = (uint32_t)v;
	return ret;
}

/* <os><kernel>, <initrd>, <cmdline>: optional texts. */
static int take_os(xmlNode *root, struct domdef *d)
{
	static const char *names[] = { "kernel", "initrd", "cmdline" };
	char **fields[] = { &d->kernel, &d->initrd, &d->cmdline };
	xmlNode *os = child(root, "os"), *n;
	xmlChar *s;
	int i;

	for (i = 0; os && i < 3; i++) {
		n = child(os, names[i]);
		if (!n)
			continue;
		s = xmlNodeGetContent(n);
		*fields[i] = s ? strdup((const char *)s) : NULL;
		xmlFree(s);
		if (!*fields[i])
			return -ENOMEM;
	}
	if ((d->kernel && d->kernel[0] != '/') ||
	    (d->initrd && d->initrd[0] != '/'))
		return -EINVAL;
	return 0;
}

static int fill(xmlDoc *doc, struct domdef *d, const char **why)
{
	xmlNode *root = xmlDocGetRootElement(doc), *mem;
	xmlChar *buf = NULL;
	int len = 0;

	if (!root || strcmp((const char *)root->name, "domain"))
		return *why = "the root element is not <domain>", -EINVAL;
	if (take_name(root, d) < 0)
		return *why = "missing or invalid <name>", -EINVAL;
	if (take_uuid(root, d) < 0)
		return *why = "invalid <uuid>", -EINVAL;
	mem = child(root, "memory");
	if (!mem || memory_kib(mem, &d->memory_kib) < 0 || !d->memory_kib)
		return *why = "missing or invalid <memory>", -EINVAL;
	if (take_vcpus(root, d) < 0)
		return *why = "invalid <vcpu>", -EINVAL;
	if (take_os(root, d) < 0)
		return *why = "<kernel> and <initrd> must be absolute paths",
		       -EINVAL;
	xmlDocDumpFormatMemory(doc, &buf, &len, 1);
	if (!buf)
		return *why = "out of memory", -ENOMEM;
	/* Without the <?xml?> declaration, as libvirt prints it. */
	d->xml = strdup(strncmp((char *)buf, "<?xml", 5) ?
				(char *)buf :
				strchr((char *)buf, '\n') + 1);
	xmlFree(buf);
	return d->xml ? 0 : (*why = "out of memory", -ENOMEM);
}

int domdef_parse(const char *xml, size_t len, struct domdef **out, char *err,
		 size_t errlen)
{
	const char *why = "not well-formed XML";
	struct domdef *d;
	xmlDoc *doc;
	int ret = -EINVAL;

	if (len > RPC_STRING_MAX) {
		snprintf(err, errlen, "domain XML is larger than %u bytes",
			 RPC_STRING_MAX);
		return -EINVAL;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	doc = xmlReadMemory(xml, (int)len, "domain.xml", NULL,
			    XML_PARSE_NONET | XML_PARSE_NOBLANKS |
				    XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc)
		ret = fill(doc, d, &why);
	xmlFreeDoc(doc);
	if (ret < 0) {
		snprintf(err, errlen, "%s", why);
		domdef_free(d);
		return ret;
	}
	*out = d;
	return 0;
}

void domdef_free(struct domdef *d)
{
	if (!d)
		return;
	free(d->name);
	free(d->kernel);
	free(d->initrd);
	free(d->cmdline);
	free(d->xml);
	free(d);
}
