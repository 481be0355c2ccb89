/* Unit tests for util/filemap: whole-file reads of --kernel/--initrd. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/filemap.h"

static char path[64];

static int make_file(void **state)
{
	static uint8_t buf[300000];
	size_t i;
	int fd;

	(void)state;
	strcpy(path, "/tmp/vireo-test-filemap-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7 + i / 4096);
	if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf)) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static int remove_file(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

static void test_reads_whole_file(void **state)
{
	struct filemap f;
	const uint8_t *p;
	size_t i;

	(void)state;
	assert_int_equal(filemap_open(&f, "--kernel", path), 0);
	assert_int_equal(f.size, 300000);
	assert_int_equal(filemap_read(&f), 0);
	p = f.data;
	for (i = 0; i < f.size; i++)
		if (p[i] != (uint8_t)(i * 7 + i / 4096))
			fail_msg("byte %zu differs", i);
	assert_int_equal(filemap_read(&f), 0);	/* already there */
	assert_ptr_equal(f.data, p);
	filemap_release(&f);
	assert_null(f.data);
	/* At a reboot it is read again. */
	assert_int_equal(filemap_read(&f), 0);
	assert_int_equal(((const uint8_t *)f.data)[299999],
			 (uint8_t)(299999 * 7 + 299999 / 4096));
	filemap_close(&f);
	assert_int_equal(f.fd, -1);
	assert_null(f.data);
}

/* Someone truncates the kernel between open and load (or before a
 * reboot).  A mapping of the file would raise SIGBUS on its missing
 * pages; the read comes up short and is one error. */
static void test_file_shrank(void **state)
{
	struct filemap f;

	(void)state;
	assert_int_equal(filemap_open(&f, "--kernel", path), 0);
	assert_int_equal(truncate(path, 5000), 0);
	assert_int_equal(filemap_read(&f), -ENODATA);
	assert_null(f.data);
	filemap_close(&f);
}

static void test_bad_files(void **state)
{
	struct filemap f;
	char empty[] = "/tmp/vireo-test-filemap-empty-XXXXXX";
	int fd;

	(void)state;
	assert_int_equal(filemap_open(&f, "--initrd", "/nonexistent/x"),
			 -ENOENT);
	assert_int_equal(filemap_open(&f, "--initrd", "/tmp"), -EINVAL);
	fd = mkstemp(empty);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(filemap_open(&f, "--initrd", empty), -EINVAL);
	unlink(empty);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reads_whole_file,
						make_file, remove_file),
		cmocka_unit_test_setup_teardown(test_file_shrank, make_file,
						remove_file),
		cmocka_unit_test(test_bad_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
