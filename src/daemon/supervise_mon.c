/* The running VMMs' monitors, consoles and files (see supervise.h):
 * the QMP client's callbacks, the console pty, the periodic tick that
 * connects monitors and drops hung ones, and the adoption of VMMs that
 * outlived a previous vireod. */
#include "daemon/supervise_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "util/log.h"

#define PTY_MARK "vireo-vmm: console on "

static void emit(struct vmm_proc *p, int event, int detail)
{
	if (p->sv->event)
		p->sv->event(p->sv->opaque, p->dom, event, detail);
}

void sv_pty_close(struct vmm_proc *p)
{
	if (p->pty_fd < 0)
		return;
	loop_remove(p->sv->loop, &p->pty_src);
	close(p->pty_fd);
	p->pty_fd = -1;
}

/* Guest output: copied to the log and to whoever holds the console.
 * Returns the bytes read, 0 when there is nothing more for now. */
static ssize_t pty_read(struct vmm_proc *p)
{
	uint8_t buf[4096];
	ssize_t n = read(p->pty_fd, buf, sizeof(buf));

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) {
		sv_pty_close(p); /* EIO: the VMM closed its side */
		return 0;
	}
	if (p->log_fd >= 0 && write(p->log_fd, buf, (size_t)n) < 0)
		log_debug("console log of %s: %s", p->dom->def->name,
			  strerror(errno));
	if (p->sv->console_out)
		p->sv->console_out(p->sv->opaque, p->dom, buf, (size_t)n);
	return n;
}

static void on_pty(struct loop_source *src, uint32_t events)
{
	pty_read(src->opaque);
}

void sv_console_drain(struct vmm_proc *p)
{
	for (int i = 0; i < 64 && p->pty_fd >= 0 && pty_read(p) > 0; i++)
		;
}

