/* Unit tests for vireod's domain store (src/daemon/store.c): define,
 * redefine and clashes, atomic files, reload from the state dir,
 * autostart, undefine, refusals (bad XML, a missing kernel), transient
 * domains. */
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

/* The kernel every test definition names: an empty file in the test's
 * folder (define checks that it exists). */
static char kernel[256];

static const char *test_dir(void)
{
	const char *dir = make_tmpdir();
	FILE *f;

	assert_non_null(dir);
	snprintf(kernel, sizeof(kernel), "%s-vmlinuz", dir);
	f = fopen(kernel, "w");
	assert_non_null(f);
	fclose(f);
	return dir;
}

static void remove_test_dir(const char *dir)
{
	remove_tree(dir);
	unlink(kernel);
}

static char *xml_for(const char *name, const char *uuid, const char *mem)
{
	char *s = NULL;

	assert_true(asprintf(&s,
			     "<domain type='kvm'><name>%s</name>%s%s%s"
			     "<memory%s</memory><vcpu>3</vcpu>"
			     "<os><type>hvm</type><kernel>%s</kernel></os>"
			     "</domain>",
			     name, uuid ? "<uuid>" : "", uuid ? uuid : "",
			     uuid ? "</uuid>" : "", mem, kernel) > 0);
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
	const char *dir = test_dir();
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
	remove_test_dir(dir);
}

static void test_redefine_and_clash(void **state)
{
	const char *dir = test_dir();
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
	remove_test_dir(dir);
}

/* Refusals leave nothing behind: bad XML (domxml's message), a kernel
 * that does not exist. */
static void test_refusals(void **state)
{
	const char *dir = test_dir();
	char err[256] = "", *xml;
	struct store s;
	struct dom *d;

	assert_int_equal(store_open(&s, dir), 0);
	xml = "<domain type='kvm'><name>x</name></domain>";
	assert_int_equal(
	    store_define(&s, xml, strlen(xml), &d, err, sizeof(err)), -EINVAL);
	assert_true(err[0] != '\0');
	unlink(kernel);
	err[0] = '\0';
	assert_int_equal(define(&s, "a", UUID_A, ">1024", &d), -ENOENT);
	assert_int_equal(s.n, 0);
	assert_int_equal(faccessat(s.dirfd, "a.xml", F_OK, 0), -1);
	store_close(&s);
	remove_test_dir(dir);
}

/* A transient domain is in memory only; undefining a persistent one that
 * runs keeps it, transient. */
static void test_transient(void **state)
{
	const char *dir = test_dir();
	char *xml = xml_for("t", NULL, ">1024"), err[256];
	struct store s;
	struct dom *d, *e;

	assert_int_equal(store_open(&s, dir), 0);
	assert_int_equal(
	    store_add_transient(&s, xml, strlen(xml), &d, err, sizeof(err)), 0);
	assert_false(d->persistent);
	assert_int_equal(faccessat(s.dirfd, "t.xml", F_OK, 0), -1);
	assert_int_equal(
	    store_add_transient(&s, xml, strlen(xml), &e, err, sizeof(err)),
	    -EEXIST);
	store_forget(&s, d);
	assert_int_equal(s.n, 0);
	assert_int_equal(define(&s, "a", UUID_A, ">1024", &d), 0);
	d->id = 1; /* as if running */
	assert_int_equal(store_unpersist(&s, d), 0);
	assert_false(d->persistent);
	assert_int_equal(s.n, 1);
	assert_int_equal(faccessat(s.dirfd, "a.xml", F_OK, 0), -1);
	free(xml);
	store_close(&s);
	remove_test_dir(dir);
}

/* A file in the state dir that does not parse is skipped, not fatal. */
static void test_reload_skips_bad_file(void **state)
{
	const char *dir = test_dir();
	struct store s;
	struct dom *d;
	char *text;

	assert_int_equal(store_open(&s, dir), 0);
	assert_int_equal(define(&s, "a", UUID_A, ">1024", &d), 0);
	assert_int_equal(store_write_atomic(s.dirfd, "junk.xml", "<x", 2), 0);
	/* A file whose name is not its domain's name. */
	text = domxml_format(d->def, NULL);
	assert_non_null(text);
	assert_int_equal(
	    store_write_atomic(s.dirfd, "other.xml", text, strlen(text)), 0);
	free(text);
	store_close(&s);
	assert_int_equal(store_open(&s, dir), 0);
	assert_int_equal(s.n, 1);
	assert_non_null(store_by_name(&s, "a"));
	store_close(&s);
	remove_test_dir(dir);
}

/* Lookups by name and UUID (hash tables) stay right through growth and
 * removals, for UUIDs that differ in one byte only. */
static void test_lookups(void **state)
{
	const char *dir = test_dir();
	struct dom *doms[200], *d;
	struct store s;
	char name[16], uuid[40], *xml, err[256];
	uint8_t raw[16] = {0x6f, 0x1c};

	assert_int_equal(store_open(&s, dir), 0);
	for (int i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "d%d", i);
		snprintf(uuid, sizeof(uuid),
			 "6f1c0000-0000-0000-0000-0000000000%02x", i);
		xml = xml_for(name, uuid, ">1024");
		assert_int_equal(store_add_transient(&s, xml, strlen(xml),
						     &doms[i], err,
						     sizeof(err)),
				 0);
		free(xml);
	}
	for (int i = 0; i < 200; i += 2)
		store_forget(&s, doms[i]);
	assert_int_equal(s.n, 100);
	for (int i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "d%d", i);
		raw[15] = (uint8_t)i;
		d = i % 2 ? doms[i] : NULL;
		assert_ptr_equal(store_by_name(&s, name), d);
		assert_ptr_equal(store_by_uuid(&s, raw), d);
	}
	assert_null(store_by_name(&s, "d"));
	store_close(&s);
	remove_test_dir(dir);
}

/* run/ files: replaced whole through a temporary file that does not
 * stay, with or without the fsyncs. */
static void test_write_run(void **state)
{
	const char *dir = test_dir();
	char buf[64], longname[600];
	int dfd = open(dir, O_RDONLY | O_DIRECTORY), fd;
	ssize_t n;

	assert_true(dfd >= 0);
	assert_int_equal(store_write_run(dfd, "a.status", "pid 12345\n", 10),
			 0);
	assert_int_equal(store_write_run(dfd, "a.status", "pid 7\n", 6), 0);
	fd = openat(dfd, "a.status", O_RDONLY);
	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	assert_int_equal(n, 6);
	assert_memory_equal(buf, "pid 7\n", 6);
	assert_int_equal(faccessat(dfd, ".a.status.tmp", F_OK, 0), -1);
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(store_write_run(dfd, longname, "", 0), -ENAMETOOLONG);
	assert_int_equal(store_write_run(-1, "a.status", "", 0), -EBADF);
	assert_int_equal(unlinkat(dfd, "a.status", 0), 0);
	close(dfd);
	remove_test_dir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_define_reload),
	    cmocka_unit_test(test_redefine_and_clash),
	    cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_transient),
	    cmocka_unit_test(test_reload_skips_bad_file),
	    cmocka_unit_test(test_lookups),
	    cmocka_unit_test(test_write_run),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
