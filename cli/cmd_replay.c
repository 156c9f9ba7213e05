/* cli/cmd_replay.c — `deja replay`: re-run a recorded guest system from
 * its trace alone under the replaying logging layer. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/meta.h"
#include "core/kernel.h"
#include "replay/replay.h"

static const char replay_usage[] =
	"usage: deja replay [-q] [TRACE]\n"
	"\n"
	"Re-execute a recording exactly, from the trace alone (the program and\n"
	"its input files need not exist any more). Shows the guest's terminal\n"
	"output and exits with the guest's status.\n"
	"\n"
	"  -q   do not show the guest's output\n"
	"  -g   debug the replay in gdb, forwards and backwards (see -g --help)\n"
	"  -s PORT  serve gdb's remote protocol on PORT instead\n"
	"\n"
	"exit 3: replay diverged from the trace; exit 4: the trace is corrupt,\n"
	"truncated, from another version or missing.\n";

struct trace_reader *cli_open_replay(const char *path,
				     struct kernel_config *cfg)
{
	int err = 0;
	struct trace_reader *r = trace_reader_open(path, &err);
	const struct trace_meta *m;

	if (!r) {
		cli_error("cannot replay %s: %s", path, cli_trace_error(err));
		return NULL;
	}
	m = trace_reader_meta(r);
	if (!m->program || !m->argv) {
		cli_error("cannot replay %s: the trace has no program", path);
		trace_reader_close(r);
		return NULL;
	}
	if (m->cpuid_leaf1_eax != meta_host_cpu_signature())
		cli_warn("recorded on another CPU (%s); replay may diverge",
			 m->cpu_model ? m->cpu_model : "unknown");
	*cfg = (struct kernel_config){ .program = m->program, .argv = m->argv,
				       .envp = m->envp, .warn = cli_kernel_warning };
	return r;
}

static int replay(const char *path, bool quiet)
{
	int status = 0, rc;
	struct kernel_config cfg;
	struct trace_reader *r = cli_open_replay(path, &cfg);
	struct nd *nd;

	if (!r)
		return EXIT_TRACE_BAD;
	nd = replay_nd_new(r, quiet);
	rc = kernel_run(nd, &cfg, &status);
	if (rc == 0)
		replay_nd_finish(nd);
	if (rc == 0 && nd->failed)
		rc = KERNEL_E_ND;
	if (rc == 0 && !trace_reader_complete(r)) {
		cli_error("%s is truncated (the recording was interrupted): replayed all %llu events it holds, but its end is missing",
			  path, (unsigned long long)nd->events);
		rc = EXIT_TRACE_BAD;
	} else {
		rc = rc < 0 ? kernel_error_exit(rc, nd) : exit_code_of(status);
	}
	replay_nd_free(nd);
	trace_reader_close(r);
	return rc;
}

int cmd_replay(int argc, char **argv)
{
	bool quiet = false;
	char *path;
	int rc;

	if (cmd_replay_wants_debug(argc, argv))
		return cmd_replay_debug(argc, argv);
	rc = cli_trace_command(argc, argv, "-q", &quiet, replay_usage, &path);

	if (rc >= 0)
		return rc;
	rc = replay(path, quiet);
	free(path);
	return rc;
}
