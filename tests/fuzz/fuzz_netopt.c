/* Fuzz target: the `--net` option parser (user input).  Every rejection
 * must explain itself in one printable line; every acceptance must name
 * exactly one of a bounded interface name or an fd, a unicast MAC if
 * one was given, and 1 to NET_QUEUES_MAX queues. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/opts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), err[256];
	struct net_opts o;
	size_t i;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	err[0] = '\0';
	if (net_opts_parse(buf, &o, err, sizeof(err))) {
		if (!err[0])
			abort();
		for (i = 0; err[i]; i++)
			if ((unsigned char)err[i] < 0x20)
				abort();
	} else if ((o.fd >= 0) == (o.ifname[0] != '\0') ||
		   strnlen(o.ifname, sizeof(o.ifname)) == sizeof(o.ifname) ||
		   (o.has_mac && (o.mac[0] & 1)) || !o.queues ||
		   o.queues > NET_QUEUES_MAX || o.nfds > NET_QUEUES_MAX ||
		   (o.nfds && (o.queues != o.nfds || o.fd != o.fds[0]))) {
		abort();
	}
	free(buf);
	return 0;
}
