/* What the daemon needs to know of a domain's XML definition: name, UUID,
 * memory, vCPUs, the kernel to boot, and the definition's text as stored.  Until the
 * full domain XML model (domxml.h) lands, this reads those few elements
 * with libxml2 and keeps the rest of the document untouched. */
#ifndef VIREO_DAEMON_DOMDEF_H
#define VIREO_DAEMON_DOMDEF_H

#include <stddef.h>
#include <stdint.h>

#include "rpc/proto.h"

#define DOMDEF_NAME_MAX 256
#define RPC_NAME_BUF (DOMDEF_NAME_MAX + 1)

struct domdef {
	char *name;
	uint8_t uuid[RPC_UUID_LEN];
	uint64_t memory_kib;
	uint32_t vcpus;
	/* <os>: direct kernel boot; NULL when absent. */
	char *kernel, *initrd, *cmdline;
	char *xml; /* the definition, with a generated <uuid> if it had none */
};

/* 0, or -EINVAL with a one-line reason in err. */
int domdef_parse(const char *xml, size_t len, struct domdef **out, char *err,
		 size_t errlen);
void domdef_free(struct domdef *d);

#endif
