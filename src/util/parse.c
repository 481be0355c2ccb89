/* Strict number parsing for command-line input. */
#include "util/parse.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
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
