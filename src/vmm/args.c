/* vireo-vmm command-line parsing: strict, with one-line errors. */
#include "vmm/args.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kvm/kvm.h"
#include "util/parse.h"
#include "virtio/rng.h"

enum {
	OPT_KERNEL = 256, OPT_INITRD, OPT_CMDLINE, OPT_CPUS, OPT_MEMORY,
	OPT_CONSOLE, OPT_NO_REBOOT, OPT_NAME, OPT_STATS, OPT_IO_BATCH, OPT_HELP,
	OPT_VERSION, OPT_VERBOSE, OPT_CHECK_KVM, OPT_DISK, OPT_BALLOON, OPT_MONITOR,
	OPT_NET, OPT_RNG, OPT_VSOCK,
};

static const struct option long_opts[] = {
	{ "kernel", required_argument, NULL, OPT_KERNEL },
	{ "initrd", required_argument, NULL, OPT_INITRD },
	{ "cmdline", required_argument, NULL, OPT_CMDLINE },
	{ "cpus", required_argument, NULL, OPT_CPUS },
	{ "memory", required_argument, NULL, OPT_MEMORY },
	{ "console", required_argument, NULL, OPT_CONSOLE },
	{ "no-reboot", no_argument, NULL, OPT_NO_REBOOT },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "stats", no_argument, NULL, OPT_STATS },
	{ "io-batch", no_argument, NULL, OPT_IO_BATCH },
	{ "verbose", no_argument, NULL, OPT_VERBOSE },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "check-kvm", no_argument, NULL, OPT_CHECK_KVM },
	{ "disk", required_argument, NULL, OPT_DISK },
	{ "balloon", optional_argument, NULL, OPT_BALLOON },
	{ "monitor", required_argument, NULL, OPT_MONITOR },
	{ "net", required_argument, NULL, OPT_NET },
	{ "rng", optional_argument, NULL, OPT_RNG },
	{ "vsock", required_argument, NULL, OPT_VSOCK },
	{ NULL, 0, NULL, 0 },
};

