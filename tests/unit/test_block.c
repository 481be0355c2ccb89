/* Unit tests for the block backend (src/block): both engines, on real
 * temporary files.  Every test runs twice, once per engine group; the
 * io_uring group is skipped, saying why, where io_uring cannot be set up. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "block/block.h"
#include "block/block_int.h"

#define MiB (1u << 20)

static char path[64];
static const char *engine_env; /* the group's VIREO_BLOCK_ENGINE */

struct tio {
	struct blk_req req;
	struct iovec iov[8];
	int result;
	int done;
};

static void on_done(struct blk_req *req, int result)
{
	struct tio *t = req->opaque;

	t->result = result;
	t->done++;
}

/* A file of size bytes filled with a pattern (or zeroes), in dir. */
static void make_image(const char *dir, uint64_t size, bool fill)
{
	char buf[4096];
	uint64_t off;
	int fd;

	snprintf(path, sizeof(path), "%s/vireo-test-block-XXXXXX", dir);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	for (off = 0; off < size; off += sizeof(buf)) {
		size_t n = size - off < sizeof(buf) ? size - off : sizeof(buf);

		for (size_t i = 0; i < n; i++)
			buf[i] = fill ? (char)((off + i) * 13 / 7) : 0;
		assert_int_equal(pwrite(fd, buf, n, (off_t)off), (ssize_t)n);
	}
	assert_int_equal(fsync(fd), 0);
	close(fd);
}

static int open_image(const char *extra, struct blk_image **img, char *err)
{
	struct blk_opts o;
	char s[256];

	snprintf(s, sizeof(s), "path=%s%s%s", path, *extra ? "," : "", extra);
	assert_int_equal(blk_opts_parse(s, &o, err, 256), 0);
	return blk_open(&o, img, err, 256);
}

static void open_ok(const char *extra, struct blk_image **img,
		    struct blk_queue **q, unsigned depth)
{
	char err[256] = "";
	int ret = open_image(extra, img, err);

	if (ret)
		fail_msg("blk_open: %d %s", ret, err);
	assert_int_equal(blk_engine(*img), !strcmp(engine_env, "uring")
					       ? BLK_ENGINE_URING
					       : BLK_ENGINE_THREADS);
	assert_int_equal(blk_queue_create(*img, depth, q), 0);
}

static void close_all(struct blk_image *img, struct blk_queue *q)
{
	blk_queue_destroy(q);
	blk_close(img);
	unlink(path);
}

/* Polls q's eventfd until n callbacks ran in total. */
static void wait_done(struct blk_queue *q, int *count, int n)
{
	struct pollfd p = {.fd = blk_queue_eventfd(q), .events = POLLIN};

	while (*count < n) {
		if (poll(&p, 1, 10000) != 1)
			fail_msg("no completion within 10 s (%d of %d)", *count,
				 n);
		blk_queue_poll(q);
	}
}

static int count_done;

static void count_cb(struct blk_req *req, int result)
{
	on_done(req, result);
	count_done++;
}

static int run(struct blk_queue *q, struct tio *t, enum blk_op op, uint64_t off,
	       uint64_t len)
{
	int ret;

	t->req.op = op;
	t->req.offset = off;
	t->req.len = len;
	t->req.iov = t->iov;
	t->req.done = count_cb;
	t->req.opaque = t;
	t->done = 0;
	count_done = 0;
	ret = blk_queue_submit(q, &t->req);
	if (ret)
		return ret;
	wait_done(q, &count_done, 1);
	assert_int_equal(t->done, 1);
	return t->result;
}

static int rw(struct blk_queue *q, enum blk_op op, uint64_t off, void *buf,
	      size_t len, unsigned nseg)
{
	struct tio t = {.req.iovcnt = nseg};
	size_t seg = len / nseg;

	for (unsigned i = 0; i < nseg; i++) {
		t.iov[i].iov_base = (char *)buf + i * seg;
		t.iov[i].iov_len = i == nseg - 1 ? len - i * seg : seg;
	}
	return run(q, &t, op, off, 0);
}

