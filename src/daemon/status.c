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

int status_format(const struct dom_status *s, char *text, size_t len)
{
	int n = snprintf(text, len,
			 "pid=%d\nstart=%" PRIu64 "\nid=%d\nno_reboot=%d\n"
			 "log_offset=%" PRIu64 "\nmonitor=%s\npty=%s\n",
			 (int)s->pid, s->start_time, s->id, s->no_reboot ? 1 : 0,
			 s->log_offset, s->monitor, s->pty);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : n;
}

int status_write(int rundirfd, const char *name, const struct dom_status *s)
{
	char file[DOMAIN_NAME_MAX + 16], text[STATUS_TEXT_MAX];
	int n = status_format(s, text, sizeof(text));

	if (n < 0)
		return n;
	file_name(file, sizeof(file), name);
	return store_write_atomic(rundirfd, file, text, (size_t)n);
}

static int path_val(char *out, const char *v)
{
	size_t len = strlen(v);

	if (len >= STATUS_PATH_MAX || (len && v[0] != '/'))
		return -EINVAL;
	memcpy(out, v, len + 1);
	return 0;
}

/* One key=value line (NUL-terminated, without its newline). */
static int parse_line(char *line, struct dom_status *s, unsigned *seen)
{
	char *eq = strchr(line, '='), *end;
	unsigned long long u;

	if (!eq)
		return -EINVAL;
	*eq++ = '\0';
	if (!strcmp(line, "monitor")) {
		*seen |= 1;
		return eq[0] ? path_val(s->monitor, eq) : -EINVAL;
	}
	if (!strcmp(line, "pty"))
		return path_val(s->pty, eq);
	errno = 0;
	u = strtoull(eq, &end, 10);
	if (errno || end == eq || *end || eq[0] == '-')
		return -EINVAL;
	if (!strcmp(line, "pid") && u > 0 && u < (1u << 22)) {
		s->pid = (pid_t)u;
		*seen |= 2;
	} else if (!strcmp(line, "start") && u > 0) {
		s->start_time = u;
		*seen |= 4;
	} else if (!strcmp(line, "id") && u > 0 && u < (1u << 30))
		s->id = (int)u;
	else if (!strcmp(line, "no_reboot") && u <= 1)
		s->no_reboot = u;
	else if (!strcmp(line, "log_offset"))
		s->log_offset = u;
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
	return seen == 7 && s->id > 0 ? 0 : -EINVAL;
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
