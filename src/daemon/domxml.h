/* Domain XML: the subset of libvirt's domain schema that Vireo runs,
 * parsed into and formatted from struct domain_def with libxml2.  Anything
 * outside the subset is refused with a message naming it, never dropped.
 * Runtime-only state (the domain id, the pty paths) is accepted and
 * ignored on input, and written only by the live variant of the format.
 * docs/management.md lists what is accepted. */
#ifndef VIREO_DAEMON_DOMXML_H
#define VIREO_DAEMON_DOMXML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DOMAIN_NAME_MAX 64	/* bytes, without the NUL */
#define DOMAIN_VCPUS_MAX 255
#define DOMAIN_DISKS_MAX 16
#define DOMAIN_NETS_MAX 8
#define DOMAIN_NET_QUEUES_MAX 16 /* the VMM's and the TAP's limit */
#define DOMAIN_NET_RING_MIN 64	/* the VMM's --net queue-size= limits */
#define DOMAIN_NET_RING_MAX 1024
#define DOMAIN_UUID_LEN 16
#define DOMAIN_UUID_STRLEN 36	/* canonical form, without the NUL */
#define DOMAIN_XML_MAX (1 << 20) /* longest document accepted */

/* on_poweroff, on_reboot, on_crash. */
enum domain_action {
	DOMAIN_ACTION_DESTROY,
	DOMAIN_ACTION_RESTART,
	DOMAIN_ACTION_PRESERVE,
	DOMAIN_ACTION_RENAME_RESTART,
};

/* <driver cache=...>; DEFAULT when the attribute is absent. */
enum domain_disk_cache {
	DOMAIN_CACHE_DEFAULT,
	DOMAIN_CACHE_NONE,
	DOMAIN_CACHE_WRITEBACK,
	DOMAIN_CACHE_UNSAFE,
};

/* <disk type='file|block' device='disk'>, always raw, always virtio. */
struct domain_disk {
	bool block;		/* type='block' (<source dev>), else 'file' */
	char *source;		/* absolute path */
	char target[8];		/* "vda".. */
	enum domain_disk_cache cache;
	bool readonly;
	char *serial;		/* NULL when absent; at most 20 bytes */
};

enum domain_net_type {
	DOMAIN_NET_ETHERNET,	/* a tap device, <target dev> */
	DOMAIN_NET_BRIDGE,	/* a tap device on <source bridge> */
};

/* <interface>, always <model type='virtio'/>. */
struct domain_net {
	enum domain_net_type type;
	char *bridge;		/* DOMAIN_NET_BRIDGE only */
	char *ifname;		/* <target dev>, NULL when absent */
	uint8_t mac[6];		/* generated (52:54:00:...) when absent */
	unsigned queues;	/* <driver queues=N>, 1..16; 0 when absent */
	/* <driver rx_queue_size=N tx_queue_size=N>: a power of two from 64
	 * to 1024, 0 when absent; equal when both are given (the VMM's
	 * rings share one size, --net ...,queue-size=). */
	unsigned rx_queue_size, tx_queue_size;
};

struct domain_def {
	char *name;
	uint8_t uuid[DOMAIN_UUID_LEN];	/* generated when absent */
	char *title;			/* NULL when absent; one line */
	char *description;		/* NULL when absent */
	uint64_t memory_kib;		/* <memory>, > 0 */
	uint64_t current_memory_kib;	/* <currentMemory>, <= memory */
	unsigned vcpus;			/* 1..DOMAIN_VCPUS_MAX */

	/* <os>: always <type arch='x86_64'>hvm</type>, direct kernel boot. */
	char *machine;			/* <type machine=...>, NULL if absent */
	char *kernel;			/* absolute path, required */
	char *initrd;			/* absolute path, NULL when absent */
	char *cmdline;			/* NULL when absent */

	enum domain_action on_poweroff;	/* default destroy */
	enum domain_action on_reboot;	/* default restart */
	enum domain_action on_crash;	/* default destroy */
	bool acpi;			/* <features><acpi/></features> */

	struct domain_disk *disks;
	size_t ndisks;
	struct domain_net *nets;
	size_t nnets;
	bool serial;			/* <serial type='pty'> (COM1) */
	bool console;			/* <console type='pty'> on it */
	bool rng;			/* <rng model='virtio'> */
	char *rng_backend;		/* "/dev/urandom" or "/dev/random" */
	bool balloon;			/* memballoon virtio (the default);
					 * false for model='none' */
	bool vsock;			/* <vsock model='virtio'> */
	bool vsock_auto;		/* <cid auto='yes'> */
	uint32_t vsock_cid;		/* 0 when auto and no address */
};

/* Runtime state the live XML adds (virsh dumpxml of a running domain). */
struct domxml_live {
	int id;				/* <domain id=...> */
	const char *pty;		/* the serial/console pty, or NULL */
	/* The TAP each interface uses (nnets entries, each NULL when
	 * unknown), or NULL: <target dev> shows it. */
	const char *const *ifnames;
	uint32_t vsock_cid;		/* the CID in use; 0 when none */
};

/* Parses a domain document of `len` bytes.  0 and *out (free with
 * domain_def_free), or -EINVAL with one line naming the problem in `err`
 * (e.g. "unsupported element <graphics> in <devices>"); -ENOMEM. */
int domxml_parse(const char *xml, size_t len, struct domain_def **out,
		 char *err, size_t errlen);

/* The document for `def`, malloc'd and NUL-terminated; NULL on allocation
 * failure.  `live` NULL gives the inactive definition, which domxml_parse
 * reads back into an equal struct domain_def. */
char *domxml_format(const struct domain_def *def,
		    const struct domxml_live *live);

/* Do the files the definition names exist and have the right kind
 * (kernel, initrd, file disks: regular files; block disks: block
 * devices)?  0, or -errno with one line in `err`.  For define/start. */
int domain_def_check_files(const struct domain_def *def, char *err,
			   size_t errlen);

/* Field-by-field equality (the round-trip property's "=="). */
bool domain_def_equal(const struct domain_def *a, const struct domain_def *b);

/* "3b0f...-..." into out[DOMAIN_UUID_STRLEN + 1]. */
void domain_uuid_format(const uint8_t uuid[DOMAIN_UUID_LEN], char *out);

void domain_def_free(struct domain_def *def);

#endif
