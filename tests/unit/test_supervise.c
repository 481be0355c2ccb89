/* Unit tests for vireod's VMM supervision (src/daemon/supervise.c) with
 * stand-in VMMs: `true` (the guest powered off), `false` (a host error),
 * a script that exits 3 (a crash) and one that runs until killed
 * (destroy), also one SIGKILL does not end (held in its exit by a
 * tracer, as a VMM stuck in the kernel); the domain's id, state and
 * reason, and the stop callback; status files and the adoption of a VMM
 * after a restart.  The monitor
 * and the console pty are tested with tests/daemon/fake-vmm. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/netdev.h"
#include "daemon/qmpc.h"
#include "daemon/status.h"
#include "daemon/supervise.h"
#include "daemon/supervise_int.h"
#include "daemon/vmmargs.h"
#include "rpc_util.h"

struct fixture {
	const char *dir;
	struct store st;
	struct loop loop;
	struct supervisor sv;
	struct dom *d;
	int stops, detail;
	int dones;     /* replies the supervisor sent */
	bool done_err; /* the last one was an error */
	char err[128]; /* its message */
	char kernel[128];
};

static void done(void *opaque, const struct reply_to *r, const char *err)
{
	struct fixture *f = opaque;

	f->dones++;
	f->done_err = err != NULL;
	snprintf(f->err, sizeof(f->err), "%s", err ? err : "");
}

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

/* destroy, and the loop run until the VMM has ended (at most 5 s:
 * SIGTERM, SIGKILL 1 s later). */
static void destroy_wait(struct fixture *f)
{
	assert_int_equal(supervisor_destroy_dom(&f->sv, f->d, NULL), 0);
	for (int i = 0; i < 100 && f->d->proc; i++)
		loop_run_once(&f->loop, 50);
	assert_null(f->d->proc);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (f->d->proc)
		destroy_wait(f);
	supervisor_destroy(&f->sv);
	loop_destroy(&f->loop);
	store_close(&f->st);
	remove_tree(f->dir);
	return 0;
}

static void start(struct fixture *f, const char *vmm)
{
	char err[256];

	assert_int_equal(supervisor_init(&f->sv, &f->loop, vmm, f->dir,
					 f->st.dirfd),
			 0);
	f->sv.stopped = stopped;
	f->sv.done = done;
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
	destroy_wait(f);
	assert_int_equal(f->stops, 1);
	assert_int_equal(f->d->reason, 2); /* destroyed */
	assert_int_equal(f->detail, 1);
	assert_null(f->d->proc);
}

/* destroy returns at once; a VMM that ignores SIGTERM is SIGKILLed
 * DESTROY_TERM_MS later, and only then is the domain shut off. */
static void test_destroy_escalates(void **state)
{
	struct fixture *f = *state;
	uint64_t t0;
	int i;

	start(f, script(f, "trap '' TERM; exec sleep 60"));
	for (i = 0; i < 10; i++) /* the shell has set its trap */
		loop_run_once(&f->loop, 30);
	t0 = qmpc_now_ms();
	assert_int_equal(supervisor_destroy_dom(&f->sv, f->d, NULL), 0);
	assert_true(qmpc_now_ms() - t0 < 200);
	assert_int_equal(f->stops, 0);
	for (i = 0; i < 100 && !f->stops; i++)
		loop_run_once(&f->loop, 50);
	assert_int_equal(f->stops, 1);
	assert_true(qmpc_now_ms() - t0 >= DESTROY_TERM_MS);
	assert_int_equal(f->d->reason, 2); /* destroyed */
	assert_null(f->d->proc);
}

/* Each destroy request is answered exactly once, OK, when the VMM has
 * ended (a second one while the first waits too); a domain that is not
 * running is refused at once (nothing would ever answer). */
