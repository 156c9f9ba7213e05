/* tests/integration/test_divergence.c — replay never diverges silently,
 * and a killed recorder leaves a usable trace. Records real guests with
 * the real deja, then rewrites their traces with the trace library
 * (changing or dropping one event, keeping every checksum valid) and
 * checks that `deja replay` stops with exit 3 and a message naming the
 * event number, the syscall, the expected and the observed values.
 * Also: a killed recorder leaves a usable trace, and SIGPIPE is raised
 * and reproduced as Linux does.
 *
 * usage: test_divergence --deja PATH --guests DIR */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/nondet.h"
#include "traces/trace.h"

static const char *deja_bin, *guest_dir;
static char tmp[256];

/* Run deja with ARGS, stdin and stdout on /dev/null, stderr to a file.
 * Returns the exit code (128+N for signal N). */
static int run_deja(const char *const *args, const char *err_path)
{
	const char *argv[16] = { deja_bin };
	int n = 1, ws;
	pid_t pid;

	while (args[n - 1] && n < 15) {
		argv[n] = args[n - 1];
		n++;
	}
	argv[n] = NULL;
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(null, 0);
		dup2(null, 1);
		dup2(err, 2);
		alarm(60);
		execv(deja_bin, (char *const *)argv);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &ws, 0), pid);
	return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
}

static char *slurp(const char *path)
{
	static char buf[8192];
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

	if (f)
		fclose(f);
	buf[n] = 0;
	return buf;
}

static void path_of(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/%s", tmp, name);
}

static void record_guest(const char *guest, const char *trace)
{
	char prog[512], err[512];

	snprintf(prog, sizeof(prog), "%s/%s", guest_dir, guest);
	path_of(err, sizeof(err), "record.err");
	assert_int_equal(run_deja((const char *[]){ "record", "-o", trace, prog, NULL }, err), 0);
}

/* What to do to the event stream while copying a trace. */
struct edit {
	uint32_t syscall_nr;   /* first EV_SYSCALL with this nr ... */
	int64_t result_delta;  /* ... gets this added to its result */
	uint32_t drop_host_op; /* or: the first EV_HOST with this op is dropped */
	uint32_t flip_input_of; /* or: that of the first EV_HOST with this op
				   gets another input hash */
	uint64_t edited_index; /* out: index of the event edited in the copy */
};

static void copy_blob(struct trace_reader *r, struct trace_writer *w,
		      const struct trace_event *ev)
{
	uint8_t hash[16];
	size_t len;
	void *data;

	assert_int_equal(trace_reader_blob(r, ev->blob, &data, &len), 0);
	assert_int_equal(trace_writer_put_blob(w, data, len, hash), 0);
	assert_memory_equal(hash, ev->blob, 16);
	free(data);
}

static void rewrite(const char *from, const char *to, struct edit *e)
{
	int err = 0;
	struct trace_reader *r = trace_reader_open(from, &err);
	struct trace_writer *w;
	struct trace_event ev;
	bool done = false;

	assert_non_null(r);
	w = trace_writer_open(to, trace_reader_meta(r), &err);
	assert_non_null(w);
	while (trace_reader_next(r, &ev) == 0) {
		if (ev.has_blob)
			copy_blob(r, w, &ev);
		if (!done && e->drop_host_op && ev.type == EV_HOST &&
		    ev.op == e->drop_host_op) {
			done = true;
			e->edited_index = ev.index;
			continue;
		}
		if (!done && e->flip_input_of && ev.type == EV_HOST &&
		    ev.op == e->flip_input_of) {
			assert_int_equal(ev.nargs, 1);
			ev.args[0] ^= 1;
			done = true;
		}
		if (!done && e->syscall_nr && ev.type == EV_SYSCALL &&
		    ev.op == e->syscall_nr) {
			done = true;
			ev.result += e->result_delta;
		}
		assert_int_equal(trace_writer_put(w, &ev), 0);
		if (done && !e->edited_index && !e->drop_host_op)
			e->edited_index = ev.index;
	}
	assert_true(done);
	assert_int_equal(trace_writer_close(w), 0);
	trace_reader_close(r);
}

static void expect_in(const char *text, const char *needle)
{
	if (!strstr(text, needle))
		fail_msg("expected \"%s\" in deja's message:\n%s", needle, text);
}

/* Record GUEST, apply edit E to a copy of its trace, replay the copy:
 * exit 3 and a message naming the edited event and each of NEEDLES. */
