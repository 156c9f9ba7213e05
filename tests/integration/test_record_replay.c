/* tests/integration/test_record_replay.c — drives the real deja binary
 * on every guest program of tests/guests, in every build variant:
 * record, replay, replay -q, dump, relocation (binary and inputs deleted
 * before replay), nondeterminism (two recordings differ, each replays
 * exactly), corrupt and truncated traces, bad command lines and programs,
 * an unimplemented syscall, the default trace directory and `latest`.
 *
 * Usage: test_record_replay --deja PATH --guests DIR [--filter GLOB]
 * (or $DEJA_BIN / $DEJA_GUESTS). $DEJA_TEST_TIMEOUT (seconds, default
 * 60) bounds every deja run; $DEJA_KEEP=1 keeps the temp files.
 * Owns nothing of deja: only runs its executable and reads its output. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/integration/itest_files.h"

/* ---- configuration ---- */

static char deja_bin[PATH_MAX];
static char guest_dir[PATH_MAX];
static char tmp_root[PATH_MAX];
static int timeout_s = 60;
static bool keep_tmp;

/* What a guest needs and what it promises. */
enum {
	G_NONDET = 1 << 0,     /* two recordings must print different things */
	G_INPUT_FILE = 1 << 1, /* argv[1] is an input file (file guest) */
	G_STDIN = 1 << 2,      /* reads stdin */
	G_BUG_INPUT = 1 << 3,  /* argv[1] is the bug demo's input */
	G_UNIMPL = 1 << 4,     /* calls io_uring_setup: ENOSYS + warning */
	G_CORRUPT = 1 << 5,    /* also run the corrupt-trace tests on it */
	G_DETERMINISTIC = 1 << 6, /* same output natively and under deja */
};

struct guest {
	const char *name;
	unsigned flags;
	int status; /* expected exit status (128+N for signal N) */
};

static const struct guest guests[] = {
	{ "hello", G_CORRUPT | G_DETERMINISTIC, 0 },
	{ "clock", G_NONDET | G_CORRUPT, 0 },
	{ "rdtsc", G_NONDET, 0 },
	{ "rdrand", G_NONDET, 0 }, /* unless it prints "no rdrand" */
	{ "cpuid", 0, 0 },
	{ "getrandom", G_NONDET, 0 },
	{ "urandom", G_NONDET | G_CORRUPT, 0 },
	{ "atrandom", G_NONDET, 0 },
	{ "pids", 0, 0 },
	{ "uname", 0 | G_DETERMINISTIC, 0 },
	{ "file", G_INPUT_FILE | G_DETERMINISTIC, 0 },
	{ "stdin", G_STDIN | G_DETERMINISTIC, 0 },
	{ "files", G_CORRUPT | G_DETERMINISTIC, 0 },
	{ "mmap", 0 | G_DETERMINISTIC, 0 },
	{ "sleep", 0, 0 },
	{ "bug", G_BUG_INPUT | G_DETERMINISTIC, 128 + SIGFPE },
	{ "unimpl", G_UNIMPL, 0 },
	{ "jit", G_NONDET, 0 },
	{ "procs", G_DETERMINISTIC, 3 },
	{ "signals", G_DETERMINISTIC, 128 + SIGABRT },
	{ "pipes", G_DETERMINISTIC, 0 },
	{ "sockpair", G_DETERMINISTIC, 0 },
	{ "polling", G_DETERMINISTIC, 0 },
	{ "sigpipe", G_DETERMINISTIC, 128 + SIGPIPE },
	{ "timerfd", G_DETERMINISTIC, 0 },
};

static const char *const variants[] = { "static", "static-pie", "musl", "dyn",
					"musl-dyn" };

#define STDIN_DATA_LEN 100000
static const char bug_input[] = "12\n7\n9\n15\n11\n8\n10\n13\n0\n";

/* ---- small file helpers ---- */

static void copy_file(const char *from, const char *to)
{
	size_t len;
	char *data = itest_read_all(from, &len);
	struct stat st;

	if (!data)
		fail_msg("cannot read %s: %s", from, strerror(errno));
	assert_int_equal(stat(from, &st), 0);
	itest_write_all(to, data, len, st.st_mode & 07777);
	free(data);
}

