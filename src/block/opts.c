/* Parser of the `--disk` option's value: comma-separated key=value pairs
 * (",," stands for a literal comma inside a value, as in QEMU). */
#include "block/opts.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/parse.h"

#define KEY_MAX 16

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
		/* The message quotes user input: keep it one printable line. */
		for (; *err; err++)
			if ((unsigned char)*err < 0x20 || *err == 0x7f)
				*err = '?';
	}
	return -EINVAL;
}

/* Copies the value starting at *s up to an unescaped ',' or the end into
 * out (at most outlen - 1 bytes); advances *s past it.  -ERANGE if long. */
static int take_value(const char **s, char *out, size_t outlen)
{
	const char *p = *s;
	size_t n = 0;

	for (; *p; p++) {
		if (*p == ',') {
			if (p[1] != ',')
				break;
			p++;
		}
		if (n + 1 >= outlen)
			return -ERANGE;
		out[n++] = *p;
	}
	out[n] = '\0';
	*s = p;
	return 0;
}

static int parse_bool(const char *v, bool *out)
{
	if (!strcmp(v, "on") || !strcmp(v, "yes") || !strcmp(v, "true")) {
		*out = true;
		return 0;
	}
	if (!strcmp(v, "off") || !strcmp(v, "no") || !strcmp(v, "false")) {
		*out = false;
		return 0;
	}
	return -EINVAL;
}

const char *blk_cache_name(enum blk_cache c)
{
	switch (c) {
	case BLK_CACHE_NONE:
		return "none";
	case BLK_CACHE_UNSAFE:
		return "unsafe";
	case BLK_CACHE_WRITEBACK:
		break;
	}
	return "writeback";
}

static int set_cache(const char *v, struct blk_opts *o)
{
	if (!strcmp(v, "none"))
		o->cache = BLK_CACHE_NONE;
	else if (!strcmp(v, "writeback"))
		o->cache = BLK_CACHE_WRITEBACK;
	else if (!strcmp(v, "unsafe"))
		o->cache = BLK_CACHE_UNSAFE;
	else
		return -EINVAL;
	return 0;
}

static int set_discard(const char *v, struct blk_opts *o)
{
	if (!strcmp(v, "unmap"))
		o->discard = BLK_DISCARD_UNMAP;
	else if (!strcmp(v, "ignore"))
		o->discard = BLK_DISCARD_IGNORE;
	else
		return -EINVAL;
	return 0;
}

/* Applies one key=value; the value is already unescaped. */
static int set_key(const char *key, const char *val, struct blk_opts *o,
		   char *err, size_t errlen)
{
	uint64_t n;

	if (!strcmp(key, "readonly")) {
		if (parse_bool(val, &o->readonly))
			return fail(err, errlen,
				    "disk: readonly='%s' is not on or off",
				    val);
	} else if (!strcmp(key, "serial")) {
		if (strlen(val) > BLK_SERIAL_MAX)
			return fail(err, errlen,
				    "disk: serial='%s' is longer than %d bytes",
				    val, BLK_SERIAL_MAX);
		strcpy(o->serial, val);
	} else if (!strcmp(key, "cache")) {
		if (set_cache(val, o))
			return fail(
			    err, errlen,
			    "disk: cache='%s' is not none, writeback or unsafe",
			    val);
	} else if (!strcmp(key, "queues")) {
		if (parse_uint(val, 1, BLK_QUEUES_MAX, &n))
			return fail(
			    err, errlen,
			    "disk: queues='%s' is not a number from 1 to %d",
			    val, BLK_QUEUES_MAX);
		o->queues = (unsigned)n;
	} else if (!strcmp(key, "discard")) {
		if (set_discard(val, o))
			return fail(err, errlen,
				    "disk: discard='%s' is not unmap or ignore",
				    val);
	} else {
		return fail(err, errlen, "disk: unknown key '%s'", key);
	}
	return 0;
}

int blk_opts_parse(const char *s, struct blk_opts *o, char *err, size_t errlen)
{
	char val[PATH_MAX];
	char key[KEY_MAX];
	unsigned seen = 0;
	size_t klen;
	int ret;

	memset(o, 0, sizeof(*o));
	if (!*s)
		return fail(err, errlen,
			    "disk: empty value (expected path=FILE,...)");
	for (;;) {
		klen = strcspn(s, "=,");
		if (s[klen] != '=')
			return fail(err, errlen,
				    "disk: '%.*s' is not key=value",
				    (int)(klen > 64 ? 64 : klen), s);
		if (klen == 0 || klen >= KEY_MAX)
			return fail(err, errlen, "disk: unknown key '%.*s'",
				    (int)(klen > 64 ? 64 : klen), s);
		memcpy(key, s, klen);
		key[klen] = '\0';
		s += klen + 1;
		ret = take_value(&s, val,
				 !strcmp(key, "path") ? sizeof(o->path) : 256);
		if (ret)
			return fail(err, errlen,
				    "disk: the value of '%s' is too long", key);
		if (!strcmp(key, "path")) {
			if (!*val)
				return fail(err, errlen, "disk: path is empty");
			if (seen & 1)
				return fail(err, errlen,
					    "disk: path given twice");
			seen |= 1;
			strcpy(o->path, val);
		} else if ((ret = set_key(key, val, o, err, errlen))) {
			return ret;
		}
		if (!*s)
			break;
		s++; /* the ',' */
		if (!*s)
			return fail(err, errlen, "disk: trailing ','");
	}
	if (!(seen & 1))
		return fail(err, errlen, "disk: missing path=FILE");
	return 0;
}