static void test_destroy_replies(void **state)
{
	struct fixture *f = *state;
	struct reply_to r = {.session = 1};
	int i;

	start(f, script(f, "trap '' TERM; exec sleep 60"));
	for (i = 0; i < 10; i++) /* the shell has set its trap */
		loop_run_once(&f->loop, 30);
	assert_int_equal(supervisor_destroy_dom(&f->sv, f->d, &r), 0);
	assert_int_equal(supervisor_destroy_dom(&f->sv, f->d, &r), 0);
	assert_int_equal(f->dones, 0);
	for (i = 0; i < 100 && f->d->proc; i++)
		loop_run_once(&f->loop, 50);
	assert_null(f->d->proc);
	assert_int_equal(f->dones, 2);
	assert_false(f->done_err);
	for (i = 0; i < 5; i++)
		loop_run_once(&f->loop, 50);
	assert_int_equal(f->dones, 2);
	assert_int_equal(supervisor_destroy_dom(&f->sv, f->d, &r), -ESRCH);
	assert_int_equal(f->dones, 2);
}

/* A tracer (a child of ours) holds pid in its exit (PTRACE_O_TRACEEXIT),
 * even after SIGKILL, until a byte arrives on *release; its pid, or -1
 * where ptrace is not allowed. */
static pid_t hold_exit(pid_t pid, int *release)
{
	int ready[2], rel[2];
	pid_t t;
	char c = 0;

	assert_int_equal(pipe2(ready, O_CLOEXEC), 0);
	assert_int_equal(pipe2(rel, O_CLOEXEC), 0);
	t = fork();
	assert_true(t >= 0);
	if (t == 0) {
		int st;

		c = ptrace(PTRACE_SEIZE, pid, NULL,
			   (void *)PTRACE_O_TRACEEXIT) == 0;
		if (write(ready[1], &c, 1) != 1 || !c)
			_exit(1);
		while (waitpid(pid, &st, __WALL) == pid && WIFSTOPPED(st)) {
			if (st >> 16 == PTRACE_EVENT_EXIT) {
				if (read(rel[0], &c, 1) < 0)
					_exit(1);
				ptrace(PTRACE_DETACH, pid, NULL, NULL);
				break;
			}
			/* A signal (not an event): delivered. */
			ptrace(PTRACE_CONT, pid, NULL,
			       (void *)(long)(st >> 16 ? 0 : WSTOPSIG(st)));
		}
		_exit(0);
	}
	close(ready[1]);
	close(rel[0]);
	if (read(ready[0], &c, 1) != 1 || !c) {
		waitpid(t, NULL, 0);
		close(rel[1]);
		t = -1;
	}
	close(ready[0]);
	*release = rel[1];
	return t;
}

/* A VMM that SIGKILL does not end (stuck in the kernel): the destroy
 * fails, saying so, DESTROY_KILL_MS after the SIGKILL, and the domain
 * stays running; when the VMM does end, with nobody waiting, it is
 * reaped and the domain shut off (destroyed).  Before, the domain was
 * shut off at once and the VMM left a zombie. */
static void test_destroy_stuck(void **state)
{
	struct fixture *f = *state;
	struct reply_to r = {.session = 1};
	char want[64];
	int i, release;
	pid_t vmm, tracer;

	start(f, script(f, "trap '' TERM; exec sleep 60"));
	for (i = 0; i < 10; i++) /* the shell has set its trap */
		loop_run_once(&f->loop, 30);
	vmm = supervisor_pid(f->d);
	tracer = hold_exit(vmm, &release);
	if (tracer < 0)
		skip(); /* no ptrace here */
	assert_int_equal(supervisor_destroy_dom(&f->sv, f->d, &r), 0);
	for (i = 0; i < 100 && !f->dones; i++)
		loop_run_once(&f->loop, 50);
	snprintf(want, sizeof(want), "VMM pid %d did not end after SIGKILL",
		 (int)vmm);
	assert_int_equal(f->dones, 1);
	assert_true(f->done_err);
	assert_string_equal(f->err, want);
	assert_int_equal(f->stops, 0);
	assert_int_equal(f->d->state, DOM_RUNNING);
	assert_non_null(f->d->proc);
	assert_int_equal(write(release, "x", 1), 1);
	close(release);
	for (i = 0; i < 100 && !f->stops; i++)
		loop_run_once(&f->loop, 50);
	assert_int_equal(f->stops, 1);
	assert_int_equal(f->d->state, DOM_SHUTOFF);
	assert_int_equal(f->d->reason, 2); /* destroyed */
	assert_null(f->d->proc);
	assert_int_equal(f->dones, 1);
	errno = 0;
	assert_int_equal(waitpid(vmm, NULL, WNOHANG), -1); /* reaped */
	assert_int_equal(errno, ECHILD);
	assert_int_equal(waitpid(tracer, NULL, 0), tracer);
}

