/* Unit tests for logging (src/util/log.c): line format, levels, truncation,
 * and the rate limiter (burst, suppression, the "suppressed" line once
 * the window reopens).  stderr is captured into a temporary file; time is
 * simulated by moving the limiter's window start into the past.  And the
 * queue: with stderr a pipe nobody reads, logging from several threads
 * returns at once, every line is either in the pipe or counted as
 * dropped, and shutdown ends within its deadline. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"

#define SUPPRESSED(n) "(" #n " similar messages suppressed)"

static int saved_stderr = -1;
static FILE *capture_file;
static char captured[8192];

static void capture_begin(void)
{
	assert_int_equal(log_flush(5000), 0);
	fflush(stderr);
	capture_file = tmpfile();
	assert_non_null(capture_file);
	saved_stderr = dup(STDERR_FILENO);
	assert_true(saved_stderr >= 0);
	assert_true(dup2(fileno(capture_file), STDERR_FILENO) >= 0);
}

/* Restores stderr; the captured text is in `captured`. */
static const char *capture_end(void)
{
	size_t n;

	assert_int_equal(log_flush(5000), 0);
	fflush(stderr);
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	saved_stderr = -1;
	rewind(capture_file);
	n = fread(captured, 1, sizeof(captured) - 1, capture_file);
	captured[n] = '\0';
	fclose(capture_file);
	capture_file = NULL;
	return captured;
}

