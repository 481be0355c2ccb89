/* Tasks found by name in /proc, and SCHED_BATCH for them: the kernel's
 * vhost workers, which do a NIC's data path with vhost on, are
 * kthreads named vhost-PID on kernels before 6.4 and threads of this
 * process of that name since, created by VHOST_SET_OWNER with the
 * kernel's default policy whatever the VMM asked for its own thread. */
#ifndef VIREO_UTIL_TASKS_H
#define VIREO_UTIL_TASKS_H

#include <stdbool.h>

#define TASKS_MAX 64

struct task_set {
	unsigned n;
	int tid[TASKS_MAX];
};

/* The tasks under proc_root ("/proc" but for tests) whose comm is
 * `comm`: this process's threads (self/task/N) and other processes' main
 * threads (N, which is where kernel threads are).  At most TASKS_MAX. */
void tasks_named(const char *proc_root, const char *comm,
		 struct task_set *out);
/* SCHED_BATCH for each task of `after` that is not in `before` and runs
 * SCHED_OTHER (one gone meanwhile is skipped).  The number set, or -errno of the first that failed (the
 * others are still tried): -EPERM without the right to, e.g. for root's
 * kernel threads from a VMM that is not root. */
int tasks_batch_new(const struct task_set *before,
		    const struct task_set *after);

#endif
