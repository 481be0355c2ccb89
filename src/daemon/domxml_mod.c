/* The domxml module's one export: the parser and writer of domxml.c and
 * domxml_fmt.c, for vireod to find with dlsym (domxml_mod.h). */
#include "daemon/domxml_mod.h"

__attribute__((visibility(
    "default"))) extern const struct domxml_module vireo_domxml_module;

const struct domxml_module vireo_domxml_module = {
    .abi = DOMXML_MODULE_ABI,
    .parse = domxml_parse,
    .format = domxml_format,
};