void args_usage(FILE *out, const char *prog)
{
	fprintf(out,
		"Usage: %s --kernel KERNEL [options]\n"
		"Run one KVM guest.\n\n"
		"  --kernel PATH     Linux bzImage (boot protocol 2.10+), or an ELF\n"
		"                    vmlinux with a PVH entry note (CONFIG_PVH)\n"
		"  --initrd PATH     initial ramdisk\n"
		"  --cmdline STR     kernel command line (default \"%s\")\n"
		"  --cpus N          virtual CPUs (default 1)\n"
		"  --memory SIZE     RAM, with a K/M/G/T suffix (default 512M)\n"
		"  --console KIND    stdio, pty, file:PATH or none (default stdio)\n"
		"  --disk path=FILE[,readonly=on][,serial=STR][,cache=none|writeback|unsafe]\n"
		"        [,queues=N][,discard=unmap|ignore]\n"
		"                    a raw disk image or block device (repeatable)\n"
		"  --balloon [target=SIZE][,deflate-on-oom=on][,free-page-reporting=on]\n"
		"                    a virtio balloon; target: guest memory to aim for\n"
		"  --net tap=IFNAME|fd=N[:N...][,mac=MAC][,vhost=on|off|auto][,queues=N]\n"
		"        [,thread=batch|normal][,queue-size=64..1024]\n"
		"                    a virtio-net NIC on a TAP interface, or on an\n"
		"                    inherited TAP fd (repeatable), served by an I/O\n"
		"                    thread of its own (SCHED_BATCH unless normal);\n"
		"                    queue-size entries per ring (default 1024)\n"
		"  --rng [rate=BYTES_PER_SEC]\n"
		"                    a virtio-rng device fed by getrandom(), rate-limited\n"
		"  --vsock cid=N     a virtio-vsock device with guest CID N (3 to\n"
		"                    4294967294) on the kernel's vhost-vsock\n"
		"  --no-reboot       exit with status 2 when the guest resets\n"
		"  --name NAME       guest name, for messages and QMP\n"
		"  --monitor PATH    serve QMP on a Unix socket at PATH (mode 0600)\n"
		"  --stats           print VM-exit statistics on exit\n"
		"  --io-batch        the main loop (not the NICs' threads) does not\n"
		"                    preempt vCPUs when woken: more requests per\n"
		"                    kick on a host short of cores\n"
		"  --verbose         informational messages on stderr\n"
		"  --check-kvm       check that /dev/kvm can run guests, then exit\n"
		"  --help, --version\n\n"
		"On a terminal console, Ctrl-A x quits and Ctrl-A Ctrl-A sends Ctrl-A.\n"
		"Exit status: 0 guest powered off, 1 host-side error, 2 guest reset\n"
		"with --no-reboot, 3 guest crashed, 128+N killed by signal N.\n",
		prog, VMM_DEFAULT_CMDLINE);
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int parse_console(const char *s, struct vmm_args *a)
{
	if (!strcmp(s, "stdio"))
		a->console = CONSOLE_STDIO;
	else if (!strcmp(s, "pty"))
		a->console = CONSOLE_PTY;
	else if (!strcmp(s, "none"))
		a->console = CONSOLE_NONE;
	else if (!strncmp(s, "file:", 5) && s[5]) {
		a->console = CONSOLE_FILE;
		a->console_path = s + 5;
	} else
		return -EINVAL;
	return 0;
}

static int parse_memory(const char *s, struct vmm_args *a, char *err,
			size_t errlen)
{
	int ret = parse_size(s, &a->memory);

	if (ret == -ERANGE)
		return fail(err, errlen, "--memory %s: too large", s);
	if (ret)
		return fail(err, errlen, "--memory %s: not a size (try 512M or 2G)", s);
	if (a->memory < VMM_MIN_MEMORY)
		return fail(err, errlen, "--memory %s: must be at least 2M", s);
	if (a->memory & 0xfff)
		return fail(err, errlen, "--memory %s: must be a multiple of 4K", s);
	return 0;
}

static int parse_disk(const char *s, struct vmm_args *a, char *err,
		      size_t errlen)
{
	char e[200];

	if (a->ndisks == VMM_MAX_DISKS)
		return fail(err, errlen, "--disk: at most %d disks", VMM_MAX_DISKS);
	if (blk_opts_parse(s, &a->disks[a->ndisks], e, sizeof(e)))
		return fail(err, errlen, "--%s", e);
	a->ndisks++;
	return 0;
}

static int parse_on_off(const char *v, bool *out)
{
	if (!strcmp(v, "on"))
		*out = true;
	else if (!strcmp(v, "off"))
		*out = false;
	else
		return -EINVAL;
	return 0;
}

/* One key=value of --balloon (s is NUL-terminated, without commas). */
static int balloon_key(char *s, struct vmm_args *a, char *err, size_t errlen)
{
	char *v = strchr(s, '=');

	if (!v)
		return fail(err, errlen, "--balloon: '%s' is not key=value", s);
	*v++ = '\0';
	if (!strcmp(s, "target")) {
		if (parse_size(v, &a->balloon_target) || !a->balloon_target ||
		    a->balloon_target & 0xfff)
			return fail(err, errlen, "--balloon target=%s: not a "
				    "size in whole 4K pages (try 256M)", v);
	} else if (!strcmp(s, "deflate-on-oom")) {
		if (parse_on_off(v, &a->balloon_deflate_on_oom))
			return fail(err, errlen, "--balloon deflate-on-oom=%s: "
				    "expected on or off", v);
	} else if (!strcmp(s, "free-page-reporting")) {
		if (parse_on_off(v, &a->balloon_reporting))
			return fail(err, errlen, "--balloon free-page-reporting"
				    "=%s: expected on or off", v);
	} else {
		return fail(err, errlen, "--balloon: unknown key '%s' (target, "
			    "deflate-on-oom, free-page-reporting)", s);
	}
	return 0;
}

static int parse_balloon(const char *arg, struct vmm_args *a, char *err,
			 size_t errlen)
{
	char buf[256], *tok, *save;
	int ret;

	if (a->balloon)
		return fail(err, errlen, "--balloon: given twice");
	a->balloon = true;
	if (!arg)
		return 0;
	if (strlen(arg) >= sizeof(buf))
		return fail(err, errlen, "--balloon: value too long");
	strcpy(buf, arg);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		ret = balloon_key(tok, a, err, errlen);
		if (ret)
			return ret;
	}
	return 0;
}

static int parse_net(const char *s, struct vmm_args *a, char *err,
		     size_t errlen)
{
	char e[200];

	if (a->nnets == VMM_MAX_NETS)
		return fail(err, errlen, "--net: at most %d NICs", VMM_MAX_NETS);
	if (net_opts_parse(s, &a->nets[a->nnets], e, sizeof(e)))
		return fail(err, errlen, "--%s", e);
	a->nnets++;
	return 0;
}

/* --rng[=rate=N]: N bytes per second, 1 up to VIRTIO_RNG_MAX_RATE. */
static int parse_rng(const char *arg, struct vmm_args *a, char *err,
		     size_t errlen)
{
	uint64_t v;

	if (a->rng)
		return fail(err, errlen, "--rng: given twice");
	a->rng = true;
	if (!arg)
		return 0;
	if (strncmp(arg, "rate=", 5))
		return fail(err, errlen, "--rng %s: expected rate=BYTES_PER_SEC",
			    arg);
	if (parse_uint(arg + 5, 1, VIRTIO_RNG_MAX_RATE, &v))
		return fail(err, errlen, "--rng %s: rate must be a number of "
			    "bytes per second from 1 to %llu", arg,
			    (unsigned long long)VIRTIO_RNG_MAX_RATE);
	a->rng_rate = v;
	return 0;
}

