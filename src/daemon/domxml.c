/* Domain XML parsing: the libxml2 document, the walker that refuses
 * whatever is outside the subset, and the <domain>-level elements (name,
 * uuid, memory, vcpu, os, features, lifecycle actions).  The document is
 * user input: every value is checked here before anything uses it. */
#include "daemon/domxml.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include <libxml/parser.h>

#include "daemon/domxml_int.h"
#include "util/parse.h"

const char *const domxml_action_names[4] = {
	"destroy", "restart", "preserve", "rename-restart",
};

int px_fail(struct px *px, const char *fmt, ...)
{
	va_list ap;

	if (!px->failed && px->errlen) {
		va_start(ap, fmt);
		vsnprintf(px->err, px->errlen, fmt, ap);
		va_end(ap);
	}
	px->failed = true;
	return -EINVAL;
}

int px_nomem(struct px *px)
{
	px->nomem = true;
	px_fail(px, "out of memory");
	return -ENOMEM;
}

static int px_keep(struct px *px, xmlChar *s)
{
	xmlChar **t;

	if (px->ntmp == px->captmp) {
		size_t cap = px->captmp ? px->captmp * 2 : 32;

		t = realloc(px->tmp, cap * sizeof(*t));
		if (!t) {
			xmlFree(s);
			return px_nomem(px);
		}
		px->tmp = t;
		px->captmp = cap;
	}
	px->tmp[px->ntmp++] = s;
	return 0;
}

const char *px_attr(struct px *px, xmlNode *n, const char *name)
{
	xmlChar *v;

	if (!xmlHasNsProp(n, (const xmlChar *)name, NULL))
		return NULL;
	v = xmlGetNoNsProp(n, (const xmlChar *)name);
	if (!v) {
		px_nomem(px);
		return NULL;
	}
	return px_keep(px, v) ? NULL : (const char *)v;
}

int px_attrs(struct px *px, xmlNode *n, const char *const *allowed)
{
	const char *const *a;
	xmlAttr *p;

	for (p = n->properties; p; p = p->next) {
		for (a = allowed; *a; a++)
			if (!p->ns && !strcmp((const char *)p->name, *a))
				break;
		if (!*a)
			return px_fail(px, "unsupported attribute '%s%s%s' on <%s>",
				       p->ns && p->ns->prefix ?
					       (const char *)p->ns->prefix : "",
				       p->ns && p->ns->prefix ? ":" : "",
				       (const char *)p->name,
				       (const char *)n->name);
	}
	return 0;
}

/* Text, CDATA, comments and blank text are what may sit between
 * elements; anything else is named in the refusal. */
static int px_check_node(struct px *px, xmlNode *c, xmlNode *parent,
			 bool text_ok)
{
	const xmlChar *s;

	switch (c->type) {
	case XML_COMMENT_NODE:
		return 0;
	case XML_TEXT_NODE:
	case XML_CDATA_SECTION_NODE:
		if (text_ok)
			return 0;
		for (s = c->content; s && *s; s++)
			if (!strchr(" \t\r\n", *s))
				return px_fail(px, "unexpected text in <%s>",
					       (const char *)parent->name);
		return 0;
	case XML_ENTITY_REF_NODE:
		return px_fail(px, "unsupported entity reference &%s; in <%s>",
			       (const char *)c->name,
			       (const char *)parent->name);
	case XML_PI_NODE:
		return px_fail(px, "unsupported processing instruction <?%s?> "
			       "in <%s>", (const char *)c->name,
			       (const char *)parent->name);
	case XML_ELEMENT_NODE:
		if (c->ns || c->nsDef)
			return px_fail(px, "unsupported namespace on <%s> in "
				       "<%s>", (const char *)c->name,
				       (const char *)parent->name);
		return 0;
	default:
		return px_fail(px, "unsupported XML node in <%s>",
			       (const char *)parent->name);
	}
}

int px_text(struct px *px, xmlNode *n, const char **out)
{
	xmlNode *c;
	xmlChar *v;
	int ret;

	for (c = n->children; c; c = c->next) {
		ret = px_check_node(px, c, n, true);
		if (ret)
			return ret;
		if (c->type == XML_ELEMENT_NODE)
			return px_fail(px, "unsupported element <%s> in <%s>",
				       (const char *)c->name,
				       (const char *)n->name);
	}
	v = xmlNodeGetContent(n);
	if (!v)
		return px_nomem(px);
	ret = px_keep(px, v);
	*out = ret ? NULL : (const char *)v;
	return ret;
}

