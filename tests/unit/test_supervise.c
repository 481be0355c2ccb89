/* Unit tests for vireod's VMM supervision (src/daemon/supervise.c) with
 * stand-in VMMs: `true` (the guest powered off), `false` (a host error),
 * a script that exits 3 (a crash) and one that runs until killed
 * (destroy); the domain's id, state and reason, and the stop callback. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "daemon/supervise.h"
#include "rpc_util.h"

struct fixture {
	const char *dir;
	struct store st;
	struct loop loop;
	struct supervisor sv;
	struct dom *d;
	int stops, detail;
	char kernel[128];
};

static void stopped(void *opaque, struct dom *d, int detail)
{
	struct fixture *f = opaque;

	f->stops++;
	f->detail = detail;
}

static int setup(void **state)
{
	static struct fixture f;
	char err[256], xml[512];
	FILE *k;

	memset(&f, 0, sizeof(f));
	f.dir = make_tmpdir();
	assert_non_null(f.dir);
	snprintf(f.kernel, sizeof(f.kernel), "%s/k", f.dir);
	k = fopen(f.kernel, "w");
	assert_non_null(k);
	fclose(k);
	snprintf(xml, sizeof(xml),
		 "<domain type='kvm'><name>g</name><memory>65536</memory>"
		 "<vcpu>2</vcpu><os><type>hvm</type><kernel>%s</kernel></os>"
		 "</domain>",
		 f.kernel);
	assert_int_equal(store_open(&f.st, f.dir), 0);
	assert_int_equal(loop_init(&f.loop), 0);
	assert_int_equal(
	    store_define(&f.st, xml, strlen(xml), &f.d, err, sizeof(err)), 0);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (f->d->proc)
		supervisor_destroy_dom(&f->sv, f->d);
	supervisor_destroy(&f->sv);
	loop_destroy(&f->loop);
	store_close(&f->st);
	remove_tree(f->dir);
	return 0;
}

static void start(struct fixture *f, const char *vmm)
{
	char err[256];

	assert_int_equal(supervisor_init(&f->sv, &f->loop, vmm, f->st.dirfd),
			 0);
	f->sv.stopped = stopped;
	f->sv.opaque = f;
	assert_int_equal(supervisor_start(&f->sv, f->d, err, sizeof(err)), 0);
	assert_int_equal(f->d->id, 1);
	assert_int_equal(f->d->state, DOM_RUNNING);
}

/* Runs the loop until the VMM's exit is handled. */
static void wait_stop(struct fixture *f)
{
	int i;

	for (i = 0; i < 100 && !f->stops; i++)
		loop_run_once(&f->loop, 100);
	assert_int_equal(f->stops, 1);
	assert_int_equal(f->d->id, -1);
	assert_int_equal(f->d->state, DOM_SHUTOFF);
	assert_null(f->d->proc);
}

static void test_poweroff(void **state)
{
	struct fixture *f = *state;

	start(f, "true");
	wait_stop(f);
	assert_int_equal(f->d->reason, 1); /* shutdown */
	assert_int_equal(f->detail, 0);
}

static void test_host_error(void **state)
{
	struct fixture *f = *state;

	start(f, "false");
	wait_stop(f);
	assert_int_equal(f->d->reason, 6); /* failed */
	assert_int_equal(f->detail, 5);
}

static const char *script(struct fixture *f, const char *body)
{
	static char path[256];
	FILE *s;

	snprintf(path, sizeof(path), "%s/vmm.sh", f->dir);
	s = fopen(path, "w");
	assert_non_null(s);
	fprintf(s, "#!/bin/sh\n%s\n", body);
	fclose(s);
	chmod(path, 0700);
	return path;
}

static void test_crash(void **state)
{
	struct fixture *f = *state;

	start(f, script(f, "exit 3"));
	wait_stop(f);
	assert_int_equal(f->d->reason, 3); /* crashed */
	assert_int_equal(f->detail, 2);
}

