/* Strict number parsing for command-line input. */
#include "util/parse.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int parse_digits(const char *s, uint64_t *out, const char **end)
{
	uint64_t v = 0;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	for (; isdigit((unsigned char)*s); s++) {
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, (uint64_t)(*s - '0'), &v))
			return -ERANGE;
	}
	*out = v;
	*end = s;
	return 0;
}

int parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	const char *end;
	uint64_t v;
	int ret;

	if (!s)
		return -EINVAL;
	ret = parse_digits(s, &v, &end);
	if (ret)
		return ret;
	if (*end)
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

static int suffix_shift(const char *sfx, unsigned *shift)
{
	static const char units[] = "KMGT";
	unsigned i;

	if (*sfx == '\0') {
		*shift = 0;
		return 0;
	}
	if (!strcasecmp(sfx, "B")) {
		*shift = 0;
		return 0;
	}
	for (i = 0; units[i]; i++) {
		if (toupper((unsigned char)sfx[0]) != units[i])
			continue;
		if (sfx[1] == '\0' || !strcasecmp(sfx + 1, "B") ||
		    !strcasecmp(sfx + 1, "iB")) {
			*shift = 10 * (i + 1);
			return 0;
		}
	}
	return -EINVAL;
}

int parse_size(const char *s, uint64_t *out)
{
	const char *end;
	unsigned shift;
	uint64_t v;
	int ret;

	if (!s)
		return -EINVAL;
	ret = parse_digits(s, &v, &end);
	if (ret)
		return ret;
	ret = suffix_shift(end, &shift);
	if (ret)
		return ret;
	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*out = v << shift;
	return 0;
}

int parse_hexdigit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int parse_mac(const char *s, uint8_t mac[6])
{
	int i, hi, lo;

	if (strlen(s) != 17)
		return -EINVAL;
	for (i = 0; i < 6; i++) {
		hi = parse_hexdigit(s[3 * i]);
		lo = parse_hexdigit(s[3 * i + 1]);
		if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':'))
			return -EINVAL;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}