static void test_round_trip(void **state)
{
	struct blk_image *img;
	struct blk_queue *q;
	char wbuf[12288], rbuf[12288], fbuf[12288];
	int fd;

	(void)state;
	make_image("/tmp", MiB, true);
	open_ok("", &img, &q, 0);
	assert_int_equal(blk_size(img), MiB);
	for (size_t i = 0; i < sizeof(wbuf); i++)
		wbuf[i] = (char)(i * 31 + 5);
	assert_int_equal(rw(q, BLK_OP_WRITE, 8192, wbuf, sizeof(wbuf), 3), 0);
	memset(rbuf, 0, sizeof(rbuf));
	assert_int_equal(rw(q, BLK_OP_READ, 8192, rbuf, sizeof(rbuf), 4), 0);
	assert_memory_equal(wbuf, rbuf, sizeof(wbuf));
	fd = open(path, O_RDONLY);
	assert_int_equal(pread(fd, fbuf, sizeof(fbuf), 8192),
			 (ssize_t)sizeof(fbuf));
	close(fd);
	assert_memory_equal(wbuf, fbuf, sizeof(wbuf));
	assert_int_equal(rw(q, BLK_OP_FLUSH, 0, NULL, 0, 1), 0);
	close_all(img, q);
}

/* The last sector is reachable, nothing beyond it, and malformed
 * requests are refused without a callback. */
static void test_edges(void **state)
{
	struct blk_image *img;
	struct blk_queue *q;
	struct tio t = {.req.iovcnt = 1};
	char buf[1024];

	(void)state;
	make_image("/tmp", 64 * 1024, true);
	open_ok("", &img, &q, 4);
	assert_int_equal(rw(q, BLK_OP_READ, 64 * 1024 - 512, buf, 512, 1), 0);
	assert_int_equal(buf[0], (char)((64 * 1024 - 512) * 13 / 7));
	assert_int_equal(rw(q, BLK_OP_READ, 64 * 1024 - 512, buf, 1024, 1),
			 -EINVAL);
	assert_int_equal(rw(q, BLK_OP_READ, 64 * 1024, buf, 512, 1), -EINVAL);
	assert_int_equal(rw(q, BLK_OP_READ, 100, buf, 512, 1), -EINVAL);
	assert_int_equal(rw(q, BLK_OP_READ, 0, buf, 100, 1), -EINVAL);
	assert_int_equal(rw(q, BLK_OP_READ, UINT64_MAX - 511, buf, 512, 1),
			 -EINVAL);
	t.iov[0].iov_base = buf;
	t.iov[0].iov_len = 512;
	t.req.iovcnt = 0;
	assert_int_equal(run(q, &t, BLK_OP_READ, 0, 0), -EINVAL);
	t.req.iovcnt = BLK_MAX_SEGMENTS + 1;
	assert_int_equal(run(q, &t, BLK_OP_READ, 0, 0), -EINVAL);
	t.req.iovcnt = 1;
	assert_int_equal(run(q, &t, (enum blk_op)77, 0, 0), -EINVAL);
	assert_int_equal(run(q, &t, BLK_OP_DISCARD, 0, 0), -EINVAL);
	assert_int_equal(run(q, &t, BLK_OP_DISCARD, 63 * 1024, 2048), -EINVAL);
	assert_int_equal(
	    run(q, &t, BLK_OP_WRITE_ZEROES, 512, BLK_MAX_DISCARD + 512),
	    -EINVAL);
	assert_int_equal(blk_queue_inflight(q), 0);
	assert_int_equal(run(q, &t, BLK_OP_FLUSH, 0, 0), 0);
	close_all(img, q);
}

static uint64_t blocks_of(void)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return (uint64_t)st.st_blocks;
}

