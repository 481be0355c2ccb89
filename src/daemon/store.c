/* Domain store of vireod (see store.h): the list of domains and their
 * persistence in the state dir.  Files in the state dir are trusted no
 * more than client input: each goes through the same XML checks. */
#include "daemon/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rpc/io.h"
#include "rpc/wire.h"
#include "util/log.h"

#define XML_SUFFIX ".xml"
#define FILE_MAX (4u * 1024 * 1024)

/* Fault injection for tests/daemon/run: VIREOD_FAULT=STEP makes vireod
 * die (as under SIGKILL) at that step of an atomic write: "written",
 * "synced" (the temporary file), "renamed". */
static void fault_point(const char *step)
{
	const char *f = getenv("VIREOD_FAULT");

	if (f && !strcmp(f, step))
		_exit(99);
}

/* Through a temporary file and a rename; with `sync`, fsync of the file
 * before the rename and of the folder after it. */
static int write_replace(int dirfd, const char *name, const char *data,
			 size_t len, bool sync)
{
	char tmp[512];
	int fd, ret;

	if (snprintf(tmp, sizeof(tmp), ".%s.tmp", name) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	ret = rpc_write_all(fd, data, len);
	fault_point("written");
	if (ret == 0 && sync && fsync(fd) < 0)
		ret = -errno;
	fault_point("synced");
	if (close(fd) < 0 && ret == 0)
		ret = -errno;
	if (ret == 0 && renameat(dirfd, tmp, dirfd, name) < 0)
		ret = -errno;
	fault_point("renamed");
	if (ret < 0) {
		unlinkat(dirfd, tmp, 0);
		return ret;
	}
	return sync && fsync(dirfd) < 0 ? -errno : 0;
}

int store_write_atomic(int dirfd, const char *name, const char *data,
		       size_t len)
{
	return write_replace(dirfd, name, data, len, true);
}

int store_write_run(int dirfd, const char *name, const char *data, size_t len)
{
	return write_replace(dirfd, name, data, len, false);
}

static char *read_file_at(int dirfd, const char *name, size_t *len)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *buf = NULL;
	ssize_t n;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size > FILE_MAX)
		goto out;
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		goto out;
	n = read(fd, buf, (size_t)st.st_size);
	if (n != st.st_size) {
		free(buf);
		buf = NULL;
		goto out;
	}
	buf[n] = '\0';
	*len = (size_t)n;
out:
	close(fd);
	return buf;
}

/* FNV-1a. */
static uint64_t hash_bytes(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t h = 0xcbf29ce484222325ull;

	while (n--)
		h = (h ^ *b++) * 0x100000001b3ull;
	return h;
}

/* The slot of `name` in the name table: its domain's, or the empty one
 * where it would go. */
static size_t name_slot(const struct store *s, const char *name)
{
	size_t mask = s->idx_cap - 1, i = hash_bytes(name, strlen(name)) & mask;

	while (s->by_name[i] && strcmp(s->by_name[i]->def->name, name))
		i = (i + 1) & mask;
	return i;
}

static size_t uuid_slot(const struct store *s, const uint8_t *uuid)
{
	size_t mask = s->idx_cap - 1, i = hash_bytes(uuid, RPC_UUID_LEN) & mask;

	while (s->by_uuid[i] &&
	       memcmp(s->by_uuid[i]->def->uuid, uuid, RPC_UUID_LEN))
		i = (i + 1) & mask;
	return i;
}

static void index_dom(struct store *s, struct dom *d)
{
	s->by_name[name_slot(s, d->def->name)] = d;
	s->by_uuid[uuid_slot(s, d->def->uuid)] = d;
}

/* The lookup tables by name and by UUID: open addressing with linear
 * probing, `idx_cap` slots (a power of two, at least twice the domains).
 * Rebuilt when they fill and after a removal; when memory for them is
 * short, idx_cap is 0 and lookups search the array. */
static void reindex(struct store *s)
{
	size_t cap = 32;

	while (cap < 2 * s->n)
		cap *= 2;
	free(s->by_name);
	free(s->by_uuid);
	s->by_name = calloc(cap, sizeof(*s->by_name));
	s->by_uuid = calloc(cap, sizeof(*s->by_uuid));
	s->idx_cap = s->by_name && s->by_uuid ? cap : 0;
	for (size_t i = 0; s->idx_cap && i < s->n; i++)
		index_dom(s, s->doms[i]);
}

