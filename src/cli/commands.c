/* The vireo CLI's commands (see cli.h), each printing what virsh 9.0
 * prints for the same command against the same daemon. */
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/calls.h"
#include "util/parse.h"

#define XML_INACTIVE 2u

static const char *state_name(int s)
{
	static const char *names[] = {
	    "no state",	   "running",  "idle",	  "paused",
	    "in shutdown", "shut off", "crashed", "pmsuspended",
	};

	return s >= 0 && s < 8 ? names[s] : "unknown";
}

static const char *reason_name(int state, int r)
{
	static const char *running[] = {
	    "unknown",	     "booted",	 "migrated",	       "restored",
	    "from snapshot", "unpaused", "migration canceled", "save canceled",
	    "event wakeup",  "crashed",	 "post-copy",
	};
	static const char *paused[] = {
	    "unknown",	     "user",
	    "migrating",     "saving",
	    "dumping",	     "I/O error",
	    "watchdog",	     "from snapshot",
	    "shutting down", "creating snapshot",
	    "crashed",	     "starting up",
	    "post-copy",     "post-copy failed",
	};
	static const char *shutoff[] = {
	    "unknown", "shutdown", "destroyed",	    "crashed", "migrated",
	    "saved",   "failed",   "from snapshot", "daemon",
	};

	if (state == DOM_RUNNING && r >= 0 && r < 11)
		return running[r];
	if (state == DOM_PAUSED && r >= 0 && r < 14)
		return paused[r];
	if (state == DOM_SHUTOFF && r >= 0 && r < 9)
		return shutoff[r];
	return "unknown";
}

int cli_find_dom(struct rpc_client *c, const char *arg, bool by_name,
		    struct rpc_dom *d)
{
	uint8_t uuid[RPC_UUID_LEN];
	uint64_t id;
	int ret = -ENOENT;

	memset(d, 0, sizeof(*d));
	if (parse_uint(arg, 0, INT32_MAX, &id) == 0)
		ret = call_lookup_id(c, (int32_t)id, d);
	if (ret < 0 && rpc_uuid_parse(arg, uuid) == 0)
		ret = call_lookup_uuid(c, uuid, d);
	if (ret < 0 && by_name)
		ret = call_lookup_name(c, arg, d);
	if (ret == -EREMOTEIO || ret == -ENOENT) {
		cli_error("failed to get domain '%s'", arg);
		return -1;
	}
	if (ret < 0) {
		cli_report(c, ret);
		return -1;
	}
	return 0;
}

/* Parses the options of a command taking one domain argument. */
static int one_dom(struct rpc_client *c, int argc, char **argv,
		   const struct option *opts, unsigned *flags,
		   struct rpc_dom *d, bool by_name)
{
	int o, i;

	optind = 1;
	opterr = 0;
	while ((i = -1, o = getopt_long(argc, argv, "", opts, &i)) != -1) {
		if (o == '?' || i < 0) {
			cli_error("command '%s' doesn't support option %s",
				  argv[0], argv[optind - 1]);
			return -1;
		}
		*flags |= (unsigned)opts[i].val;
	}
	if (optind != argc - 1) {
		cli_error("command '%s' requires <domain> option", argv[0]);
		return -1;
	}
	return cli_find_dom(c, argv[optind], by_name, d);
}

static const struct option no_opts[] = {{NULL, 0, NULL, 0}};