static bool all_zero(struct blk_queue *q, uint64_t off, size_t len)
{
	static char buf[256 * 1024];
	size_t n;

	for (; len; off += n, len -= n) {
		n = len < sizeof(buf) ? len : sizeof(buf);
		assert_int_equal(
		    rw(q, BLK_OP_READ, off, buf, n, n > 4096 ? 4 : 1), 0);
		for (size_t i = 0; i < n; i++)
			if (buf[i])
				return false;
	}
	return true;
}

/* A new 4 MiB image full of data, opened with extra; its blocks. */
static uint64_t open_full(const char *extra, struct blk_image **img,
			  struct blk_queue **q)
{
	make_image("/tmp", 4 * MiB, true);
	open_ok(extra, img, q, 0);
	return blocks_of();
}

static void test_discard(void **state)
{
	struct blk_image *img;
	struct blk_queue *q;
	struct tio t = {0};
	uint64_t before = open_full("discard=ignore", &img, &q);

	(void)state;
	assert_int_equal(run(q, &t, BLK_OP_DISCARD, MiB, MiB), 0);
	assert_int_equal(blocks_of(), before);
	assert_false(all_zero(q, MiB, MiB));
	blk_queue_destroy(q);
	blk_close(img);

	open_ok("discard=unmap", &img, &q, 0);
	assert_true(blk_discard_unmaps(img));
	assert_int_equal(run(q, &t, BLK_OP_DISCARD, MiB, MiB), 0);
	if (blocks_of() == before) {
		print_message("skipped: %s cannot punch holes\n", path);
		close_all(img, q);
		skip();
	}
	assert_true(blocks_of() <= before - MiB / 512);
	assert_true(all_zero(q, MiB, MiB));
	assert_false(all_zero(q, 2 * MiB, 4096));
	close_all(img, q);
}

static void test_write_zeroes(void **state)
{
	struct blk_image *img;
	struct blk_queue *q;
	struct tio t = {0};
	uint64_t before = open_full("discard=unmap", &img, &q), mid;

	(void)state;
	/* Without unmap: zeroes, the blocks stay allocated. */
	assert_int_equal(run(q, &t, BLK_OP_WRITE_ZEROES, 512, MiB), 0);
	assert_true(all_zero(q, 512, MiB));
	assert_false(all_zero(q, 0, 512));
	assert_false(all_zero(q, MiB + 512, 512));
	mid = blocks_of();
	assert_true(mid >= before - 8);
	/* With unmap and discard=unmap: zeroes, and a hole. */
	t.req.unmap = true;
	assert_int_equal(run(q, &t, BLK_OP_WRITE_ZEROES, 2 * MiB, MiB), 0);
	assert_true(all_zero(q, 2 * MiB, MiB));
	assert_false(all_zero(q, 3 * MiB, 512));
	if (blocks_of() >= mid) {
		print_message("skipped: %s cannot punch holes\n", path);
		close_all(img, q);
		skip();
	}
	/* Less 2048 sectors, give or take the extent blocks the first
	 * (unaligned) zero range cost. */
	assert_true(blocks_of() + MiB / 512 <= before + 64);
	close_all(img, q);
}

/* Where the filesystem cannot zero a range (tmpfs, NFS), write-zeroes
 * falls back to writing zeroes; a hole punch still works there. */
static void test_write_zeroes_fallback(void **state)
{
	struct blk_image *img;
	struct blk_queue *q;
	struct tio t = {0};
	struct stat st;

	(void)state;
	if (stat("/dev/shm", &st) || !S_ISDIR(st.st_mode)) {
		print_message("skipped: no /dev/shm\n");
		skip();
	}
	make_image("/dev/shm", 4 * MiB, true);
	open_ok("discard=ignore", &img, &q, 0);
	/* 200 KiB: more than one chunk of the zero buffer, not a multiple. */
	assert_int_equal(run(q, &t, BLK_OP_WRITE_ZEROES, 4096, 200 * 1024), 0);
	assert_true(all_zero(q, 4096, 200 * 1024));
	assert_false(all_zero(q, 0, 4096));
	assert_false(all_zero(q, 4096 + 200 * 1024, 512));
	t.req.unmap = true; /* ignored with discard=ignore */
	assert_int_equal(run(q, &t, BLK_OP_WRITE_ZEROES, MiB, 3 * MiB), 0);
	assert_true(all_zero(q, MiB, 3 * MiB));
	close_all(img, q);
}