static char *path_in(const char *dir, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static char *path_in(const char *dir, const char *fmt, ...)
{
	char name[PATH_MAX], *out;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	assert_true(asprintf(&out, "%s/%s", dir, name) > 0);
	return out;
}

/* ---- running deja ---- */

struct io {
	const char *in;   /* stdin file; NULL = /dev/null */
	const char *out;  /* stdout file; NULL = /dev/null */
	const char *err;  /* stderr file; NULL = /dev/null */
	const char *cwd;  /* NULL = inherit */
	const char *env;  /* one extra "NAME=value", or NULL */
};

struct result {
	int status;     /* exit code, or 128+N if killed by signal N */
	int signal;     /* N if deja itself was killed by a signal, else 0 */
	bool timed_out;
};

static void redirect(const char *path, int fd, int flags)
{
	int f = open(path ? path : "/dev/null", flags, 0644);

	if (f < 0 || dup2(f, fd) < 0)
		_exit(126);
	if (f != fd)
		close(f);
}

/* Run ARGV[0] with ARGV (NULL-terminated), killing it after timeout_s. */
static struct result run_prog(const struct io *io, const char *const *argv)
{
	struct result r = { 0, 0, false };
	struct timespec tick = { 0, 5 * 1000 * 1000 };
	long waited_ms = 0;
	int ws;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		setpgid(0, 0); /* so a timeout can kill deja and its guest */
		redirect(io->in, 0, O_RDONLY);
		redirect(io->out, 1, O_WRONLY | O_CREAT | O_TRUNC);
		redirect(io->err, 2, O_WRONLY | O_CREAT | O_TRUNC);
		if (io->cwd && chdir(io->cwd) != 0)
			_exit(126);
		if (io->env)
			putenv((char *)io->env);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	while (waitpid(pid, &ws, WNOHANG) == 0) {
		if (waited_ms >= timeout_s * 1000L) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, &ws, 0);
			r.timed_out = true;
			break;
		}
		nanosleep(&tick, NULL);
		waited_ms += 5;
	}
	if (WIFEXITED(ws)) {
		r.status = WEXITSTATUS(ws);
	} else {
		r.signal = WTERMSIG(ws);
		r.status = 128 + r.signal;
	}
	return r;
}

/* Run deja with ARGS (NULL-terminated, without argv[0]). */
static struct result run_deja(const struct io *io, const char *const *args)
{
	const char *argv[32] = { deja_bin };
	int n = 1;

	for (; args[n - 1] && n < 31; n++)
		argv[n] = args[n - 1];
	argv[n] = NULL;
	return run_prog(io, argv);
}

#define DEJA(io, ...) run_deja(io, (const char *const[]){ __VA_ARGS__, NULL })

static void show_file(const char *label, const char *path)
{
	size_t len;
	char *s = path ? itest_read_all(path, &len) : NULL;

	if (!s)
		return;
	printf("  %s (%s, %zu bytes):\n", label, path, len);
	if (len > 2000)
		strcpy(s + 2000, "\n  [...]\n");
	printf("%s%s", s, len && s[strlen(s) - 1] != '\n' ? "\n" : "");
	free(s);
}

/* Fail unless deja ran to completion (no crash, no timeout) with WANT. */
static void expect_status(const char *what, struct result r, int want,
			  const char *err_path)
{
	if (r.timed_out) {
		show_file("stderr", err_path);
		fail_msg("%s: deja did not finish within %d s", what, timeout_s);
	}
	if (r.signal && r.status != want) {
		show_file("stderr", err_path);
		fail_msg("%s: deja itself was killed by signal %d (%s)", what,
			 r.signal, strsignal(r.signal));
	}
	if (r.status != want) {
		show_file("stderr", err_path);
		fail_msg("%s: exit status %d, expected %d", what, r.status, want);
	}
}

/* Fail with a diff unless files A and B hold the same bytes. */
static void expect_same_file(const char *what, const char *a, const char *b)
{
	size_t la, lb;
	char *da = itest_read_all(a, &la), *db = itest_read_all(b, &lb), cmd[3 * PATH_MAX];
	bool same = da && db && la == lb && memcmp(da, db, la) == 0;

	free(da);
	free(db);
	if (same)
		return;
	printf("  %s: outputs differ (%zu vs %zu bytes); diff -u %s %s:\n", what,
	       la, lb, a, b);
	fflush(stdout);
	snprintf(cmd, sizeof(cmd), "diff -u '%s' '%s' | head -n 40 | sed 's/^/    /'", a, b);
	if (system(cmd) != 0)
		printf("    (diff failed)\n");
	fail_msg("%s: output differs", what);
}

static bool file_contains(const char *path, const char *needle)
{
	char *s = itest_read_all(path, NULL);
	bool yes = s && strstr(s, needle);

	free(s);
	return yes;
}

/* ---- per-test state ---- */

