/* vireo-vmm's command line for a domain definition: what vireod runs
 * when a domain starts.  What vireod provides at the launch (the TAP
 * descriptors it opened, the vsock CID it picked) comes with it. */
#ifndef VIREO_DAEMON_VMMARGS_H
#define VIREO_DAEMON_VMMARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/domxml.h"

/* An interface's TAP as vireod opened it: n descriptors (one per queue
 * pair); n == 0: the VMM opens <target dev> itself (tap=NAME). */
struct vmm_net_fds {
	unsigned n;
	const int *fds;
};

struct vmm_launch {
	const char *vmm;     /* the program */
	const char *monitor; /* --monitor PATH */
	bool no_reboot;	     /* on_reboot is not restart */
	/* def->nnets entries (NULL: none has descriptors). */
	const struct vmm_net_fds *nets;
	uint32_t vsock_cid; /* the guest's CID with <vsock>; >= 3 */
};

/* A NULL-terminated malloc'd argv (free with vmm_args_free), or NULL with
 * a one-line reason in err: an interface without a TAP (-EINVAL), a vsock
 * without a CID (-EINVAL), out of memory (-ENOMEM); the code in *ret. */
char **vmm_args_build(const struct domain_def *def, const struct vmm_launch *l,
		      int *ret, char *err, size_t errlen);
void vmm_args_free(char **argv);

/* The smallest vsock CID >= 3 not among used[n]. */
uint32_t vmm_free_cid(const uint32_t *used, size_t n);

#endif
