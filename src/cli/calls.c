/* Typed wrappers over the REMOTE procedures the CLI calls (see calls.h):
 * each packs its arguments with the rpc/wire.c filters and unpacks the
 * reply with the same checked filters. */
#include "cli/calls.h"

#include <errno.h>
#include <stdlib.h>

/* Arguments, encoded in this order when present. */
struct args {
	const struct rpc_dom *dom;
	const uint8_t *uuid;
	const char *str;
	bool no_str; /* an absent remote_string */
	bool has_int, has_flags;
	int32_t i;
	uint32_t flags;
};

static bool enc_args(XDR *x, void *arg)
{
	struct args *a = arg;
	struct rpc_dom d;
	char *s = (char *)a->str;

	if (a->dom) {
		d = *a->dom;
		if (!rpc_x_dom(x, &d))
			return false;
	}
	if (a->uuid && !rpc_x_uuid(x, (uint8_t *)a->uuid))
		return false;
	if (a->str && !rpc_x_str(x, &s, RPC_STRING_MAX))
		return false;
	if (a->no_str && !rpc_x_optstr(x, &(char *){NULL}))
		return false;
	if (a->has_int && !xdr_int32_t(x, &a->i))
		return false;
	return !a->has_flags || xdr_uint32_t(x, &a->flags);
}

static bool dec_dom(XDR *x, void *arg)
{
	return rpc_x_dom(x, arg);
}

static bool dec_str(XDR *x, void *arg)
{
	return rpc_x_str(x, arg, RPC_STRING_MAX);
}

static bool dec_u64(XDR *x, void *arg)
{
	return xdr_uint64_t(x, arg);
}

struct ints {
	int32_t *v;
	int n;
};

static bool dec_ints(XDR *x, void *arg)
{
	struct ints *in = arg;
	int i;

	for (i = 0; i < in->n; i++)
		if (!xdr_int32_t(x, &in->v[i]))
			return false;
	return true;
}

static bool dec_info(XDR *x, void *arg)
{
	return rpc_x_dom_info(x, arg);
}

static bool dec_node(XDR *x, void *arg)
{
	return rpc_x_node_info(x, arg);
}

struct list {
	struct rpc_dom *doms;
	uint32_t n;
};

static bool dec_list(XDR *x, void *arg)
{
	struct list *l = arg;
	uint32_t n, i, total;

	if (!xdr_uint32_t(x, &n) || n > RPC_DOMAIN_LIST_MAX)
		return false;
	l->doms = calloc(n ? n : 1, sizeof(*l->doms));
	if (!l->doms)
		return false;
	for (i = 0; i < n; i++) {
		if (!rpc_x_dom(x, &l->doms[i])) {
			free_doms(l->doms, i);
			l->doms = NULL;
			return false;
		}
	}
	l->n = n;
	return xdr_uint32_t(x, &total);
}

static int run(struct rpc_client *c, int proc, struct args *a,
	       rpc_decode_fn dec, void *darg)
{
	return rpc_client_call(c, proc, enc_args, a, dec, darg);
}

int call_lookup_name(struct rpc_client *c, const char *name,
		     struct rpc_dom *out)
{
	struct args a = {.str = name};

	return run(c, PROC_DOMAIN_LOOKUP_BY_NAME, &a, dec_dom, out);
}

int call_lookup_uuid(struct rpc_client *c, const uint8_t *uuid,
		     struct rpc_dom *out)
{
	struct args a = {.uuid = uuid};

	return run(c, PROC_DOMAIN_LOOKUP_BY_UUID, &a, dec_dom, out);
}

int call_lookup_id(struct rpc_client *c, int32_t id, struct rpc_dom *out)
{
	struct args a = {.has_int = true, .i = id};

	return run(c, PROC_DOMAIN_LOOKUP_BY_ID, &a, dec_dom, out);
}

int call_define(struct rpc_client *c, const char *xml, struct rpc_dom *out)
{
	struct args a = {.str = xml};

	return run(c, PROC_DOMAIN_DEFINE_XML, &a, dec_dom, out);
}

int call_create_xml(struct rpc_client *c, const char *xml, struct rpc_dom *out)
{
	struct args a = {.str = xml, .has_flags = true};

	return run(c, PROC_DOMAIN_CREATE_XML, &a, dec_dom, out);
}

int call_list_all(struct rpc_client *c, uint32_t flags, struct rpc_dom **out,
		  uint32_t *n)
{
	struct args a = {
	    .has_int = true, .i = 1, .has_flags = true, .flags = flags};
	struct list l = {NULL, 0};
	int ret = run(c, PROC_CONNECT_LIST_ALL_DOMAINS, &a, dec_list, &l);

	if (ret < 0) {
		free_doms(l.doms, l.n);
		return ret;
	}
	*out = l.doms;
	*n = l.n;
	return 0;
}

int call_dom(struct rpc_client *c, int proc, const struct rpc_dom *d,
	     bool with_flags, uint32_t flags, int32_t *i, int nints)
{
	struct args a = {.dom = d, .has_flags = with_flags, .flags = flags};
	struct ints in = {i, nints};

	return run(c, proc, &a, nints ? dec_ints : NULL, &in);
}

int call_open_console(struct rpc_client *c, const struct rpc_dom *d,
		      uint32_t flags)
{
	struct args a = {
	    .dom = d, .no_str = true, .has_flags = true, .flags = flags};

	return run(c, PROC_DOMAIN_OPEN_CONSOLE, &a, NULL, NULL);
}

int call_dom_set_int(struct rpc_client *c, int proc, const struct rpc_dom *d,
		     int32_t v)
{
	struct args a = {.dom = d, .has_int = true, .i = v};

	return run(c, proc, &a, NULL, NULL);
}

int call_dom_str(struct rpc_client *c, int proc, const struct rpc_dom *d,
		 bool with_flags, uint32_t flags, char **out)
{
	struct args a = {.dom = d, .has_flags = with_flags, .flags = flags};

	*out = NULL;
	return run(c, proc, &a, dec_str, out);
}

int call_dom_info(struct rpc_client *c, const struct rpc_dom *d,
		  struct rpc_dom_info *out)
{
	struct args a = {.dom = d};

	return run(c, PROC_DOMAIN_GET_INFO, &a, dec_info, out);
}

int call_str(struct rpc_client *c, int proc, char **out)
{
	*out = NULL;
	return rpc_client_call(c, proc, NULL, NULL, dec_str, out);
}

int call_u64(struct rpc_client *c, int proc, uint64_t *out)
{
	return rpc_client_call(c, proc, NULL, NULL, dec_u64, out);
}

int call_node_info(struct rpc_client *c, struct rpc_node_info *out)
{
	return rpc_client_call(c, PROC_NODE_GET_INFO, NULL, NULL, dec_node,
			       out);
}

void free_doms(struct rpc_dom *d, uint32_t n)
{
	uint32_t i;

	for (i = 0; d && i < n; i++)
		rpc_dom_clear(&d[i]);
	free(d);
}
