/* tests/integration/itest_run.h — running deja and native programs in
 * the integration tests (itest_run.c): each run's stdout and stderr are
 * captured in files under tmp_root, the working directory of every run. */
#ifndef DEJA_ITEST_RUN_H
#define DEJA_ITEST_RUN_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

extern char deja_bin[PATH_MAX];
extern char guest_dir[PATH_MAX];
extern char tmp_root[PATH_MAX];
extern bool keep_tmp;

struct run {
	int status;     /* exit code, or 128+N if killed by signal N */
	char *out, *err; /* paths of the captured stdout and stderr */
};

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* tmp_root/NAME (malloc'd). */
char *tmp_path(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Run ARGV in tmp_root with stdin /dev/null, output captured (TAG names
 * the files); fails the test after 120 s. */
struct run run_argv(const char *tag, const char *const *argv);
void run_free(struct run *r);
void show(const char *label, const char *path);
void expect_status(const char *what, const struct run *r, int want);
void expect_same(const char *what, const char *a, const char *b);
void expect_contains(const char *what, const char *path, const char *needle);
/* Skip the test when PROG is not on this host. */
void need(const char *prog);
/* deja record -o TRACE -- ARGS... */
struct run record(const char *tag, const char *trace, const char *const *args);
/* deja replay TRACE: the same exit status and stdout as REC. */
void replay_same(const char *tag, const char *trace, const struct run *rec);
/* Record and replay ARGS, exit status WANT; returns the recording. */
struct run roundtrip(const char *tag, int want, const char *const *args);
/* ARGS natively prints what REC printed. */
void native_same(const char *tag, const struct run *rec, const char *const *args);

/* The whole main of such a test program NAME: parse --deja, --guests,
 * --filter and $DEJA_KEEP, make tmp_root, run TESTS, remove tmp_root. */
struct CMUnitTest;
int itest_run_main(const char *name, const struct CMUnitTest *tests, size_t n,
		   int argc, char **argv);

#endif
