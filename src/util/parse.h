/* Parsers for user-supplied numbers: sizes with K/M/G/T suffixes and
 * bounded unsigned integers.  Strict: no sign, no trailing garbage. */
#ifndef VIREO_UTIL_PARSE_H
#define VIREO_UTIL_PARSE_H

#include <stdint.h>

/* "512M", "2G", "1048576" (bytes), "64K", "1T"; suffix case-insensitive,
 * an optional trailing "B"/"iB" ("512MiB").  0 or -EINVAL / -ERANGE. */
int parse_size(const char *s, uint64_t *out);

/* Decimal unsigned integer in [min, max].  0, -EINVAL or -ERANGE. */
int parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* The value of a hex digit, or -1. */
int parse_hexdigit(char c);

/* "52:54:00:12:34:56" (hex digits in either case) into mac.  0 or
 * -EINVAL. */
int parse_mac(const char *s, uint8_t mac[6]);

#endif
