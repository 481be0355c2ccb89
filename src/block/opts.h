/* The value of one `--disk` option:
 *   path=FILE[,readonly=on|off][,serial=STR][,cache=none|writeback|unsafe]
 *            [,queues=N][,discard=unmap|ignore]
 * parsed into a self-contained struct (no pointers into the argument). */
#ifndef VIREO_BLOCK_OPTS_H
#define VIREO_BLOCK_OPTS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#define BLK_SERIAL_MAX 20 /* bytes, as virtio-blk's get-id returns */
#define BLK_QUEUES_MAX 64

enum blk_cache {
	BLK_CACHE_WRITEBACK, /* page cache; flush -> fdatasync (default) */
	BLK_CACHE_NONE,	     /* O_DIRECT; flush -> fdatasync */
	BLK_CACHE_UNSAFE,    /* page cache; flush ignored */
};

enum blk_discard_mode {
	BLK_DISCARD_IGNORE, /* discard succeeds and does nothing (default) */
	BLK_DISCARD_UNMAP,  /* discard punches a hole */
};

struct blk_opts {
	char path[PATH_MAX];
	bool readonly;
	char serial[BLK_SERIAL_MAX + 1]; /* "" if not given */
	enum blk_cache cache;
	unsigned queues; /* 0: default (one per vCPU, the device decides) */
	enum blk_discard_mode discard;
};

/* Parses s into o (defaults first).  0, or -EINVAL with one line in err
 * naming the bad key or value. */
int blk_opts_parse(const char *s, struct blk_opts *o, char *err, size_t errlen);

const char *blk_cache_name(enum blk_cache c);

#endif
