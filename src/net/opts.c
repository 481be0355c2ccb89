/* Parser of the `--net` option's value (see opts.h) and MAC helpers.
 * Trust boundary: the string is user input; every key and value is
 * checked, and error lines quote it only in printable form. */
#include "net/opts.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "util/parse.h"

#define ITEM_MAX 64

static int net_fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int net_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	char *p;

	if (errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
		for (p = err; *p; p++)
			if ((unsigned char)*p < 0x20 || *p >= 0x7f)
				*p = '?';
	}
	return -EINVAL;
}

void net_random_mac(uint8_t mac[6])
{
	if (getrandom(mac, 6, GRND_NONBLOCK) != 6) {
		/* No entropy yet: still unique enough per host boot. */
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		memcpy(mac, &ts.tv_nsec, 3);
		memcpy(mac + 3, &ts.tv_sec, 3);
	}
	mac[0] = (uint8_t)((mac[0] & ~1u) | 2u); /* unicast, local */
}

static int set_vhost(const char *v, struct net_opts *o)
{
	if (!strcmp(v, "on"))
		o->vhost = NET_VHOST_ON;
	else if (!strcmp(v, "off"))
		o->vhost = NET_VHOST_OFF;
	else if (!strcmp(v, "auto"))
		o->vhost = NET_VHOST_AUTO;
	else
		return -EINVAL;
	return 0;
}

/* What the kernel accepts as an interface name, minus the odd ones:
 * printable, no blank, '/' or ':'. */
static bool ifname_ok(const char *s)
{
	if (!*s || strlen(s) > NET_IFNAME_MAX)
		return false;
	for (; *s; s++)
		if (*s <= ' ' || *s >= 0x7f || *s == '/' || *s == ':')
			return false;
	return true;
}

/* "3" or "3:4:5" into o->fds. */
static int parse_fds(const char *v, struct net_opts *o)
{
	char num[12];
	uint64_t n;
	size_t len;

	for (;;) {
		len = strcspn(v, ":");
		if (!len || len >= sizeof(num) || o->nfds == NET_QUEUES_MAX)
			return -EINVAL;
		memcpy(num, v, len);
		num[len] = '\0';
		if (parse_uint(num, 0, 1 << 30, &n))
			return -EINVAL;
		o->fds[o->nfds++] = (int)n;
		v += len;
		if (!*v++)
			break;
	}
	o->fd = o->fds[0];
	return 0;
}

/* Applies one key=value. */
static int set_key(const char *key, const char *val, struct net_opts *o,
		   char *err, size_t errlen)
{
	uint64_t n;

	if (!strcmp(key, "tap")) {
		if (!ifname_ok(val))
			return net_fail(err, errlen, "net: tap='%s' is not an "
					"interface name", val);
		strcpy(o->ifname, val);
	} else if (!strcmp(key, "fd")) {
		if (parse_fds(val, o))
			return net_fail(err, errlen, "net: fd='%s' is not 1 to "
					"%d file descriptor numbers separated "
					"by ':'", val, NET_QUEUES_MAX);
	} else if (!strcmp(key, "mac")) {
		if (parse_mac(val, o->mac) || (o->mac[0] & 1) ||
		    !(o->mac[0] | o->mac[1] | o->mac[2] | o->mac[3] |
		      o->mac[4] | o->mac[5]))
			return net_fail(err, errlen, "net: mac='%s' is not a "
					"unicast MAC address", val);
		o->has_mac = true;
	} else if (!strcmp(key, "vhost")) {
		if (set_vhost(val, o))
			return net_fail(err, errlen, "net: vhost='%s' is not "
					"on, off or auto", val);
	} else if (!strcmp(key, "queues")) {
		if (parse_uint(val, 1, NET_QUEUES_MAX, &n))
			return net_fail(err, errlen, "net: queues='%s' is not "
					"a number from 1 to %d", val,
					NET_QUEUES_MAX);
		o->queues = (unsigned)n;
	} else if (!strcmp(key, "queue-size")) {
		if (parse_uint(val, NET_QUEUE_SIZE_MIN, NET_QUEUE_SIZE_MAX,
			       &n) || (n & (n - 1)))
			return net_fail(err, errlen, "net: queue-size='%s' is "
					"not a power of two from %d to %d",
					val, NET_QUEUE_SIZE_MIN,
					NET_QUEUE_SIZE_MAX);
		o->queue_size = (unsigned)n;
	} else if (!strcmp(key, "thread")) {
		if (strcmp(val, "batch") && strcmp(val, "normal"))
			return net_fail(err, errlen, "net: thread='%s' is not "
					"batch or normal", val);
		o->thread_normal = !strcmp(val, "normal");
	} else {
		return net_fail(err, errlen, "net: unknown key '%s'", key);
	}
	return 0;
}

int net_opts_parse(const char *s, struct net_opts *o, char *err,
		   size_t errlen)
{
	char item[ITEM_MAX], *eq;
	unsigned seen = 0, bit;
	size_t len;
	int ret;

	memset(o, 0, sizeof(*o));
	o->fd = -1;
	o->queues = 1;
	for (;;) {
		len = strcspn(s, ",");
		if (len >= ITEM_MAX)
			return net_fail(err, errlen, "net: '%.32s...' is too "
					"long", s);
		memcpy(item, s, len);
		item[len] = '\0';
		eq = strchr(item, '=');
		if (!eq || eq == item)
			return net_fail(err, errlen, "net: '%s' is not "
					"key=value", item);
		*eq = '\0';
		bit = !strcmp(item, "tap") ? 1 : !strcmp(item, "fd") ? 2
			: !strcmp(item, "mac") ? 4 : !strcmp(item, "vhost") ? 8
			: !strcmp(item, "queues") ? 16
			: !strcmp(item, "thread") ? 32
			: !strcmp(item, "queue-size") ? 64 : 0;
		if (seen & bit)
			return net_fail(err, errlen, "net: %s given twice",
					item);
		seen |= bit;
		ret = set_key(item, eq + 1, o, err, errlen);
		if (ret)
			return ret;
		s += len;
		if (!*s++)
			break;
	}
	if ((seen & 3) == 3 || !(seen & 3))
		return net_fail(err, errlen,
				"net: give exactly one of tap=IFNAME or fd=N");
	if (o->nfds && !(seen & 16))
		o->queues = o->nfds;
	else if (o->nfds && o->queues != o->nfds)
		return net_fail(err, errlen, "net: queues=%u but %u fds",
				o->queues, o->nfds);
	return 0;
}
