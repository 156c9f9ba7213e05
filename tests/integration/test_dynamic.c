/* tests/integration/test_dynamic.c — dynamically linked programs of the
 * host under the real deja binary: /bin/ls, /bin/cat, readlink, python3,
 * sqlite3 (each skipped when the host lacks it). Each is recorded and
 * replayed with byte-identical stdout and the same exit status; replays
 * also run after the files the recording read (inputs, the program's own
 * copy) were changed or deleted; /proc/self files deja generates (maps,
 * fd, exe) read the same in record and replay and agree with Linux where
 * Linux's answer is deterministic.
 *
 * Usage: test_dynamic --deja PATH --guests DIR [--filter GLOB]
 * (the guests directory holds hello.dyn). $DEJA_KEEP=1 keeps temp files.
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
#include <linux/close_range.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/integration/itest_files.h"

#include "tests/integration/itest_run.h"

static void test_ls_l(void **state)
{
	char *dir = tmp_path("lsdir");
	char *f1 = tmp_path("lsdir/alpha.txt"), *f2 = tmp_path("lsdir/beta");
	struct timespec ts[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
	struct run rec;

	need("/bin/ls");
	assert_int_equal(mkdir(dir, 0755), 0);
	itest_write_all(f1, "alpha\n", 6, 0644);
	itest_write_all(f2, "beta beta\n", 10, 0600);
	assert_int_equal(utimensat(AT_FDCWD, f1, ts, 0), 0);
	assert_int_equal(utimensat(AT_FDCWD, f2, ts, 0), 0);
	rec = roundtrip("ls", 0, ARGS("/bin/ls", "-l", dir));
	expect_contains("ls -l output", rec.out, "alpha.txt");
	expect_contains("ls -l output", rec.out, "-rw------- 1 ");
	native_same("ls-native", &rec, ARGS("/bin/ls", "-l", dir));
	run_free(&rec);
	free(dir), free(f1), free(f2);
}

/* find walks a tree with fchdir and getdents64; id asks for groups. */
static void test_find_id(void **state)
{
	char *dir = tmp_path("tree"), *sub = tmp_path("tree/sub");
	char *f = tmp_path("tree/sub/leaf");
	struct run rec;

	need("/usr/bin/find");
	need("/usr/bin/id");
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(mkdir(sub, 0755), 0);
	itest_write_all(f, "x", 1, 0644);
	rec = roundtrip("find", 0, ARGS("/usr/bin/find", dir));
	expect_contains("find", rec.out, "/tree/sub/leaf\n");
	native_same("find-native", &rec, ARGS("/usr/bin/find", dir));
	run_free(&rec);
	rec = roundtrip("id", 0, ARGS("/usr/bin/id"));
	native_same("id-native", &rec, ARGS("/usr/bin/id"));
	run_free(&rec);
	free(dir), free(sub), free(f);
}

/* The replay needs none of the files the recording read. */
static void test_cat_after_change(void **state)
{
	char *file = tmp_path("cat-input.txt"), *trace = tmp_path("cat.deja");
	struct run rec;

	need("/bin/cat");
	itest_write_all(file, "the recorded contents\n", 22, 0644);
	rec = record("cat", trace, ARGS("/bin/cat", file));
	expect_status("cat", &rec, 0);
	expect_contains("cat output", rec.out, "the recorded contents");
	itest_write_all(file, "changed!\n", 9, 0644);
	replay_same("cat-changed", trace, &rec);
	assert_int_equal(unlink(file), 0);
	replay_same("cat-removed", trace, &rec);
	run_free(&rec);
	free(file), free(trace);
}

/* A copy of a dynamic guest, recorded, then changed and then deleted:
 * the program's and ld.so's bytes are in the trace. */
static void test_dyn_copy_removed(void **state)
{
	char *src, *copy = tmp_path("hello-copy"), *trace = tmp_path("hello.deja");
	size_t len;
	char *bytes;
	struct run rec;

	assert_true(asprintf(&src, "%s/hello.dyn", guest_dir) > 0);
	bytes = itest_read_all(src, &len);
	assert_non_null(bytes);
	itest_write_all(copy, bytes, len, 0755);
	rec = record("hello", trace, ARGS(copy));
	expect_status("hello.dyn", &rec, 0);
	itest_write_all(copy, "#!/bin/sh\necho no\n", 18, 0755);
	replay_same("hello-changed", trace, &rec);
	assert_int_equal(unlink(copy), 0);
	replay_same("hello-removed", trace, &rec);
	run_free(&rec);
	free(bytes), free(src), free(copy), free(trace);
}

/* A program whose interpreter is missing: exit 5 and a message naming
 * the interpreter. */