static int add(struct store *s, struct dom *d)
{
	struct dom **nd;

	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;

		nd = realloc(s->doms, cap * sizeof(*nd));
		if (!nd)
			return -ENOMEM;
		s->doms = nd;
		s->cap = cap;
	}
	s->doms[s->n++] = d;
	if (2 * s->n > s->idx_cap)
		reindex(s);
	else
		index_dom(s, d);
	return 0;
}

static void dom_free(struct dom *d)
{
	if (d)
		domain_def_free(d->def);
	free(d);
}

static struct dom *dom_new(struct domain_def *def)
{
	struct dom *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->def = def;
	d->persistent = true;
	d->id = -1;
	d->state = DOM_SHUTOFF;
	return d;
}

/* One <name>.xml from the state dir; logs and skips what is wrong. */
static void load_one(struct store *s, const char *file)
{
	struct domain_def *def;
	struct dom *d;
	char err[256], *xml;
	size_t len = 0, flen = strlen(file);

	xml = read_file_at(s->dirfd, file, &len);
	if (!xml) {
		log_warn("state dir: cannot read %s, skipped", file);
		return;
	}
	if (domxml_parse(xml, len, &def, err, sizeof(err)) < 0) {
		log_warn("state dir: %s: %s, skipped", file, err);
	} else if (strlen(def->name) + strlen(XML_SUFFIX) != flen ||
		   strncmp(file, def->name, strlen(def->name)) ||
		   store_by_name(s, def->name) || store_by_uuid(s, def->uuid)) {
		log_warn("state dir: %s: name or UUID clash, skipped", file);
		domain_def_free(def);
	} else if (!(d = dom_new(def)) || add(s, d) < 0) {
		dom_free(d);
		log_warn("state dir: out of memory loading %s", file);
	} else {
		d->autostart =
		    faccessat(s->autostartfd, def->name, F_OK, 0) == 0;
	}
	free(xml);
}