static void test_readonly(void **state)
{
	struct blk_image *img;
	struct blk_queue *q;
	struct tio t = {0};
	char buf[512];

	(void)state;
	make_image("/tmp", MiB, true);
	open_ok("readonly=on,serial=disk-0001", &img, &q, 0);
	assert_true(blk_readonly(img));
	assert_string_equal(blk_serial(img), "disk-0001");
	assert_int_equal(rw(q, BLK_OP_READ, 512, buf, 512, 1), 0);
	assert_int_equal(rw(q, BLK_OP_WRITE, 512, buf, 512, 1), -EROFS);
	assert_int_equal(run(q, &t, BLK_OP_DISCARD, 0, 512), -EROFS);
	assert_int_equal(run(q, &t, BLK_OP_WRITE_ZEROES, 0, 512), -EROFS);
	assert_int_equal(run(q, &t, BLK_OP_FLUSH, 0, 0), 0);
	close_all(img, q);
}

static void test_lock(void **state)
{
	struct blk_image *a, *b, *c;
	char err[256];

	(void)state;
	make_image("/tmp", MiB, false);
	assert_int_equal(open_image("", &a, err), 0);
	assert_int_equal(open_image("", &b, err), -EBUSY);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "in use"));
	assert_int_equal(open_image("readonly=on", &b, err), -EBUSY);
	assert_non_null(strstr(err, path));
	blk_close(a);
	/* Readers share; a writer is kept out while one reads. */
	assert_int_equal(open_image("readonly=on", &a, err), 0);
	assert_int_equal(open_image("readonly=on", &b, err), 0);
	assert_int_equal(open_image("", &c, err), -EBUSY);
	blk_close(a);
	blk_close(b);
	assert_int_equal(open_image("", &c, err), 0);
	blk_close(c);
	unlink(path);
}

static void test_bad_files(void **state)
{
	struct blk_image *img;
	char err[256];

	(void)state;
	strcpy(path, "/nonexistent/disk.img");
	assert_int_equal(open_image("", &img, err), -ENOENT);
	assert_non_null(strstr(err, path));
	strcpy(path, "/tmp");
	assert_int_equal(open_image("", &img, err), -EISDIR);
	assert_non_null(strstr(err, "directory"));
	assert_int_equal(open_image("readonly=on", &img, err), -EISDIR);
	make_image("/tmp", 1000, true);
	assert_int_equal(open_image("", &img, err), -EINVAL);
	assert_non_null(strstr(err, "multiple of 512"));
	assert_null(strchr(err, '\n'));
	unlink(path);
	strcpy(path, "/dev/null");
	assert_int_equal(open_image("readonly=on", &img, err), -EINVAL);
	assert_non_null(strstr(err, "neither"));
}

/* A file the user cannot write, opened without readonly=on.  Root may
 * write anything, so the check runs in a child as nobody. */