enum prop {
	P_ROUNDTRIP,  /* record; replay identical; replay -q silent; dump */
	P_RELOCATED,  /* record from a copy, delete it, replay */
	P_NONDET,     /* two recordings differ, each replays exactly */
	P_CORRUPT,    /* flipped bytes and truncation: exit 4, no crash */
	P_NATIVE,     /* deterministic guest: record prints what native does */
	NPROPS
};
static const char *const prop_names[] = { "roundtrip", "relocated", "nondet",
					  "corrupt", "native" };

struct tcase {
	const struct guest *g;
	const char *variant;
	enum prop prop;
	char *dir;  /* this test's temp dir */
};

static int case_setup(void **state)
{
	struct tcase *c = *state;
	static int seq;

	c->dir = path_in(tmp_root, "t%03d", seq++);
	if (mkdir(c->dir, 0755) != 0)
		return -1;
	return 0;
}

static int case_teardown(void **state)
{
	struct tcase *c = *state;

	if (!keep_tmp)
		itest_rm_rf(c->dir);
	free(c->dir);
	c->dir = NULL;
	return 0;
}

/* Copy of the guest binary path; skips the test when it was not built. */
static char *guest_path(const struct tcase *c)
{
	char *p = path_in(guest_dir, "%s.%s", c->g->name, c->variant);

	if (access(p, X_OK) != 0) {
		printf("  %s not built, skipping\n", p);
		free(p);
		skip();
	}
	return p;
}

/* Inputs a guest needs, created in DIR; fills argument and stdin. */
struct inputs {
	char *arg;   /* argv[1] for the guest, or NULL */
	char *in;    /* stdin file for recording, or NULL */
};

static struct inputs make_inputs(const struct guest *g, const char *dir)
{
	struct inputs in = { NULL, NULL };

	if (g->flags & G_INPUT_FILE) {
		char text[4096];
		int n = 0;

		n += snprintf(text + n, sizeof(text) - n, "first line of the input\n");
		for (int i = 0; i < 50; i++)
			n += snprintf(text + n, sizeof(text) - n, "line %d\n", i * i);
		in.arg = path_in(dir, "input.txt");
		itest_write_all(in.arg, text, n, 0644);
	}
	if (g->flags & G_BUG_INPUT) {
		in.arg = path_in(dir, "bug-input.txt");
		itest_write_all(in.arg, bug_input, sizeof(bug_input) - 1, 0644);
	}
	if (g->flags & G_STDIN) {
		char *data = malloc(STDIN_DATA_LEN);

		assert_non_null(data);
		for (int i = 0; i < STDIN_DATA_LEN; i++)
			data[i] = (char)(i * 7 + i / 251);
		in.in = path_in(dir, "stdin.bin");
		itest_write_all(in.in, data, STDIN_DATA_LEN, 0644);
		free(data);
	}
	return in;
}

static void free_inputs(struct inputs *in)
{
	free(in->arg);
	free(in->in);
}

/* Record PROG into TRACE; guest stdout to OUT; checks the exit status. */
static void record(const struct guest *g, const char *prog,
		   const struct inputs *in, const char *trace, const char *out,
		   const char *err, const char *cwd)
{
	struct io io = { in->in, out, err, cwd, NULL };
	struct result r;

	if (in->arg)
		r = DEJA(&io, "record", "-o", trace, "--", prog, in->arg);
	else
		r = DEJA(&io, "record", "-o", trace, "--", prog);
	expect_status("record", r, g->status, err);
	if (access(trace, R_OK) != 0)
		fail_msg("record exited %d but wrote no trace %s", r.status, trace);
}

/* Replay TRACE (stdin /dev/null: the trace must be enough); compare the
 * guest's output with EXPECT_OUT and its status with G's. */
static void replay_same(const struct guest *g, const char *trace,
			const char *expect_out, const char *dir, const char *tag)
{
	char *out = path_in(dir, "%s.replay.out", tag);
	char *err = path_in(dir, "%s.replay.err", tag);
	struct io io = { NULL, out, err, dir, NULL };
	struct result r = DEJA(&io, "replay", trace);

	expect_status("replay", r, g->status, err);
	expect_same_file("replay stdout vs record stdout", expect_out, out);
	free(out);
	free(err);
}

/* ---- the properties ---- */

