/* tests/integration/itest_run.c — running programs for the integration
 * tests: the real deja binary (record, replay) and native runs, with
 * stdout and stderr captured in files under one temporary directory,
 * and the checks that compare them. */
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
#include <linux/close_range.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/integration/itest_files.h"
#include "tests/integration/itest_run.h"

#define TIMEOUT_S 120
#define MAX_ARGS 12

char deja_bin[PATH_MAX];
char guest_dir[PATH_MAX];
char tmp_root[PATH_MAX];
bool keep_tmp;



char *tmp_path(const char *fmt, ...)
{
	char name[PATH_MAX], *out;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	assert_true(asprintf(&out, "%s/%s", tmp_root, name) > 0);
	return out;
}

static void redirect(const char *path, int fd, int flags)
{
	int f = open(path, flags, 0644);

	if (f < 0 || dup2(f, fd) < 0)
		_exit(126);
	if (f != fd)
		close(f);
}

/* Run ARGV with stdout/stderr captured in files named after TAG. */
struct run run_argv(const char *tag, const char *const *argv)
{
	static int seq;
	struct run r = { 0, tmp_path("%s.%d.out", tag, seq), tmp_path("%s.%d.err", tag, seq) };
	int ws, waited = 0;
	pid_t pid;

	seq++;
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		setpgid(0, 0);
		redirect("/dev/null", 0, O_RDONLY);
		redirect(r.out, 1, O_WRONLY | O_CREAT | O_TRUNC);
		redirect(r.err, 2, O_WRONLY | O_CREAT | O_TRUNC);
		if (chdir(tmp_root) != 0)
			_exit(126);
		close_range(3, ~0U, 0); /* natively, as under deja: fds 0-2 only */
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	while (waitpid(pid, &ws, WNOHANG) == 0) {
		if (waited++ >= TIMEOUT_S * 100) {
			kill(-pid, SIGKILL);
			waitpid(pid, &ws, 0);
			fail_msg("%s: no end within %d s", tag, TIMEOUT_S);
		}
		usleep(10000);
	}
	r.status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
	return r;
}

void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

void show(const char *label, const char *path)
{
	char *s = itest_read_all(path, NULL);

	if (s && strlen(s) > 3000)
		strcpy(s + 3000, "\n[...]\n");
	printf("  %s:\n%s\n", label, s ? s : "(none)");
	free(s);
}

void expect_status(const char *what, const struct run *r, int want)
{
	if (r->status != want) {
		show("stderr", r->err);
		fail_msg("%s: exit status %d, expected %d", what, r->status, want);
	}
}

void expect_same(const char *what, const char *a, const char *b)
{
	size_t la, lb;
	char *da = itest_read_all(a, &la), *db = itest_read_all(b, &lb);
	bool same = da && db && la == lb && !memcmp(da, db, la);

	if (!same) {
		show("first", a);
		show("second", b);
	}
	free(da);
	free(db);
	if (!same)
		fail_msg("%s: outputs differ", what);
}

void expect_contains(const char *what, const char *path, const char *needle)
{
	char *s = itest_read_all(path, NULL);
	bool yes = s && strstr(s, needle);

	free(s);
	if (!yes) {
		show(what, path);
		fail_msg("%s lacks \"%s\"", what, needle);
	}
}

void need(const char *prog)
{
	if (access(prog, X_OK) != 0) {
		printf("  %s not on this host, skipping\n", prog);
		skip();
	}
}

/* Record PROG ARGS... into TRACE and return the recording's run. */
struct run record(const char *tag, const char *trace, const char *const *args)
{
	const char *argv[MAX_ARGS + 6] = { deja_bin, "record", "-o", trace, "--" };
	int n = 5;

	for (int i = 0; args[i] && i < MAX_ARGS; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	return run_argv(tag, argv);
}

/* Replay TRACE: the same exit status and stdout as the recording R. */
void replay_same(const char *tag, const char *trace, const struct run *rec)
{
	const char *argv[] = { deja_bin, "replay", trace, NULL };
	struct run r = run_argv(tag, argv);

	expect_status(tag, &r, rec->status);
	expect_same(tag, rec->out, r.out);
	run_free(&r);
}

/* Record and replay ARGS; checks status WANT; returns the recording. */
struct run roundtrip(const char *tag, int want, const char *const *args)
{
	char *trace = tmp_path("%s.deja", tag);
	struct run rec = record(tag, trace, args);

	expect_status(tag, &rec, want);
	replay_same(tag, trace, &rec);
	free(trace);
	return rec;
}


/* The same program natively: what deja must print for deterministic ones. */
void native_same(const char *tag, const struct run *rec, const char *const *args)
{
	struct run n = run_argv(tag, args);

	expect_same(tag, n.out, rec->out);
	run_free(&n);
}

int itest_run_main(const char *name, const struct CMUnitTest *tests, size_t n,
		   int argc, char **argv)
{
	const char *deja = NULL, *gdir = NULL, *k = getenv("DEJA_KEEP");
	const char *t = getenv("TMPDIR");
	int rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--deja") && i + 1 < argc)
			deja = argv[++i];
		else if (!strcmp(argv[i], "--guests") && i + 1 < argc)
			gdir = argv[++i];
		else if (!strcmp(argv[i], "--filter") && i + 1 < argc)
			cmocka_set_test_filter(argv[++i]);
	}
	if (!deja || !gdir || !realpath(deja, deja_bin) || !realpath(gdir, guest_dir)) {
		fprintf(stderr, "usage: %s --deja PATH --guests DIR [--filter GLOB]\n", name);
		return 2;
	}
	keep_tmp = k && *k && strcmp(k, "0");
	snprintf(tmp_root, sizeof(tmp_root), "%s/deja-%s-XXXXXX", t && *t ? t : "/tmp", name);
	if (!mkdtemp(tmp_root))
		return 2;
	rc = _cmocka_run_group_tests(name, tests, n, NULL, NULL);
	if (!keep_tmp)
		itest_rm_rf(tmp_root);
	return rc;
}