/* A launch that fails after the spawn (here the status file cannot be
 * written) kills the VMM and reaps it from the tick, without waiting
 * for it in place: no zombie is left. */
static void test_launch_failure_reaped(void **state)
{
	struct fixture *f = *state;
	char err[256], run[256];
	int i;

	assert_int_equal(supervisor_init(&f->sv, &f->loop,
					 script(f, "exec sleep 60"), f->dir,
					 f->st.dirfd),
			 0);
	snprintf(run, sizeof(run), "%s/run", f->dir);
	assert_int_equal(rmdir(run), 0);
	assert_true(supervisor_start(&f->sv, f->d, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "cannot watch the VMM"));
	assert_null(f->d->proc);
	for (i = 0; i < 20 && f->sv.norphans; i++)
		loop_run_once(&f->loop, 50);
	assert_int_equal(f->sv.norphans, 0);
	assert_true(waitpid(-1, NULL, WNOHANG) <= 0); /* no zombie left */
}

/* An auto vsock CID is free among all running domains, however many:
 * 70 others hold CIDs 3 to 72, so the new one gets 73. */
static void test_auto_cid_many(void **state)
{
	static struct dom others[70];
	struct fixture *f = *state;
	struct vmm_proc *o[70];
	char err[256];
	unsigned i;

	assert_int_equal(supervisor_init(&f->sv, &f->loop,
					 script(f, "exec sleep 60"), f->dir,
					 f->st.dirfd),
			 0);
	f->sv.stopped = stopped;
	f->sv.opaque = f;
	for (i = 0; i < 70; i++) {
		o[i] = sv_new_proc(&f->sv, &others[i]);
		assert_non_null(o[i]);
		o[i]->st.vsock_cid = 3 + i;
	}
	f->d->def->vsock = true;
	f->d->def->vsock_auto = true;
	assert_int_equal(supervisor_start(&f->sv, f->d, err, sizeof(err)), 0);
	assert_int_equal(f->d->proc->st.vsock_cid, 73);
	for (i = 0; i < 70; i++)
		sv_release(o[i]);
}

/* Without a monitor (a VMM that serves none), suspend, shutdown and
 * reset say so; without a pty, console input has nowhere to go. */
static void test_no_monitor(void **state)
{
	struct fixture *f = *state;

	start(f, script(f, "exec sleep 60"));
	assert_true(supervisor_pid(f->d) > 0);
	assert_int_equal(supervisor_pause(&f->sv, f->d, true, NULL), -ENOTCONN);
	assert_int_equal(f->d->state, DOM_RUNNING);
	assert_int_equal(supervisor_shutdown(&f->sv, f->d, NULL), -ENOTCONN);
	assert_int_equal(supervisor_reset(&f->sv, f->d, NULL), -ENOTCONN);
	assert_int_equal(supervisor_console_write(f->d, "x", 1), -EPIPE);
	assert_null(supervisor_pty(f->d));
	destroy_wait(f);
	assert_int_equal(f->d->reason, 2);
	assert_int_equal(supervisor_pause(&f->sv, f->d, true, NULL), -ESRCH);
}

static long tick_period_ms(struct fixture *f)
{
	struct itimerspec its;

	assert_int_equal(timerfd_gettime(f->sv.tick_fd, &its), 0);
	return its.it_interval.tv_sec * 1000 + its.it_interval.tv_nsec / 1000000;
}

/* The tick runs at 10 ms after a start while the monitor is still to be
 * connected, for SV_FAST_TICK_MS at most, and at 200 ms otherwise. */