static int cmd_dominfo(struct rpc_client *c, int argc, char **argv)
{
	struct rpc_dom_info info;
	struct rpc_dom d;
	unsigned f = 0;
	int32_t persistent, autostart, managed;
	char uuid[37], *os = NULL;
	int ret;

	if (one_dom(c, argc, argv, no_opts, &f, &d, true) < 0)
		return 1;
	ret = call_dom_info(c, &d, &info);
	if (ret == 0)
		ret =
		    call_dom_str(c, PROC_DOMAIN_GET_OS_TYPE, &d, false, 0, &os);
	if (ret == 0)
		ret = call_dom(c, PROC_DOMAIN_IS_PERSISTENT, &d, false, 0,
			       &persistent, 1);
	if (ret == 0)
		ret = call_dom(c, PROC_DOMAIN_GET_AUTOSTART, &d, false, 0,
			       &autostart, 1);
	if (ret == 0)
		ret = call_dom(c, PROC_DOMAIN_HAS_MANAGED_SAVE_IMAGE, &d, true,
			       0, &managed, 1);
	if (ret < 0) {
		cli_report(c, ret);
		free(os);
		rpc_dom_clear(&d);
		return 1;
	}
	rpc_uuid_format(d.uuid, uuid);
	if (d.id >= 0)
		printf("%-15s %d\n", "Id:", d.id);
	else
		printf("%-15s %s\n", "Id:", "-");
	printf("%-15s %s\n", "Name:", d.name);
	printf("%-15s %s\n", "UUID:", uuid);
	printf("%-15s %s\n", "OS Type:", os);
	printf("%-15s %s\n", "State:", state_name((int)info.state));
	printf("%-15s %u\n", "CPU(s):", info.nr_vcpu);
	if (info.cpu_time_ns)
		printf("%-15s %.1lfs\n",
		       "CPU time:", (double)info.cpu_time_ns / 1e9);
	printf("%-15s %llu KiB\n",
	       "Max memory:", (unsigned long long)info.max_mem_kib);
	printf("%-15s %llu KiB\n",
	       "Used memory:", (unsigned long long)info.mem_kib);
	printf("%-15s %s\n", "Persistent:", persistent ? "yes" : "no");
	printf("%-15s %s\n", "Autostart:", autostart ? "enable" : "disable");
	printf("%-15s %s\n", "Managed save:", managed ? "yes" : "no");
	free(os);
	rpc_dom_clear(&d);
	return 0;
}

static int cmd_domstate(struct rpc_client *c, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"reason", no_argument, NULL, 1},
	    {NULL, 0, NULL, 0},
	};
	struct rpc_dom d;
	unsigned f = 0;
	int32_t st[2];
	int ret;

	if (one_dom(c, argc, argv, opts, &f, &d, true) < 0)
		return 1;
	ret = call_dom(c, PROC_DOMAIN_GET_STATE, &d, true, 0, st, 2);
	rpc_dom_clear(&d);
	if (ret < 0) {
		cli_report(c, ret);
		return 1;
	}
	if (f & 1)
		printf("%s (%s)\n", state_name(st[0]),
		       reason_name(st[0], st[1]));
	else
		printf("%s\n", state_name(st[0]));
	return 0;
}

static int cmd_dumpxml(struct rpc_client *c, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"inactive", no_argument, NULL, XML_INACTIVE},
	    {NULL, 0, NULL, 0},
	};
	struct rpc_dom d;
	unsigned f = 0;
	char *xml;
	int ret;

	if (one_dom(c, argc, argv, opts, &f, &d, true) < 0)
		return 1;
	ret = call_dom_str(c, PROC_DOMAIN_GET_XML_DESC, &d, true, f, &xml);
	rpc_dom_clear(&d);
	if (ret < 0) {
		cli_report(c, ret);
		return 1;
	}
	fputs(xml, stdout);
	free(xml);
	return 0;
}

static int cmd_domuuid(struct rpc_client *c, int argc, char **argv)
{
	struct rpc_dom d;
	unsigned f = 0;
	char uuid[37];

	if (one_dom(c, argc, argv, no_opts, &f, &d, true) < 0)
		return 1;
	rpc_uuid_format(d.uuid, uuid);
	printf("%s\n", uuid);
	rpc_dom_clear(&d);
	return 0;
}

static int cmd_domid(struct rpc_client *c, int argc, char **argv)
{
	struct rpc_dom d;
	unsigned f = 0;

	if (one_dom(c, argc, argv, no_opts, &f, &d, true) < 0)
		return 1;
	if (d.id >= 0)
		printf("%d\n", d.id);
	else
		printf("-\n");
	rpc_dom_clear(&d);
	return 0;
}

/* virsh's domname takes an id or a UUID, not a name. */
static int cmd_domname(struct rpc_client *c, int argc, char **argv)
{
	struct rpc_dom d;
	unsigned f = 0;

	if (one_dom(c, argc, argv, no_opts, &f, &d, false) < 0)
		return 1;
	printf("%s\n", d.name);
	rpc_dom_clear(&d);
	return 0;
}

static int cmd_autostart(struct rpc_client *c, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"disable", no_argument, NULL, 1},
	    {NULL, 0, NULL, 0},
	};
	struct rpc_dom d;
	unsigned f = 0;
	int ret;

	if (one_dom(c, argc, argv, opts, &f, &d, true) < 0)
		return 1;
	ret = call_dom_set_int(c, PROC_DOMAIN_SET_AUTOSTART, &d, !(f & 1));
	if (ret < 0) {
		cli_error("Failed to %smark domain '%s' as autostarted",
			  f & 1 ? "un" : "", d.name);
		cli_report(c, ret);
	} else {
		printf("Domain '%s' %s as autostarted\n", d.name,
		       f & 1 ? "unmarked" : "marked");
	}
	rpc_dom_clear(&d);
	return ret < 0;
}