static void test_roundtrip(void **state)
{
	struct tcase *c = *state;
	char *prog = guest_path(c);
	struct inputs in = make_inputs(c->g, c->dir);
	char *trace = path_in(c->dir, "trace.deja");
	char *out = path_in(c->dir, "record.out"), *err = path_in(c->dir, "record.err");
	char *qout = path_in(c->dir, "q.out"), *qerr = path_in(c->dir, "q.err");
	char *dout = path_in(c->dir, "dump.out");
	struct io qio = { NULL, qout, qerr, c->dir, NULL };
	struct io dio = { NULL, dout, qerr, c->dir, NULL };
	struct result r;
	char *dump;
	size_t qlen;

	record(c->g, prog, &in, trace, out, err, c->dir);
	if (c->g->flags & G_UNIMPL) {
		if (!file_contains(out, "ENOSYS")) {
			show_file("guest stdout", out);
			fail_msg("io_uring_setup did not fail with ENOSYS under deja");
		}
		if (!file_contains(err, "io_uring_setup")) {
			show_file("stderr", err);
			fail_msg("no warning naming io_uring_setup on stderr");
		}
	}
	replay_same(c->g, trace, out, c->dir, "1");

	r = DEJA(&qio, "replay", "-q", trace);
	expect_status("replay -q", r, c->g->status, qerr);
	free(itest_read_all(qout, &qlen));
	if (qlen != 0) {
		show_file("replay -q stdout", qout);
		fail_msg("replay -q printed %zu bytes on stdout", qlen);
	}

	r = DEJA(&dio, "dump", trace);
	expect_status("dump", r, 0, qerr);
	dump = itest_read_all(dout, NULL);
	assert_non_null(dump);
	if (!(dump[0] == '#' || strstr(dump, "\n#"))) {
		show_file("dump", dout);
		fail_msg("dump printed no line starting with '#'");
	}
	free(dump);
	free_inputs(&in);
	free(prog); free(trace); free(out); free(err); free(qout); free(qerr);
	free(dout);
}

static void test_relocated(void **state)
{
	struct tcase *c = *state;
	char *orig = guest_path(c);
	char *reloc = path_in(c->dir, "reloc");
	struct inputs in;
	char *prog, *trace = path_in(c->dir, "trace.deja");
	char *out = path_in(c->dir, "record.out"), *err = path_in(c->dir, "record.err");

	assert_int_equal(mkdir(reloc, 0755), 0);
	in = make_inputs(c->g, reloc);
	prog = path_in(reloc, "%s.%s", c->g->name, c->variant);
	copy_file(orig, prog);
	record(c->g, prog, &in, trace, out, err, reloc);

	/* The trace alone must be enough: remove the program and inputs. */
	itest_rm_rf(reloc);
	assert_int_not_equal(access(prog, F_OK), 0);
	replay_same(c->g, trace, out, c->dir, "1");
	free_inputs(&in);
	free(orig); free(reloc); free(prog); free(trace); free(out); free(err);
}

static void test_nondet(void **state)
{
	struct tcase *c = *state;
	char *prog = guest_path(c);
	struct inputs in = make_inputs(c->g, c->dir);
	char *trace[2], *out[2], *err[2];
	char *a, *b;
	bool differ;

	for (int i = 0; i < 2; i++) {
		trace[i] = path_in(c->dir, "trace%d.deja", i);
		out[i] = path_in(c->dir, "record%d.out", i);
		err[i] = path_in(c->dir, "record%d.err", i);
		record(c->g, prog, &in, trace[i], out[i], err[i], c->dir);
	}
	a = itest_read_all(out[0], NULL);
	b = itest_read_all(out[1], NULL);
	assert_true(a && b);
	if (strstr(a, "no rdrand")) {
		printf("  guest saw no rdrand: nothing nondeterministic to compare\n");
	} else {
		differ = strcmp(a, b) != 0;
		if (!differ) {
			show_file("both recordings printed", out[0]);
			fail_msg("two recordings of %s printed the same output", c->g->name);
		}
	}
	free(a);
	free(b);
	replay_same(c->g, trace[0], out[0], c->dir, "0");
	replay_same(c->g, trace[1], out[1], c->dir, "1");
	for (int i = 0; i < 2; i++) {
		free(trace[i]); free(out[i]); free(err[i]);
	}
	free_inputs(&in);
	free(prog);
}

/* Replay BAD (a damaged trace): exit 4, no crash, and a message. With
 * ONE_LINE, stderr must be exactly one line. Prints why and returns
 * false on failure, so that one test reports every kind of damage. */
