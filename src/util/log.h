/* Logging: the one module every part of Vireo writes diagnostics through.
 * Messages go to stderr with the program name and a level; the rate-limited
 * variant is for anything a guest can trigger repeatedly.  Logging never
 * blocks: lines are queued for a writer thread, and when stderr's reader
 * stalls and the queue is full, lines are dropped, counted, and a line
 * says how many once there is room again.  At exit the writer gets a
 * second to drain. */
#ifndef VIREO_UTIL_LOG_H
#define VIREO_UTIL_LOG_H

#include <stdbool.h>
#include <stdint.h>

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

void log_set_program(const char *name);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);

/* Queues text that is already what the user should see (say, the
 * --stats report), line by line, at every level.  Lines are cut to
 * 1 KiB; a missing final newline is added. */
void log_text(const char *text);

/* Waits up to `timeout_ms` for the queued lines to be written: 0, or
 * -ETIMEDOUT (stderr is not being read). */
int log_flush(unsigned timeout_ms);
/* Drains for up to `drain_ms`, then ends the writer even if it is stuck
 * in write(); what was still queued counts as dropped, and the count is
 * reported with a write that cannot block.  Runs at exit by itself; a
 * later message starts a new writer. */
void log_shutdown(unsigned drain_ms);
/* Lines dropped so far (queue full, or abandoned by log_shutdown). */
uint64_t log_dropped(void);

void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* One rate limiter per call site: at most `burst` lines per `interval_ms`,
 * then one "suppressed N messages" line when the window reopens. */
struct log_ratelimit {
	uint64_t window_start_ns;
	unsigned interval_ms;
	unsigned burst;
	unsigned printed;
	unsigned suppressed;
};

#define LOG_RATELIMIT_INIT { 0, 5000, 5, 0, 0 }

void log_ratelimited(struct log_ratelimit *rl, enum log_level level,
		     const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)                                                        \
	do {                                                                  \
		if (log_get_level() >= LOG_DEBUG)                             \
			log_msg(LOG_DEBUG, __VA_ARGS__);                      \
	} while (0)

/* Guest-triggerable diagnostics: one static limiter per call site. */
#define log_guest(...)                                                        \
	do {                                                                  \
		static struct log_ratelimit rl_ = LOG_RATELIMIT_INIT;         \
		log_ratelimited(&rl_, LOG_WARN, __VA_ARGS__);                 \
	} while (0)

#endif
