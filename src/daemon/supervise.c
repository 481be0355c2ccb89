/* VMM processes of running domains (see supervise.h).  A VMM's exit is
 * seen through its pidfd on the daemon's loop; nothing here blocks the
 * loop except the wait right after SIGKILL, which the kernel makes
 * prompt. */
#include "daemon/supervise.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/log.h"

/* virDomainShutoffReason and the STOPPED event's details. */
enum {
	SHUTOFF_SHUTDOWN = 1,
	SHUTOFF_DESTROYED = 2,
	SHUTOFF_CRASHED = 3,
	SHUTOFF_FAILED = 6,
};
enum {
	STOPPED_SHUTDOWN = 0,
	STOPPED_DESTROYED = 1,
	STOPPED_CRASHED = 2,
	STOPPED_FAILED = 5,
};

/* vireo-vmm's exit statuses (README): 0 powered off, 1 host error,
 * 2 reset with --no-reboot, 3 crashed. */
#define VMM_EXIT_CRASHED 3

struct vmm_proc {
	struct supervisor *sv;
	struct dom *dom;
	struct loop_source src;
	pid_t pid;
	int pidfd;
	bool destroying;
	/* The console: the VMM's stdin and stdout (a socketpair). */
	int con_fd, log_fd;
	struct loop_source con_src;
};

extern char **environ;

int supervisor_init(struct supervisor *sv, struct loop *loop, const char *vmm,
		    int statedirfd)
{
	memset(sv, 0, sizeof(*sv));
	sv->loop = loop;
	sv->vmm = vmm;
	sv->next_id = 1;
	if (mkdirat(statedirfd, "logs", 0700) < 0 && errno != EEXIST)
		return -errno;
	sv->logdirfd =
	    openat(statedirfd, "logs", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return sv->logdirfd < 0 ? -errno : 0;
}

void supervisor_destroy(struct supervisor *sv)
{
	if (sv->logdirfd >= 0)
		close(sv->logdirfd);
	sv->logdirfd = -1;
}

/* Reaps the VMM and shuts the domain off with the reason its status
 * gives. */
static void reap(struct vmm_proc *p)
{
	struct supervisor *sv = p->sv;
	struct dom *d = p->dom;
	int status = 0, reason, detail;

	while (waitpid(p->pid, &status, 0) < 0 && errno == EINTR)
		;
	if (p->destroying) {
		reason = SHUTOFF_DESTROYED;
		detail = STOPPED_DESTROYED;
	} else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		reason = SHUTOFF_SHUTDOWN;
		detail = STOPPED_SHUTDOWN;
	} else if (WIFEXITED(status) &&
		   WEXITSTATUS(status) == VMM_EXIT_CRASHED) {
		reason = SHUTOFF_CRASHED;
		detail = STOPPED_CRASHED;
	} else {
		reason = SHUTOFF_FAILED;
		detail = STOPPED_FAILED;
		log_warn(
		    "domain %s: the VMM %s %d (see logs/%s.log)", d->def->name,
		    WIFEXITED(status) ? "exited with status"
				      : "was killed by signal",
		    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
		    d->def->name);
	}
	loop_remove(sv->loop, &p->src);
	close(p->pidfd);
	if (p->con_fd >= 0) {
		loop_remove(sv->loop, &p->con_src);
		close(p->con_fd);
	}
	close(p->log_fd);
	free(p);
	d->proc = NULL;
	d->id = -1;
	d->state = DOM_SHUTOFF;
	d->reason = reason;
	if (sv->stopped)
		sv->stopped(sv->opaque, d, detail);
}

static void on_exit_fd(struct loop_source *src, uint32_t events)
{
	reap(src->opaque);
}

/* Guest output: always read (the VMM must never wait on the daemon),
 * copied to the log and to whoever holds the console. */
static void on_console(struct loop_source *src, uint32_t events)
{
	struct vmm_proc *p = src->opaque;
	uint8_t buf[4096];
	ssize_t n = read(p->con_fd, buf, sizeof(buf));

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		loop_remove(p->sv->loop, &p->con_src);
		close(p->con_fd);
		p->con_fd = -1;
		return;
	}
	if (write(p->log_fd, buf, (size_t)n) < 0)
		log_debug("console log of %s: %s", p->dom->def->name,
			  strerror(errno));
	if (p->sv->console_out)
		p->sv->console_out(p->sv->opaque, p->dom, buf, (size_t)n);
}

