/* cli/cmd_dump.c — `deja dump`: one line per trace event, as text or as
 * JSON objects. Reads the trace only through traces/trace.h. */
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "cli/cli.h"
#include "core/nondet.h"
#include "traces/trace.h"

#define PREVIEW_BYTES 32  /* data bytes shown in text mode */

static const char dump_usage[] =
	"usage: deja dump [--json] [TRACE]\n"
	"\n"
	"List every event of a trace, one per line: guest syscalls, host\n"
	"inputs (with a preview of their data) and the final exit status.\n"
	"\n"
	"  --json   one JSON object per line, with every field\n"
	"\n"
	"A trace cut short is listed up to where it stops (exit 0, with a\n"
	"note on stderr); exit 4: the trace is corrupt, from another version\n"
	"or missing.\n";

static void print_hex(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%02x", p[i]);
}

/* C-style escaped, quoted preview of at most PREVIEW_BYTES bytes. */
static void print_preview(const uint8_t *p, size_t n)
{
	size_t shown = n < PREVIEW_BYTES ? n : PREVIEW_BYTES;

	putchar('"');
	for (size_t i = 0; i < shown; i++) {
		switch (p[i]) {
		case '\n': fputs("\\n", stdout); break;
		case '\t': fputs("\\t", stdout); break;
		case '\r': fputs("\\r", stdout); break;
		case '\0': fputs("\\0", stdout); break;
		case '"': fputs("\\\"", stdout); break;
		case '\\': fputs("\\\\", stdout); break;
		default:
			if (p[i] >= 0x20 && p[i] < 0x7f)
				putchar(p[i]);
			else
				printf("\\x%02x", p[i]);
		}
	}
	putchar('"');
	if (shown < n)
		fputs("...", stdout);
}

static void print_signal(int sig)
{
	const char *abbrev = sigabbrev_np(sig);

	if (abbrev)
		printf("SIG%s", abbrev);
	else
		printf("signal %d", sig);
}

/* "-2 ENOENT" for errors, hex for addresses, decimal otherwise. */
static void print_result(int64_t res)
{
	const char *name = res < 0 && res >= -4095 ?
				   strerrorname_np((int)-res) : NULL;

	if (name)
		printf("%" PRId64 " %s", res, name);
	else if (res > 0xffffffffll)
		printf("0x%" PRIx64, (uint64_t)res);
	else
		printf("%" PRId64, res);
}

static void print_args(const struct trace_event *ev)
{
	putchar('(');
	for (int i = 0; i < ev->nargs; i++) {
		int64_t a = (int64_t)ev->args[i];

		/* small negatives (AT_FDCWD, -1) read better in decimal */
		if (a < 0 && a >= -4096)
			printf("%s%" PRId64, i ? ", " : "", a);
		else
			printf("%s0x%" PRIx64, i ? ", " : "", ev->args[i]);
	}
	putchar(')');
}

static void print_exit_status(int64_t status)
{
	int st = (int)status;

	printf("status=0x%x (", st);
	if (WIFEXITED(st)) {
		printf("exited %d", WEXITSTATUS(st));
	} else if (WIFSIGNALED(st)) {
		fputs("killed by ", stdout);
		print_signal(WTERMSIG(st));
		if (WCOREDUMP(st))
			fputs(", core dumped", stdout);
	} else {
		fputs("unknown", stdout);
	}
	putchar(')');
}

static void print_text(const struct trace_event *ev)
{
	const char *name;

	printf("#%" PRIu64 " ", ev->index);
	switch (ev->type) {
	case EV_SYSCALL:
		name = cli_syscall_name(ev->op);
		if (name)
			printf("syscall %s", name);
		else
			printf("syscall syscall_%u", ev->op);
		print_args(ev);
		break;
	case EV_HOST:
		printf("host %s", nd_op_name(ev->op));
		if (ev->nargs)
			print_args(ev);
		break;
	case EV_EXIT:
		fputs("exit ", stdout);
		print_exit_status(ev->result);
		break;
	default:
		printf("type%u op=%u", ev->type, ev->op);
	}
	if (ev->type != EV_EXIT) {
		fputs(" = ", stdout);
		print_result(ev->result);
	}
	if (ev->data_len) {
		printf(" data=%u bytes ", ev->data_len);
		print_preview(ev->data, ev->data_len);
	}
	if (ev->has_blob) {
		fputs(" blob=", stdout);
		print_hex(ev->blob, 16);
	}
	if (ev->rip)
		printf(" rip=0x%" PRIx64, ev->rip);
	if (ev->tid) /* host inputs belong to no thread */
		printf(" tid=%u", ev->tid);
	putchar('\n');
}

/* Names are ASCII identifiers; nothing to escape. */
static void print_json(const struct trace_event *ev)
{
	static const char *const types[] = { "?", "syscall", "host", "exit" };
	const char *name = NULL;

	printf("{\"index\":%" PRIu64 ",\"type\":\"%s\",\"tid\":%u,"
	       "\"op\":%u", ev->index, types[ev->type <= EV_EXIT ? ev->type : 0],
	       ev->tid, ev->op);
	if (ev->type == EV_SYSCALL)
		name = cli_syscall_name(ev->op);
	else if (ev->type == EV_HOST)
		name = nd_op_name(ev->op);
	if (name)
		printf(",\"name\":\"%s\"", name);
	printf(",\"result\":%" PRId64 ",\"args\":[", ev->result);
	for (int i = 0; i < ev->nargs; i++)
		printf("%s\"0x%" PRIx64 "\"", i ? "," : "", ev->args[i]);
	printf("],\"rip\":\"0x%" PRIx64 "\"", ev->rip);
	if (ev->type == EV_EXIT && WIFEXITED((int)ev->result))
		printf(",\"exited\":%d", WEXITSTATUS((int)ev->result));
	if (ev->type == EV_EXIT && WIFSIGNALED((int)ev->result))
		printf(",\"signal\":%d", WTERMSIG((int)ev->result));
	if (ev->data_len) {
		printf(",\"data_len\":%u,\"data\":\"", ev->data_len);
		print_hex(ev->data, ev->data_len);
		putchar('"');
	}
	if (ev->has_blob) {
		fputs(",\"blob\":\"", stdout);
		print_hex(ev->blob, 16);
		putchar('"');
	}
	fputs("}\n", stdout);
}

static int dump(const char *path, bool json)
{
	struct trace_event ev;
	struct trace_reader *r;
	uint64_t n = 0;
	int err = 0;

	r = trace_reader_open(path, &err);
	if (!r) {
		cli_error("cannot read %s: %s", path, cli_trace_error(err));
		return EXIT_TRACE_BAD;
	}
	while ((err = trace_reader_next(r, &ev)) == TRACE_OK) {
		if (json)
			print_json(&ev);
		else
			print_text(&ev);
		n++;
	}
	fflush(stdout);
	if (err != TRACE_E_END) {
		cli_error("%s: event %" PRIu64 ": %s", path, n,
			  cli_trace_error(err));
		trace_reader_close(r);
		return EXIT_TRACE_BAD;
	}
	if (!trace_reader_complete(r))
		cli_warn("%s is incomplete (the recording was interrupted); "
			 "listed its %" PRIu64 " complete events", path,
			 trace_reader_event_count(r));
	trace_reader_close(r);
	return 0;
}

int cmd_dump(int argc, char **argv)
{
	bool json = false;
	char *path;
	int rc = cli_trace_command(argc, argv, "--json", &json, dump_usage, &path);

	if (rc >= 0)
		return rc;
	rc = dump(path, json);
	free(path);
	return rc;
}