static unsigned count_lines(const char *s)
{
	unsigned n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static unsigned count_substr(const char *s, const char *sub)
{
	unsigned n = 0;

	while ((s = strstr(s, sub))) {
		n++;
		s += strlen(sub);
	}
	return n;
}

static uint64_t test_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int setup(void **state)
{
	(void)state;
	log_set_program("vireo-test");
	log_set_level(LOG_WARN);
	return 0;
}

static void test_default_level(void **state)
{
	(void)state;
	/* Runs first, before any setup changed it. */
	assert_int_equal(log_get_level(), LOG_WARN);
}

static void test_format_and_levels(void **state)
{
	const char *out;

	(void)state;
	log_set_program("/usr/local/bin/vireo-vmm");
	capture_begin();
	log_error("disk %d is %s", 3, "gone");
	log_warn("careful");
	log_info("not shown at the default level");
	log_debug("nor this");
	log_set_level(LOG_DEBUG);
	log_info("info now");
	log_debug("debug %s", "too");
	log_set_level(LOG_ERROR);
	log_warn("hidden warning");
	log_error("still errors");
	out = capture_end();

	assert_string_equal(out,
			    "vireo-vmm: error: disk 3 is gone\n"
			    "vireo-vmm: warning: careful\n"
			    "vireo-vmm: info: info now\n"
			    "vireo-vmm: debug: debug too\n"
			    "vireo-vmm: error: still errors\n");
	assert_int_equal(log_get_level(), LOG_ERROR);
}

static void test_long_line_truncated(void **state)
{
	static char big[3000];
	const char *out;
	size_t len;

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	capture_begin();
	log_error("%s", big);
	log_error("after");
	out = capture_end();

	/* One line of at most 1023 characters, then the next message. */
	assert_int_equal(count_lines(out), 2);
	len = strcspn(out, "\n");
	assert_true(len >= 900 && len <= 1023);
	assert_memory_equal(out, "vireo-test: error: xxx", 22);
	assert_string_equal(out + len + 1, "vireo-test: error: after\n");
}

static void test_ratelimit_burst_then_suppress(void **state)
{
	struct log_ratelimit rl = LOG_RATELIMIT_INIT;
	const char *out;
	int i;

	(void)state;
	assert_int_equal(rl.burst, 5);
	assert_int_equal(rl.interval_ms, 5000);
	capture_begin();
	for (i = 0; i < 12; i++)
		log_ratelimited(&rl, LOG_WARN, "msg %d", i);
	out = capture_end();

	assert_string_equal(out,
			    "vireo-test: warning: msg 0\n"
			    "vireo-test: warning: msg 1\n"
			    "vireo-test: warning: msg 2\n"
			    "vireo-test: warning: msg 3\n"
			    "vireo-test: warning: msg 4\n");
	assert_int_equal(rl.printed, 5);
	assert_int_equal(rl.suppressed, 7);
	assert_true(rl.window_start_ns != 0);

	/* Still inside the window (1 s before its end): still quiet. */
	rl.window_start_ns = test_now_ns() - 4000 * 1000000ULL;
	capture_begin();
	log_ratelimited(&rl, LOG_WARN, "msg late");
	out = capture_end();
	assert_string_equal(out, "");
	assert_int_equal(rl.suppressed, 8);

	/* The window has passed: the count of suppressed lines comes first,
	 * then a fresh burst. */
	rl.window_start_ns -= 2000 * 1000000ULL;
	capture_begin();
	for (i = 0; i < 7; i++)
		log_ratelimited(&rl, LOG_WARN, "again %d", i);
	out = capture_end();
	assert_string_equal(out,
			    "vireo-test: warning: " SUPPRESSED(8) "\n"
			    "vireo-test: warning: again 0\n"
			    "vireo-test: warning: again 1\n"
			    "vireo-test: warning: again 2\n"
			    "vireo-test: warning: again 3\n"
			    "vireo-test: warning: again 4\n");
	assert_int_equal(rl.suppressed, 2);

	/* Next window: 2 suppressed reported once, not repeated after. */
	rl.window_start_ns -= 6000 * 1000000ULL;
	capture_begin();
	log_ratelimited(&rl, LOG_WARN, "third");
	log_ratelimited(&rl, LOG_WARN, "fourth");
	out = capture_end();
	assert_string_equal(out,
			    "vireo-test: warning: " SUPPRESSED(2) "\n"
			    "vireo-test: warning: third\n"
			    "vireo-test: warning: fourth\n");
	assert_int_equal(rl.suppressed, 0);
}

static void test_ratelimit_quiet_window_no_summary(void **state)
{
	struct log_ratelimit rl = LOG_RATELIMIT_INIT;
	const char *out;
	int i;

	(void)state;
	capture_begin();
	for (i = 0; i < 3; i++)
		log_ratelimited(&rl, LOG_ERROR, "e%d", i);
	rl.window_start_ns -= 10000 * 1000000ULL;
	log_ratelimited(&rl, LOG_ERROR, "e3");
	out = capture_end();
	assert_string_equal(out,
			    "vireo-test: error: e0\n"
			    "vireo-test: error: e1\n"
			    "vireo-test: error: e2\n"
			    "vireo-test: error: e3\n");
	assert_int_equal(count_substr(out, "suppressed"), 0);
}

static void test_ratelimit_custom_and_independent(void **state)
{
	struct log_ratelimit a = { 0, 60000, 2, 0, 0 };
	struct log_ratelimit b = { 0, 60000, 1, 0, 0 };
	const char *out;
	int i;

	(void)state;
	capture_begin();
	for (i = 0; i < 4; i++) {
		log_ratelimited(&a, LOG_WARN, "a%d", i);
		log_ratelimited(&b, LOG_WARN, "b%d", i);
	}
	out = capture_end();
	assert_string_equal(out,
			    "vireo-test: warning: a0\n"
			    "vireo-test: warning: b0\n"
			    "vireo-test: warning: a1\n");
	assert_int_equal(a.suppressed, 2);
	assert_int_equal(b.suppressed, 3);

	/* 59 s into a 60 s window is still inside it. */
	a.window_start_ns = test_now_ns() - 59000 * 1000000ULL;
	capture_begin();
	log_ratelimited(&a, LOG_WARN, "a-late");
	out = capture_end();
	assert_string_equal(out, "");
	a.window_start_ns -= 1000 * 1000000ULL;
	capture_begin();
	log_ratelimited(&a, LOG_WARN, "a-next");
	out = capture_end();
	assert_string_equal(out,
			    "vireo-test: warning: " SUPPRESSED(3) "\n"
			    "vireo-test: warning: a-next\n");
}

/* Text the user should see as it is: every line, at every level. */
static void test_log_text(void **state)
{
	const char *out;

	(void)state;
	log_set_level(LOG_ERROR);
	capture_begin();
	log_text("vireo-vmm: stats: a=1\nvireo-vmm: stats: b=2\n");
	log_text("no newline");
	log_text("");
	out = capture_end();
	assert_string_equal(out, "vireo-vmm: stats: a=1\n"
			    "vireo-vmm: stats: b=2\n"
			    "no newline\n");
}

/* A forked child has no writer thread: its lines must still come out,
 * and its exit must not wait on the parent's writer. */
static void test_fork_child_logs(void **state)
{
	int p[2], status;
	char buf[256];
	ssize_t n;
	pid_t pid;

	(void)state;
	log_error("parent before fork");	/* the parent's writer runs */
	assert_int_equal(log_flush(5000), 0);
	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(p[1], STDERR_FILENO);
		close(p[0]);
		log_error("from the child");
		exit(0);	/* atexit: the child's own writer drains */
	}
	close(p[1]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	n = read(p[0], buf, sizeof(buf) - 1);
	close(p[0]);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_true(n > 0);
	buf[n] = '\0';
	/* (LeakSanitizer may add a line of its own at the child's exit.) */
	assert_memory_equal(buf, "vireo-test: error: from the child\n", 34);
}

static void guest_event(int i)
{
	log_guest("guest poked port %d", i);
}

static void test_log_guest_per_call_site(void **state)
{
	const char *out;
	int i;

	(void)state;
	capture_begin();
	for (i = 0; i < 20; i++)
		guest_event(i);
	/* A different call site has its own limiter. */
	log_guest("other site");
	out = capture_end();
	assert_int_equal(count_lines(out), 6);
	assert_int_equal(count_substr(out, "guest poked port"), 5);
	assert_non_null(strstr(out, "guest poked port 4\n"));
	assert_null(strstr(out, "guest poked port 5\n"));
	assert_non_null(strstr(out, "vireo-test: warning: other site\n"));
}

#define STALL_THREADS 4
#define STALL_LINES 2000

/* A line that names its thread and number. */
static void stall_line(int t, int i)
{
	log_error("stall %d %d", t, i);
}

static void *stall_logger(void *arg)
{
	int t = (int)(intptr_t)arg, i;

	for (i = 0; i < STALL_LINES; i++)
		stall_line(t, i);
	return NULL;
}

struct stall_run {
	pthread_t th[STALL_THREADS];
	volatile int done;
};

static void *stall_all(void *arg)
{
	struct stall_run *r = arg;
	int t;

	for (t = 0; t < STALL_THREADS; t++)
		pthread_create(&r->th[t], NULL, stall_logger,
			       (void *)(intptr_t)t);
	for (t = 0; t < STALL_THREADS; t++)
		pthread_join(r->th[t], NULL);
	r->done = 1;
	return NULL;
}

static double elapsed_s(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - since->tv_sec) +
	       (double)(now.tv_nsec - since->tv_nsec) / 1e9;
}

