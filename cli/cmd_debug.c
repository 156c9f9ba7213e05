/* cli/cmd_debug.c — `deja replay -g` and `deja replay -s PORT`: a replay
 * under gdb. Opens the trace, extracts the recorded program for gdb's
 * symbols, boots the time-travelling replay and serves gdb's remote
 * protocol on a TCP port (launching gdb itself with -g). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/kernel.h"
#include "gdbstub/server.h"
#include "replay/debug_target.h"
#include "replay/replay.h"
#include "traces/trace.h"

struct debug_opts {
	bool launch;        /* -g */
	int port;           /* -s PORT */
	const char *bind;   /* --bind */
	const char *gdb;    /* --gdb */
	bool quiet;
	const char *trace;
	char **gdb_args;    /* after -- */
	int n_gdb_args;
};

static const char debug_usage[] =
	"usage: deja replay -g [--gdb PATH] [-q] [TRACE] [-- GDB-ARGS...]\n"
	"       deja replay -s PORT [--bind ADDR] [-q] [TRACE]\n"
	"\n"
	"Debug a replay with gdb, forwards and backwards (reverse-continue,\n"
	"reverse-step, reverse-next, reverse-finish, watchpoints).\n"
	"\n"
	"  -g           start gdb connected to the replay\n"
	"  -s PORT      only listen for gdb on PORT (0: any free port)\n"
	"  --bind ADDR  listen on ADDR instead of 127.0.0.1\n"
	"  --gdb PATH   the gdb to run (default: gdb)\n"
	"  -q           do not show the guest's output\n"
	"\n"
	"exit 7: gdb went away in the middle of the session.\n";

static int parse(int argc, char **argv, struct debug_opts *o)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(debug_usage, stdout);
			return 0;
		} else if (!strcmp(a, "-g"))
			o->launch = true;
		else if (!strcmp(a, "-q"))
			o->quiet = true;
		else if (!strcmp(a, "-s") && i + 1 < argc)
			o->port = atoi(argv[++i]);
		else if (!strcmp(a, "--bind") && i + 1 < argc)
			o->bind = argv[++i];
		else if (!strcmp(a, "--gdb") && i + 1 < argc)
			o->gdb = argv[++i];
		else if (!strcmp(a, "--")) {
			o->gdb_args = argv + i + 1;
			o->n_gdb_args = argc - i - 1;
			break;
		} else if (a[0] != '-' && !o->trace)
			o->trace = a;
		else {
			cli_error("replay: unexpected argument '%s'", a);
			fputs(debug_usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (o->port < 0 || o->port > 65535) {
		cli_error("replay: bad port %d", o->port);
		return EXIT_USAGE;
	}
	return -1;
}

/* Write the recorded program (the trace's first LOADFILE) to a private
 * directory so that gdb can read its symbols even if the original is
 * gone. Returns a malloc'd path, or NULL. */
static char *extract_program(struct trace_reader *r, const char *program)
{
	char dir[] = "/tmp/deja-gdb-XXXXXX", *path = NULL, *copy;
	struct trace_event ev;
	void *data = NULL;
	size_t len = 0;
	int fd;

	while (trace_reader_next(r, &ev) == 0)
		if (ev.type == EV_HOST && ev.op == ND_LOADFILE && ev.has_blob) {
			trace_reader_blob(r, ev.blob, &data, &len);
			break;
		}
	trace_reader_rewind(r);
	copy = strdup(program);
	if (data && copy && mkdtemp(dir) &&
	    asprintf(&path, "%s/%s", dir, basename(copy)) > 0) {
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0755);
		if (fd < 0 || write(fd, data, len) != (ssize_t)len) {
			free(path);
			path = NULL;
		}
		if (fd >= 0)
			close(fd);
	}
	free(copy);
	free(data);
	return path;
}

static void remove_program(char *path)
{
	if (!path)
		return;
	unlink(path);
	rmdir(dirname(path));
	free(path);
}

