/* Fuzz target: vireod's RPC decoding (network input from any local
 * client).  The input is a byte stream cut into frames the way the server
 * cuts it (length word first); each frame goes through the dispatcher on
 * one store in a temporary folder, and through the client's reply and
 * error decoders. */
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/dispatch.h"
#include "rpc/message.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[] = "/tmp/vireo-fuzz-rpc-XXXXXX";

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	return remove(path);
}

static void cleanup(void)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static struct store *the_store(void)
{
	static struct store st;
	static int ready;

	if (!ready) {
		if (!mkdtemp(dir) || store_open(&st, dir) < 0)
			abort();
		atexit(cleanup);
		ready = 1;
	}
	return &st;
}

/* The client side: decode the frame as a reply carrying an error. */
static void decode_as_reply(const uint8_t *frame, uint32_t len)
{
	struct rpc_header h;
	struct rpc_error e;
	struct rpc_dom d = {0};
	XDR x;

	if (rpc_frame_open(frame, len, &h, &x) < 0)
		return;
	if (h.status == RPC_ERROR && rpc_x_error(&x, &e))
		rpc_error_clear(&e);
	else if (rpc_x_dom(&x, &d))
		rpc_dom_clear(&d);
	xdr_destroy(&x);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct session ss = {.allowed = true};
	struct daemon_ctx ctx = {the_store(), NULL, NULL, NULL};
	const char *why;
	uint8_t *reply, *frame;
	size_t rlen;
	uint32_t len;

	while (size >= RPC_LEN_SIZE) {
		if (rpc_frame_len(data, &len) < 0 || len > size)
			break;
		/* An exact-size copy, so ASan sees reads past the frame. */
		frame = malloc(len);
		if (!frame)
			break;
		memcpy(frame, data, len);
		decode_as_reply(frame, len);
		if (dispatch_frame(&ctx, &ss, frame, len, &reply, &rlen, &why) <
		    0) {
			free(frame);
			break;
		}
		free(reply);
		free(frame);
		data += len;
		size -= len;
	}
	return 0;
}
