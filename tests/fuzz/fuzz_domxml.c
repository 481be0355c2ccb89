/* Fuzz target: the domain XML parser (user input to vireod).  Whatever
 * it accepts must round-trip: parse(format(parse(x))) == parse(x), and
 * format is a fixed point; a refusal must come with a message. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/domxml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct domain_def *reparse(const char *xml)
{
	struct domain_def *def = NULL;
	char err[256];

	if (domxml_parse(xml, strlen(xml), &def, err, sizeof(err))) {
		fprintf(stderr, "formatted XML refused: %s\n%s", err, xml);
		abort();
	}
	return def;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const gen[DOMAIN_NETS_MAX] = {
		"vnet0", "vnet1", "vnet2", "vnet3",
		"vnet4", "vnet5", "vnet6", "vnet17",
	};
	const char *names[DOMAIN_NETS_MAX];
	struct domxml_live live = { 1, "/dev/pts/0", names, 0 };
	struct domain_def *a = NULL, *b, *c;
	char err[256], *x1, *x2, *x3;
	int ret;

	ret = domxml_parse((const char *)data, size, &a, err, sizeof(err));
	if (ret) {
		if (ret != -ENOMEM && !err[0])
			abort();
		return 0;
	}
	/* A running domain's runtime state: generated TAP names where the
	 * XML names none, an auto vsock's CID; read back as nothing. */
	for (size_t i = 0; i < a->nnets; i++)
		names[i] = a->nets[i].ifname ? a->nets[i].ifname : gen[i];
	live.vsock_cid = a->vsock_auto ? 7 : a->vsock_cid;
	x1 = domxml_format(a, NULL);
	x3 = domxml_format(a, &live);
	if (!x1 || !x3)
		abort();
	b = reparse(x1);
	c = reparse(x3);
	x2 = domxml_format(b, NULL);
	if (!x2 || strcmp(x1, x2) || !domain_def_equal(a, b) ||
	    !domain_def_equal(a, c)) {
		fprintf(stderr, "round trip differs:\n%s---\n%s", x1,
			x2 ? x2 : "(null)");
		abort();
	}
	free(x1);
	free(x2);
	free(x3);
	domain_def_free(a);
	domain_def_free(b);
	domain_def_free(c);
	return 0;
}