/* Lines "vireo-test: error: stall T I" in what the pipe holds. */
static unsigned drain_pipe(int fd, unsigned *notes)
{
	static char buf[1 << 20];
	size_t len = 0;
	ssize_t r;
	unsigned n;

	fcntl(fd, F_SETFL, O_NONBLOCK);
	while (len < sizeof(buf) - 1 &&
	       (r = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)r;
	buf[len] = '\0';
	n = count_substr(buf, "vireo-test: error: stall ");
	*notes = count_substr(buf, "log lines dropped");
	/* Whole lines only: every line that arrived is complete. */
	assert_int_equal(count_lines(buf), n + *notes);
	return n;
}

static void test_stalled_stderr_never_blocks(void **state)
{
	struct stall_run run = { .done = 0 };
	struct timespec t0;
	uint64_t dropped0 = log_dropped();
	unsigned in_pipe, notes;
	double shutdown_s;
	pthread_t all;
	int p[2], saved;

	(void)state;
	assert_int_equal(log_flush(5000), 0);
	assert_int_equal(pipe(p), 0);
	fcntl(p[1], F_SETPIPE_SZ, 4096);	/* one page; nobody reads */
	saved = dup(STDERR_FILENO);
	assert_true(dup2(p[1], STDERR_FILENO) >= 0);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	pthread_create(&all, NULL, stall_all, &run);
	/* Before the fix, the first thread to fill the pipe blocked in
	 * fprintf under the global lock and the rest behind it. */
	while (!run.done && elapsed_s(&t0) < 10)
		usleep(10000);
	if (!run.done) {
		/* stdio's stderr lock is held by a blocked thread: report on
		 * the saved descriptor and end here. */
		dprintf(saved, "FAIL: logging to a stalled stderr blocked "
			"for 10 s\n");
		_exit(1);
	}
	pthread_join(all, NULL);
	log_flush(100);		/* lets the writer fill the pipe */

	clock_gettime(CLOCK_MONOTONIC, &t0);
	log_shutdown(300);
	shutdown_s = elapsed_s(&t0);
	/* Assert only with stderr back: cmocka reports on it. */
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(p[1]);
	assert_true(shutdown_s < 2.0);

	/* Every line is either in the pipe or counted as dropped. */
	in_pipe = drain_pipe(p[0], &notes);
	close(p[0]);
	/* (The writer may not have run at all on a loaded machine.) */
	assert_true(log_dropped() - dropped0 > 0);
	assert_int_equal(in_pipe + (log_dropped() - dropped0),
			 STALL_THREADS * STALL_LINES);

	/* A new writer starts for the next line, and it is written. */
	capture_begin();
	log_error("after the stall");
	assert_string_equal(capture_end(), "vireo-test: error: after the stall\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_level),
		cmocka_unit_test_setup(test_format_and_levels, setup),
		cmocka_unit_test_setup(test_long_line_truncated, setup),
		cmocka_unit_test_setup(test_ratelimit_burst_then_suppress,
				       setup),
		cmocka_unit_test_setup(test_ratelimit_quiet_window_no_summary,
				       setup),
		cmocka_unit_test_setup(test_ratelimit_custom_and_independent,
				       setup),
		cmocka_unit_test_setup(test_log_guest_per_call_site, setup),
		cmocka_unit_test_setup(test_log_text, setup),
		cmocka_unit_test_setup(test_fork_child_logs, setup),
		cmocka_unit_test_setup(test_stalled_stderr_never_blocks, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
