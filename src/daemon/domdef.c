/* struct domain_def without XML: field-by-field equality (the round-trip
 * property's "=="), the file checks for define/start, the UUID's text
 * form, and freeing.  vireod links this; the XML parser and writer that
 * fill and read the struct are in the domxml module (domxml_lazy.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "daemon/domxml.h"

void domain_uuid_format(const uint8_t uuid[DOMAIN_UUID_LEN], char *out)
{
	size_t i;
	char *p = out;

	for (i = 0; i < DOMAIN_UUID_LEN; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*p++ = '-';
		p += sprintf(p, "%02x", uuid[i]);
	}
}

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool disk_eq(const struct domain_disk *a, const struct domain_disk *b)
{
	return a->block == b->block && str_eq(a->source, b->source) &&
	       !strcmp(a->target, b->target) && a->cache == b->cache &&
	       a->readonly == b->readonly && str_eq(a->serial, b->serial);
}

static bool net_eq(const struct domain_net *a, const struct domain_net *b)
{
	return a->type == b->type && str_eq(a->bridge, b->bridge) &&
	       str_eq(a->ifname, b->ifname) && !memcmp(a->mac, b->mac, 6) &&
	       a->queues == b->queues && a->rx_queue_size == b->rx_queue_size &&
	       a->tx_queue_size == b->tx_queue_size;
}

bool domain_def_equal(const struct domain_def *a, const struct domain_def *b)
{
	size_t i;

	if (!str_eq(a->name, b->name) || memcmp(a->uuid, b->uuid, 16) ||
	    !str_eq(a->title, b->title) ||
	    !str_eq(a->description, b->description) ||
	    a->memory_kib != b->memory_kib ||
	    a->current_memory_kib != b->current_memory_kib ||
	    a->vcpus != b->vcpus || !str_eq(a->machine, b->machine) ||
	    !str_eq(a->kernel, b->kernel) || !str_eq(a->initrd, b->initrd) ||
	    !str_eq(a->cmdline, b->cmdline) ||
	    a->on_poweroff != b->on_poweroff || a->on_reboot != b->on_reboot ||
	    a->on_crash != b->on_crash || a->acpi != b->acpi ||
	    a->ndisks != b->ndisks || a->nnets != b->nnets ||
	    a->serial != b->serial || a->console != b->console ||
	    a->rng != b->rng || !str_eq(a->rng_backend, b->rng_backend) ||
	    a->balloon != b->balloon || a->vsock != b->vsock ||
	    a->vsock_auto != b->vsock_auto || a->vsock_cid != b->vsock_cid)
		return false;
	for (i = 0; i < a->ndisks; i++)
		if (!disk_eq(&a->disks[i], &b->disks[i]))
			return false;
	for (i = 0; i < a->nnets; i++)
		if (!net_eq(&a->nets[i], &b->nets[i]))
			return false;
	return true;
}

static int check_file(const char *path, bool block, const char *what, char *err,
		      size_t errlen)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		int e = errno;

		snprintf(err, errlen, "%s %s: %s", what, path, strerror(e));
		return -e;
	}
	if (block ? !S_ISBLK(st.st_mode) : !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s %s is not a %s", what, path,
			 block ? "block device" : "regular file");
		return block ? -ENOTBLK : -EINVAL;
	}
	return 0;
}

int domain_def_check_files(const struct domain_def *def, char *err,
			   size_t errlen)
{
	size_t i;
	int ret;

	ret = check_file(def->kernel, false, "kernel", err, errlen);
	if (!ret && def->initrd)
		ret = check_file(def->initrd, false, "initrd", err, errlen);
	for (i = 0; !ret && i < def->ndisks; i++)
		ret = check_file(def->disks[i].source, def->disks[i].block,
				 def->disks[i].target, err, errlen);
	return ret;
}

void domain_def_free(struct domain_def *def)
{
	size_t i;

	if (!def)
		return;
	for (i = 0; i < def->ndisks; i++) {
		free(def->disks[i].source);
		free(def->disks[i].serial);
	}
	free(def->disks);
	for (i = 0; i < def->nnets; i++) {
		free(def->nets[i].bridge);
		free(def->nets[i].ifname);
	}
	free(def->nets);
	free(def->name);
	free(def->title);
	free(def->description);
	free(def->machine);
	free(def->kernel);
	free(def->initrd);
	free(def->cmdline);
	free(def->rng_backend);
	free(def);
}
