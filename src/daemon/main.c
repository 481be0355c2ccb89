/* vireod: the Vireo daemon.  Serves libvirt's remote protocol on a Unix
 * socket so that virsh, python3-libvirt and the vireo CLI can define and
 * inspect domains.  Options: --socket PATH, --state-dir DIR, --daemon;
 * or socket-activated by systemd (contrib/vireod.socket). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rpc/paths.h"
#include "daemon/activate.h"
#include "daemon/domxml_mod.h"
#include "daemon/server.h"
#include "daemon/store.h"
#include "daemon/supervise.h"
#include "util/log.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vireod [--socket PATH] [--state-dir DIR] [--daemon] "
		"[--debug]\n"
		"  --socket PATH     listen here (default %s)\n"
		"  --state-dir DIR   domain definitions (default %s)\n"
		"  --daemon          detach and run in the background\n"
		"  --debug           log every connection event\n"
		"VIREOD_VMM: the VMM program (default: vireo-vmm beside "
		"vireod, else on PATH)\n",
		getuid() == 0 ? VIREO_ROOT_SOCKET
			      : "$XDG_RUNTIME_DIR/vireo/"
				"vireod.sock",
		getuid() == 0 ? VIREO_ROOT_STATE : "~/.local/share/vireo");
}

/* mkdir -p of path's parent folder, 0700 for what it creates. */
static int make_parent(const char *path)
{
	char *copy = strdup(path), *p;
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	p = dirname(copy);
	for (char *q = p + 1; ret == 0; q++) {
		char c = *q;

		if (c != '/' && c != '\0')
			continue;
		*q = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST)
			ret = -errno;
		*q = c;
		if (c == '\0')
			break;
	}
	free(copy);
	return ret;
}

/* The folder vireod runs from, or "" when unknown. */
static void self_dir(char *out, size_t len)
{
	char self[PATH_BUF];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0) {
		out[0] = '\0';
		return;
	}
	self[n] = '\0';
	snprintf(out, len, "%s", dirname(self));
}

/* $VIREOD_VMM, or vireo-vmm in vireod's own folder, or on PATH. */
static void find_vmm(const char *dir, char *out, size_t len)
{
	const char *env = getenv("VIREOD_VMM");

	snprintf(out, len, "%s", env && *env ? env : "vireo-vmm");
	if ((env && *env) || !*dir)
		return;
	if ((size_t)snprintf(out, len, "%s/vireo-vmm", dir) < len &&
	    access(out, X_OK) == 0)
		return;
	snprintf(out, len, "vireo-vmm");
}

/* The domain XML module: beside vireod (the build tree), else where
 * `make install` puts it. */
static int find_domxml(const char *dir)
{
	const char *dirs[] = {*dir ? dir : VIREO_MODULE_DIR, VIREO_MODULE_DIR,
			      NULL};
	char err[2 * PATH_BUF];

	if (domxml_module_locate(dirs, err, sizeof(err)) == 0)
		return 0;
	log_error("%s", err);
	return -ENOENT;
}

/* Domains marked autostart and not running (after adoption) start with
 * the daemon; a failure is logged, not fatal. */
static void autostart(struct supervisor *sv, struct store *st)
{
	char err[400];
	size_t i;

	for (i = 0; i < st->n; i++) {
		if (!st->doms[i]->autostart || st->doms[i]->proc)
			continue;
		if (supervisor_start(sv, st->doms[i], err, sizeof(err)) < 0)
			log_warn("autostart of %s: %s", st->doms[i]->def->name,
				 err);
		else
			log_info("autostarted %s", st->doms[i]->def->name);
	}
}

static int daemonize(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		return -errno;
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		return -errno;
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	close(fd);
	return 0;
}

struct opts {
	char sock[PATH_BUF], state[PATH_BUF];
	bool detach;
};

/* 0 to run, else the exit status (after --help, or a bad option). */
static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option opts[] = {
	    {"socket", required_argument, NULL, 's'},
	    {"state-dir", required_argument, NULL, 'd'},
	    {"daemon", no_argument, NULL, 'D'},
	    {"debug", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *sock = NULL, *state = NULL;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			sock = optarg;
			break;
		case 'd':
			state = optarg;
			break;
		case 'D':
			o->detach = true;
			break;
		case 'v':
			log_set_level(LOG_DEBUG);
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if ((paths_default_socket(o->sock, sizeof(o->sock)) < 0 ||
	     paths_default_state(o->state, sizeof(o->state)) < 0) &&
	    (!sock || !state)) {
		log_error("no default paths: set XDG_RUNTIME_DIR and HOME, or "
			  "give --socket and --state-dir");
		return 1;
	}
	if (sock)
		snprintf(o->sock, sizeof(o->sock), "%s", sock);
	if (state)
		snprintf(o->state, sizeof(o->state), "%s", state);
	return 0;
}

/* The store, the socket and the supervisor; 0 or 1 after logging. */
static int setup(const struct opts *o, struct store *st, struct server *srv,
		 struct supervisor *sup, char *vmm, size_t vmmlen)
{
	/* Before anything opens an fd that could take fd 3's number. */
	int lfd = activate_listen_fd(), ret;
	char dir[PATH_BUF];

	if (lfd < 0) {
		log_error("socket activation: fd %d: %s", ACTIVATE_FD_START,
			  lfd == -ENOTSOCK
			      ? "not a listening Unix stream socket"
			      : strerror(-lfd));
		return 1;
	}
	self_dir(dir, sizeof(dir));
	if (find_domxml(dir) < 0)
		return 1;
	ret = make_parent(o->state);
	if (ret == 0)
		ret = store_open(st, o->state);
	if (ret < 0) {
		log_error("state dir %s: %s", o->state, strerror(-ret));
		return 1;
	}
	ret = lfd > 0 ? 0 : make_parent(o->sock);
	if (ret == 0)
		ret = server_init(srv, o->sock, lfd > 0 ? lfd : -1, st);
	if (ret < 0) {
		log_error("socket %s: %s", o->sock,
			  ret == -EADDRINUSE ? "another vireod is listening "
					       "there"
					     : strerror(-ret));
		store_close(st);
		return 1;
	}
	find_vmm(dir, vmm, vmmlen);
	ret = supervisor_init(sup, &srv->loop, vmm, o->state, st->dirfd);
	if (ret < 0) {
		log_error("state dir %s: logs: %s", o->state, strerror(-ret));
		server_destroy(srv);
		store_close(st);
		return 1;
	}
	server_attach_supervisor(srv, sup);
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = {0};
	struct supervisor sup;
	char vmm[PATH_BUF];
	struct server srv;
	struct store st;
	int ret;

	log_set_program("vireod");
	ret = parse_opts(argc, argv, &o);
	if (ret)
		return ret < 0 ? 0 : ret;
	if (setup(&o, &st, &srv, &sup, vmm, sizeof(vmm)))
		return 1;
	log_info("listening on %s%s, %zu domains in %s", o.sock,
		 srv.activated ? " (socket-activated)" : "", st.n, o.state);
	if (o.detach &&
	    ((ret = daemonize()) < 0 || (ret = server_after_fork(&srv)) < 0)) {
		log_error("cannot detach: %s", strerror(-ret));
		ret = -1;
	} else {
		/* Guests outlive vireod: the next one adopts them. */
		supervisor_adopt_all(&sup, &st);
		autostart(&sup, &st);
		ret = server_run(&srv);
	}
	supervisor_destroy(&sup);
	server_destroy(&srv);
	store_close(&st);
	return ret < 0 ? 1 : 0;
}
