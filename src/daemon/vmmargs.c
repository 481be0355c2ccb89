/* Domain definition -> vireo-vmm arguments (see vmmargs.h). */
#include "daemon/vmmargs.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARGS_MAX (32 + 2 * DOMAIN_DISKS_MAX + 2 * DOMAIN_NETS_MAX)

struct argv_buf {
	char **v;
	size_t n;
	bool oom;
};

static void add(struct argv_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void add(struct argv_buf *b, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	if (b->oom || b->n + 1 >= ARGS_MAX) {
		b->oom = true;
		return;
	}
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (!s) {
		b->oom = true;
		return;
	}
	b->v[b->n++] = s;
}

static const char *const cache_names[] = {
    [DOMAIN_CACHE_NONE] = "none",
    [DOMAIN_CACHE_WRITEBACK] = "writeback",
    [DOMAIN_CACHE_UNSAFE] = "unsafe",
};

static void add_disk(struct argv_buf *b, const struct domain_disk *dk)
{
	add(b, "--disk");
	add(b, "path=%s%s%s%s%s%s", dk->source,
	    dk->readonly ? ",readonly=on" : "", dk->serial ? ",serial=" : "",
	    dk->serial ? dk->serial : "",
	    dk->cache != DOMAIN_CACHE_DEFAULT ? ",cache=" : "",
	    dk->cache != DOMAIN_CACHE_DEFAULT ? cache_names[dk->cache] : "");
}

/* <interface type='ethernet'><target dev=NAME/>: the VMM opens (or,
 * privileged, creates) the TAP itself. */
static void add_net(struct argv_buf *b, const struct domain_net *n)
{
	const uint8_t *m = n->mac;

	add(b, "--net");
	add(b, "tap=%s,mac=%02x:%02x:%02x:%02x:%02x:%02x", n->ifname, m[0],
	    m[1], m[2], m[3], m[4], m[5]);
}

/* What vireod cannot run yet: a bridge needs vireod to create the TAP
 * and hand it over (--net fd=N); devices the VMM has no option for. */
static int unsupported(const struct domain_def *def, char *err, size_t errlen)
{
	const char *what = NULL;
	size_t i;

	for (i = 0; i < def->nnets && !what; i++) {
		if (def->nets[i].type == DOMAIN_NET_BRIDGE)
			what =
			    "<interface type='bridge'> (vireod does not "
			    "create TAPs on bridges yet; use type='ethernet' "
			    "with <target dev=.../>)";
		else if (!def->nets[i].ifname)
			what = "<interface type='ethernet'> without <target "
			       "dev=.../>";
	}
	if (!what && def->vsock)
		what = "<vsock> (vireo-vmm has no vsock device yet)";
	if (!what)
		return 0;
	snprintf(err, errlen, "unsupported configuration: %s", what);
	return -EOPNOTSUPP;
}

char **vmm_args_build(const struct domain_def *def, const struct vmm_launch *l,
		      int *ret, char *err, size_t errlen)
{
	struct argv_buf b = {0};
	size_t i;

	*ret = unsupported(def, err, errlen);
	if (*ret < 0)
		return NULL;
	b.v = calloc(ARGS_MAX, sizeof(*b.v));
	if (!b.v) {
		*ret = -ENOMEM;
		return NULL;
	}
	add(&b, "%s", l->vmm);
	add(&b, "--name");
	add(&b, "%s", def->name);
	add(&b, "--kernel");
	add(&b, "%s", def->kernel);
	if (def->initrd) {
		add(&b, "--initrd");
		add(&b, "%s", def->initrd);
	}
	if (def->cmdline) {
		add(&b, "--cmdline");
		add(&b, "%s", def->cmdline);
	}
	add(&b, "--cpus");
	add(&b, "%u", def->vcpus);
	add(&b, "--memory");
	add(&b, "%lluK", (unsigned long long)def->memory_kib);
	for (i = 0; i < def->ndisks; i++)
		add_disk(&b, &def->disks[i]);
	for (i = 0; i < def->nnets; i++)
		add_net(&b, &def->nets[i]);
	/* Both backends are getrandom() in the VMM: /dev/random and
	 * /dev/urandom are the same source since Linux 5.6. */
	if (def->rng)
		add(&b, "--rng");
	if (def->balloon && def->current_memory_kib < def->memory_kib)
		add(&b, "--balloon=target=%lluK",
		    (unsigned long long)def->current_memory_kib);
	else if (def->balloon)
		add(&b, "--balloon");
	add(&b, "--console");
	add(&b, "pty");
	add(&b, "--monitor");
	add(&b, "%s", l->monitor);
	if (l->no_reboot)
		add(&b, "--no-reboot");
	if (b.oom) {
		vmm_args_free(b.v);
		snprintf(err, errlen, "out of memory");
		*ret = -ENOMEM;
		return NULL;
	}
	*ret = 0;
	return b.v;
}

void vmm_args_free(char **argv)
{
	if (!argv)
		return;
	for (char **p = argv; *p; p++)
		free(*p);
	free(argv);
}
