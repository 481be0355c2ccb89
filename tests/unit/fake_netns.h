/* Tests that need real network interfaces: a private network namespace
 * (nothing in it reaches another machine) and bringing a link up. */
#ifndef VIREO_TESTS_FAKE_NETNS_H
#define VIREO_TESTS_FAKE_NETNS_H

#include <net/if.h>
#include <sched.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* Enter a fresh network namespace; false without root or /dev/net/tun
 * (the caller then skips). */
static inline bool netns_enter(void)
{
	return unshare(CLONE_NEWNET) == 0 &&
	       access("/dev/net/tun", R_OK | W_OK) == 0;
}

static inline void netns_link_up(const char *ifname)
{
	struct ifreq ifr = { 0 };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_true(s >= 0);
	strcpy(ifr.ifr_name, ifname);
	assert_int_equal(ioctl(s, SIOCGIFFLAGS, &ifr), 0);
	ifr.ifr_flags |= IFF_UP;
	assert_int_equal(ioctl(s, SIOCSIFFLAGS, &ifr), 0);
	close(s);
}

#endif