static pid_t launch_gdb(const struct debug_opts *o, int port, const char *exe)
{
	char target[128];
	char **args = calloc((size_t)o->n_gdb_args + 10, sizeof(*args));
	int n = 0;
	pid_t pid;

	if (!args)
		return -1;
	snprintf(target, sizeof(target), "target extended-remote 127.0.0.1:%d", port);
	args[n++] = (char *)(o->gdb ? o->gdb : "gdb");
	args[n++] = "-q";
	args[n++] = "-l";
	args[n++] = "10000";
	args[n++] = "-ex";
	args[n++] = target;
	for (int i = 0; i < o->n_gdb_args; i++)
		args[n++] = o->gdb_args[i];
	args[n++] = (char *)exe;
	pid = fork();
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		execvp(args[0], args);
		fprintf(stderr, "deja: cannot run %s: %s\n", args[0], strerror(errno));
		_exit(127);
	}
	free(args);
	return pid;
}

static void report(const char *msg)
{
	cli_error("%s", msg);
}

static int serve(const struct debug_opts *o, struct debug_target *dt)
{
	int port = 0, lfd, fd, st = 0, rc;
	pid_t gdb = -1;
	struct gdb_serve_result res;

	lfd = gdb_listen(o->launch ? NULL : o->bind, o->launch ? 0 : o->port, &port);
	if (lfd < 0) {
		cli_error("cannot listen for gdb: %s", strerror(-lfd));
		return EXIT_HOST;
	}
	if (o->launch) {
		gdb = launch_gdb(o, port, dt->exec_path);
	} else {
		fprintf(stderr, "deja: listening on %s:%d; connect with:\n  gdb -l 10000 -ex 'target extended-remote %s:%d' %s\n",
			o->bind ? o->bind : "127.0.0.1", port,
			o->bind ? o->bind : "127.0.0.1", port, dt->exec_path);
	}
	fd = gdb_accept(lfd);
	close(lfd);
	if (fd < 0) {
		cli_error("no gdb connection: %s", strerror(-fd));
		return EXIT_HOST;
	}
	rc = gdb_serve(fd, &debug_target_ops, dt, &res);
	close(fd);
	if (gdb > 0)
		while (waitpid(gdb, &st, 0) < 0 && errno == EINTR)
			;
	if (rc == GDB_END_DISCONNECT || rc == GDB_END_IO || rc == GDB_END_PROTOCOL) {
		if (!(gdb > 0 && rc == GDB_END_DISCONNECT && WIFEXITED(st))) {
			cli_error("gdb disconnected in the middle of the session");
			return EXIT_GDB_GONE;
		}
	}
	if (gdb > 0 && WIFEXITED(st))
		return WEXITSTATUS(st);
	return rc < 0 ? EXIT_HOST : 0;
}

static int debug(const struct debug_opts *o, const char *path)
{
	struct kernel_config cfg;
	struct trace_reader *r = cli_open_replay(path, &cfg);
	struct debug_target dt = { .report = report };
	char *exe;
	struct nd *nd;
	int rc;

	if (!r)
		return EXIT_TRACE_BAD;
	exe = extract_program(r, cfg.program);
	dt.exec_path = exe ? exe : cfg.program;
	nd = replay_nd_new(r, o->quiet);
	plat_set_own_group(true);
	signal(SIGINT, SIG_IGN); /* gdb turns Ctrl-C into an interrupt packet */
	rc = tl_open(nd, &cfg, &dt.tl);
	if (rc < 0) {
		rc = kernel_error_exit(rc, nd);
	} else {
		rc = serve(o, &dt);
		tl_free(dt.tl);
	}
	replay_nd_free(nd);
	trace_reader_close(r);
	remove_program(exe);
	return rc;
}

bool cmd_replay_wants_debug(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "-g") || !strcmp(argv[i], "-s"))
			return true;
	return false;
}

int cmd_replay_debug(int argc, char **argv)
{
	struct debug_opts o = { .port = 0 };
	char *path;
	int rc = parse(argc, argv, &o);

	if (rc >= 0)
		return rc;
	path = cli_trace_path(o.trace);
	if (!path)
		return EXIT_TRACE_BAD;
	rc = debug(&o, path);
	free(path);
	return rc;
}
