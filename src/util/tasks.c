/* Finding tasks by name in /proc and putting them on SCHED_BATCH (see
 * tasks.h). */
#include "util/tasks.h"

#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Adds the numeric entries of dir whose comm is `comm`. */
static void scan(const char *dir, const char *comm, struct task_set *out)
{
	char path[512], name[32];
	struct dirent *e;
	DIR *d = opendir(dir);
	FILE *f;
	char *end;
	long tid;

	if (!d)
		return;
	while ((e = readdir(d)) && out->n < TASKS_MAX) {
		tid = strtol(e->d_name, &end, 10);
		if (*end || end == e->d_name || tid <= 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s/comm", dir, e->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;	/* gone meanwhile */
		if (fgets(name, sizeof(name), f)) {
			name[strcspn(name, "\n")] = '\0';
			if (!strcmp(name, comm))
				out->tid[out->n++] = (int)tid;
		}
		fclose(f);
	}
	closedir(d);
}

void tasks_named(const char *proc_root, const char *comm,
		 struct task_set *out)
{
	char dir[256];

	out->n = 0;
	snprintf(dir, sizeof(dir), "%s/self/task", proc_root);
	scan(dir, comm, out);
	scan(proc_root, comm, out);
}

static bool has(const struct task_set *s, int tid)
{
	unsigned i;

	for (i = 0; i < s->n; i++)
		if (s->tid[i] == tid)
			return true;
	return false;
}

int tasks_batch_new(const struct task_set *before,
		    const struct task_set *after)
{
	struct sched_param sp = { 0 };
	int ret = 0, set = 0;
	unsigned i;

	for (i = 0; i < after->n; i++) {
		int tid = after->tid[i];

		/* Listed twice (the main thread is both self/task/N and N):
		 * the second time it is no longer SCHED_OTHER. */
		if (has(before, tid) || sched_getscheduler(tid) != SCHED_OTHER)
			continue;
		if (sched_setscheduler(tid, SCHED_BATCH, &sp) == 0)
			set++;
		else if (!ret)
			ret = -errno;
	}
	return ret ? ret : set;
}
