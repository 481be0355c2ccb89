/* Unit tests for logging (src/util/log.c): line format, levels, truncation,
 * and the rate limiter (burst, suppression, the "suppressed" line once
 * the window reopens).  stderr is captured into a temporary file; time is
 * simulated by moving the limiter's window start into the past. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