static void expect_divergence(const char *guest, struct edit *e,
			      const char *const *needles)
{
	char orig[512], bad[512], err[512], want[64], name[128];
	char *msg;

	snprintf(name, sizeof(name), "%s.deja", guest);
	path_of(orig, sizeof(orig), name);
	snprintf(name, sizeof(name), "%s-bad.deja", guest);
	path_of(bad, sizeof(bad), name);
	path_of(err, sizeof(err), "replay.err");
	record_guest(guest, orig);
	assert_int_equal(run_deja((const char *[]){ "replay", "-q", orig, NULL }, err), 0);
	rewrite(orig, bad, e);
	assert_int_equal(run_deja((const char *[]){ "replay", "-q", bad, NULL }, err), 3);
	msg = slurp(err);
	snprintf(want, sizeof(want), "event #%llu", (unsigned long long)e->edited_index);
	expect_in(msg, want);
	for (; *needles; needles++)
		expect_in(msg, *needles);
	assert_int_equal(strchr(msg, '\n') - msg, (long)strlen(msg) - 1); /* one line */
}

/* hello.static writes its greeting with write(1, ...): claim the trace
 * saw one byte more. */
static void test_changed_syscall_result(void **state)
{
	struct edit e = { .syscall_nr = 1 /* write */, .result_delta = 1 };

	expect_divergence("hello.static", &e,
			  (const char *[]){ "write", "expected", "observed", NULL });
}

/* The guest writes other bytes than were recorded (as when code that was
 * not trapped reads the clock): the input hash of the write disagrees. */
static void test_other_output_bytes(void **state)
{
	struct edit e = { .flip_input_of = ND_WRITE };

	expect_divergence("hello.static", &e,
			  (const char *[]){ "write", "other bytes", NULL });
}

/* Drop the clock reading of clock.static: the kernel asks for a CLOCK
 * input and the trace offers the next event instead. */
static void test_missing_host_input(void **state)
{
	struct edit e = { .drop_host_op = ND_CLOCK };

	expect_divergence("clock.static", &e,
			  (const char *[]){ "clock_gettime", "observed host input CLOCK", NULL });
}

/* A recorder killed with SIGKILL while its guest waits on stdin: the
 * trace opens, `info` and `dump` work, and replay stops with exit 4. */
static void test_killed_recorder(void **state)
{
	char trace[512], prog[512], err[512];
	int in[2], ws;
	pid_t pid;

	path_of(trace, sizeof(trace), "killed.deja");
	path_of(err, sizeof(err), "killed.err");
	snprintf(prog, sizeof(prog), "%s/stdin.static", guest_dir);
	assert_int_equal(pipe(in), 0);
	assert_int_equal(write(in[1], "some input\n", 11), 11);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		dup2(in[0], 0);
		dup2(null, 1);
		dup2(null, 2);
		close(in[1]);
		execl(deja_bin, deja_bin, "record", "-o", trace, prog, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	nanosleep(&(struct timespec){ 0, 500 * 1000 * 1000 }, NULL);
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &ws, 0), pid);
	close(in[1]);
	assert_true(WIFSIGNALED(ws));
	assert_int_equal(run_deja((const char *[]){ "info", trace, NULL }, err), 0);
	assert_int_equal(run_deja((const char *[]){ "dump", trace, NULL }, err), 0);
	assert_int_equal(run_deja((const char *[]){ "replay", "-q", trace, NULL }, err), 4);
	expect_in(slurp(err), "truncated");
}

/* A writer whose reader went away dies of SIGPIPE (exit 141), recorded
 * and replayed alike: deja raises it as Linux does. */
static void test_sigpipe(void **state)
{
	char trace[512], err[512], cmd[2048];
	int ws;

	path_of(trace, sizeof(trace), "yes.deja");
	path_of(err, sizeof(err), "yes.err");
	/* bash, for PIPESTATUS: the status of deja, not of head */
	snprintf(cmd, sizeof(cmd),
		 "bash -c \"'%s' record -o '%s' '%s/yes.static' 2>'%s' | head -c 10 >/dev/null;"
		 " exit \\${PIPESTATUS[0]}\"", deja_bin, trace, guest_dir, err);
	fflush(NULL);
	ws = system(cmd);
	assert_true(WIFEXITED(ws));
	assert_int_equal(WEXITSTATUS(ws), 141);
	assert_int_equal(run_deja((const char *[]){ "replay", "-q", trace, NULL }, err), 141);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_changed_syscall_result),
		cmocka_unit_test(test_missing_host_input),
		cmocka_unit_test(test_other_output_bytes),
		cmocka_unit_test(test_killed_recorder),
		cmocka_unit_test(test_sigpipe),
	};
	int rc;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--deja"))
			deja_bin = argv[i + 1];
		else if (!strcmp(argv[i], "--guests"))
			guest_dir = argv[i + 1];
	}
	if (!deja_bin || !guest_dir) {
		fprintf(stderr, "usage: test_divergence --deja PATH --guests DIR\n");
		return 2;
	}
	snprintf(tmp, sizeof(tmp), "/tmp/deja-div-XXXXXX");
	if (!mkdtemp(tmp))
		return 2;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	if (!getenv("DEJA_KEEP")) {
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tmp);
	}
	return rc;
}