static void test_fast_tick(void **state)
{
	struct fixture *f = *state;

	start(f, script(f, "exec sleep 60"));
	assert_true(f->sv.tick_fast);
	assert_int_equal(tick_period_ms(f), 10);
	for (int i = 0; i < 3; i++)
		loop_run_once(&f->loop, 50);
	assert_int_equal(tick_period_ms(f), 10); /* no monitor yet */
	f->d->proc->fast_until_ms = qmpc_now_ms();
	loop_run_once(&f->loop, 50);
	assert_false(f->sv.tick_fast);
	assert_int_equal(tick_period_ms(f), 200);
	destroy_wait(f);
}

/* A running VMM has a status file naming it; vireod going away (the
 * supervisor destroyed) leaves the VMM running, and a new supervisor
 * adopts it with the same id.  A VMM that ended meanwhile is shut off
 * and its files removed. */
static void test_adopt(void **state)
{
	struct fixture *f = *state;
	struct dom_status st;
	char path[300];
	pid_t pid;

	start(f, script(f, "exec sleep 60"));
	pid = supervisor_pid(f->d);
	assert_int_equal(status_read(f->sv.rundirfd, "g", &st), 0);
	assert_int_equal(st.pid, pid);
	assert_int_equal(st.id, 1);
	assert_int_equal(st.start_time, status_proc_start(pid));
	supervisor_destroy(&f->sv);
	assert_null(f->d->proc);
	assert_true(status_proc_start(pid) > 0); /* still running */
	f->d->id = -1;
	f->d->state = DOM_SHUTOFF;

	assert_int_equal(supervisor_init(&f->sv, &f->loop, "true", f->dir,
					 f->st.dirfd),
			 0);
	f->sv.stopped = stopped;
	f->sv.done = done;
	f->sv.opaque = f;
	supervisor_adopt_all(&f->sv, &f->st);
	assert_int_equal(supervisor_pid(f->d), pid);
	assert_int_equal(f->d->id, 1);
	assert_int_equal(f->d->state, DOM_RUNNING);
	/* Its end is seen through the pidfd, though it is not our child
	 * any more in a real restart. */
	kill(pid, SIGTERM);
	wait_stop(f);

	/* A status file whose process is gone (a reused pid: another start
	 * time) shuts the domain off. */
	st.pid = getpid();
	assert_int_equal(status_write(f->sv.rundirfd, "g", &st), 0);
	supervisor_adopt_all(&f->sv, &f->st);
	assert_null(f->d->proc);
	assert_int_equal(f->d->state, DOM_SHUTOFF);
	assert_int_equal(f->d->reason, 0); /* unknown */
	snprintf(path, sizeof(path), "%s/run/g.status", f->dir);
	assert_int_equal(access(path, F_OK), -1);
}

static void test_status_parse(void **state)
{
	struct dom_status s;

	assert_int_equal(status_parse("pid=12\nstart=34\nid=5\nno_reboot=1\n"
				      "log_offset=7\nmonitor=/r/g.qmp\n"
				      "pty=/dev/pts/3\n",
				      &s),
			 0);
	assert_int_equal(s.pid, 12);
	assert_int_equal(s.start_time, 34);
	assert_int_equal(s.id, 5);
	assert_true(s.no_reboot);
	assert_int_equal(s.log_offset, 7);
	assert_string_equal(s.monitor, "/r/g.qmp");
	assert_string_equal(s.pty, "/dev/pts/3");
	/* Missing keys, bad numbers, relative paths, unknown keys. */
	assert_int_equal(status_parse("pid=12\nid=5\nmonitor=/m\n", &s), -EINVAL);
	assert_int_equal(status_parse("pid=-1\nstart=3\nid=5\nmonitor=/m\n", &s),
			 -EINVAL);
	assert_int_equal(status_parse("pid=1\nstart=3\nid=5\nmonitor=m\n", &s),
			 -EINVAL);
	/* A key given twice (found by fuzz_status). */
	assert_int_equal(
	    status_parse("pid=1\nstart=3\nid=5\nmonitor=/long\nmonitor=/m\n",
			 &s),
	    -EINVAL);
	/* An empty monitor path (found by fuzz_status). */
	assert_int_equal(status_parse("pid=1\nstart=3\nid=5\nmonitor=\n", &s),
			 -EINVAL);
	assert_int_equal(
	    status_parse("pid=1\nstart=3\nid=5\nmonitor=/m\nx=1\n", &s),
	    -EINVAL);
	assert_int_equal(status_parse("pid=1\nstart=3x\nid=5\nmonitor=/m\n", &s),
			 -EINVAL);
}

