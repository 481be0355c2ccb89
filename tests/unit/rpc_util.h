/* Helpers shared by the RPC unit tests: captured frames (hex files under
 * tests/unit/rpc/) and a store in a fresh temporary folder. */
#ifndef VIREO_TEST_RPC_UTIL_H
#define VIREO_TEST_RPC_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* The bytes of dir/name (hex text); malloc'd, length in *len; NULL when
 * the file is missing or not hex. */
uint8_t *load_hex(const char *dir, const char *name, size_t *len);

/* A new empty folder under /tmp (static buffer) and its removal. */
const char *make_tmpdir(void);
void remove_tree(const char *dir);

#endif
