/* The value of one `--net` option:
 *   tap=IFNAME[,mac=MAC][,vhost=on|off|auto][,queues=N][,thread=T]
 *   fd=N[:N...][,mac=MAC][,vhost=on|off|auto][,queues=N][,thread=T]
 * (T: batch or normal, the scheduling of the NIC's I/O thread)
 * (fd=: inherited TAP fds, one per queue pair, as libvirt passes them). 
 * parsed into a self-contained struct (no pointers into the argument). */
#ifndef VIREO_NET_OPTS_H
#define VIREO_NET_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NET_IFNAME_MAX	15	/* IFNAMSIZ - 1 */
#define NET_QUEUES_MAX	16	/* queue pairs */
/* queue-size=: the rings' entries, a power of two (1024 is the most
 * QEMU offers, and so what guests' drivers are used to). */
#define NET_QUEUE_SIZE_MIN	64
#define NET_QUEUE_SIZE_MAX	1024

enum net_vhost { NET_VHOST_AUTO, NET_VHOST_ON, NET_VHOST_OFF };

struct net_opts {
	char ifname[NET_IFNAME_MAX + 1];	/* "" with fd= */
	int fd;				/* the first fd; -1 with tap= */
	unsigned nfds;			/* 0 with tap= */
	int fds[NET_QUEUES_MAX];
	bool has_mac;
	uint8_t mac[6];
	enum net_vhost vhost;
	unsigned queues;		/* queue pairs, >= 1 */
	bool thread_normal;		/* thread=normal: not SCHED_BATCH */
	unsigned queue_size;		/* queue-size=: ring entries; 0 the
					 * device's default */
};

/* Parses s into o (defaults first).  0, or -EINVAL with one line in err
 * naming the bad key or value. */
int net_opts_parse(const char *s, struct net_opts *o, char *err,
		   size_t errlen);

/* A random locally administered unicast MAC. */
void net_random_mac(uint8_t mac[6]);

#endif
