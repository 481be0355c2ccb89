/* Unit tests for src/util/tasks.c: tasks found by name in a fake /proc
 * (this process's threads under self/task and other tasks at the top,
 * non-numeric entries and a task without comm skipped), and SCHED_BATCH
 * set only on tasks that are new and run SCHED_OTHER, on a real thread
 * of this test. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/tasks.h"

static char root[64];

static void put(const char *dir, const char *comm)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, dir);
	assert_int_equal(mkdir(path, 0755), 0);
	if (!comm)
		return;
	snprintf(path, sizeof(path), "%s/%s/comm", root, dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", comm);
	fclose(f);
}

static bool in(const struct task_set *s, int tid)
{
	for (unsigned i = 0; i < s->n; i++)
		if (s->tid[i] == tid)
			return true;
	return false;
}

static void test_named(void **state)
{
	struct task_set s;
	char cmd[128];

	(void)state;
	snprintf(root, sizeof(root), "/tmp/vireo-test-tasks-XXXXXX");
	assert_non_null(mkdtemp(root));
	put("self", NULL);
	put("self/task", NULL);
	put("self/task/7", "vhost-42");		/* a thread of ours */
	put("self/task/8", "vcpu0");
	put("100", "vhost-42");			/* a kernel thread */
	put("101", "vhost-420");		/* not a prefix match */
	put("102", NULL);			/* gone: no comm */
	put("abc", "vhost-42");			/* not a task */
	tasks_named(root, "vhost-42", &s);
	assert_int_equal(s.n, 2);
	assert_true(in(&s, 7));
	assert_true(in(&s, 100));
	tasks_named(root, "nothing", &s);
	assert_int_equal(s.n, 0);
	tasks_named("/nonexistent", "vhost-42", &s);
	assert_int_equal(s.n, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	assert_int_equal(system(cmd), 0);
}

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int worker_tid;
static bool done;

static void *worker(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&mu);
	worker_tid = gettid();
	pthread_cond_broadcast(&cv);
	while (!done)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
	return NULL;
}

static void test_batch_new(void **state)
{
	struct task_set before = { 0 }, after = { 0 };
	pthread_t t;

	(void)state;
	assert_int_equal(pthread_create(&t, NULL, worker, NULL), 0);
	pthread_mutex_lock(&mu);
	while (!worker_tid)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
	/* Known before: left alone. */
	before.tid[before.n++] = worker_tid;
	after.tid[after.n++] = worker_tid;
	assert_int_equal(tasks_batch_new(&before, &after), 0);
	assert_int_equal(sched_getscheduler(worker_tid), SCHED_OTHER);
	/* New, and listed twice: set once. */
	before.n = 0;
	after.tid[after.n++] = worker_tid;
	assert_int_equal(tasks_batch_new(&before, &after), 1);
	assert_int_equal(sched_getscheduler(worker_tid), SCHED_BATCH);
	assert_int_equal(sched_getscheduler(0), SCHED_OTHER);
	/* Already not SCHED_OTHER: nothing to do. */
	assert_int_equal(tasks_batch_new(&before, &after), 0);
	/* A task gone since it was listed: skipped, not an error. */
	after.n = 1;
	after.tid[0] = 0x3ffffff0;
	assert_int_equal(tasks_batch_new(&before, &after), 0);
	pthread_mutex_lock(&mu);
	done = true;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	pthread_join(t, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_named),
		cmocka_unit_test(test_batch_new),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
