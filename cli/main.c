/* cli/main.c — the deja executable: subcommand dispatch, messages and
 * where traces live. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/syscall.h"
#include "traces/trace.h"

static const char usage[] =
	"usage: deja <command> [options] [args]\n"
	"\n"
	"commands:\n"
	"  record [-o TRACE] [--] PROG [ARGS...]  run PROG and record a trace\n"
	"  replay [-q] [TRACE]                    re-execute a trace exactly\n"
	"  dump [--json] [TRACE]                  list a trace's events\n"
	"  info [TRACE]                           describe a trace\n"
	"  doctor [--json]                        what works on this machine\n"
	"  syscalls [--missing]                   the syscalls deja implements\n"
	"\n"
	"TRACE defaults to the latest recording. 'deja COMMAND --help' for more.\n";

void cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("deja: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void cli_warn(const char *fmt, ...)
{
	va_list ap;

	fputs("deja: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

const char *cli_syscall_name(long nr)
{
	return syscall_name(nr);
}

char *cli_trace_dir(void)
{
	const char *d = getenv("DEJA_TRACE_DIR"), *home = getenv("HOME");
	char *out;

	if (d && *d)
		return strdup(d);
	if (asprintf(&out, "%s/.local/share/deja", home && *home ? home : "/tmp") < 0)
		return NULL;
	return out;
}

char *cli_trace_path(const char *arg)
{
	char *dir, *path;
	struct stat st;

	if (arg)
		return strdup(arg);
	dir = cli_trace_dir();
	if (!dir || asprintf(&path, "%s/latest", dir) < 0) {
		free(dir);
		return NULL;
	}
	free(dir);
	if (lstat(path, &st) < 0) {
		cli_error("no trace given and no latest recording in %s", path);
		free(path);
		return NULL;
	}
	return path;
}

const char *cli_trace_error(int err)
{
	return err == TRACE_E_IO && errno ? strerror(errno) : trace_strerror(err);
}

int cli_trace_command(int argc, char **argv, const char *flag,
		      bool *flag_seen, const char *usage, char **path)
{
	const char *trace = NULL;

	for (int i = 1; i < argc; i++) {
		if (flag && !strcmp(argv[i], flag)) {
			*flag_seen = true;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage, stdout);
			return 0;
		} else if (argv[i][0] == '-' || trace) {
			cli_error("%s: unexpected argument '%s'", argv[0], argv[i]);
			fputs(usage, stderr);
			return EXIT_USAGE;
		} else {
			trace = argv[i];
		}
	}
	*path = cli_trace_path(trace);
	return *path ? -1 : EXIT_TRACE_BAD;
}

int main(int argc, char **argv)
{
	static const struct { const char *name; int (*fn)(int, char **); } cmds[] = {
		{ "record", cmd_record }, { "replay", cmd_replay },
		{ "dump", cmd_dump }, { "info", cmd_info }, { "doctor", cmd_doctor },
		{ "syscalls", cmd_syscalls },
	};

	/* A guest writing to a closed pipe gets EPIPE; deja must not die. */
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		fputs(usage, stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("deja %s\n", DEJA_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	cli_error("unknown command '%s' (try 'deja --help')", argv[1]);
	return EXIT_USAGE;
}