int px_walk(struct px *px, xmlNode *parent, const struct px_child *tab,
	    void *obj)
{
	uint64_t seen = 0;
	xmlNode *c;
	size_t i;
	int ret;

	for (c = parent->children; c; c = c->next) {
		ret = px_check_node(px, c, parent, false);
		if (ret)
			return ret;
		if (c->type != XML_ELEMENT_NODE)
			continue;
		for (i = 0; tab[i].name; i++)
			if (!strcmp((const char *)c->name, tab[i].name))
				break;
		if (!tab[i].name)
			return px_fail(px, "unsupported element <%s> in <%s>",
				       (const char *)c->name,
				       (const char *)parent->name);
		if (!tab[i].multi && (seen & (1ULL << i)))
			return px_fail(px, "duplicate <%s> in <%s>",
				       tab[i].name, (const char *)parent->name);
		seen |= 1ULL << i;
		ret = tab[i].fn(px, c, obj);
		if (ret)
			return ret;
	}
	return 0;
}

int px_choice(struct px *px, xmlNode *n, const char *name,
	      const char *values, bool required, int *out)
{
	const char *v = px_attr(px, n, name), *p = values;
	size_t len;
	int i;

	*out = -1;
	if (!v && required)
		return px_need(px, n, name, &v);
	if (!v)
		return 0;
	for (i = 0; *p; i++) {
		len = strcspn(p, "|");
		if (strlen(v) == len && !strncmp(v, p, len)) {
			*out = i;
			return 0;
		}
		p += len + (p[len] == '|');
	}
	return px_fail(px, "unsupported %s='%s' on <%s> (%s)", name, v,
		       (const char *)n->name, values);
}

int px_need(struct px *px, xmlNode *n, const char *name, const char **out)
{
	*out = px_attr(px, n, name);
	if (*out)
		return 0;
	return px->nomem ? -ENOMEM : px_fail(px, "<%s> needs %s=",
					     (const char *)n->name, name);
}

int px_line(struct px *px, xmlNode *n, size_t max, char **out)
{
	const char *s;
	int ret;

	ret = px_leaf(px, n, &s);
	if (ret)
		return ret;
	if (strpbrk(s, "\r\n"))
		return px_fail(px, "<%s> must be one line",
			       (const char *)n->name);
	if (strlen(s) >= max)
		return px_fail(px, "<%s> is longer than %zu bytes",
			       (const char *)n->name, max - 1);
	return px_dup(px, s, out);
}

int px_leaf(struct px *px, xmlNode *n, const char **out)
{
	return px_attrs(px, n, (const char *const[]){ NULL }) ?:
	       px_text(px, n, out);
}

int px_dup(struct px *px, const char *s, char **out)
{
	free(*out);
	*out = strdup(s);
	return *out ? 0 : px_nomem(px);
}

int px_uint(struct px *px, const char *s, uint64_t max, const char *what,
	    uint64_t *out)
{
	const char *p = s;
	uint64_t v = 0;
	size_t len;

	while (*p && strchr(" \t\r\n", *p))
		p++;
	len = strlen(p);
	while (len && strchr(" \t\r\n", p[len - 1]))
		len--;
	if (!len)
		return px_fail(px, "missing number in %s", what);
	for (size_t i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return px_fail(px, "invalid number '%.*s' in %s",
				       (int)len, p, what);
		if (v > (max - (uint64_t)(p[i] - '0')) / 10)
			return px_fail(px, "%s %.*s is too large", what,
				       (int)len, p);
		v = v * 10 + (uint64_t)(p[i] - '0');
	}
	*out = v;
	return 0;
}

int px_path(struct px *px, const char *s, const char *what)
{
	if (s[0] != '/')
		return px_fail(px, "%s '%s' is not an absolute path", what, s);
	if (strlen(s) >= 4096)
		return px_fail(px, "%s is longer than 4095 bytes", what);
	if (strpbrk(s, "\r\n"))
		return px_fail(px, "%s contains a line break", what);
	return 0;
}

