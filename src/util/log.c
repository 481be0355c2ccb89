/* Logging: formats "<program>: <level>: <message>" lines, rate-limits the
 * ones a guest can provoke, and hands every line to a bounded queue that
 * one writer thread drains to stderr.  The writer alone may block on
 * stderr: a stalled reader costs log lines (dropped and counted, then
 * reported), never the thread that logs, which may hold a device lock. */
#include "util/log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/deadline.h"

#define LOG_LINE_MAX	1024
#define LOG_SLOTS	128		/* queued lines */
#define LOG_STACK_SIZE	(64 * 1024)
#define LOG_EXIT_DRAIN_MS 1000

static const char *log_program = "vireo";
static enum log_level log_level = LOG_WARN;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

/* The queue: `len` lines from `head`, each with its '\n'. */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;		/* queued, written, or stop */
	struct {
		unsigned short len;
		char text[LOG_LINE_MAX];
	} slot[LOG_SLOTS];
	unsigned head, len;
	bool writing;			/* the writer holds a line */
	bool started, failed, stop, hooks_set;
	uint64_t dropped;		/* lines lost, in total */
	uint64_t unreported;		/* lost and not yet said so */
	pthread_t thread;
} q = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
};

static const char *const level_names[] = {
	[LOG_ERROR] = "error",
	[LOG_WARN] = "warning",
	[LOG_INFO] = "info",
	[LOG_DEBUG] = "debug",
};

void log_set_program(const char *name)
{
	const char *slash = strrchr(name, '/');

	log_program = slash ? slash + 1 : name;
}

void log_set_level(enum log_level level)
{
	log_level = level;
}

enum log_level log_get_level(void)
{
	return log_level;
}

/* One write() per line: a pipe takes up to PIPE_BUF bytes whole, so a
 * line is in the pipe entirely or not at all. */
static void write_line(const char *p, size_t n)
{
	while (n) {
		ssize_t w;
		int old;

		/* The writer can be cancelled only here (log_shutdown). */
		pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, &old);
		w = write(STDERR_FILENO, p, n);
		pthread_setcancelstate(old, NULL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;		/* stderr is gone: drop the line */
		p += w;
		n -= (size_t)w;
	}
}

static size_t dropped_line(char *line, uint64_t n)
{
	int len = snprintf(line, LOG_LINE_MAX, "%s: warning: %llu log lines "
			   "dropped (stderr did not keep up)\n", log_program,
			   (unsigned long long)n);

	return len > 0 && len < LOG_LINE_MAX ? (size_t)len : 0;
}

static void *log_writer(void *arg)
{
	/* Not on the stack: cancellation unwinds this frame without
	 * ASan's unpoisoning of stack arrays. */
	static char line[LOG_LINE_MAX];

	(void)arg;
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	pthread_mutex_lock(&q.lock);
	for (;;) {
		size_t n;

		while (q.len == 0 && !q.stop)
			pthread_cond_wait(&q.cond, &q.lock);
		if (q.len == 0)
			break;
		if (q.unreported) {
			/* Say how many were lost, before the next line.  If
			 * cancelled in the write, log_shutdown says it. */
			uint64_t lost = q.unreported;

			pthread_mutex_unlock(&q.lock);
			write_line(line, dropped_line(line, lost));
			pthread_mutex_lock(&q.lock);
			q.unreported -= lost;
			continue;
		}
		n = q.slot[q.head].len;
		memcpy(line, q.slot[q.head].text, n);
		q.writing = true;
		pthread_mutex_unlock(&q.lock);
		write_line(line, n);
		pthread_mutex_lock(&q.lock);
		q.writing = false;
		q.head = (q.head + 1) % LOG_SLOTS;
		q.len--;
		pthread_cond_broadcast(&q.cond);
	}
	pthread_mutex_unlock(&q.lock);
	return NULL;
}

static void at_exit(void)
{
	log_shutdown(LOG_EXIT_DRAIN_MS);
}

/* fork(): the child has no writer thread.  It starts its own at its
 * first line, with an empty queue and a lock nobody else holds. */
static void before_fork(void)
{
	pthread_mutex_lock(&q.lock);
}

static void after_fork_parent(void)
{
	pthread_mutex_unlock(&q.lock);
}

static void after_fork_child(void)
{
	q.len = 0;
	q.writing = q.started = q.stop = false;
	/* The parent's writer may have been waiting on it. */
	pthread_cond_init(&q.cond, NULL);
	pthread_mutex_unlock(&q.lock);
}

/* Called with q.lock held.  Without a writer, lines go out directly. */
static void start_writer(void)
{
	pthread_attr_t attr;

	if (q.started || q.failed)
		return;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, LOG_STACK_SIZE);
	q.failed = pthread_create(&q.thread, &attr, log_writer, NULL) != 0;
	pthread_attr_destroy(&attr);
	if (q.failed)
		return;
	pthread_setname_np(q.thread, "log-writer");
	q.started = true;
	if (!q.hooks_set)
		q.hooks_set = atexit(at_exit) == 0 &&
			      pthread_atfork(before_fork, after_fork_parent,
					     after_fork_child) == 0;
}

