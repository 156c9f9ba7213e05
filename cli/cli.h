/* cli/cli.h — the subcommands of the deja executable and its exit codes.
 * Only the CLI prints user-facing messages ("deja: ..." on stderr). */
#ifndef DEJA_CLI_H
#define DEJA_CLI_H

#include <stdbool.h>

/* deja's own exit codes. record and replay otherwise exit with the
 * guest's status (128+N when the guest was killed by signal N). */
#define EXIT_USAGE 2        /* bad command line */
#define EXIT_DIVERGED 3     /* replay diverged from the trace */
#define EXIT_TRACE_BAD 4    /* trace missing, corrupt, truncated, other version */
#define EXIT_BAD_PROGRAM 5  /* program missing, not ELF, 32-bit, unsupported */
#define EXIT_HOST 6         /* the host failed: ptrace, disk full, ... */
#define EXIT_GDB_GONE 7     /* gdb went away in the middle of a session */

int cmd_record(int argc, char **argv);
int cmd_replay(int argc, char **argv);
struct kernel_config;
struct trace_reader;
/* Open PATH for replaying and fill CFG from its metadata (warning when it
 * was recorded on another CPU); NULL after printing why it cannot be. */
struct trace_reader *cli_open_replay(const char *path,
				     struct kernel_config *cfg);
/* `deja replay -g|-s`: the replay under gdb (cli/cmd_debug.c). */
bool cmd_replay_wants_debug(int argc, char **argv);
int cmd_replay_debug(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_syscalls(int argc, char **argv);

/* "deja: " + message + newline on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Resolve a trace argument: NULL means the latest recording. Returns a
 * malloc'd path or NULL (after printing why). */
char *cli_trace_path(const char *arg);
/* Parse the arguments of a command of the form "NAME [FLAG] [TRACE]":
 * FLAG (e.g. "-q", may be NULL) sets *flag_seen; --help prints USAGE.
 * Returns -1 to go on with *path (malloc'd; the latest trace when none
 * was named), or the exit code to return at once. */
int cli_trace_command(int argc, char **argv, const char *flag,
		      bool *flag_seen, const char *usage, char **path);
/* Why a trace operation failed: trace_strerror(), or for TRACE_E_IO the
 * system's reason (errno, which the trace library keeps). */
const char *cli_trace_error(int err);
/* Directory for new traces: $DEJA_TRACE_DIR or ~/.local/share/deja. */
char *cli_trace_dir(void);
/* The kernel's warning callback: "deja: warning: MSG". */
void cli_kernel_warning(const char *msg);
/* deja's exit code for a guest wait status (128+N for signal N). */
int exit_code_of(int wait_status);
struct nd;
/* Print a kernel_run() error and return the exit code for it. */
int kernel_error_exit(int rc, struct nd *nd);
/* The name of syscall NR ("read"), or NULL if unknown. */
const char *cli_syscall_name(long nr);

#endif