static bool bad_trace_ok(const char *what, const char *bad, const char *dir,
			 bool one_line)
{
	char *out = path_in(dir, "bad.out"), *err = path_in(dir, "bad.err");
	struct io io = { NULL, out, err, dir, NULL };
	struct result r = DEJA(&io, "replay", bad);
	size_t len = 0;
	char *msg = itest_read_all(err, &len), *nl = msg ? strchr(msg, '\n') : NULL;
	bool ok = false;

	if (r.timed_out)
		printf("  %s: replay did not finish in %d s\n", what, timeout_s);
	else if (r.signal)
		printf("  %s: deja killed by signal %d (%s)\n", what, r.signal,
		       strsignal(r.signal));
	else if (r.status != 4)
		printf("  %s: exit status %d, expected 4\n", what, r.status);
	else if (len == 0)
		printf("  %s: exit 4 but nothing on stderr\n", what);
	else if (one_line && (!nl || nl[1] != 0))
		printf("  %s: stderr is not exactly one line\n", what);
	else
		ok = true;
	if (!ok)
		show_file("stderr", err);
	free(msg);
	free(out);
	free(err);
	return ok;
}

/* Write a damaged copy of DATA: byte AT xor'ed, then cut to LEN. */
static char *damaged(const char *dir, const char *tag, const char *data,
		     size_t len, long at)
{
	char *p = path_in(dir, "%s.deja", tag);
	char *copy = malloc(len ? len : 1);

	assert_non_null(copy);
	memcpy(copy, data, len);
	if (at >= 0 && (size_t)at < len)
		copy[at] ^= 0x5a;
	itest_write_all(p, copy, len, 0644);
	free(copy);
	return p;
}

static void test_corrupt(void **state)
{
	struct tcase *c = *state;
	char *prog = guest_path(c);
	struct inputs in = make_inputs(c->g, c->dir);
	char *trace = path_in(c->dir, "trace.deja");
	char *out = path_in(c->dir, "record.out"), *err = path_in(c->dir, "record.err");
	/* File header (magic, version, check) and the first chunk header. */
	static const long header_bytes[] = { 0, 3, 8, 12, 16, 21, 30, 64 };
	char what[128], *bad, *data;
	size_t len;
	int nbad = 0;

	record(c->g, prog, &in, trace, out, err, c->dir);
	data = itest_read_all(trace, &len);
	assert_non_null(data);
	assert_true(len > 64);

	snprintf(what, sizeof(what), "byte %zu of %zu flipped", len / 2, len);
	bad = damaged(c->dir, "mid", data, len, (long)(len / 2));
	nbad += !bad_trace_ok(what, bad, c->dir, true);
	free(bad);
	for (size_t i = 0; i < sizeof(header_bytes) / sizeof(header_bytes[0]); i++) {
		snprintf(what, sizeof(what), "header byte %ld flipped", header_bytes[i]);
		bad = damaged(c->dir, "head", data, len, header_bytes[i]);
		nbad += !bad_trace_ok(what, bad, c->dir, true);
		free(bad);
	}
	snprintf(what, sizeof(what), "last byte of %zu flipped", len);
	bad = damaged(c->dir, "last", data, len, (long)len - 1);
	nbad += !bad_trace_ok(what, bad, c->dir, true);
	free(bad);

	/* Truncation may leave complete chunks: replay may run a while and
	 * print guest output first, but must end with exit 4, never 0. */
	static const long cuts[] = { -2, -1, 10, 16 }; /* -2: half, -1: len-1 */
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		size_t cut = cuts[i] == -2 ? len / 2 : cuts[i] == -1 ? len - 1 : (size_t)cuts[i];

		snprintf(what, sizeof(what), "cut to %zu of %zu bytes", cut, len);
		bad = damaged(c->dir, "cut", data, cut, -1);
		nbad += !bad_trace_ok(what, bad, c->dir, cut <= 16);
		free(bad);
	}
	if (nbad)
		fail_msg("%d kinds of damage were not reported as a bad trace (exit 4)", nbad);

	free(data);
	free_inputs(&in);
	free(prog); free(trace); free(out); free(err);
}

/* A deterministic guest must behave under deja as it does natively:
 * same stdout, same exit status. */