static void test_destroy_and_args(void **state)
{
	struct fixture *f = *state;
	char log[256], line[512] = "";
	FILE *l;
	int i;

	start(f, script(f, "echo \"$@\"; exec sleep 60"));
	/* The arguments reach the VMM (its output goes to logs/g.log). */
	snprintf(log, sizeof(log), "%s/logs/g.log", f->dir);
	for (i = 0; i < 100 && !line[0]; i++) {
		loop_run_once(&f->loop, 20);
		l = fopen(log, "r");
		if (l && !fgets(line, sizeof(line), l))
			line[0] = '\0';
		if (l)
			fclose(l);
	}
	snprintf(log, sizeof(log),
		 "--name g --kernel %s --cpus 2 "
		 "--memory 65536K",
		 f->kernel);
	assert_non_null(strstr(line, log));
	supervisor_destroy_dom(&f->sv, f->d);
	assert_int_equal(f->stops, 1);
	assert_int_equal(f->d->reason, 2); /* destroyed */
	assert_int_equal(f->detail, 1);
	assert_null(f->d->proc);
}

/* The one-letter state of a process, from /proc/PID/stat. */
static char proc_state(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return '?';
	p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
	fclose(f);
	return p ? p[2] : '?';
}

static void test_pause(void **state)
{
	struct fixture *f = *state;
	pid_t pid;
	int i;

	start(f, script(f, "exec sleep 60"));
	pid = supervisor_pid(f->d);
	assert_true(pid > 0);
	assert_int_equal(supervisor_pause(&f->sv, f->d, true), 0);
	assert_int_equal(f->d->state, DOM_PAUSED);
	for (i = 0; i < 50 && proc_state(pid) != 'T'; i++)
		loop_run_once(&f->loop, 10);
	assert_int_equal(proc_state(pid), 'T');
	assert_int_equal(supervisor_pause(&f->sv, f->d, false), 0);
	assert_int_equal(f->d->state, DOM_RUNNING);
	for (i = 0; i < 50 && proc_state(pid) == 'T'; i++)
		loop_run_once(&f->loop, 10);
	assert_true(proc_state(pid) != 'T');
	/* Destroy works on a paused VMM too. */
	assert_int_equal(supervisor_pause(&f->sv, f->d, true), 0);
	supervisor_destroy_dom(&f->sv, f->d);
	assert_int_equal(f->d->reason, 2);
	assert_int_equal(supervisor_pause(&f->sv, f->d, true), -ESRCH);
}

static void console_out(void *opaque, struct dom *d, const uint8_t *buf,
			size_t len)
{
	char *seen = opaque;
	size_t have = strlen(seen);

	if (have + len < 256) {
		memcpy(seen + have, buf, len);
		seen[have + len] = '\0';
	}
}

/* The console is the VMM's stdin and stdout: input is written to it, its
 * output comes back through console_out. */
static void test_console(void **state)
{
	struct fixture *f = *state;
	static char seen[256];
	int i;

	seen[0] = '\0';
	start(f, script(f, "while read l; do echo \"g:$l\"; done"));
	f->sv.console_out = console_out;
	f->sv.opaque = seen;
	f->sv.stopped = NULL;
	assert_int_equal(supervisor_console_write(f->d, "ping\n", 5), 5);
	for (i = 0; i < 100 && !strstr(seen, "g:ping"); i++)
		loop_run_once(&f->loop, 20);
	assert_non_null(strstr(seen, "g:ping"));
	supervisor_destroy_dom(&f->sv, f->d);
	assert_int_equal(supervisor_console_write(f->d, "x", 1), -EPIPE);
}

/* A VMM that spins: its CPU time shows, and is 0 once it is gone. */
static void test_cpu_time(void **state)
{
	struct fixture *f = *state;
	uint64_t t = 0;
	int i;

	start(f, script(f, "while :; do :; done"));
	for (i = 0; i < 50 && !t; i++) {
		loop_run_once(&f->loop, 20);
		t = supervisor_cpu_time_ns(f->d);
	}
	assert_true(t > 0);
	supervisor_destroy_dom(&f->sv, f->d);
	assert_int_equal(supervisor_cpu_time_ns(f->d), 0);
}

static void test_no_kernel_no_vmm(void **state)
{
	struct fixture *f = *state;
	char err[256];

	assert_int_equal(
	    supervisor_init(&f->sv, &f->loop, "/nonexistent/vmm", f->st.dirfd),
	    0);
	assert_int_equal(supervisor_start(&f->sv, f->d, err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "/nonexistent/vmm"));
	assert_int_equal(f->d->id, -1);
	free(f->d->def->kernel);
	f->d->def->kernel = NULL;
	assert_int_equal(supervisor_start(&f->sv, f->d, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "<kernel>"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_poweroff, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_host_error, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_crash, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_destroy_and_args, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_cpu_time, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pause, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_console, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_kernel_no_vmm, setup,
					    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