/* The TAP names and the vsock CID: written, read back; bad lists and
 * CIDs refused. */
static void test_status_nets(void **state)
{
	struct dom_status s = {.pid = 1, .start_time = 2, .id = 3,
			       .monitor = "/m", .nnets = 2,
			       .nets = {"vnet0", "tap-x"}, .vsock_cid = 7};
	struct dom_status r;
	char text[STATUS_TEXT_MAX];

	assert_true(status_format(&s, text, sizeof(text)) > 0);
	assert_non_null(strstr(text, "nets=vnet0,tap-x\nvsock=7\n"));
	assert_int_equal(status_parse(text, &r), 0);
	assert_int_equal(r.nnets, 2);
	assert_string_equal(r.nets[1], "tap-x");
	assert_int_equal(r.vsock_cid, 7);
	s.nnets = 0;
	s.vsock_cid = 0;
	assert_true(status_format(&s, text, sizeof(text)) > 0);
	assert_null(strstr(text, "nets="));
	assert_null(strstr(text, "vsock="));
#define BASE "pid=1\nstart=3\nid=5\nmonitor=/m\n"
	assert_int_equal(status_parse(BASE "nets=a,,b\n", &r), -EINVAL);
	assert_int_equal(status_parse(BASE "nets=a,\n", &r), -EINVAL);
	assert_int_equal(status_parse(BASE "nets=\n", &r), -EINVAL);
	assert_int_equal(status_parse(BASE "nets=a b\n", &r), -EINVAL);
	assert_int_equal(status_parse(BASE "nets=0123456789abcdef\n", &r),
			 -EINVAL);
	assert_int_equal(status_parse(BASE "nets=a,b,c,d,e,f,g,h,i\n", &r),
			 -EINVAL);
	assert_int_equal(status_parse(BASE "nets=a,b,c,d,e,f,g,h\n", &r), 0);
	assert_int_equal(status_parse(BASE "vsock=2\n", &r), -EINVAL);
	assert_int_equal(status_parse(BASE "vsock=4294967295\n", &r), -EINVAL);
#undef BASE
}

/* TAPs: which ones vireod creates, the names it asks for, the bridge
 * check (needs no privilege: lo exists and is no bridge). */
static void test_netdev(void **state)
{
	struct domain_net bridge = {.type = DOMAIN_NET_BRIDGE, .bridge = "br0"};
	struct domain_net eth = {.type = DOMAIN_NET_ETHERNET};
	struct domain_net named = {.type = DOMAIN_NET_ETHERNET,
				   .ifname = "tap7"};
	char err[128];

	assert_true(netdev_vireod_creates(&bridge));
	assert_true(netdev_vireod_creates(&eth));
	assert_false(netdev_vireod_creates(&named));
	assert_string_equal(netdev_name(&bridge), "vnet%d");
	assert_string_equal(netdev_name(&named), "tap7");
	bridge.ifname = "mine0";
	assert_true(netdev_vireod_creates(&bridge));
	assert_string_equal(netdev_name(&bridge), "mine0");
	assert_int_equal(netdev_check_bridge("no-such-br9", err, sizeof(err)),
			 -ENODEV);
	assert_string_equal(err, "bridge 'no-such-br9' does not exist");
	assert_int_equal(netdev_check_bridge("lo", err, sizeof(err)), -ENOTDIR);
	assert_string_equal(err, "interface 'lo' is not a bridge");
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
	destroy_wait(f);
	assert_int_equal(supervisor_cpu_time_ns(f->d), 0);
}