/* start and destroy: a domain procedure without a result. */
static int dom_action(struct rpc_client *c, int argc, char **argv, int proc,
		      const char *verb, const char *done)
{
	struct rpc_dom d;
	unsigned f = 0;
	int ret;

	int32_t active = 0;

	if (one_dom(c, argc, argv, no_opts, &f, &d, true) < 0)
		return 1;
	/* virsh asks first, and says so in its own words. */
	if (proc == PROC_DOMAIN_CREATE &&
	    call_dom(c, PROC_DOMAIN_IS_ACTIVE, &d, false, 0, &active, 1) == 0 &&
	    active) {
		cli_error("Domain is already active");
		rpc_dom_clear(&d);
		return 1;
	}
	ret = call_dom(c, proc, &d, false, 0, NULL, 0);
	if (ret < 0) {
		cli_error("Failed to %s domain '%s'", verb, d.name);
		cli_report(c, ret);
	} else {
		printf("Domain '%s' %s\n", d.name, done);
	}
	rpc_dom_clear(&d);
	return ret < 0;
}

static int cmd_start(struct rpc_client *c, int argc, char **argv)
{
	return dom_action(c, argc, argv, PROC_DOMAIN_CREATE, "start",
			  "started");
}

static int cmd_destroy(struct rpc_client *c, int argc, char **argv)
{
	return dom_action(c, argc, argv, PROC_DOMAIN_DESTROY, "destroy",
			  "destroyed");
}

static int cmd_suspend(struct rpc_client *c, int argc, char **argv)
{
	return dom_action(c, argc, argv, PROC_DOMAIN_SUSPEND, "suspend",
			  "suspended");
}

static int cmd_resume(struct rpc_client *c, int argc, char **argv)
{
	return dom_action(c, argc, argv, PROC_DOMAIN_RESUME, "resume",
			  "resumed");
}

static int cmd_undefine(struct rpc_client *c, int argc, char **argv)
{
	struct rpc_dom d;
	unsigned f = 0;
	int ret;

	if (one_dom(c, argc, argv, no_opts, &f, &d, true) < 0)
		return 1;
	ret = call_dom(c, PROC_DOMAIN_UNDEFINE_FLAGS, &d, true, 0, NULL, 0);
	if (ret < 0) {
		cli_error("Failed to undefine domain '%s'", d.name);
		cli_report(c, ret);
	} else {
		printf("Domain '%s' has been undefined\n", d.name);
	}
	rpc_dom_clear(&d);
	return ret < 0;
}

static char *read_text_file(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t len = 0, n;
	char chunk[4096];

	if (!f)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		char *p =
		    len + n > RPC_STRING_MAX ? NULL : realloc(buf, len + n + 1);

		if (!p) {
			free(buf);
			fclose(f);
			errno = EFBIG;
			return NULL;
		}
		buf = p;
		memcpy(buf + len, chunk, n);
		len += n;
	}
	fclose(f);
	if (!buf)
		buf = calloc(1, 1);
	else
		buf[len] = '\0';
	return buf;
}

/* define FILE, or create FILE (a transient domain, started). */
static int cmd_define(struct rpc_client *c, int argc, char **argv)
{
	bool create = !strcmp(argv[0], "create");
	struct rpc_dom d = {0};
	char *xml;
	int ret;

	if (argc != 2) {
		cli_error("command '%s' requires <file> option", argv[0]);
		return 1;
	}
	xml = read_text_file(argv[1]);
	if (!xml) {
		cli_error("Failed to open file '%s': %s", argv[1],
			  strerror(errno));
		return 1;
	}
	ret = create ? call_create_xml(c, xml, &d) : call_define(c, xml, &d);
	free(xml);
	if (ret < 0) {
		cli_error("Failed to %s domain from %s", argv[0], argv[1]);
		cli_report(c, ret);
		return 1;
	}
	printf("Domain '%s' %s from %s\n", d.name,
	       create ? "created" : "defined", argv[1]);
	rpc_dom_clear(&d);
	return 0;
}

/* virsh's table: a leading space, columns padded to their widest cell
 * and three spaces apart, a rule two dashes longer than the header. */