static int open_dir(int at, const char *path, int *fd)
{
	if (mkdirat(at, path, 0700) < 0 && errno != EEXIST)
		return -errno;
	*fd = openat(at, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return *fd < 0 ? -errno : 0;
}

int store_open(struct store *s, const char *dir)
{
	struct dirent *e;
	DIR *dh;
	size_t len;
	int ret, fd;

	memset(s, 0, sizeof(*s));
	s->autostartfd = -1;
	ret = open_dir(AT_FDCWD, dir, &s->dirfd);
	if (ret < 0)
		return ret;
	ret = open_dir(s->dirfd, "autostart", &s->autostartfd);
	if (ret < 0)
		goto fail;
	fd = dup(s->dirfd);
	dh = fd < 0 ? NULL : fdopendir(fd);
	if (!dh) {
		ret = -errno;
		if (fd >= 0)
			close(fd);
		goto fail;
	}
	while ((e = readdir(dh))) {
		len = strlen(e->d_name);
		if (e->d_name[0] != '.' && len > strlen(XML_SUFFIX) &&
		    !strcmp(e->d_name + len - strlen(XML_SUFFIX), XML_SUFFIX))
			load_one(s, e->d_name);
	}
	closedir(dh);
	return 0;
fail:
	store_close(s);
	return ret;
}

void store_close(struct store *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		dom_free(s->doms[i]);
	free(s->doms);
	free(s->by_name);
	free(s->by_uuid);
	if (s->autostartfd >= 0)
		close(s->autostartfd);
	if (s->dirfd >= 0)
		close(s->dirfd);
	memset(s, 0, sizeof(*s));
	s->dirfd = s->autostartfd = -1;
}

static int xml_file(const char *name, char *out, size_t outlen)
{
	if (snprintf(out, outlen, "%s%s", name, XML_SUFFIX) >= (int)outlen)
		return -ENAMETOOLONG;
	return 0;
}

/* Is def a clash with a domain other than `same`? */
static int check_clash(struct store *s, const struct domain_def *def,
		       struct dom **same, char *err, size_t errlen)
{
	struct dom *by_name = store_by_name(s, def->name);
	struct dom *by_uuid = store_by_uuid(s, def->uuid);
	char uuid[37];

	*same = NULL;
	if (by_name && by_name == by_uuid) {
		*same = by_name;
		return 0;
	}
	if (by_name) {
		rpc_uuid_format(by_name->def->uuid, uuid);
		snprintf(err, errlen, "domain '%s' already exists with uuid %s",
			 def->name, uuid);
		return -EEXIST;
	}
	if (by_uuid) {
		rpc_uuid_format(def->uuid, uuid);
		snprintf(err, errlen,
			 "domain '%s' is already defined with uuid %s",
			 by_uuid->def->name, uuid);
		return -EEXIST;
	}
	return 0;
}

int store_define(struct store *s, const char *xml, size_t len, struct dom **out,
		 char *err, size_t errlen)
{
	struct domain_def *def;
	struct dom *d;
	char file[300];
	char *text = NULL;
	int ret;

	ret = domxml_parse(xml, len, &def, err, errlen);
	if (ret < 0)
		return ret;
	ret = check_clash(s, def, &d, err, errlen);
	if (ret == 0 && domain_def_check_files(def, err, errlen) < 0)
		ret = -ENOENT;
	if (ret == 0)
		ret = xml_file(def->name, file, sizeof(file));
	if (ret == 0 && !(text = domxml_format(def, NULL)))
		ret = -ENOMEM;
	if (ret == 0)
		ret = store_write_atomic(s->dirfd, file, text, strlen(text));
	free(text);
	if (ret < 0) {
		if (ret != -EEXIST && ret != -ENOENT)
			snprintf(err, errlen, "cannot save the definition: %s",
				 strerror(-ret));
		domain_def_free(def);
		return ret;
	}
	if (d) {
		domain_def_free(d->def);
		d->def = def;
		d->persistent = true;
	} else if (!(d = dom_new(def)) || add(s, d) < 0) {
		dom_free(d);
		unlinkat(s->dirfd, file, 0);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	*out = d;
	return 0;
}

int store_add_transient(struct store *s, const char *xml, size_t len,
			struct dom **out, char *err, size_t errlen)
{
	struct domain_def *def;
	struct dom *d;
	int ret;

	ret = domxml_parse(xml, len, &def, err, errlen);
	if (ret < 0)
		return ret;
	ret = check_clash(s, def, &d, err, errlen);
	if (ret == 0 && d) {
		snprintf(err, errlen, "domain '%s' already exists", def->name);
		ret = -EEXIST;
	}
	if (ret < 0) {
		domain_def_free(def);
		return ret;
	}
	d = dom_new(def);
	if (!d || add(s, d) < 0) {
		dom_free(d);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	d->persistent = false;
	*out = d;
	return 0;
}

int store_unpersist(struct store *s, struct dom *d)
{
	char file[300];
	int ret;

	ret = xml_file(d->def->name, file, sizeof(file));
	if (ret < 0)
		return ret;
	if (unlinkat(s->dirfd, file, 0) < 0 && errno != ENOENT)
		return -errno;
	unlinkat(s->autostartfd, d->def->name, 0);
	fsync(s->dirfd);
	d->persistent = false;
	d->autostart = false;
	return 0;
}

int store_undefine(struct store *s, struct dom *d)
{
	int ret = store_unpersist(s, d);

	if (ret == 0)
		store_forget(s, d);
	return ret;
}

void store_forget(struct store *s, struct dom *d)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		if (s->doms[i] == d) {
			memmove(&s->doms[i], &s->doms[i + 1],
				(s->n - i - 1) * sizeof(*s->doms));
			s->n--;
			reindex(s);
			break;
		}
	}
	dom_free(d);
}

int store_set_autostart(struct store *s, struct dom *d, bool on)
{
	int ret = 0;

	if (on)
		ret = store_write_atomic(s->autostartfd, d->def->name, "", 0);
	else if (unlinkat(s->autostartfd, d->def->name, 0) < 0 &&
		 errno != ENOENT)
		ret = -errno;
	else
		fsync(s->autostartfd);
	if (ret == 0)
		d->autostart = on;
	return ret;
}

struct dom *store_by_name(const struct store *s, const char *name)
{
	size_t i;

	if (s->idx_cap)
		return s->by_name[name_slot(s, name)];
	for (i = 0; i < s->n; i++)
		if (!strcmp(s->doms[i]->def->name, name))
			return s->doms[i];
	return NULL;
}

struct dom *store_by_uuid(const struct store *s, const uint8_t *uuid)
{
	size_t i;

	if (s->idx_cap)
		return s->by_uuid[uuid_slot(s, uuid)];
	for (i = 0; i < s->n; i++)
		if (!memcmp(s->doms[i]->def->uuid, uuid, RPC_UUID_LEN))
			return s->doms[i];
	return NULL;
}

struct dom *store_by_id(const struct store *s, int id)
{
	size_t i;

	if (id < 0)
		return NULL;
	for (i = 0; i < s->n; i++)
		if (s->doms[i]->id == id)
			return s->doms[i];
	return NULL;
}
