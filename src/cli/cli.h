/* The vireo CLI: virsh's command names, options and output for what
 * vireod serves.  Commands print to stdout and report errors on stderr
 * as virsh does ("error: ..."). */
#ifndef VIREO_CLI_CLI_H
#define VIREO_CLI_CLI_H

#include "rpc/client.h"

struct cmd {
	const char *name;
	int (*fn)(struct rpc_client *c, int argc, char **argv);
	const char *usage;
};

/* The command table, ended by a NULL name. */
extern const struct cmd cli_cmds[];

/* A domain by id, UUID or (by_name) name, in virsh's order; prints
 * virsh's error and returns -1 when there is none. */
int cli_find_dom(struct rpc_client *c, const char *arg, bool by_name,
		 struct rpc_dom *d);
/* vireo console (console.c). */
int cmd_console(struct rpc_client *c, int argc, char **argv);

/* "error: " and the message on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The server's last error (or the local one for ret) as an error line. */
void cli_report(struct rpc_client *c, int ret);

#endif