static void test_readonly_file(void **state)
{
	struct blk_image *img;
	char err[256] = "";
	int status, ret;
	pid_t pid;

	(void)state;
	make_image("/tmp", MiB, true);
	assert_int_equal(chmod(path, 0444), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (geteuid() == 0 && setuid(65534))
			_exit(3);
		ret = open_image("", &img, err);
		if (ret == 0 || !strstr(err, "readonly=on") ||
		    !strstr(err, path))
			_exit(1);
		ret = open_image("readonly=on", &img, err);
		_exit(ret == 0 ? 0 : 2);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	unlink(path);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_direct(void **state)
{
	struct blk_image *img;
	struct blk_queue *q;
	struct blk_limits l;
	char err[256], *a = NULL, *u, *r;
	int ret;

	(void)state;
	make_image("/var/tmp", MiB, true);
	ret = open_image("cache=none", &img, err);
	if (ret == -EINVAL && strstr(err, "O_DIRECT")) {
		print_message("skipped: %s\n", err);
		unlink(path);
		skip();
	}
	assert_int_equal(ret, 0);
	assert_int_equal(blk_queue_create(img, 0, &q), 0);
	blk_get_limits(img, &l);
	assert_true(l.block_size >= 512 && l.block_size <= 4096);
	assert_int_equal(posix_memalign((void **)&a, 4096, 3 * 8192), 0);
	u = malloc(8192 + 1);
	r = malloc(8192 * 2);
	for (int i = 0; i < 8192; i++) {
		a[i] = (char)(i * 3);
		u[i + 1] = (char)(i * 5 + 1);
	}
	assert_int_equal(rw(q, BLK_OP_WRITE, 8192, a, 8192, 2), 0);
	assert_int_equal(rw(q, BLK_OP_WRITE, 16384, u + 1, 8192, 2), 0);
	assert_int_equal(rw(q, BLK_OP_READ, 8192, a + 8192, 16384, 1), 0);
	assert_memory_equal(a, a + 8192, 8192);
	assert_memory_equal(u + 1, a + 16384, 8192);
	assert_int_equal(rw(q, BLK_OP_READ, 8192, r + 1, 8192, 1), 0);
	assert_memory_equal(a, r + 1, 8192);
	assert_int_equal(rw(q, BLK_OP_FLUSH, 0, NULL, 0, 1), 0);
	free(a);
	free(u);
	free(r);
	close_all(img, q);
}

#define NREQ 200

static void submit_many(struct blk_queue *q, struct tio *t, char *bufs)
{
	count_done = 0;
	for (int i = 0; i < NREQ; i++) {
		memset(bufs + i * 4096, i + 1, 4096);
		t[i] = (struct tio){.req = {.op = BLK_OP_WRITE,
					    .offset = (uint64_t)i * 4096,
					    .iovcnt = 1,
					    .done = count_cb,
					    .opaque = &t[i]}};
		t[i].iov[0].iov_base = bufs + i * 4096;
		t[i].iov[0].iov_len = 4096;
		t[i].req.iov = t[i].iov;
		assert_int_equal(blk_queue_submit(q, &t[i].req), 0);
	}
}

static void test_many_in_flight(void **state)
{
	static struct tio t[NREQ];
	static char bufs[NREQ * 4096], rd[4096];
	struct blk_image *img;
	struct blk_queue *q;

	(void)state;
	make_image("/tmp", NREQ * 4096, false);
	open_ok("", &img, &q, 64); /* fewer ring entries than requests */
	submit_many(q, t, bufs);
	wait_done(q, &count_done, NREQ);
	for (int i = 0; i < NREQ; i++) {
		assert_int_equal(t[i].result, 0);
		assert_int_equal(t[i].req.done_bytes, 4096);
		assert_int_equal(
		    rw(q, BLK_OP_READ, (uint64_t)i * 4096, rd, 4096, 1), 0);
		assert_memory_equal(rd, bufs + i * 4096, 4096);
	}
	assert_int_equal(blk_queue_inflight(q), 0);
	close_all(img, q);
}

/* Drain at reset: every callback has run when drain returns; a request
 * that ran did its I/O, one that did not was cancelled. */
static void test_drain(void **state)
{
	static struct tio t[NREQ];
	static char bufs[NREQ * 4096], rd[4096];
	struct blk_image *img;
	struct blk_queue *q;
	int ran = 0;

	(void)state;
	make_image("/tmp", NREQ * 4096, false);
	open_ok("", &img, &q, 64);
	submit_many(q, t, bufs);
	blk_queue_drain(q);
	assert_int_equal(count_done, NREQ);
	assert_int_equal(blk_queue_inflight(q), 0);
	for (int i = 0; i < NREQ; i++) {
		assert_int_equal(t[i].done, 1);
		assert_true(t[i].result == 0 || t[i].result == -ECANCELED);
		if (t[i].result)
			continue;
		ran++;
		assert_int_equal(
		    rw(q, BLK_OP_READ, (uint64_t)i * 4096, rd, 4096, 1), 0);
		assert_memory_equal(rd, bufs + i * 4096, 4096);
	}
	print_message("drain: %d of %d ran, the rest cancelled\n", ran, NREQ);
	close_all(img, q);
}

/* A plugged io_uring queue holds its requests back until unplugged;
 * drain also submits what a plug held. */
static void test_plug(void **state)
{
	static struct tio t[NREQ];
	static char bufs[NREQ * 4096];
	struct blk_image *img;
	struct blk_queue *q;
	struct pollfd p;

	(void)state;
	make_image("/tmp", NREQ * 4096, false);
	open_ok("", &img, &q, 64);
	p = (struct pollfd){.fd = blk_queue_eventfd(q), .events = POLLIN};
	blk_queue_plug(q);
	submit_many(q, t, bufs);
	if (blk_engine(img) == BLK_ENGINE_URING)
		assert_int_equal(poll(&p, 1, 200), 0);
	blk_queue_unplug(q);
	wait_done(q, &count_done, NREQ);
	for (int i = 0; i < NREQ; i++)
		assert_int_equal(t[i].result, 0);
	blk_queue_plug(q);
	submit_many(q, t, bufs);
	blk_queue_drain(q);
	assert_int_equal(count_done, NREQ);
	assert_int_equal(blk_queue_inflight(q), 0);
	close_all(img, q);
}

/* The remainder after a short transfer starts at the right byte. */
static void test_remainder_iov(void **state)
{
	char a[100], b[50], c[200];
	struct iovec v[3] = {{a, sizeof(a)}, {b, sizeof(b)}, {c, sizeof(c)}};
	struct blk_req req = {.iov = v, .iovcnt = 3, .total_ = 350};
	struct iovec out[3];

	(void)state;
	req.done_bytes = 120;
	assert_int_equal(blk_req_iov(&req, out), 2);
	assert_ptr_equal(out[0].iov_base, b + 20);
	assert_int_equal(out[0].iov_len, 30);
	assert_ptr_equal(out[1].iov_base, c);
	req.done_bytes = 150;
	assert_int_equal(blk_req_iov(&req, out), 1);
	assert_ptr_equal(out[0].iov_base, c);
	assert_int_equal(out[0].iov_len, 200);
}

static int use_uring(void **state)
{
	(void)state;
	engine_env = "uring";
	print_message("engine: io_uring\n");
	return setenv("VIREO_BLOCK_ENGINE", engine_env, 1);
}

static int use_threads(void **state)
{
	(void)state;
	engine_env = "threads";
	print_message("engine: threads\n");
	return setenv("VIREO_BLOCK_ENGINE", engine_env, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_edges),
	    cmocka_unit_test(test_discard),
	    cmocka_unit_test(test_write_zeroes),
	    cmocka_unit_test(test_write_zeroes_fallback),
	    cmocka_unit_test(test_readonly),
	    cmocka_unit_test(test_lock),
	    cmocka_unit_test(test_bad_files),
	    cmocka_unit_test(test_readonly_file),
	    cmocka_unit_test(test_direct),
	    cmocka_unit_test(test_many_in_flight),
	    cmocka_unit_test(test_drain),
	    cmocka_unit_test(test_plug),
	    cmocka_unit_test(test_remainder_iov),
	};
	int failed = 0, ret;

	ret = blk_uring_probe();
	if (ret)
		print_message("io_uring engine: unavailable here (%s); its "
			      "group skipped\n",
			      strerror(-ret));
	else
		failed += cmocka_run_group_tests_name("io_uring", tests,
						      use_uring, NULL);
	failed +=
	    cmocka_run_group_tests_name("threads", tests, use_threads, NULL);
	return failed;
}
