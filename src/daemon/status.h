/* A running domain's status file, <state>/run/<name>.status, written
 * atomically: what a restarted vireod needs to find the guest again
 * (the VMM's pid and its start time, to tell it from a reused pid; the
 * monitor socket; the console pty; the domain id; the TAP names and the
 * vsock CID it runs with, for the live XML).  One key=value per line. */
#ifndef VIREO_DAEMON_STATUS_H
#define VIREO_DAEMON_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define STATUS_PATH_MAX 256
#define STATUS_TEXT_MAX 1024 /* a status file's size limit */
#define STATUS_NETS_MAX 8    /* DOMAIN_NETS_MAX */
#define STATUS_IFNAME_MAX 16 /* IFNAMSIZ, with the NUL */

struct dom_status {
	pid_t pid;
	uint64_t start_time; /* /proc/PID/stat field 22 */
	int id;
	bool no_reboot;	     /* started with --no-reboot */
	uint64_t log_offset; /* the log's size when it started */
	char monitor[STATUS_PATH_MAX];
	char pty[STATUS_PATH_MAX]; /* empty until known */
	/* Each interface's TAP ("nets=vnet0,tap1"), in XML order. */
	unsigned nnets;
	char nets[STATUS_NETS_MAX][STATUS_IFNAME_MAX];
	uint32_t vsock_cid; /* 0: no vsock */
};

/* The file's text in text[len]: its length, or -ENAMETOOLONG. */
int status_format(const struct dom_status *s, char *text, size_t len);
/* 0 or -errno (the old file untouched). */
int status_write(int rundirfd, const char *name, const struct dom_status *s);
/* 0, -ENOENT, or -EINVAL for a file that does not parse. */
int status_read(int rundirfd, const char *name, struct dom_status *s);
/* Parses a status file's text; 0 or -EINVAL. */
int status_parse(const char *text, struct dom_status *s);
void status_remove(int rundirfd, const char *name);

/* /proc/PID/stat read into buf: its fields from the third (the state)
 * on, or NULL when pid is gone. */
const char *status_proc_stat(pid_t pid, char *buf, size_t len);
/* Process pid's start time (clock ticks after boot), 0 when it is gone. */
uint64_t status_proc_start(pid_t pid);
/* True when pid runs and started at start_time. */
bool status_alive(const struct dom_status *s);

#endif
