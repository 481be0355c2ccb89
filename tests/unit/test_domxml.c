/* Unit tests for the domain XML model (src/daemon/domxml*.c): the valid
 * corpus in tests/unit/domxml/valid round-trips (parse(format(parse(x)))
 * equals parse(x), and format is a fixed point), each document in
 * tests/unit/domxml/invalid is refused with its own message, memory units
 * follow libvirt's rules, defaults and generated values, the live
 * variant, and the file checks for define/start. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/domxml.h"

static const char *corpus_dir;

static char *slurp(const char *dir, const char *name, size_t *len)
{
	char path[512];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s/%s", corpus_dir, dir, name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static struct domain_def *parse_ok(const char *xml, size_t len)
{
	struct domain_def *def = NULL;
	char err[256];
	int ret = domxml_parse(xml, len, &def, err, sizeof(err));

	if (ret)
		fail_msg("parse failed (%d): %s\n%s", ret, err, xml);
	return def;
}

static struct domain_def *parse_str(const char *xml)
{
	return parse_ok(xml, strlen(xml));
}

/* parse(format(parse(x))) == parse(x), and format(that) is unchanged. */
static void check_round_trip(const char *name, const char *xml, size_t len)
{
	struct domain_def *a = parse_ok(xml, len), *b, *c;
	char *x1 = domxml_format(a, NULL), *x2;

	assert_non_null(x1);
	b = parse_str(x1);
	if (!domain_def_equal(a, b))
		fail_msg("%s: parse(format(parse(x))) differs:\n%s", name, x1);
	x2 = domxml_format(b, NULL);
	assert_non_null(x2);
	assert_string_equal(x1, x2);
	c = parse_str(x2);
	assert_true(domain_def_equal(a, c));
	domain_def_free(a);
	domain_def_free(b);
	domain_def_free(c);
	free(x1);
	free(x2);
}

static void test_valid_corpus(void **state)
{
	char dir[512];
	struct dirent *e;
	unsigned n = 0;
	DIR *d;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/valid", corpus_dir);
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d))) {
		size_t len;
		char *xml;

		if (!strstr(e->d_name, ".xml"))
			continue;
		xml = slurp("valid", e->d_name, &len);
		check_round_trip(e->d_name, xml, len);
		free(xml);
		n++;
	}
	closedir(d);
	assert_true(n >= 4);
}