static void test_missing_interp(void **state)
{
	char *src, *copy = tmp_path("no-interp"), *trace = tmp_path("no-interp.deja");
	static const char real[] = "/lib64/ld-linux-x86-64.so.2";
	size_t len;
	char *bytes, *at;
	struct run rec;

	assert_true(asprintf(&src, "%s/hello.dyn", guest_dir) > 0);
	bytes = itest_read_all(src, &len);
	assert_non_null(bytes);
	at = memmem(bytes, len, real, sizeof(real));
	if (!at)
		skip(); /* not glibc's usual interpreter */
	at[sizeof(real) - 2] = 'X';
	itest_write_all(copy, bytes, len, 0755);
	rec = record("no-interp", trace, ARGS(copy));
	expect_status("missing interpreter", &rec, 5);
	expect_contains("stderr", rec.err, "/lib64/ld-linux-x86-64.so.X");
	run_free(&rec);
	free(bytes), free(src), free(copy), free(trace);
}

/* /proc/self/maps comes from deja's bookkeeping: the same in record and
 * replay, with the program, ld.so, libc, [heap] and [stack] named. */
static void test_proc_maps(void **state)
{
	struct run rec;

	need("/bin/cat");
	rec = roundtrip("maps", 0, ARGS("/bin/cat", "/proc/self/maps"));
	expect_contains("maps", rec.out, "/cat\n");
	expect_contains("maps", rec.out, "ld-linux-x86-64.so.2\n");
	expect_contains("maps", rec.out, "libc.so.6\n");
	expect_contains("maps", rec.out, " r-xp ");
	expect_contains("maps", rec.out, "[heap]\n");
	expect_contains("maps", rec.out, "[stack]\n");
	run_free(&rec);
}

/* /proc/self/fd lists the guest's own descriptors; /proc/self/exe and
 * /proc/self/fd/N name what the guest opened: as Linux says natively. */
static void test_proc_self_links(void **state)
{
	struct run rec;

	need("/bin/ls");
	need("/usr/bin/readlink");
	rec = roundtrip("fd", 0, ARGS("/bin/ls", "/proc/self/fd"));
	native_same("fd-native", &rec, ARGS("/bin/ls", "/proc/self/fd"));
	run_free(&rec);
	rec = roundtrip("status", 0, ARGS("/bin/cat", "/proc/self/status"));
	expect_contains("status", rec.out, "Name:\tcat\n");
	expect_contains("status", rec.out, "\nPid:\t1000\n"); /* the guest's own pid */
	expect_contains("status", rec.out, "\nTracerPid:\t0\n");
	run_free(&rec);
	rec = roundtrip("exe", 0, ARGS("/usr/bin/readlink", "/proc/self/exe"));
	native_same("exe-native", &rec, ARGS("/usr/bin/readlink", "/proc/self/exe"));
	run_free(&rec);
}

static void test_python(void **state)
{
	static const char code[] =
		"import hashlib, os, sys\n"
		"print(hashlib.sha256(b'deja').hexdigest())\n"
		"print(os.readlink('/proc/self/exe') == os.path.realpath(sys.executable))\n"
		"fd = os.open('/etc/hostname', os.O_RDONLY)\n"
		"print(os.readlink('/proc/self/fd/%d' % fd))\n"
		"print(open('/proc/self/cmdline', 'rb').read()[-20:])\n"
		"print(open('/proc/self/comm').read().strip())\n"
		"print(sorted(os.listdir('/proc/self/fd'), key=int))\n";
	struct run rec;

	need("/usr/bin/python3");
	rec = roundtrip("python", 0, ARGS("/usr/bin/python3", "-c", code));
	native_same("python-native", &rec, ARGS("/usr/bin/python3", "-c", code));
	expect_contains("python", rec.out, "True\n/etc/hostname\n");
	run_free(&rec);
}

/* sqlite3 writes its database (and journal) and locks it; the replay
 * runs after the database is gone. */
static void test_sqlite(void **state)
{
	char *db = tmp_path("x.db"), *trace = tmp_path("sqlite.deja");
	struct run rec;

	need("/usr/bin/sqlite3");
	rec = record("sqlite", trace, ARGS("/usr/bin/sqlite3", db,
		"create table t(a, b); insert into t values (1, 'one'), (2, 'two');"
		" select sum(a), group_concat(b) from t;"));
	expect_status("sqlite3", &rec, 0);
	expect_contains("sqlite3", rec.out, "3|one,two\n");
	assert_int_equal(unlink(db), 0);
	replay_same("sqlite-replay", trace, &rec);
	run_free(&rec);
	free(db), free(trace);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ls_l),
		cmocka_unit_test(test_find_id),
		cmocka_unit_test(test_cat_after_change),
		cmocka_unit_test(test_dyn_copy_removed),
		cmocka_unit_test(test_missing_interp),
		cmocka_unit_test(test_proc_maps),
		cmocka_unit_test(test_proc_self_links),
		cmocka_unit_test(test_python),
		cmocka_unit_test(test_sqlite),
	};
	return itest_run_main("test_dynamic", tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
