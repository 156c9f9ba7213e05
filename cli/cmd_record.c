/* cli/cmd_record.c — `deja record`: vet the program, open a trace, run the
 * guest system under the recording logging layer, exit as the guest did. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/meta.h"
#include "cli/program.h"
#include "core/kernel.h"
#include "record/record.h"

extern char **environ;

static const char record_usage[] =
	"usage: deja record [-o TRACE] [--] PROG [ARGS...]\n"
	"\n"
	"Run PROG under deja and record everything nondeterministic it sees.\n"
	"The guest uses deja's stdin, stdout and stderr; deja exits with the\n"
	"guest's status (128+N if a signal N killed it).\n"
	"\n"
	"  -o TRACE   write the trace here (default: $DEJA_TRACE_DIR or\n"
	"             ~/.local/share/deja, a fresh name, and 'latest' there)\n";

/* A fresh trace path in the trace directory, and its 'latest' link. */
static char *default_trace_path(const char *program)
{
	const char *base = strrchr(program, '/') ? strrchr(program, '/') + 1 : program;
	char *dir = cli_trace_dir(), *path = NULL;

	if (!dir)
		return NULL;
	for (char *p = dir + 1; *p; p++) /* mkdir -p */
		if (*p == '/') {
			*p = 0;
			mkdir(dir, 0755);
			*p = '/';
		}
	mkdir(dir, 0755);
	for (int n = 0; n < 100000; n++) {
		free(path);
		if (asprintf(&path, "%s/%s-%d.deja", dir, base, n) < 0) {
			path = NULL;
			break;
		}
		int fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
		if (fd >= 0) {
			close(fd);
			break;
		}
		if (errno != EEXIST) {
			cli_error("cannot create a trace in %s: %s", dir, strerror(errno));
			free(path);
			path = NULL;
			break;
		}
	}
	free(dir);
	return path;
}

static void link_latest(const char *trace)
{
	char *dir = strdup(trace), *slash = strrchr(dir, '/'), *tmp, *latest;

	*slash = 0;
	if (asprintf(&tmp, "%s/.latest.%d", dir, (int)getpid()) >= 0 &&
	    asprintf(&latest, "%s/latest", dir) >= 0) {
		unlink(tmp);
		if (symlink(slash + 1, tmp) == 0 && rename(tmp, latest) < 0)
			unlink(tmp);
		free(latest);
	}
	free(tmp);
	free(dir);
}

static int record(const char *program, char **argv, const char *out,
		  bool is_default)
{
	struct kernel_config cfg = { .program = program, .argv = argv,
				     .envp = environ, .warn = cli_kernel_warning };
	struct trace_meta meta;
	struct trace_writer *w;
	struct nd *nd;
	int err = 0, status = 0, rc;

	meta_collect(&meta, program, argv, environ);
	w = trace_writer_open(out, &meta, &err);
	trace_meta_free(&meta);
	if (!w) {
		cli_error("cannot write trace %s: %s", out, cli_trace_error(err));
		return EXIT_HOST;
	}
	if (is_default)
		link_latest(out);
	nd = record_nd_new(w);
	signal(SIGINT, SIG_IGN); /* the guest gets the terminal's signals */
	signal(SIGQUIT, SIG_IGN);
	rc = kernel_run(nd, &cfg, &status);
	err = trace_writer_close(w);
	if (rc < 0) {
		rc = kernel_error_exit(rc, nd);
	} else if (err < 0) {
		cli_error("cannot finish trace %s: %s", out, cli_trace_error(err));
		rc = EXIT_HOST;
	} else {
		rc = exit_code_of(status);
	}
	record_nd_free(nd);
	return rc;
}

int cmd_record(int argc, char **argv)
{
	const char *out = NULL;
	char *program, *path;
	int i, rc;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(record_usage, stdout);
			return 0;
		} else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			out = argv[++i];
		} else {
			cli_error("record: unknown option '%s'", argv[i]);
			fputs(record_usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (i >= argc) {
		cli_error("record: no program given");
		fputs(record_usage, stderr);
		return EXIT_USAGE;
	}
	program = program_resolve(argv[i]);
	if (!program)
		return EXIT_BAD_PROGRAM;
	argv += i;
	i = 0;
	if (program_script(&program, &argv) < 0) {
		free(program);
		return EXIT_BAD_PROGRAM;
	}
	path = out ? strdup(out) : default_trace_path(program);
	if (!path) {
		free(program);
		return EXIT_HOST;
	}
	rc = record(program, argv, path, !out);
	free(path);
	free(program);
	return rc;
}
