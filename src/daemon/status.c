/* Running domains' status files (see status.h). */
#include "daemon/status.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/store.h"

static void file_name(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s.status", name);
}

/* The optional keys, appended at text + n; the new length or -1. */
static int format_extra(const struct dom_status *s, char *text, size_t len,
			int n)
{
	unsigned i;

	for (i = 0; i < s->nnets && n >= 0 && (size_t)n < len; i++)
		n += snprintf(text + n, len - (size_t)n, "%s%s%s",
			      i ? "," : "nets=", s->nets[i],
			      i + 1 == s->nnets ? "\n" : "");
	if (s->vsock_cid && n >= 0 && (size_t)n < len)
		n += snprintf(text + n, len - (size_t)n, "vsock=%" PRIu32 "\n",
			      s->vsock_cid);
	return n;
}

int status_format(const struct dom_status *s, char *text, size_t len)
{
	int n =
	    snprintf(text, len,
		     "pid=%d\nstart=%" PRIu64 "\nid=%d\nno_reboot=%d\n"
		     "log_offset=%" PRIu64 "\nmonitor=%s\npty=%s\n",
		     (int)s->pid, s->start_time, s->id, s->no_reboot ? 1 : 0,
		     s->log_offset, s->monitor, s->pty);

	if (n >= 0 && (size_t)n < len)
		n = format_extra(s, text, len, n);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : n;
}

int status_write(int rundirfd, const char *name, const struct dom_status *s)
{
	char file[DOMAIN_NAME_MAX + 16], text[STATUS_TEXT_MAX];
	int n = status_format(s, text, sizeof(text));

	if (n < 0)
		return n;
	file_name(file, sizeof(file), name);
	return store_write_run(rundirfd, file, text, (size_t)n);
}

static int path_val(char *out, const char *v)
{
	size_t len = strlen(v);

	if (len >= STATUS_PATH_MAX || (len && v[0] != '/'))
		return -EINVAL;
	memcpy(out, v, len + 1);
	return 0;
}

static const char *const keys[] = {
    "monitor",	 "pid",	       "start", "pty",	 "id",
    "no_reboot", "log_offset", "nets",	"vsock",
};

/* "vnet0,tap1": 1 to STATUS_NETS_MAX interface names. */
static int nets_val(struct dom_status *s, char *v)
{
	char *name, *save = NULL;
	size_t len;

	if (!v[0] || v[strlen(v) - 1] == ',' || strstr(v, ",,") || v[0] == ',')
		return -EINVAL;
	for (name = strtok_r(v, ",", &save); name;
	     name = strtok_r(NULL, ",", &save)) {
		len = strlen(name);
		if (s->nnets == STATUS_NETS_MAX || len >= STATUS_IFNAME_MAX ||
		    strspn(name,
			   "abcdefghijklmnopqrstuvwxyz"
			   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != len)
			return -EINVAL;
		memcpy(s->nets[s->nnets++], name, len + 1);
	}
	return 0;
}
#define KEYS_REQUIRED 0x17u /* monitor, pid, start, id */

/* A number value: 0 and *u, or -EINVAL. */
static int num_val(const char *v, unsigned long long *u)
{
	char *end;

	errno = 0;
	*u = strtoull(v, &end, 10);
	return errno || end == v || *end || v[0] == '-' ? -EINVAL : 0;
}

/* One key=value line (NUL-terminated, without its newline); each key
 * at most once. */
static int parse_line(char *line, struct dom_status *s, unsigned *seen)
{
	char *eq = strchr(line, '=');
	unsigned long long u = 0;
	unsigned k;

	if (!eq)
		return -EINVAL;
	*eq++ = '\0';
	for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		if (!strcmp(line, keys[k]))
			break;
	if (k == sizeof(keys) / sizeof(keys[0]) || (*seen & (1u << k)))
		return -EINVAL;
	*seen |= 1u << k;
	if (k == 0)
		return eq[0] ? path_val(s->monitor, eq) : -EINVAL;
	if (k == 3)
		return path_val(s->pty, eq);
	if (k == 7)
		return nets_val(s, eq);
	if (num_val(eq, &u) < 0)
		return -EINVAL;
	if (k == 1 && u > 0 && u < (1u << 22))
		s->pid = (pid_t)u;
	else if (k == 2 && u > 0)
		s->start_time = u;
	else if (k == 4 && u > 0 && u < (1u << 30))
		s->id = (int)u;
	else if (k == 5 && u <= 1)
		s->no_reboot = u;
	else if (k == 6)
		s->log_offset = u;
	else if (k == 8 && u >= 3 && u < UINT32_MAX)
		s->vsock_cid = (uint32_t)u;
	else
		return -EINVAL;
	return 0;
}

int status_parse(const char *text, struct dom_status *s)
{
	char buf[STATUS_TEXT_MAX], *line, *save = NULL;
	unsigned seen = 0;

	memset(s, 0, sizeof(*s));
	if (strlen(text) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, text);
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (parse_line(line, s, &seen) < 0)
			return -EINVAL;
	return (seen & KEYS_REQUIRED) == KEYS_REQUIRED ? 0 : -EINVAL;
}

int status_read(int rundirfd, const char *name, struct dom_status *s)
{
	char file[DOMAIN_NAME_MAX + 16], text[STATUS_TEXT_MAX];
	ssize_t n;
	int fd;

	file_name(file, sizeof(file), name);
	fd = openat(rundirfd, file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n < 0)
		return -EIO;
	text[n] = '\0';
	return status_parse(text, s);
}

void status_remove(int rundirfd, const char *name)
{
	char file[DOMAIN_NAME_MAX + 16];

	file_name(file, sizeof(file), name);
	unlinkat(rundirfd, file, 0);
}

const char *status_proc_stat(pid_t pid, char *buf, size_t len)
{
	char path[64], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	/* "pid (comm) state ...": comm may hold anything but ends at the
	 * last ')'. */
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p + 2 : NULL;
}

uint64_t status_proc_start(pid_t pid)
{
	unsigned long long start;
	char buf[1024];
	const char *p = status_proc_stat(pid, buf, sizeof(buf));

	/* starttime is field 22; a zombie ('Z') has ended. */
	if (!p || p[0] == 'Z' ||
	    sscanf(p,
		   "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u "
		   "%*d %*d %*d %*d %*d %*d %llu",
		   &start) != 1)
		return 0;
	return start;
}

bool status_alive(const struct dom_status *s)
{
	return s->pid > 0 && status_proc_start(s->pid) == s->start_time;
}
