/* Unit tests for vireod's lazy domain XML (src/daemon/domxml_lazy.c): the
 * module is found in the first folder that has it, with an error naming
 * the folders when none does; a module of another build is refused; and
 * libxml2 is not in the process until the first parse, which then goes
 * through the module (as does format).  Arguments: the folder of the
 * real module, then the folder of a module with the wrong ABI tag
 * (domxml_badmod.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/domxml_mod.h"

static const char *good_dir, *bad_dir;

#define DOC                                                                    \
	"<domain type='kvm'><name>lazy</name><memory>1024</memory>"            \
	"<vcpu>1</vcpu><os><type>hvm</type><kernel>/vmlinuz</kernel></os>"     \
	"</domain>"

static bool libxml2_mapped(void)
{
	void *h = dlopen("libxml2.so.2", RTLD_LAZY | RTLD_NOLOAD);

	if (h)
		dlclose(h);
	return h != NULL;
}

static void test_not_found(void **state)
{
	const char *dirs[] = {"/nonexistent/a", "/nonexistent/b", NULL};
	const char *none[] = {NULL};
	char err[256];

	(void)state;
	assert_int_equal(domxml_module_locate(dirs, err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "cannot find vireod-domxml.so in "
				 "/nonexistent/a, /nonexistent/b");
	assert_int_equal(domxml_module_locate(none, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "no folder"));
	/* Nothing located: a parse says so rather than crash. */
	assert_int_equal(domxml_parse(DOC, strlen(DOC),
				      &(struct domain_def *){NULL}, err,
				      sizeof(err)),
			 -ELIBACC);
	assert_false(domxml_module_loaded());
}

static void test_other_build(void **state)
{
	const char *dirs[] = {"/nonexistent", bad_dir, good_dir, NULL};
	struct domain_def *def = NULL;
	char err[512];

	(void)state;
	assert_int_equal(domxml_module_locate(dirs, err, sizeof(err)), 0);
	assert_int_equal(domxml_parse(DOC, strlen(DOC), &def, err, sizeof(err)),
			 -ELIBACC);
	assert_non_null(strstr(err, "from another build"));
	assert_null(def);
	assert_false(domxml_module_loaded());
	assert_null(domxml_format(&(struct domain_def){0}, NULL));
}

static void test_loaded_at_first_parse(void **state)
{
	const char *dirs[] = {good_dir, bad_dir, NULL};
	struct domain_def *def = NULL;
	char err[256], *xml;

	(void)state;
	assert_int_equal(domxml_module_locate(dirs, err, sizeof(err)), 0);
	assert_false(domxml_module_loaded());
	assert_false(libxml2_mapped());
	assert_int_equal(domxml_parse(DOC, strlen(DOC), &def, err, sizeof(err)),
			 0);
	assert_true(domxml_module_loaded());
	assert_true(libxml2_mapped());
	assert_string_equal(def->name, "lazy");
	assert_int_equal(def->memory_kib, 1024);
	xml = domxml_format(def, NULL);
	assert_non_null(xml);
	assert_non_null(strstr(xml, "<name>lazy</name>"));
	free(xml);
	domain_def_free(def);
	/* The module's own errors come through. */
#define NONAME "<domain type='kvm'><memory>1</memory></domain>"
	assert_int_equal(
	    domxml_parse(NONAME, strlen(NONAME), &def, err, sizeof(err)),
	    -EINVAL);
	assert_string_equal(err, "missing <name>");
}

int main(int argc, char **argv)
{
	/* In this order: each later test needs the earlier left nothing
	 * loaded. */
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_not_found),
	    cmocka_unit_test(test_other_build),
	    cmocka_unit_test(test_loaded_at_first_parse),
	};

	if (argc != 3) {
		fprintf(stderr, "usage: %s MODULE_DIR BAD_MODULE_DIR\n",
			argv[0]);
		return 2;
	}
	good_dir = argv[1];
	bad_dir = argv[2];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