static void test_native(void **state)
{
	struct tcase *c = *state;
	char *prog = guest_path(c);
	char *indir = path_in(c->dir, "in"); /* the file guest lists it */
	struct inputs in;
	char *trace = path_in(c->dir, "trace.deja");
	char *out = path_in(c->dir, "record.out"), *err = path_in(c->dir, "record.err");
	char *nout = path_in(c->dir, "native.out"), *nerr = path_in(c->dir, "native.err");
	struct io io = { NULL, nout, nerr, c->dir, NULL };
	struct result r;

	assert_int_equal(mkdir(indir, 0755), 0);
	in = make_inputs(c->g, indir);
	io.in = in.in;
	r = run_prog(&io, (const char *const[]){ prog, in.arg, NULL });

	if (r.status != c->g->status) {
		show_file("native stderr", nerr);
		fail_msg("natively %s exits %d, not %d: test setup problem", prog,
			 r.status, c->g->status);
	}
	record(c->g, prog, &in, trace, out, err, c->dir);
	expect_same_file("record stdout vs native stdout", nout, out);
	free_inputs(&in);
	free(indir);
	free(prog); free(trace); free(out); free(err); free(nout); free(nerr);
}

/* ---- command-line and program checks (not per guest) ---- */

struct scratch {
	char *dir, *out, *err;
};

static int scratch_setup(void **state)
{
	static int seq;
	struct scratch *s = calloc(1, sizeof(*s));

	s->dir = path_in(tmp_root, "g%03d", seq++);
	if (mkdir(s->dir, 0755) != 0)
		return -1;
	s->out = path_in(s->dir, "out");
	s->err = path_in(s->dir, "err");
	*state = s;
	return 0;
}

static int scratch_teardown(void **state)
{
	struct scratch *s = *state;

	if (!keep_tmp)
		itest_rm_rf(s->dir);
	free(s->dir); free(s->out); free(s->err);
	free(s);
	return 0;
}

static void test_usage_errors(void **state)
{
	struct scratch *s = *state;
	struct io io = { NULL, s->out, s->err, s->dir, NULL };

	expect_status("deja record (no program)", DEJA(&io, "record"), 2, s->err);
	expect_status("deja record -o T (no program)",
		      DEJA(&io, "record", "-o", "t.deja"), 2, s->err);
	expect_status("deja frobnicate", DEJA(&io, "frobnicate"), 2, s->err);
	expect_status("deja (no subcommand)", run_deja(&io, (const char *const[]){ NULL }),
		      2, s->err);
	expect_status("deja replay --no-such-option",
		      DEJA(&io, "replay", "--no-such-option"), 2, s->err);
}

/* A minimal i386 ELF executable header with one PT_LOAD: enough to be
 * recognized as a 32-bit program (multilib may not be installed). */
static void write_elf32(const char *path)
{
	unsigned char f[84] = { 0x7f, 'E', 'L', 'F', 1 /* ELFCLASS32 */, 1 /* LSB */,
				1 /* EV_CURRENT */ };
	uint32_t entry = 0x08048054, phoff = 52;

	f[16] = 2;  /* e_type ET_EXEC */
	f[18] = 3;  /* e_machine EM_386 */
	f[20] = 1;  /* e_version */
	memcpy(f + 24, &entry, 4);
	memcpy(f + 28, &phoff, 4);
	f[40] = 52; /* e_ehsize */
	f[42] = 32; /* e_phentsize */
	f[44] = 1;  /* e_phnum */
	/* Program header: PT_LOAD of the whole file at 0x08048000, r-x. */
	f[52] = 1;
	uint32_t vaddr = 0x08048000, size = sizeof(f), flags = 5, align = 0x1000;
	memcpy(f + 52 + 8, &vaddr, 4);
	memcpy(f + 52 + 12, &vaddr, 4);
	memcpy(f + 52 + 16, &size, 4);
	memcpy(f + 52 + 20, &size, 4);
	memcpy(f + 52 + 24, &flags, 4);
	memcpy(f + 52 + 28, &align, 4);
	/* Entry point: exit(0) via int 0x80 would be here; never runs. */
	itest_write_all(path, f, sizeof(f), 0755);
}

static void test_bad_programs(void **state)
{
	struct scratch *s = *state;
	struct io io = { NULL, s->out, s->err, s->dir, NULL };
	char *text = path_in(s->dir, "notes.txt"), *elf32 = path_in(s->dir, "prog32");
	char *missing = path_in(s->dir, "no-such-program");
	char *trace = path_in(s->dir, "t.deja");

	itest_write_all(text, "just some text\nnot a program\n", 29, 0755);
	write_elf32(elf32);
	expect_status("record a missing program",
		      DEJA(&io, "record", "-o", trace, "--", missing), 5, s->err);
	expect_status("record a text file",
		      DEJA(&io, "record", "-o", trace, "--", text), 5, s->err);
	expect_status("record a 32-bit ELF",
		      DEJA(&io, "record", "-o", trace, "--", elf32), 5, s->err);
	expect_status("record a directory",
		      DEJA(&io, "record", "-o", trace, "--", s->dir), 5, s->err);
	free(text); free(elf32); free(missing); free(trace);
}

