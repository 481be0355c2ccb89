/* TAP interfaces (see tap.h): open by name or by inherited fd, vnet
 * header, offloads, the receive filter, multiqueue.  Callers explain
 * errors to the user. */
#include "net/tap.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

int tap_open(struct tap *t, const char *ifname, unsigned queues)
{
	struct ifreq ifr;
	unsigned i;
	int fd, ret;

	if (!queues || queues > TAP_MAX_QUEUES ||
	    strlen(ifname) >= sizeof(t->ifname))
		return -EINVAL;
	memset(t, 0, sizeof(*t));
	t->owned = true;
	for (i = 0; i < queues; i++) {
		fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
		if (fd < 0) {
			ret = -errno;
			goto fail;
		}
		t->fds[t->nfds++] = fd;
		memset(&ifr, 0, sizeof(ifr));
		strcpy(ifr.ifr_name, i ? t->ifname : ifname);
		ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
		if (queues > 1)
			ifr.ifr_flags |= IFF_MULTI_QUEUE;
		if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
			ret = -errno;
			goto fail;
		}
		/* The kernel's name: a template ("vnet%d") is resolved. */
		if (i == 0)
			memcpy(t->ifname, ifr.ifr_name, sizeof(t->ifname) - 1);
	}
	return 0;
fail:
	tap_close(t);
	return ret;
}

static int adopt_one(struct tap *t, int fd)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	if (ioctl(fd, TUNGETIFF, &ifr) < 0)
		return errno == EBADF ? -EBADF : -ENOTTY;
	if (!(ifr.ifr_flags & IFF_TAP) || !(ifr.ifr_flags & IFF_VNET_HDR) ||
	    !(ifr.ifr_flags & IFF_NO_PI))
		return -EPROTONOSUPPORT;
	if (t->nfds && strncmp(t->ifname, ifr.ifr_name, sizeof(t->ifname) - 1))
		return -EXDEV;	/* another interface */
	memcpy(t->ifname, ifr.ifr_name, sizeof(t->ifname) - 1);
	t->fds[t->nfds++] = fd;
	return set_nonblock(fd);
}

int tap_adopt(struct tap *t, const int *fds, unsigned n)
{
	unsigned i;
	int ret;

	memset(t, 0, sizeof(*t));
	if (!n || n > TAP_MAX_QUEUES)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		ret = adopt_one(t, fds[i]);
		if (ret)
			return ret;
	}
	return 0;
}

int tap_set_vnet_hdr_len(struct tap *t, int len)
{
	unsigned i;

	for (i = 0; i < t->nfds; i++)
		if (ioctl(t->fds[i], TUNSETVNETHDRSZ, &len) < 0)
			return -errno;
	return 0;
}

int tap_set_offload(struct tap *t, unsigned flags)
{
	unsigned i;

	for (i = 0; i < t->nfds; i++)
		if (ioctl(t->fds[i], TUNSETOFFLOAD, (unsigned long)flags) < 0)
			return -errno;
	return 0;
}

int tap_set_filter(struct tap *t, bool allmulti, const uint8_t (*macs)[6],
		   unsigned n)
{
	struct tun_filter *f;
	unsigned i;
	int ret = 0;

	if (!t->nfds)
		return -EBADF;
	for (i = TAP_FILTER_EXACT; i < n; i++)
		if (!(macs[i][0] & 1))
			break;		/* unicast past the exact ones */
	if (i < n || n > UINT16_MAX)
		n = 0;
	f = calloc(1, sizeof(*f) + 6 * (size_t)n);
	if (!f)
		return -ENOMEM;
	f->flags = allmulti ? TUN_FLT_ALLMULTI : 0;
	f->count = (uint16_t)n;
	if (n)
		memcpy(f->addr, macs, 6 * (size_t)n);
	/* Queue 0 is never detached (tap_enable_queue): its fd reaches
	 * the interface's filter. */
	if (ioctl(t->fds[0], TUNSETTXFILTER, f) < 0)
		ret = -errno;
	free(f);
	return ret;
}

int tap_enable_queue(struct tap *t, unsigned i, bool on)
{
	struct ifreq ifr;

	if (i >= t->nfds)
		return -EINVAL;
	if (t->nfds == 1)
		return 0;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = on ? IFF_ATTACH_QUEUE : IFF_DETACH_QUEUE;
	if (ioctl(t->fds[i], TUNSETQUEUE, &ifr) < 0)
		return -errno;
	return 0;
}

void tap_close(struct tap *t)
{
	unsigned i;

	if (t->owned)
		for (i = 0; i < t->nfds; i++)
			close(t->fds[i]);
	t->nfds = 0;
}
