/* cli/cmd_info.c — `deja info`: what a trace holds: who recorded what,
 * where and when, and how its bytes are spent. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "traces/trace.h"

static const char info_usage[] =
	"usage: deja info [TRACE]\n"
	"\n"
	"Describe a trace: the recorded program and its arguments, the\n"
	"machine it ran on, when, how many events it holds, whether it is\n"
	"complete, and how its bytes are spent.\n"
	"\n"
	"exit 4: the trace is corrupt, from another version or missing.\n";

static const char *or_unknown(const char *s)
{
	return s && *s ? s : "(unknown)";
}

/* Bytes as "1234 bytes (1.2 MiB)". */
static void print_size(uint64_t n)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	int u = -1;

	printf("%" PRIu64 " bytes", n);
	while (v >= 1024 && u < 3) {
		v /= 1024;
		u++;
	}
	if (u >= 0)
		printf(" (%.1f %s)", v, units[u]);
	putchar('\n');
}

/* argv as a shell would need it: words with odd characters quoted. */
static void print_argv(const struct trace_meta *m)
{
	for (int i = 0; i < m->argc; i++) {
		const char *a = m->argv[i] ? m->argv[i] : "";

		if (i)
			putchar(' ');
		if (*a && !a[strcspn(a, " \t\n'\"\\$`*?;&|<>()[]{}#~!")])
			fputs(a, stdout);
		else {
			putchar('\'');
			for (; *a; a++)
				if (*a == '\'')
					fputs("'\\''", stdout);
				else
					putchar(*a);
			putchar('\'');
		}
	}
	putchar('\n');
}

static void print_time(int64_t ns)
{
	time_t t = (time_t)(ns / 1000000000);
	struct tm tm;
	char buf[64];

	if (ns <= 0 || !localtime_r(&t, &tm) ||
	    !strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S %z", &tm)) {
		puts("(unknown)");
		return;
	}
	puts(buf);
}

static void print_meta(const struct trace_meta *m)
{
	printf("program:     %s\n", or_unknown(m->program));
	printf("argv:        ");
	print_argv(m);
	printf("cwd:         %s\n", or_unknown(m->cwd));
	printf("host:        %s\n", or_unknown(m->hostname));
	printf("kernel:      %s\n", or_unknown(m->kernel));
	printf("cpu:         %s (signature 0x%08x)\n", or_unknown(m->cpu_model),
	       m->cpuid_leaf1_eax);
	printf("deja:        %s\n", or_unknown(m->deja_version));
	printf("recorded at: ");
	print_time(m->record_time_ns);
	printf("environment: %d variables\n", m->envc);
}

static void print_stats(const struct trace_reader *r)
{
	struct trace_stats s;

	trace_reader_stats(r, &s);
	printf("events:      %" PRIu64 " in %" PRIu64 " chunks\n", s.events,
	       s.event_chunks);
	printf("state:       %s\n", trace_reader_complete(r) ?
	       "complete" : "interrupted (no END chunk; complete chunks kept)");
	printf("file size:   ");
	print_size(s.file_bytes);
	printf("blobs:       %" PRIu64 ", ", s.blobs);
	print_size(s.blob_bytes);
	printf("blob store:  ");
	print_size(s.comp_blob_bytes);
	printf("event bytes: %" PRIu64 " raw, %" PRIu64 " compressed",
	       s.raw_event_bytes, s.comp_event_bytes);
	if (s.raw_event_bytes)
		printf(" (%.1f%%)", 100.0 * (double)s.comp_event_bytes /
				    (double)s.raw_event_bytes);
	putchar('\n');
	if (s.events)
		printf("per event:   %.2f bytes raw, %.2f bytes compressed\n",
		       (double)s.raw_event_bytes / (double)s.events,
		       (double)s.comp_event_bytes / (double)s.events);
}

int cmd_info(int argc, char **argv)
{
	struct trace_reader *r;
	char *path;
	int err = 0, rc = cli_trace_command(argc, argv, NULL, NULL, info_usage, &path);

	if (rc >= 0)
		return rc;
	r = trace_reader_open(path, &err);
	if (!r) {
		cli_error("cannot read %s: %s", path, cli_trace_error(err));
		free(path);
		return EXIT_TRACE_BAD;
	}
	printf("trace:       %s\n", path);
	print_meta(trace_reader_meta(r));
	print_stats(r);
	trace_reader_close(r);
	free(path);
	return 0;
}