ssize_t supervisor_console_write(struct dom *d, const void *buf, size_t len)
{
	ssize_t n;

	if (!d->proc || d->proc->con_fd < 0)
		return -EPIPE;
	n = send(d->proc->con_fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (n < 0)
		return errno == EAGAIN ? 0 : -errno;
	return n;
}

/* vireo-vmm's arguments for d; 0 or -ENOMEM.  Strings in buf. */
static int build_argv(struct supervisor *sv, const struct dom *d,
		      char *argv[16], char bufs[3][64])
{
	int n = 0;

	snprintf(bufs[0], 64, "%u", d->def->vcpus);
	snprintf(bufs[1], 64, "%lluK", (unsigned long long)d->def->memory_kib);
	snprintf(bufs[2], 64, "stdio");
	argv[n++] = (char *)sv->vmm;
	argv[n++] = "--name";
	argv[n++] = d->def->name;
	argv[n++] = "--kernel";
	argv[n++] = d->def->kernel;
	if (d->def->initrd) {
		argv[n++] = "--initrd";
		argv[n++] = d->def->initrd;
	}
	if (d->def->cmdline) {
		argv[n++] = "--cmdline";
		argv[n++] = d->def->cmdline;
	}
	argv[n++] = "--cpus";
	argv[n++] = bufs[0];
	argv[n++] = "--memory";
	argv[n++] = bufs[1];
	argv[n++] = "--console";
	argv[n++] = bufs[2];
	argv[n] = NULL;
	return 0;
}

/* The VMM's stdout and stderr: logs/<name>.log, appended. */
static int open_log(struct supervisor *sv, const char *name)
{
	char file[300];

	snprintf(file, sizeof(file), "%s.log", name);
	return openat(sv->logdirfd, file,
		      O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
}

/* Runs the VMM with the console on a socketpair (its stdin and stdout)
 * and its messages in the log; p gets the daemon's ends. */
static int spawn(struct supervisor *sv, struct dom *d, struct vmm_proc *p)
{
	posix_spawn_file_actions_t fa;
	char *argv[16], bufs[3][64];
	int sv_fds[2], ret;

	p->log_fd = open_log(sv, d->def->name);
	if (p->log_fd < 0)
		return -errno;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv_fds) < 0) {
		ret = -errno;
		close(p->log_fd);
		return ret;
	}
	build_argv(sv, d, argv, bufs);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, sv_fds[1], 0);
	posix_spawn_file_actions_adddup2(&fa, sv_fds[1], 1);
	posix_spawn_file_actions_adddup2(&fa, p->log_fd, 2);
	ret = -posix_spawnp(&p->pid, sv->vmm, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(sv_fds[1]);
	p->con_fd = sv_fds[0];
	if (ret == 0)
		ret = fcntl(p->con_fd, F_SETFL, O_NONBLOCK) < 0 ? -errno : 0;
	if (ret == 0 && loop_add(sv->loop, &p->con_src, p->con_fd, EPOLLIN,
				 on_console, p) < 0)
		ret = -EIO;
	if (ret < 0) {
		close(p->con_fd);
		close(p->log_fd);
	}
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
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	ret = spawn(sv, d, p);
	if (ret < 0) {
		if (p->pid > 0) {
			kill(p->pid, SIGKILL);
			waitpid(p->pid, NULL, 0);
		}
		snprintf(err, errlen, "cannot run %s: %s", sv->vmm,
			 strerror(-ret));
		free(p);
		return ret;
	}
	p->sv = sv;
	p->dom = d;
	p->pidfd = (int)syscall(SYS_pidfd_open, p->pid, 0);
	if (p->pidfd < 0 ||
	    loop_add(sv->loop, &p->src, p->pidfd, EPOLLIN, on_exit_fd, p) < 0) {
		ret = p->pidfd < 0 ? -errno : -EIO;
		kill(p->pid, SIGKILL);
		waitpid(p->pid, NULL, 0);
		if (p->pidfd >= 0)
			close(p->pidfd);
		loop_remove(sv->loop, &p->con_src);
		close(p->con_fd);
		close(p->log_fd);
		free(p);
		snprintf(err, errlen, "cannot watch the VMM: %s",
			 strerror(-ret));
		return ret;
	}
	d->proc = p;
	d->id = sv->next_id++;
	d->state = DOM_RUNNING;
	d->reason = 1; /* VIR_DOMAIN_RUNNING_BOOTED */
	return 0;
}

pid_t supervisor_pid(const struct dom *d)
{
	return d->proc ? d->proc->pid : 0;
}

uint64_t supervisor_cpu_time_ns(const struct dom *d)
{
	unsigned long long utime, stime;
	char path[64], buf[1024], *p;
	long hz = sysconf(_SC_CLK_TCK);
	ssize_t n;
	int fd;

	if (!d->proc || hz <= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)d->proc->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* After "pid (comm) ": fields 3 on; utime and stime are 14 and 15. */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2,
			 "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
			 "%llu %llu",
			 &utime, &stime) != 2)
		return 0;
	return (utime + stime) * (1000000000ull / (unsigned long long)hz);
}

int supervisor_pause(struct supervisor *sv, struct dom *d, bool pause)
{
	if (!d->proc)
		return -ESRCH;
	if (syscall(SYS_pidfd_send_signal, d->proc->pidfd,
		    pause ? SIGSTOP : SIGCONT, NULL, 0) < 0)
		return -errno;
	d->state = pause ? DOM_PAUSED : DOM_RUNNING;
	d->reason = pause ? 1 /* PAUSED_USER */ : 5 /* RUNNING_UNPAUSED */;
	return 0;
}

void supervisor_destroy_dom(struct supervisor *sv, struct dom *d)
{
	struct vmm_proc *p = d->proc;

	if (!p)
		return;
	p->destroying = true;
	kill(p->pid, SIGKILL);
	reap(p);
}