static void test_no_kernel_no_vmm(void **state)
{
	struct fixture *f = *state;
	char err[256];

	assert_int_equal(
	    supervisor_init(&f->sv, &f->loop, "/nonexistent/vmm", f->dir,
			    f->st.dirfd),
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

/* The argv joined with spaces, for comparison. */
static void joined(char **argv, char *out, size_t len)
{
	out[0] = '\0';
	for (; *argv; argv++) {
		strncat(out, *argv, len - strlen(out) - 1);
		if (argv[1])
			strncat(out, " ", len - strlen(out) - 1);
	}
}

static char **args_with(const char *xml, bool no_reboot,
			const struct vmm_net_fds *nets, uint32_t cid, int *ret,
			char *err)
{
	struct vmm_launch l = {"vmm", "/run/g.qmp", no_reboot, nets, cid};
	struct domain_def *def;
	char **argv;

	assert_int_equal(domxml_parse(xml, strlen(xml), &def, err, 256), 0);
	argv = vmm_args_build(def, &l, ret, err, 256);
	domain_def_free(def);
	return argv;
}

static char **args_for(const char *xml, bool no_reboot, int *ret, char *err)
{
	return args_with(xml, no_reboot, NULL, 0, ret, err);
}

/* TAP descriptors vireod opened (one per queue pair) become fd=N:N; a
 * named ethernet TAP stays tap=NAME, with its queues; the CID --vsock. */
static void test_vmm_args_fds(void **state)
{
	static const int fds0[] = {7, 8}, fds1[] = {9};
	const struct vmm_net_fds nets[] = {{2, fds0}, {1, fds1}, {0, NULL}};
	char err[256], line[1024];
	char **argv;
	int ret;

	argv = args_with(
	    "<domain type='kvm'><name>g</name><memory>65536</memory>"
	    "<os><type>hvm</type><kernel>/k</kernel></os><devices>"
	    "<interface type='bridge'><source bridge='br0'/><driver "
	    "queues='2' rx_queue_size='256'/><mac address='52:54:00:00:00:01'/>"
	    "</interface>"
	    "<interface type='ethernet'><mac address='52:54:00:00:00:02'/>"
	    "</interface><interface type='ethernet'><target dev='t0'/>"
	    "<driver queues='3' tx_queue_size='128'/>"
	    "<mac address='52:54:00:00:00:03'/>"
	    "</interface><memballoon model='none'/>"
	    "<vsock model='virtio'/></devices></domain>",
	    false, nets, 9, &ret, err);
	assert_non_null(argv);
	joined(argv, line, sizeof(line));
	assert_string_equal(
	    line, "vmm --name g --kernel /k --cpus 1 --memory 65536K "
		  "--net fd=7:8,mac=52:54:00:00:00:01,queue-size=256 "
		  "--net fd=9,mac=52:54:00:00:00:02 "
		  "--net tap=t0,queues=3,mac=52:54:00:00:00:03,queue-size=128 "
		  "--vsock cid=9 --console pty --monitor /run/g.qmp");
	vmm_args_free(argv);
}

/* auto CIDs: the smallest >= 3 that no other running domain has. */
static void test_free_cid(void **state)
{
	assert_int_equal(vmm_free_cid(NULL, 0), 3);
	assert_int_equal(vmm_free_cid((const uint32_t[]){4, 5}, 2), 3);
	assert_int_equal(vmm_free_cid((const uint32_t[]){5, 3, 4}, 3), 6);
	assert_int_equal(vmm_free_cid((const uint32_t[]){3, 7, 4}, 3), 5);
}

static void test_vmm_args(void **state)
{
	char err[256], line[1024];
	char **argv;
	int ret;

	argv = args_for(
	    "<domain type='kvm'><name>g</name><memory>65536</memory>"
	    "<currentMemory>32768</currentMemory><vcpu>3</vcpu><os>"
	    "<type>hvm</type><kernel>/k</kernel><initrd>/i</initrd>"
	    "<cmdline>console=ttyS0</cmdline></os><devices>"
	    "<disk type='file' device='disk'><driver name='qemu' type='raw' "
	    "cache='none'/><source file='/d.img'/><target dev='vda'/>"
	    "<readonly/><serial>S1</serial></disk>"
	    "<disk type='block' device='disk'><source dev='/dev/x'/>"
	    "<target dev='vdb'/></disk></devices></domain>",
	    true, &ret, err);
	assert_non_null(argv);
	joined(argv, line, sizeof(line));
	assert_string_equal(
	    line, "vmm --name g --kernel /k --initrd /i --cmdline console=ttyS0 "
		  "--cpus 3 --memory 65536K --disk "
		  "path=/d.img,readonly=on,serial=S1,cache=none --disk "
		  "path=/dev/x --balloon=target=32768K --console pty --monitor "
		  "/run/g.qmp --no-reboot");
	vmm_args_free(argv);
	/* No balloon with model none; devices the VMM lacks are refused. */
	argv = args_for("<domain type='kvm'><name>g</name><memory>65536</memory>"
			"<os><type>hvm</type><kernel>/k</kernel></os><devices>"
			"<memballoon model='none'/></devices></domain>",
			false, &ret, err);
	joined(argv, line, sizeof(line));
	assert_string_equal(line, "vmm --name g --kernel /k --cpus 1 --memory "
				  "65536K --console pty --monitor /run/g.qmp");
	vmm_args_free(argv);
	argv = args_for("<domain type='kvm'><name>g</name><memory>65536</memory>"
			"<os><type>hvm</type><kernel>/k</kernel></os><devices>"
			"<interface type='ethernet'><target dev='tap0'/>"
			"<mac address='52:54:00:0a:0b:0c'/></interface>"
			"<memballoon model='none'/></devices></domain>",
			false, &ret, err);
	assert_non_null(argv);
	joined(argv, line, sizeof(line));
	assert_string_equal(line, "vmm --name g --kernel /k --cpus 1 --memory "
				  "65536K --net tap=tap0,mac=52:54:00:0a:0b:0c "
				  "--console pty --monitor /run/g.qmp");
	vmm_args_free(argv);
	/* A bridge without the TAP vireod opens, a vsock without its CID:
	 * the launch is incomplete. */
	argv = args_for("<domain type='kvm'><name>g</name><memory>65536</memory>"
			"<os><type>hvm</type><kernel>/k</kernel></os><devices>"
			"<interface type='bridge'><source bridge='br0'/>"
			"</interface></devices></domain>",
			false, &ret, err);
	assert_null(argv);
	assert_int_equal(ret, -EINVAL);
	assert_string_equal(err, "interface 0 has no TAP");
	argv = args_for("<domain type='kvm'><name>g</name><memory>65536</memory>"
			"<os><type>hvm</type><kernel>/k</kernel></os><devices>"
			"<rng model='virtio'><backend model='random'>/dev/urandom"
			"</backend></rng><vsock model='virtio'><cid auto='yes'/>"
			"</vsock></devices></domain>",
			false, &ret, err);
	assert_null(argv);
	assert_string_equal(err, "the vsock has no CID");
	argv = args_for("<domain type='kvm'><name>g</name><memory>65536</memory>"
			"<os><type>hvm</type><kernel>/k</kernel></os><devices>"
			"<rng model='virtio'><backend model='random'>/dev/random"
			"</backend></rng></devices></domain>",
			false, &ret, err);
	joined(argv, line, sizeof(line));
	assert_string_equal(line, "vmm --name g --kernel /k --cpus 1 --memory "
				  "65536K --rng --balloon --console pty "
				  "--monitor /run/g.qmp");
	vmm_args_free(argv);
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
	    cmocka_unit_test_setup_teardown(test_no_monitor, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fast_tick, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_destroy_escalates, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_destroy_replies, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_destroy_stuck, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_launch_failure_reaped, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_auto_cid_many, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_adopt, setup, teardown),
	    cmocka_unit_test(test_status_parse),
	    cmocka_unit_test(test_status_nets),
	    cmocka_unit_test(test_netdev),
	    cmocka_unit_test(test_vmm_args),
	    cmocka_unit_test(test_vmm_args_fds),
	    cmocka_unit_test(test_free_cid),
	    cmocka_unit_test_setup_teardown(test_no_kernel_no_vmm, setup,
					    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
