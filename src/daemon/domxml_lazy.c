/* vireod's domxml_parse and domxml_format: they load the domxml module
 * (domxml_mod.h) at their first call and call into it.  Debian's libxml2
 * brings ICU, libstdc++, libm, liblzma and libz with it, ~2.3 MiB
 * resident, more than half of an idle vireod; loaded here, they cost
 * only a vireod that has a domain to read or write, and the first define
 * (or the start with domains in the state dir) pays the load, ~2 ms.
 * The module then stays: libxml2 keeps thread-specific state that an
 * unload would leave dangling.  Called from vireod's one thread only.
 * Unit tests and fuzzers link domxml.c directly instead of this file. */
#include "daemon/domxml_mod.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "rpc/paths.h"
#include "util/log.h"

static char mod_path[PATH_BUF];
static const struct domxml_module *mod;

int domxml_module_locate(const char *const *dirs, char *err, size_t errlen)
{
	size_t used = 0;

	for (size_t i = 0; dirs[i]; i++) {
		int n = snprintf(mod_path, sizeof(mod_path), "%s/%s", dirs[i],
				 DOMXML_MODULE_FILE);

		if (n > 0 && (size_t)n < sizeof(mod_path) &&
		    access(mod_path, R_OK) == 0)
			return 0;
		n = snprintf(err + used, errlen - used, "%s%s",
			     i ? ", "
			       : "cannot find " DOMXML_MODULE_FILE " in ",
			     dirs[i]);
		if (n > 0 && used + (size_t)n < errlen)
			used += (size_t)n;
	}
	mod_path[0] = '\0';
	if (!dirs[0])
		snprintf(err, errlen, "no folder to find %s in",
			 DOMXML_MODULE_FILE);
	return -ENOENT;
}

bool domxml_module_loaded(void)
{
	return mod != NULL;
}

/* 0 once the module is in, else -ELIBACC with one line in `err`. */
static int load(char *err, size_t errlen)
{
	const struct domxml_module *m;
	void *h;

	if (mod)
		return 0;
	if (!mod_path[0]) {
		snprintf(err, errlen, "domain XML support not set up");
		return -ELIBACC;
	}
	h = dlopen(mod_path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(err, errlen, "cannot load %s", dlerror());
		return -ELIBACC;
	}
	m = dlsym(h, DOMXML_MODULE_SYMBOL);
	if (!m || m->abi != DOMXML_MODULE_ABI) {
		snprintf(err, errlen, "%s is from another build of vireod",
			 mod_path);
		dlclose(h);
		return -ELIBACC;
	}
	log_debug("loaded %s", mod_path);
	mod = m;
	return 0;
}

int domxml_parse(const char *xml, size_t len, struct domain_def **out,
		 char *err, size_t errlen)
{
	int ret = load(err, errlen);

	return ret < 0 ? ret : mod->parse(xml, len, out, err, errlen);
}

/* NULL when the module cannot be loaded, as on an allocation failure;
 * the reason is logged. */
char *domxml_format(const struct domain_def *def,
		    const struct domxml_live *live)
{
	char err[PATH_BUF + 64];

	if (load(err, sizeof(err)) < 0) {
		log_error("%s", err);
		return NULL;
	}
	return mod->format(def, live);
}
