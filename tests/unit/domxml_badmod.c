/* A domxml module from "another build" (its ABI tag is off by one), for
 * test_domxml_lazy.c: vireod must refuse it rather than call into it. */
#include "daemon/domxml_mod.h"

__attribute__((visibility(
    "default"))) extern const struct domxml_module vireo_domxml_module;

const struct domxml_module vireo_domxml_module = {
    .abi = DOMXML_MODULE_ABI ^ 1,
};
