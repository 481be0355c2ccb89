/* The domxml module (vireod-domxml.so): domxml_parse and domxml_format,
 * with libxml2 behind them, in a shared object of their own that vireod
 * loads when it first reads or writes a domain XML (domxml_lazy.c), so
 * that a vireod with nothing to parse never maps libxml2 and what
 * Debian's libxml2 needs (ICU, libstdc++, libm, liblzma, libz). */
#ifndef VIREO_DAEMON_DOMXML_MOD_H
#define VIREO_DAEMON_DOMXML_MOD_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/domxml.h"

#define DOMXML_MODULE_FILE "vireod-domxml.so"
#define DOMXML_MODULE_SYMBOL "vireo_domxml_module"

/* What the module exports, under DOMXML_MODULE_SYMBOL.  `abi` is
 * DOMXML_MODULE_ABI of the build that made it: a module from another
 * build (another version, another struct domain_def) is refused. */
struct domxml_module {
	uint64_t abi;
	int (*parse)(const char *xml, size_t len, struct domain_def **out,
		     char *err, size_t errlen);
	char *(*format)(const struct domain_def *def,
			const struct domxml_live *live);
};

#define DOMXML_MODULE_ABI                                                      \
	((uint64_t)VIREO_VERSION_NUM << 32 |                                   \
	 (uint64_t)sizeof(struct domain_def) << 16 |                           \
	 (uint64_t)sizeof(struct domxml_live))

/* vireod's side (domxml_lazy.c).  Picks the module file: the first of
 * `dirs` (NULL-terminated) that holds DOMXML_MODULE_FILE; it is loaded
 * at the first domxml_parse or domxml_format.  0, or -ENOENT with one
 * line in `err` naming the folders searched. */
int domxml_module_locate(const char *const *dirs, char *err, size_t errlen);

/* Has the module been loaded (by a parse or a format)? */
bool domxml_module_loaded(void);

#endif