bool px_charset(const char *s, const char *extra, size_t max)
{
	static const char alnum[] = "abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	size_t i, len = strlen(s);

	if (!len || len > max)
		return false;
	for (i = 0; i < len; i++)
		if (!strchr(alnum, s[i]) && !strchr(extra, s[i]))
			return false;
	return true;
}

/* Linux interface names: 1 to 15 bytes; we keep to a safe charset. */
int px_ifname(struct px *px, const char *s, const char *what)
{
	if (!px_charset(s, "_.-", 15) || !strcmp(s, ".") || !strcmp(s, ".."))
		return px_fail(px, "invalid %s '%s': 1 to 15 letters, digits, "
			       "'_', '.' or '-'", what, s);
	return 0;
}

int px_mac(struct px *px, const char *s, uint8_t mac[6])
{
	if (parse_mac(s, mac))
		return px_fail(px, "invalid MAC address '%s'", s);
	if (mac[0] & 1)
		return px_fail(px, "MAC address '%s' is multicast", s);
	if (!(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]))
		return px_fail(px, "MAC address '%s' is all zeros", s);
	return 0;
}

int px_random(void *buf, size_t len)
{
	ssize_t n = getrandom(buf, len, 0);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

/* ---- <domain> ---- */

/* Domain names: libvirt refuses '/' and the empty name; we also keep
 * them to a charset that is safe in paths, logs and shells. */
static int parse_name(struct px *px, xmlNode *n, void *obj)
{
	struct domain_def *def = obj;
	const char *s;
	size_t len;
	int ret;

	ret = px_leaf(px, n, &s);
	if (ret)
		return ret;
	len = strlen(s);
	if (!len)
		return px_fail(px, "empty <name>");
	if (len > DOMAIN_NAME_MAX)
		return px_fail(px, "<name> is longer than %d bytes",
			       DOMAIN_NAME_MAX);
	if (!px_charset(s, "_.+-", len) || s[0] == '.' || s[0] == '-')
		return px_fail(px, "invalid domain name '%s': letters, digits, "
			       "'_', '.', '+' and '-', not starting with '.' "
			       "or '-'", s);
	return px_dup(px, s, &def->name);
}

/* 32 hex digits, as one block or in the 8-4-4-4-12 form. */
static int parse_uuid(struct px *px, xmlNode *n, void *obj)
{
	struct domain_def *def = obj;
	const char *s;
	size_t i, len, k = 0;
	bool dashes;
	int ret;

	ret = px_leaf(px, n, &s);
	if (ret)
		return ret;
	len = strlen(s);
	dashes = len == DOMAIN_UUID_STRLEN;
	if (len != 32 && !dashes)
		goto bad;
	for (i = 0; i < len; i++) {
		if (dashes && (i == 8 || i == 13 || i == 18 || i == 23)) {
			if (s[i] != '-')
				goto bad;
			continue;
		}
		if (parse_hexdigit(s[i]) < 0 || parse_hexdigit(s[i + 1]) < 0)
			goto bad;
		def->uuid[k++] = (uint8_t)(parse_hexdigit(s[i]) << 4 | parse_hexdigit(s[i + 1]));
		i++;
	}
	for (i = 1; i < DOMAIN_UUID_LEN; i++)
		if (def->uuid[i] != def->uuid[0])
			return 0;
	return px_fail(px, "<uuid> '%s' has all digits equal", s);
bad:
	return px_fail(px, "invalid <uuid> '%s'", s);
}

static int parse_title(struct px *px, xmlNode *n, void *obj)
{
	return px_line(px, n, 1024, &((struct domain_def *)obj)->title);
}

static int parse_description(struct px *px, xmlNode *n, void *obj)
{
	struct domain_def *def = obj;
	const char *s;
	int ret;

	ret = px_leaf(px, n, &s);
	return ret ?: px_dup(px, s, &def->description);
}

/* libvirt's scaled integers: b, byte(s); k, m, g, t, p, e alone or with
 * "iB" (powers of 1024) or with "B" (powers of 1000); case-insensitive.
 * No unit means KiB. */
static int unit_scale(const char *u, uint64_t *scale)
{
	static const char prefixes[] = "kmgtpe";
	const char *p;
	uint64_t base, s = 1;

	if (!u) {
		*scale = 1024;
		return 0;
	}
	if (!strcasecmp(u, "b") || !strcasecmp(u, "byte") ||
	    !strcasecmp(u, "bytes")) {
		*scale = 1;
		return 0;
	}
	p = u[0] ? strchr(prefixes, u[0] | 0x20) : NULL;
	if (!p)
		return -EINVAL;
	if (!u[1] || !strcasecmp(u + 1, "iB"))
		base = 1024;
	else if (!strcasecmp(u + 1, "B"))
		base = 1000;
	else
		return -EINVAL;
	for (long i = 0; i <= p - prefixes; i++)
		s *= base;
	*scale = s;
	return 0;
}

static int parse_kib(struct px *px, xmlNode *n, uint64_t *kib)
{
	const char *what = (const char *)n->name, *u, *s;
	char label[32];
	uint64_t v, scale;
	int ret;

	ret = px_attrs(px, n, (const char *const[]){ "unit", NULL });
	ret = ret ?: px_text(px, n, &s);
	if (ret)
		return ret;
	u = px_attr(px, n, "unit");
	if (unit_scale(u, &scale))
		return px_fail(px, "invalid unit '%s' in <%s>", u, what);
	snprintf(label, sizeof(label), "<%s>", what);
	ret = px_uint(px, s, UINT64_MAX / scale, label, &v);
	if (ret)
		return ret;
	if (!v)
		return px_fail(px, "<%s> must be more than 0", what);
	/* Whole KiB, rounded up, as libvirt keeps it. */
	v *= scale;
	*kib = v / 1024 + (v % 1024 != 0);
	return 0;
}

static int parse_memory(struct px *px, xmlNode *n, void *obj)
{
	return parse_kib(px, n, &((struct domain_def *)obj)->memory_kib);
}

static int parse_current_memory(struct px *px, xmlNode *n, void *obj)
{
	return parse_kib(px, n,
			 &((struct domain_def *)obj)->current_memory_kib);
}

static int parse_vcpu(struct px *px, xmlNode *n, void *obj)
{
	struct domain_def *def = obj;
	const char *s;
	uint64_t v;
	int ret, i;

	ret = px_attrs(px, n, (const char *const[]){ "placement", NULL });
	ret = ret ?: px_choice(px, n, "placement", "static", false, &i);
	ret = ret ?: px_text(px, n, &s);
	ret = ret ?: px_uint(px, s, UINT32_MAX, "<vcpu>", &v);
	if (ret)
		return ret;
	if (v < 1 || v > DOMAIN_VCPUS_MAX)
		return px_fail(px, "<vcpu> must be 1 to %d, not %llu",
			       DOMAIN_VCPUS_MAX, (unsigned long long)v);
	def->vcpus = (unsigned)v;
	return 0;
}

static int parse_action(struct px *px, xmlNode *n, enum domain_action *out)
{
	const char *s;
	size_t i;
	int ret;

	ret = px_leaf(px, n, &s);
	if (ret)
		return ret;
	for (i = 0; i < 4; i++)
		if (!strcmp(s, domxml_action_names[i])) {
			*out = (enum domain_action)i;
			return 0;
		}
	return px_fail(px, "unsupported <%s> action '%s'",
		       (const char *)n->name, s);
}

static int parse_on_poweroff(struct px *px, xmlNode *n, void *obj)
{
	return parse_action(px, n, &((struct domain_def *)obj)->on_poweroff);
}

static int parse_on_reboot(struct px *px, xmlNode *n, void *obj)
{
	return parse_action(px, n, &((struct domain_def *)obj)->on_reboot);
}

static int parse_on_crash(struct px *px, xmlNode *n, void *obj)
{
	return parse_action(px, n, &((struct domain_def *)obj)->on_crash);
}

static int parse_acpi(struct px *px, xmlNode *n, void *obj)
{
	((struct domain_def *)obj)->acpi = true;
	return px_attrs(px, n, (const char *const[]){ NULL }) ?:
	       px_walk(px, n, (const struct px_child[]){ { NULL, NULL, false } }, obj);
}

static int parse_features(struct px *px, xmlNode *n, void *obj)
{
	static const struct px_child tab[] = {
		{ "acpi", parse_acpi, false },
		{ NULL, NULL, false },
	};

	return px_attrs(px, n, (const char *const[]){ NULL }) ?:
	       px_walk(px, n, tab, obj);
}

static int parse_os_type(struct px *px, xmlNode *n, void *obj)
{
	struct domain_def *def = obj;
	const char *s, *machine;
	int ret, i;

	ret = px_attrs(px, n, (const char *const[]){ "arch", "machine",
						     NULL });
	ret = ret ?: px_choice(px, n, "arch", "x86_64", false, &i);
	ret = ret ?: px_text(px, n, &s);
	if (ret)
		return ret;
	if (strcmp(s, "hvm"))
		return px_fail(px, "unsupported OS type '%s' (hvm)", s);
	machine = px_attr(px, n, "machine");
	if (!machine)
		return 0;
	if (!px_charset(machine, "_.-", 63))
		return px_fail(px, "invalid machine type '%s'", machine);
	return px_dup(px, machine, &def->machine);
}

static int parse_os_path(struct px *px, xmlNode *n, char **out)
{
	char what[16];
	const char *s;
	int ret;

	snprintf(what, sizeof(what), "<%s>", (const char *)n->name);
	ret = px_leaf(px, n, &s);
	ret = ret ?: px_path(px, s, what);
	return ret ?: px_dup(px, s, out);
}

static int parse_kernel(struct px *px, xmlNode *n, void *obj)
{
	return parse_os_path(px, n, &((struct domain_def *)obj)->kernel);
}

static int parse_initrd(struct px *px, xmlNode *n, void *obj)
{
	return parse_os_path(px, n, &((struct domain_def *)obj)->initrd);
}

static int parse_cmdline(struct px *px, xmlNode *n, void *obj)
{
	return px_line(px, n, 4096, &((struct domain_def *)obj)->cmdline);
}

static int parse_os(struct px *px, xmlNode *n, void *obj)
{
	static const struct px_child tab[] = {
		{ "type", parse_os_type, false },
		{ "kernel", parse_kernel, false },
		{ "initrd", parse_initrd, false },
		{ "cmdline", parse_cmdline, false },
		{ NULL, NULL, false },
	};
	struct domain_def *def = obj;
	int ret;

	ret = px_attrs(px, n, (const char *const[]){ NULL });
	ret = ret ?: px_walk(px, n, tab, obj);
	if (!ret && !def->kernel)
		ret = px_fail(px, "missing <kernel> in <os> (Vireo boots a "
			      "kernel directly)");
	return ret;
}

static int parse_domain(struct px *px, xmlNode *root, struct domain_def *def)
{
	static const struct px_child tab[] = {
		{ "name", parse_name, false },
		{ "uuid", parse_uuid, false },
		{ "title", parse_title, false },
		{ "description", parse_description, false },
		{ "memory", parse_memory, false },
		{ "currentMemory", parse_current_memory, false },
		{ "vcpu", parse_vcpu, false },
		{ "os", parse_os, false },
		{ "features", parse_features, false },
		{ "on_poweroff", parse_on_poweroff, false },
		{ "on_reboot", parse_on_reboot, false },
		{ "on_crash", parse_on_crash, false },
		{ "devices", domxml_parse_devices, false },
		{ NULL, NULL, false },
	};
	const char *id;
	uint64_t v;
	int ret, i;

	if (strcmp((const char *)root->name, "domain"))
		return px_fail(px, "the root element is <%s>, not <domain>",
			       (const char *)root->name);
	if (root->ns || root->nsDef)
		return px_fail(px, "unsupported namespace on <domain>");
	ret = px_attrs(px, root, (const char *const[]){ "type", "id", NULL });
	ret = ret ?: px_choice(px, root, "type", "kvm", true, &i);
	if (ret)
		return ret;
	/* A running domain's id: runtime state, checked and ignored. */
	id = px_attr(px, root, "id");
	if (id && strcmp(id, "-1") && px_uint(px, id, INT32_MAX, "id=", &v))
		return -EINVAL;
	return px_walk(px, root, tab, def);
}

/* What absent elements mean, and the checks across elements.  A value
 * the walk refuses (an all-equal uuid, memory 0, vcpu 0, an os without
 * kernel) doubles as "absent". */
static int finish_domain(struct px *px, struct domain_def *def)
{
	static const uint8_t zero[DOMAIN_UUID_LEN];
	int ret;

	if (!def->name)
		return px_fail(px, "missing <name>");
	if (!def->memory_kib)
		return px_fail(px, "missing <memory>");
	if (!def->kernel)
		return px_fail(px, "missing <os>");
	if (!def->vcpus)
		def->vcpus = 1;
	if (!def->current_memory_kib)
		def->current_memory_kib = def->memory_kib;
	if (def->current_memory_kib > def->memory_kib)
		return px_fail(px, "<currentMemory> (%llu KiB) is more than "
			       "<memory> (%llu KiB)",
			       (unsigned long long)def->current_memory_kib,
			       (unsigned long long)def->memory_kib);
	if (!memcmp(def->uuid, zero, sizeof(zero))) {
		/* A random (version 4, RFC 4122 variant) UUID. */
		ret = px_random(def->uuid, sizeof(def->uuid));
		if (ret)
			return px_fail(px, "cannot generate a uuid: %s",
				       strerror(-ret));
		def->uuid[6] = (uint8_t)((def->uuid[6] & 0x0f) | 0x40);
		def->uuid[8] = (uint8_t)((def->uuid[8] & 0x3f) | 0x80);
	}
	return domxml_finish_devices(px, def);
}

static void domain_def_init(struct domain_def *def)
{
	memset(def, 0, sizeof(*def));
	def->on_poweroff = DOMAIN_ACTION_DESTROY;
	def->on_reboot = DOMAIN_ACTION_RESTART;
	def->on_crash = DOMAIN_ACTION_DESTROY;
	def->balloon = true;
}

/* libxml2's own message for a syntax error, on one line. */
static int syntax_error(struct px *px, xmlParserCtxt *ctxt)
{
	const xmlError *e = ctxt ? xmlCtxtGetLastError(ctxt) : NULL;
	char msg[160];
	size_t len;

	if (!e || !e->message)
		return px_fail(px, "not a well-formed XML document");
	snprintf(msg, sizeof(msg), "%s", e->message);
	len = strlen(msg);
	while (len && strchr(" \r\n", msg[len - 1]))
		msg[--len] = '\0';
	return px_fail(px, "XML error at line %d: %s", e->line, msg);
}

/* Keeps libxml2 from printing what it finds in a client's document (such
 * as an encoding error) on our stderr; the refusal carries the message. */
static void quiet(void *ctx, const char *fmt, ...)
{
}

static int parse_doc(struct px *px, const char *xml, size_t len,
		     struct domain_def *def)
{
	xmlParserCtxt *ctxt;
	xmlDoc *doc = NULL;
	xmlNode *root;
	int ret;

	if (len > DOMAIN_XML_MAX)
		return px_fail(px, "the document is larger than %d bytes",
			       DOMAIN_XML_MAX);
	xmlSetGenericErrorFunc(NULL, quiet);
	ctxt = xmlNewParserCtxt();
	if (!ctxt)
		return px_nomem(px);
	/* No network, no entity substitution, no DTD loading: the document
	 * can name nothing outside itself. */
	doc = xmlCtxtReadMemory(ctxt, xml, (int)len, "domain.xml", NULL,
				XML_PARSE_NONET | XML_PARSE_NOERROR |
				XML_PARSE_NOWARNING);
	if (!doc) {
		ret = syntax_error(px, ctxt);
		goto out;
	}
	if (doc->intSubset || doc->extSubset) {
		ret = px_fail(px, "unsupported <!DOCTYPE>");
		goto out;
	}
	root = xmlDocGetRootElement(doc);
	ret = root ? parse_domain(px, root, def) :
		     px_fail(px, "empty document");
	ret = ret ?: finish_domain(px, def);
out:
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
	return ret;
}

int domxml_parse(const char *xml, size_t len, struct domain_def **out,
		 char *err, size_t errlen)
{
	struct px px = { .err = err, .errlen = errlen };
	struct domain_def *def;
	size_t i;
	int ret;

	if (errlen)
		err[0] = '\0';
	def = malloc(sizeof(*def));
	if (!def)
		return px_nomem(&px);
	domain_def_init(def);
	ret = parse_doc(&px, xml, len, def);
	for (i = 0; i < px.ntmp; i++)
		xmlFree(px.tmp[i]);
	free(px.tmp);
	if (px.nomem)
		ret = -ENOMEM;
	if (ret) {
		domain_def_free(def);
		return ret;
	}
	*out = def;
	return 0;
}
