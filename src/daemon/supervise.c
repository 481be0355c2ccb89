/* VMM processes of running domains (see supervise.h): starting them
 * detached, noticing their end, and the lifecycle actions.  The monitor,
 * the console and adoption after a restart are in supervise_mon.c. */
#include "daemon/supervise_int.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/netdev.h"
#include "daemon/vmmargs.h"
#include "util/log.h"

/* vireo-vmm's exit statuses (README): 0 powered off, 1 host error,
 * 2 reset with --no-reboot, 3 crashed. */
#define VMM_EXIT_RESET 2
#define VMM_EXIT_CRASHED 3

extern char **environ;

static int open_dir(int statedirfd, const char *name)
{
	if (mkdirat(statedirfd, name, 0700) < 0 && errno != EEXIST)
		return -errno;
	return openat(statedirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

int supervisor_init(struct supervisor *sv, struct loop *loop, const char *vmm,
		    const char *statedir, int statedirfd)
{
	struct itimerspec its = {{0, 200000000}, {0, 200000000}};

	memset(sv, 0, sizeof(*sv));
	sv->loop = loop;
	sv->vmm = vmm;
	sv->next_id = 1;
	sv->logdirfd = sv->rundirfd = sv->tick_fd = -1;
	sv->logdirfd = open_dir(statedirfd, "logs");
	sv->rundirfd = open_dir(statedirfd, "run");
	if (sv->logdirfd < 0 || sv->rundirfd < 0)
		goto fail;
	/* Absolute: status files name the monitor socket by this path. */
	char *abs = realpath(statedir, NULL);

	if (!abs)
		goto fail;
	if (asprintf(&sv->rundir, "%s/run", abs) < 0) {
		sv->rundir = NULL;
		errno = ENOMEM;
	}
	free(abs);
	if (!sv->rundir)
		goto fail;
	sv->tick_fd =
	    timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (sv->tick_fd < 0 || timerfd_settime(sv->tick_fd, 0, &its, NULL) < 0)
		goto fail;
	if (loop_add(loop, &sv->tick_src, sv->tick_fd, EPOLLIN, sv_tick, sv) <
	    0) {
		errno = EIO;
		goto fail;
	}
	return 0;
fail:;
	int ret = -errno;

	supervisor_destroy(sv);
	return ret;
}

void supervisor_destroy(struct supervisor *sv)
{
	sv->done = NULL; /* the clients are going too */
	while (sv->procs)
		sv_release(sv->procs);
	if (sv->tick_fd >= 0) {
		loop_remove(sv->loop, &sv->tick_src);
		close(sv->tick_fd);
	}
	if (sv->logdirfd >= 0)
		close(sv->logdirfd);
	if (sv->rundirfd >= 0)
		close(sv->rundirfd);
	free(sv->rundir);
	free(sv->orphans); /* vireod's end leaves them to init */
	sv->orphans = NULL;
	sv->norphans = 0;
	sv->logdirfd = sv->rundirfd = sv->tick_fd = -1;
	sv->rundir = NULL;
}

void sv_reap_later(struct supervisor *sv, pid_t pid)
{
	pid_t *o;

	if (waitpid(pid, NULL, WNOHANG) != 0)
		return; /* reaped, or not ours */
	o = realloc(sv->orphans, (sv->norphans + 1) * sizeof(*o));
	if (!o) {
		log_warn("no memory to reap process %d later", (int)pid);
		return;
	}
	sv->orphans = o;
	sv->orphans[sv->norphans++] = pid;
}

void sv_reap_orphans(struct supervisor *sv)
{
	size_t i = 0;

	while (i < sv->norphans) {
		pid_t r = waitpid(sv->orphans[i], NULL, WNOHANG);

		if (r == 0 || (r < 0 && errno == EINTR))
			i++;
		else
			sv->orphans[i] = sv->orphans[--sv->norphans];
	}
}

int sv_wait_slot(const struct vmm_proc *p)
{
	for (int i = 0; i < SV_WAITS; i++)
		if (p->waits[i].kind == WAIT_NONE)
			return i;
	return -EBUSY;
}

void sv_wait_set(struct vmm_proc *p, int slot, enum sv_wait_kind kind,
		 const struct reply_to *r)
{
	p->waits[slot] = (struct sv_wait){kind, r != NULL, {0}};
	if (r)
		p->waits[slot].r = *r;
}

void sv_wait_end(struct vmm_proc *p, int slot, const char *err)
{
	struct sv_wait w = p->waits[slot];

	p->waits[slot].kind = WAIT_NONE;
	if (w.kind != WAIT_NONE && w.reply && p->sv->done)
		p->sv->done(p->sv->opaque, &w.r, err);
}

void sv_wait_end_monitor(struct vmm_proc *p, const char *err)
{
	for (int i = 0; i < SV_WAITS; i++)
		if (p->waits[i].kind != WAIT_DESTROY)
			sv_wait_end(p, i, err);
}

/* The VMM has ended: a destroy is done, and so is a power button or a
 * reset that ended it; a stop or cont never got its answer. */
static void end_waits(struct vmm_proc *p)
{
	for (int i = 0; i < SV_WAITS; i++)
		sv_wait_end(p, i,
			    p->waits[i].kind == WAIT_STOP ||
				    p->waits[i].kind == WAIT_CONT
				? "the VMM ended before it answered"
				: NULL);
}

/* Frees p and what it holds; the VMM itself is left alone.  Whoever
 * waits on it gets a reply. */
void sv_release(struct vmm_proc *p)
{
	struct supervisor *sv = p->sv;
	struct vmm_proc **pp;

	end_waits(p);
	for (pp = &sv->procs; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	qmpc_close(&p->mon);
	sv_pty_close(p);
	if (p->pidfd >= 0) {
		loop_remove(sv->loop, &p->exit_src);
		close(p->pidfd);
	}
	if (p->log_fd >= 0)
		close(p->log_fd);
	if (p->dom)
		p->dom->proc = NULL;
	free(p);
}

/* The STOPPED event's detail and the shut-off reason of an outcome. */
static void shutoff_reason(enum vmm_outcome o, int *reason, int *detail)
{
	static const int map[][2] = {
	    [OUT_POWEROFF] = {SHUTOFF_SHUTDOWN, STOPPED_SHUTDOWN},
	    [OUT_REBOOT] = {SHUTOFF_SHUTDOWN, STOPPED_SHUTDOWN},
	    [OUT_CRASH] = {SHUTOFF_CRASHED, STOPPED_CRASHED},
	    [OUT_DESTROYED] = {SHUTOFF_DESTROYED, STOPPED_DESTROYED},
	    [OUT_FAILED] = {SHUTOFF_FAILED, STOPPED_FAILED},
	    [OUT_UNKNOWN] = {SHUTOFF_UNKNOWN, STOPPED_FAILED},
	};

	*reason = map[o][0];
	*detail = map[o][1];
}

static enum domain_action action_for(const struct domain_def *def,
				     enum vmm_outcome o)
{
	switch (o) {
	case OUT_POWEROFF:
		return def->on_poweroff;
	case OUT_REBOOT:
		return def->on_reboot;
	case OUT_CRASH:
		return def->on_crash;
	default:
		return DOMAIN_ACTION_DESTROY;
	}
}

/* The VMM is gone: its files go, d is shut off (or started again when
 * its lifecycle action says restart). */
void sv_finish(struct vmm_proc *p, enum vmm_outcome o)
{
	struct supervisor *sv = p->sv;
	struct dom *d = p->dom;
	enum domain_action act;
	char err[400];
	int reason, detail;

	if (p->fake_reboot && o == OUT_POWEROFF)
		o = OUT_REBOOT;
	act = action_for(d->def, o);
	sv_remove_files(sv, d->def->name, p->st.monitor);
	sv_release(p);
	shutoff_reason(o, &reason, &detail);
	d->id = -1;
	d->state = DOM_SHUTOFF;
	d->reason = reason;
	if (act == DOMAIN_ACTION_RESTART ||
	    act == DOMAIN_ACTION_RENAME_RESTART) {
		log_info("domain %s: %s, starting it again (lifecycle action)",
			 d->def->name, o == OUT_CRASH ? "crashed" : "stopped");
		if (sv->event)
			sv->event(sv->opaque, d, EVENT_STOPPED, detail);
		if (supervisor_start(sv, d, err, sizeof(err)) == 0) {
			if (sv->event)
				sv->event(sv->opaque, d, EVENT_STARTED, 0);
			if (o == OUT_REBOOT && sv->reboot)
				sv->reboot(sv->opaque, d);
			return;
		}
		log_warn("domain %s: cannot start again: %s", d->def->name,
			 err);
	}
	if (sv->stopped)
		sv->stopped(sv->opaque, d, detail);
}

/* What ended the VMM, from its exit status (our child) or else from the
 * monitor's last SHUTDOWN event. */
static enum vmm_outcome outcome(struct vmm_proc *p, bool have, int status)
{
	if (p->destroying)
		return OUT_DESTROYED;
	if (!have)
		return p->event_outcome;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return OUT_POWEROFF;
	if (WIFEXITED(status) && WEXITSTATUS(status) == VMM_EXIT_RESET)
		return OUT_REBOOT;
	if (WIFEXITED(status) && WEXITSTATUS(status) == VMM_EXIT_CRASHED)
		return OUT_CRASH;
	if (p->event_outcome != OUT_UNKNOWN)
		return p->event_outcome;
	log_warn(
	    "domain %s: the VMM %s %d (see logs/%s.log)", p->dom->def->name,
	    WIFEXITED(status) ? "exited with status" : "was killed by signal",
	    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
	    p->dom->def->name);
	return OUT_FAILED;
}

/* The pidfd is readable: the VMM has ended. */
static void on_exit_fd(struct loop_source *src, uint32_t events)
{
	struct vmm_proc *p = src->opaque;
	int status = 0;
	bool have = false;

	if (p->child) {
		pid_t r;

		while ((r = waitpid(p->pid, &status, WNOHANG)) < 0 &&
		       errno == EINTR)
			;
		have = r == p->pid;
		if (r == 0) /* not waitable yet: the tick reaps it */
			sv_reap_later(p->sv, p->pid);
	}
	sv_console_drain(p);
	sv_finish(p, outcome(p, have, status));
}

/* The VMM's stdout and stderr: logs/<name>.log, appended. */
int sv_open_log(struct supervisor *sv, const char *name)
{
	char file[DOMAIN_NAME_MAX + 8];

	snprintf(file, sizeof(file), "%s.log", name);
	return openat(sv->logdirfd, file,
		      O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
}

/* Runs argv in its own session, stdin /dev/null, output to the log,
 * signals unblocked and at their defaults. */
static int spawn(struct vmm_proc *p, char **argv)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, all;
	int ret;

	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_init(&at);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSID |
					  POSIX_SPAWN_SETSIGMASK |
					  POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setsigmask(&at, &none);
	sigdelset(&all, SIGKILL);
	sigdelset(&all, SIGSTOP);
	posix_spawnattr_setsigdefault(&at, &all);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, p->log_fd, 1);
	posix_spawn_file_actions_adddup2(&fa, p->log_fd, 2);
	ret = -posix_spawnp(&p->pid, argv[0], &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	return ret;
}

/* Watches p's end through a pidfd on the loop; 0 or -errno. */
int sv_watch_exit(struct vmm_proc *p)
{
	p->pidfd = (int)syscall(SYS_pidfd_open, p->pid, 0);
	if (p->pidfd < 0)
		return -errno;
	if (loop_add(p->sv->loop, &p->exit_src, p->pidfd, EPOLLIN, on_exit_fd,
		     p) < 0) {
		close(p->pidfd);
		p->pidfd = -1;
		return -EIO;
	}
	return 0;
}

struct vmm_proc *sv_new_proc(struct supervisor *sv, struct dom *d)
{
	struct vmm_proc *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->sv = sv;
	p->dom = d;
	p->pidfd = p->log_fd = p->pty_fd = -1;
	p->event_outcome = OUT_UNKNOWN;
	qmpc_init(&p->mon, sv->loop);
	sv_monitor_hooks(p);
	p->next = sv->procs;
	sv->procs = p;
	d->proc = p;
	return p;
}

/* The vsock CID of p's domain: its address, or with auto the smallest
 * one no other running domain of this vireod uses.  0, -EADDRINUSE or
 * -ENOMEM, with the reason in err. */
static int pick_cid(struct supervisor *sv, struct vmm_proc *p, char *err,
		    size_t errlen)
{
	const struct domain_def *def = p->dom->def;
	struct vmm_proc *o;
	uint32_t *used;
	size_t n = 0;

	for (o = sv->procs; o; o = o->next)
		n++;
	used = calloc(n, sizeof(*used));
	if (!used) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (n = 0, o = sv->procs; o; o = o->next) {
		if (o == p || !o->st.vsock_cid)
			continue;
		if (!def->vsock_auto && o->st.vsock_cid == def->vsock_cid) {
			snprintf(err, errlen,
				 "vsock CID %u is in use by domain '%s'",
				 def->vsock_cid, o->dom->def->name);
			free(used);
			return -EADDRINUSE;
		}
		used[n++] = o->st.vsock_cid;
	}
	p->st.vsock_cid =
	    def->vsock_auto ? vmm_free_cid(used, n) : def->vsock_cid;
	free(used);
	return 0;
}

/* The TAPs vireod creates for the domain's interfaces (the others' names
 * are their <target dev>), their descriptors inherited by the VMM; the
 * names go into the status file.  0, or -errno with the reason in err
 * and nothing left open. */
static int open_taps(struct vmm_proc *p, struct tap *taps,
		     struct vmm_net_fds *fds, char *err, size_t errlen)
{
	const struct domain_def *def = p->dom->def;
	char why[300];
	size_t i;
	int ret = 0;

	for (i = 0; i < def->nnets && ret == 0; i++) {
		const struct domain_net *n = &def->nets[i];

		if (!netdev_vireod_creates(n)) {
			snprintf(p->st.nets[i], sizeof(p->st.nets[i]), "%s",
				 n->ifname);
			continue;
		}
		ret = netdev_open(n, &taps[i], why, sizeof(why));
		if (ret < 0) {
			snprintf(err, errlen, "interface %zu: %s", i, why);
			break;
		}
		fds[i] = (struct vmm_net_fds){taps[i].nfds, taps[i].fds};
		/* Inherited by the VMM (vireod closes its copies at once). */
		for (unsigned q = 0; q < taps[i].nfds; q++)
			fcntl(taps[i].fds[q], F_SETFD, 0);
		memcpy(p->st.nets[i], taps[i].ifname, sizeof(p->st.nets[i]));
	}
	p->st.nnets = (unsigned)i;
	if (ret < 0)
		while (i-- > 0)
			tap_close(&taps[i]);
	return ret;
}

/* Launch: the log, the argv, the process, its pidfd, its status file. */
static int launch(struct supervisor *sv, struct vmm_proc *p, char *err,
		  size_t errlen)
{
	const struct domain_def *def = p->dom->def;
	struct vmm_launch l = {.vmm = sv->vmm, .monitor = p->st.monitor};
	struct tap taps[DOMAIN_NETS_MAX] = {0};
	struct vmm_net_fds fds[DOMAIN_NETS_MAX] = {0};
	struct stat stb;
	char **argv = NULL;
	int ret;

	l.no_reboot = p->st.no_reboot =
	    def->on_reboot != DOMAIN_ACTION_RESTART &&
	    def->on_reboot != DOMAIN_ACTION_RENAME_RESTART;
	ret = def->vsock ? pick_cid(sv, p, err, errlen) : 0;
	if (ret < 0)
		return ret;
	ret = open_taps(p, taps, fds, err, errlen);
	if (ret < 0)
		return ret;
	l.nets = fds;
	l.vsock_cid = p->st.vsock_cid;
	argv = vmm_args_build(def, &l, &ret, err, errlen);
	if (!argv)
		goto out;
	p->log_fd = sv_open_log(sv, def->name);
	if (p->log_fd < 0 || fstat(p->log_fd, &stb) < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot open its log: %s",
			 strerror(-ret));
		goto out;
	}
	p->st.log_offset = (uint64_t)stb.st_size;
	ret = spawn(p, argv);
	if (ret < 0) {
		snprintf(err, errlen, "cannot run %s: %s", sv->vmm,
			 strerror(-ret));
		goto out;
	}
	p->child = true;
	p->st.pid = p->pid;
	p->st.start_time = status_proc_start(p->pid);
	ret = sv_watch_exit(p);
	if (ret == 0)
		ret = status_write(sv->rundirfd, def->name, &p->st);
	if (ret < 0) {
		snprintf(err, errlen, "cannot watch the VMM: %s",
			 strerror(-ret));
		kill(p->pid, SIGKILL);
		sv_reap_later(sv, p->pid); /* no waiting: it may be stuck */
	}
out:
	/* The VMM holds the TAPs now; they end with it. */
	for (size_t i = 0; i < def->nnets; i++)
		tap_close(&taps[i]);
	vmm_args_free(argv);
	return ret;
}

int supervisor_start(struct supervisor *sv, struct dom *d, char *err,
		     size_t errlen)
{
	struct vmm_proc *p;
	int ret;

	if (!d->def->kernel) {
		snprintf(err, errlen,
			 "domain '%s' has no <os><kernel>: "
			 "only direct kernel boot is supported",
			 d->def->name);
		return -EINVAL;
	}
	ret = domain_def_check_files(d->def, err, errlen);
	if (ret < 0)
		return ret;
	p = sv_new_proc(sv, d);
	if (!p)
		return -ENOMEM;
	if ((size_t)snprintf(p->st.monitor, sizeof(p->st.monitor), "%s/%s.qmp",
			     sv->rundir,
			     d->def->name) >= sizeof(p->st.monitor) ||
	    strlen(p->st.monitor) >= 108) {
		snprintf(err, errlen,
			 "the monitor socket path %s/%s.qmp is "
			 "too long",
			 sv->rundir, d->def->name);
		sv_release(p);
		return -ENAMETOOLONG;
	}
	unlink(p->st.monitor);
	p->st.id = sv->next_id;
	sv_save_def(sv, d);
	ret = launch(sv, p, err, errlen);
	if (ret < 0) {
		sv_remove_files(sv, d->def->name, p->st.monitor);
		sv_release(p);
		return ret;
	}
	d->id = sv->next_id++;
	d->state = DOM_RUNNING;
	d->reason = RUNNING_BOOTED;
	p->fast_until_ms = qmpc_now_ms() + SV_FAST_TICK_MS;
	sv_tick_rate(sv, qmpc_now_ms());
	return 0;
}

pid_t supervisor_pid(const struct dom *d)
{
	return d->proc ? d->proc->pid : 0;
}

uint64_t supervisor_cpu_time_ns(const struct dom *d)
{
	unsigned long long utime, stime;
	long hz = sysconf(_SC_CLK_TCK);
	char buf[1024];
	const char *p;

	if (!d->proc || hz <= 0)
		return 0;
	p = status_proc_stat(d->proc->pid, buf, sizeof(buf));
	/* utime and stime are fields 14 and 15. */
	if (!p || sscanf(p,
			 "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
			 "%llu %llu",
			 &utime, &stime) != 2)
		return 0;
	return (utime + stime) * (1000000000ull / (unsigned long long)hz);
}

static void send_signal(struct vmm_proc *p, int sig)
{
	if (syscall(SYS_pidfd_send_signal, p->pidfd, sig, NULL, 0) < 0 &&
	    errno != ESRCH)
		log_warn("domain %s: %s: %s", p->dom->def->name,
			 sig == SIGKILL ? "SIGKILL" : "SIGTERM",
			 strerror(errno));
}

/* SIGTERM first (the VMM ends cleanly); its end comes through the
 * pidfd.  The tick escalates (sv_destroy_tick).  A destroy after one
 * that gave up sends SIGKILL again and waits DESTROY_KILL_MS again. */
int supervisor_destroy_dom(struct supervisor *sv, struct dom *d,
			   const struct reply_to *r)
{
	struct vmm_proc *p = d->proc;
	int slot;

	if (!p)
		return -ESRCH; /* nothing would ever answer r */
	slot = sv_wait_slot(p);
	if (slot < 0)
		return slot;
	sv_wait_set(p, slot, WAIT_DESTROY, r);
	if (!p->destroying) {
		p->destroying = true;
		send_signal(p, SIGTERM);
		p->destroy_next_ms = qmpc_now_ms() + DESTROY_TERM_MS;
	} else if (!p->destroy_next_ms) {
		send_signal(p, SIGKILL);
		p->destroy_next_ms = qmpc_now_ms() + DESTROY_KILL_MS;
	}
	return 0;
}

/* Still there DESTROY_TERM_MS after SIGTERM: SIGKILL.  Still there
 * DESTROY_KILL_MS after that (stuck in the kernel, e.g. in D state):
 * the destroy fails, saying so, and d stays as it is (running or
 * paused: its VMM is still there), still watched through the pidfd, so
 * that its end, whenever it comes, reaps it and shuts d off
 * (destroyed). */
void sv_destroy_tick(struct vmm_proc *p, uint64_t now)
{
	char err[64];

	if (!p->destroying || !p->destroy_next_ms || now < p->destroy_next_ms)
		return;
	if (!p->killed) {
		send_signal(p, SIGKILL);
		p->killed = true;
		p->destroy_next_ms = now + DESTROY_KILL_MS;
		return;
	}
	p->destroy_next_ms = 0; /* given up, until another destroy */
	snprintf(err, sizeof(err), "VMM pid %d did not end after SIGKILL",
		 (int)p->pid);
	log_warn("domain %s: %s; it stays listed until it does",
		 p->dom->def->name, err);
	for (int i = 0; i < SV_WAITS; i++)
		if (p->waits[i].kind == WAIT_DESTROY)
			sv_wait_end(p, i, err);
}
