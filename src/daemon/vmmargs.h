/* vireo-vmm's command line for a domain definition: what vireod runs
 * when a domain starts.  A device the VMM (or vireod) cannot provide yet
 * is refused with a one-line reason rather than dropped. */
#ifndef VIREO_DAEMON_VMMARGS_H
#define VIREO_DAEMON_VMMARGS_H

#include <stdbool.h>
#include <stddef.h>

#include "daemon/domxml.h"

struct vmm_launch {
	const char *vmm;     /* the program */
	const char *monitor; /* --monitor PATH */
	bool no_reboot;	     /* on_reboot is not restart */
};

/* A NULL-terminated malloc'd argv (free with vmm_args_free), or NULL with
 * a one-line reason in err (-EOPNOTSUPP) or out of memory (-ENOMEM) in
 * *ret. */
char **vmm_args_build(const struct domain_def *def, const struct vmm_launch *l,
		      int *ret, char *err, size_t errlen);
void vmm_args_free(char **argv);

#endif
