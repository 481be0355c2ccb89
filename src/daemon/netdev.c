/* TAPs for a domain's interfaces (see netdev.h): created through the
 * net layer's tap_open, brought up and added to a bridge with the
 * classic interface ioctls (SIOCSIFFLAGS, SIOCBRADDIF), which need no
 * netlink code and are what brctl uses. */
#include "daemon/netdev.h"

#include <errno.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

bool netdev_vireod_creates(const struct domain_net *n)
{
	return n->type == DOMAIN_NET_BRIDGE || !n->ifname;
}

const char *netdev_name(const struct domain_net *n)
{
	return n->ifname ? n->ifname : NETDEV_TEMPLATE;
}

int netdev_check_bridge(const char *name, char *err, size_t errlen)
{
	char path[64];
	struct stat st;

	if (!if_nametoindex(name)) {
		snprintf(err, errlen, "bridge '%s' does not exist", name);
		return -ENODEV;
	}
	/* A bridge has a bridge/ folder among its sysfs attributes. */
	snprintf(path, sizeof(path), "/sys/class/net/%s/bridge", name);
	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "interface '%s' is not a bridge", name);
		return -ENOTDIR;
	}
	return 0;
}

/* Brings ifname up and, with a bridge, adds it there; 0 or -errno with
 * the reason in err. */
static int up_and_enslave(const char *ifname, const char *bridge, char *err,
			  size_t errlen)
{
	struct ifreq ifr;
	int s, ret = 0;

	s = socket(AF_LOCAL, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0) {
		ret = -errno;
		snprintf(err, errlen, "socket: %s", strerror(-ret));
		return ret;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0 ||
	    (ifr.ifr_flags |= IFF_UP, ioctl(s, SIOCSIFFLAGS, &ifr) < 0)) {
		ret = -errno;
		snprintf(err, errlen, "cannot bring %s up: %s", ifname,
			 strerror(-ret));
		goto out;
	}
	if (!bridge)
		goto out;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", bridge);
	ifr.ifr_ifindex = (int)if_nametoindex(ifname);
	if (!ifr.ifr_ifindex || ioctl(s, SIOCBRADDIF, &ifr) < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot add %s to bridge %s: %s", ifname,
			 bridge, strerror(-ret));
	}
out:
	close(s);
	return ret;
}

int netdev_open(const struct domain_net *n, struct tap *t, char *err,
		size_t errlen)
{
	const char *name = netdev_name(n);
	int ret;

	if (n->bridge) {
		ret = netdev_check_bridge(n->bridge, err, errlen);
		if (ret < 0)
			return ret;
	}
	ret = tap_open(t, name, n->queues ? n->queues : 1);
	if (ret < 0) {
		/* EACCES: /dev/net/tun is not open to vireod's user; EPERM:
		 * TUNSETIFF without CAP_NET_ADMIN. */
		snprintf(err, errlen, "cannot create %s%s: %s%s",
			 n->ifname ? "TAP " : "a TAP", n->ifname ? name : "",
			 strerror(-ret),
			 ret == -EPERM || ret == -EACCES
			     ? " (vireod needs CAP_NET_ADMIN and access to "
			       "/dev/net/tun)"
			     : "");
		return ret;
	}
	ret = up_and_enslave(t->ifname, n->bridge, err, errlen);
	if (ret < 0)
		tap_close(t);
	return ret;
}
