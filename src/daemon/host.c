/* Host facts for vireod (see host.h), read from uname, sysconf,
 * /proc/cpuinfo and /etc/machine-id. */
#include "daemon/host.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

char *host_hostname(void)
{
	struct utsname u;

	if (uname(&u) < 0)
		return NULL;
	return strdup(u.nodename);
}

/* The first "cpu MHz" line of /proc/cpuinfo, 0 if none. */
static int cpu_mhz(void)
{
	FILE *f = fopen("/proc/cpuinfo", "re");
	char line[256];
	double mhz = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "cpu MHz : %lf", &mhz) == 1)
			break;
	fclose(f);
	return (int)mhz;
}

int host_node_info(struct rpc_node_info *n)
{
	struct utsname u;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);

	if (uname(&u) < 0 || cpus < 1 || pages < 1 || psize < 1)
		return -EIO;
	memset(n, 0, sizeof(*n));
	snprintf(n->model, sizeof(n->model), "%.31s", u.machine);
	n->memory_kib = (uint64_t)pages * (uint64_t)psize / 1024;
	n->cpus = (int32_t)cpus;
	n->mhz = cpu_mhz();
	n->nodes = 1;
	n->sockets = 1;
	n->cores = (int32_t)cpus;
	n->threads = 1;
	return 0;
}

static void machine_uuid(char out[37])
{
	FILE *f = fopen("/etc/machine-id", "re");
	char id[64] = "";
	uint8_t u[RPC_UUID_LEN];

	if (f) {
		if (!fgets(id, sizeof(id), f))
			id[0] = '\0';
		fclose(f);
	}
	id[strcspn(id, "\n")] = '\0';
	if (rpc_uuid_parse(id, u) < 0)
		memset(u, 0, sizeof(u));
	rpc_uuid_format(u, out);
}

char *host_capabilities(void)
{
	struct rpc_node_info n;
	char uuid[37], *xml = NULL;

	if (host_node_info(&n) < 0)
		return NULL;
	machine_uuid(uuid);
	if (asprintf(&xml,
		     "<capabilities>\n"
		     "  <host>\n"
		     "    <uuid>%s</uuid>\n"
		     "    <cpu>\n"
		     "      <arch>%s</arch>\n"
		     "      <topology sockets='1' dies='1' cores='%d' "
		     "threads='1'/>\n"
		     "    </cpu>\n"
		     "    <topology>\n"
		     "      <cells num='1'>\n"
		     "        <cell id='0'>\n"
		     "          <memory unit='KiB'>%llu</memory>\n"
		     "        </cell>\n"
		     "      </cells>\n"
		     "    </topology>\n"
		     "  </host>\n"
		     "  <guest>\n"
		     "    <os_type>hvm</os_type>\n"
		     "    <arch name='x86_64'>\n"
		     "      <wordsize>64</wordsize>\n"
		     "      <emulator>vireo-vmm</emulator>\n"
		     "      <domain type='kvm'/>\n"
		     "    </arch>\n"
		     "  </guest>\n"
		     "</capabilities>\n",
		     uuid, n.model, n.cpus,
		     (unsigned long long)n.memory_kib) < 0)
		return NULL;
	return xml;
}

char *host_domain_capabilities(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	char *xml = NULL;

	if (asprintf(&xml,
		     "<domainCapabilities>\n"
		     "  <path>vireo-vmm</path>\n"
		     "  <domain>kvm</domain>\n"
		     "  <arch>x86_64</arch>\n"
		     "  <vcpu max='%ld'/>\n"
		     "  <os supported='yes'>\n"
		     "    <enum name='firmware'/>\n"
		     "  </os>\n"
		     "</domainCapabilities>\n",
		     cpus > 0 ? cpus : 1) < 0)
		return NULL;
	return xml;
}
