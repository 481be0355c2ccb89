/* XDR filters for the values Vireo's RPC carries (libvirt's remote
 * protocol types): strings, optional strings, UUIDs, domain references,
 * node and domain info, the error struct.  One filter encodes and decodes
 * (libtirpc's XDR direction); a decoded string is malloc'd and the caller
 * frees it (rpc_dom_clear, rpc_error_clear). */
#ifndef VIREO_RPC_WIRE_H
#define VIREO_RPC_WIRE_H

#include <stdbool.h>
#include <stdint.h>
#include <rpc/xdr.h>

#include "rpc/proto.h"

/* remote_nonnull_domain */
struct rpc_dom {
	char *name;
	uint8_t uuid[RPC_UUID_LEN];
	int32_t id; /* -1: not running */
};

/* remote_node_get_info_ret */
struct rpc_node_info {
	char model[32];
	uint64_t memory_kib;
	int32_t cpus, mhz, nodes, sockets, cores, threads;
};

/* remote_domain_get_info_ret */
struct rpc_dom_info {
	uint32_t state;
	uint64_t max_mem_kib, mem_kib;
	uint32_t nr_vcpu;
	uint64_t cpu_time_ns;
};

/* remote_error: what Vireo keeps of it (the domain/network references
 * are decoded and dropped). */
struct rpc_error {
	int32_t code;
	int32_t domain;
	char *message;
	int32_t level;
};

/* A string (remote_nonnull_string) of at most max bytes.  Decoding
 * rejects a length past max and an embedded NUL. */
bool rpc_x_str(XDR *x, char **s, uint32_t max);
/* remote_string: a present flag, then the string (NULL when absent). */
bool rpc_x_optstr(XDR *x, char **s);
bool rpc_x_uuid(XDR *x, uint8_t uuid[RPC_UUID_LEN]);
bool rpc_x_dom(XDR *x, struct rpc_dom *d);
/* remote_domain kept: *present says whether it was there. */
bool rpc_x_optdom(XDR *x, bool *present, struct rpc_dom *d);
/* remote_domain: an optional domain reference, decoded and dropped on
 * decode, written as absent on encode. */
bool rpc_x_optdom_skip(XDR *x);
bool rpc_x_node_info(XDR *x, struct rpc_node_info *n);
bool rpc_x_dom_info(XDR *x, struct rpc_dom_info *i);
bool rpc_x_error(XDR *x, struct rpc_error *e);

void rpc_dom_clear(struct rpc_dom *d);
void rpc_error_clear(struct rpc_error *e);

/* Text form of a UUID (36 characters and a NUL) and back (0 or -EINVAL). */
void rpc_uuid_format(const uint8_t uuid[RPC_UUID_LEN], char out[37]);
int rpc_uuid_parse(const char *s, uint8_t uuid[RPC_UUID_LEN]);

#endif