static void test_bad_traces(void **state)
{
	struct scratch *s = *state;
	struct io io = { NULL, s->out, s->err, s->dir, NULL };
	char *text = path_in(s->dir, "notes.txt"), *empty = path_in(s->dir, "empty");

	itest_write_all(text, "not a trace at all, just a line of text\n", 40, 0644);
	itest_write_all(empty, "", 0, 0644);
	expect_status("replay /nonexistent", DEJA(&io, "replay", "/nonexistent"), 4, s->err);
	expect_status("replay a text file", DEJA(&io, "replay", text), 4, s->err);
	expect_status("replay an empty file", DEJA(&io, "replay", empty), 4, s->err);
	expect_status("replay a directory", DEJA(&io, "replay", s->dir), 4, s->err);
	expect_status("dump /nonexistent", DEJA(&io, "dump", "/nonexistent"), 4, s->err);
	expect_status("info a text file", DEJA(&io, "info", text), 4, s->err);
	free(text); free(empty);
}

/* hello with arguments: argv reaches the guest, its exit status comes
 * back through record and replay; info and dump --json work. */
static void test_exit_status_and_info(void **state)
{
	struct scratch *s = *state;
	char *prog = path_in(guest_dir, "hello.static");
	char *trace = path_in(s->dir, "t.deja"), *rout = path_in(s->dir, "rec.out");
	struct io rio = { NULL, rout, s->err, s->dir, NULL };
	struct io io = { NULL, s->out, s->err, s->dir, NULL };
	struct result r;

	if (access(prog, X_OK) != 0)
		skip();
	r = DEJA(&rio, "record", "-o", trace, "--", prog, "7", "two words", "");
	expect_status("record hello 7", r, 7, s->err);
	if (!file_contains(rout, "argv[2]=two words\n") ||
	    !file_contains(rout, "argv[3]=\n")) {
		show_file("guest stdout", rout);
		fail_msg("arguments did not reach the guest intact");
	}
	r = DEJA(&io, "replay", trace);
	expect_status("replay hello 7", r, 7, s->err);
	expect_same_file("replay of hello 7", rout, s->out);
	expect_status("info", DEJA(&io, "info", trace), 0, s->err);
	if (!file_contains(s->out, "hello.static")) {
		show_file("info", s->out);
		fail_msg("deja info does not name the program");
	}
	expect_status("dump --json", DEJA(&io, "dump", "--json", trace), 0, s->err);
	if (!file_contains(s->out, "{")) {
		show_file("dump --json", s->out);
		fail_msg("dump --json printed no JSON object");
	}
	free(prog); free(trace); free(rout);
}

/* Without -o, traces go to $DEJA_TRACE_DIR with a `latest` link, and a
 * bare `deja replay` replays the latest. */
static void test_default_trace_dir(void **state)
{
	struct scratch *s = *state;
	char *prog = path_in(guest_dir, "clock.static");
	char *tdir = path_in(s->dir, "traces"), *latest = path_in(tdir, "latest");
	char *rout = path_in(s->dir, "rec.out"), *env;
	struct io rio = { NULL, rout, s->err, s->dir, NULL };
	struct io io = { NULL, s->out, s->err, s->dir, NULL };
	struct stat st;

	if (access(prog, X_OK) != 0)
		skip();
	assert_true(asprintf(&env, "DEJA_TRACE_DIR=%s", tdir) > 0);
	rio.env = io.env = env;
	expect_status("record without -o", DEJA(&rio, "record", "--", prog), 0, s->err);
	if (lstat(latest, &st) != 0 || !S_ISLNK(st.st_mode))
		fail_msg("no 'latest' symlink in $DEJA_TRACE_DIR (%s)", latest);
	if (stat(latest, &st) != 0 || !S_ISREG(st.st_mode))
		fail_msg("'latest' does not lead to a trace file");
	expect_status("replay (latest)", run_deja(&io, (const char *const[]){ "replay", NULL }),
		      0, s->err);
	expect_same_file("replay of latest", rout, s->out);
	expect_status("replay latest path", DEJA(&io, "replay", latest), 0, s->err);
	expect_same_file("replay of latest path", rout, s->out);
	free(prog); free(tdir); free(latest); free(rout); free(env);
}