/* Each invalid document, and the one line it must be refused with. */
static const struct {
	const char *file, *msg;
} invalid[] = {
	{ "arch-arm", "unsupported arch='aarch64' on <type> (x86_64)" },
	{ "boot-dev", "unsupported element <boot> in <os>" },
	{ "current-more", "<currentMemory> (525312 KiB) is more than "
			  "<memory> (524288 KiB)" },
	{ "disk-attr", "unsupported attribute 'snapshot' on <disk>" },
	{ "disk-bus-ide", "unsupported bus='ide' on <target> (virtio)" },
	{ "disk-cache", "unsupported cache='writethrough' on <driver> "
			"(none|writeback|unsafe)" },
	{ "disk-qcow2", "unsupported type='qcow2' on <driver> (raw)" },
	{ "disk-serial-long", "invalid disk serial 'ABCDEFGHIJKLMNOPQRSTU': "
			      "1 to 20 letters, digits, spaces, '_', '.', "
			      "'+' or '-'" },
	{ "disk-source-dev-on-file", "unsupported attribute 'dev' on "
				     "<source>" },
	{ "disk-target-dup", "duplicate disk target 'vda'" },
	{ "doctype", "unsupported <!DOCTYPE>" },
	{ "domain-qemu", "unsupported type='qemu' on <domain> (kvm)" },
	{ "graphics", "unsupported element <graphics> in <devices>" },
	{ "kernel-missing", "missing <kernel> in <os> (Vireo boots a kernel "
			    "directly)" },
	{ "kernel-relative", "<kernel> 'bzImage' is not an absolute path" },
	{ "mac-bad", "invalid MAC address '52:54:00:12:34'" },
	{ "mac-dup", "duplicate MAC address 52:54:00:00:00:01" },
	{ "mac-multicast", "MAC address '01:00:5e:00:00:01' is multicast" },
	{ "memory-digits-overflow", "<memory> 18446744073709551616 is too "
				    "large" },
	{ "memory-negative", "invalid number '-1' in <memory>" },
	{ "memory-overflow", "<memory> 16777216 is too large" },
	{ "memory-zero", "<memory> must be more than 0" },
	{ "name-dup", "duplicate <name> in <domain>" },
	{ "name-empty", "empty <name>" },
	{ "name-missing", "missing <name>" },
	{ "name-slash", "invalid domain name 'a/b': letters, digits, '_', "
			"'.', '+' and '-', not starting with '.' or '-'" },
	{ "namespace", "unsupported namespace on <domain>" },
	{ "net-bridge-nosource", "interface type='bridge' needs <source "
				 "bridge=...>" },
	{ "net-e1000", "unsupported type='e1000' on <model> (virtio)" },
	{ "net-network", "unsupported type='network' on <interface> "
			 "(ethernet|bridge)" },
	{ "on-crash-coredump", "unsupported <on_crash> action "
			       "'coredump-destroy'" },
	{ "os-missing", "missing <os>" },
	{ "rng-egd", "unsupported attribute 'type' on <backend>" },
	{ "root-not-domain", "the root element is <network>, not <domain>" },
	{ "serial-tcp", "unsupported type='tcp' on <serial> (pty)" },
	{ "serial-two", "duplicate <serial> in <devices>" },
	{ "syntax", "XML error at line 2: Premature end of data in tag "
		    "domain line 1" },
	{ "text-stray", "unexpected text in <domain>" },
	{ "title-newline", "<title> must be one line" },
	{ "unit-bad", "invalid unit 'KiBs' in <memory>" },
	{ "uuid-bad", "invalid <uuid> '4dea22b3-1d52-d8f3-2516-782e98ab3fa'" },
	{ "uuid-zero", "<uuid> '00000000-0000-0000-0000-000000000000' has all "
		       "digits equal" },
	{ "vcpu-256", "<vcpu> must be 1 to 255, not 256" },
	{ "vcpu-zero", "<vcpu> must be 1 to 255, not 0" },
	{ "vsock-cid2", "vsock cid 2 is reserved (3 to 4294967294)" },
	{ "vsock-cid-any", "vsock cid 4294967295 is reserved (3 to "
			   "4294967294)" },
	{ "vsock-cid-text", "invalid number 'x3' in vsock cid" },
	{ "vsock-auto-cid-text", "invalid number 'x3' in vsock cid" },
	{ "vsock-noaddr", "vsock <cid auto='no'> needs address=" },
	{ "net-queues-zero", "interface queues must be 1 to 16" },
	{ "net-queues-17", "interface queues 17 is too large" },
	{ "net-driver-name", "unsupported attribute 'name' on <driver>" },
	{ "net-ring-384", "interface rx_queue_size must be a power of two "
			  "from 64 to 1024" },
	{ "net-ring-2048", "interface tx_queue_size 2048 is too large" },
	{ "net-ring-differ", "interface rx_queue_size and tx_queue_size must "
			     "be equal (the rings share one size)" },
	{ "net-bridge-name", "invalid bridge name 'br 0': 1 to 15 letters, "
			     "digits, '_', '.' or '-'" },
};

static void test_invalid_corpus(void **state)
{
	char dir[512], file[300];
	struct dirent *e;
	unsigned files = 0;
	size_t i;
	DIR *d;

	(void)state;
	for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		struct domain_def *def = (void *)0x1;
		char err[256];
		size_t len;
		char *xml;
		int ret;

		snprintf(file, sizeof(file), "%s.xml", invalid[i].file);
		xml = slurp("invalid", file, &len);
		ret = domxml_parse(xml, len, &def, err, sizeof(err));
		if (ret != -EINVAL || strcmp(err, invalid[i].msg))
			fail_msg("%s: got %d \"%s\", expected \"%s\"", file, ret,
				 err, invalid[i].msg);
		assert_ptr_equal(def, (void *)0x1);
		free(xml);
	}
	/* Every file in the directory has its expected message above. */
	snprintf(dir, sizeof(dir), "%s/invalid", corpus_dir);
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d)))
		files += strstr(e->d_name, ".xml") != NULL;
	closedir(d);
	assert_int_equal(files, sizeof(invalid) / sizeof(invalid[0]));
}

