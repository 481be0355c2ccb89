/* What vireod reports about its host: hostname, node info (CPUs, memory),
 * the capabilities and domain-capabilities XML documents. */
#ifndef VIREO_DAEMON_HOST_H
#define VIREO_DAEMON_HOST_H

#include "rpc/wire.h"

/* Vireo's version as libvirt encodes one (major * 1000000 + minor * 1000
 * + micro), from meson.build's project version. */
#ifndef VIREO_VERSION_NUM
#error "VIREO_VERSION_NUM comes from meson.build"
#endif

int host_node_info(struct rpc_node_info *n);
/* malloc'd strings, NULL when out of memory. */
char *host_hostname(void);
char *host_capabilities(void);
char *host_domain_capabilities(void);

#endif