static void pty_open(struct vmm_proc *p)
{
	if (p->pty_fd >= 0 || !p->st.pty[0])
		return;
	p->pty_fd = open(p->st.pty, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (p->pty_fd < 0) {
		log_warn("domain %s: console %s: %s", p->dom->def->name,
			 p->st.pty, strerror(errno));
		return;
	}
	if (loop_add(p->sv->loop, &p->pty_src, p->pty_fd, EPOLLIN, on_pty, p) <
	    0) {
		close(p->pty_fd);
		p->pty_fd = -1;
	}
}

/* The pty vireo-vmm announced in its log ("vireo-vmm: console on
 * /dev/pts/N"), after the offset where this run's output starts. */
static void find_pty(struct vmm_proc *p)
{
	char file[DOMAIN_NAME_MAX + 8], buf[65536], *s, *last = NULL;
	ssize_t n;
	int fd;

	snprintf(file, sizeof(file), "%s.log", p->dom->def->name);
	fd = openat(p->sv->logdirfd, file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = pread(fd, buf, sizeof(buf) - 1, (off_t)p->st.log_offset);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	for (s = buf; (s = strstr(s, PTY_MARK)); s++)
		last = s + strlen(PTY_MARK);
	if (!last || strncmp(last, "/dev/", 5))
		return;
	n = (ssize_t)strcspn(last, "\r\n");
	if (n >= (ssize_t)sizeof(p->st.pty) || !last[n])
		return;
	memcpy(p->st.pty, last, (size_t)n);
	p->st.pty[n] = '\0';
}

/* Once the monitor answers, the console line is in the log (it is
 * printed before the monitor listens, though the VMM's log writer may
 * lag: the tick tries again until it is found). */
static void pty_discover(struct vmm_proc *p)
{
	int ret;

	find_pty(p);
	if (!p->st.pty[0])
		return;
	ret = status_write(p->sv->rundirfd, p->dom->def->name, &p->st);
	if (ret < 0)
		log_warn("domain %s: status file: %s", p->dom->def->name,
			 strerror(-ret));
	pty_open(p);
}

static void mon_ready(void *opaque)
{
	struct vmm_proc *p = opaque;

	p->mon_warned = false;
	qmpc_send(&p->mon, "query-status", "status");
	if (!p->st.pty[0])
		pty_discover(p);
}

static void set_paused(struct vmm_proc *p, bool paused, int reason)
{
	struct dom *d = p->dom;

	if ((d->state == DOM_PAUSED) == paused)
		return;
	d->state = paused ? DOM_PAUSED : DOM_RUNNING;
	d->reason = reason;
	emit(p, paused ? EVENT_SUSPENDED : EVENT_RESUMED, 0);
}

/* The answer to a request somebody waits for (id "w<slot>"): stop and
 * cont set the state now that the VMM confirmed, and the reply goes
 * out. */
static void wait_reply(struct vmm_proc *p, const char *id, const char *err)
{
	char msg[300];
	char *end;
	long slot = strtol(id + 1, &end, 10);

	if (*end || end == id + 1 || slot < 0 || slot >= SV_WAITS ||
	    p->waits[slot].kind == WAIT_NONE ||
	    p->waits[slot].kind == WAIT_DESTROY)
		return;
	if (!err && p->waits[slot].kind == WAIT_STOP)
		set_paused(p, true, PAUSED_USER);
	else if (!err && p->waits[slot].kind == WAIT_CONT)
		set_paused(p, false, RUNNING_UNPAUSED);
	if (err)
		snprintf(msg, sizeof(msg), "the VMM refused: %s", err);
	sv_wait_end(p, (int)slot, err ? msg : NULL);
}

static void mon_reply(void *opaque, const char *id, struct json_object *ret,
		      const char *err)
{
	struct vmm_proc *p = opaque;
	struct json_object *v;

	if (id[0] == 'w') {
		wait_reply(p, id, err);
		return;
	}
	if (err) {
		log_warn("domain %s: monitor: %s", p->dom->def->name, err);
		return;
	}
	if (strcmp(id, "status") ||
	    !json_object_object_get_ex(ret, "status", &v))
		return;
	if (!strcmp(json_object_get_string(v), "paused"))
		set_paused(p, true, PAUSED_USER);
}

/* QEMU's SHUTDOWN causes (as vireo-vmm gives them) to an outcome. */
static enum vmm_outcome cause_outcome(const char *cause)
{
	if (!strcmp(cause, "guest-shutdown"))
		return OUT_POWEROFF;
	if (!strcmp(cause, "guest-reset") ||
	    !strcmp(cause, "host-qmp-system-reset"))
		return OUT_REBOOT;
	if (!strcmp(cause, "guest-panic"))
		return OUT_CRASH;
	if (!strcmp(cause, "host-error"))
		return OUT_FAILED;
	return OUT_POWEROFF; /* quit, a signal: shut down by the host */
}

static void mon_event(void *opaque, const char *name, struct json_object *data)
{
	struct vmm_proc *p = opaque;
	struct json_object *v;
	bool guest = false;

	if (!strcmp(name, "STOP"))
		set_paused(p, true, PAUSED_USER);
	else if (!strcmp(name, "RESUME"))
		set_paused(p, false, RUNNING_UNPAUSED);
	else if (!strcmp(name, "SHUTDOWN") && !p->destroying) {
		if (data && json_object_object_get_ex(data, "guest", &v))
			guest = json_object_get_boolean(v);
		if (data && json_object_object_get_ex(data, "reason", &v) &&
		    json_object_is_type(v, json_type_string))
			p->event_outcome =
			    cause_outcome(json_object_get_string(v));
		emit(p, EVENT_SHUTDOWN, guest ? SHUTDOWN_GUEST : SHUTDOWN_HOST);
	} else if (!strcmp(name, "RESET")) {
		log_info("domain %s: the guest reset", p->dom->def->name);
		if (p->sv->reboot)
			p->sv->reboot(p->sv->opaque, p->dom);
	}
}

static void mon_closed(void *opaque)
{
	struct vmm_proc *p = opaque;

	log_debug("domain %s: monitor closed", p->dom->def->name);
	sv_wait_end_monitor(p, "the VMM's monitor closed before it answered");
}

void sv_monitor_hooks(struct vmm_proc *p)
{
	p->mon.reply = mon_reply;
	p->mon.event = mon_event;
	p->mon.ready_cb = mon_ready;
	p->mon.closed = mon_closed;
	p->mon.opaque = p;
}

/* The tick's period: 10 ms while a VMM started less than
 * SV_FAST_TICK_MS ago has its monitor or console pty still to find
 * (vireo-vmm listens a few ms after its exec, and its console reaches
 * the log only once the pty is found), else 200 ms. */
void sv_tick_rate(struct supervisor *sv, uint64_t now)
{
	struct itimerspec its = {{0, 200000000}, {0, 200000000}};
	bool fast = false;

	for (struct vmm_proc *p = sv->procs; p; p = p->next)
		fast |= !p->destroying && now < p->fast_until_ms &&
			(p->mon.fd < 0 || !p->mon.ready ||
			 ((p->dom->def->serial || p->dom->def->console) &&
			  !p->st.pty[0]));
	if (fast == sv->tick_fast)
		return;
	sv->tick_fast = fast;
	if (fast)
		its = (struct itimerspec){{0, 10000000}, {0, 10000000}};
	timerfd_settime(sv->tick_fd, 0, &its, NULL);
}

/* Every 200 ms (10 ms after a start, sv_tick_rate): reap the children
 * that ended unwatched, escalate the destroys, connect the monitors not
 * connected yet; a monitor that leaves a command unanswered too long is
 * dropped (and retried). */
void sv_tick(struct loop_source *src, uint32_t events)
{
	struct supervisor *sv = src->opaque;
	uint64_t ticks, now = qmpc_now_ms();
	struct vmm_proc *p, *next;

	if (read(sv->tick_fd, &ticks, sizeof(ticks)) < 0)
		return;
	sv_reap_orphans(sv);
	for (p = sv->procs; p; p = next) {
		next = p->next;
		if (p->destroying) {
			sv_destroy_tick(p, now);
			continue;
		}
		if (qmpc_overdue(&p->mon, now)) {
			log_warn("domain %s: the monitor does not answer; "
				 "reconnecting",
				 p->dom->def->name);
			qmpc_close(&p->mon);
			sv_wait_end_monitor(p, "the VMM did not answer within "
					       "5 s");
		}
		if (p->mon.ready && !p->st.pty[0])
			pty_discover(p);
		if (p->mon.fd < 0) {
			int ret = qmpc_connect(&p->mon, p->st.monitor);

			if (ret < 0 && ret != -EAGAIN && !p->mon_warned) {
				log_warn("domain %s: monitor %s: %s",
					 p->dom->def->name, p->st.monitor,
					 strerror(-ret));
				p->mon_warned = true;
			}
		}
	}
	sv_tick_rate(sv, now);
}

/* Sends cmd with the id of a free wait slot, which then waits for its
 * answer (a failed send closes the monitor, ending the other waits). */
static int mon_cmd(struct dom *d, const char *cmd, enum sv_wait_kind kind,
		   const struct reply_to *r)
{
	struct vmm_proc *p = d->proc;
	char id[16];
	int slot, ret;

	if (!p || p->destroying)
		return -ESRCH;
	slot = sv_wait_slot(p);
	if (slot < 0)
		return slot;
	snprintf(id, sizeof(id), "w%d", slot);
	ret = qmpc_send(&p->mon, cmd, id);
	if (ret == 0)
		sv_wait_set(p, slot, kind, r);
	return ret;
}

int supervisor_pause(struct supervisor *sv, struct dom *d, bool pause,
		     const struct reply_to *r)
{
	return mon_cmd(d, pause ? "stop" : "cont",
		       pause ? WAIT_STOP : WAIT_CONT, r);
}

int supervisor_shutdown(struct supervisor *sv, struct dom *d,
			const struct reply_to *r)
{
	return mon_cmd(d, "system_powerdown", WAIT_CMD, r);
}

int supervisor_reset(struct supervisor *sv, struct dom *d,
		     const struct reply_to *r)
{
	return mon_cmd(d, "system_reset", WAIT_CMD, r);
}

int supervisor_reboot(struct supervisor *sv, struct dom *d,
		      const struct reply_to *r)
{
	int ret = mon_cmd(d, "system_powerdown", WAIT_CMD, r);

	if (ret == 0)
		d->proc->fake_reboot = true;
	return ret;
}

ssize_t supervisor_console_write(struct dom *d, const void *buf, size_t len)
{
	ssize_t n;

	if (!d->proc || d->proc->pty_fd < 0)
		return -EPIPE;
	n = write(d->proc->pty_fd, buf, len);
	if (n < 0)
		return errno == EAGAIN ? 0 : -errno;
	return n;
}

const char *supervisor_pty(const struct dom *d)
{
	return d->proc && d->proc->st.pty[0] ? d->proc->st.pty : NULL;
}

void supervisor_live(const struct dom *d, struct domxml_live *live,
		     const char *names[DOMAIN_NETS_MAX])
{
	const struct vmm_proc *p = d->proc;
	unsigned i;

	*live = (struct domxml_live){.id = d->id, .pty = supervisor_pty(d)};
	if (!p)
		return;
	for (i = 0; i < DOMAIN_NETS_MAX; i++)
		names[i] =
		    i < p->st.nnets && i < d->def->nnets ? p->st.nets[i] : NULL;
	live->ifnames = names;
	live->vsock_cid = p->st.vsock_cid;
}

void sv_save_def(struct supervisor *sv, const struct dom *d)
{
	char file[DOMAIN_NAME_MAX + 8];
	char *xml = domxml_format(d->def, NULL);

	snprintf(file, sizeof(file), "%s.xml", d->def->name);
	if (!xml || store_write_run(sv->rundirfd, file, xml, strlen(xml)) < 0)
		log_warn("domain %s: cannot save its running definition",
			 d->def->name);
	free(xml);
}

void sv_remove_files(struct supervisor *sv, const char *name,
		     const char *monitor)
{
	char file[DOMAIN_NAME_MAX + 8];

	status_remove(sv->rundirfd, name);
	snprintf(file, sizeof(file), "%s.xml", name);
	unlinkat(sv->rundirfd, file, 0);
	if (monitor[0])
		unlink(monitor);
}

/* The domain a status file is about: the store's, or the transient one
 * its run/<name>.xml describes. */
static struct dom *adoptee(struct supervisor *sv, struct store *st,
			   const char *name)
{
	char file[DOMAIN_NAME_MAX + 8], err[400], *xml;
	struct dom *d = store_by_name(st, name);
	ssize_t n;
	int fd;

	if (d)
		return d;
	snprintf(file, sizeof(file), "%s.xml", name);
	fd = openat(sv->rundirfd, file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return NULL;
	xml = malloc(DOMAIN_XML_MAX + 1);
	n = xml ? read(fd, xml, DOMAIN_XML_MAX) : -1;
	close(fd);
	if (n > 0 &&
	    store_add_transient(st, xml, (size_t)n, &d, err, sizeof(err)) < 0) {
		log_warn("domain %s: running definition: %s", name, err);
		d = NULL;
	}
	free(xml);
	return n > 0 ? d : NULL;
}

/* Takes over a live VMM from a previous vireod; 0 or -errno. */
static int adopt(struct supervisor *sv, struct dom *d,
		 const struct dom_status *s)
{
	struct vmm_proc *p = sv_new_proc(sv, d);
	int ret;

	if (!p)
		return -ENOMEM;
	p->st = *s;
	p->pid = s->pid;
	ret = sv_watch_exit(p);
	/* The pid might have been reused between the check and the pidfd. */
	if (ret == 0 && !status_alive(s))
		ret = -ESRCH;
	if (ret < 0) {
		sv_release(p);
		return ret;
	}
	p->log_fd = sv_open_log(sv, d->def->name);
	pty_open(p);
	qmpc_connect(&p->mon, s->monitor);
	d->id = s->id;
	d->state = DOM_RUNNING;
	d->reason = RUNNING_UNKNOWN;
	if (sv->next_id <= s->id)
		sv->next_id = s->id + 1;
	return 0;
}

static void adopt_one(struct supervisor *sv, struct store *st, const char *name)
{
	struct dom_status s;
	struct dom *d;
	int ret = status_read(sv->rundirfd, name, &s);

	if (ret < 0) {
		log_warn("run/%s.status: %s; removed", name,
			 ret == -EINVAL ? "does not parse" : strerror(-ret));
		status_remove(sv->rundirfd, name);
		return;
	}
	d = adoptee(sv, st, name);
	if (!d || d->proc) {
		log_warn("domain %s: VMM pid %d has no definition; left alone",
			 name, (int)s.pid);
		status_remove(sv->rundirfd, name);
		return;
	}
	if (status_alive(&s) && adopt(sv, d, &s) == 0) {
		log_info("domain %s: adopted its running VMM (pid %d)", name,
			 (int)s.pid);
		return;
	}
	log_info("domain %s: its VMM ended while vireod was away", name);
	sv_remove_files(sv, name, s.monitor);
	d->state = DOM_SHUTOFF;
	d->reason = SHUTOFF_UNKNOWN;
	if (!d->persistent)
		store_forget(st, d);
}

void supervisor_adopt_all(struct supervisor *sv, struct store *st)
{
	DIR *dir;
	struct dirent *e;
	/* Not a dup: that would share (and exhaust) rundirfd's offset. */
	int fd = openat(sv->rundirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || !(dir = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		log_warn("run/: %s", strerror(errno));
		return;
	}
	while ((e = readdir(dir))) {
		char name[DOMAIN_NAME_MAX + 1];
		size_t len = strlen(e->d_name);

		if (len <= 7 || len - 7 > DOMAIN_NAME_MAX ||
		    strcmp(e->d_name + len - 7, ".status"))
			continue;
		memcpy(name, e->d_name, len - 7);
		name[len - 7] = '\0';
		adopt_one(sv, st, name);
	}
	closedir(dir);
}