static void print_table(struct rpc_dom *doms, uint32_t n, const int *states)
{
	size_t wid = 2, wname = 4, wstate = 5, i, rule;
	char id[16];

	for (i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "%d", doms[i].id);
		if (doms[i].id >= 0 && strlen(id) > wid)
			wid = strlen(id);
		if (strlen(doms[i].name) > wname)
			wname = strlen(doms[i].name);
		if (strlen(state_name(states[i])) > wstate)
			wstate = strlen(state_name(states[i]));
	}
	printf(" %-*s   %-*s   %s\n", (int)wid, "Id", (int)wname, "Name",
	       "State");
	rule = 1 + wid + 3 + wname + 3 + wstate + 2;
	for (i = 0; i < rule; i++)
		putchar('-');
	putchar('\n');
	for (i = 0; i < n; i++) {
		if (doms[i].id >= 0)
			snprintf(id, sizeof(id), "%d", doms[i].id);
		else
			strcpy(id, "-");
		printf(" %-*s   %-*s   %s\n", (int)wid, id, (int)wname,
		       doms[i].name, state_name(states[i]));
	}
}

static const struct option list_opts[] = {
    {"all", no_argument, NULL, LIST_ACTIVE | LIST_INACTIVE},
    {"inactive", no_argument, NULL, LIST_INACTIVE},
    {"persistent", no_argument, NULL, LIST_PERSISTENT},
    {"transient", no_argument, NULL, LIST_TRANSIENT},
    {"state-running", no_argument, NULL, LIST_RUNNING},
    {"state-paused", no_argument, NULL, LIST_PAUSED},
    {"state-shutoff", no_argument, NULL, LIST_SHUTOFF},
    {"state-other", no_argument, NULL, LIST_OTHER},
    {"autostart", no_argument, NULL, LIST_AUTOSTART},
    {"no-autostart", no_argument, NULL, LIST_NO_AUTOSTART},
    {"name", no_argument, NULL, 1u << 30},
    {"uuid", no_argument, NULL, 1u << 29},
    {NULL, 0, NULL, 0},
};

static int parse_list_opts(int argc, char **argv, unsigned *f)
{
	int o, i;

	optind = 1;
	opterr = 0;
	while ((i = -1, o = getopt_long(argc, argv, "", list_opts, &i)) != -1) {
		if (o == '?' || i < 0) {
			cli_error("command 'list' doesn't support option %s",
				  argv[optind - 1]);
			return -1;
		}
		*f |= (unsigned)list_opts[i].val;
	}
	if (optind != argc) {
		cli_error("unexpected data '%s'", argv[optind]);
		return -1;
	}
	/* Without --all or --inactive (or a state filter): running ones. */
	if (!(*f & (LIST_ACTIVE | LIST_INACTIVE | LIST_RUNNING | LIST_PAUSED |
		    LIST_SHUTOFF | LIST_OTHER)))
		*f |= LIST_ACTIVE;
	return 0;
}