static void test_doctor(void **state)
{
	struct scratch *s = *state;
	struct io io = { NULL, s->out, s->err, s->dir, NULL };

	expect_status("doctor", DEJA(&io, "doctor"), 0, s->err);
	expect_status("doctor --json", DEJA(&io, "doctor", "--json"), 0, s->err);
	if (!file_contains(s->out, "\"ptrace_stop_us\"") ||
	    !file_contains(s->out, "\"native_syscall_us\"")) {
		show_file("doctor --json", s->out);
		fail_msg("doctor --json lacks ptrace_stop_us or native_syscall_us");
	}
}

/* ---- main ---- */

static int group_setup(void **state)
{
	const char *t = getenv("TMPDIR");

	snprintf(tmp_root, sizeof(tmp_root), "%s/deja-it-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(tmp_root))
		return -1;
	printf("[ INFO     ] deja %s, guests %s, temp %s\n", deja_bin, guest_dir, tmp_root);
	return 0;
}

static int group_teardown(void **state)
{
	if (!keep_tmp)
		itest_rm_rf(tmp_root);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: test_record_replay --deja PATH --guests DIR [--filter GLOB]\n");
	exit(2);
}

static void parse_args(int argc, char **argv)
{
	const char *deja = getenv("DEJA_BIN"), *gdir = getenv("DEJA_GUESTS");
	const char *t = getenv("DEJA_TEST_TIMEOUT"), *k = getenv("DEJA_KEEP");

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--deja") && i + 1 < argc)
			deja = argv[++i];
		else if (!strcmp(argv[i], "--guests") && i + 1 < argc)
			gdir = argv[++i];
		else if (!strcmp(argv[i], "--filter") && i + 1 < argc)
			cmocka_set_test_filter(argv[++i]);
		else
			usage();
	}
	if (!deja || !gdir)
		usage();
	if (!realpath(deja, deja_bin) || !realpath(gdir, guest_dir)) {
		fprintf(stderr, "test_record_replay: %s or %s: %s\n", deja, gdir,
			strerror(errno));
		exit(1);
	}
	if (t && atoi(t) > 0)
		timeout_s = atoi(t);
	keep_tmp = k && *k && strcmp(k, "0");
}

static void add(struct CMUnitTest *t, size_t *n, const char *name,
		CMUnitTestFunction fn, CMFixtureFunction su, CMFixtureFunction td,
		void *st)
{
	t[*n] = (struct CMUnitTest){ name, fn, su, td, st };
	(*n)++;
}

int main(int argc, char **argv)
{
	static const CMUnitTestFunction prop_fns[] = { test_roundtrip, test_relocated,
						       test_nondet, test_corrupt,
						       test_native };
	size_t nguests = sizeof(guests) / sizeof(guests[0]);
	size_t nvar = sizeof(variants) / sizeof(variants[0]);
	size_t max = nguests * nvar * NPROPS + 16, n = 0;
	struct CMUnitTest *tests = calloc(max, sizeof(*tests));
	struct tcase *cases = calloc(max, sizeof(*cases));

	parse_args(argc, argv);
	signal(SIGPIPE, SIG_IGN);
	add(tests, &n, "cli_usage_errors", test_usage_errors, scratch_setup, scratch_teardown, NULL);
	add(tests, &n, "cli_bad_programs", test_bad_programs, scratch_setup, scratch_teardown, NULL);
	add(tests, &n, "cli_bad_traces", test_bad_traces, scratch_setup, scratch_teardown, NULL);
	add(tests, &n, "cli_doctor", test_doctor, scratch_setup, scratch_teardown, NULL);
	add(tests, &n, "hello_exit_status_argv_info", test_exit_status_and_info,
	    scratch_setup, scratch_teardown, NULL);
	add(tests, &n, "default_trace_dir_latest", test_default_trace_dir,
	    scratch_setup, scratch_teardown, NULL);
	for (size_t p = 0; p < NPROPS; p++) {
		for (size_t v = 0; v < nvar; v++) {
			for (size_t g = 0; g < nguests; g++) {
				struct tcase *c = &cases[n];
				char *name;

				if (p == P_NONDET && !(guests[g].flags & G_NONDET))
					continue;
				if (p == P_CORRUPT && !(guests[g].flags & G_CORRUPT))
					continue;
				if (p == P_NATIVE && !(guests[g].flags & G_DETERMINISTIC))
					continue;
				*c = (struct tcase){ &guests[g], variants[v], p, NULL };
				assert_true(asprintf(&name, "%s.%s_%s", guests[g].name,
						     variants[v], prop_names[p]) > 0);
				add(tests, &n, name, prop_fns[p], case_setup, case_teardown, c);
			}
		}
	}
	return _cmocka_run_group_tests("record_replay", tests, n, group_setup,
				       group_teardown);
}
