/* The vireo CLI's typed wrappers over the REMOTE procedures it calls.
 * Each returns 0, -EREMOTEIO (the server's error in c->err), or another
 * -errno from the connection. */
#ifndef VIREO_CLI_CALLS_H
#define VIREO_CLI_CALLS_H

#include "rpc/client.h"

int call_lookup_name(struct rpc_client *c, const char *name,
		     struct rpc_dom *out);
int call_lookup_uuid(struct rpc_client *c, const uint8_t *uuid,
		     struct rpc_dom *out);
int call_lookup_id(struct rpc_client *c, int32_t id, struct rpc_dom *out);
int call_define(struct rpc_client *c, const char *xml, struct rpc_dom *out);
int call_create_xml(struct rpc_client *c, const char *xml, struct rpc_dom *out);
int call_list_all(struct rpc_client *c, uint32_t flags, struct rpc_dom **out,
		  uint32_t *n);

/* A procedure taking a domain (and flags, when with_flags) and returning
 * nothing, one int (*i), or two ints (i[0], i[1]). */
int call_dom(struct rpc_client *c, int proc, const struct rpc_dom *d,
	     bool with_flags, uint32_t flags, int32_t *i, int nints);
/* DOMAIN_OPEN_CONSOLE of d's console (no device name): its stream then
 * carries the call's serial (rpc_client_last_serial). */
int call_open_console(struct rpc_client *c, const struct rpc_dom *d,
		      uint32_t flags);
int call_dom_set_int(struct rpc_client *c, int proc, const struct rpc_dom *d,
		     int32_t v);
int call_dom_str(struct rpc_client *c, int proc, const struct rpc_dom *d,
		 bool with_flags, uint32_t flags, char **out);
int call_dom_info(struct rpc_client *c, const struct rpc_dom *d,
		  struct rpc_dom_info *out);
/* Procedures without arguments returning a string or an unsigned hyper. */
int call_str(struct rpc_client *c, int proc, char **out);
int call_u64(struct rpc_client *c, int proc, uint64_t *out);
int call_node_info(struct rpc_client *c, struct rpc_node_info *out);

void free_doms(struct rpc_dom *d, uint32_t n);

#endif
