/* vireo: the command-line client of vireod, with virsh's command names
 * and output.  vireo [-c URI] COMMAND [ARGS]; the URI is virsh's
 * (vireo+unix:///system?socket=PATH, qemu+unix://... too) and defaults to
 * vireod's default socket. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "rpc/paths.h"

void cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void cli_report(struct rpc_client *c, int ret)
{
	if (ret == -EREMOTEIO)
		cli_error("%s",
			  c->err.message ? c->err.message : "unknown error");
	else if (ret == -EPROTO)
		cli_error("the daemon's reply does not parse");
	else
		cli_error("%s", strerror(-ret));
}

static void usage(FILE *f)
{
	const struct cmd *c;

	fprintf(f, "usage: vireo [-c URI] COMMAND [ARGS]\ncommands:\n");
	for (c = cli_cmds; c->name; c++)
		fprintf(f, "  %-13s %s\n", c->name, c->usage);
}

/* The socket of a URI: its socket= parameter, else the default one.
 * The name sent in CONNECT_OPEN is the URI without the transport and
 * the query, as libvirt's remote driver sends it. */
static int parse_uri(const char *uri, char *sock, size_t socklen, char *name,
		     size_t namelen)
{
	const char *q = uri ? strchr(uri, '?') : NULL, *p, *plus, *colon;
	size_t n;

	if (!uri) {
		snprintf(name, namelen, "vireo:///system");
		return paths_default_socket(sock, socklen);
	}
	colon = strstr(uri, "://");
	plus = strchr(uri, '+');
	if (!colon)
		return -EINVAL;
	if (plus && plus < colon)
		snprintf(name, namelen, "%.*s%.*s", (int)(plus - uri), uri,
			 (int)((q ? q : uri + strlen(uri)) - colon), colon);
	else
		snprintf(name, namelen, "%.*s",
			 (int)((q ? q : uri + strlen(uri)) - uri), uri);
	for (p = q; p; p = strchr(p + 1, '&')) {
		if (strncmp(p + 1, "socket=", 7))
			continue;
		n = strcspn(p + 8, "&");
		if (n == 0 || n >= socklen)
			return -EINVAL;
		memcpy(sock, p + 8, n);
		sock[n] = '\0';
		return 0;
	}
	return paths_default_socket(sock, socklen);
}

static int run(const char *uri, const struct cmd *cmd, int argc, char **argv)
{
	char sock[PATH_BUF], name[1024];
	struct rpc_client c;
	int ret;

	if (parse_uri(uri, sock, sizeof(sock), name, sizeof(name)) < 0) {
		cli_error("failed to connect to the hypervisor");
		cli_error("no socket: give -c URI with ?socket=PATH, or set "
			  "XDG_RUNTIME_DIR");
		return 1;
	}
	ret = rpc_client_connect(&c, sock);
	if (ret == 0)
		ret = rpc_client_open(&c, name);
	if (ret < 0) {
		cli_error("failed to connect to the hypervisor");
		if (ret == -EREMOTEIO)
			cli_report(&c, ret);
		else
			cli_error("cannot connect to vireod at '%s': %s (is "
				  "vireod running?)",
				  sock, strerror(-ret));
		rpc_client_close(&c);
		return 1;
	}
	ret = cmd->fn(&c, argc, argv);
	rpc_client_call(&c, PROC_CONNECT_CLOSE, NULL, NULL, NULL, NULL);
	rpc_client_close(&c);
	return ret;
}

int main(int argc, char **argv)
{
	const char *uri = getenv("VIREO_DEFAULT_URI");
	const struct cmd *cmd;
	int i = 1, ret;

	if (i + 1 < argc && !strcmp(argv[i], "-c")) {
		uri = argv[i + 1];
		i += 2;
	} else if (i < argc && !strncmp(argv[i], "--connect=", 10)) {
		uri = argv[i] + 10;
		i++;
	}
	if (i >= argc || !strcmp(argv[i], "-h") || !strcmp(argv[i], "help") ||
	    !strcmp(argv[i], "--help")) {
		usage(i >= argc ? stderr : stdout);
		return i >= argc ? 1 : 0;
	}
	for (cmd = cli_cmds; cmd->name; cmd++)
		if (!strcmp(cmd->name, argv[i]))
			break;
	if (!cmd->name) {
		cli_error("unknown command: '%s'", argv[i]);
		return 1;
	}
	ret = run(uri, cmd, argc - i, argv + i);
	/* virsh ends every command's output with an empty line. */
	putchar('\n');
	return ret;
}
