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

/* The TAP's descriptors vireod opened (fd=N:N..., the queue count
 * follows), or else the <target dev> the VMM opens itself (tap=NAME,
 * with queues=N when the XML asks for several); queue-size= when the
 * XML gives the rings' size. */
static void add_net(struct argv_buf *b, const struct domain_net *n,
		    const struct vmm_net_fds *fds)
{
	char what[16 * 12 + 8], *p = what, ring[24] = "";
	const uint8_t *m = n->mac;
	unsigned i, size = n->rx_queue_size ? n->rx_queue_size
					     : n->tx_queue_size;

	if (fds && fds->n) {
		p += sprintf(p, "fd=");
		for (i = 0; i < fds->n && i < 16; i++)
			p += sprintf(p, "%s%d", i ? ":" : "", fds->fds[i]);
	} else if (n->queues > 1)
		snprintf(what, sizeof(what), "tap=%s,queues=%u", n->ifname,
			 n->queues);
	else
		snprintf(what, sizeof(what), "tap=%s", n->ifname);
	if (size)
		snprintf(ring, sizeof(ring), ",queue-size=%u", size);
	add(b, "--net");
	add(b, "%s,mac=%02x:%02x:%02x:%02x:%02x:%02x%s", what, m[0], m[1],
	    m[2], m[3], m[4], m[5], ring);
}

/* What the launch must provide: a TAP for every interface without a
 * <target dev> (vireod creates those), a CID for a vsock. */
static int missing(const struct domain_def *def, const struct vmm_launch *l,
		   char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < def->nnets; i++)
		if ((def->nets[i].type == DOMAIN_NET_BRIDGE ||
		     !def->nets[i].ifname) &&
		    (!l->nets || !l->nets[i].n)) {
			snprintf(err, errlen, "interface %zu has no TAP", i);
			return -EINVAL;
		}
	if (def->vsock && l->vsock_cid < 3) {
		snprintf(err, errlen, "the vsock has no CID");
		return -EINVAL;
	}
	return 0;
}

char **vmm_args_build(const struct domain_def *def, const struct vmm_launch *l,
		      int *ret, char *err, size_t errlen)
{
	struct argv_buf b = {0};
	size_t i;

	*ret = missing(def, l, err, errlen);
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
		add_net(&b, &def->nets[i], l->nets ? &l->nets[i] : NULL);
	if (def->vsock) {
		add(&b, "--vsock");
		add(&b, "cid=%u", l->vsock_cid);
	}
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

uint32_t vmm_free_cid(const uint32_t *used, size_t n)
{
	uint32_t cid = 3;
	size_t i;

	/* At most n values are taken, so this ends by cid n + 3. */
	for (i = 0; i < n; i++)
		if (used[i] == cid) {
			cid++;
			i = (size_t)-1;
		}
	return cid;
}

void vmm_args_free(char **argv)
{
	if (!argv)
		return;
	for (char **p = argv; *p; p++)
		free(*p);
	free(argv);
}