#define DOC(mem) "<domain type='kvm'><name>u</name>" mem \
		 "<os><kernel>/k</kernel></os></domain>"

static uint64_t memory_kib(const char *unit, const char *value)
{
	char xml[256];
	struct domain_def *def;
	uint64_t kib;

	if (unit)
		snprintf(xml, sizeof(xml), DOC("<memory unit='%s'>%s</memory>"),
			 unit, value);
	else
		snprintf(xml, sizeof(xml), DOC("<memory>%s</memory>"), value);
	def = parse_str(xml);
	kib = def->memory_kib;
	domain_def_free(def);
	return kib;
}

/* libvirt's scaled integers: 1024-based with or without "iB", 1000-based
 * with "B", case-insensitive, rounded up to whole KiB. */
static void test_memory_units(void **state)
{
	static const struct {
		const char *unit;
		uint64_t bytes;
	} units[] = {
		{ "b", 1 }, { "bytes", 1 }, { "B", 1 },
		{ "k", 1ULL << 10 }, { "KiB", 1ULL << 10 }, { "KB", 1000 },
		{ "M", 1ULL << 20 }, { "MiB", 1ULL << 20 }, { "MB", 1000000 },
		{ "G", 1ULL << 30 }, { "GiB", 1ULL << 30 },
		{ "GB", 1000000000 }, { "T", 1ULL << 40 },
		{ "TiB", 1ULL << 40 }, { "TB", 1000000000000ULL },
		{ "gib", 1ULL << 30 }, { "mb", 1000000 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		uint64_t bytes = 3 * units[i].bytes;

		if (memory_kib(units[i].unit, "3") != (bytes + 1023) / 1024)
			fail_msg("3 %s: %llu KiB", units[i].unit,
				 (unsigned long long)memory_kib(units[i].unit,
								"3"));
	}
	assert_int_equal(memory_kib(NULL, "3"), 3);
	assert_int_equal(memory_kib("b", "1025"), 2);
	assert_int_equal(memory_kib("KiB", " 7\n"), 7);
	/* The largest byte count that fits, and one more. */
	assert_int_equal(memory_kib("b", "18446744073709551615"),
			 18014398509481984ULL);
	assert_int_equal(memory_kib("TiB", "16777215"), 16777215ULL << 30);
}

static void test_defaults(void **state)
{
	struct domain_def *a, *b;

	(void)state;
	a = parse_str(DOC("<memory>4096</memory>"));
	assert_string_equal(a->name, "u");
	assert_int_equal(a->vcpus, 1);
	assert_int_equal(a->current_memory_kib, 4096);
	assert_int_equal(a->on_poweroff, DOMAIN_ACTION_DESTROY);
	assert_int_equal(a->on_reboot, DOMAIN_ACTION_RESTART);
	assert_int_equal(a->on_crash, DOMAIN_ACTION_DESTROY);
	assert_true(a->balloon);
	assert_false(a->acpi || a->serial || a->rng || a->vsock);
	assert_null(a->initrd);
	assert_null(a->cmdline);
	/* A generated uuid is random, version 4, RFC 4122 variant. */
	b = parse_str(DOC("<memory>4096</memory>"));
	assert_memory_not_equal(a->uuid, b->uuid, DOMAIN_UUID_LEN);
	assert_int_equal(a->uuid[6] >> 4, 4);
	assert_int_equal(a->uuid[8] >> 6, 2);
	domain_def_free(a);
	domain_def_free(b);
}

static void test_uuid_and_mac(void **state)
{
	static const char xml[] =
		"<domain type='kvm'><name>m</name>"
		"<uuid>4DEA22B31D52D8F32516782E98AB3FA0</uuid>"
		"<memory>1024</memory><os><kernel>/k</kernel></os><devices>"
		"<interface type='ethernet'/>"
		"<interface type='ethernet'><mac address='52:54:00:AB:cd:01'/>"
		"</interface><interface type='ethernet'/></devices></domain>";
	char uuid[DOMAIN_UUID_STRLEN + 1];
	struct domain_def *def;
	size_t i;

	(void)state;
	def = parse_str(xml);
	domain_uuid_format(def->uuid, uuid);
	assert_string_equal(uuid, "4dea22b3-1d52-d8f3-2516-782e98ab3fa0");
	assert_int_equal(def->nnets, 3);
	assert_memory_equal(def->nets[1].mac,
			    ((uint8_t[]){ 0x52, 0x54, 0, 0xab, 0xcd, 1 }), 6);
	/* Generated MACs: QEMU's 52:54:00 prefix, unique in the domain. */
	for (i = 0; i < 3; i += 2)
		assert_memory_equal(def->nets[i].mac,
				    ((uint8_t[]){ 0x52, 0x54, 0 }), 3);
	assert_memory_not_equal(def->nets[0].mac, def->nets[2].mac, 6);
	domain_def_free(def);
}

static void test_live(void **state)
{
	static const struct domxml_live live = { 12, "/dev/pts/7", NULL, 0 };
	struct domain_def *a, *b;
	size_t len;
	char *xml, *out;

	(void)state;
	xml = slurp("valid", "full.xml", &len);
	a = parse_ok(xml, len);
	out = domxml_format(a, &live);
	assert_non_null(out);
	assert_non_null(strstr(out, "<domain type=\"kvm\" id=\"12\">"));
	assert_non_null(strstr(out, "<console type=\"pty\" tty=\"/dev/pts/7\">"));
	assert_non_null(strstr(out, "<source path=\"/dev/pts/7\"/>"));
	/* Runtime state is read back as nothing: the same definition. */
	b = parse_str(out);
	assert_true(domain_def_equal(a, b));
	free(out);
	out = domxml_format(a, NULL);
	assert_null(strstr(out, "id="));
	assert_null(strstr(out, "/dev/pts"));
	free(out);
	free(xml);
	domain_def_free(a);
	domain_def_free(b);
}

/* A bridge and an ethernet interface without <target dev> and an auto
 * vsock: the live XML shows the TAPs and the CID a running domain got;
 * read back, they are runtime state and the definition is the same. */
static void test_live_net_vsock(void **state)
{
	static const char xml[] =
		"<domain type='kvm'><name>n</name><memory>1024</memory>"
		"<os><kernel>/k</kernel></os><devices>"
		"<interface type='bridge'><source bridge='br0'/>"
		"<mac address='52:54:00:00:00:01'/><driver queues='2' "
		"rx_queue_size='256'/>"
		"</interface>"
		"<interface type='ethernet'><mac address='52:54:00:00:00:02'/>"
		"</interface>"
		"<interface type='ethernet'><target dev='mytap'/>"
		"<mac address='52:54:00:00:00:03'/></interface>"
		"<vsock model='virtio'><cid auto='yes'/></vsock>"
		"</devices></domain>";
	static const char *const names[] = { "vnet0", "vnet12", "mytap" };
	const struct domxml_live live = { 3, NULL, names, 5 };
	struct domain_def *a, *b;
	char *out;

	(void)state;
	a = parse_str(xml);
	assert_null(a->nets[0].ifname);
	assert_int_equal(a->nets[0].queues, 2);
	assert_int_equal(a->nets[0].rx_queue_size, 256);
	assert_int_equal(a->nets[0].tx_queue_size, 0);
	assert_true(a->vsock && a->vsock_auto);
	assert_int_equal(a->vsock_cid, 0);
	out = domxml_format(a, &live);
	assert_non_null(out);
	assert_non_null(strstr(out, "<target dev=\"vnet0\"/>"));
	assert_non_null(strstr(out, "<target dev=\"vnet12\"/>"));
	assert_non_null(strstr(out, "<driver queues=\"2\" "
				    "rx_queue_size=\"256\"/>"));
	assert_non_null(strstr(out, "<cid auto=\"yes\" address=\"5\"/>"));
	b = parse_str(out);
	assert_true(domain_def_equal(a, b));
	free(out);
	out = domxml_format(a, NULL);
	assert_null(strstr(out, "vnet"));
	assert_null(strstr(out, "address=\"5\""));
	assert_non_null(strstr(out, "<target dev=\"mytap\"/>"));
	free(out);
	domain_def_free(a);
	domain_def_free(b);
}

/* domain_def_equal sees every field (else the round trip proves little). */
static void test_equal_sees_changes(void **state)
{
	struct domain_def *a, *b;
	size_t len;
	char *xml;

	(void)state;
	xml = slurp("valid", "full.xml", &len);
	a = parse_ok(xml, len);
	b = parse_ok(xml, len);
	/* The second interface's MAC is generated: different each parse. */
	assert_false(domain_def_equal(a, b));
	memcpy(b->nets[1].mac, a->nets[1].mac, 6);
	assert_true(domain_def_equal(a, b));
	b->nets[1].mac[5] ^= 1;
	assert_false(domain_def_equal(a, b));
	b->nets[1].mac[5] ^= 1;
	b->disks[1].readonly = false;
	assert_false(domain_def_equal(a, b));
	b->disks[1].readonly = true;
	b->vsock_cid++;
	assert_false(domain_def_equal(a, b));
	b->vsock_cid--;
	b->nets[0].queues++;
	assert_false(domain_def_equal(a, b));
	b->nets[0].queues--;
	b->nets[0].rx_queue_size = 256;	/* full.xml: 512 */
	assert_false(domain_def_equal(a, b));
	b->nets[0].rx_queue_size = a->nets[0].rx_queue_size;
	b->nets[0].tx_queue_size = 256;
	assert_false(domain_def_equal(a, b));
	b->nets[0].tx_queue_size = a->nets[0].tx_queue_size;
	b->current_memory_kib--;
	assert_false(domain_def_equal(a, b));
	free(xml);
	domain_def_free(a);
	domain_def_free(b);
}

static void test_check_files(void **state)
{
	char dir[] = "/tmp/vireo-domxml-XXXXXX", path[64], xml[512], err[256];
	struct domain_def *def;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/kernel", dir);
	snprintf(xml, sizeof(xml),
		 "<domain type='kvm'><name>f</name><memory>1024</memory>"
		 "<os><kernel>%s</kernel></os><devices><disk type='file'>"
		 "<source file='%s'/><target dev='vda'/></disk>"
		 "<disk type='block'><source dev='%s'/><target dev='vdb'/>"
		 "</disk></devices></domain>", path, path, path);
	def = parse_str(xml);
	assert_int_equal(domain_def_check_files(def, err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "kernel"));
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	/* The kernel and vda are there; vdb names a file, not a device. */
	assert_int_equal(domain_def_check_files(def, err, sizeof(err)),
			 -ENOTBLK);
	assert_non_null(strstr(err, "vdb"));
	def->ndisks = 1;
	assert_int_equal(domain_def_check_files(def, err, sizeof(err)), 0);
	def->ndisks = 2;
	domain_def_free(def);
	unlink(path);
	rmdir(dir);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_corpus),
		cmocka_unit_test(test_invalid_corpus),
		cmocka_unit_test(test_memory_units),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_uuid_and_mac),
		cmocka_unit_test(test_live),
		cmocka_unit_test(test_live_net_vsock),
		cmocka_unit_test(test_equal_sees_changes),
		cmocka_unit_test(test_check_files),
	};

	corpus_dir = argc > 1 ? argv[1] : "tests/unit/domxml";
	return cmocka_run_group_tests(tests, NULL, NULL);
}