/* --vsock cid=N.  The CID's uniqueness on this host is the kernel's to
 * check (VHOST_VSOCK_SET_GUEST_CID, at start-up). */
static int parse_vsock(const char *arg, struct vmm_args *a, char *err,
		       size_t errlen)
{
	uint64_t v;

	if (a->vsock)
		return fail(err, errlen, "--vsock: given twice");
	if (strncmp(arg, "cid=", 4))
		return fail(err, errlen, "--vsock %s: expected cid=N", arg);
	if (parse_uint(arg + 4, VMM_VSOCK_MIN_CID, VMM_VSOCK_MAX_CID, &v))
		return fail(err, errlen, "--vsock %s: the CID must be a number "
			    "from %u to %u (0, 1, 2 and %u are reserved)", arg,
			    VMM_VSOCK_MIN_CID, VMM_VSOCK_MAX_CID,
			    VMM_VSOCK_MAX_CID + 1);
	a->vsock = true;
	a->vsock_cid = (uint32_t)v;
	return 0;
}

static int parse_one(int opt, const char *arg, struct vmm_args *a, char *err,
		     size_t errlen)
{
	uint64_t v;

	switch (opt) {
	case OPT_KERNEL: a->kernel = arg; break;
	case OPT_INITRD: a->initrd = arg; break;
	case OPT_CMDLINE: a->cmdline = arg; break;
	case OPT_NAME: a->name = arg; break;
	case OPT_MONITOR:
		if (!*arg)
			return fail(err, errlen, "--monitor: empty path");
		a->monitor = arg;
		break;
	case OPT_NO_REBOOT: a->no_reboot = true; break;
	case OPT_STATS: a->stats = true; break;
	case OPT_IO_BATCH: a->io_batch = true; break;
	case OPT_VERBOSE: a->verbose = true; break;
	case OPT_HELP: a->help = true; break;
	case OPT_VERSION: a->version = true; break;
	case OPT_CHECK_KVM: a->check_kvm = true; break;
	case OPT_CPUS:
		if (parse_uint(arg, 1, VIREO_MAX_VCPUS, &v))
			return fail(err, errlen, "--cpus %s: must be a number "
				    "from 1 to %d", arg, VIREO_MAX_VCPUS);
		a->cpus = (unsigned)v;
		break;
	case OPT_MEMORY:
		return parse_memory(arg, a, err, errlen);
	case OPT_DISK:
		return parse_disk(arg, a, err, errlen);
	case OPT_BALLOON:
		return parse_balloon(arg, a, err, errlen);
	case OPT_NET:
		return parse_net(arg, a, err, errlen);
	case OPT_RNG:
		return parse_rng(arg, a, err, errlen);
	case OPT_VSOCK:
		return parse_vsock(arg, a, err, errlen);
	case OPT_CONSOLE:
		if (parse_console(arg, a))
			return fail(err, errlen, "--console %s: expected stdio, "
				    "pty, file:PATH or none", arg);
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

int args_parse(int argc, char **argv, struct vmm_args *a, char *err,
	       size_t errlen)
{
	int opt, ret;

	memset(a, 0, sizeof(*a));
	a->cpus = 1;
	a->memory = VMM_DEFAULT_MEMORY;
	a->cmdline = VMM_DEFAULT_CMDLINE;
	a->console = CONSOLE_STDIO;
	optind = 0;	/* full re-initialisation (glibc) */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+", long_opts, NULL)) != -1) {
		if (opt == '?') {
			const char *bad = argv[optind - 1];

			/* A short option ("-h", or the first of "-xyz", where
			 * optind may not have moved past it): there are none. */
			if (optopt > 0 && optopt < OPT_KERNEL)
				return fail(err, errlen, "unknown option '-%c' "
					    "(see --help)", optopt);
			if (optopt == 0)
				return fail(err, errlen, "unknown option '%s' "
					    "(see --help)", bad);
			return fail(err, errlen, "option '%s' %s", bad,
				    strchr(bad, '=') ? "takes no value"
						     : "needs a value");
		}
		/* "--balloon target=1G": the value is optional, but may
		 * also follow as the next word. */
		if ((opt == OPT_BALLOON || opt == OPT_RNG) && !optarg &&
		    optind < argc &&
		    argv[optind][0] != '-')
			optarg = argv[optind++];
		ret = parse_one(opt, optarg, a, err, errlen);
		if (ret)
			return ret;
	}
	if (optind < argc)
		return fail(err, errlen, "unexpected argument '%s'", argv[optind]);
	if (a->help || a->version || a->check_kvm)
		return 0;
	if (!a->kernel)
		return fail(err, errlen, "no kernel given (use --kernel PATH)");
	if (a->balloon_target > a->memory)
		return fail(err, errlen, "--balloon target is larger than "
			    "--memory");
	return 0;
}
