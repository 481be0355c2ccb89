/* vsockcat: netcat for AF_VSOCK, for the test guest (built static by
 * tests/nested/mkinitramfs-guest; busybox's nc has no vsock).
 *   vsockcat CID PORT    connect; stdin to the socket, the socket to stdout
 *   vsockcat -l PORT     the same on one accepted connection
 *   vsockcat -e PORT     accept one connection and echo it back
 *   vsockcat -c          print this machine's CID
 * At the end of stdin the socket's sending side is shut down; the
 * program ends when the peer's side ends.  Exit status 0, or 1 with a
 * message. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

static void die(const char *what)
{
	fprintf(stderr, "vsockcat: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* stdin -> s and s -> stdout until s ends; echo: s -> s instead. */
static void relay(int s, bool echo)
{
	static char buf[65536];
	struct pollfd p[2] = {{s, POLLIN, 0}, {0, POLLIN, 0}};
	nfds_t np = echo ? 1 : 2;
	ssize_t n;

	for (;;) {
		if (poll(p, np, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		if (p[0].revents) {
			n = read(s, buf, sizeof(buf));
			if (n < 0)
				die("read socket");
			if (!n)
				return;
			if (write_all(echo ? s : 1, buf, (size_t)n))
				die("write");
		}
		if (np == 2 && p[1].revents) {
			n = read(0, buf, sizeof(buf));
			if (n < 0)
				die("read stdin");
			if (!n) {
				shutdown(s, SHUT_WR);
				np = 1;
			} else if (write_all(s, buf, (size_t)n)) {
				die("write socket");
			}
		}
	}
}

static struct sockaddr_vm addr(unsigned cid, unsigned port)
{
	struct sockaddr_vm a;

	memset(&a, 0, sizeof(a));
	a.svm_family = AF_VSOCK;
	a.svm_cid = cid;
	a.svm_port = port;
	return a;
}

static int accept_one(unsigned port)
{
	struct sockaddr_vm a = addr(VMADDR_CID_ANY, port);
	int l = socket(AF_VSOCK, SOCK_STREAM, 0), c;

	if (l < 0)
		die("socket");
	if (bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1))
		die("bind/listen");
	fprintf(stderr, "vsockcat: listening on port %u\n", port);
	c = accept(l, NULL, NULL);
	if (c < 0)
		die("accept");
	close(l);
	return c;
}

int main(int argc, char **argv)
{
	struct sockaddr_vm a;
	unsigned cid;
	int s;

	if (argc == 2 && !strcmp(argv[1], "-c")) {
		s = open("/dev/vsock", O_RDONLY);
		if (s < 0 || ioctl(s, IOCTL_VM_SOCKETS_GET_LOCAL_CID, &cid))
			die("/dev/vsock");
		printf("%u\n", cid);
		return 0;
	}
	if (argc != 3) {
		fprintf(stderr,
			"usage: vsockcat CID PORT | -l PORT | -e PORT | -c\n");
		return 1;
	}
	if (!strcmp(argv[1], "-l") || !strcmp(argv[1], "-e")) {
		s = accept_one((unsigned)strtoul(argv[2], NULL, 0));
		relay(s, argv[1][1] == 'e');
		return 0;
	}
	a = addr((unsigned)strtoul(argv[1], NULL, 0),
		 (unsigned)strtoul(argv[2], NULL, 0));
	s = socket(AF_VSOCK, SOCK_STREAM, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a)))
		die("connect");
	relay(s, false);
	return 0;
}