/* Called with q.lock held: queues one line, or counts it as dropped. */
static void enqueue(const char *text, size_t n)
{
	unsigned tail;

	if (q.len == LOG_SLOTS) {
		q.dropped++;
		q.unreported++;
		return;
	}
	tail = (q.head + q.len) % LOG_SLOTS;
	memcpy(q.slot[tail].text, text, n);
	q.slot[tail].len = (unsigned short)n;
	q.len++;
	pthread_cond_broadcast(&q.cond);
}

/* "<program>: <level>: <message>\n", cut to LOG_LINE_MAX. */
static size_t format_line(char *line, enum log_level level, const char *fmt,
			  va_list ap)
{
	int n = snprintf(line, LOG_LINE_MAX - 1, "%s: %s: ", log_program,
			 level_names[level]);
	int m;

	if (n < 0 || n >= LOG_LINE_MAX - 1)
		return 0;
	m = vsnprintf(line + n, (size_t)(LOG_LINE_MAX - 1 - n), fmt, ap);
	if (m < 0)
		return 0;
	n = n + m < LOG_LINE_MAX - 2 ? n + m : LOG_LINE_MAX - 2;
	line[n++] = '\n';
	return (size_t)n;
}

/* Hands one formatted line to the writer (or counts it as dropped). */
static void queue_line(const char *line, size_t n)
{
	pthread_mutex_lock(&q.lock);
	start_writer();
	if (q.failed) {
		/* No writer thread could start: write as we can. */
		pthread_mutex_unlock(&q.lock);
		write_line(line, n);
		return;
	}
	if (q.stop) {		/* the writer is being stopped */
		q.dropped++;
		q.unreported++;
		pthread_mutex_unlock(&q.lock);
		return;
	}
	enqueue(line, n);
	pthread_mutex_unlock(&q.lock);
}

static void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	size_t n;

	if (level > log_level)
		return;
	n = format_line(line, level, fmt, ap);
	if (n)
		queue_line(line, n);
}

void log_text(const char *text)
{
	while (*text) {
		size_t n = strcspn(text, "\n");
		size_t len = n < LOG_LINE_MAX - 1 ? n : LOG_LINE_MAX - 1;
		char line[LOG_LINE_MAX];

		memcpy(line, text, len);
		line[len++] = '\n';
		queue_line(line, len);
		text += n + (text[n] == '\n');
	}
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

int log_flush(unsigned timeout_ms)
{
	struct timespec until = deadline_after_ms(timeout_ms);
	int ret = 0;

	pthread_mutex_lock(&q.lock);
	while (q.started && (q.len || q.writing) && ret == 0)
		ret = pthread_cond_timedwait(&q.cond, &q.lock, &until);
	pthread_mutex_unlock(&q.lock);
	return ret ? -ETIMEDOUT : 0;
}

/* The last word when the writer is stuck: through a descriptor of our
 * own with O_NONBLOCK (reopening stderr does not change the flags of the
 * file description others share), so it is written or lost, at once. */
static void report_nonblocking(uint64_t n)
{
	char line[LOG_LINE_MAX];
	size_t len = dropped_line(line, n);
	int fd = open("/proc/self/fd/2", O_WRONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return;
	if (len && write(fd, line, len) < 0)
		(void)0;	/* full or gone: nothing more can be done */
	close(fd);
}

void log_shutdown(unsigned drain_ms)
{
	bool stuck;
	uint64_t unreported;

	stuck = log_flush(drain_ms) != 0;
	pthread_mutex_lock(&q.lock);
	if (!q.started) {
		pthread_mutex_unlock(&q.lock);
		return;
	}
	q.stop = true;
	pthread_cond_broadcast(&q.cond);
	pthread_mutex_unlock(&q.lock);
	/* Still blocked in write(): the reader stalled; stop waiting. */
	if (stuck)
		pthread_cancel(q.thread);
	pthread_join(q.thread, NULL);
	pthread_mutex_lock(&q.lock);
	/* What is still queued (the line being written too: a pipe took
	 * none of it) is lost. */
	q.dropped += q.len;
	q.unreported += q.len;
	q.len = 0;
	q.writing = false;
	q.started = q.stop = false;	/* a later line starts a new writer */
	unreported = q.unreported;
	q.unreported = 0;
	pthread_mutex_unlock(&q.lock);
	if (unreported)
		report_nonblocking(unreported);
}

uint64_t log_dropped(void)
{
	uint64_t n;

	pthread_mutex_lock(&q.lock);
	n = q.dropped;
	pthread_mutex_unlock(&q.lock);
	return n;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void log_ratelimited(struct log_ratelimit *rl, enum log_level level,
		     const char *fmt, ...)
{
	uint64_t now = now_ns();
	unsigned suppressed = 0;
	bool print;
	va_list ap;

	pthread_mutex_lock(&log_lock);
	if (rl->window_start_ns == 0 ||
	    now - rl->window_start_ns >= rl->interval_ms * 1000000ULL) {
		suppressed = rl->suppressed;
		rl->window_start_ns = now;
		rl->printed = 0;
		rl->suppressed = 0;
	}
	print = rl->printed < rl->burst;
	if (print)
		rl->printed++;
	else
		rl->suppressed++;
	pthread_mutex_unlock(&log_lock);

	if (suppressed)
		log_msg(level, "(%u similar messages suppressed)", suppressed);
	if (!print)
		return;
	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}