/* virsh's order: running domains by id, then the others by name. */
static int cmp_dom(const void *a, const void *b)
{
	const struct rpc_dom *x = a, *y = b;

	if (x->id >= 0 && y->id >= 0)
		return x->id < y->id ? -1 : x->id > y->id;
	if (x->id >= 0 || y->id >= 0)
		return x->id >= 0 ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int cmd_list(struct rpc_client *c, int argc, char **argv)
{
	struct rpc_dom *doms = NULL;
	unsigned f = 0;
	uint32_t n = 0, i;
	int32_t st[2];
	int *states = NULL, ret;
	char uuid[37];

	if (parse_list_opts(argc, argv, &f) < 0)
		return 1;
	ret = call_list_all(c, f & 0xffff, &doms, &n);
	if (ret == 0)
		qsort(doms, n, sizeof(*doms), cmp_dom);
	if (ret == 0 && !(states = calloc(n ? n : 1, sizeof(*states))))
		ret = -ENOMEM;
	for (i = 0; ret == 0 && i < n; i++) {
		ret = call_dom(c, PROC_DOMAIN_GET_STATE, &doms[i], true, 0, st,
			       2);
		states[i] = st[0];
	}
	if (ret < 0) {
		cli_error("Failed to list domains");
		cli_report(c, ret);
	} else if (f & (3u << 29)) {
		for (i = 0; i < n; i++) {
			rpc_uuid_format(doms[i].uuid, uuid);
			if ((f & (1u << 29)) && (f & (1u << 30)))
				printf("%s %s\n", uuid, doms[i].name);
			else
				printf("%s\n",
				       f & (1u << 29) ? uuid : doms[i].name);
		}
	} else {
		print_table(doms, n, states);
	}
	free(states);
	free_doms(doms, n);
	return ret < 0;
}

static void print_version(const char *what, uint64_t v)
{
	printf("%s %llu.%llu.%llu\n", what, (unsigned long long)(v / 1000000),
	       (unsigned long long)(v / 1000 % 1000),
	       (unsigned long long)(v % 1000));
}

static int cmd_version(struct rpc_client *c, int argc, char **argv)
{
	uint64_t hv = 0;
	char *type = NULL, what[64];
	int ret;

	ret = call_str(c, PROC_CONNECT_GET_TYPE, &type);
	if (ret == 0)
		ret = call_u64(c, PROC_CONNECT_GET_VERSION, &hv);
	if (ret < 0) {
		cli_report(c, ret);
		free(type);
		return 1;
	}
	print_version("Compiled against library: vireo", VIREO_VERSION_NUM);
	print_version("Using library: vireo", VIREO_VERSION_NUM);
	snprintf(what, sizeof(what), "Using API: %s", type);
	print_version(what, VIREO_VERSION_NUM);
	snprintf(what, sizeof(what), "Running hypervisor: %s", type);
	print_version(what, hv);
	free(type);
	return 0;
}

static int cmd_string(struct rpc_client *c, int proc)
{
	char *s;
	int ret = call_str(c, proc, &s);

	if (ret < 0) {
		cli_report(c, ret);
		return 1;
	}
	printf("%s\n", s);
	free(s);
	return 0;
}

static int cmd_hostname(struct rpc_client *c, int argc, char **argv)
{
	return cmd_string(c, PROC_CONNECT_GET_HOSTNAME);
}

static int cmd_capabilities(struct rpc_client *c, int argc, char **argv)
{
	return cmd_string(c, PROC_CONNECT_GET_CAPABILITIES);
}

static int cmd_nodeinfo(struct rpc_client *c, int argc, char **argv)
{
	struct rpc_node_info n;
	int ret = call_node_info(c, &n);

	if (ret < 0) {
		cli_report(c, ret);
		return 1;
	}
	n.model[sizeof(n.model) - 1] = '\0';
	printf("%-20s %s\n", "CPU model:", n.model);
	printf("%-20s %d\n", "CPU(s):", n.cpus);
	if (n.mhz)
		printf("%-20s %d MHz\n", "CPU frequency:", n.mhz);
	printf("%-20s %d\n", "CPU socket(s):", n.sockets);
	printf("%-20s %d\n", "Core(s) per socket:", n.cores);
	printf("%-20s %d\n", "Thread(s) per core:", n.threads);
	printf("%-20s %d\n", "NUMA cell(s):", n.nodes);
	printf("%-20s %llu KiB\n",
	       "Memory size:", (unsigned long long)n.memory_kib);
	return 0;
}

const struct cmd cli_cmds[] = {
    {"list", cmd_list,
     "[--all] [--inactive] [--name] [--uuid] [--state-running] "
     "[--state-paused] [--state-shutoff] [--state-other] "
     "[--persistent] [--transient] [--autostart] [--no-autostart]"},
    {"dominfo", cmd_dominfo, "<domain>"},
    {"domstate", cmd_domstate, "<domain> [--reason]"},
    {"dumpxml", cmd_dumpxml, "<domain> [--inactive]"},
    {"define", cmd_define, "<file>"},
    {"undefine", cmd_undefine, "<domain>"},
    {"create", cmd_define, "<file>"},
    {"start", cmd_start, "<domain>"},
    {"destroy", cmd_destroy, "<domain>"},
    {"suspend", cmd_suspend, "<domain>"},
    {"resume", cmd_resume, "<domain>"},
    {"console", cmd_console, "<domain>"},
    {"autostart", cmd_autostart, "<domain> [--disable]"},
    {"domuuid", cmd_domuuid, "<domain>"},
    {"domname", cmd_domname, "<domain id or uuid>"},
    {"domid", cmd_domid, "<domain>"},
    {"version", cmd_version, ""},
    {"hostname", cmd_hostname, ""},
    {"nodeinfo", cmd_nodeinfo, ""},
    {"capabilities", cmd_capabilities, ""},
    {NULL, NULL, NULL},
};
