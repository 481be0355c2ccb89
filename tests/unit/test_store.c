/* Unit tests for vireod's domain store (src/daemon/store.c) and domain
 * XML reading (domdef.c): define, redefine and clashes, atomic files,
 * reload from the state dir, autostart, undefine, bad XML. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/store.h"
#include "rpc/wire.h"
#include "rpc_util.h"

#define UUID_A "6f1c3e8a-0d1b-4a43-9f55-0b8c1a2d3e4f"

static char *xml_for(const char *name, const char *uuid, const char *mem)
{
	char *s = NULL;

	assert_true(asprintf(&s,
			     "<domain type='kvm'><name>%s</name>%s%s%s"
			     "<memory%s</memory><vcpu>3</vcpu></domain>",
			     name, uuid ? "<uuid>" : "", uuid ? uuid : "",
			     uuid ? "</uuid>" : "", mem) > 0);
	return s;
}

static int define(struct store *s, const char *name, const char *uuid,
		  const char *mem, struct dom **d)
{
	char *xml = xml_for(name, uuid, mem), err[256];
	int ret = store_define(s, xml, strlen(xml), d, err, sizeof(err));

	free(xml);
	return ret;
}

static void test_define_reload(void **state)
{
	const char *dir = make_tmpdir();
	struct store s, s2;
	struct dom *d, *e;
	uint8_t uuid[RPC_UUID_LEN];

	assert_int_equal(store_open(&s, dir), 0);
	assert_int_equal(define(&s, "a", UUID_A, " unit='GiB'>2", &d), 0);
	assert_int_equal(d->def->memory_kib, 2 * 1024 * 1024);
	assert_int_equal(d->def->vcpus, 3);
	assert_int_equal(d->id, -1);
	assert_int_equal(d->state, DOM_SHUTOFF);
	/* No UUID given: one is generated and kept in the XML. */
	assert_int_equal(define(&s, "b", NULL, ">1024", &e), 0);
	assert_int_equal(e->def->memory_kib, 1024);
	assert_int_equal(store_set_autostart(&s, e, true), 0);
	assert_int_equal(s.n, 2);
	/* Nothing temporary is left behind. */
	assert_int_equal(faccessat(s.dirfd, ".a.xml.tmp", F_OK, 0), -1);
	assert_int_equal(faccessat(s.dirfd, "a.xml", F_OK, 0), 0);

	assert_int_equal(store_open(&s2, dir), 0);
	assert_int_equal(s2.n, 2);
	assert_int_equal(rpc_uuid_parse(UUID_A, uuid), 0);
	assert_ptr_equal(store_by_uuid(&s2, uuid), store_by_name(&s2, "a"));
	assert_false(store_by_name(&s2, "a")->autostart);
	assert_true(store_by_name(&s2, "b")->autostart);
	assert_memory_equal(store_by_name(&s2, "b")->def->uuid, e->def->uuid,
			    RPC_UUID_LEN);
	store_close(&s2);
	store_close(&s);
	remove_tree(dir);
}

static void test_redefine_and_clash(void **state)
{
	const char *dir = make_tmpdir();
	struct store s;
	struct dom *d, *e;

	assert_int_equal(store_open(&s, dir), 0);
	assert_int_equal(define(&s, "a", UUID_A, ">1024", &d), 0);
	/* Same name and UUID: an update in place. */
	assert_int_equal(define(&s, "a", UUID_A, ">2048", &e), 0);
	assert_ptr_equal(d, e);
	assert_int_equal(e->def->memory_kib, 2048);
	assert_int_equal(s.n, 1);
	/* Same name, other UUID; same UUID, other name. */
	assert_int_equal(define(&s, "a", NULL, ">1024", &e), -EEXIST);
	assert_int_equal(define(&s, "c", UUID_A, ">1024", &e), -EEXIST);
	assert_int_equal(s.n, 1);
	assert_int_equal(store_undefine(&s, d), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(faccessat(s.dirfd, "a.xml", F_OK, 0), -1);
	store_close(&s);
	remove_tree(dir);
}

static void test_bad_xml(void **state)
{
	static const char *bad[] = {
		"",
		"<domain>",
		"<dom><name>x</name><memory>1</memory></dom>",
		"<domain><memory>1</memory></domain>",
		"<domain><name></name><memory>1</memory></domain>",
		"<domain><name>a/b</name><memory>1</memory></domain>",
		"<domain><name>.hidden</name><memory>1</memory></domain>",
		"<domain><name>x</name></domain>",
		"<domain><name>x</name><memory>0</memory></domain>",
		"<domain><name>x</name><memory unit='parsec'>1</memory>"
		"</domain>",
		"<domain><name>x</name><memory>-1</memory></domain>",
		"<domain><name>x</name><uuid>nope</uuid><memory>1</memory>"
		"</domain>",
		"<domain><name>x</name><memory>1</memory><vcpu>0</vcpu>"
		"</domain>",
	};
	struct domdef *d;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (domdef_parse(bad[i], strlen(bad[i]), &d, err,
				 sizeof(err)) != -EINVAL)
			fail_msg("accepted: %s", bad[i]);
		assert_true(err[0] != '\0');
	}
}

/* A file in the state dir that does not parse is skipped, not fatal. */
static void test_reload_skips_bad_file(void **state)
{
	const char *dir = make_tmpdir();
	struct store s;
	struct dom *d;

	assert_int_equal(store_open(&s, dir), 0);
	assert_int_equal(define(&s, "a", UUID_A, ">1024", &d), 0);
	assert_int_equal(store_write_atomic(s.dirfd, "junk.xml", "<x", 2), 0);
	/* A file whose name is not its domain's name. */
	assert_int_equal(store_write_atomic(s.dirfd, "other.xml",
					    d->def->xml, strlen(d->def->xml)),
			 0);
	store_close(&s);
	assert_int_equal(store_open(&s, dir), 0);
	assert_int_equal(s.n, 1);
	assert_non_null(store_by_name(&s, "a"));
	store_close(&s);
	remove_tree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_define_reload),
		cmocka_unit_test(test_redefine_and_clash),
		cmocka_unit_test(test_bad_xml),
		cmocka_unit_test(test_reload_skips_bad_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
