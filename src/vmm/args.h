/* vireo-vmm's command line. */
#ifndef VIREO_VMM_ARGS_H
#define VIREO_VMM_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "block/opts.h"
#include "net/opts.h"

enum console_kind {
	CONSOLE_STDIO,
	CONSOLE_PTY,
	CONSOLE_FILE,
	CONSOLE_NONE,
};

#define VMM_MAX_DISKS		16
#define VMM_MAX_NETS		8

struct vmm_args {
	const char *kernel;
	const char *initrd;
	const char *cmdline;
	const char *name;
	unsigned cpus;
	uint64_t memory;
	enum console_kind console;
	const char *console_path;	/* for CONSOLE_FILE */
	const char *monitor;		/* QMP socket path; NULL: none */
	bool no_reboot;
	bool stats;
	bool io_batch;		/* --io-batch: main thread SCHED_BATCH */
	bool verbose;
	bool help;
	bool version;
	bool check_kvm;		/* only check /dev/kvm, then exit */
	unsigned ndisks;	/* --disk, in command-line order */
	struct blk_opts disks[VMM_MAX_DISKS];
	/* --balloon[=][target=SIZE][,deflate-on-oom=on][,free-page-reporting=on] */
	bool balloon;
	uint64_t balloon_target;	/* guest memory; 0: all of --memory */
	bool balloon_deflate_on_oom;
	bool balloon_reporting;
	unsigned nnets;		/* --net, in command-line order */
	struct net_opts nets[VMM_MAX_NETS];
	/* --rng[=][rate=BYTES_PER_SEC] */
	bool rng;
	uint64_t rng_rate;		/* 0: unlimited */
	/* --vsock cid=N: a virtio-vsock device on the kernel's vhost-vsock */
	bool vsock;
	uint32_t vsock_cid;		/* VMM_VSOCK_MIN_CID..VMM_VSOCK_MAX_CID */
};

#define VMM_DEFAULT_MEMORY	(512ULL << 20)
#define VMM_DEFAULT_CMDLINE	"console=ttyS0"
#define VMM_MIN_MEMORY		(2ULL << 20)
/* 0 (hypervisor), 1 (local) and 2 (host) are reserved, and so is
 * U32_MAX (VMADDR_CID_ANY). */
#define VMM_VSOCK_MIN_CID	3u
#define VMM_VSOCK_MAX_CID	0xfffffffeu

/* 0, or -EINVAL with a one-line explanation in err. */
int args_parse(int argc, char **argv, struct vmm_args *a, char *err,
	       size_t errlen);
void args_usage(FILE *out, const char *prog);

#endif
